#include "skiff/controllers/deployment/util/hash.h"

#include <gtest/gtest.h>

#include <set>

namespace skiff::controllers::deployment {
namespace {

namespace json = boost::json;

const char kTemplate[] = R"({
  "metadata": {"labels": {"app": "web"}},
  "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}})";

TEST(HashTest, CanonicalJsonSortsKeysAndDropsEmptyMembers) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({"b":1,"a":2})", R"({"a":2,"b":1})"},
      {R"({"a":null,"b":{},"c":[],"d":{"e":null}})", "null"},
      {R"({"x":[{},null,1]})", R"({"x":[null,null,1]})"},
      {R"({"s":"q\"uote","n":-1.5,"t":true,"f":false,"z":0})",
       R"({"f":false,"n":-1.5E0,"s":"q\"uote","t":true,"z":0})"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(CanonicalJson(json::parse(in)), want) << in;
}

TEST(HashTest, ComputeHashIsPinnedAndUsesTheSafeAlphabet) {
  json::value t = json::parse(kTemplate);
  // Pinned (and cross-checked with an independent Python FNV-1a): new ReplicaSet names depend
  // on it; existing sets are still found by template equality after a change.
  EXPECT_EQ(ComputeHash(t, std::nullopt), "6c8d7489d5");
  EXPECT_EQ(ComputeHash(t, 1), "d898ff9b");
  for (int c : {0, 1, 2, 7, 100}) {
    std::string h = ComputeHash(t, c);
    EXPECT_TRUE(!h.empty() && h.size() <= 10 && h.find_first_not_of("456789bcdf") == h.npos) << h;
  }
}

TEST(HashTest, ComputeHashIgnoresKeyOrderEmptiesAndTheHashLabel) {
  std::string base = ComputeHash(json::parse(kTemplate), std::nullopt);
  const char* same[] = {
      R"({"spec": {"containers": [{"image": "nginx:1.27", "name": "web"}]},
          "metadata": {"labels": {"app": "web"}}})",
      R"({"metadata": {"creationTimestamp": null, "annotations": {},
                       "labels": {"app": "web", "pod-template-hash": "abc"}},
          "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "env": []}]}})",
  };
  for (const char* t : same) EXPECT_EQ(ComputeHash(json::parse(t), std::nullopt), base) << t;
  EXPECT_NE(ComputeHash(json::parse(R"({"metadata": {"labels": {"app": "web"}},
      "spec": {"containers": [{"name": "web", "image": "nginx:1.28"}]}})"),
                        std::nullopt),
            base);
}

TEST(HashTest, CollisionCountChangesTheHash) {
  json::value t = json::parse(kTemplate);
  std::set<std::string> seen{ComputeHash(t, std::nullopt)};
  for (int c = 0; c < 50; ++c) seen.insert(ComputeHash(t, c));
  EXPECT_EQ(seen.size(), 51u);
}

TEST(HashTest, EqualIgnoreHash) {
  json::value a = json::parse(kTemplate);
  json::value b = json::parse(R"({
    "metadata": {"labels": {"pod-template-hash": "6c8d7489d5", "app": "web"}},
    "spec": {"containers": [{"image": "nginx:1.27", "name": "web"}]}})");
  EXPECT_TRUE(EqualIgnoreHash(a, b));
  b.at("metadata").at("labels").as_object()["tier"] = "front";
  EXPECT_FALSE(EqualIgnoreHash(a, b));
}

}  // namespace
}  // namespace skiff::controllers::deployment
