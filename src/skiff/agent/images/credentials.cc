#include "skiff/agent/images/credentials.h"

#include <fnmatch.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/base/strings.h"

namespace skiff::agent::images {

namespace json = boost::json;

namespace {

struct Url {
  std::string host;  // with the port, as Go's url.URL.Host
  std::string path;
};

// "[https://]host[:port][/path]" read as the kubelet reads keys and images (a scheme is assumed
// when absent, user info and query are dropped).
std::optional<Url> ParseSchemeless(std::string_view s) {
  if (s.starts_with("https://")) {
    s.remove_prefix(8);
  } else if (s.starts_with("http://")) {
    s.remove_prefix(7);
  }
  s = s.substr(0, s.find_first_of("?#"));
  size_t slash = s.find('/');
  std::string_view authority = s.substr(0, slash);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  if (authority.empty() || authority.find_first_of(" \t") != std::string_view::npos) {
    return std::nullopt;
  }
  Url u;
  u.host = std::string(authority);
  if (slash != std::string_view::npos) u.path = std::string(s.substr(slash));
  return u;
}

// The index key of a config entry: host and path, with Docker's "/v1/" and "/v2/" API
// prefixes meaning the host alone.
std::optional<std::string> KeyOf(std::string_view registry) {
  auto u = ParseSchemeless(registry);
  if (!u) return std::nullopt;
  std::string_view path = u->path;
  if (path.starts_with("/v1/") || path.starts_with("/v2/")) path.remove_prefix(3);
  if (path.empty() || path == "/") return u->host;
  return api::Cat(u->host, path);
}

// Host labels and port, as Go's net.SplitHostPort splits them (no port when it cannot).
std::pair<std::vector<std::string>, std::string> SplitHost(std::string_view host) {
  std::string_view name = host, port;
  if (host.starts_with("[")) {
    size_t close = host.find(']');
    if (close != std::string_view::npos && host.substr(close + 1).starts_with(":")) {
      name = host.substr(1, close - 1);
      port = host.substr(close + 2);
    }
  } else if (size_t colon = host.find(':'); colon != std::string_view::npos &&
                                            host.find(':', colon + 1) == std::string_view::npos) {
    name = host.substr(0, colon);
    port = host.substr(colon + 1);
  }
  std::vector<std::string> labels;
  for (std::string_view l : api::Split(name, '.')) labels.emplace_back(l);
  return {labels, std::string(port)};
}

// Whether `key` (whose host labels may be globs) covers `repository`: same port, same number
// of labels each matching, and the key's path a prefix of the repository's.
bool KeyMatches(std::string_view key, std::string_view repository) {
  auto glob = ParseSchemeless(key);
  auto target = ParseSchemeless(repository);
  if (!glob || !target) return false;
  auto [glob_labels, glob_port] = SplitHost(glob->host);
  auto [target_labels, target_port] = SplitHost(target->host);
  if (glob_port != target_port || glob_labels.size() != target_labels.size()) return false;
  if (!target->path.starts_with(glob->path)) return false;
  for (size_t i = 0; i < glob_labels.size(); ++i) {
    if (::fnmatch(glob_labels[i].c_str(), target_labels[i].c_str(), FNM_PATHNAME) != 0) {
      return false;
    }
  }
  return true;
}

// Docker Hub's images: a first component that is not a host ("busybox", "user/app"), or one of
// its names.
bool IsDockerHubRepository(std::string_view repository) {
  size_t slash = repository.find('/');
  std::string_view head = repository.substr(0, slash);
  if (head.empty()) return false;
  if (slash == std::string_view::npos) return true;
  if (head == "docker.io" || head == "index.docker.io") return true;
  return head.find_first_of(".:") == std::string_view::npos;
}

absl::StatusOr<RegistryCredential> ParseEntry(std::string registry, const json::value& entry) {
  RegistryCredential c;
  c.registry = std::move(registry);
  if (!entry.is_object()) {
    return absl::InvalidArgumentError(api::Cat("entry \"", c.registry, "\" is not an object"));
  }
  c.username = std::string(api::GetString(entry, {"username"}));
  c.password = std::string(api::GetString(entry, {"password"}));
  std::string_view auth = api::GetString(entry, {"auth"});
  if (auth.empty()) return c;
  std::string decoded;
  if (!absl::Base64Unescape(base::Absl(api::TrimAscii(auth)), &decoded)) {
    return absl::InvalidArgumentError(
        api::Cat("entry \"", c.registry, "\": auth is not valid base64"));
  }
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(
        api::Cat("entry \"", c.registry,
                 "\": unable to parse auth field, must be formatted as base64(username:password)"));
  }
  c.username = decoded.substr(0, colon);
  c.password = decoded.substr(colon + 1);
  return c;
}

absl::StatusOr<std::vector<RegistryCredential>> ParseEntries(const json::value* auths,
                                                             std::string_view what) {
  std::vector<RegistryCredential> out;
  if (auths == nullptr || auths->is_null()) return out;
  if (!auths->is_object()) return absl::InvalidArgumentError(api::Cat(what, " is not an object"));
  for (const auto& kv : auths->get_object()) {
    auto c = ParseEntry(std::string(kv.key()), kv.value());
    if (!c.ok())
      return absl::InvalidArgumentError(api::Cat(what, ": ", base::Std(c.status().message())));
    out.push_back(std::move(*c));
  }
  return out;
}

absl::StatusOr<json::value> ParseJson(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return absl::InvalidArgumentError(api::Cat(what, " is not valid JSON: ", ec.message()));
  if (!v.is_object()) return absl::InvalidArgumentError(api::Cat(what, " is not a JSON object"));
  return v;
}

}  // namespace

absl::StatusOr<std::vector<RegistryCredential>> ParseDockerConfigJson(std::string_view text) {
  auto v = ParseJson(text, ".dockerconfigjson");
  if (!v.ok()) return v.status();
  return ParseEntries(api::Find(*v, {"auths"}), ".dockerconfigjson auths");
}

absl::StatusOr<std::vector<RegistryCredential>> ParseDockerCfg(std::string_view text) {
  auto v = ParseJson(text, ".dockercfg");
  if (!v.ok()) return v.status();
  return ParseEntries(&*v, ".dockercfg");
}

absl::StatusOr<std::vector<RegistryCredential>> CredentialsFromSecret(const json::value& secret) {
  std::string_view type = api::GetString(secret, {"type"});
  std::string_view key;
  if (type == "kubernetes.io/dockerconfigjson") {
    key = ".dockerconfigjson";
  } else if (type == "kubernetes.io/dockercfg") {
    key = ".dockercfg";
  } else {
    return std::vector<RegistryCredential>{};
  }
  std::string text;
  std::string_view encoded = api::GetString(secret, {"data", key});
  if (!encoded.empty()) {
    if (!absl::Base64Unescape(base::Absl(encoded), &text)) {
      return absl::InvalidArgumentError(api::Cat("secret ",
                                                 api::GetString(secret, {"metadata", "name"}),
                                                 ": data[", key, "] is not valid base64"));
    }
  } else {
    text = std::string(api::GetString(secret, {"stringData", key}));
  }
  if (text.empty()) return std::vector<RegistryCredential>{};
  auto parsed = key == ".dockercfg" ? ParseDockerCfg(text) : ParseDockerConfigJson(text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(api::Cat("secret ",
                                               api::GetString(secret, {"metadata", "name"}), ": ",
                                               base::Std(parsed.status().message())));
  }
  return parsed;
}

std::vector<RegistryCredential> MatchCredentials(const std::vector<RegistryCredential>& all,
                                                 std::string_view repository) {
  std::vector<std::pair<std::string, const RegistryCredential*>> keyed;
  std::vector<std::string> keys;
  for (const RegistryCredential& c : all) {
    auto key = KeyOf(c.registry);
    if (!key) continue;
    keyed.emplace_back(*key, &c);
    keys.push_back(*key);
  }
  // Reverse order puts "quay.io/team" before "quay.io": the more specific key first.
  std::sort(keys.begin(), keys.end(), std::greater<>());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  auto credentials_of = [&](std::string_view key, std::vector<RegistryCredential>& out) {
    for (const auto& [k, c] : keyed) {
      if (k == key) out.push_back(*c);
    }
  };
  std::vector<RegistryCredential> out;
  for (const std::string& key : keys) {
    if (KeyMatches(key, repository)) credentials_of(key, out);
  }
  if (out.empty() && IsDockerHubRepository(repository)) {
    // "https://index.docker.io/v1/" is how `docker login` records Docker Hub; the kubelet
    // applies it to Docker Hub images, as it does the name the registry API is served under.
    for (std::string_view alias : {"index.docker.io", "registry-1.docker.io"}) {
      credentials_of(alias, out);
    }
  }
  return out;
}

}  // namespace skiff::agent::images
