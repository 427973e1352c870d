// The Status values every Store backend returns for the outcomes store.h names, so that callers
// (and the conformance tests) see the same codes and messages whatever the backend.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"

namespace skiff::store {

absl::Status KeyNotFoundError(std::string_view key);
absl::Status KeyExistsError(std::string_view key);
// OK when `expected_revision` is 0 (unconditional) or equals `mod_revision`, else
// FailedPrecondition.
absl::Status CheckRevision(std::string_view key, int64_t expected_revision, int64_t mod_revision);

}  // namespace skiff::store
