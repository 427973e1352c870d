// Server-side printing: the meta.k8s.io/v1 Table that `kubectl get` renders, with the columns and
// cells Kubernetes 1.32 prints for every resource Skiff serves (kubectl has no printers of its
// own). The apiserver calls it for list/get requests that accept a Table. Pure functions; any
// thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "boost/json.hpp"
#include "skiff/api/resources.h"
#include "skiff/api/table/format.h"

namespace skiff::api::table {

// One metav1.TableColumnDefinition. Priority 0 prints by default; 1 only with `-o wide`.
struct Column {
  std::string name;
  std::string type;    // "string", "integer", "date", ...
  std::string format;  // "name" for the column that names the object, else ""
  std::string description;
  int priority = 0;
};

// The columns for a resource, in print order. Resources without a printer get Kubernetes'
// default pair: Name and "Created At".
const std::vector<Column>& ColumnsFor(const ResourceInfo& r);

// The cells of one object, in column order; always the full (wide) set, as the real server sends.
// Integers are JSON numbers, text is strings; `now` is the reference for ages.
boost::json::array RowCells(const ResourceInfo& r, const boost::json::value& obj, absl::Time now);

// Row conditions (metav1.TableRowCondition) for the object; empty for most kinds. Pods that have
// finished carry a "Completed" condition.
boost::json::array RowConditions(const ResourceInfo& r, const boost::json::value& obj);

// {"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{...}} with the
// object's whole metadata.
boost::json::object PartialObjectMetadata(const boost::json::value& obj);

// The `includeObject` query parameter of a Table request.
enum class IncludeObject { kNone, kMetadata, kObject };

// Parses "None" / "Metadata" / "Object"; "" means Metadata. Other values are InvalidArgument.
absl::StatusOr<IncludeObject> ParseIncludeObject(std::string_view value);

// List metadata copied onto the Table. For a single-object GET, pass the object's
// resourceVersion and leave the rest empty.
struct TableListMeta {
  std::string resource_version;
  std::string continue_token;
  std::optional<int64_t> remaining_item_count;
};

// Builds the whole Table: {"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{...},
// "columnDefinitions":[...],"rows":[{"cells":[...],"object":...}]}. rows[i].object is
// `row_objects[i]` (null when absent). `with_headers` false omits the column definitions, as the
// server does for watch events after the first.
boost::json::object BuildTable(const ResourceInfo& r, std::span<const boost::json::value> objects,
                               std::span<const boost::json::value> row_objects,
                               const TableListMeta& meta, absl::Time now, bool with_headers = true);

// As above, choosing each row's object by `include`: null for None, PartialObjectMetadata for
// Metadata, the full object (with kind/apiVersion filled in) for Object.
boost::json::object BuildTable(const ResourceInfo& r, std::span<const boost::json::value> objects,
                               IncludeObject include, const TableListMeta& meta, absl::Time now,
                               bool with_headers = true);

}  // namespace skiff::api::table
