// Pulling images over the Distribution (registry v2) API into an ImageStore: the manifest (an
// image index is narrowed to this machine's linux platform), then the config and layer blobs,
// each checked against its digest, then the layers unpacked and the name recorded.
// This first version speaks plain HTTP to loopback registries (127.0.0.0/8, ::1, localhost),
// such as a local Debian docker-registry; HTTPS and token authentication are not there yet.
// Thread-safe (no shared state besides the store, which is).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "skiff/agent/images/image_store.h"

namespace skiff::agent::images {

struct PullOptions {
  absl::Duration timeout = absl::Minutes(10);  // for each request
};

// Pulls `ref` ("127.0.0.1:5000/team/app:v1", "localhost:5000/app@sha256:...") into `store` and
// returns the image. NotFound when the registry has no such manifest; Unimplemented for
// registries the client cannot reach yet (not loopback, so HTTPS).
absl::StatusOr<Image> Pull(ImageStore& store, std::string_view ref,
                           const PullOptions& options = {});

// True when `domain` ("127.0.0.1:5000", "localhost", "[::1]:5000") names this machine.
bool IsLoopbackRegistry(std::string_view domain);

}  // namespace skiff::agent::images
