#include "skiff/agent/images/registry.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "skiff/agent/images/digest.h"
#include "skiff/base/files.h"

extern char** environ;

namespace skiff::agent::images {
namespace {

namespace fs = std::filesystem;

TEST(IsLoopbackRegistryTest, Table) {
  EXPECT_TRUE(IsLoopbackRegistry("127.0.0.1:5000"));
  EXPECT_TRUE(IsLoopbackRegistry("localhost"));
  EXPECT_TRUE(IsLoopbackRegistry("localhost:5000"));
  EXPECT_TRUE(IsLoopbackRegistry("[::1]:5000"));
  EXPECT_FALSE(IsLoopbackRegistry("docker.io"));
  EXPECT_FALSE(IsLoopbackRegistry("10.0.0.1:5000"));
}

TEST(PullTest, RemoteRegistriesAreNotSupportedYet) {
  char tmpl[] = "/tmp/skiff-pull-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto store = ImageStore::Open(dir);
  ASSERT_TRUE(store.ok());
  auto img = Pull(**store, "busybox");
  EXPECT_EQ(img.status().code(), absl::StatusCode::kUnimplemented);
  fs::remove_all(dir);
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

int RunCommand(std::vector<std::string> argv) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid;
  if (::posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Debian's docker-registry on 127.0.0.1, fed by skopeo from the busybox image the project
// builds; the store pulls it back over the v2 API.
class LocalRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* bin : {"/usr/bin/docker-registry", "/usr/bin/skopeo"}) {
      if (::access(bin, X_OK) != 0) GTEST_SKIP() << bin << " is missing (scripts/install-deps.sh)";
    }
    char tmpl[] = "/tmp/skiff-registry-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    port_ = FreePort();
    std::string config = dir_ + "/config.yml";
    ASSERT_TRUE(base::WriteFileAtomic(
                    config,
                    "version: 0.1\nlog:\n  level: error\nstorage:\n"
                    "  filesystem:\n    rootdirectory: " +
                        dir_ + "/data\nhttp:\n  addr: 127.0.0.1:" + std::to_string(port_) + "\n")
                    .ok());
    std::string bin = "/usr/bin/docker-registry", serve = "serve";
    char* argv[] = {bin.data(), serve.data(), config.data(), nullptr};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, (dir_ + "/registry.log").c_str(), O_WRONLY | O_CREAT,
                                     0644);
    ASSERT_EQ(::posix_spawn(&registry_, bin.c_str(), &fa, nullptr, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    ASSERT_EQ(RunCommand({"/bin/bash", SKIFF_SOURCE_DIR "/scripts/make-busybox-image.sh",
                          "--no-import", "--output", dir_ + "/busybox.tar"}),
              0);
    std::string dest = "docker://127.0.0.1:" + std::to_string(port_) + "/team/busybox:1.0";
    int rc = -1;
    for (int i = 0; i < 50 && rc != 0; ++i) {  // until the registry listens
      rc = RunCommand({"/usr/bin/skopeo", "copy", "--quiet", "--dest-tls-verify=false",
                       "oci-archive:" + dir_ + "/busybox.tar", dest});
      if (rc != 0) ::usleep(100000);
    }
    ASSERT_EQ(rc, 0) << "skopeo could not push to the local registry";
    auto store = ImageStore::Open(dir_ + "/store");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }
  void TearDown() override {
    if (registry_ > 0) {
      ::kill(registry_, SIGTERM);
      ::waitpid(registry_, nullptr, 0);
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string Registry() { return "127.0.0.1:" + std::to_string(port_); }

  std::string dir_;
  int port_ = 0;
  pid_t registry_ = -1;
  std::unique_ptr<ImageStore> store_;
};

TEST_F(LocalRegistryTest, PullsByTagAndByDigest) {
  auto img = Pull(*store_, Registry() + "/team/busybox:1.0");
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->name, Registry() + "/team/busybox:1.0");
  EXPECT_EQ(img->chain_ids.size(), 1u);
  auto dirs = store_->PrepareLayers("c", *img);
  ASSERT_TRUE(dirs.ok()) << dirs.status();
  EXPECT_TRUE(fs::is_regular_file((*dirs)[0] + "/bin/busybox"));
  EXPECT_EQ(fs::read_symlink((*dirs)[0] + "/bin/sh").string(), "/bin/busybox");
  EXPECT_EQ(store_->Resolve(Registry() + "/team/busybox:1.0")->manifest_digest,
            img->manifest_digest);

  auto by_digest = Pull(*store_, Registry() + "/team/busybox@" + img->manifest_digest);
  ASSERT_TRUE(by_digest.ok()) << by_digest.status();
  EXPECT_EQ(by_digest->config_digest, img->config_digest);
  EXPECT_EQ(by_digest->RepoDigest(), Registry() + "/team/busybox@" + img->manifest_digest);

  auto missing = Pull(*store_, Registry() + "/team/busybox:2.0");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound) << missing.status();
  auto wrong = Pull(*store_, Registry() + "/team/busybox@sha256:" + std::string(64, 'a'));
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kNotFound) << wrong.status();
}

}  // namespace
}  // namespace skiff::agent::images
