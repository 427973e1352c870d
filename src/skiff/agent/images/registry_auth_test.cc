#include "skiff/agent/images/registry_auth.h"

#include <gtest/gtest.h>

namespace skiff::agent::images {
namespace {

using Params = std::map<std::string, std::string>;

TEST(ParseWwwAuthenticateTest, Table) {
  struct Case {
    std::string header;
    std::vector<AuthChallenge> want;
  };
  const std::vector<Case> cases = {
      {R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")",
       {{"bearer", Params{{"realm", "https://auth.docker.io/token"},
                          {"service", "registry.docker.io"},
                          {"scope", "repository:library/busybox:pull"}}}}},
      {R"(Basic realm="Registry Realm")", {{"basic", Params{{"realm", "Registry Realm"}}}}},
      // Scheme and parameter names are case-insensitive; values are tokens or quoted strings,
      // with white space around '=' and ','.
      {"BEARER Realm = https://r.example/token , Service=reg",
       {{"bearer", Params{{"realm", "https://r.example/token"}, {"service", "reg"}}}}},
      // Commas and escapes inside quoted strings.
      {R"(Bearer realm="r",scope="repository:a/b:pull,push",error="insufficient_scope")",
       {{"bearer", Params{{"realm", "r"},
                          {"scope", "repository:a/b:pull,push"},
                          {"error", "insufficient_scope"}}}}},
      {R"(Bearer realm="say \"hi\" \\ back")",
       {{"bearer", Params{{"realm", R"(say "hi" \ back)"}}}}},
      // Several challenges in one value.
      {R"(Basic realm="a", Bearer realm="b",service="s")",
       {{"basic", Params{{"realm", "a"}}}, {"bearer", Params{{"realm", "b"}, {"service", "s"}}}}},
      {"Negotiate abc+/==, Basic realm=x",
       {{"negotiate", Params{}}, {"basic", Params{{"realm", "x"}}}}},
      {"Basic", {{"basic", Params{}}}},
      {"Basic, Bearer realm=t", {{"basic", Params{}}, {"bearer", Params{{"realm", "t"}}}}},
      {"", {}},
      {" , ", {}},
      // A malformed tail is dropped, keeping what came before it.
      {R"(Bearer realm="r",service="unterminated)", {{"bearer", Params{{"realm", "r"}}}}},
      {R"(Bearer realm="r" junk)", {{"bearer", Params{{"realm", "r"}}}}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseWwwAuthenticate(c.header), c.want) << c.header;
  }
}

TEST(PreferredChallengeTest, BearerBeforeBasicAcrossHeaders) {
  auto c = PreferredChallenge({R"(Basic realm="b")", R"(Bearer realm="t",service="s")"});
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->scheme, "bearer");
  EXPECT_EQ(c->params.at("realm"), "t");
  c = PreferredChallenge({R"(Digest realm="d", Basic realm="b")"});
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->scheme, "basic");
  EXPECT_FALSE(PreferredChallenge({"Negotiate abc"}).has_value());
  EXPECT_FALSE(PreferredChallenge({}).has_value());
}

TEST(ParseTokenResponseTest, TokenOrAccessTokenWithExpiry) {
  absl::Time now = absl::FromUnixSeconds(1000);
  auto t = ParseTokenResponse(R"({"token":"abc","expires_in":300})", now);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->token, "abc");
  EXPECT_EQ(t->expires, absl::FromUnixSeconds(1300));

  t = ParseTokenResponse(R"({"access_token":"xyz"})", now);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->token, "xyz");
  EXPECT_EQ(t->expires, absl::FromUnixSeconds(1060));  // the spec's default of 60 seconds

  t = ParseTokenResponse(R"({"token":"a","access_token":"b"})", now);
  EXPECT_EQ(t->token, "a");

  EXPECT_EQ(ParseTokenResponse(R"({"expires_in":60})", now).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTokenResponse("<html>", now).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(AuthCacheTest, TokensLastUntilShortlyBeforeTheyExpire) {
  AuthCache cache;
  absl::Time now = absl::FromUnixSeconds(1000);
  std::string key = AuthCache::TokenKey("https://t/token", "reg", {"repository:a:pull"}, "");
  EXPECT_NE(key, AuthCache::TokenKey("https://t/token", "reg", {"repository:a:pull"}, "alice"));
  EXPECT_NE(key, AuthCache::TokenKey("https://t/token", "reg", {"repository:b:pull"}, ""));
  EXPECT_FALSE(cache.Token(key, now).has_value());
  cache.PutToken(key, BearerToken{"tok", now + absl::Seconds(60)}, now);
  EXPECT_EQ(cache.Token(key, now + absl::Seconds(50)), "tok");
  EXPECT_FALSE(cache.Token(key, now + absl::Seconds(56)).has_value());

  EXPECT_FALSE(cache.Challenge("https://r").has_value());
  cache.PutChallenge("https://r", AuthChallenge{"basic", {{"realm", "x"}}});
  EXPECT_EQ(cache.Challenge("https://r")->scheme, "basic");
}

}  // namespace
}  // namespace skiff::agent::images
