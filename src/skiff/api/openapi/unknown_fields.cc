#include "skiff/api/openapi/unknown_fields.h"

#include <boost/json/basic_parser_impl.hpp>
#include <cstdint>

#include "absl/container/flat_hash_set.h"
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

// A boost::json parser handler that tracks the path of the current value and the keys seen in
// every open object.
class DuplicateKeyHandler {
 public:
  using error_code = boost::system::error_code;
  using string_view = json::string_view;
  static constexpr size_t max_object_size = static_cast<size_t>(-1);
  static constexpr size_t max_array_size = static_cast<size_t>(-1);
  static constexpr size_t max_key_size = static_cast<size_t>(-1);
  static constexpr size_t max_string_size = static_cast<size_t>(-1);

  std::vector<std::string> duplicates;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return Open(false); }
  bool on_object_end(size_t, error_code&) { return Close(); }
  bool on_array_begin(error_code&) { return Open(true); }
  bool on_array_end(size_t, error_code&) { return Close(); }
  bool on_key_part(string_view s, size_t, error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(string_view s, size_t, error_code&) {
    key_.append(s.data(), s.size());
    Frame& f = frames_.back();
    if (!f.keys.insert(key_).second && duplicates.size() < kMaxUnknownFields) {
      duplicates.push_back(path_.empty() ? key_ : internal::Cat(path_, ".", key_));
    }
    last_key_ = std::move(key_);
    key_.clear();
    return true;
  }
  bool on_string_part(string_view, size_t, error_code&) { return true; }
  bool on_string(string_view, size_t, error_code&) { return Scalar(); }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(int64_t, string_view, error_code&) { return Scalar(); }
  bool on_uint64(uint64_t, string_view, error_code&) { return Scalar(); }
  bool on_double(double, string_view, error_code&) { return Scalar(); }
  bool on_bool(bool, error_code&) { return Scalar(); }
  bool on_null(error_code&) { return Scalar(); }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

 private:
  struct Frame {
    bool array = false;
    size_t restore = 0;  // path length before this container's segment
    size_t index = 0;    // next element index of an array
    absl::flat_hash_set<std::string> keys;
  };

  // Appends the path segment of the value that starts now; returns the previous length.
  size_t EnterValue() {
    size_t before = path_.size();
    if (frames_.empty()) return before;
    Frame& parent = frames_.back();
    if (parent.array) {
      path_ += internal::Cat("[", parent.index++, "]");
    } else {
      if (!path_.empty()) path_ += '.';
      path_ += last_key_;
    }
    return before;
  }
  bool Open(bool array) {
    size_t before = EnterValue();
    frames_.push_back(Frame{array, before, 0, {}});
    return true;
  }
  bool Close() {
    path_.resize(frames_.back().restore);
    frames_.pop_back();
    return true;
  }
  bool Scalar() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
    return true;
  }

  std::vector<Frame> frames_;
  std::string path_;
  std::string key_;
  std::string last_key_;
};

}  // namespace

std::vector<std::string> DuplicateFields(std::string_view json_text) {
  json::basic_parser<DuplicateKeyHandler> parser(json::parse_options{});
  boost::system::error_code ec;
  parser.write_some(false, json_text.data(), json_text.size(), ec);
  if (ec) return {};
  return std::move(parser.handler().duplicates);
}

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

std::string DuplicateFieldWarning(const std::string& path) {
  return internal::Cat("duplicate field \"", path, "\"");
}

std::string StrictDecodingMessage(const std::vector<std::string>& unknown,
                                  const std::vector<std::string>& duplicates) {
  std::string msg = "strict decoding error: ";
  bool first = true;
  for (const std::string& p : unknown) {
    if (!first) msg += ", ";
    msg += UnknownFieldWarning(p);
    first = false;
  }
  for (const std::string& p : duplicates) {
    if (!first) msg += ", ";
    msg += DuplicateFieldWarning(p);
    first = false;
  }
  return msg;
}

}  // namespace skiff::api::openapi
