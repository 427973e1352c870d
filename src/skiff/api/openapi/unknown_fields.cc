#include "skiff/api/openapi/unknown_fields.h"

#include "skiff/api/openapi/strings.h"

namespace skiff::api::openapi {
namespace {

namespace json = boost::json;

// Kubernetes' strict decoder stops accumulating after this many errors.
constexpr size_t kMaxUnknownFields = 100;

void WalkStruct(const Schema& s, const json::value& v, std::string& path,
                std::vector<std::string>& out);

// Descends into the value of a described field when its type is a closed struct.
void WalkField(const Field& f, const json::value& v, std::string& path,
               std::vector<std::string>& out) {
  if (f.preserve_unknown || f.ref == nullptr || !f.ref->IsClosedStruct()) return;
  const size_t mark = path.size();
  switch (f.container) {
    case Container::kNone:
      WalkStruct(*f.ref, v, path, out);
      break;
    case Container::kList:
      if (const json::array* arr = v.if_array()) {
        for (size_t i = 0; i < arr->size() && out.size() < kMaxUnknownFields; ++i) {
          path += internal::Cat("[", i, "]");
          WalkStruct(*f.ref, (*arr)[i], path, out);
          path.resize(mark);
        }
      }
      break;
    case Container::kMap:
      if (const json::object* obj = v.if_object()) {
        for (const auto& kv : *obj) {
          if (out.size() >= kMaxUnknownFields) break;
          path += '.';
          path.append(kv.key().data(), kv.key().size());
          WalkStruct(*f.ref, kv.value(), path, out);
          path.resize(mark);
        }
      }
      break;
  }
}

void WalkStruct(const Schema& s, const json::value& v, std::string& path,
                std::vector<std::string>& out) {
  if (!s.IsClosedStruct()) return;
  const json::object* obj = v.if_object();
  if (obj == nullptr) return;  // null or a type error: not an unknown field
  for (const auto& kv : *obj) {
    if (out.size() >= kMaxUnknownFields) return;
    const size_t mark = path.size();
    if (!path.empty()) path.push_back('.');
    path.append(kv.key().data(), kv.key().size());
    if (const Field* f = s.FindField(std::string_view(kv.key())); f == nullptr) {
      out.push_back(path);
    } else {
      WalkField(*f, kv.value(), path, out);
    }
    path.resize(mark);
  }
}

}  // namespace

std::vector<std::string> UnknownFields(const Schema& schema, const json::value& obj) {
  std::vector<std::string> out;
  std::string path;
  WalkStruct(schema, obj, path, out);
  return out;
}

std::vector<std::string> UnknownFields(const ResourceInfo& r, const json::value& obj) {
  const Schema* s = SchemaFor(r);
  if (s == nullptr) return {};
  return UnknownFields(*s, obj);
}

std::string UnknownFieldWarning(const std::string& path) {
  return internal::Cat("unknown field \"", path, "\"");
}

std::string StrictDecodingMessage(const std::vector<std::string>& paths) {
  std::string msg = "strict decoding error: ";
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i > 0) msg += ", ";
    msg += UnknownFieldWarning(paths[i]);
  }
  return msg;
}

}  // namespace skiff::api::openapi
