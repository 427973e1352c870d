#include "skiff/agent/images/extract.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>

#include "skiff/agent/images/digest.h"
#include "skiff/agent/images/test_tar.h"
#include "skiff/base/files.h"

namespace skiff::agent::images {
namespace {

namespace fs = std::filesystem;
using testing::Dir;
using testing::File;
using testing::Hardlink;
using testing::Symlink;
using testing::WriteTar;

// A scratch directory: <tmp>/root is the extraction target, <tmp>/outside must stay empty.
class ExtractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skiff-extract-XXXXXX";
    base_ = ::mkdtemp(tmpl);
    root_ = base_ + "/root";
    outside_ = base_ + "/outside";
    fs::create_directories(root_);
    fs::create_directories(outside_);
  }
  void TearDown() override { fs::remove_all(base_); }

  absl::StatusOr<std::string> Extract(const std::vector<testing::TarEntry>& entries,
                                      bool gzip = false) {
    std::string tar = base_ + "/layer.tar";
    EXPECT_TRUE(WriteTar(tar, entries, gzip));
    ExtractOptions opts;
    opts.same_owner = ::geteuid() == 0;
    return ExtractArchive(tar, root_, opts);
  }
  std::vector<std::string> Outside() {
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(outside_)) {
      names.push_back(e.path().lexically_relative(outside_).string());
    }
    return names;
  }
  std::string Read(const std::string& rel) {
    auto s = base::ReadFile(root_ + "/" + rel);
    return s.ok() ? *s : "<" + std::string(s.status().message()) + ">";
  }

  std::string base_, root_, outside_;
};

TEST_F(ExtractTest, FilesDirectoriesLinksAndMetadata) {
  auto diff = Extract({Dir("etc", 0700), File("etc/hostname", "box\n", 0640),
                       File("bin/busybox", "ELF", 0755), Symlink("bin/sh", "/bin/busybox"),
                       Hardlink("bin/ls", "bin/busybox"), File("./a/../b", "clean")});
  ASSERT_TRUE(diff.ok()) << diff.status();
  EXPECT_EQ(Read("etc/hostname"), "box\n");
  EXPECT_EQ(Read("b"), "clean");
  EXPECT_FALSE(fs::exists(root_ + "/a"));
  struct stat st;
  ASSERT_EQ(::stat((root_ + "/etc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_mtime, 1700000000);
  ASSERT_EQ(::stat((root_ + "/etc/hostname").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(fs::read_symlink(root_ + "/bin/sh").string(), "/bin/busybox");
  struct stat a, b;
  ASSERT_EQ(::stat((root_ + "/bin/ls").c_str(), &a), 0);
  ASSERT_EQ(::stat((root_ + "/bin/busybox").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(b.st_nlink, 2u);
}

TEST_F(ExtractTest, DiffIdIsTheDigestOfTheUncompressedStream) {
  std::vector<testing::TarEntry> entries = {File("x", std::string(100000, 'x')), Dir("d")};
  std::string plain = base_ + "/plain.tar";
  ASSERT_TRUE(WriteTar(plain, entries));
  auto want = DigestOfFile(plain);
  ASSERT_TRUE(want.ok());
  auto gz = Extract(entries, /*gzip=*/true);
  ASSERT_TRUE(gz.ok()) << gz.status();
  EXPECT_EQ(*gz, *want);
  auto raw = ExtractArchive(plain, root_, {});
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(*raw, *want);
}

TEST_F(ExtractTest, DotDotAndAbsoluteNamesStayInside) {
  auto diff = Extract({File("../outside/escaped", "x"), File("/../../outside/abs", "y"),
                       File("/etc/passwd", "root:x:0:0::/:/bin/sh\n")});
  ASSERT_TRUE(diff.ok()) << diff.status();
  EXPECT_EQ(Read("outside/escaped"), "x");
  EXPECT_EQ(Read("outside/abs"), "y");
  EXPECT_EQ(Read("etc/passwd"), "root:x:0:0::/:/bin/sh\n");
  EXPECT_EQ(Outside(), std::vector<std::string>{});
}

TEST_F(ExtractTest, AbsoluteSymlinkResolvesInsideTheRoot) {
  // "up" points at the host's root; writing through it lands in the extraction root.
  auto diff = Extract({Symlink("up", "/"), File("up/through", "inside")});
  ASSERT_TRUE(diff.ok()) << diff.status();
  EXPECT_EQ(Read("through"), "inside");
  EXPECT_EQ(Outside(), std::vector<std::string>{});
}

TEST_F(ExtractTest, SymlinkToTheHostCannotBeWrittenThrough) {
  auto diff = Extract({Symlink("evil", outside_), File("evil/pwned", "x")});
  EXPECT_FALSE(diff.ok());
  auto rel = Extract({Symlink("rel", "../../../../../.." + outside_), File("rel/pwned", "x")});
  EXPECT_FALSE(rel.ok());
  EXPECT_EQ(Outside(), std::vector<std::string>{});
}

TEST_F(ExtractTest, FileReplacesSymlinkInsteadOfFollowingIt) {
  ASSERT_TRUE(base::WriteFileAtomic(outside_ + "/target", "host").ok());
  auto diff = Extract({Symlink("link", outside_ + "/target"), File("link", "layer")});
  ASSERT_TRUE(diff.ok()) << diff.status();
  EXPECT_EQ(Read("link"), "layer");
  EXPECT_FALSE(fs::is_symlink(root_ + "/link"));
  EXPECT_EQ(*base::ReadFile(outside_ + "/target"), "host");
}

TEST_F(ExtractTest, HardlinksMustPointInside) {
  ASSERT_TRUE(base::WriteFileAtomic(outside_ + "/secret", "host secret").ok());
  auto up = Extract({Hardlink("h", "../outside/secret")});
  EXPECT_FALSE(up.ok());
  auto through = Extract({Symlink("s", outside_), Hardlink("h2", "s/secret")});
  EXPECT_FALSE(through.ok());
  struct stat st;
  ASSERT_EQ(::stat((outside_ + "/secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u);
  EXPECT_FALSE(fs::exists(root_ + "/h"));
  EXPECT_FALSE(fs::exists(root_ + "/h2"));
}

TEST_F(ExtractTest, WhiteoutsBecomeOverlayWhiteouts) {
  if (::geteuid() != 0) GTEST_SKIP() << "whiteout devices need root";
  auto diff =
      Extract({File("keep", "k"), File("etc/.wh.gone", ""), File("var/cache/.wh..wh..opq", "")});
  ASSERT_TRUE(diff.ok()) << diff.status();
  struct stat st;
  ASSERT_EQ(::lstat((root_ + "/etc/gone").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  EXPECT_FALSE(fs::exists(root_ + "/etc/.wh.gone"));
  char value[8] = {};
  ASSERT_EQ(::getxattr((root_ + "/var/cache").c_str(), "trusted.overlay.opaque", value, 8), 1);
  EXPECT_EQ(std::string(value), "y");
  EXPECT_FALSE(fs::exists(root_ + "/var/cache/.wh..wh..opq"));
}

TEST_F(ExtractTest, WhiteoutsAsPlainFilesWhenAsked) {
  std::string tar = base_ + "/layer.tar";
  ASSERT_TRUE(WriteTar(tar, {File(".wh.x", "")}));
  ExtractOptions opts;
  opts.overlay_whiteouts = false;
  opts.same_owner = false;
  ASSERT_TRUE(ExtractArchive(tar, root_, opts).ok());
  EXPECT_TRUE(fs::is_regular_file(root_ + "/.wh.x"));
}

TEST_F(ExtractTest, DirectoryReplacesFileAndFileReplacesDirectory) {
  auto first = Extract({File("a", "file"), Dir("b"), File("b/inner", "i")});
  ASSERT_TRUE(first.ok());
  auto second = Extract({Dir("a"), File("a/x", "x"), File("b", "now a file")});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(Read("a/x"), "x");
  EXPECT_EQ(Read("b"), "now a file");
}

TEST_F(ExtractTest, CorruptArchiveIsAnError) {
  std::string tar = base_ + "/bad.tar.gz";
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i)
    noise.push_back(static_cast<char>((x = x * 1103515245 + 12345) >> 24));
  ASSERT_TRUE(WriteTar(tar, {File("x", noise)}, /*gzip=*/true));
  fs::resize_file(tar, 1000);
  auto r = ExtractArchive(tar, root_, {});
  EXPECT_FALSE(r.ok());
}

TEST(RemoveTreeTest, DoesNotFollowSymlinks) {
  char tmpl[] = "/tmp/skiff-rmtree-XXXXXX";
  std::string base = ::mkdtemp(tmpl);
  fs::create_directories(base + "/victim");
  ASSERT_TRUE(base::WriteFileAtomic(base + "/victim/keep", "k").ok());
  fs::create_directories(base + "/tree/sub");
  fs::create_symlink(base + "/victim", base + "/tree/sub/link");
  ASSERT_TRUE(RemoveTree(base + "/tree").ok());
  EXPECT_FALSE(fs::exists(base + "/tree"));
  EXPECT_TRUE(fs::exists(base + "/victim/keep"));
  EXPECT_TRUE(RemoveTree(base + "/absent").ok());
  fs::remove_all(base);
}

}  // namespace
}  // namespace skiff::agent::images
