#include "skiff/agent/images/credentials.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"

namespace skiff::agent::images {
namespace {

namespace json = boost::json;

TEST(ParseDockerConfigJsonTest, UsernamePasswordAndAuth) {
  // "YWxpY2U6czNjcjp0" is base64("alice:s3cr:t"): the password keeps its colon.
  auto creds = ParseDockerConfigJson(R"({"auths": {
      "registry.example.com:5000": {"username": "bob", "password": "pw", "email": "b@x"},
      "https://index.docker.io/v1/": {"auth": "YWxpY2U6czNjcjp0"},
      "quay.io/team": {"username": "ignored", "password": "ignored", "auth": "Y2Fyb2w6eA"}
  }})");
  ASSERT_TRUE(creds.ok()) << creds.status();
  std::vector<RegistryCredential> want = {
      {"registry.example.com:5000", "bob", "pw"},
      {"https://index.docker.io/v1/", "alice", "s3cr:t"},
      {"quay.io/team", "carol", "x"},  // unpadded base64, as the kubelet accepts
  };
  EXPECT_EQ(*creds, want);
}

TEST(ParseDockerConfigJsonTest, Errors) {
  EXPECT_EQ(ParseDockerConfigJson("{").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDockerConfigJson("[]").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDockerConfigJson(R"({"auths": []})").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto no_colon = ParseDockerConfigJson(R"({"auths": {"r": {"auth": "bm9jb2xvbg=="}}})");
  EXPECT_EQ(no_colon.status().message(),
            ".dockerconfigjson auths: entry \"r\": unable to parse auth field, must be formatted "
            "as base64(username:password)");
  EXPECT_EQ(ParseDockerConfigJson(R"({"auths": {"r": {"auth": "!!"}}})").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ParseDockerConfigJson(R"({})")->empty());
  EXPECT_TRUE(ParseDockerConfigJson(R"({"auths": {}})")->empty());
}

TEST(CredentialsFromSecretTest, DockerConfigJsonAndDockercfg) {
  std::string config = R"({"auths":{"r.example":{"username":"u","password":"p"}}})";
  json::value secret = {{"metadata", {{"name", "pull"}}},
                        {"type", "kubernetes.io/dockerconfigjson"},
                        {"data", {{".dockerconfigjson", absl::Base64Escape(config)}}}};
  auto creds = CredentialsFromSecret(secret);
  ASSERT_TRUE(creds.ok()) << creds.status();
  EXPECT_EQ(*creds, (std::vector<RegistryCredential>{{"r.example", "u", "p"}}));

  json::value legacy = {
      {"type", "kubernetes.io/dockercfg"},
      {"data", {{".dockercfg", absl::Base64Escape(R"({"old.example":{"auth":"dTpw"}})")}}}};
  creds = CredentialsFromSecret(legacy);
  ASSERT_TRUE(creds.ok()) << creds.status();
  EXPECT_EQ(*creds, (std::vector<RegistryCredential>{{"old.example", "u", "p"}}));

  json::value opaque = {{"type", "Opaque"},
                        {"data", {{".dockerconfigjson", absl::Base64Escape(config)}}}};
  EXPECT_TRUE(CredentialsFromSecret(opaque)->empty());
  json::value broken = {{"metadata", {{"name", "pull"}}},
                        {"type", "kubernetes.io/dockerconfigjson"},
                        {"data", {{".dockerconfigjson", absl::Base64Escape("{nope")}}}};
  auto bad = CredentialsFromSecret(broken);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(std::string(bad.status().message())
                  .starts_with("secret pull: .dockerconfigjson is not valid JSON"))
      << bad.status();
}

std::vector<std::string> Users(const std::vector<RegistryCredential>& creds) {
  std::vector<std::string> out;
  for (const auto& c : creds) out.push_back(c.username);
  return out;
}

TEST(MatchCredentialsTest, Table) {
  const std::vector<RegistryCredential> all = {
      {"quay.io", "quay", ""},
      {"quay.io/coreos", "coreos", ""},
      {"https://registry.example.com:5000", "example5000", ""},
      {"registry.example.com", "example", ""},
      {"*.gcr.io", "gcr", ""},
      {"http://private.example/v2/", "private", ""},
      {"127.0.0.1:5000", "local", ""},
      {"quay.io", "quay2", ""},
  };
  struct Case {
    std::string repository;
    std::vector<std::string> users;
  };
  const std::vector<Case> cases = {
      // The more specific path first; several entries for one key in the order given.
      {"quay.io/coreos/etcd", {"coreos", "quay", "quay2"}},
      {"quay.io/other/app", {"quay", "quay2"}},
      // Ports must agree.
      {"registry.example.com:5000/app", {"example5000"}},
      {"registry.example.com/app", {"example"}},
      {"registry.example.com:6000/app", {}},
      // Globs cover one label each, never more.
      {"eu.gcr.io/project/app", {"gcr"}},
      {"a.b.gcr.io/project/app", {}},
      {"gcr.io/project/app", {}},
      // The scheme and the /v2/ API path of a key are dropped.
      {"private.example/app", {"private"}},
      {"127.0.0.1:5000/team/busybox", {"local"}},
      {"docker.io/library/busybox", {}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Users(MatchCredentials(all, c.repository)), c.users) << c.repository;
  }
}

TEST(MatchCredentialsTest, DockerHubAliases) {
  for (std::string key : {"https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io",
                          "docker.io", "https://index.docker.io/v2/"}) {
    std::vector<RegistryCredential> all = {{key, "hub", ""}, {"quay.io", "quay", ""}};
    EXPECT_EQ(Users(MatchCredentials(all, "docker.io/library/busybox")),
              std::vector<std::string>{"hub"})
        << key;
    EXPECT_EQ(Users(MatchCredentials(all, "docker.io/someone/app")),
              std::vector<std::string>{"hub"})
        << key;
    EXPECT_TRUE(MatchCredentials(all, "registry.example.com/app").empty()) << key;
  }
  // An exact "docker.io" key wins over the legacy name.
  std::vector<RegistryCredential> both = {{"https://index.docker.io/v1/", "legacy", ""},
                                          {"docker.io", "exact", ""}};
  EXPECT_EQ(Users(MatchCredentials(both, "docker.io/library/busybox")),
            std::vector<std::string>{"exact"});
  EXPECT_TRUE(MatchCredentials({}, "docker.io/library/busybox").empty());
}

}  // namespace
}  // namespace skiff::agent::images
