#include "skiff/agent/images/registry_auth.h"

#include <boost/json.hpp>

#include "skiff/api/object.h"
#include "skiff/api/text.h"

namespace skiff::agent::images {

namespace {

// A cursor over one header value (RFC 7230 tokens, quoted strings, optional white space).
class HeaderCursor {
 public:
  explicit HeaderCursor(std::string_view s) : s_(s) {}

  bool Done() const { return i_ >= s_.size(); }
  char Peek() const { return Done() ? '\0' : s_[i_]; }
  size_t Position() const { return i_; }
  void Rewind(size_t to) { i_ = to; }
  void Advance() { ++i_; }

  void SkipSpace() {
    while (!Done() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  // Skips white space and commas (empty list elements are allowed).
  void SkipSeparators() {
    while (!Done() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == ',')) ++i_;
  }
  std::string_view Token() {
    size_t start = i_;
    while (!Done() && IsTokenChar(s_[i_])) ++i_;
    return s_.substr(start, i_ - start);
  }
  // A quoted string with its escapes undone; nullopt when it is not closed.
  std::optional<std::string> Quoted() {
    std::string out;
    ++i_;  // the opening quote
    while (!Done()) {
      char c = s_[i_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (Done()) return std::nullopt;
        c = s_[i_++];
      }
      out.push_back(c);
    }
    return std::nullopt;
  }
  // token68 ("abc+/=="), as Negotiate and others carry it; skipped, never used.
  void SkipToken68() {
    while (!Done() && (IsTokenChar(s_[i_]) || s_[i_] == '/')) ++i_;
    while (!Done() && s_[i_] == '=') ++i_;
  }
  // An unquoted value. Leniently up to the next separator: some servers leave URLs unquoted,
  // though ':' and '/' may not appear in a token.
  std::string_view Bare() {
    size_t start = i_;
    while (!Done() && s_[i_] != ',' && s_[i_] != ' ' && s_[i_] != '\t' && s_[i_] != '"') ++i_;
    return s_.substr(start, i_ - start);
  }
  // True when an auth-param ("name=") starts here; leaves the cursor where it was.
  bool AtParam() {
    size_t start = i_;
    bool param = !Token().empty();
    SkipSpace();
    param = param && Peek() == '=';
    if (param) {  // "abc==" is token68, not a parameter named abc
      ++i_;
      param = Peek() != '=';
    }
    i_ = start;
    return param;
  }

 private:
  static bool IsTokenChar(char c) {
    if (c >= 'a' && c <= 'z') return true;
    if (c >= 'A' && c <= 'Z') return true;
    if (c >= '0' && c <= '9') return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// The parameters after a scheme, up to the next challenge. False when the value is malformed
// from here on.
bool ParseParams(HeaderCursor& c, AuthChallenge& challenge) {
  for (;;) {
    c.SkipSpace();
    if (c.Done() || !c.AtParam()) return true;
    std::string name = api::ToLowerAscii(c.Token());
    c.SkipSpace();
    c.Advance();  // '='
    c.SkipSpace();
    std::string value;
    if (c.Peek() == '"') {
      auto quoted = c.Quoted();
      if (!quoted) return false;
      value = std::move(*quoted);
    } else {
      value = std::string(c.Bare());
    }
    challenge.params.emplace(std::move(name), std::move(value));
    c.SkipSpace();
    if (c.Done()) return true;
    if (c.Peek() != ',') return false;
    // After the comma: another parameter of this challenge, or the next challenge.
    size_t comma = c.Position();
    c.SkipSeparators();
    if (c.Done()) return true;
    if (!c.AtParam()) {
      c.Rewind(comma);
      return true;
    }
  }
}

}  // namespace

std::vector<AuthChallenge> ParseWwwAuthenticate(std::string_view value) {
  std::vector<AuthChallenge> out;
  HeaderCursor c(value);
  for (;;) {
    c.SkipSeparators();
    if (c.Done()) return out;
    std::string_view scheme = c.Token();
    if (scheme.empty()) return out;
    AuthChallenge challenge{api::ToLowerAscii(scheme), {}};
    c.SkipSpace();
    if (!c.Done() && c.Peek() != ',' && !c.AtParam()) c.SkipToken68();
    bool ok = ParseParams(c, challenge);
    out.push_back(std::move(challenge));
    if (!ok) return out;
  }
}

std::optional<AuthChallenge> PreferredChallenge(const std::vector<std::string>& values) {
  std::optional<AuthChallenge> basic;
  for (const std::string& v : values) {
    for (AuthChallenge& c : ParseWwwAuthenticate(v)) {
      if (c.scheme == "bearer") return std::move(c);
      if (c.scheme == "basic" && !basic) basic = std::move(c);
    }
  }
  return basic;
}

absl::StatusOr<BearerToken> ParseTokenResponse(std::string_view body, absl::Time now) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return absl::InvalidArgumentError("token response is not JSON");
  BearerToken out;
  out.token = std::string(api::GetString(v, {"token"}));
  if (out.token.empty()) out.token = std::string(api::GetString(v, {"access_token"}));
  if (out.token.empty()) {
    return absl::InvalidArgumentError("token response has neither token nor access_token");
  }
  int64_t seconds = api::GetInt(v, {"expires_in"}, 0);
  out.expires = now + absl::Seconds(seconds > 0 ? seconds : 60);
  return out;
}

AuthCache& AuthCache::Default() {
  static AuthCache* cache = new AuthCache;
  return *cache;
}

std::optional<std::string> AuthCache::Token(const std::string& key, absl::Time now) const {
  absl::MutexLock lock(&mu_);
  auto it = tokens_.find(key);
  // Spare a little for the request the token is about to go on.
  if (it == tokens_.end() || it->second.expires - absl::Seconds(5) <= now) return std::nullopt;
  return it->second.token;
}

void AuthCache::PutToken(const std::string& key, BearerToken token, absl::Time now) {
  absl::MutexLock lock(&mu_);
  absl::erase_if(tokens_, [now](const auto& entry) { return entry.second.expires <= now; });
  tokens_[key] = std::move(token);
}

std::optional<AuthChallenge> AuthCache::Challenge(const std::string& registry) const {
  absl::MutexLock lock(&mu_);
  auto it = challenges_.find(registry);
  if (it == challenges_.end()) return std::nullopt;
  return it->second;
}

void AuthCache::PutChallenge(const std::string& registry, AuthChallenge challenge) {
  absl::MutexLock lock(&mu_);
  challenges_[registry] = std::move(challenge);
}

std::string AuthCache::TokenKey(std::string_view realm, std::string_view service,
                                const std::vector<std::string>& scopes, std::string_view user) {
  return api::Cat(realm, "\n", service, "\n", api::Join(scopes, " "), "\n", user);
}

}  // namespace skiff::agent::images
