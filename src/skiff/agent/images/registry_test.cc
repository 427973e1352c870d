#include "skiff/agent/images/registry.h"

#include <crypt.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <mutex>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "skiff/agent/images/digest.h"
#include "skiff/agent/images/registry_auth.h"
#include "skiff/agent/images/test_registry.h"
#include "skiff/api/object.h"
#include "skiff/base/strings.h"

namespace skiff::agent::images {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::DockerRegistry;
using testing::HttpReply;
using testing::HttpRequest;
using testing::RunCommand;
using testing::TestHttpServer;

TEST(IsLoopbackRegistryTest, Table) {
  EXPECT_TRUE(IsLoopbackRegistry("127.0.0.1:5000"));
  EXPECT_TRUE(IsLoopbackRegistry("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackRegistry("localhost"));
  EXPECT_TRUE(IsLoopbackRegistry("localhost:5000"));
  EXPECT_TRUE(IsLoopbackRegistry("[::1]:5000"));
  EXPECT_FALSE(IsLoopbackRegistry("docker.io"));
  EXPECT_FALSE(IsLoopbackRegistry("10.0.0.1:5000"));
  EXPECT_FALSE(IsLoopbackRegistry("localhost.example.com"));
}

TEST(RegistryHostTest, DockerHubIsServedByRegistry1) {
  EXPECT_EQ(RegistryHost("docker.io"), "registry-1.docker.io");
  EXPECT_EQ(RegistryHost("index.docker.io"), "registry-1.docker.io");
  EXPECT_EQ(RegistryHost("quay.io"), "quay.io");
  EXPECT_EQ(RegistryHost("127.0.0.1:5000"), "127.0.0.1:5000");
}

std::string Base64(std::string_view s) { return absl::Base64Escape(base::Absl(s)); }

std::string MakeTempDir(const char* prefix) {
  std::string tmpl = api::Cat("/tmp/", prefix, "-XXXXXX");
  return ::mkdtemp(tmpl.data());
}

// The busybox image of scripts/make-busybox-image.sh as an OCI archive, built once per run.
class BusyboxArchive : public ::testing::Environment {
 public:
  static std::string Path() {
    static std::once_flag once;
    std::call_once(once, [] {
      dir_ = MakeTempDir("skiff-busybox");
      std::string out = dir_ + "/busybox.tar";
      std::string log;
      if (RunCommand({"/bin/bash", SKIFF_SOURCE_DIR "/scripts/make-busybox-image.sh", "--no-import",
                      "--output", out},
                     &log) == 0) {
        path_ = out;
      } else {
        ADD_FAILURE() << "make-busybox-image.sh failed: " << log;
      }
    });
    return path_;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

 private:
  static inline std::string dir_;
  static inline std::string path_;
};
[[maybe_unused]] auto* const busybox_environment =
    ::testing::AddGlobalTestEnvironment(new BusyboxArchive);

// A registry pull test: a scratch directory, an image store in it, and tools to fill
// registries (Debian's docker-registry, pushed to with skopeo).
class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* bin : {"/usr/bin/docker-registry", "/usr/bin/skopeo", "/usr/bin/openssl"}) {
      if (::access(bin, X_OK) != 0) GTEST_SKIP() << bin << " is missing (scripts/install-deps.sh)";
    }
    dir_ = MakeTempDir("skiff-registry");
    auto store = ImageStore::Open(dir_ + "/store");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    archive_ = BusyboxArchive::Path();
    ASSERT_FALSE(archive_.empty());
  }
  void TearDown() override {
    registry_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void StartRegistry(const std::string& http_extra = "", const std::string& top_extra = "") {
    registry_ = std::make_unique<DockerRegistry>(dir_, http_extra, top_extra);
    ASSERT_TRUE(registry_->ready()) << "docker-registry did not start: " << registry_->Log();
  }
  std::string Image(std::string_view repo_tag) const {
    return api::Cat(registry_->Address(), "/", repo_tag);
  }
  // skopeo copy `source` (default: the busybox archive) to `repo_tag` of the registry.
  void Push(std::string_view repo_tag, std::vector<std::string> extra = {},
            std::string source = "") {
    std::vector<std::string> argv = {"/usr/bin/skopeo", "copy", "--quiet",
                                     "--dest-tls-verify=false"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(source.empty() ? "oci-archive:" + archive_ : source);
    argv.push_back(api::Cat("docker://", Image(repo_tag)));
    std::string log;
    ASSERT_EQ(RunCommand(argv, &log), 0) << "skopeo: " << log << "\nregistry: " << registry_->Log();
  }
  void Openssl(std::vector<std::string> args) {
    args.insert(args.begin(), "/usr/bin/openssl");
    std::string log;
    ASSERT_EQ(RunCommand(args, &log), 0) << log;
  }
  std::string File(std::string_view name) const { return api::Cat(dir_, "/", name); }

  std::string dir_;
  std::string archive_;
  std::unique_ptr<ImageStore> store_;
  std::unique_ptr<DockerRegistry> registry_;
};

TEST_F(RegistryTest, PullsByTagAndByDigestOverPlainHttp) {
  ASSERT_NO_FATAL_FAILURE(StartRegistry());
  ASSERT_NO_FATAL_FAILURE(Push("team/busybox:1.0"));
  auto img = Pull(*store_, Image("team/busybox:1.0"));
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->name, Image("team/busybox:1.0"));
  EXPECT_EQ(img->chain_ids.size(), 1u);
  auto dirs = store_->PrepareLayers("c", *img);
  ASSERT_TRUE(dirs.ok()) << dirs.status();
  EXPECT_TRUE(fs::is_regular_file((*dirs)[0] + "/bin/busybox"));
  EXPECT_EQ(fs::read_symlink((*dirs)[0] + "/bin/sh").string(), "/bin/busybox");
  EXPECT_EQ(store_->Resolve(Image("team/busybox:1.0"))->manifest_digest, img->manifest_digest);

  auto by_digest = Pull(*store_, Image("team/busybox@") + img->manifest_digest);
  ASSERT_TRUE(by_digest.ok()) << by_digest.status();
  EXPECT_EQ(by_digest->config_digest, img->config_digest);
  EXPECT_EQ(by_digest->RepoDigest(), Image("team/busybox@") + img->manifest_digest);

  std::string ref = Image("team/busybox:2.0");
  auto missing = Pull(*store_, ref);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            api::Cat("failed to pull and unpack image \"", ref,
                     "\": failed to resolve reference \"", ref, "\": ", ref, ": not found"));
  auto wrong = Pull(*store_, Image("team/busybox@sha256:") + std::string(64, 'a'));
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kNotFound) << wrong.status();
}

// An OCI layout holding the busybox image under two platforms: this machine's and another
// (the same layers under a second config), joined by an image index named "multi".
struct MultiArchLayout {
  std::string dir;
  std::string host_manifest, other_manifest, index;
  std::string other_arch;
};

std::string PutLayoutBlob(const std::string& layout, const std::string& content) {
  std::string digest = DigestOf(content);
  EXPECT_TRUE(
      base::WriteFileAtomic(api::Cat(layout, "/blobs/sha256/", DigestHex(digest)), content).ok());
  return digest;
}

json::value ReadLayoutBlob(const std::string& layout, std::string_view digest) {
  return json::parse(*base::ReadFile(api::Cat(layout, "/blobs/sha256/", DigestHex(digest))));
}

TEST_F(RegistryTest, ManifestListPicksThePlatform) {
  ASSERT_NO_FATAL_FAILURE(StartRegistry());
  MultiArchLayout l;
  l.dir = File("layout");
  std::string log;
  ASSERT_EQ(RunCommand({"/usr/bin/skopeo", "copy", "--quiet", "oci-archive:" + archive_,
                        "oci:" + l.dir + ":single"},
                       &log),
            0)
      << log;
  json::value layout_index = json::parse(*base::ReadFile(l.dir + "/index.json"));
  l.host_manifest = std::string(api::GetString(layout_index.at("manifests").at(0), {"digest"}));
  json::value manifest = ReadLayoutBlob(l.dir, l.host_manifest);
  json::value config = ReadLayoutBlob(l.dir, api::GetString(manifest, {"config", "digest"}));
  Platform host = HostPlatform();
  ASSERT_EQ(api::GetString(config, {"architecture"}), host.architecture);
  l.other_arch = host.architecture == "arm64" ? "amd64" : "arm64";
  config.as_object()["architecture"] = l.other_arch;
  std::string other_config = json::serialize(config);
  manifest.as_object()["config"].as_object()["digest"] = PutLayoutBlob(l.dir, other_config);
  manifest.as_object()["config"].as_object()["size"] = other_config.size();
  std::string other_manifest = json::serialize(manifest);
  l.other_manifest = PutLayoutBlob(l.dir, other_manifest);
  auto entry = [&](const std::string& digest, const std::string& arch) {
    return json::object{
        {"mediaType", kOciManifestType},
        {"digest", digest},
        {"size", base::ReadFile(api::Cat(l.dir, "/blobs/sha256/", DigestHex(digest)))->size()},
        {"platform", {{"architecture", arch}, {"os", "linux"}}}};
  };
  std::string index = json::serialize(json::object{
      {"schemaVersion", 2},
      {"mediaType", kOciIndexType},
      {"manifests",
       {entry(l.other_manifest, l.other_arch), entry(l.host_manifest, host.architecture)}}});
  l.index = PutLayoutBlob(l.dir, index);
  json::object top = {{"schemaVersion", 2},
                      {"manifests",
                       {{{"mediaType", kOciIndexType},
                         {"digest", l.index},
                         {"size", index.size()},
                         {"annotations", {{"org.opencontainers.image.ref.name", "multi"}}}}}}};
  ASSERT_TRUE(base::WriteFileAtomic(l.dir + "/index.json", json::serialize(top)).ok());
  ASSERT_NO_FATAL_FAILURE(Push("team/multi:1.0", {"--all"}, "oci:" + l.dir + ":multi"));

  auto img = Pull(*store_, Image("team/multi:1.0"));
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->manifest_digest, l.host_manifest);
  EXPECT_EQ(api::GetString(img->config, {"architecture"}), host.architecture);

  PullOptions other;
  other.platform = Platform{"linux", l.other_arch, ""};
  auto other_img = Pull(*store_, Image("team/multi:1.0"), other);
  ASSERT_TRUE(other_img.ok()) << other_img.status();
  EXPECT_EQ(other_img->manifest_digest, l.other_manifest);
  EXPECT_EQ(api::GetString(other_img->config, {"architecture"}), l.other_arch);

  // By the index's digest too; a platform the index lacks is named in the error.
  auto by_digest = Pull(*store_, Image("team/multi@") + l.index);
  ASSERT_TRUE(by_digest.ok()) << by_digest.status();
  EXPECT_EQ(by_digest->manifest_digest, l.host_manifest);
  PullOptions s390x;
  s390x.platform = Platform{"linux", "s390x", ""};
  std::string ref = Image("team/multi:1.0");
  auto none = Pull(*store_, ref, s390x);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(
      none.status().message(),
      api::Cat("failed to pull and unpack image \"", ref, "\": failed to resolve reference \"", ref,
               "\": no match for platform linux/s390x in manifest ", l.index, ": not found"));
}

TEST_F(RegistryTest, TlsVerifiesTheCertificateAgainstTrustedCas) {
  const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                       "-nodes"};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  ASSERT_NO_FATAL_FAILURE(Openssl(with({"req", "-x509", "-days", "2", "-subj", "/CN=skiff test CA",
                                        "-keyout", File("ca.key"), "-out", File("ca.crt")},
                                       ec)));
  ASSERT_NO_FATAL_FAILURE(Openssl(with(
      {"req", "-subj", "/CN=127.0.0.1", "-keyout", File("server.key"), "-out", File("server.csr")},
      ec)));
  ASSERT_TRUE(base::WriteFileAtomic(File("server.ext"),
                                    "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                                    "extendedKeyUsage=serverAuth\n")
                  .ok());
  ASSERT_NO_FATAL_FAILURE(Openssl({"x509", "-req", "-days", "2", "-in", File("server.csr"), "-CA",
                                   File("ca.crt"), "-CAkey", File("ca.key"), "-CAcreateserial",
                                   "-extfile", File("server.ext"), "-out", File("server.crt")}));
  ASSERT_NO_FATAL_FAILURE(StartRegistry(api::Cat("  tls:\n    certificate: ", File("server.crt"),
                                                 "\n    key: ", File("server.key"), "\n")));
  ASSERT_NO_FATAL_FAILURE(Push("team/busybox:1.0"));
  std::string ref = Image("team/busybox:1.0");

  auto untrusted = Pull(*store_, ref);
  EXPECT_EQ(untrusted.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(
      untrusted.status().message(),
      api::Cat("failed to pull and unpack image \"", ref, "\": failed to resolve reference \"", ref,
               "\": failed to do request: Get \"https://", registry_->Address(),
               "/v2/team/busybox/manifests/1.0\": tls: failed to verify certificate: x509: "
               "certificate signed by unknown authority"));

  PullOptions trusted;
  trusted.ca_files = {File("ca.crt")};
  auto img = Pull(*store_, ref, trusted);
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->chain_ids.size(), 1u);

  // The certificate names 127.0.0.1 only.
  std::string by_name = api::Cat("localhost:", registry_->port(), "/team/busybox:1.0");
  auto mismatch = Pull(*store_, by_name, trusted);
  EXPECT_EQ(mismatch.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(
      mismatch.status().message(),
      "tls: failed to verify certificate: x509: certificate is valid for 127.0.0.1, not localhost"))
      << mismatch.status();

  PullOptions missing_ca;
  missing_ca.ca_files = {File("no-such-ca.crt")};
  auto bad = Pull(*store_, ref, missing_ca);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "no-such-ca.crt")) << bad.status();
}

// A bcrypt hash ($2b$) from libcrypt, as docker-registry's htpasswd wants; "" when this libcrypt
// cannot make one.
std::string Bcrypt(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (::crypt_gensalt_rn("$2b$", 5, nullptr, 0, salt, sizeof salt) == nullptr) return "";
  auto data = std::make_unique<crypt_data>();
  const char* hash = ::crypt_rn(password.c_str(), salt, data.get(), sizeof(crypt_data));
  return hash != nullptr && std::string_view(hash).starts_with("$2b$") ? hash : "";
}

TEST_F(RegistryTest, BasicAuthWithAndWithoutCredentials) {
  std::string hash = Bcrypt("secret");
  if (hash.empty()) GTEST_SKIP() << "libcrypt cannot make bcrypt hashes for an htpasswd file";
  ASSERT_TRUE(base::WriteFileAtomic(File("htpasswd"), "alice:" + hash + "\n").ok());
  ASSERT_NO_FATAL_FAILURE(StartRegistry(
      "",
      api::Cat("auth:\n  htpasswd:\n    realm: skiff-test\n    path: ", File("htpasswd"), "\n")));
  ASSERT_NO_FATAL_FAILURE(Push("team/busybox:1.0", {"--dest-creds", "alice:secret"}));
  std::string ref = Image("team/busybox:1.0");
  std::string denied = api::Cat(
      "failed to pull and unpack image \"", ref, "\": failed to resolve reference \"", ref,
      "\": pull access denied, repository does not exist or may require authorization: server "
      "message: unauthorized: authentication required");

  auto anonymous = Pull(*store_, ref);
  EXPECT_EQ(anonymous.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(anonymous.status().message(), denied);

  PullOptions wrong;
  wrong.credentials = {{registry_->Address(), "alice", "nope"}};
  auto refused = Pull(*store_, ref, wrong);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(refused.status().message(), denied);

  PullOptions other_registry;
  other_registry.credentials = {{"registry.example.com", "alice", "secret"}};
  EXPECT_EQ(Pull(*store_, ref, other_registry).status().code(), absl::StatusCode::kUnauthenticated);

  // Two pull secrets for the registry: the stale password first, as after a rotation.
  auto stale = ParseDockerConfigJson(api::Cat(R"({"auths":{")", registry_->Address(),
                                              R"(":{"username":"alice","password":"old"}}})"));
  auto current =
      ParseDockerConfigJson(api::Cat(R"({"auths":{"http://)", registry_->Address(),
                                     R"(":{"auth":")", Base64("alice:secret"), R"("}}})"));
  ASSERT_TRUE(stale.ok() && current.ok());
  PullOptions rotated;
  rotated.credentials = *stale;
  rotated.credentials.insert(rotated.credentials.end(), current->begin(), current->end());
  auto img = Pull(*store_, ref, rotated);
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->name, ref);
}

// A token issuer as the Distribution token spec describes it: RS256 JWTs whose x5c header holds
// a certificate in the registry's rootcertbundle. Grants what is asked to alice:secret, nothing
// to anonymous callers, and turns away other credentials.
class TokenServer {
 public:
  struct Issued {
    std::string user;
    std::string service;
    std::vector<std::string> scopes;
  };

  explicit TokenServer(const std::string& dir) : key_file_(dir + "/token.key") {
    std::string log;
    ok_ = RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                      "2", "-subj", "/CN=skiff test token issuer", "-keyout", key_file_, "-out",
                      dir + "/token.crt"},
                     &log) == 0;
    cert_file_ = dir + "/token.crt";
    std::string pem = base::ReadFile(cert_file_).value_or("");
    for (std::string_view line : api::Split(pem, '\n')) {
      if (!line.starts_with("-----")) x5c_.append(line);
    }
    server_ = std::make_unique<TestHttpServer>([this](const HttpRequest& r) { return Serve(r); });
  }

  bool ok() const { return ok_; }
  const std::string& cert_file() const { return cert_file_; }
  std::string Realm() const { return api::Cat("http://", server_->Address(), "/token"); }
  std::vector<Issued> issued() const {
    std::lock_guard lock(mu_);
    return issued_;
  }

 private:
  static std::string B64Url(std::string_view s) { return absl::WebSafeBase64Escape(base::Absl(s)); }

  HttpReply Serve(const HttpRequest& r) {
    Issued issued;
    if (auto it = r.headers.find("authorization"); it != r.headers.end()) {
      if (it->second != "Basic " + Base64("alice:secret")) {
        return {401,
                {{"Content-Type", "application/json"}},
                R"({"details":"incorrect username or password"})"};
      }
      issued.user = "alice";
    }
    auto service = r.query.find("service");
    if (service != r.query.end()) issued.service = service->second;
    json::array access;
    for (auto [it, end] = r.query.equal_range("scope"); it != end; ++it) {
      issued.scopes.push_back(it->second);
      std::string_view scope = it->second;
      size_t first = scope.find(':'), last = scope.rfind(':');
      if (issued.user.empty() || first == last) continue;
      json::array actions;
      for (std::string_view a : api::Split(scope.substr(last + 1), ',')) actions.emplace_back(a);
      access.push_back(json::object{{"type", scope.substr(0, first)},
                                    {"name", scope.substr(first + 1, last - first - 1)},
                                    {"actions", actions}});
    }
    int64_t now = absl::ToUnixSeconds(absl::Now());
    json::object claims = {{"iss", "skiff-test-issuer"},
                           {"sub", issued.user},
                           {"aud", issued.service},
                           {"exp", now + 300},
                           {"nbf", now - 10},
                           {"iat", now},
                           {"jti", DigestHex(DigestOf(std::to_string(now) + issued.user))},
                           {"access", access}};
    std::string token = Sign(claims);
    {
      std::lock_guard lock(mu_);
      issued_.push_back(std::move(issued));
    }
    return {200,
            {{"Content-Type", "application/json"}},
            json::serialize(json::object{{"token", token}, {"expires_in", 300}})};
  }

  std::string Sign(const json::object& claims) const {
    json::object header = {{"typ", "JWT"}, {"alg", "RS256"}, {"x5c", json::array{x5c_}}};
    std::string input =
        api::Cat(B64Url(json::serialize(header)), ".", B64Url(json::serialize(claims)));
    FILE* f = ::fopen(key_file_.c_str(), "r");
    if (f == nullptr) return "";
    EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    ::fclose(f);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t len = 0;
    std::string signature;
    if (key != nullptr && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
        EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) == 1) {
      signature.resize(len);
      EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size());
      signature.resize(len);
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return api::Cat(input, ".", B64Url(signature));
  }

  const std::string key_file_;
  std::string cert_file_;
  std::string x5c_;
  bool ok_ = false;
  mutable std::mutex mu_;
  std::vector<Issued> issued_;  // guarded by mu_
  std::unique_ptr<TestHttpServer> server_;
};

TEST_F(RegistryTest, TokenAuthAnonymousIsRefusedAndTokensAreCached) {
  TokenServer tokens(dir_);
  ASSERT_TRUE(tokens.ok());
  ASSERT_NO_FATAL_FAILURE(
      StartRegistry("", api::Cat("auth:\n  token:\n    realm: ", tokens.Realm(),
                                 "\n    service: skiff-test\n    issuer: skiff-test-issuer\n"
                                 "    rootcertbundle: ",
                                 tokens.cert_file(), "\n")));
  ASSERT_NO_FATAL_FAILURE(Push("team/busybox:1.0", {"--dest-creds", "alice:secret"}));
  size_t pushed = tokens.issued().size();
  std::string ref = Image("team/busybox:1.0");
  AuthCache cache;

  PullOptions anonymous;
  anonymous.auth_cache = &cache;
  auto refused = Pull(*store_, ref, anonymous);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(
      refused.status().message(),
      api::Cat("failed to pull and unpack image \"", ref, "\": failed to resolve reference \"", ref,
               "\": pull access denied, repository does not exist or may require "
               "authorization: server message: unauthorized: authentication required"));
  ASSERT_EQ(tokens.issued().size(), pushed + 1);
  TokenServer::Issued anon = tokens.issued().back();
  EXPECT_EQ(anon.user, "");
  EXPECT_EQ(anon.service, "skiff-test");
  EXPECT_EQ(anon.scopes, std::vector<std::string>{"repository:team/busybox:pull"});

  PullOptions wrong;
  wrong.auth_cache = &cache;
  wrong.credentials = {{registry_->Address(), "alice", "nope"}};
  auto bad = Pull(*store_, ref, wrong);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(
      bad.status().message(),
      api::Cat("failed to pull and unpack image \"", ref, "\": failed to resolve reference \"", ref,
               "\": failed to authorize: failed to fetch token: unexpected status from "
               "GET request to ",
               tokens.Realm(),
               "?service=skiff-test&scope=repository%3Ateam%2Fbusybox%3Apull: 401 "
               "Unauthorized: incorrect username or password"));

  PullOptions alice;
  alice.auth_cache = &cache;
  alice.credentials = {{registry_->Address(), "alice", "secret"}};
  size_t before = tokens.issued().size();
  auto img = Pull(*store_, ref, alice);
  ASSERT_TRUE(img.ok()) << img.status();
  // One token served the manifest and both blobs.
  EXPECT_EQ(tokens.issued().size(), before + 1);
  EXPECT_EQ(tokens.issued().back().user, "alice");

  // A later pull (into another store, so every blob is fetched again) reuses it.
  auto other_store = ImageStore::Open(File("store2"));
  ASSERT_TRUE(other_store.ok());
  auto again = Pull(**other_store, Image("team/busybox@") + img->manifest_digest, alice);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(tokens.issued().size(), before + 1);
}

// A registry that wants Basic credentials and sends blob downloads to another host, as
// registries hand out storage URLs; the storage host must not see the credentials.
TEST_F(RegistryTest, BlobRedirectsToAnotherHostWithoutCredentials) {
  std::string layout = File("layout");
  std::string log;
  ASSERT_EQ(RunCommand({"/usr/bin/skopeo", "copy", "--quiet", "oci-archive:" + archive_,
                        "oci:" + layout + ":app"},
                       &log),
            0)
      << log;
  json::value index = json::parse(*base::ReadFile(layout + "/index.json"));
  std::string manifest_digest(api::GetString(index.at("manifests").at(0), {"digest"}));
  auto blob = [&](std::string_view hex) {
    return base::ReadFile(api::Cat(layout, "/blobs/sha256/", hex)).value_or("");
  };

  std::mutex mu;
  std::vector<std::string> storage_auth;  // the Authorization each storage request carried
  std::atomic<bool> corrupt = false;
  TestHttpServer storage([&](const HttpRequest& r) -> HttpReply {
    {
      std::lock_guard lock(mu);
      auto it = r.headers.find("authorization");
      storage_auth.push_back(it == r.headers.end() ? "" : it->second);
    }
    std::string content = blob(r.path.substr(r.path.rfind('/') + 1));
    if (content.empty()) return {404, {}, ""};
    if (corrupt) content[content.size() / 2] ^= 1;
    return {200, {{"Content-Type", "application/octet-stream"}}, content};
  });
  std::string expected_auth = "Basic " + Base64("bob:pw");
  TestHttpServer front([&](const HttpRequest& r) -> HttpReply {
    auto auth = r.headers.find("authorization");
    if (auth == r.headers.end() || auth->second != expected_auth) {
      return {
          401,
          {{"WWW-Authenticate", R"(Basic realm="front")"}, {"Content-Type", "application/json"}},
          R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})"};
    }
    std::string prefix = "/v2/team/app/";
    if (r.path == prefix + "manifests/1.0") {
      return {200,
              {{"Content-Type", std::string(kOciManifestType)},
               {"Docker-Content-Digest", manifest_digest}},
              blob(DigestHex(manifest_digest))};
    }
    if (r.path.starts_with(prefix + "blobs/sha256:")) {
      std::string hex = r.path.substr(r.path.rfind(':') + 1);
      return {307,
              {{"Location", api::Cat("http://", storage.Address(), "/storage/", hex, "?sig=x")}},
              ""};
    }
    return {404, {}, ""};
  });

  std::string ref = api::Cat(front.Address(), "/team/app:1.0");
  PullOptions bob;
  bob.credentials = {{front.Address(), "bob", "pw"}};
  auto img = Pull(*store_, ref, bob);
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->manifest_digest, manifest_digest);
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(storage_auth, (std::vector<std::string>{"", ""}));  // config and layer
  }

  // Content that does not hash to its digest is refused.
  corrupt = true;
  auto other_store = ImageStore::Open(File("store2"));
  ASSERT_TRUE(other_store.ok());
  auto damaged = Pull(**other_store, ref, bob);
  EXPECT_EQ(damaged.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(damaged.status().message(), "arrived with content"))
      << damaged.status();
}

TEST(PullTest, ConnectionRefusedNamesTheAddress) {
  std::string dir = MakeTempDir("skiff-pull");
  auto store = ImageStore::Open(dir);
  ASSERT_TRUE(store.ok());
  int port = testing::FreePort();
  std::string ref = api::Cat("127.0.0.1:", port, "/team/app:latest");
  auto img = Pull(**store, ref);
  EXPECT_EQ(img.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(
      img.status().message(),
      api::Cat("failed to pull and unpack image \"", ref, "\": failed to resolve reference \"", ref,
               "\": failed to do request: Get \"https://127.0.0.1:", port,
               "/\": dial tcp 127.0.0.1:", port, ": connect: connection refused"));
  fs::remove_all(dir);
}

TEST(PullTest, SilentServersTimeOut) {
  std::string dir = MakeTempDir("skiff-pull");
  auto store = ImageStore::Open(dir);
  ASSERT_TRUE(store.ok());
  PullOptions quick;
  quick.connect_timeout = absl::Seconds(2);
  quick.read_timeout = absl::Milliseconds(300);

  // Accepts connections (the kernel does, from the backlog) and never says a word.
  int port = 0;
  int fd = testing::ListenLoopback(&port);
  std::string ref = api::Cat("127.0.0.1:", port, "/team/app:latest");
  absl::Time start = absl::Now();
  auto img = Pull(**store, ref, quick);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  EXPECT_EQ(img.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(img.status().message(), api::Cat("failed to pull and unpack image \"", ref,
                                             "\": failed to resolve reference \"", ref,
                                             "\": failed to do request: Get \"https://127.0.0.1:",
                                             port, "/\": net/http: TLS handshake timeout"));
  ::close(fd);

  // Speaks HTTP, but takes longer to answer than the pull waits.
  TestHttpServer slow([](const HttpRequest&) {
    ::usleep(1000000);
    return HttpReply{};
  });
  ref = api::Cat(slow.Address(), "/team/app:latest");
  start = absl::Now();
  img = Pull(**store, ref, quick);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  EXPECT_EQ(img.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(
      img.status().message(),
      api::Cat("failed to pull and unpack image \"", ref, "\": failed to resolve reference \"", ref,
               "\": failed to do request: Get \"http://", slow.Address(),
               "/v2/team/app/manifests/latest\": net/http: timeout awaiting response headers"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace skiff::agent::images
