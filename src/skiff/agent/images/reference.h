// Image references as Docker and Kubernetes read them: "busybox" means
// "docker.io/library/busybox:latest". Parsing follows the distribution reference grammar
// (domain, lowercase path components, tag, sha256 digest). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace skiff::agent::images {

struct Reference {
  std::string domain;  // "docker.io", "registry.example.com:5000", "localhost"
  std::string path;    // "library/busybox"
  std::string tag;     // "latest" when neither tag nor digest was given
  std::string digest;  // "sha256:<64 hex>" or empty

  // "docker.io/library/busybox"
  std::string Name() const { return domain + "/" + path; }
  // The normalised form: name[:tag][@digest].
  std::string String() const;
  // How `docker images` shows it: "busybox", "user/app", "example.com/app".
  std::string FamiliarName() const;
};

// Parses and normalises `ref`. InvalidArgument names what is wrong ("invalid reference format:
// repository name must be lowercase").
absl::StatusOr<Reference> ParseReference(std::string_view ref);

// True for "sha256:<64 lowercase hex>".
bool IsDigest(std::string_view s);

}  // namespace skiff::agent::images
