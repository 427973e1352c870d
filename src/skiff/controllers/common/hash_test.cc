#include "skiff/controllers/common/hash.h"

#include <gtest/gtest.h>

#include <utility>

namespace skiff::controllers {
namespace {

TEST(HashTest, Fnv32MatchesGoGoldenVectors) {
  const std::pair<std::string, uint32_t> cases[] = {
      {"", 0x811c9dc5u},    {"a", 0x050c5d7eu},      {"ab", 0x70772d38u},
      {"abc", 0x439c2f4bu}, {"foobar", 0x31f0b262u},
  };
  for (const auto& [in, want] : cases) {
    Fnv32 h;
    h.Write(in);
    EXPECT_EQ(h.Sum(), want) << in;
  }
  Fnv32 split;
  split.Write("foo");
  split.Write("bar");
  EXPECT_EQ(split.Sum(), 0x31f0b262u);
}

TEST(HashTest, Fnv32aMatchesReferenceVectors) {
  const std::pair<std::string, uint32_t> cases[] = {
      {"", 0x811c9dc5u},
      {"a", 0xe40c292cu},
      {"foobar", 0xbf9cf968u},
  };
  for (const auto& [in, want] : cases) {
    Fnv32a h;
    h.Write(in);
    EXPECT_EQ(h.Sum(), want) << in;
  }
  Fnv32a split;
  split.Write("foo");
  split.Write("bar");
  EXPECT_EQ(split.Sum(), 0xbf9cf968u);
}

TEST(HashTest, SafeEncodeStringMapsDigitsToKubernetesAlphabet) {
  EXPECT_EQ(SafeEncodeString("0123456789"), "456789bcdf");
  // The largest uint32 gives the longest possible hash.
  EXPECT_EQ(SafeEncodeString("4294967295"), "86f8fbc6f9");
  EXPECT_EQ(SafeEncodeString("abc"), "vwx");  // bytes 97, 98, 99 are 16, 17, 18 mod 27
}

}  // namespace
}  // namespace skiff::controllers
