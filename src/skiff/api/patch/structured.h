// Schema-aware walks over objects that server-side apply is built from (after structured-merge-
// diff): fields a configuration sets, how two objects differ, merging, and pruning. Used by
// apply.cc. Pure functions; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "skiff/api/patch/field_set.h"
#include "skiff/api/patch/schema.h"

namespace skiff::api::patch {

// The path element of each item of `list` under list schema `ls`: key fields for map lists,
// the value for sets. nullopt when the list is atomic. InvalidArgumentError when an item does
// not fit (not an object, a key field missing without default, duplicate key).
absl::StatusOr<std::optional<std::vector<PathElement>>> ListItemElements(
    const boost::json::array& list, const SchemaNode* ls);

// The fields an applied configuration sets: every leaf, every list item, every free-form map
// entry. InvalidArgumentError when a keyed list item lacks its keys or repeats one.
absl::StatusOr<FieldSet> AppliedFieldSet(const boost::json::value& config,
                                         const SchemaNode* schema);

// How `rhs` differs from `lhs`: changed, added and removed leaves, plus the list items, map
// entries, free-form maps and lists that appeared (Kubernetes' "." in FieldsV1) or vanished.
// Lists whose items cannot be keyed compare as leaves.
struct Comparison {
  FieldSet modified;
  FieldSet added;
  FieldSet removed;
};
Comparison CompareObjects(const boost::json::value& lhs, const boost::json::value& rhs,
                          const SchemaNode* schema);

// Merges an applied configuration into `live`: objects field by field, keyed lists and sets item
// by item (structured-merge-diff's ordering), anything else replaced. Null in the configuration
// removes the field.
absl::StatusOr<boost::json::value> MergeApplied(const boost::json::value& live,
                                                const boost::json::value& config,
                                                const SchemaNode* schema);

// Removes from `obj` each member of `remove` unless `owned` holds something below it; list items
// keep their key fields. Free-form maps and lists emptied this way are removed too.
void RemoveFields(boost::json::value& obj, const FieldSet& remove, const FieldSet& owned,
                  const SchemaNode* schema);

}  // namespace skiff::api::patch
