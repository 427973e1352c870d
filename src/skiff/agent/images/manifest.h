// Registry manifests as a pull reads them: Docker v2 schema 2 manifests and manifest lists, OCI
// image manifests and indexes. An index is narrowed to one platform the way containerd matches
// platforms (architecture aliases, ARM variants that run on newer cores). Pure functions;
// thread-safe.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace skiff::agent::images {

inline constexpr std::string_view kOciIndexType = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciManifestType = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kDockerListType =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerManifestType =
    "application/vnd.docker.distribution.manifest.v2+json";

// The Accept header of a manifest request: every type above.
std::string ManifestAccept();

struct Platform {
  std::string os = "linux";
  std::string architecture;  // GOARCH spelling: "amd64", "arm64", "arm"
  std::string variant;       // "v7" for arm, empty for most

  // "linux/amd64", "linux/arm/v7".
  std::string String() const;
};

// This machine's platform (uname's machine in GOARCH spelling).
Platform HostPlatform();

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = -1;  // -1 when the manifest gives none
};

// What a fetched manifest is, from its mediaType field, else the response's Content-Type.
enum class ManifestKind { kIndex, kImage };
absl::StatusOr<ManifestKind> ClassifyManifest(const boost::json::value& manifest,
                                              std::string_view content_type);

// The entry of an index or manifest list that runs on `want`: the exact platform first, then
// (for 32-bit ARM) the newest older variant. NotFound "no match for platform linux/s390x in
// manifest" when none fits.
absl::StatusOr<Descriptor> SelectPlatform(const boost::json::value& index, const Platform& want);

struct ImageManifest {
  Descriptor config;
  std::vector<Descriptor> layers;  // bottom layer first
};

// The config and layers of an image manifest, each with a valid sha256 digest.
absl::StatusOr<ImageManifest> ParseImageManifest(const boost::json::value& manifest);

}  // namespace skiff::agent::images
