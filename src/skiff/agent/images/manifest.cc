#include "skiff/agent/images/manifest.h"

#include <sys/utsname.h>

#include <optional>

#include "skiff/agent/images/reference.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"

namespace skiff::agent::images {

namespace json = boost::json;

namespace {

// The spellings containerd's platform matcher folds together: uname's and Debian's
// architecture names, arm64 "v8" (the only arm64), amd64 "v1" (the baseline), and 32-bit ARM
// without a variant meaning v7.
Platform Normalize(Platform p) {
  p.os = api::ToLowerAscii(p.os);
  p.architecture = api::ToLowerAscii(p.architecture);
  p.variant = api::ToLowerAscii(p.variant);
  std::string& arch = p.architecture;
  std::string& variant = p.variant;
  if (arch == "x86_64" || arch == "x86-64") arch = "amd64";
  if (arch == "i386" || arch == "i686") arch = "386";
  if (arch == "aarch64") arch = "arm64";
  if (arch == "armhf") arch = "arm", variant = "v7";
  if (arch == "armel") arch = "arm", variant = "v6";
  if (arch.starts_with("armv") && arch.size() >= 5) {  // uname's "armv7l"
    variant = api::Cat("v", arch.substr(4, 1));
    arch = "arm";
  }
  if (variant.size() == 1 && variant[0] >= '0' && variant[0] <= '9') variant = "v" + variant;
  if (arch == "arm64" && variant == "v8") variant.clear();
  if (arch == "amd64" && variant == "v1") variant.clear();
  if (arch == "arm" && variant.empty()) variant = "v7";
  return p;
}

// How well an entry for `have` serves `want` (normalised): 0 exactly, n for an ARM variant n
// generations older, nullopt when it cannot run.
std::optional<int> MatchRank(const Platform& want, const Platform& have) {
  if (want.os != have.os || want.architecture != have.architecture) return std::nullopt;
  if (want.variant == have.variant) return 0;
  auto generation = [](const std::string& v) {
    return v.size() == 2 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' ? v[1] - '0' : -1;
  };
  int w = generation(want.variant), h = generation(have.variant);
  if (want.architecture == "arm" && w > 0 && h > 0 && h < w) return w - h;
  return std::nullopt;
}

Descriptor DescriptorOf(const json::value& d) {
  Descriptor out;
  out.media_type = std::string(api::GetString(d, {"mediaType"}));
  out.digest = std::string(api::GetString(d, {"digest"}));
  out.size = api::GetInt(d, {"size"}, -1);
  return out;
}

}  // namespace

std::string ManifestAccept() {
  return api::Cat(kOciIndexType, ", ", kOciManifestType, ", ", kDockerListType, ", ",
                  kDockerManifestType);
}

std::string Platform::String() const {
  std::string out = api::Cat(os, "/", architecture);
  if (!variant.empty()) api::AppendCat(&out, "/", variant);
  return out;
}

Platform HostPlatform() {
  utsname u;
  if (::uname(&u) != 0) return Platform{"linux", "amd64", ""};
  return Normalize(Platform{"linux", u.machine, ""});
}

absl::StatusOr<ManifestKind> ClassifyManifest(const json::value& manifest,
                                              std::string_view content_type) {
  std::string_view media = api::GetString(manifest, {"mediaType"});
  if (media.empty()) media = content_type.substr(0, content_type.find(';'));
  media = api::TrimAscii(media);
  if (media == kOciIndexType || media == kDockerListType) return ManifestKind::kIndex;
  if (media == kOciManifestType || media == kDockerManifestType) return ManifestKind::kImage;
  if (media.empty() || media == "application/json") {
    // OCI allows leaving mediaType out; the shape tells.
    if (api::GetArray(manifest, {"manifests"}) != nullptr) return ManifestKind::kIndex;
    if (api::GetObject(manifest, {"config"}) != nullptr) return ManifestKind::kImage;
  }
  if (media.starts_with("application/vnd.docker.distribution.manifest.v1") ||
      api::GetInt(manifest, {"schemaVersion"}) == 1) {
    return absl::UnimplementedError(
        "Docker Image Format v1 and Docker Image manifest version 2, schema 1 are not supported; "
        "the image must be pushed again with a current client");
  }
  return absl::InvalidArgumentError(api::Cat("unexpected manifest media type \"", media, "\""));
}

absl::StatusOr<Descriptor> SelectPlatform(const json::value& index, const Platform& want_raw) {
  Platform want = Normalize(want_raw);
  std::optional<Descriptor> best;
  int best_rank = 0;
  if (const json::array* list = api::GetArray(index, {"manifests"})) {
    for (const json::value& d : *list) {
      Platform have =
          Normalize(Platform{std::string(api::GetString(d, {"platform", "os"})),
                             std::string(api::GetString(d, {"platform", "architecture"})),
                             std::string(api::GetString(d, {"platform", "variant"}))});
      std::optional<int> rank = MatchRank(want, have);
      if (!rank || (best && *rank >= best_rank)) continue;
      best = DescriptorOf(d);
      best_rank = *rank;
    }
  }
  if (!best) {
    return absl::NotFoundError(
        api::Cat("no match for platform ", want_raw.String(), " in manifest"));
  }
  if (!IsDigest(best->digest)) {
    return absl::InvalidArgumentError(api::Cat("manifest entry for ", want_raw.String(),
                                               " has an invalid digest \"", best->digest, "\""));
  }
  return *best;
}

absl::StatusOr<ImageManifest> ParseImageManifest(const json::value& manifest) {
  if (api::GetInt(manifest, {"schemaVersion"}) != 2) {
    return absl::InvalidArgumentError("image manifest is not schemaVersion 2");
  }
  ImageManifest out;
  const json::value* config = api::Find(manifest, {"config"});
  if (config == nullptr) return absl::InvalidArgumentError("image manifest has no config");
  out.config = DescriptorOf(*config);
  if (const json::array* layers = api::GetArray(manifest, {"layers"})) {
    for (const json::value& l : *layers) out.layers.push_back(DescriptorOf(l));
  }
  if (!IsDigest(out.config.digest)) {
    return absl::InvalidArgumentError(
        api::Cat("image manifest names config digest \"", out.config.digest, "\""));
  }
  for (const Descriptor& l : out.layers) {
    if (!IsDigest(l.digest)) {
      return absl::InvalidArgumentError(
          api::Cat("image manifest names layer digest \"", l.digest, "\""));
    }
  }
  return out;
}

}  // namespace skiff::agent::images
