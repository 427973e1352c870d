#include "skiff/api/patch/field_set.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "absl/status/status.h"
#include "skiff/api/patch/json_util.h"

namespace skiff::api::patch {

PathElement PathElement::Field(std::string name) {
  PathElement pe;
  pe.kind = Kind::kField;
  pe.name = std::move(name);
  return pe;
}

PathElement PathElement::Key(std::vector<std::pair<std::string, json::value>> key) {
  PathElement pe;
  pe.kind = Kind::kKey;
  std::sort(key.begin(), key.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  pe.key = std::move(key);
  return pe;
}

PathElement PathElement::Value(json::value value) {
  PathElement pe;
  pe.kind = Kind::kValue;
  pe.value = std::move(value);
  return pe;
}

PathElement PathElement::Index(int64_t index) {
  PathElement pe;
  pe.kind = Kind::kIndex;
  pe.index = index;
  return pe;
}

std::string PathElement::FieldsV1Key() const {
  switch (kind) {
    case Kind::kField:
      return "f:" + name;
    case Kind::kKey: {
      std::string out = "k:{";
      for (size_t i = 0; i < key.size(); ++i) {
        if (i > 0) out += ',';
        out += json::serialize(json::value(key[i].first));
        out += ':';
        out += CanonicalJson(key[i].second);
      }
      return out + "}";
    }
    case Kind::kValue:
      return "v:" + CanonicalJson(value);
    case Kind::kIndex:
      return Cat("i:", index);
  }
  return "";
}

std::string PathElement::ToString() const {
  switch (kind) {
    case Kind::kField:
      return "." + name;
    case Kind::kKey: {
      std::string out = "[";
      for (size_t i = 0; i < key.size(); ++i) {
        if (i > 0) out += ',';
        AppendCat(out, key[i].first, "=", CanonicalJson(key[i].second));
      }
      return out + "]";
    }
    case Kind::kValue:
      return "[=" + CanonicalJson(value) + "]";
    case Kind::kIndex:
      return Cat("[", index, "]");
  }
  return "";
}

int Compare(const PathElement& a, const PathElement& b) {
  if (a.kind != b.kind) return a.kind < b.kind ? -1 : 1;
  switch (a.kind) {
    case PathElement::Kind::kField: {
      int c = a.name.compare(b.name);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case PathElement::Kind::kKey:
      for (size_t i = 0; i < a.key.size() && i < b.key.size(); ++i) {
        int c = a.key[i].first.compare(b.key[i].first);
        if (c != 0) return c < 0 ? -1 : 1;
        if (int v = JsonCompare(a.key[i].second, b.key[i].second); v != 0) return v;
      }
      return a.key.size() < b.key.size() ? -1 : (a.key.size() > b.key.size() ? 1 : 0);
    case PathElement::Kind::kValue:
      return JsonCompare(a.value, b.value);
    case PathElement::Kind::kIndex:
      return a.index < b.index ? -1 : (a.index > b.index ? 1 : 0);
  }
  return 0;
}

std::string PathToString(const Path& path) {
  std::string out;
  for (const auto& pe : path) out += pe.ToString();
  return out;
}

namespace {

auto LowerBound(const std::vector<FieldSet::Entry>& v, const PathElement& pe) {
  return std::lower_bound(
      v.begin(), v.end(), pe,
      [](const FieldSet::Entry& e, const PathElement& p) { return e.first < p; });
}

}  // namespace

const FieldSet* FieldSet::Child(const PathElement& pe) const {
  auto it = LowerBound(children_, pe);
  if (it == children_.end() || !(it->first == pe)) return nullptr;
  return &it->second;
}

FieldSet& FieldSet::EnsureChild(const PathElement& pe) {
  auto it = LowerBound(children_, pe);
  if (it != children_.end() && it->first == pe) {
    return children_[it - children_.begin()].second;
  }
  auto pos = children_.insert(children_.begin() + (it - children_.begin()), {pe, FieldSet()});
  return pos->second;
}

void FieldSet::Insert(const Path& path) {
  if (path.empty()) return;
  FieldSet* cur = this;
  for (const auto& pe : path) cur = &cur->EnsureChild(pe);
  cur->member_ = true;
}

bool FieldSet::Has(const Path& path) const {
  if (path.empty()) return false;
  const FieldSet* cur = this;
  for (const auto& pe : path) {
    cur = cur->Child(pe);
    if (cur == nullptr) return false;
  }
  return cur->member_;
}

FieldSet FieldSet::Union(const FieldSet& other) const {
  FieldSet out;
  out.member_ = member_ || other.member_;
  size_t i = 0, j = 0;
  while (i < children_.size() || j < other.children_.size()) {
    int c = i == children_.size()         ? 1
            : j == other.children_.size() ? -1
                                          : Compare(children_[i].first, other.children_[j].first);
    if (c < 0) {
      out.children_.push_back(children_[i++]);
    } else if (c > 0) {
      out.children_.push_back(other.children_[j++]);
    } else {
      out.children_.emplace_back(children_[i].first,
                                 children_[i].second.Union(other.children_[j].second));
      ++i;
      ++j;
    }
  }
  return out;
}

FieldSet FieldSet::Difference(const FieldSet& other) const {
  FieldSet out;
  out.member_ = member_ && !other.member_;
  for (const auto& [pe, child] : children_) {
    const FieldSet* o = other.Child(pe);
    if (o == nullptr) {
      out.children_.emplace_back(pe, child);
      continue;
    }
    FieldSet d = child.Difference(*o);
    if (d.member_ || !d.children_.empty()) out.children_.emplace_back(pe, std::move(d));
  }
  return out;
}

FieldSet FieldSet::Intersection(const FieldSet& other) const {
  FieldSet out;
  out.member_ = member_ && other.member_;
  for (const auto& [pe, child] : children_) {
    const FieldSet* o = other.Child(pe);
    if (o == nullptr) continue;
    FieldSet x = child.Intersection(*o);
    if (x.member_ || !x.children_.empty()) out.children_.emplace_back(pe, std::move(x));
  }
  return out;
}

void FieldSet::ForEach(const std::function<void(const Path&)>& fn) const {
  Path prefix;
  ForEachPrefixed(prefix, fn);
}

void FieldSet::ForEachPrefixed(Path& prefix, const std::function<void(const Path&)>& fn) const {
  for (const auto& [pe, child] : children_) {
    if (!child.member_) continue;
    prefix.push_back(pe);
    fn(prefix);
    prefix.pop_back();
  }
  for (const auto& [pe, child] : children_) {
    if (child.children_.empty()) continue;
    prefix.push_back(pe);
    child.ForEachPrefixed(prefix, fn);
    prefix.pop_back();
  }
}

json::value FieldSet::ToFieldsV1() const {
  json::object out;
  if (member_ && !children_.empty()) out["."] = json::object();
  for (const auto& [pe, child] : children_) out[pe.FieldsV1Key()] = child.ToFieldsV1();
  return out;
}

namespace {

absl::StatusOr<PathElement> ParseElement(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(Cat("fieldsV1 key \"", s, "\": ", why));
  };
  if (s.size() < 2 || s[1] != ':') return bad("want a f:, k:, v: or i: prefix");
  std::string_view rest = s.substr(2);
  switch (s[0]) {
    case 'f':
      return PathElement::Field(std::string(rest));
    case 'i': {
      int64_t n = 0;
      auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
      if (ec != std::errc() || ptr != rest.data() + rest.size()) return bad("bad index");
      return PathElement::Index(n);
    }
    case 'k':
    case 'v': {
      boost::system::error_code ec;
      json::value v = json::parse(rest, ec);
      if (ec) return bad("bad JSON");
      if (s[0] == 'v') return PathElement::Value(std::move(v));
      if (!v.is_object()) return bad("key must be a JSON object");
      std::vector<std::pair<std::string, json::value>> key;
      for (const auto& kv : v.get_object()) key.emplace_back(std::string(kv.key()), kv.value());
      return PathElement::Key(std::move(key));
    }
    default:
      return bad("want a f:, k:, v: or i: prefix");
  }
}

}  // namespace

absl::StatusOr<FieldSet> FieldSet::FromFieldsV1(const json::value& fields) {
  const json::object* obj = fields.if_object();
  if (obj == nullptr) return absl::InvalidArgumentError("fieldsV1 must be a JSON object");
  FieldSet out;
  for (const auto& kv : *obj) {
    if (kv.key() == ".") {
      out.member_ = true;
      continue;
    }
    auto pe = ParseElement(kv.key());
    if (!pe.ok()) return pe.status();
    auto child = FromFieldsV1(kv.value());
    if (!child.ok()) return child.status();
    if (child->children_.empty()) child->member_ = true;  // {} is a leaf member
    FieldSet& slot = out.EnsureChild(*pe);
    slot = slot.Union(*child);
  }
  return out;
}

}  // namespace skiff::api::patch
