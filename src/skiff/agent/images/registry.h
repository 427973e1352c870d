// Pulling images over the Distribution (registry v2) API into an ImageStore: the manifest (an
// image index or manifest list is narrowed to one platform), then the config and layer blobs,
// each checked against its digest, then the layers unpacked and the name recorded.
// Registries are reached over HTTPS with verified certificates; a registry on this machine
// (127.0.0.0/8, ::1, localhost) is reached over plain HTTP when it does not speak TLS, as
// containerd and Docker treat localhost. docker.io is served by registry-1.docker.io.
// Authentication follows the registry's 401 challenge: Bearer tokens from its realm (anonymous
// or with credentials; cached per scope until they expire) or Basic.
// Errors read as the kubelet shows containerd's in ErrImagePull messages. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "skiff/agent/images/credentials.h"
#include "skiff/agent/images/image_store.h"
#include "skiff/agent/images/manifest.h"

namespace skiff::agent::images {

class AuthCache;

struct PullOptions {
  // Credentials from image pull secrets (CredentialsFromSecret) in the pod's order. Those that
  // match the image's registry (MatchCredentials) are tried in turn until one is accepted;
  // with none matching, the pull is anonymous.
  std::vector<RegistryCredential> credentials;
  // PEM files of certificate authorities trusted beside the system's (/etc/ssl/certs).
  std::vector<std::string> ca_files;
  // Longest wait for a connection, and for any response bytes: an unreachable registry fails
  // the pull within these rather than hanging it; a slow download goes on while bytes come.
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration read_timeout = absl::Seconds(30);
  // The platform picked from an index; this machine's by default.
  Platform platform = HostPlatform();
  // Where bearer tokens are kept between pulls; nullptr for the process-wide cache.
  AuthCache* auth_cache = nullptr;
};

// Pulls `ref` ("busybox", "quay.io/team/app:v1", "127.0.0.1:5000/app@sha256:...") into `store`
// and returns the image. Errors, each "failed to pull and unpack image \"<ref>\": ...":
// NotFound (no such manifest or no entry for the platform), Unauthenticated / PermissionDenied
// (the registry refused every credential, or anonymous access), Unavailable (network, TLS),
// DeadlineExceeded (a timeout), DataLoss (content that does not match its digest),
// InvalidArgument (a bad reference or CA file).
absl::StatusOr<Image> Pull(ImageStore& store, std::string_view ref,
                           const PullOptions& options = {});

// True when `domain` ("127.0.0.1:5000", "localhost", "[::1]:5000") names this machine.
bool IsLoopbackRegistry(std::string_view domain);

// The host serving a reference's domain: "registry-1.docker.io" for "docker.io", else the
// domain itself.
std::string RegistryHost(std::string_view domain);

}  // namespace skiff::agent::images
