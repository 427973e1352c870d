#include "skiff/apiserver/errors.h"

#include "absl/strings/cord.h"

namespace skiff::apiserver {

namespace json = boost::json;

namespace {

constexpr char kPayloadUrl[] = "type.skiff.dev/kubernetes-status";

absl::StatusCode CodeFor(int http) {
  switch (http) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 405:
    case 406:
    case 415:
      return absl::StatusCode::kUnimplemented;
    case 409:
      return absl::StatusCode::kAborted;
    case 410:
      return absl::StatusCode::kOutOfRange;
    case 413:
      return absl::StatusCode::kResourceExhausted;
    case 422:
      return absl::StatusCode::kInvalidArgument;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    case 503:
      return absl::StatusCode::kUnavailable;
    default:
      return absl::StatusCode::kInternal;
  }
}

json::object Details(const api::ResourceInfo& r, std::string_view name) {
  json::object d;
  d["name"] = name;
  if (!r.group.empty()) d["group"] = r.group;
  d["kind"] = r.plural;
  return d;
}

}  // namespace

absl::Status ApiError(int code, std::string_view reason, std::string_view message,
                      json::object details) {
  json::object st;
  st["kind"] = "Status";
  st["apiVersion"] = "v1";
  st["metadata"] = json::object();
  st["status"] = "Failure";
  st["message"] = message;
  st["reason"] = reason;
  if (!details.empty()) st["details"] = std::move(details);
  st["code"] = code;
  absl::Status s(CodeFor(code), absl::string_view(message.data(), message.size()));
  s.SetPayload(kPayloadUrl, absl::Cord(json::serialize(st)));
  return s;
}

absl::Status NotFound(const api::ResourceInfo& r, std::string_view name) {
  return ApiError(404, "NotFound", r.GroupResource() + " \"" + std::string(name) + "\" not found",
                  Details(r, name));
}

absl::Status AlreadyExists(const api::ResourceInfo& r, std::string_view name) {
  return ApiError(409, "AlreadyExists",
                  r.GroupResource() + " \"" + std::string(name) + "\" already exists",
                  Details(r, name));
}

absl::Status Conflict(const api::ResourceInfo& r, std::string_view name, std::string_view detail) {
  std::string msg = "Operation cannot be fulfilled on " + r.GroupResource() + " \"" +
                    std::string(name) + "\": " +
                    (detail.empty() ? std::string("the object has been modified; please apply "
                                                  "your changes to the latest version and try "
                                                  "again")
                                    : std::string(detail));
  return ApiError(409, "Conflict", msg, Details(r, name));
}

absl::Status Invalid(const api::ResourceInfo& r, std::string_view name,
                     const api::FieldErrors& errors) {
  std::string msg = r.GroupKind() + " \"" + std::string(name) + "\" is invalid: ";
  if (errors.size() == 1) {
    msg += errors[0].ToString();
  } else {
    msg += "[";
    for (size_t i = 0; i < errors.size(); ++i) {
      if (i > 0) msg += ", ";
      msg += errors[i].ToString();
    }
    msg += "]";
  }
  json::object d;
  d["name"] = name;
  if (!r.group.empty()) d["group"] = r.group;
  d["kind"] = r.kind;
  json::array causes;
  for (const auto& e : errors) {
    json::object c;
    c["reason"] = e.reason;
    c["message"] = e.message;
    c["field"] = e.field;
    causes.push_back(std::move(c));
  }
  d["causes"] = std::move(causes);
  return ApiError(422, "Invalid", msg, std::move(d));
}

absl::Status BadRequest(std::string_view message) { return ApiError(400, "BadRequest", message); }

absl::Status MethodNotSupported(const api::ResourceInfo& r, std::string_view verb) {
  return ApiError(
      405, "MethodNotAllowed",
      std::string(verb) + " is not supported on resources of kind \"" + r.GroupResource() + "\"",
      Details(r, ""));
}

StatusResponse ToStatusResponse(const absl::Status& s) {
  StatusResponse out;
  if (auto payload = s.GetPayload(kPayloadUrl)) {
    out.body = std::string(*payload);
    out.code = HttpCode(s);
    return out;
  }
  int code = 500;
  std::string reason = "InternalError";
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
      code = 404, reason = "NotFound";
      break;
    case absl::StatusCode::kAlreadyExists:
      code = 409, reason = "AlreadyExists";
      break;
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kFailedPrecondition:
      code = 409, reason = "Conflict";
      break;
    case absl::StatusCode::kInvalidArgument:
      code = 400, reason = "BadRequest";
      break;
    case absl::StatusCode::kOutOfRange:
      code = 410, reason = "Expired";
      break;
    case absl::StatusCode::kUnimplemented:
      code = 415, reason = "UnsupportedMediaType";
      break;
    case absl::StatusCode::kUnavailable:
      code = 503, reason = "ServiceUnavailable";
      break;
    case absl::StatusCode::kResourceExhausted:
      code = 429, reason = "TooManyRequests";
      break;
    default:
      break;
  }
  absl::Status full = ApiError(code, reason, std::string(s.message()));
  out.body = std::string(*full.GetPayload(kPayloadUrl));
  out.code = code;
  return out;
}

int HttpCode(const absl::Status& s) {
  if (auto payload = s.GetPayload(kPayloadUrl)) {
    boost::system::error_code ec;
    json::value v = json::parse(std::string(*payload), ec);
    if (!ec && v.is_object()) {
      if (auto* c = v.as_object().if_contains("code"); c && c->is_int64())
        return static_cast<int>(c->get_int64());
    }
  }
  return ToStatusResponse(absl::Status(s.code(), s.message())).code;
}

}  // namespace skiff::apiserver
