#include "skiff/agent/images/registry.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <optional>

#include "absl/strings/escaping.h"
#include "skiff/agent/images/digest.h"
#include "skiff/agent/images/fetch.h"
#include "skiff/agent/images/reference.h"
#include "skiff/agent/images/registry_auth.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/base/files.h"
#include "skiff/base/random.h"
#include "skiff/base/strings.h"

namespace skiff::agent::images {

namespace json = boost::json;

namespace {

// As containerd: a manifest larger than this is not one.
constexpr int64_t kMaxManifestBytes = 4 << 20;
constexpr int64_t kMaxTokenBytes = 1 << 20;
// An index pointing at an index pointing at ... stops here.
constexpr int kMaxIndexDepth = 4;

absl::Status WithPrefix(const absl::Status& s, std::string_view prefix) {
  return absl::Status(s.code(), api::Cat(prefix, base::Std(s.message())));
}

// The host part of a domain: "127.0.0.1:5000" -> "127.0.0.1", "[::1]:5000" -> "::1".
std::string_view HostOf(std::string_view domain) {
  if (domain.starts_with("[")) return domain.substr(1, domain.find(']') - 1);
  return domain.substr(0, domain.rfind(':'));
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr v4;
  return ::inet_pton(AF_INET, std::string(host).c_str(), &v4) == 1 &&
         (ntohl(v4.s_addr) >> 24) == 127;
}

// RFC 3986 percent-encoding for a query value.
std::string QueryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

// "unauthorized: authentication required", from the registry's
// {"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}.
std::string ServerMessage(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return "";
  std::vector<std::string> parts;
  if (const json::array* errors = api::GetArray(v, {"errors"})) {
    for (const json::value& e : *errors) {
      std::string code = api::ToLowerAscii(api::GetString(e, {"code"}));
      for (char& c : code) {
        if (c == '_') c = ' ';
      }
      std::string_view message = api::GetString(e, {"message"});
      parts.push_back(message.empty() ? code : api::Cat(code, ": ", message));
    }
  }
  // Token servers answer {"details": "..."} (Docker Hub) or {"error": "..."}.
  for (std::string_view key : {"details", "error"}) {
    if (std::string_view s = api::GetString(v, {key}); !s.empty()) parts.emplace_back(s);
  }
  return api::Join(parts, "; ");
}

absl::StatusCode CodeForStatus(int status) {
  switch (status) {
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    default:
      return absl::StatusCode::kUnavailable;
  }
}

// A registry answer other than 200, in containerd's words.
absl::Status UnexpectedStatus(const FetchResponse& r) {
  std::string server = ServerMessage(r.body);
  if (r.status == 401 || r.status == 403) {
    std::string msg = "pull access denied, repository does not exist or may require authorization";
    api::AppendCat(&msg, ": ", server.empty() ? r.status_text : "server message: " + server);
    return absl::Status(CodeForStatus(r.status), msg);
  }
  std::string msg = api::Cat("unexpected status from GET request to ", r.url, ": ", r.status_text);
  if (!server.empty()) api::AppendCat(&msg, ": ", server);
  return absl::Status(CodeForStatus(r.status), msg);
}

// One repository on one registry, on behalf of one user (or nobody): GETs that answer the
// registry's 401 challenge and retry once.
class Session {
 public:
  Session(const Fetcher& fetcher, std::string base, std::string repository,
          const RegistryCredential* credential, AuthCache& cache)
      : fetcher_(fetcher),
        base_(std::move(base)),
        repository_(std::move(repository)),
        credential_(credential),
        cache_(cache) {}

  absl::StatusOr<FetchResponse> Get(const std::string& path, std::string_view accept,
                                    const std::string& body_file, int64_t max_body) {
    if (authorization_.empty()) {
      // A registry that challenged before (this pull or an earlier one) is answered up front.
      // Best effort: should that fail (a realm gone away), the registry's 401 says what to do.
      if (auto known = cache_.Challenge(base_)) {
        if (!Authorize(*known, /*use_cache=*/true).ok()) authorization_.clear();
      }
    }
    bool sent_authorization = !authorization_.empty();
    auto r = Send(path, accept, body_file, max_body);
    if (!r.ok() || r->status != 401) return r;
    std::optional<AuthChallenge> challenge = PreferredChallenge(r->www_authenticate);
    if (!challenge || (challenge->scheme == "basic" && credential_ == nullptr)) return r;
    cache_.PutChallenge(base_, *challenge);
    // A token that was turned down is not asked for from the cache again.
    if (auto s = Authorize(*challenge, /*use_cache=*/!sent_authorization); !s.ok()) return s;
    return Send(path, accept, body_file, max_body);
  }

 private:
  absl::StatusOr<FetchResponse> Send(const std::string& path, std::string_view accept,
                                     const std::string& body_file, int64_t max_body) {
    FetchRequest req;
    req.url = base_ + path;
    if (!accept.empty()) req.headers.emplace_back("Accept", std::string(accept));
    if (!authorization_.empty()) req.headers.emplace_back("Authorization", authorization_);
    req.body_file = body_file;
    req.max_body = max_body;
    auto r = fetcher_.Get(std::move(req));
    if (!r.ok()) return WithPrefix(r.status(), "failed to do request: ");
    return r;
  }

  std::string BasicAuthorization() const {
    return "Basic " + absl::Base64Escape(
                          base::Absl(api::Cat(credential_->username, ":", credential_->password)));
  }

  absl::Status Authorize(const AuthChallenge& challenge, bool use_cache) {
    if (challenge.scheme == "basic") {
      if (credential_ != nullptr) authorization_ = BasicAuthorization();
      return absl::OkStatus();
    }
    auto token = BearerToken(challenge, use_cache);
    if (!token.ok()) return WithPrefix(token.status(), "failed to authorize: ");
    authorization_ = "Bearer " + *token;
    return absl::OkStatus();
  }

  // A token for pulling the repository from the challenge's realm (Distribution token spec).
  absl::StatusOr<std::string> BearerToken(const AuthChallenge& challenge, bool use_cache) {
    auto param = [&](const std::string& key) -> std::string {
      auto it = challenge.params.find(key);
      return it == challenge.params.end() ? "" : it->second;
    };
    std::string realm = param("realm");
    std::string service = param("service");
    std::vector<std::string> scopes = {api::Cat("repository:", repository_, ":pull")};
    std::string challenge_scope = param("scope");
    for (std::string_view s : api::Split(challenge_scope, ' ')) {
      if (!s.empty() && s != scopes[0]) scopes.emplace_back(s);
    }
    std::string user = credential_ != nullptr ? credential_->username : "";
    std::string key = AuthCache::TokenKey(realm, service, scopes, user);
    if (use_cache) {
      if (auto cached = cache_.Token(key, absl::Now())) return *cached;
    }
    std::string_view what =
        credential_ != nullptr ? "failed to fetch token" : "failed to fetch anonymous token";
    if (!realm.starts_with("https://") && !realm.starts_with("http://")) {
      return absl::UnavailableError(
          api::Cat(what, ": the registry names no usable token realm (\"", realm, "\")"));
    }
    if (credential_ != nullptr && realm.starts_with("http://")) {
      std::string_view rest = std::string_view(realm).substr(7);
      if (!IsLoopbackHost(HostOf(rest.substr(0, rest.find('/'))))) {
        return absl::PermissionDeniedError(
            api::Cat(what, ": refusing to send credentials over plain HTTP to ", realm));
      }
    }
    std::string url = realm;
    char sep = realm.find('?') == std::string::npos ? '?' : '&';
    if (!service.empty()) {
      api::AppendCat(&url, sep, "service=", QueryEscape(service));
      sep = '&';
    }
    for (const std::string& scope : scopes) {
      api::AppendCat(&url, sep, "scope=", QueryEscape(scope));
      sep = '&';
    }
    FetchRequest req;
    req.url = url;
    req.max_body = kMaxTokenBytes;
    if (credential_ != nullptr) req.headers.emplace_back("Authorization", BasicAuthorization());
    auto r = fetcher_.Get(std::move(req));
    if (!r.ok()) return WithPrefix(r.status(), api::Cat(what, ": "));
    if (r->status != 200) {
      std::string msg =
          api::Cat(what, ": unexpected status from GET request to ", url, ": ", r->status_text);
      if (std::string server = ServerMessage(r->body); !server.empty()) {
        api::AppendCat(&msg, ": ", server);
      }
      return absl::Status(CodeForStatus(r->status), msg);
    }
    absl::Time now = absl::Now();
    auto token = ParseTokenResponse(r->body, now);
    if (!token.ok()) return WithPrefix(token.status(), api::Cat(what, ": "));
    std::string value = token->token;
    cache_.PutToken(key, std::move(*token), now);
    return value;
  }

  const Fetcher& fetcher_;
  const std::string base_;  // "https://registry-1.docker.io"
  const std::string repository_;
  const RegistryCredential* const credential_;
  AuthCache& cache_;
  std::string authorization_;  // the Authorization header requests carry, once known
};

// The image manifest `ref` resolves to on `platform`, stored as a blob; its digest.
absl::StatusOr<std::string> FetchManifest(Session& session, ImageStore& store, const Reference& ref,
                                          const Platform& platform) {
  std::string want = ref.digest.empty() ? ref.tag : ref.digest;
  int64_t want_size = -1;
  std::string from_index;  // the index `want` was picked from
  for (int depth = 0; depth < kMaxIndexDepth; ++depth) {
    auto r = session.Get(api::Cat("/v2/", ref.path, "/manifests/", want), ManifestAccept(), "",
                         kMaxManifestBytes);
    if (!r.ok()) return r.status();
    if (r->status == 404) {
      if (from_index.empty()) return absl::NotFoundError(api::Cat(ref.String(), ": not found"));
      return absl::NotFoundError(
          api::Cat("manifest ", want, " of index ", from_index, ": not found"));
    }
    if (r->status != 200) return UnexpectedStatus(*r);
    std::string digest = DigestOf(r->body);
    if (IsDigest(want) && digest != want) {
      return absl::DataLossError(
          api::Cat("manifest ", want, " arrived with content of digest ", digest));
    }
    if (IsDigest(r->docker_content_digest) && r->docker_content_digest != digest) {
      return absl::DataLossError(api::Cat("manifest ", want, " has digest ", digest,
                                          ", the registry says ", r->docker_content_digest));
    }
    if (want_size >= 0 && static_cast<int64_t>(r->body.size()) != want_size) {
      return absl::DataLossError(api::Cat("manifest ", want, " is ", r->body.size(),
                                          " bytes, its index says ", want_size));
    }
    boost::system::error_code ec;
    json::value m = json::parse(r->body, ec);
    if (ec) return absl::DataLossError(api::Cat("manifest ", digest, " is not JSON"));
    auto kind = ClassifyManifest(m, r->content_type);
    if (!kind.ok()) return WithPrefix(kind.status(), api::Cat("manifest ", digest, ": "));
    if (*kind == ManifestKind::kImage) {
      if (auto parsed = ParseImageManifest(m); !parsed.ok()) {
        return absl::DataLossError(
            api::Cat("manifest ", digest, ": ", base::Std(parsed.status().message())));
      }
      return store.PutBlob(r->body);
    }
    auto entry = SelectPlatform(m, platform);
    if (absl::IsNotFound(entry.status())) {
      return absl::NotFoundError(
          api::Cat(base::Std(entry.status().message()), " ", digest, ": not found"));
    }
    if (!entry.ok()) return entry.status();
    from_index = digest;
    want = entry->digest;
    want_size = entry->size;
  }
  return absl::InvalidArgumentError(api::Cat(ref.String(), ": image indexes nested too deep"));
}

// Downloads one blob into the store unless it is there already.
absl::Status FetchBlob(Session& session, ImageStore& store, const Reference& ref,
                       const Descriptor& blob) {
  if (::access(store.BlobPath(blob.digest).c_str(), F_OK) == 0) return absl::OkStatus();
  std::string tmp = api::Cat(store.TempDir(), "/pull-", base::RandomNameSuffix(10));
  auto r = session.Get(api::Cat("/v2/", ref.path, "/blobs/", blob.digest), "", tmp, blob.size);
  absl::Status s;
  if (!r.ok()) {
    s = r.status();
  } else if (r->status == 404) {
    s = absl::NotFoundError(api::Cat(ref.Name(), "@", blob.digest, ": not found"));
  } else if (r->status != 200) {
    s = UnexpectedStatus(*r);
  } else {
    s = store.PutBlobFile(tmp, blob.digest);
    if (s.ok()) return s;
  }
  ::unlink(tmp.c_str());
  return WithPrefix(s, api::Cat("failed to copy ", blob.digest, ": "));
}

absl::StatusOr<Image> PullAs(ImageStore& store, const Reference& ref, const Fetcher& fetcher,
                             const std::string& base, const RegistryCredential* credential,
                             const PullOptions& options, AuthCache& cache) {
  Session session(fetcher, base, ref.path, credential, cache);
  auto manifest_digest = FetchManifest(session, store, ref, options.platform);
  if (!manifest_digest.ok()) {
    return WithPrefix(manifest_digest.status(),
                      api::Cat("failed to resolve reference \"", ref.String(), "\": "));
  }
  auto text = base::ReadFile(store.BlobPath(*manifest_digest));
  if (!text.ok()) return text.status();
  boost::system::error_code ec;
  auto manifest = ParseImageManifest(json::parse(*text, ec));
  if (!manifest.ok()) return manifest.status();
  std::vector<Descriptor> blobs = {manifest->config};
  blobs.insert(blobs.end(), manifest->layers.begin(), manifest->layers.end());
  for (const Descriptor& blob : blobs) {
    if (auto s = FetchBlob(session, store, ref, blob); !s.ok()) return s;
  }
  std::string name = ref.digest.empty() ? ref.String() : ref.Name() + "@" + ref.digest;
  return store.AddImage(name, *manifest_digest);
}

}  // namespace

bool IsLoopbackRegistry(std::string_view domain) { return IsLoopbackHost(HostOf(domain)); }

std::string RegistryHost(std::string_view domain) {
  if (domain == "docker.io" || domain == "index.docker.io") return "registry-1.docker.io";
  return std::string(domain);
}

absl::StatusOr<Image> Pull(ImageStore& store, std::string_view ref_text,
                           const PullOptions& options) {
  auto ref = ParseReference(ref_text);
  if (!ref.ok()) return ref.status();
  std::string prefix = api::Cat("failed to pull and unpack image \"", ref->String(), "\": ");
  auto fetcher = Fetcher::Create(
      FetchOptions{options.ca_files, options.connect_timeout, options.read_timeout});
  if (!fetcher.ok()) return WithPrefix(fetcher.status(), prefix);
  AuthCache& cache = options.auth_cache != nullptr ? *options.auth_cache : AuthCache::Default();

  std::string host = RegistryHost(ref->domain);
  std::string scheme = "https";
  if (IsLoopbackRegistry(ref->domain)) {
    auto tls = (*fetcher)->SpeaksTls(host);
    if (!tls.ok()) {
      return WithPrefix(tls.status(), api::Cat(prefix, "failed to resolve reference \"",
                                               ref->String(), "\": failed to do request: "));
    }
    if (!*tls) scheme = "http";
  }
  std::string base = api::Cat(scheme, "://", host);

  std::vector<RegistryCredential> matched = MatchCredentials(options.credentials, ref->Name());
  if (matched.empty()) {
    auto img = PullAs(store, *ref, **fetcher, base, nullptr, options, cache);
    if (!img.ok()) return WithPrefix(img.status(), prefix);
    return img;
  }
  // As the kubelet: each matching credential in turn, until the registry accepts one.
  absl::Status last;
  for (const RegistryCredential& c : matched) {
    auto img = PullAs(store, *ref, **fetcher, base, &c, options, cache);
    if (img.ok()) return img;
    last = img.status();
    if (!absl::IsUnauthenticated(last) && !absl::IsPermissionDenied(last)) break;
  }
  return WithPrefix(last, prefix);
}

}  // namespace skiff::agent::images
