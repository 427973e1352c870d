#include "skiff/api/patch/strategic_merge.h"

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "skiff/api/patch/json_util.h"

namespace skiff::api::patch {
namespace {

constexpr std::string_view kPatchDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

#define SKIFF_RETURN_IF_ERROR(expr)                \
  do {                                             \
    absl::Status skiff_status_ = (expr);           \
    if (!skiff_status_.ok()) return skiff_status_; \
  } while (0)

absl::Status Invalid(std::string_view path, std::string_view message) {
  return absl::InvalidArgumentError(
      Cat("strategic merge patch: ", path.empty() ? "." : path, ": ", message));
}

// The identity of a list item for matching and ordering: its merge key value, or the item itself
// for lists of scalars. Null when an object item lacks the key.
const json::value* Identity(const json::value& item, std::string_view key) {
  if (key.empty()) return &item;
  const json::object* obj = item.if_object();
  return obj == nullptr ? nullptr : obj->if_contains(key);
}

using Ids = std::vector<const json::value*>;

Ids IdentitiesOf(const json::array& list, std::string_view key) {
  Ids ids;
  ids.reserve(list.size());
  for (const auto& item : list) ids.push_back(Identity(item, key));
  return ids;
}

int IndexIn(const Ids& ids, const json::value* id) {
  if (id == nullptr) return -1;
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] != nullptr && JsonEqual(*ids[i], *id)) return static_cast<int>(i);
  return -1;
}

// Upstream's ordering: items named by `patch_ids` come in that order; the others keep their live
// (`server_ids`) order and are interleaved before a patch item only when both appear live and the
// server-only item sat earlier.
json::array Reorder(json::array merged, const Ids& patch_ids, const Ids& server_ids,
                    std::string_view key) {
  std::vector<json::value> in_patch, server_only;
  for (auto& item : merged) {
    (IndexIn(patch_ids, Identity(item, key)) >= 0 ? in_patch : server_only)
        .push_back(std::move(item));
  }
  auto by = [&](const Ids& order) {
    return [&order, key](const json::value& a, const json::value& b) {
      int ia = IndexIn(order, Identity(a, key));
      int ib = IndexIn(order, Identity(b, key));
      if (ia < 0) return false;
      return ib < 0 || ia < ib;
    };
  };
  std::stable_sort(in_patch.begin(), in_patch.end(), by(patch_ids));
  std::stable_sort(server_only.begin(), server_only.end(), by(server_ids));

  json::array out;
  out.reserve(in_patch.size() + server_only.size());
  size_t i = 0, j = 0;
  while (i < server_only.size() && j < in_patch.size()) {
    int li = IndexIn(server_ids, Identity(server_only[i], key));
    int ri = IndexIn(server_ids, Identity(in_patch[j], key));
    if (li >= 0 && ri >= 0 && li < ri) {
      out.push_back(std::move(server_only[i++]));
    } else {
      out.push_back(std::move(in_patch[j++]));
    }
  }
  while (i < server_only.size()) out.push_back(std::move(server_only[i++]));
  while (j < in_patch.size()) out.push_back(std::move(in_patch[j++]));
  return out;
}

bool IsScalar(const json::value& v) { return !v.is_object() && !v.is_array(); }

std::string ItemPath(std::string_view list_path, std::string_view key, const json::value& id) {
  return Cat(list_path, "[", key, "=", Describe(id, 60), "]");
}

class StrategicMerger {
 public:
  absl::StatusOr<json::value> MergeObject(const json::object& original, const json::object& patch,
                                          const SchemaNode* s, const std::string& path) {
    if (const json::value* d = patch.if_contains(kPatchDirective)) {
      if (!d->is_string()) return Invalid(path, "$patch must be a string");
      std::string_view directive = d->get_string();
      json::object rest = patch;
      EraseKey(rest, kPatchDirective);
      if (directive == "replace") return MergeObject(json::object(), rest, s, path);
      if (directive == "delete") return json::object();
      if (directive == "merge") return MergeObject(original, rest, s, path);
      return Invalid(path, Cat("unknown $patch directive \"", directive,
                               "\" (want replace, delete or merge)"));
    }
    json::object result = original;
    SKIFF_RETURN_IF_ERROR(ApplyRetainKeys(result, patch, path));
    std::set<std::string, std::less<>> ordered;
    SKIFF_RETURN_IF_ERROR(ApplyElementOrders(result, patch, s, path, ordered));

    for (const auto& kv : patch) {
      std::string_view key = kv.key();
      if (key == kRetainKeys || StartsWith(key, kSetElementOrder) ||
          StartsWith(key, kDeleteFromPrimitiveList)) {
        continue;
      }
      if (StartsWith(key, "$")) {
        return Invalid(path, Cat("unknown directive \"", key, "\""));
      }
      if (ordered.count(key) > 0) continue;
      SKIFF_RETURN_IF_ERROR(
          ApplyField(result, key, kv.value(), ChildOf(s, key), Cat(path, ".", key)));
    }
    for (const auto& kv : patch) {
      std::string_view key = kv.key();
      if (!StartsWith(key, kDeleteFromPrimitiveList)) continue;
      SKIFF_RETURN_IF_ERROR(DeleteFromPrimitiveList(
          result, key.substr(kDeleteFromPrimitiveList.size()), kv.value(), path));
    }
    return result;
  }

 private:
  // A patch value for a field the original lacks: its directives still apply, against nothing.
  absl::StatusOr<json::value> Fresh(const json::value& patch, const SchemaNode* s,
                                    const std::string& path) {
    if (const json::object* obj = patch.if_object()) {
      return MergeObject(json::object(), *obj, s, path);
    }
    if (const json::array* arr = patch.if_array();
        arr != nullptr && s != nullptr && s->patch_merge) {
      auto merged = MergeList(json::array(), *arr, s, path);
      if (!merged.ok()) return merged.status();
      return json::value(std::move(*merged));
    }
    return patch;
  }

  absl::Status ApplyField(json::object& result, std::string_view key, const json::value& pv,
                          const SchemaNode* s, const std::string& path) {
    if (pv.is_null()) {
      EraseKey(result, key);
      return absl::OkStatus();
    }
    auto it = result.find(key);
    if (it == result.end()) {
      auto fresh = Fresh(pv, s, path);
      if (!fresh.ok()) return fresh.status();
      result[key] = std::move(*fresh);
      return absl::OkStatus();
    }
    json::value& ov = it->value();
    absl::StatusOr<json::value> merged;
    if (const json::object* pobj = pv.if_object()) {
      if (ov.is_object() && !(s != nullptr && s->patch_replace)) {
        merged = MergeObject(ov.get_object(), *pobj, s, path);
      } else if (!ov.is_object() && pobj->contains(kPatchDirective)) {
        return Invalid(path, Cat("$patch directive applies only to objects; the live value is "
                                 "of type ",
                                 KindName(ov)));
      } else {
        merged = Fresh(pv, s, path);
      }
    } else if (const json::array* parr = pv.if_array()) {
      if (ov.is_array() && s != nullptr && s->patch_merge) {
        auto list = MergeList(ov.get_array(), *parr, s, path);
        if (!list.ok()) return list.status();
        merged = json::value(std::move(*list));
      } else {
        merged = Fresh(pv, s, path);
      }
    } else {
      merged = pv;
    }
    if (!merged.ok()) return merged.status();
    ov = std::move(*merged);
    return absl::OkStatus();
  }

  // Checks that every item is a scalar of one kind, or every item an object.
  static absl::StatusOr<bool> ItemsAreObjects(const json::array& a, const json::array& b,
                                              const std::string& path) {
    const json::value* first = nullptr;
    for (const json::array* list : {&a, &b}) {
      for (const auto& item : *list) {
        if (item.is_array()) return Invalid(path, "lists of lists cannot be merged");
        if (first == nullptr) {
          first = &item;
        } else if (KindName(*first) != KindName(item)) {
          return Invalid(
              path, Cat("list items mix ", KindName(*first), " and ", KindName(item), " values"));
        }
      }
    }
    return first != nullptr && first->is_object();
  }

  absl::StatusOr<json::array> MergeList(const json::array& original, const json::array& patch,
                                        const SchemaNode* s, const std::string& path) {
    if (original.empty() && patch.empty()) return original;
    auto objects = ItemsAreObjects(original, patch, path);
    if (!objects.ok()) return objects.status();
    if (!*objects) return MergeScalars(original, patch);

    const std::string& key = s->patch_merge_key;
    if (key.empty()) return Invalid(path, "cannot merge a list of objects without a merge key");
    json::array base = original;
    json::array plain;
    bool replace = false;
    for (const auto& item : patch) {
      const json::object& obj = item.get_object();
      const json::value* d = obj.if_contains(kPatchDirective);
      if (d == nullptr) {
        plain.push_back(item);
        continue;
      }
      std::string_view directive = d->is_string() ? std::string_view(d->get_string()) : "";
      if (directive == "delete") {
        const json::value* id = obj.if_contains(key);
        if (id == nullptr) {
          return Invalid(path, Cat("$patch: delete item lacks merge key \"", key, "\""));
        }
        json::array kept;
        for (auto& live : base) {
          const json::value* live_id = Identity(live, key);
          if (live_id == nullptr || !JsonEqual(*live_id, *id)) kept.push_back(std::move(live));
        }
        base = std::move(kept);
      } else if (directive == "replace") {
        replace = true;
      } else if (directive == "merge") {
        json::object rest = obj;
        EraseKey(rest, kPatchDirective);
        plain.push_back(std::move(rest));
      } else {
        return Invalid(path, Cat("unknown $patch directive ", Describe(*d),
                                 " in list item (want replace, delete or merge)"));
      }
    }
    if (replace) {
      json::array out;
      for (const auto& item : plain) {
        auto fresh = Fresh(item, s->items, path);
        if (!fresh.ok()) return fresh.status();
        out.push_back(std::move(*fresh));
      }
      return out;
    }
    Ids server_ids = IdentitiesOf(base, key);
    std::vector<json::value> server_keys;  // owns copies: `base` changes below
    server_keys.reserve(server_ids.size());
    for (const json::value* id : server_ids) server_keys.push_back(id ? *id : json::value());
    for (size_t i = 0; i < server_ids.size(); ++i)
      server_ids[i] = server_ids[i] ? &server_keys[i] : nullptr;

    for (const auto& item : plain) {
      const json::value* id = item.get_object().if_contains(key);
      if (id == nullptr) {
        return Invalid(path,
                       Cat("list item ", Describe(item, 80), " lacks merge key \"", key, "\""));
      }
      std::string item_path = ItemPath(path, key, *id);
      int at = IndexIn(IdentitiesOf(base, key), id);
      absl::StatusOr<json::value> merged =
          at >= 0 ? MergeObject(base[at].get_object(), item.get_object(), s->items, item_path)
                  : Fresh(item, s->items, item_path);
      if (!merged.ok()) return merged.status();
      if (at >= 0) {
        base[at] = std::move(*merged);
      } else {
        base.push_back(std::move(*merged));
      }
    }
    return Reorder(std::move(base), IdentitiesOf(plain, key), server_ids, key);
  }

  static json::array MergeScalars(const json::array& original, const json::array& patch) {
    json::array merged;
    Ids seen;
    for (const json::array* list : {&original, &patch}) {
      for (const auto& v : *list) {
        if (IndexIn(seen, &v) >= 0) continue;
        seen.push_back(&v);
        merged.push_back(v);
      }
    }
    return Reorder(std::move(merged), IdentitiesOf(patch, ""), IdentitiesOf(original, ""), "");
  }

  static absl::Status ApplyRetainKeys(json::object& result, const json::object& patch,
                                      const std::string& path) {
    const json::value* retain = patch.if_contains(kRetainKeys);
    if (retain == nullptr) return absl::OkStatus();
    if (!retain->is_array()) return Invalid(path, "$retainKeys must be a list of field names");
    std::set<std::string, std::less<>> keep;
    for (const auto& k : retain->get_array()) {
      if (!k.is_string()) return Invalid(path, "$retainKeys must be a list of field names");
      keep.emplace(k.get_string());
    }
    for (const auto& kv : patch) {
      if (kv.value().is_null() || StartsWith(kv.key(), "$")) continue;
      if (keep.count(std::string_view(kv.key())) == 0) {
        return Invalid(path, Cat("$retainKeys does not list \"", std::string_view(kv.key()),
                                 "\", which the patch sets"));
      }
    }
    std::vector<std::string> drop;
    for (const auto& kv : result)
      if (keep.count(std::string_view(kv.key())) == 0) drop.emplace_back(kv.key());
    for (const auto& k : drop) EraseKey(result, k);
    return absl::OkStatus();
  }

  // $setElementOrder/<field>: merges <field> now and orders the result by the given list.
  absl::Status ApplyElementOrders(json::object& result, const json::object& patch,
                                  const SchemaNode* s, const std::string& path,
                                  std::set<std::string, std::less<>>& ordered) {
    for (const auto& kv : patch) {
      std::string_view directive = kv.key();
      if (!StartsWith(directive, kSetElementOrder)) continue;
      std::string_view field = directive.substr(kSetElementOrder.size());
      std::string field_path = Cat(path, ".", field);
      if (field.empty()) return Invalid(path, "$setElementOrder/ needs a field name");
      if (!kv.value().is_array()) {
        return Invalid(path, Cat(directive, " must be a list"));
      }
      const json::array& order = kv.value().get_array();
      const SchemaNode* ls = ChildOf(s, field);
      const json::value* pv = patch.if_contains(field);
      // Order only applies to merging lists; a null or replaced field is handled as usual.
      if ((pv != nullptr && pv->is_null()) || ls == nullptr || !ls->patch_merge) continue;
      if (pv != nullptr && !pv->is_array()) {
        return Invalid(field_path, Cat("must be a list alongside ", directive));
      }
      auto it = result.find(field);
      const json::value* live = it == result.end() ? nullptr : &it->value();
      if (live != nullptr && !live->is_array()) {
        return Invalid(field_path, Cat("cannot apply ", directive, " to a ", KindName(*live)));
      }
      if (live == nullptr && pv == nullptr) continue;

      const std::string& key = ls->patch_merge_key;
      for (const auto& item : order) {
        if (!key.empty() && Identity(item, key) == nullptr) {
          return Invalid(field_path, Cat(directive, " item ", Describe(item, 80),
                                         " lacks merge key \"", key, "\""));
        }
      }
      if (pv != nullptr)
        SKIFF_RETURN_IF_ERROR(ValidateOrder(pv->get_array(), order, key, field_path));

      static const json::array kEmpty;
      const json::array& live_list = live != nullptr ? live->get_array() : kEmpty;
      absl::StatusOr<json::array> merged =
          pv != nullptr ? MergeList(live_list, pv->get_array(), ls, field_path) : live_list;
      if (!merged.ok()) return merged.status();
      json::array sorted =
          Reorder(std::move(*merged), IdentitiesOf(order, key), IdentitiesOf(live_list, key), key);
      result[field] = std::move(sorted);
      ordered.emplace(field);
    }
    return absl::OkStatus();
  }

  // The patch list's items (directives aside) must appear in the same relative order as in the
  // $setElementOrder list, and all of them must appear there.
  static absl::Status ValidateOrder(const json::array& patch_list, const json::array& order,
                                    std::string_view key, const std::string& path) {
    size_t pi = 0, oi = 0;
    std::vector<const json::value*> items;
    for (const auto& item : patch_list) {
      const json::object* obj = item.if_object();
      if (obj != nullptr && obj->contains(kPatchDirective)) continue;
      items.push_back(&item);
    }
    while (pi < items.size() && oi < order.size()) {
      const json::value* id = Identity(*items[pi], key);
      if (id == nullptr) {
        return Invalid(
            path, Cat("list item ", Describe(*items[pi], 80), " lacks merge key \"", key, "\""));
      }
      const json::value* want = Identity(order[oi], key);
      if (want != nullptr && JsonEqual(*id, *want)) ++pi;
      ++oi;
    }
    if (pi < items.size()) {
      return Invalid(path, Cat("the order of the patch list does not match its "
                               "$setElementOrder list (item ",
                               Describe(*items[pi], 80), ")"));
    }
    return absl::OkStatus();
  }

  static absl::Status DeleteFromPrimitiveList(json::object& result, std::string_view field,
                                              const json::value& values, const std::string& path) {
    std::string directive = Cat(kDeleteFromPrimitiveList, field);
    if (field.empty()) return Invalid(path, "$deleteFromPrimitiveList/ needs a field name");
    if (!values.is_array()) return Invalid(path, Cat(directive, " must be a list"));
    for (const auto& v : values.get_array()) {
      if (!IsScalar(v)) {
        return Invalid(path, Cat(directive, " may only list scalars, got ", Describe(v)));
      }
    }
    auto it = result.find(field);
    if (it == result.end() || !it->value().is_array()) return absl::OkStatus();
    Ids doomed = IdentitiesOf(values.get_array(), "");
    json::array kept;
    for (auto& v : it->value().get_array())
      if (IndexIn(doomed, &v) < 0) kept.push_back(std::move(v));
    it->value() = std::move(kept);
    return absl::OkStatus();
  }
};

}  // namespace

absl::StatusOr<json::value> ApplyStrategicMergePatch(const json::value& doc,
                                                     const json::value& patch,
                                                     const SchemaNode* schema) {
  if (!patch.is_object()) {
    return absl::InvalidArgumentError(
        Cat("strategic merge patch must be a JSON object, got ", KindName(patch)));
  }
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(
        Cat("strategic merge patch applies to a JSON object, got ", KindName(doc)));
  }
  return CatchExceptions("strategic merge patch", [&] {
    StrategicMerger merger;
    return merger.MergeObject(doc.get_object(), patch.get_object(), schema, "");
  });
}

}  // namespace skiff::api::patch

#undef SKIFF_RETURN_IF_ERROR
