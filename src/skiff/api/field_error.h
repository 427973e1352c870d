// Field-level validation errors, shaped like Kubernetes' field.Error so that the API server can
// turn a list of them into a 422 `Status` whose causes name each field.
// Pure values; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skiff::api {

struct FieldError {
  // Kubernetes cause reason: FieldValueRequired, FieldValueInvalid, FieldValueNotSupported,
  // FieldValueForbidden, FieldValueDuplicate, FieldValueTooLong, FieldValueTypeInvalid.
  std::string reason;
  std::string field;    // e.g. "spec.template.spec.containers[0].name"
  std::string message;  // full message as Kubernetes prints it, e.g. `Required value`

  // "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
  std::string ToString() const { return field.empty() ? message : field + ": " + message; }
};

using FieldErrors = std::vector<FieldError>;

// Renders a value the way Kubernetes quotes it in messages: strings quoted, numbers bare.
inline std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

inline FieldError Required(std::string field, std::string_view detail = {}) {
  std::string msg = "Required value";
  if (!detail.empty()) msg += ": " + std::string(detail);
  return {"FieldValueRequired", std::move(field), std::move(msg)};
}

// `value_repr` is already rendered (use Quote() for strings).
inline FieldError Invalid(std::string field, std::string_view value_repr, std::string_view detail) {
  std::string msg = "Invalid value: " + std::string(value_repr);
  if (!detail.empty()) msg += ": " + std::string(detail);
  return {"FieldValueInvalid", std::move(field), std::move(msg)};
}

inline FieldError NotSupported(std::string field, std::string_view value_repr,
                               const std::vector<std::string>& supported) {
  std::string msg = "Unsupported value: " + std::string(value_repr);
  if (!supported.empty()) {
    msg += ": supported values: ";
    for (size_t i = 0; i < supported.size(); ++i) {
      if (i > 0) msg += ", ";
      msg += Quote(supported[i]);
    }
  }
  return {"FieldValueNotSupported", std::move(field), std::move(msg)};
}

inline FieldError Forbidden(std::string field, std::string_view detail) {
  return {"FieldValueForbidden", std::move(field), "Forbidden: " + std::string(detail)};
}

inline FieldError Duplicate(std::string field, std::string_view value_repr) {
  return {"FieldValueDuplicate", std::move(field), "Duplicate value: " + std::string(value_repr)};
}

inline FieldError TooLong(std::string field, size_t max) {
  return {"FieldValueTooLong", std::move(field),
          "Too long: may not be more than " + std::to_string(max) + " bytes"};
}

}  // namespace skiff::api
