#include "skiff/api/patch/structured.h"

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "skiff/api/patch/json_util.h"

namespace skiff::api::patch {
namespace {

bool IsAtomicObject(const SchemaNode* s) { return s != nullptr && s->atomic_object; }

// A free-form map entry (not a declared field): apply owns the entry itself.
bool IsMapEntry(const SchemaNode* s, std::string_view key) {
  return s != nullptr && s->is_map && s->fields.find(key) == s->fields.end();
}

int FindElement(const std::vector<PathElement>& pes, const PathElement& pe) {
  for (size_t i = 0; i < pes.size(); ++i)
    if (pes[i] == pe) return static_cast<int>(i);
  return -1;
}

// Item elements of a live list; any problem makes the list atomic for the walk.
std::optional<std::vector<PathElement>> LiveElements(const json::array& list,
                                                     const SchemaNode* ls) {
  auto pes = ListItemElements(list, ls);
  if (!pes.ok()) return std::nullopt;
  return std::move(*pes);
}

json::value WithoutNulls(const json::value& v) {
  const json::object* obj = v.if_object();
  if (obj == nullptr) return v;
  json::object out;
  for (const auto& kv : *obj)
    if (!kv.value().is_null()) out[kv.key()] = WithoutNulls(kv.value());
  return out;
}

// ---- AppliedFieldSet ----

absl::Status CollectApplied(const json::value& v, const SchemaNode* s, Path& path, FieldSet& out) {
  if (const json::object* obj = v.if_object()) {
    if (IsAtomicObject(s) || obj->empty()) {
      out.Insert(path);
      return absl::OkStatus();
    }
    for (const auto& kv : *obj) {
      path.push_back(PathElement::Field(std::string(kv.key())));
      absl::Status st = CollectApplied(kv.value(), ChildOf(s, kv.key()), path, out);
      if (!st.ok()) return st;
      if (IsMapEntry(s, kv.key())) out.Insert(path);
      path.pop_back();
    }
    return absl::OkStatus();
  }
  if (const json::array* arr = v.if_array()) {
    auto pes = ListItemElements(*arr, s);
    if (!pes.ok()) {
      return absl::InvalidArgumentError(Cat(PathToString(path), ": ", pes.status().message()));
    }
    if (!pes->has_value() || arr->empty()) {
      out.Insert(path);
      return absl::OkStatus();
    }
    for (size_t i = 0; i < arr->size(); ++i) {
      path.push_back((**pes)[i]);
      out.Insert(path);
      if ((*arr)[i].is_object()) {
        absl::Status st = CollectApplied((*arr)[i], ItemsOf(s), path, out);
        if (!st.ok()) return st;
      }
      path.pop_back();
    }
    return absl::OkStatus();
  }
  out.Insert(path);
  return absl::OkStatus();
}

// ---- CompareObjects ----

class Comparer {
 public:
  explicit Comparer(Comparison& out) : out_(out) {}

  // `entry`: the node is a list item or free-form map entry, recorded when added.
  void Walk(const json::value* l, const json::value* r, const SchemaNode* s, bool entry) {
    auto object_or_absent = [](const json::value* v) { return v == nullptr || v->is_object(); };
    auto array_or_absent = [](const json::value* v) { return v == nullptr || v->is_array(); };
    if (object_or_absent(l) && object_or_absent(r) && !IsAtomicObject(s)) {
      bool empty =
          (l == nullptr || l->get_object().empty()) && (r == nullptr || r->get_object().empty());
      if (!empty) return WalkObjects(l, r, s, entry);
    } else if (array_or_absent(l) && array_or_absent(r)) {
      bool empty =
          (l == nullptr || l->get_array().empty()) && (r == nullptr || r->get_array().empty());
      if (!empty && WalkLists(l, r, s, entry)) return;
    }
    Leaf(l, r);
  }

 private:
  void Leaf(const json::value* l, const json::value* r) {
    if (path_.empty()) return;
    if (l == nullptr) {
      out_.added.Insert(path_);
    } else if (r == nullptr) {
      out_.removed.Insert(path_);
    } else if (!JsonEqual(*l, *r)) {
      out_.modified.Insert(path_);
    }
  }

  // A non-leaf node that appeared or vanished. Added nodes are recorded (FieldsV1's ".") for
  // list items, map entries, free-form maps and lists, as Kubernetes records them for fields
  // that were absent before; plain structs are not, as Kubernetes' typed objects always hold them.
  void Node(const json::value* l, const json::value* r, bool record_added) {
    if (path_.empty()) return;
    if (l == nullptr && record_added) out_.added.Insert(path_);
    if (r == nullptr) out_.removed.Insert(path_);
  }

  void WalkObjects(const json::value* l, const json::value* r, const SchemaNode* s, bool entry) {
    const json::object* lo = l ? &l->get_object() : nullptr;
    const json::object* ro = r ? &r->get_object() : nullptr;
    if (lo != nullptr) {
      for (const auto& kv : *lo) {
        const json::value* rv = ro ? ro->if_contains(kv.key()) : nullptr;
        Descend(PathElement::Field(std::string(kv.key())), &kv.value(), rv, ChildOf(s, kv.key()),
                IsMapEntry(s, kv.key()));
      }
    }
    if (ro != nullptr) {
      for (const auto& kv : *ro) {
        if (lo != nullptr && lo->contains(kv.key())) continue;
        Descend(PathElement::Field(std::string(kv.key())), nullptr, &kv.value(),
                ChildOf(s, kv.key()), IsMapEntry(s, kv.key()));
      }
    }
    Node(l, r, entry || (s != nullptr && s->is_map));
  }

  // Returns false when the lists must compare as a leaf (atomic or not keyable).
  bool WalkLists(const json::value* l, const json::value* r, const SchemaNode* s, bool entry) {
    static const json::array kEmpty;
    const json::array& la = l ? l->get_array() : kEmpty;
    const json::array& ra = r ? r->get_array() : kEmpty;
    auto lpes = LiveElements(la, s);
    auto rpes = LiveElements(ra, s);
    if (!lpes || !rpes) return false;
    for (size_t i = 0; i < la.size(); ++i) {
      int j = FindElement(*rpes, (*lpes)[i]);
      Descend((*lpes)[i], &la[i], j >= 0 ? &ra[j] : nullptr, ItemsOf(s), true);
    }
    for (size_t j = 0; j < ra.size(); ++j) {
      if (FindElement(*lpes, (*rpes)[j]) >= 0) continue;
      Descend((*rpes)[j], nullptr, &ra[j], ItemsOf(s), true);
    }
    Node(l, r, true);
    return true;
  }

  void Descend(PathElement pe, const json::value* l, const json::value* r, const SchemaNode* s,
               bool entry) {
    path_.push_back(std::move(pe));
    Walk(l, r, s, entry);
    path_.pop_back();
  }

  Comparison& out_;
  Path path_;
};

// ---- MergeApplied ----

absl::StatusOr<json::value> Merge(const json::value* l, const json::value& r, const SchemaNode* s);

// structured-merge-diff's list order: live order, except that items the configuration also
// names come in the configuration's order; new items go where the configuration puts them.
absl::StatusOr<json::value> MergeLists(const json::array& la, const std::vector<PathElement>& lpes,
                                       const json::array& ra, const std::vector<PathElement>& rpes,
                                       const SchemaNode* s) {
  std::vector<size_t> shared;  // indices into ra of items also live, in ra order
  for (size_t j = 0; j < ra.size(); ++j)
    if (FindElement(lpes, rpes[j]) >= 0) shared.push_back(j);
  size_t next_shared = 0;
  auto is_next_shared = [&](const PathElement& pe) {
    return next_shared < shared.size() && rpes[shared[next_shared]] == pe;
  };

  json::array out;
  auto emit = [&](const json::value* lv, const json::value* rv) -> absl::Status {
    if (rv == nullptr) {
      out.push_back(*lv);
      return absl::OkStatus();
    }
    auto merged = Merge(lv, *rv, ItemsOf(s));
    if (!merged.ok()) return merged.status();
    out.push_back(std::move(*merged));
    return absl::OkStatus();
  };

  size_t li = 0, ri = 0;
  while (li < la.size() || ri < ra.size()) {
    if (li < la.size() && ri < ra.size()) {
      if (lpes[li] == rpes[ri]) {
        if (absl::Status st = emit(&la[li], &ra[ri]); !st.ok()) return st;
        ++li;
        ++ri;
        ++next_shared;
        continue;
      }
      bool live_in_config = FindElement(rpes, lpes[li]) >= 0;
      if (live_in_config && next_shared < shared.size() && !is_next_shared(lpes[li])) {
        ++li;  // emitted later, where the configuration puts it
        continue;
      }
    }
    if (li < la.size() && FindElement(rpes, lpes[li]) < 0) {
      if (absl::Status st = emit(&la[li], nullptr); !st.ok()) return st;
      ++li;
      continue;
    }
    if (ri < ra.size()) {
      int at = FindElement(lpes, rpes[ri]);
      if (absl::Status st = emit(at >= 0 ? &la[at] : nullptr, &ra[ri]); !st.ok()) return st;
      if (is_next_shared(rpes[ri])) ++next_shared;
      ++ri;
      continue;
    }
    ++li;  // a live item already emitted through the configuration
  }
  return out;
}

absl::StatusOr<json::value> Merge(const json::value* l, const json::value& r, const SchemaNode* s) {
  if (const json::object* ro = r.if_object();
      ro != nullptr && l != nullptr && l->is_object() && !IsAtomicObject(s)) {
    json::object out = l->get_object();
    for (const auto& kv : *ro) {
      if (kv.value().is_null()) {
        EraseKey(out, kv.key());
        continue;
      }
      auto it = out.find(kv.key());
      if (it == out.end()) {
        auto fresh = Merge(nullptr, kv.value(), ChildOf(s, kv.key()));
        if (!fresh.ok()) return fresh.status();
        out[kv.key()] = std::move(*fresh);
        continue;
      }
      auto merged = Merge(&it->value(), kv.value(), ChildOf(s, kv.key()));
      if (!merged.ok()) return merged.status();
      it->value() = std::move(*merged);
    }
    return out;
  }
  if (const json::array* ra = r.if_array(); ra != nullptr && l != nullptr && l->is_array()) {
    auto rpes = ListItemElements(*ra, s);
    if (!rpes.ok()) return rpes.status();
    auto lpes = LiveElements(l->get_array(), s);
    if (rpes->has_value() && lpes.has_value()) {
      return MergeLists(l->get_array(), *lpes, *ra, **rpes, s);
    }
  }
  return WithoutNulls(r);
}

// ---- RemoveFields ----

bool IsKeyField(const SchemaNode* list, std::string_view name) {
  if (list == nullptr) return false;
  for (const auto& k : list->list_keys)
    if (k.name == name) return true;
  return false;
}

bool NothingOwnedBelow(const FieldSet* owned) {
  return owned == nullptr || owned->children().empty();
}

// Returns whether `v` was a non-empty free-form map or list that this emptied.
bool Remove(json::value& v, const FieldSet& remove, const FieldSet* owned, const SchemaNode* s,
            const SchemaNode* item_of_list) {
  if (json::object* obj = v.if_object()) {
    bool was_nonempty = !obj->empty();
    for (const auto& [pe, sub] : remove.children()) {
      if (pe.kind != PathElement::Kind::kField) continue;
      if (IsKeyField(item_of_list, pe.name)) continue;
      auto it = obj->find(pe.name);
      if (it == obj->end()) continue;
      const FieldSet* o = owned ? owned->Child(pe) : nullptr;
      if (sub.member() && NothingOwnedBelow(o)) {
        obj->stable_erase(it);
        continue;
      }
      if (Remove(it->value(), sub, o, ChildOf(s, pe.name), nullptr)) EraseKey(*obj, pe.name);
    }
    return was_nonempty && obj->empty() && s != nullptr && s->is_map;
  }
  json::array* arr = v.if_array();
  if (arr == nullptr || arr->empty()) return false;
  auto pes = LiveElements(*arr, s);
  if (!pes) return false;
  json::array kept;
  for (size_t i = 0; i < arr->size(); ++i) {
    const FieldSet* sub = remove.Child((*pes)[i]);
    const FieldSet* o = owned ? owned->Child((*pes)[i]) : nullptr;
    if (sub != nullptr && sub->member() && NothingOwnedBelow(o)) continue;
    if (sub != nullptr && !sub->children().empty()) Remove((*arr)[i], *sub, o, ItemsOf(s), s);
    kept.push_back(std::move((*arr)[i]));
  }
  *arr = std::move(kept);
  return arr->empty();
}

}  // namespace

absl::StatusOr<std::optional<std::vector<PathElement>>> ListItemElements(const json::array& list,
                                                                         const SchemaNode* ls) {
  if (ls == nullptr || ls->list_type == ListType::kAtomic) return std::nullopt;
  std::vector<PathElement> pes;
  pes.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const json::value& item = list[i];
    if (ls->list_type == ListType::kSet) {
      if (item.is_object() || item.is_array()) {
        return absl::InvalidArgumentError(
            Cat("element ", i, ": a set may only hold scalars, got ", KindName(item)));
      }
      pes.push_back(PathElement::Value(item));
    } else {
      const json::object* obj = item.if_object();
      if (obj == nullptr) {
        return absl::InvalidArgumentError(
            Cat("element ", i, ": expected an object, got ", KindName(item)));
      }
      std::vector<std::pair<std::string, json::value>> key;
      for (const auto& k : ls->list_keys) {
        const json::value* v = obj->if_contains(k.name);
        if (v != nullptr && !v->is_null()) {
          key.emplace_back(k.name, *v);
        } else if (!k.default_value.is_null()) {
          key.emplace_back(k.name, k.default_value);
        } else {
          return absl::InvalidArgumentError(Cat(
              "element ", i, ": associative list with keys has an element that omits key field \"",
              k.name, "\""));
        }
      }
      pes.push_back(PathElement::Key(std::move(key)));
    }
    if (FindElement(pes, pes.back()) != static_cast<int>(pes.size()) - 1) {
      return absl::InvalidArgumentError(Cat("duplicate entries for key ", pes.back().ToString()));
    }
  }
  return std::optional<std::vector<PathElement>>(std::move(pes));
}

absl::StatusOr<FieldSet> AppliedFieldSet(const json::value& config, const SchemaNode* schema) {
  FieldSet out;
  Path path;
  absl::Status st = CollectApplied(config, schema, path, out);
  if (!st.ok()) return st;
  return out;
}

Comparison CompareObjects(const json::value& lhs, const json::value& rhs,
                          const SchemaNode* schema) {
  Comparison out;
  Comparer(out).Walk(&lhs, &rhs, schema, false);
  return out;
}

absl::StatusOr<json::value> MergeApplied(const json::value& live, const json::value& config,
                                         const SchemaNode* schema) {
  return Merge(&live, config, schema);
}

void RemoveFields(json::value& obj, const FieldSet& remove, const FieldSet& owned,
                  const SchemaNode* schema) {
  Remove(obj, remove, &owned, schema, nullptr);
}

}  // namespace skiff::api::patch
