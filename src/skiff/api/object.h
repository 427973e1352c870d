// Small read helpers over Kubernetes objects held as Boost.JSON values. Every accessor
// tolerates missing or wrongly typed fields by returning a default: objects come from clients.
// Pure functions; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace skiff::api {

namespace json = boost::json;

// Follows object keys along `path`; nullptr when any step is missing or not an object.
inline const json::value* Find(const json::value& v, std::initializer_list<std::string_view> path) {
  const json::value* cur = &v;
  for (std::string_view key : path) {
    const json::object* obj = cur->if_object();
    if (obj == nullptr) return nullptr;
    auto it = obj->find(key);
    if (it == obj->end()) return nullptr;
    cur = &it->value();
  }
  return cur;
}

inline json::value* FindMutable(json::value& v, std::initializer_list<std::string_view> path) {
  return const_cast<json::value*>(Find(static_cast<const json::value&>(v), path));
}

inline std::string_view GetString(const json::value& v,
                                  std::initializer_list<std::string_view> path,
                                  std::string_view def = {}) {
  const json::value* f = Find(v, path);
  if (f == nullptr || !f->is_string()) return def;
  return std::string_view(f->get_string());
}

inline int64_t GetInt(const json::value& v, std::initializer_list<std::string_view> path,
                      int64_t def = 0) {
  const json::value* f = Find(v, path);
  if (f == nullptr) return def;
  if (f->is_int64()) return f->get_int64();
  if (f->is_uint64()) return static_cast<int64_t>(f->get_uint64());
  if (f->is_double()) return static_cast<int64_t>(f->get_double());
  return def;
}

inline bool GetBool(const json::value& v, std::initializer_list<std::string_view> path,
                    bool def = false) {
  const json::value* f = Find(v, path);
  if (f == nullptr || !f->is_bool()) return def;
  return f->get_bool();
}

inline const json::object* GetObject(const json::value& v,
                                     std::initializer_list<std::string_view> path) {
  const json::value* f = Find(v, path);
  return f == nullptr ? nullptr : f->if_object();
}

inline const json::array* GetArray(const json::value& v,
                                   std::initializer_list<std::string_view> path) {
  const json::value* f = Find(v, path);
  return f == nullptr ? nullptr : f->if_array();
}

// Returns the object at `path`, creating empty objects along the way (replacing non-objects).
inline json::object& EnsureObject(json::value& v, std::initializer_list<std::string_view> path) {
  json::value* cur = &v;
  if (!cur->is_object()) *cur = json::object();
  for (std::string_view key : path) {
    json::object& obj = cur->get_object();
    json::value& next = obj[key];
    if (!next.is_object()) next = json::object();
    cur = &next;
  }
  return cur->get_object();
}

}  // namespace skiff::api
