// Shared helpers for the kinds implementation files: JSON navigation for mutation, kind
// identification, and the pod-template validation the workload kinds reuse.
// Internal to api/kinds; pure functions, safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "skiff/api/field_error.h"
#include "skiff/api/resources.h"

namespace skiff::api::kinds::internal {

namespace json = boost::json;

// Field reads on objects (no copies); wrong types read as empty/zero.
inline std::string_view StrField(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string_view(it->value().get_string())
                                                  : std::string_view();
}
inline int64_t IntField(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return 0;
  if (it->value().is_int64()) return it->value().get_int64();
  if (it->value().is_uint64()) return static_cast<int64_t>(it->value().get_uint64());
  return 0;
}
inline bool BoolField(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_bool() && it->value().get_bool();
}

// Read helpers for validation: a member that is absent or null reads as nullptr/""/0.
inline const json::value* Get(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  if (o == nullptr) return nullptr;
  auto it = o->find(key);
  return it == o->end() || it->value().is_null() ? nullptr : &it->value();
}
inline std::string Str(const json::value& v, std::string_view key) {
  const json::value* f = Get(v, key);
  if (f == nullptr) return "";
  return f->is_string() ? std::string(f->get_string()) : json::serialize(*f);
}
inline std::string Str(const json::value* v, std::string_view key) {
  return v == nullptr ? std::string() : Str(*v, key);
}
inline int64_t Int(const json::value* v) {
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  return 0;
}
inline const json::array& Arr(const json::value& v, std::string_view key) {
  static const json::array kEmpty;
  const json::value* f = Get(v, key);
  return f != nullptr && f->is_array() ? f->get_array() : kEmpty;
}
inline const json::value& EmptyObject() {
  static const json::value kEmpty = json::object();
  return kEmpty;
}
// A scalar as a string: strings as-is, anything else as JSON text.
inline std::string Text(const json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

inline bool Is(const ResourceInfo& r, std::string_view group, std::string_view kind) {
  return r.group == group && r.kind == kind;
}

// The object member `key` of `obj`, or nullptr when absent or not an object.
inline json::object* ChildObject(json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : it->value().if_object();
}
inline json::array* ChildArray(json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : it->value().if_array();
}
// Creates `key` as {} when absent or null; returns nullptr when it holds a non-object.
inline json::object* EnsureChild(json::object& obj, std::string_view key) {
  json::value& v = obj[key];
  if (v.is_null()) v = json::object();
  return v.if_object();
}
// Sets `key` when absent, null, or (for strings) empty — Go's "zero value" test for the
// fields Kubernetes defaults.
inline void SetDefault(json::object& obj, std::string_view key, json::value value) {
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null() ||
      (it->value().is_string() && it->value().get_string().empty() && value.is_string())) {
    obj[key] = std::move(value);
  }
}
// For Go int fields defaulted when zero (probe thresholds, ...).
inline void SetDefaultIfZero(json::object& obj, std::string_view key, int64_t value) {
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null() ||
      (it->value().is_int64() && it->value().get_int64() == 0) ||
      (it->value().is_uint64() && it->value().get_uint64() == 0)) {
    obj[key] = value;
  }
}

// Pod specs in a PodTemplateSpec context (`is_pod` false) or a Pod (true).
void DefaultPodSpec(json::object& spec, bool is_pod);
// spec.template of workloads: metadata.creationTimestamp null and the pod spec defaults.
void DefaultPodTemplate(json::object& owner_spec);
void DefaultPersistentVolumeClaimSpec(json::object& spec);
// Rewrites every quantity of a ResourceList in canonical form rounded up to milli.
void DefaultResourceList(json::value* list);

// Validation shared by pods and the workload kinds. `template_path` is e.g.
// "spec.template"; validates labels, annotations and the pod spec at `<path>.spec`.
FieldErrors ValidatePodTemplateSpec(const json::value* tmpl, const std::string& template_path);
FieldErrors ValidatePodSpec(const json::value& spec, const std::string& path, bool is_pod);
FieldErrors ValidatePersistentVolumeClaimSpec(const json::value& spec, const std::string& path);
// apps-style IntOrString (maxSurge, maxUnavailable, PDB min/max): non-negative int or "N%".
FieldErrors ValidatePositiveIntOrPercent(const json::value* v, const std::string& path);
FieldErrors IsNotMoreThan100Percent(const json::value* v, const std::string& path);
// The integer or percentage value, as getIntOrPercentValue (0 for malformed input).
int64_t IntOrPercentValue(const json::value* v);
// Resource names and quantities in a container/pod ResourceRequirements-like list.
FieldErrors ValidateResourceQuantity(std::string_view name, const json::value& q,
                                     const std::string& path);

// Kubernetes' semantic equality on JSON: absent, null, [] and {} are all equal (Go treats
// nil and empty slices and maps alike); numbers compare by value. Either pointer may be null.
bool SemanticEqual(const json::value* a, const json::value* b);

// Per-group validation of everything below metadata; `old` is non-null on update.
FieldErrors ValidateApps(const ResourceInfo& r, const json::value& obj, const json::value* old);
FieldErrors ValidateCore(const ResourceInfo& r, const json::value& obj, const json::value* old);
// Event rules shared by core/v1 (legacy only) and events.k8s.io/v1 (legacy + strict).
FieldErrors ValidateLegacyEvent(const json::value& event, const json::value* old, bool events_v1);
FieldErrors ValidateOther(const ResourceInfo& r, const json::value& obj, const json::value* old);

inline void Append(FieldErrors& to, FieldErrors from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace skiff::api::kinds::internal
