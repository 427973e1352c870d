// Kubernetes strategic merge patch (application/strategic-merge-patch+json): a merge patch whose
// keyed lists merge item by item, with the directives kubectl sends. Called by the API server's
// PATCH handler. Pure function; safe from any thread.
#pragma once

#include <boost/json.hpp>

#include "absl/status/statusor.h"
#include "skiff/api/patch/schema.h"

namespace skiff::api::patch {

// Applies `patch` to a copy of `doc` following the upstream semantics:
//  - objects merge recursively; null deletes a field;
//  - lists with a merge key merge item by item (patch items merge into the live item with the
//    same key, new items are added); lists of scalars with the merge strategy are unioned;
//    every other list is replaced;
//  - items keep upstream's order: patch items in patch order, live-only items interleaved where
//    they sat relative to them; $setElementOrder/<field> imposes the order of listed items;
//  - {"$patch": "replace"} replaces an object (or, as a list item, the whole list);
//    {"$patch": "delete"} empties an object (or, as a list item, deletes items with that key);
//    {"$patch": "merge"} is the default and is accepted (upstream rejects it);
//  - $retainKeys drops the object's fields it does not list;
//  - $deleteFromPrimitiveList/<field> removes the listed scalars from <field>.
// `schema` may be null (see StrategicSchemaFor). Returns InvalidArgumentError for a malformed
// patch: not an object, unknown directive, $patch on a non-object, missing merge key, etc.
absl::StatusOr<boost::json::value> ApplyStrategicMergePatch(const boost::json::value& doc,
                                                            const boost::json::value& patch,
                                                            const SchemaNode* schema);

}  // namespace skiff::api::patch
