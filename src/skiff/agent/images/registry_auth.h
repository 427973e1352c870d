// Registry authentication as the Distribution token spec and RFC 7235 describe it: parsing
// WWW-Authenticate challenges, reading token responses, and a cache of bearer tokens (per realm,
// service, scope and user, until they expire) and of the challenge each registry answered with,
// so that later pulls authenticate up front. The parsers are pure; AuthCache is thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace skiff::agent::images {

struct AuthChallenge {
  std::string scheme;                         // lower case: "bearer", "basic"
  std::map<std::string, std::string> params;  // keys lower case: "realm", "service", "scope"

  bool operator==(const AuthChallenge&) const = default;
};

// Every challenge in one WWW-Authenticate value ("Bearer realm=\"...\",service=\"...\"", or
// several: "Basic realm=\"r\", Bearer realm=\"t\""). Quoted strings may hold commas and
// backslash escapes; a malformed tail is dropped, keeping what came before it.
std::vector<AuthChallenge> ParseWwwAuthenticate(std::string_view value);

// The challenge a client answers among all of a response's WWW-Authenticate values: Bearer
// before Basic; nullopt when neither is offered.
std::optional<AuthChallenge> PreferredChallenge(const std::vector<std::string>& values);

struct BearerToken {
  std::string token;
  absl::Time expires;
};

// A token endpoint's JSON answer: `token`, else `access_token`; valid for `expires_in` seconds
// from `now` (60 when absent, as the spec says).
absl::StatusOr<BearerToken> ParseTokenResponse(std::string_view body, absl::Time now);

class AuthCache {
 public:
  // The process-wide cache pulls use unless given their own.
  static AuthCache& Default();

  // A token still good at `now` (with a few seconds to spare for the request it goes on).
  std::optional<std::string> Token(const std::string& key, absl::Time now) const;
  void PutToken(const std::string& key, BearerToken token, absl::Time now);

  // The challenge `registry` ("host:port") last answered with.
  std::optional<AuthChallenge> Challenge(const std::string& registry) const;
  void PutChallenge(const std::string& registry, AuthChallenge challenge);

  // The key of a token: what the token endpoint was asked and on whose behalf.
  static std::string TokenKey(std::string_view realm, std::string_view service,
                              const std::vector<std::string>& scopes, std::string_view user);

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, BearerToken> tokens_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, AuthChallenge> challenges_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skiff::agent::images
