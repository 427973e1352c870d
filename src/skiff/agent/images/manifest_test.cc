#include "skiff/agent/images/manifest.h"

#include <gtest/gtest.h>

#include "skiff/api/text.h"

namespace skiff::agent::images {
namespace {

namespace json = boost::json;

std::string D(char c) { return "sha256:" + std::string(64, c); }

json::value Entry(char digest, std::string_view os, std::string_view arch,
                  std::string_view variant = "") {
  json::object platform{{"os", os}, {"architecture", arch}};
  if (!variant.empty()) platform["variant"] = variant;
  return json::object{{"mediaType", kOciManifestType},
                      {"digest", D(digest)},
                      {"size", 500},
                      {"platform", platform}};
}

// The shape of Docker Hub's busybox index: Windows first, an attestation manifest, every ARM.
json::value HubIndex() {
  json::array m;
  m.push_back(Entry('e', "windows", "amd64"));
  m.push_back(Entry('a', "linux", "amd64"));
  m.push_back(Entry('5', "linux", "arm", "v5"));
  m.push_back(Entry('6', "linux", "arm", "v6"));
  m.push_back(Entry('7', "linux", "arm", "v7"));
  m.push_back(Entry('8', "linux", "arm64", "v8"));
  m.push_back(Entry('3', "linux", "386"));
  m.push_back(Entry('f', "linux", "ppc64le"));
  m.push_back(Entry('d', "unknown", "unknown"));
  return json::object{{"schemaVersion", 2}, {"mediaType", kOciIndexType}, {"manifests", m}};
}

TEST(SelectPlatformTest, Table) {
  struct Case {
    Platform want;
    char digest;  // 0: no match
  };
  const std::vector<Case> cases = {
      {{"linux", "amd64", ""}, 'a'},   {{"linux", "x86_64", ""}, 'a'},
      {{"linux", "arm64", ""}, '8'},   {{"linux", "aarch64", ""}, '8'},
      {{"linux", "arm64", "v8"}, '8'}, {{"linux", "arm", "v7"}, '7'},
      {{"linux", "arm", ""}, '7'},     {{"linux", "arm", "v6"}, '6'},
      {{"linux", "arm", "v5"}, '5'},   {{"linux", "armhf", ""}, '7'},
      {{"linux", "386", ""}, '3'},     {{"linux", "i386", ""}, '3'},
      {{"windows", "amd64", ""}, 'e'}, {{"LINUX", "AMD64", ""}, 'a'},
      {{"linux", "s390x", ""}, 0},     {{"darwin", "arm64", ""}, 0},
  };
  json::value index = HubIndex();
  for (const Case& c : cases) {
    auto d = SelectPlatform(index, c.want);
    if (c.digest == 0) {
      EXPECT_EQ(d.status().code(), absl::StatusCode::kNotFound) << c.want.String();
      continue;
    }
    ASSERT_TRUE(d.ok()) << c.want.String() << ": " << d.status();
    EXPECT_EQ(d->digest, D(c.digest)) << c.want.String();
    EXPECT_EQ(d->size, 500);
    EXPECT_EQ(d->media_type, kOciManifestType);
  }
}

TEST(SelectPlatformTest, OlderArmVariantWhenTheExactOneIsMissing) {
  json::array m;
  m.push_back(Entry('5', "linux", "arm", "v5"));
  m.push_back(Entry('6', "linux", "arm", "v6"));
  json::value index = json::object{{"manifests", m}};
  EXPECT_EQ(SelectPlatform(index, {"linux", "arm", "v7"})->digest, D('6'));
  EXPECT_EQ(SelectPlatform(index, {"linux", "arm", "v8"})->digest, D('6'));
  EXPECT_EQ(SelectPlatform(index, {"linux", "arm", "v6"})->digest, D('6'));
  EXPECT_FALSE(SelectPlatform(index, {"linux", "arm", "v4"}).ok());
}

TEST(SelectPlatformTest, FirstOfEqualMatchesAndEntryWithoutVariant) {
  json::array m;
  m.push_back(Entry('1', "linux", "amd64", "v1"));  // the baseline, as if no variant
  m.push_back(Entry('2', "linux", "amd64"));
  m.push_back(Entry('3', "linux", "arm64"));
  json::value index = json::object{{"manifests", m}};
  EXPECT_EQ(SelectPlatform(index, {"linux", "amd64", ""})->digest, D('1'));
  EXPECT_EQ(SelectPlatform(index, {"linux", "arm64", "v8"})->digest, D('3'));
}

TEST(SelectPlatformTest, ErrorsNameThePlatform) {
  auto d = SelectPlatform(HubIndex(), {"linux", "riscv64", ""});
  EXPECT_EQ(d.status().message(), "no match for platform linux/riscv64 in manifest");
  json::array m;
  m.push_back(json::object{{"digest", "sha256:short"},
                           {"platform", json::object{{"os", "linux"}, {"architecture", "amd64"}}}});
  d = SelectPlatform(json::object{{"manifests", m}}, {"linux", "amd64", ""});
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SelectPlatform(json::object{}, {"linux", "amd64", ""}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(HostPlatformTest, IsLinuxInGoSpelling) {
  Platform p = HostPlatform();
  EXPECT_EQ(p.os, "linux");
  EXPECT_NE(p.architecture, "x86_64");
  EXPECT_NE(p.architecture, "aarch64");
  EXPECT_FALSE(p.architecture.empty());
}

TEST(ClassifyManifestTest, ByMediaTypeThenContentTypeThenShape) {
  auto kind = [](std::string_view body, std::string_view content_type) {
    return ClassifyManifest(json::parse(body), content_type);
  };
  EXPECT_EQ(*kind(R"({"mediaType":"application/vnd.oci.image.index.v1+json"})", ""),
            ManifestKind::kIndex);
  EXPECT_EQ(
      *kind(R"({"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json"})", ""),
      ManifestKind::kIndex);
  EXPECT_EQ(*kind(R"({"mediaType":"application/vnd.docker.distribution.manifest.v2+json"})", ""),
            ManifestKind::kImage);
  EXPECT_EQ(*kind(R"({"schemaVersion":2})", "application/vnd.oci.image.manifest.v1+json"),
            ManifestKind::kImage);
  EXPECT_EQ(*kind(R"({"schemaVersion":2})", "application/vnd.oci.image.index.v1+json; x=y"),
            ManifestKind::kIndex);
  EXPECT_EQ(*kind(R"({"schemaVersion":2,"manifests":[]})", "application/json"),
            ManifestKind::kIndex);
  EXPECT_EQ(*kind(R"({"schemaVersion":2,"config":{}})", ""), ManifestKind::kImage);
  EXPECT_EQ(kind(R"({"schemaVersion":1,"fsLayers":[]})",
                 "application/vnd.docker.distribution.manifest.v1+prettyjws")
                .status()
                .code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(kind(R"({"mediaType":"text/html"})", "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseImageManifestTest, ConfigAndLayersInOrder) {
  auto m = ParseImageManifest(
      json::parse(api::Cat(R"({"schemaVersion":2,"config":{"mediaType":"c","digest":")", D('c'),
                           R"(","size":7},"layers":[{"digest":")", D('1'),
                           R"(","size":10},{"digest":")", D('2'), R"("}]})")));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->config.digest, D('c'));
  EXPECT_EQ(m->config.size, 7);
  ASSERT_EQ(m->layers.size(), 2u);
  EXPECT_EQ(m->layers[0].digest, D('1'));
  EXPECT_EQ(m->layers[1].digest, D('2'));
  EXPECT_EQ(m->layers[1].size, -1);
  EXPECT_FALSE(
      ParseImageManifest(json::parse(R"({"schemaVersion":2,"config":{"digest":"x"}})")).ok());
  EXPECT_FALSE(ParseImageManifest(json::parse(R"({"schemaVersion":1})")).ok());
}

}  // namespace
}  // namespace skiff::agent::images
