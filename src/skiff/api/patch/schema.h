// The merge schema of the built-in kinds: per field, how lists and maps combine under strategic
// merge patch (patchStrategy / patchMergeKey tags) and server-side apply (listType / listMapKey /
// structType markers). Read by the patch engines; built once, immutable, safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::api::patch {

// How server-side apply treats a list: replaced whole, a set of scalars, or a map keyed by fields.
enum class ListType { kAtomic, kSet, kMap };

// One key field of a map-type list. A null `default_value` means the field is required.
struct ListKey {
  std::string name;
  boost::json::value default_value;
};

// A node of the schema tree. A node describes an object (fields / free-form map) or a list.
// Anything not described uses the defaults: objects merge field by field, lists are atomic.
struct SchemaNode {
  // --- objects ---
  // Known fields whose subtree has non-default behaviour.
  std::map<std::string, const SchemaNode*, std::less<>> fields;
  // A free-form map (labels, data, resource lists): every key is an entry described by `values`
  // (may be null). Server-side apply records each entry as a member of its own.
  bool is_map = false;
  const SchemaNode* values = nullptr;
  // Server-side apply owns the whole object as one leaf (structType=atomic), e.g. LabelSelector.
  bool atomic_object = false;
  // Strategic merge patch replaces the object instead of merging (patchStrategy:"replace").
  bool patch_replace = false;

  // --- lists ---
  const SchemaNode* items = nullptr;  // schema of each element (may be null)
  // Strategic merge patch: patchStrategy:"merge" (maps merged by `patch_merge_key`, scalars
  // unioned) and the retainKeys strategy. Without `patch_merge`, a list is replaced.
  bool patch_merge = false;
  bool retain_keys = false;
  std::string patch_merge_key;
  // Server-side apply.
  ListType list_type = ListType::kAtomic;
  std::vector<ListKey> list_keys;  // for kMap, sorted by name

  // The schema of field or map entry `name`, or nullptr when it has default behaviour.
  const SchemaNode* Child(std::string_view name) const;
};

// Null-tolerant accessors: a null node has the default behaviour.
inline const SchemaNode* ChildOf(const SchemaNode* node, std::string_view name) {
  return node == nullptr ? nullptr : node->Child(name);
}
inline const SchemaNode* ItemsOf(const SchemaNode* node) {
  return node == nullptr ? nullptr : node->items;
}

// The schema of a built-in kind ("apps", "Deployment"), or nullptr for kinds Skiff has no schema
// for (custom resources). With a null schema, strategic merge patch merges every object and
// replaces every list (a JSON merge patch that still honours the $patch / $retainKeys /
// $deleteFromPrimitiveList directives), and server-side apply treats every list as atomic.
// Kubernetes instead refuses strategic merge patches for custom resources; the caller decides.
const SchemaNode* StrategicSchemaFor(std::string_view group, std::string_view kind);

}  // namespace skiff::api::patch
