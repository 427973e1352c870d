// Decoding of request bodies in the Kubernetes protobuf encoding
// (Content-Type: application/vnd.kubernetes.protobuf), as kubectl's typed clients send them,
// into the JSON the same object has in Kubernetes' JSON encoding. The API server calls it from
// its request threads; it is stateless apart from an immutable table and safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace skiff::api::protobuf {

// Decodes `body`: the 4-byte prefix "k8s\0", then a runtime.Unknown envelope whose typeMeta
// names the apiVersion and kind and whose raw bytes hold the object's message. Returns the
// object as JSON with "kind" and "apiVersion" first, fields named and shaped as Kubernetes'
// JSON encoding has them (zero scalars of omitempty fields left out, timestamps as RFC 3339,
// bytes as base64, quantities and int-or-strings in their JSON forms). Unknown field numbers
// are skipped. Truncated or malformed input, an unknown apiVersion/kind and a compressed
// envelope are InvalidArgument errors whose message says what and where.
absl::StatusOr<boost::json::value> DecodeObject(std::string_view body);

// OK unless the compiled-in field table failed to parse or resolve (a programming error; tests
// assert this).
absl::Status TableStatus();

}  // namespace skiff::api::protobuf
