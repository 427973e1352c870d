#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "skiff/base/random.h"
#include "skiff/base/time.h"

namespace skiff::base {
namespace {

TEST(TimeTest, FormatsAndParsesRfc3339) {
  absl::Time t = absl::FromUnixSeconds(1795813548);
  EXPECT_EQ(FormatRfc3339(t), "2026-11-27T21:05:48Z");
  EXPECT_EQ(FormatRfc3339Micro(t + absl::Microseconds(42)), "2026-11-27T21:05:48.000042Z");
  ASSERT_TRUE(ParseRfc3339("2026-11-27T21:05:48Z").has_value());
  EXPECT_EQ(*ParseRfc3339("2026-11-27T21:05:48Z"), t);
  EXPECT_EQ(*ParseRfc3339("2026-11-27T22:05:48+01:00"), t);
  EXPECT_FALSE(ParseRfc3339("yesterday").has_value());
}

TEST(RandomTest, UidIsVersion4) {
  std::regex re("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string uid = NewUid();
    EXPECT_TRUE(std::regex_match(uid, re)) << uid;
    seen.insert(uid);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(RandomTest, NameSuffixUsesKubernetesAlphabet) {
  for (int i = 0; i < 100; ++i) {
    std::string s = RandomNameSuffix();
    ASSERT_EQ(s.size(), 5u);
    EXPECT_EQ(s.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace skiff::base
