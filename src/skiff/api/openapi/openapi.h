// The published OpenAPI v3 documents: the /openapi/v3 index and one OpenAPI 3.0 document per
// served group version, generated from the schema table and the resource table. kubectl needs
// them for apply/create validation (fieldValidation on PATCH), strategic-merge patch metadata
// and `kubectl explain`. Generated once on first use and cached; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace skiff::api::openapi {

// The group-version paths that have a document, in discovery order: "api/v1", "apis/apps/v1".
std::vector<std::string> DocumentPaths();

// GET /openapi/v3: {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=<HEX>"}}}.
absl::StatusOr<std::string> IndexDocument();

// GET /openapi/v3/<gv_path>, gv_path as in DocumentPaths() (a leading '/' is tolerated).
// NotFound for an unknown group version.
absl::StatusOr<std::string> GroupVersionDocument(std::string_view gv_path);

// The stable hash of a group-version document (uppercase hex), as used in the index URL; serve
// it as an ETag and answer requests carrying it with long-lived Cache-Control.
absl::StatusOr<std::string> GroupVersionHash(std::string_view gv_path);

// kubectl 1.27 and 1.28 (explain, apply) fetch /openapi/v2 as protobuf before they look at v3
// and give up when it is 404. An empty body is a valid, empty protobuf v2 document: answering
// GET /openapi/v2 with 200, this Content-Type and no body lets them go on to the v3 documents.
// kubectl 1.29+ tolerates the 404 and never needs this.
inline constexpr std::string_view kOpenApiV2EmptyProtobufContentType =
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

}  // namespace skiff::api::openapi
