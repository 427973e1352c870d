// RFC 6902 JSON Patch (application/json-patch+json): add, remove, replace, move, copy and test
// over RFC 6901 JSON pointers. Used by the API server's PATCH handler, e.g. for kubectl's
// `rollout undo deployment`. Pure function; safe from any thread.
#pragma once

#include <boost/json.hpp>

#include "absl/status/statusor.h"

namespace skiff::api::patch {

// Applies `patch` (an array of operations) to a copy of `doc`. Operations apply in order and the
// whole patch fails if any does: InvalidArgumentError for a malformed patch, a path that does
// not exist where it must, or a failed "test".
absl::StatusOr<boost::json::value> ApplyJsonPatch(const boost::json::value& doc,
                                                  const boost::json::value& patch);

}  // namespace skiff::api::patch
