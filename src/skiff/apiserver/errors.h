// Kubernetes API errors as absl::Status values. The HTTP code, reason and details of the
// `Status` object travel in a payload so the server can answer exactly what Kubernetes would
// (404 NotFound, 409 Conflict, 422 Invalid with causes, ...). Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "skiff/api/field_error.h"
#include "skiff/api/resources.h"

namespace skiff::apiserver {

// A Status with an explicit Kubernetes code/reason/message and optional details object.
absl::Status ApiError(int code, std::string_view reason, std::string_view message,
                      boost::json::object details = {});

absl::Status NotFound(const api::ResourceInfo& r, std::string_view name);
absl::Status AlreadyExists(const api::ResourceInfo& r, std::string_view name);
// The optimistic-concurrency conflict ("the object has been modified").
absl::Status Conflict(const api::ResourceInfo& r, std::string_view name,
                      std::string_view detail = {});
absl::Status Invalid(const api::ResourceInfo& r, std::string_view name,
                     const api::FieldErrors& errors);
absl::Status BadRequest(std::string_view message);
absl::Status MethodNotSupported(const api::ResourceInfo& r, std::string_view verb);

// The `Status` object to send for `s` (which need not carry a payload) and its HTTP code.
struct StatusResponse {
  int code = 500;
  std::string body;
};
StatusResponse ToStatusResponse(const absl::Status& s);
int HttpCode(const absl::Status& s);

}  // namespace skiff::apiserver
