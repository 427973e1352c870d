// Server-side apply and managedFields bookkeeping after Kubernetes' structured-merge-diff. The API
// server calls ServerSideApply for apply patches and UpdateManagedFields for every other write
// (never both for one request). Pure functions; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <string_view>

#include "absl/status/statusor.h"
#include "skiff/api/patch/schema.h"

namespace skiff::api::patch {

// Type URL of the payload an apply conflict error carries: a JSON array of Kubernetes
// StatusCauses, [{"type":"FieldManagerConflict","message":"conflict with \"m\" using apps/v1",
// "field":".spec.replicas"}, ...], for the Status details of the 409 response.
inline constexpr char kApplyConflictCausesUrl[] = "skiff.io/apply-conflict-causes";

// Applies configuration `applied` for `manager` to `live` (nullptr when the object does not
// exist yet) and returns the new object, its metadata.managedFields updated:
//  - objects merge field by field; lists keyed in the schema merge item by item, sets merge by
//    value, every other list and atomic object is replaced; null in `applied` removes a field;
//  - fields this manager applied last time but no longer applies are removed unless another
//    manager owns them;
//  - the manager's Apply entry becomes exactly the fields `applied` sets;
//  - a field `applied` changes (or adds) that another manager owns is a conflict:
//    AbortedError "Apply failed with 1 conflict: conflict with \"kubectl\" using apps/v1:
//    .spec.replicas" (with causes as a kApplyConflictCausesUrl payload), unless `force`, which
//    takes the fields from their owners.
// InvalidArgumentError when `applied` is not an object, sets metadata.managedFields, lacks a list
// key, repeats one, or `manager` is empty.
absl::StatusOr<boost::json::value> ServerSideApply(const boost::json::value* live,
                                                   const boost::json::value& applied,
                                                   std::string_view manager, bool force,
                                                   std::string_view api_version,
                                                   std::string_view now_rfc3339,
                                                   const SchemaNode* schema);

// Records a non-apply write (create / update / patch) from `old_obj` (nullptr on create) to
// `new_obj`: the fields it changed or added move to `manager`'s entry for `operation`
// ("Update"), `api_version` and `subresource` (time `now_rfc3339`), and leave every other
// manager; removed fields leave every manager. A write that changes nothing touches no entry.
// Like Kubernetes, a client may replace managedFields by sending a different non-empty list,
// and sending [{}] strips them entirely; anything unreadable falls back to `old_obj`'s entries.
void UpdateManagedFields(const boost::json::value* old_obj, boost::json::value& new_obj,
                         std::string_view manager, std::string_view operation,
                         std::string_view api_version, std::string_view now_rfc3339,
                         const SchemaNode* schema, std::string_view subresource = "");

}  // namespace skiff::api::patch
