// RFC 7386 JSON Merge Patch (application/merge-patch+json): objects merge recursively, null
// deletes a member, anything else (arrays included) replaces. Used by the API server's PATCH
// handler. Pure function; safe from any thread.
#pragma once

#include <boost/json.hpp>

#include "absl/status/statusor.h"

namespace skiff::api::patch {

// Applies `patch` to a copy of `doc`. Every JSON value is a valid merge patch, so this never
// fails today; it returns StatusOr to share a signature with the other patch types.
absl::StatusOr<boost::json::value> ApplyMergePatch(const boost::json::value& doc,
                                                   const boost::json::value& patch);

}  // namespace skiff::api::patch
