// The schema table: one entry per Kubernetes type Skiff serves (1.32 field lists), parsed once
// from the compact text in schemas_*.cc. It drives the published OpenAPI v3 documents, strict
// field validation and strategic-merge/apply list semantics. Immutable after first use (a
// thread-safe static); every function here may be called from any thread.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "skiff/api/resources.h"

namespace skiff::api::openapi {

// What a JSON value of a type looks like.
enum class ValueKind : uint8_t {
  kObject,   // a struct with described fields
  kString,   // format says more: byte, date-time
  kInteger,  // format int32 or int64
  kNumber,   // format double
  kBoolean,
  kQuantity,     // resource.Quantity: string or number
  kIntOrString,  // intstr.IntOrString
  kAny,          // free-form JSON (RawExtension, FieldsV1): never checked
};

// How a field holds its values.
enum class Container : uint8_t { kNone, kList, kMap };

struct Schema;

struct GroupVersionKind {
  std::string group;
  std::string version;
  std::string kind;
};

struct Field {
  std::string name;
  std::string description;
  Container container = Container::kNone;
  // The value (or element) type: a primitive kind with a format, or a named schema.
  ValueKind kind = ValueKind::kString;
  std::string format;
  const Schema* ref = nullptr;
  bool required = false;
  bool preserve_unknown = false;
  std::string list_type;                   // x-kubernetes-list-type: atomic, set, map
  std::vector<std::string> list_map_keys;  // x-kubernetes-list-map-keys
  std::string patch_merge_key;             // x-kubernetes-patch-merge-key
  std::string patch_strategy;              // x-kubernetes-patch-strategy
  std::string map_type;                    // x-kubernetes-map-type
  std::vector<std::string> enum_values;
  std::optional<boost::json::value> default_value;

  // The kind of the value (or element), looking through named scalar types like Time.
  ValueKind EffectiveKind() const;
};

struct Schema {
  std::string name;        // "io.k8s.api.apps.v1.Deployment"
  std::string short_name;  // "Deployment"
  std::string description;
  ValueKind kind = ValueKind::kObject;
  std::string format;
  bool preserve_unknown = false;
  bool hidden = false;
  std::string map_type;  // x-kubernetes-map-type of the struct
  std::vector<GroupVersionKind> gvks;
  std::vector<Field> fields;
  absl::flat_hash_map<std::string, size_t> field_index;

  const Field* FindField(std::string_view field_name) const;
  // True when values of this type are structs whose fields are all described.
  bool IsClosedStruct() const { return kind == ValueKind::kObject && !preserve_unknown; }
};

// Every parsed schema, in table order (generated List types last).
const std::vector<const Schema*>& AllSchemas();

// Lookup by full name ("io.k8s.api.core.v1.Pod") or unique short name ("PodSpec").
const Schema* FindSchema(std::string_view name);

// The top-level schema carrying this group/version/kind; nullptr when unknown.
const Schema* SchemaForKind(std::string_view group, std::string_view version,
                            std::string_view kind);

// The schema of objects of a served resource, or of the body of one of its subresources
// ("" or "status": the resource's kind; "scale": autoscaling/v1 Scale; "binding",
// "eviction"). nullptr when the table has no schema for it.
const Schema* SchemaFor(const ResourceInfo& r, std::string_view subresource = "");

// OK unless the compiled-in table failed to parse or resolve (a programming error; the
// message names the offending line). Tests assert this.
absl::Status SchemaTableStatus();

}  // namespace skiff::api::openapi
