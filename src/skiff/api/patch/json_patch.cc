#include "skiff/api/patch/json_patch.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "skiff/api/patch/json_util.h"

namespace skiff::api::patch {
namespace {

using Tokens = std::vector<std::string>;

absl::StatusOr<Tokens> ParsePointer(std::string_view pointer) {
  Tokens tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') {
    return absl::InvalidArgumentError(
        Cat("invalid JSON pointer \"", pointer, "\": must be empty or start with '/'"));
  }
  std::string token;
  for (size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    char c = pointer[i];
    if (c == '~') {
      char next = i + 1 < pointer.size() ? pointer[i + 1] : '\0';
      if (next != '0' && next != '1') {
        return absl::InvalidArgumentError(
            Cat("invalid JSON pointer \"", pointer, "\": '~' must be followed by 0 or 1"));
      }
      token += next == '0' ? '~' : '/';
      ++i;
    } else {
      token += c;
    }
  }
  return tokens;
}

// Parses an array index token: digits only, no leading zeros. Returns -1 when malformed.
int64_t ParseIndex(std::string_view token) {
  if (token.empty() || token.size() > 18) return -1;
  if (token.size() > 1 && token.front() == '0') return -1;
  int64_t n = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

class Patcher {
 public:
  explicit Patcher(json::value doc) : doc_(std::move(doc)) {}

  json::value& doc() { return doc_; }

  absl::Status Apply(const json::object& op, size_t n) {
    const json::value* op_name = op.if_contains("op");
    if (op_name == nullptr || !op_name->is_string()) {
      return Error(n, "missing or non-string \"op\"");
    }
    std::string_view name = op_name->get_string();
    auto path = PointerField(op, "path", n);
    if (!path.ok()) return path.status();

    if (name == "add" || name == "replace" || name == "test") {
      const json::value* value = op.if_contains("value");
      if (value == nullptr) return Error(n, Cat(name, " operation needs a \"value\""));
      if (name == "add") return Add(*path, *value, n);
      if (name == "replace") return Replace(*path, *value, n);
      return Test(*path, *value, n);
    }
    if (name == "remove") return Remove(*path, n).status();
    if (name == "move" || name == "copy") {
      auto from = PointerField(op, "from", n);
      if (!from.ok()) return from.status();
      return name == "move" ? Move(*from, *path, n) : Copy(*from, *path, n);
    }
    return Error(n, Cat("unknown op \"", name, "\""));
  }

 private:
  struct Target {
    json::value* parent = nullptr;  // null when the pointer is the whole document
    std::string token;
  };

  static absl::Status Error(size_t n, std::string_view message) {
    return absl::InvalidArgumentError(Cat("json patch operation ", n, ": ", message));
  }

  static std::string Pointer(const Tokens& tokens, size_t count) {
    std::string out;
    for (size_t i = 0; i < count && i < tokens.size(); ++i) {
      out += '/';
      for (char c : tokens[i]) {
        if (c == '~') {
          out += "~0";
        } else if (c == '/') {
          out += "~1";
        } else {
          out += c;
        }
      }
    }
    return out;
  }

  static absl::StatusOr<Tokens> PointerField(const json::object& op, std::string_view field,
                                             size_t n) {
    const json::value* v = op.if_contains(field);
    if (v == nullptr || !v->is_string()) {
      return Error(n, Cat("missing or non-string \"", field, "\""));
    }
    auto tokens = ParsePointer(v->get_string());
    if (!tokens.ok()) return Error(n, Cat(tokens.status().message()));
    return tokens;
  }

  // Walks all tokens but the last; fails when an intermediate location does not exist.
  absl::StatusOr<Target> Locate(const Tokens& tokens, size_t n) {
    Target t;
    if (tokens.empty()) return t;
    json::value* cur = &doc_;
    for (size_t i = 0; i + 1 < tokens.size(); ++i) {
      json::value* next = Child(*cur, tokens[i]);
      if (next == nullptr) {
        return Error(n, Cat("path \"", Pointer(tokens, i + 1), "\" does not exist"));
      }
      cur = next;
    }
    t.parent = cur;
    t.token = tokens.back();
    return t;
  }

  static json::value* Child(json::value& v, const std::string& token) {
    if (json::object* obj = v.if_object()) {
      auto it = obj->find(token);
      return it == obj->end() ? nullptr : &it->value();
    }
    if (json::array* arr = v.if_array()) {
      int64_t i = ParseIndex(token);
      if (i < 0 || static_cast<size_t>(i) >= arr->size()) return nullptr;
      return &(*arr)[i];
    }
    return nullptr;
  }

  absl::StatusOr<json::value*> Get(const Tokens& tokens, size_t n) {
    auto t = Locate(tokens, n);
    if (!t.ok()) return t.status();
    if (t->parent == nullptr) return &doc_;
    json::value* v = Child(*t->parent, t->token);
    if (v == nullptr) {
      return Error(n, Cat("path \"", Pointer(tokens, tokens.size()), "\" does not exist"));
    }
    return v;
  }

  absl::Status Add(const Tokens& tokens, const json::value& value, size_t n) {
    auto t = Locate(tokens, n);
    if (!t.ok()) return t.status();
    if (t->parent == nullptr) {
      doc_ = value;
      return absl::OkStatus();
    }
    if (json::object* obj = t->parent->if_object()) {
      (*obj)[t->token] = value;
      return absl::OkStatus();
    }
    if (json::array* arr = t->parent->if_array()) {
      if (t->token == "-") {
        arr->push_back(value);
        return absl::OkStatus();
      }
      int64_t i = ParseIndex(t->token);
      if (i < 0 || static_cast<size_t>(i) > arr->size()) {
        return Error(n, Cat("add: array index \"", t->token, "\" at \"",
                            Pointer(tokens, tokens.size()), "\" is out of range"));
      }
      arr->insert(arr->begin() + i, value);
      return absl::OkStatus();
    }
    return Error(n, Cat("add: parent of \"", Pointer(tokens, tokens.size()),
                        "\" is not an object or array"));
  }

  absl::StatusOr<json::value> Remove(const Tokens& tokens, size_t n) {
    if (tokens.empty()) return Error(n, "remove: cannot remove the whole document");
    auto t = Locate(tokens, n);
    if (!t.ok()) return t.status();
    std::string where = Pointer(tokens, tokens.size());
    if (json::object* obj = t->parent->if_object()) {
      auto it = obj->find(t->token);
      if (it == obj->end()) return Error(n, Cat("remove: path \"", where, "\" does not exist"));
      json::value removed = std::move(it->value());
      obj->stable_erase(it);
      return removed;
    }
    if (json::array* arr = t->parent->if_array()) {
      int64_t i = ParseIndex(t->token);
      if (i < 0 || static_cast<size_t>(i) >= arr->size()) {
        return Error(n, Cat("remove: path \"", where, "\" does not exist"));
      }
      json::value removed = std::move((*arr)[i]);
      arr->erase(arr->begin() + i);
      return removed;
    }
    return Error(n, Cat("remove: path \"", where, "\" does not exist"));
  }

  absl::Status Replace(const Tokens& tokens, const json::value& value, size_t n) {
    auto target = Get(tokens, n);
    if (!target.ok()) {
      return Error(n, Cat("replace: path \"", Pointer(tokens, tokens.size()), "\" does not exist"));
    }
    **target = value;
    return absl::OkStatus();
  }

  absl::Status Test(const Tokens& tokens, const json::value& value, size_t n) {
    auto target = Get(tokens, n);
    if (!target.ok()) return target.status();
    if (!JsonEqual(**target, value)) {
      return Error(n, Cat("test failed: value at \"", Pointer(tokens, tokens.size()), "\" is ",
                          Describe(**target), ", not ", Describe(value)));
    }
    return absl::OkStatus();
  }

  absl::Status Move(const Tokens& from, const Tokens& to, size_t n) {
    if (from == to) {
      auto v = Get(from, n);
      return v.ok() ? absl::OkStatus() : v.status();
    }
    if (to.size() > from.size() && std::equal(from.begin(), from.end(), to.begin())) {
      return Error(n, Cat("move: cannot move \"", Pointer(from, from.size()),
                          "\" into its own child \"", Pointer(to, to.size()), "\""));
    }
    auto value = Remove(from, n);
    if (!value.ok()) return value.status();
    return Add(to, *value, n);
  }

  absl::Status Copy(const Tokens& from, const Tokens& to, size_t n) {
    auto value = Get(from, n);
    if (!value.ok()) return value.status();
    json::value copy = **value;
    return Add(to, copy, n);
  }

  json::value doc_;
};

absl::StatusOr<json::value> ApplyJsonPatchUnguarded(const json::value& doc,
                                                    const json::value& patch) {
  const json::array* ops = patch.if_array();
  if (ops == nullptr) {
    return absl::InvalidArgumentError(
        Cat("json patch must be an array of operations, got ", KindName(patch)));
  }
  Patcher patcher(doc);
  for (size_t i = 0; i < ops->size(); ++i) {
    const json::object* op = (*ops)[i].if_object();
    if (op == nullptr) {
      return absl::InvalidArgumentError(Cat("json patch operation ", i, ": must be an object"));
    }
    if (absl::Status s = patcher.Apply(*op, i); !s.ok()) return s;
  }
  return std::move(patcher.doc());
}

}  // namespace

absl::StatusOr<json::value> ApplyJsonPatch(const json::value& doc, const json::value& patch) {
  return CatchExceptions("json patch", [&] { return ApplyJsonPatchUnguarded(doc, patch); });
}

}  // namespace skiff::api::patch
