#include "skiff/agent/images/image_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "skiff/agent/images/digest.h"
#include "skiff/agent/images/test_tar.h"
#include "skiff/base/files.h"

namespace skiff::agent::images {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::File;
using testing::Symlink;
using testing::TarEntry;
using testing::WriteTar;

struct Blob {
  std::string digest;
  std::string content;
};

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skiff-images-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto store = ImageStore::Open(dir_ + "/store");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A layer as stored (gzip when asked) and its diff ID.
  std::pair<Blob, std::string> Layer(const std::vector<TarEntry>& entries, bool gzip) {
    std::string plain = dir_ + "/plain.tar", stored = dir_ + "/stored.tar";
    EXPECT_TRUE(WriteTar(plain, entries));
    EXPECT_TRUE(WriteTar(stored, entries, gzip));
    std::string content = *base::ReadFile(stored);
    return {{DigestOf(content), content}, *DigestOfFile(plain)};
  }
  static Blob JsonBlob(const json::value& v) {
    std::string s = json::serialize(v);
    return {DigestOf(s), s};
  }
  static json::object Desc(std::string_view media, const Blob& b) {
    return {{"mediaType", media}, {"digest", b.digest}, {"size", b.content.size()}};
  }
  static json::object Config(const std::vector<std::string>& diff_ids) {
    json::array ids;
    for (const auto& d : diff_ids) ids.emplace_back(d);
    return {{"architecture", "amd64"},
            {"os", "linux"},
            {"config", {{"Env", {"PATH=/bin"}}, {"Cmd", {"sh"}}}},
            {"rootfs", {{"type", "layers"}, {"diff_ids", ids}}}};
  }
  static TarEntry BlobFile(const Blob& b) {
    return File("blobs/sha256/" + std::string(DigestHex(b.digest)), b.content);
  }

  // An OCI layout of two layers (the second gzip'd, removing etc/removed); `ref_name` is the
  // manifest's org.opencontainers.image.ref.name.
  std::string OciLayout(const std::string& ref_name, bool corrupt_diff = false) {
    auto [l1, d1] = Layer({File("bin/busybox", "ELF-1", 0755), Symlink("bin/sh", "busybox"),
                           File("etc/motd", "hello"), File("etc/removed", "r")},
                          false);
    auto [l2, d2] = Layer({File("etc/motd", "hello 2"), File("etc/.wh.removed", "")}, true);
    if (corrupt_diff) d2 = d1;
    Blob config = JsonBlob(Config({d1, d2}));
    Blob manifest =
        JsonBlob(json::object{{"schemaVersion", 2},
                              {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                              {"config", Desc("application/vnd.oci.image.config.v1+json", config)},
                              {"layers",
                               {Desc("application/vnd.oci.image.layer.v1.tar", l1),
                                Desc("application/vnd.oci.image.layer.v1.tar+gzip", l2)}}});
    json::object desc = Desc("application/vnd.oci.image.manifest.v1+json", manifest);
    desc["annotations"] = {{"org.opencontainers.image.ref.name", ref_name}};
    json::object index = {{"schemaVersion", 2}, {"manifests", {desc}}};
    manifest_digest_ = manifest.digest;
    config_digest_ = config.digest;
    diff_ids_ = {d1, d2};
    std::string tar = dir_ + "/oci.tar";
    EXPECT_TRUE(WriteTar(tar, {File("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"),
                               File("index.json", json::serialize(index)), BlobFile(l1),
                               BlobFile(l2), BlobFile(config), BlobFile(manifest)}));
    return tar;
  }

  std::vector<std::string> Files(const std::string& sub) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_ + "/store/" + sub)) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string dir_;
  std::unique_ptr<ImageStore> store_;
  std::string manifest_digest_, config_digest_;
  std::vector<std::string> diff_ids_;
};

TEST_F(ImageStoreTest, ImportsOciLayoutAndUnpacksLayers) {
  auto names = store_->Import(OciLayout("example.com/test/busybox:1.0"));
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, std::vector<std::string>{"example.com/test/busybox:1.0"});

  auto img = store_->Resolve("example.com/test/busybox:1.0");
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->manifest_digest, manifest_digest_);
  EXPECT_EQ(img->config_digest, config_digest_);
  EXPECT_EQ(img->RepoDigest(), "example.com/test/busybox@" + manifest_digest_);
  ASSERT_EQ(img->chain_ids.size(), 2u);
  EXPECT_EQ(img->chain_ids[0], diff_ids_[0]);
  EXPECT_EQ(img->chain_ids[1], DigestOf(diff_ids_[0] + " " + diff_ids_[1]));
  EXPECT_EQ(img->config.at("config").at("Env").at(0).as_string(), "PATH=/bin");

  auto dirs = store_->PrepareLayers("c1", *img);
  ASSERT_TRUE(dirs.ok()) << dirs.status();
  ASSERT_EQ(dirs->size(), 2u);
  EXPECT_EQ((*dirs)[0], dir_ + "/store/snapshots/" + std::string(DigestHex(img->chain_ids[1])));
  EXPECT_EQ(*base::ReadFile((*dirs)[0] + "/etc/motd"), "hello 2");
  EXPECT_EQ(*base::ReadFile((*dirs)[1] + "/bin/busybox"), "ELF-1");
  EXPECT_EQ(fs::read_symlink((*dirs)[1] + "/bin/sh").string(), "busybox");
  if (::geteuid() == 0) {
    EXPECT_TRUE(fs::is_character_file((*dirs)[0] + "/etc/removed"));
  }

  // By image ID, full or a 12-digit prefix.
  EXPECT_EQ(store_->Resolve(config_digest_)->name, "example.com/test/busybox:1.0");
  EXPECT_EQ(store_->Resolve(std::string(DigestHex(config_digest_)).substr(0, 12))->name,
            "example.com/test/busybox:1.0");
  EXPECT_EQ(store_->Resolve("example.com/test/busybox@" + manifest_digest_)->name,
            "example.com/test/busybox:1.0");
  EXPECT_EQ(store_->Resolve("example.com/test/busybox:2.0").status().code(),
            absl::StatusCode::kNotFound);
  // Only the image's own blobs stay: manifest, config and two layers.
  EXPECT_EQ(Files("blobs/sha256").size(), 4u);
}

TEST_F(ImageStoreTest, TagOnlyRefNameNeedsAName) {
  std::string tar = OciLayout("latest");
  auto names = store_->Import(tar);
  ASSERT_FALSE(names.ok());
  EXPECT_EQ(std::string(names.status().message()),
            "image " + manifest_digest_ + " in " + tar + " has no name: give one with --name");
  EXPECT_EQ(Files("blobs/sha256"), std::vector<std::string>{});
  EXPECT_EQ(Files("snapshots"), std::vector<std::string>{});
  auto named = store_->Import(tar, "busybox");
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(*named, std::vector<std::string>{"docker.io/library/busybox:latest"});
  EXPECT_EQ(store_->Resolve("busybox")->manifest_digest, manifest_digest_);
}

TEST_F(ImageStoreTest, ImportsDockerArchiveWithSharedLayers) {
  auto [layer, diff] = Layer({File("bin/busybox", "ELF", 0755)}, false);
  Blob config = JsonBlob(Config({diff, diff}));
  std::string cfg_name = std::string(DigestHex(config.digest)) + ".json";
  json::array manifest = {{{"Config", cfg_name},
                           {"RepoTags", {"busybox:latest", "busybox:1.35"}},
                           {"Layers", {"aaa/layer.tar", "bbb/layer.tar"}}}};
  std::string tar = dir_ + "/docker.tar";
  ASSERT_TRUE(WriteTar(tar, {File(cfg_name, config.content), File("aaa/layer.tar", layer.content),
                             Symlink("bbb/layer.tar", "../aaa/layer.tar"),
                             File("manifest.json", json::serialize(manifest))}));
  auto names = store_->Import(tar);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, (std::vector<std::string>{"docker.io/library/busybox:latest",
                                              "docker.io/library/busybox:1.35"}));
  auto img = store_->Resolve("busybox:1.35");
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->config_digest, config.digest);
  EXPECT_EQ(img->chain_ids, ChainIds({diff, diff}));
  EXPECT_EQ(img->size, static_cast<int64_t>(2 * layer.content.size()));
  auto list = store_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "docker.io/library/busybox:1.35");
  EXPECT_EQ((*list)[0].manifest_digest, (*list)[1].manifest_digest);
  // The manifest the store wrote is OCI and names the layer as uncompressed tar.
  auto manifest_text = base::ReadFile(store_->BlobPath(img->manifest_digest));
  json::value m = json::parse(*manifest_text);
  EXPECT_EQ(m.at("layers").at(1).at("mediaType").as_string(),
            "application/vnd.oci.image.layer.v1.tar");
  EXPECT_EQ(m.at("layers").at(1).at("digest").as_string(), layer.digest);
}

TEST_F(ImageStoreTest, RemoveCollectsWhatNothingNeeds) {
  ASSERT_TRUE(store_->Import(OciLayout("example.com/a:1")).ok());
  ASSERT_TRUE(store_->Tag("example.com/a:1", "example.com/a:2").ok());
  auto img = store_->Resolve("example.com/a:2");
  ASSERT_TRUE(img.ok());
  ASSERT_TRUE(store_->PrepareLayers("ctr", *img).ok());

  auto removed = store_->Remove("example.com/a:1");
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, std::vector<std::string>{"example.com/a:1"});
  EXPECT_EQ(Files("blobs/sha256").size(), 4u);  // a:2 still names it
  EXPECT_EQ(Files("snapshots").size(), 2u);

  removed = store_->Remove(config_digest_);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, std::vector<std::string>{"example.com/a:2"});
  EXPECT_EQ(Files("blobs/sha256"), std::vector<std::string>{});
  EXPECT_EQ(Files("snapshots").size(), 2u);  // the container's lease keeps its layers
  EXPECT_EQ(store_->Remove("example.com/a:2").status().code(), absl::StatusCode::kNotFound);

  ASSERT_TRUE(store_->ReleaseLayers("ctr").ok());
  ASSERT_TRUE(store_->Import(OciLayout("example.com/b:1", false)).ok());
  ASSERT_TRUE(store_->Remove("example.com/b:1").ok());
  EXPECT_EQ(Files("snapshots"), std::vector<std::string>{});
  EXPECT_EQ(Files("leases"), std::vector<std::string>{});
}

TEST_F(ImageStoreTest, PrepareLayersUnpacksAgainAfterCollection) {
  ASSERT_TRUE(store_->Import(OciLayout("example.com/a:1")).ok());
  auto img = store_->Resolve("example.com/a:1");
  ASSERT_TRUE(img.ok());
  fs::remove_all(dir_ + "/store/snapshots");
  fs::create_directories(dir_ + "/store/snapshots");
  auto dirs = store_->PrepareLayers("ctr", *img);
  ASSERT_TRUE(dirs.ok()) << dirs.status();
  EXPECT_EQ(*base::ReadFile((*dirs)[0] + "/etc/motd"), "hello 2");
}

TEST_F(ImageStoreTest, DiffIdMismatchLeavesNothingBehind) {
  auto names = store_->Import(OciLayout("example.com/a:1", /*corrupt_diff=*/true));
  ASSERT_FALSE(names.ok());
  EXPECT_EQ(names.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(std::string(names.status().message()).find("the image says " + diff_ids_[1]),
            std::string::npos)
      << names.status();
  EXPECT_EQ(store_->List()->size(), 0u);
  EXPECT_EQ(Files("snapshots"), std::vector<std::string>{});
  EXPECT_EQ(Files("blobs/sha256"), std::vector<std::string>{});
}

TEST_F(ImageStoreTest, BlobNotMatchingItsNameIsRejected) {
  Blob manifest = JsonBlob(json::object{{"schemaVersion", 2}});
  json::object desc = Desc("application/vnd.oci.image.manifest.v1+json", manifest);
  desc["annotations"] = {{"org.opencontainers.image.ref.name", "example.com/x:1"}};
  std::string tar = dir_ + "/bad.tar";
  ASSERT_TRUE(
      WriteTar(tar, {File("oci-layout", "{}"),
                     File("index.json", json::serialize(json::object{{"manifests", {desc}}})),
                     File("blobs/sha256/" + std::string(DigestHex(manifest.digest)), "tampered")}));
  auto names = store_->Import(tar);
  ASSERT_FALSE(names.ok());
  EXPECT_EQ(
      std::string(names.status().message()),
      "blob " + manifest.digest + " is missing from the archive or does not match its digest");
}

TEST_F(ImageStoreTest, NotAnImageTarball) {
  std::string tar = dir_ + "/other.tar";
  ASSERT_TRUE(WriteTar(tar, {File("README", "hi")}));
  auto names = store_->Import(tar);
  ASSERT_FALSE(names.ok());
  EXPECT_EQ(names.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(names.status().message()),
            tar +
                " is neither an OCI image layout (oci-layout, index.json) nor a "
                "docker-archive (manifest.json)");
  EXPECT_FALSE(store_->Import(dir_ + "/missing.tar").ok());
}

TEST(ChainIdsTest, FollowsTheImageSpec) {
  std::vector<std::string> diffs = {"sha256:a", "sha256:b", "sha256:c"};
  auto chain = ChainIds(diffs);
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain[0], "sha256:a");
  EXPECT_EQ(chain[1], DigestOf("sha256:a sha256:b"));
  EXPECT_EQ(chain[2], DigestOf(chain[1] + " sha256:c"));
}

}  // namespace
}  // namespace skiff::agent::images
