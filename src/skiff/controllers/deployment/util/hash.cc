#include "skiff/controllers/deployment/util/hash.h"

#include <algorithm>
#include <vector>

namespace skiff::controllers::deployment {

namespace json = boost::json;

namespace {

constexpr std::string_view kHashLabel = "pod-template-hash";

// Appends the canonical form of `v`; returns false (appending nothing) when `v` is empty.
bool AppendCanonical(const json::value& v, std::string* out) {
  switch (v.kind()) {
    case json::kind::null:
      return false;
    case json::kind::object: {
      const json::object& obj = v.get_object();
      std::vector<std::pair<std::string_view, const json::value*>> members;
      members.reserve(obj.size());
      for (const auto& kv : obj) members.emplace_back(std::string_view(kv.key()), &kv.value());
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      std::string body;
      bool first = true;
      for (const auto& [key, value] : members) {
        std::string item;
        if (!AppendCanonical(*value, &item)) continue;
        if (!first) body.push_back(',');
        first = false;
        body += json::serialize(json::string(key));
        body.push_back(':');
        body += item;
      }
      if (first) return false;
      out->push_back('{');
      *out += body;
      out->push_back('}');
      return true;
    }
    case json::kind::array: {
      const json::array& arr = v.get_array();
      if (arr.empty()) return false;
      out->push_back('[');
      for (size_t i = 0; i < arr.size(); ++i) {
        if (i > 0) out->push_back(',');
        std::string item;
        // An empty element keeps its place: dropping it would change the array's meaning.
        if (!AppendCanonical(arr[i], &item)) item = "null";
        *out += item;
      }
      out->push_back(']');
      return true;
    }
    default:
      *out += json::serialize(v);
      return true;
  }
}

json::value WithoutHashLabel(const json::value& pod_template) {
  json::value copy = pod_template;
  if (json::object* obj = copy.if_object()) {
    if (auto meta = obj->find("metadata"); meta != obj->end()) {
      if (json::object* m = meta->value().if_object()) {
        if (auto labels = m->find("labels"); labels != m->end()) {
          if (json::object* l = labels->value().if_object()) l->erase(kHashLabel);
        }
      }
    }
  }
  return copy;
}

}  // namespace

std::string CanonicalJson(const json::value& v) {
  std::string out;
  if (!AppendCanonical(v, &out)) return "null";
  return out;
}

std::string ComputeHash(const json::value& pod_template, std::optional<int32_t> collision_count) {
  Fnv32a hasher;
  hasher.Write(CanonicalJson(WithoutHashLabel(pod_template)));
  if (collision_count.has_value()) {
    uint32_t c = static_cast<uint32_t>(*collision_count);
    char bytes[8] = {static_cast<char>(c & 0xff),
                     static_cast<char>((c >> 8) & 0xff),
                     static_cast<char>((c >> 16) & 0xff),
                     static_cast<char>((c >> 24) & 0xff),
                     0,
                     0,
                     0,
                     0};
    hasher.Write(std::string_view(bytes, sizeof(bytes)));
  }
  return SafeEncodeString(std::to_string(hasher.Sum()));
}

bool EqualIgnoreHash(const json::value& a, const json::value& b) {
  return CanonicalJson(WithoutHashLabel(a)) == CanonicalJson(WithoutHashLabel(b));
}

}  // namespace skiff::controllers::deployment
