#include "skiff/api/go_repr.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <utility>
#include <vector>

#include "skiff/api/text.h"

namespace skiff::api {

namespace json = boost::json;

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string GoScalar(const json::value* v) {
  if (v == nullptr || v->is_null()) return "null";
  if (v->is_string()) return GoQuote(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "true" : "false";
  if (v->is_int64()) return Cat(v->get_int64());
  if (v->is_uint64()) return Cat(v->get_uint64());
  if (v->is_double()) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), v->get_double());
    return std::string(buf, res.ptr);
  }
  return json::serialize(*v);
}

namespace {

std::string QuotedOrJson(const json::value& v) {
  return v.is_string() ? GoQuote(v.get_string()) : GoQuote(json::serialize(v));
}

}  // namespace

std::string GoStringMap(const json::value* v) {
  if (v == nullptr || !v->is_object()) return "map[string]string(nil)";
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& kv : v->get_object()) {
    entries.emplace_back(std::string(kv.key()), QuotedOrJson(kv.value()));
  }
  std::sort(entries.begin(), entries.end());
  std::string out = "map[string]string{";
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out += ", ";
    AppendCat(&out, GoQuote(entries[i].first), ":", entries[i].second);
  }
  out += "}";
  return out;
}

std::string GoStringSlice(const json::value* v) {
  if (v == nullptr || !v->is_array()) return "[]string(nil)";
  std::string out = "[]string{";
  bool first = true;
  for (const auto& item : v->get_array()) {
    if (!first) out += ", ";
    first = false;
    out += QuotedOrJson(item);
  }
  out += "}";
  return out;
}

std::string GoLabelSelector(const json::value* v) {
  if (v == nullptr || !v->is_object()) return "null";
  const json::object& sel = v->get_object();
  auto field = [&](std::string_view key) -> const json::value* {
    auto it = sel.find(key);
    return it == sel.end() ? nullptr : &it->value();
  };
  std::string out = "v1.LabelSelector{MatchLabels:" + GoStringMap(field("matchLabels"));
  out += ", MatchExpressions:";
  const json::value* exprs = field("matchExpressions");
  if (exprs == nullptr || !exprs->is_array()) {
    out += "[]v1.LabelSelectorRequirement(nil)";
  } else {
    out += "[]v1.LabelSelectorRequirement{";
    bool first = true;
    for (const auto& e : exprs->get_array()) {
      if (!first) out += ", ";
      first = false;
      const json::object* obj = e.if_object();
      auto str = [&](std::string_view key) -> std::string {
        if (obj == nullptr) return GoQuote("");
        auto it = obj->find(key);
        if (it == obj->end() || !it->value().is_string()) return GoQuote("");
        return GoQuote(it->value().get_string());
      };
      const json::value* values = nullptr;
      if (obj != nullptr) {
        auto it = obj->find("values");
        if (it != obj->end()) values = &it->value();
      }
      AppendCat(&out, "v1.LabelSelectorRequirement{Key:", str("key"),
                ", Operator:", str("operator"), ", Values:", GoStringSlice(values), "}");
    }
    out += "}";
  }
  out += "}";
  return out;
}

std::string GoIntOrString(const json::value* v) {
  if (v != nullptr && v->is_string()) {
    return Cat("intstr.IntOrString{Type:1, IntVal:0, StrVal:", GoQuote(v->get_string()), "}");
  }
  int64_t n = 0;
  if (v != nullptr && v->is_int64()) n = v->get_int64();
  if (v != nullptr && v->is_uint64()) n = static_cast<int64_t>(v->get_uint64());
  if (v != nullptr && v->is_double()) n = static_cast<int64_t>(v->get_double());
  return Cat("intstr.IntOrString{Type:0, IntVal:", n, ", StrVal:\"\"}");
}

}  // namespace skiff::api
