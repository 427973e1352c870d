#include "skiff/agent/images/reference.h"

#include <gtest/gtest.h>

namespace skiff::agent::images {
namespace {

constexpr char kDigest[] =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(ParseReferenceTest, Normalises) {
  struct Case {
    std::string in, want, familiar;
  };
  std::vector<Case> cases = {
      {"busybox", "docker.io/library/busybox:latest", "busybox"},
      {"busybox:1.36", "docker.io/library/busybox:1.36", "busybox"},
      {"library/busybox", "docker.io/library/busybox:latest", "busybox"},
      {"docker.io/busybox", "docker.io/library/busybox:latest", "busybox"},
      {"index.docker.io/library/busybox:1", "docker.io/library/busybox:1", "busybox"},
      {"user/app", "docker.io/user/app:latest", "user/app"},
      {"localhost/app", "localhost/app:latest", "localhost/app"},
      {"localhost:5000/app:v1", "localhost:5000/app:v1", "localhost:5000/app"},
      {"127.0.0.1:5000/a/b/c:x", "127.0.0.1:5000/a/b/c:x", "127.0.0.1:5000/a/b/c"},
      {"registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9", "registry.k8s.io/pause"},
      {"Example.com/app", "Example.com/app:latest", "Example.com/app"},
      {"my_app-x.y__z", "docker.io/library/my_app-x.y__z:latest", "my_app-x.y__z"},
      {std::string("busybox@") + kDigest, std::string("docker.io/library/busybox@") + kDigest,
       "busybox"},
      {std::string("busybox:1@") + kDigest, std::string("docker.io/library/busybox:1@") + kDigest,
       "busybox"},
  };
  for (const Case& c : cases) {
    auto ref = ParseReference(c.in);
    ASSERT_TRUE(ref.ok()) << c.in << ": " << ref.status();
    EXPECT_EQ(ref->String(), c.want) << c.in;
    EXPECT_EQ(ref->FamiliarName(), c.familiar) << c.in;
  }
}

TEST(ParseReferenceTest, Parts) {
  auto ref = ParseReference("localhost:5000/team/app:v2");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->domain, "localhost:5000");
  EXPECT_EQ(ref->path, "team/app");
  EXPECT_EQ(ref->tag, "v2");
  EXPECT_EQ(ref->digest, "");
  EXPECT_EQ(ref->Name(), "localhost:5000/team/app");
}

TEST(ParseReferenceTest, Rejects) {
  struct Case {
    std::string in, message;
  };
  std::vector<Case> cases = {
      {"", "invalid reference format: empty reference"},
      {"BusyBox", "invalid reference format: repository name must be lowercase"},
      {"docker.io/Library/busybox", "invalid reference format: repository name must be lowercase"},
      {"busybox:", "invalid reference format: invalid tag \"\""},
      {"busybox:-x", "invalid reference format: invalid tag \"-x\""},
      {"busybox@sha256:abc", "invalid reference format: invalid digest \"sha256:abc\""},
      {"a//b", "invalid reference format: invalid repository path component \"\""},
      {"-app", "invalid reference format: invalid repository path component \"-app\""},
      {"app-", "invalid reference format: invalid repository path component \"app-\""},
      {"a..b", "invalid reference format: invalid repository path component \"a..b\""},
      {"host:/app", "invalid reference format: invalid registry \"host:\""},
      {"-host.com/app", "invalid reference format: invalid registry \"-host.com\""},
      {":tag", "invalid reference format: empty repository name"},
      {"example.com/" + std::string(250, 'a'),
       "invalid reference format: repository name must not be more than 255 characters"},
  };
  for (const Case& c : cases) {
    auto ref = ParseReference(c.in);
    ASSERT_FALSE(ref.ok()) << c.in << " parsed as " << ref->String();
    EXPECT_EQ(ref.status().code(), absl::StatusCode::kInvalidArgument) << c.in;
    EXPECT_EQ(std::string(ref.status().message()), c.message) << c.in;
  }
}

TEST(IsDigestTest, Table) {
  EXPECT_TRUE(IsDigest(kDigest));
  EXPECT_FALSE(IsDigest("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
  EXPECT_FALSE(IsDigest("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  EXPECT_FALSE(IsDigest("sha256:e3b0"));
}

}  // namespace
}  // namespace skiff::agent::images
