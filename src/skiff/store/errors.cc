#include "skiff/store/errors.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace skiff::store {

absl::Status KeyNotFoundError(std::string_view key) {
  return absl::NotFoundError(absl::StrCat("key not found: ", std::string(key)));
}

absl::Status KeyExistsError(std::string_view key) {
  return absl::AlreadyExistsError(absl::StrCat("key already exists: ", std::string(key)));
}

absl::Status CheckRevision(std::string_view key, int64_t expected_revision, int64_t mod_revision) {
  if (expected_revision == 0 || expected_revision == mod_revision) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("revision conflict on ", std::string(key),
                                                    ": expected ", expected_revision, ", current ",
                                                    mod_revision));
}

}  // namespace skiff::store
