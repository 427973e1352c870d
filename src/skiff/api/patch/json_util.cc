#include "skiff/api/patch/json_util.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <vector>

namespace skiff::api::patch {
namespace {

bool IsNumber(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

int Rank(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return 0;
    case json::kind::bool_:
      return 1;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return 2;
    case json::kind::string:
      return 3;
    case json::kind::array:
      return 4;
    case json::kind::object:
      return 5;
  }
  return 6;
}

int CompareNumbers(const json::value& a, const json::value& b) {
  // Exact integer comparison first; doubles only when one side is a double.
  if (a.is_int64() && b.is_int64()) {
    return a.get_int64() < b.get_int64() ? -1 : (a.get_int64() > b.get_int64() ? 1 : 0);
  }
  if (a.is_uint64() && b.is_uint64()) {
    return a.get_uint64() < b.get_uint64() ? -1 : (a.get_uint64() > b.get_uint64() ? 1 : 0);
  }
  if (a.is_int64() && b.is_uint64()) {
    if (a.get_int64() < 0) return -1;
    uint64_t x = static_cast<uint64_t>(a.get_int64());
    return x < b.get_uint64() ? -1 : (x > b.get_uint64() ? 1 : 0);
  }
  if (a.is_uint64() && b.is_int64()) return -CompareNumbers(b, a);
  double x = a.to_number<double>();
  double y = b.to_number<double>();
  return x < y ? -1 : (x > y ? 1 : 0);
}

std::vector<const json::key_value_pair*> SortedMembers(const json::object& obj) {
  std::vector<const json::key_value_pair*> members;
  members.reserve(obj.size());
  for (const auto& kv : obj) members.push_back(&kv);
  std::sort(members.begin(), members.end(),
            [](const auto* a, const auto* b) { return a->key() < b->key(); });
  return members;
}

void AppendCanonical(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::double_: {
      double d = v.get_double();
      if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15) {
        out += std::to_string(static_cast<int64_t>(d));
      } else if (std::isfinite(d)) {
        char buf[32];
        auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);  // shortest, like Go: 2.5
        out.append(buf, ec == std::errc() ? end : buf);
      } else {
        out += json::serialize(v);
      }
      return;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        AppendCanonical(e, out);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto* kv : SortedMembers(v.get_object())) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(json::value(kv->key()));
        out += ':';
        AppendCanonical(kv->value(), out);
      }
      out += '}';
      return;
    }
    default:
      out += json::serialize(v);
  }
}

}  // namespace

bool JsonEqual(const json::value& a, const json::value& b) {
  if (IsNumber(a) && IsNumber(b)) return CompareNumbers(a, b) == 0;
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::array: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!JsonEqual(x[i], y[i])) return false;
      return true;
    }
    case json::kind::object: {
      const auto& x = a.get_object();
      const auto& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& kv : x) {
        auto it = y.find(kv.key());
        if (it == y.end() || !JsonEqual(kv.value(), it->value())) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

int JsonCompare(const json::value& a, const json::value& b) {
  int ra = Rank(a), rb = Rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.kind()) {
    case json::kind::null:
      return 0;
    case json::kind::bool_:
      return static_cast<int>(a.get_bool()) - static_cast<int>(b.get_bool());
    case json::kind::string: {
      int c = std::string_view(a.get_string()).compare(std::string_view(b.get_string()));
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case json::kind::array: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      for (size_t i = 0; i < x.size() && i < y.size(); ++i)
        if (int c = JsonCompare(x[i], y[i]); c != 0) return c;
      return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
    case json::kind::object: {
      auto x = SortedMembers(a.get_object());
      auto y = SortedMembers(b.get_object());
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        int c = std::string_view(x[i]->key()).compare(std::string_view(y[i]->key()));
        if (c != 0) return c < 0 ? -1 : 1;
        if (int v = JsonCompare(x[i]->value(), y[i]->value()); v != 0) return v;
      }
      return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
    default:
      return CompareNumbers(a, b);
  }
}

std::string CanonicalJson(const json::value& v) {
  std::string out;
  AppendCanonical(v, out);
  return out;
}

bool EraseKey(json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  obj.stable_erase(it);
  return true;
}

std::string_view KindName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "bool";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
    default:
      return "number";
  }
}

std::string Describe(const json::value& v, size_t max_len) {
  std::string s = json::serialize(v);
  if (s.size() > max_len) {
    s.resize(max_len);
    s += "...";
  }
  return s;
}

}  // namespace skiff::api::patch
