// Registry credentials as Kubernetes image pull secrets carry them, and the choice of which
// apply to an image, following the kubelet's keyring (pkg/credentialprovider): keys are hosts
// with an optional port, path and scheme; host labels may be globs ("*.example.com"); more
// specific keys come first; Docker Hub images also use the keys of its legacy names. Pure
// functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace skiff::agent::images {

struct RegistryCredential {
  // The key as the config writes it: "registry.example.com:5000", "quay.io/team",
  // "https://index.docker.io/v1/".
  std::string registry;
  std::string username;
  std::string password;

  bool operator==(const RegistryCredential&) const = default;
};

// The `.dockerconfigjson` of a kubernetes.io/dockerconfigjson secret:
// {"auths": {"<registry>": {"username": "u", "password": "p"} or {"auth": "<base64 u:p>"}}}.
// `auth`, when present, wins over username and password, as in the kubelet.
absl::StatusOr<std::vector<RegistryCredential>> ParseDockerConfigJson(std::string_view text);
// The legacy `.dockercfg` of a kubernetes.io/dockercfg secret: the same entries at top level.
absl::StatusOr<std::vector<RegistryCredential>> ParseDockerCfg(std::string_view text);

// The credentials in a Secret object: its base64 `.dockerconfigjson` (type
// kubernetes.io/dockerconfigjson) or `.dockercfg` (kubernetes.io/dockercfg). Secrets of other
// types, or without that key, give none; a malformed one is InvalidArgument.
absl::StatusOr<std::vector<RegistryCredential>> CredentialsFromSecret(
    const boost::json::value& secret);

// The credentials for `repository` ("docker.io/library/busybox", "quay.io/team/app"), best
// match first, in the order a pull should try them. Empty when none applies (pull anonymously).
std::vector<RegistryCredential> MatchCredentials(const std::vector<RegistryCredential>& all,
                                                 std::string_view repository);

}  // namespace skiff::agent::images
