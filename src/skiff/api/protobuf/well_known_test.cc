#include "skiff/api/protobuf/well_known.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace skiff::api::protobuf::internal {
namespace {

TEST(FormatRfc3339Test, SecondsInUtc) {
  EXPECT_EQ(FormatRfc3339(1795813548, 0, false), "2026-11-27T21:05:48Z");
  EXPECT_EQ(FormatRfc3339(0, 0, false), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-1, 0, false), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(951825600, 0, false), "2000-02-29T12:00:00Z");
  EXPECT_EQ(FormatRfc3339(kGoZeroTimeSeconds, 0, false), "0001-01-01T00:00:00Z");
}

TEST(FormatRfc3339Test, MicrosecondsTruncateNanoseconds) {
  EXPECT_EQ(FormatRfc3339(1795813548, 123456789, true), "2026-11-27T21:05:48.123456Z");
  EXPECT_EQ(FormatRfc3339(1795813548, 0, true), "2026-11-27T21:05:48.000000Z");
}

TEST(FormatRfc3339Test, NanosecondsCarryIntoSeconds) {
  EXPECT_EQ(FormatRfc3339(0, 1'500'000'000, true), "1970-01-01T00:00:01.500000Z");
  EXPECT_EQ(FormatRfc3339(0, -1, true), "1969-12-31T23:59:59.999999Z");
}

TEST(FormatRfc3339Test, YearsOutsideZeroTo9999AreRejected) {
  EXPECT_EQ(FormatRfc3339(253402300799, 0, false), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(253402300800, 0, false), std::nullopt);
  EXPECT_EQ(FormatRfc3339(-62167219200, 0, false), "0000-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-62167219201, 0, false), std::nullopt);
  EXPECT_EQ(FormatRfc3339(INT64_MAX, 0, false), std::nullopt);
  EXPECT_EQ(FormatRfc3339(INT64_MIN, 0, false), std::nullopt);
  EXPECT_EQ(FormatRfc3339(INT64_MAX, 2'000'000'000, false), std::nullopt);
}

TEST(FormatGoDurationTest, MatchesGoDurationString) {
  EXPECT_EQ(FormatGoDuration(0), "0s");
  EXPECT_EQ(FormatGoDuration(1), "1ns");
  EXPECT_EQ(FormatGoDuration(1500), "1.5\xc2\xb5s");
  EXPECT_EQ(FormatGoDuration(1'500'000), "1.5ms");
  EXPECT_EQ(FormatGoDuration(1'000'000'000), "1s");
  EXPECT_EQ(FormatGoDuration(90'000'000'000), "1m30s");
  EXPECT_EQ(FormatGoDuration(3'723'500'000'000), "1h2m3.5s");
  EXPECT_EQ(FormatGoDuration(-1'000'000'000), "-1s");
  EXPECT_EQ(FormatGoDuration(INT64_MIN), "-2562047h47m16.854775808s");
}

TEST(ValidUtf8Test, KeepsValidTextAndReplacesEachBadByte) {
  EXPECT_EQ(ValidUtf8("plain"), "plain");
  EXPECT_EQ(ValidUtf8("gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80"),
            "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(ValidUtf8("a\xffz"), "a\xef\xbf\xbdz");
  // A truncated sequence: each byte is replaced on its own, as Go does.
  EXPECT_EQ(ValidUtf8("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");
  // Overlong encodings and surrogates are invalid.
  EXPECT_EQ(ValidUtf8("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(ValidUtf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

}  // namespace
}  // namespace skiff::api::protobuf::internal
