#include "skiff/api/table/format.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace skiff::api::table {
namespace {

namespace json = boost::json;

absl::Duration Ms(int64_t ms) { return absl::Milliseconds(ms); }
constexpr int64_t kSec = 1000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kYear = 365 * kDay;

TEST(HumanDurationTest, Fenceposts) {
  struct Case {
    int64_t ms;
    std::string want;
  };
  const std::vector<Case> cases = {
      {-2 * kSec, "<invalid>"},
      {-2 * kSec + 1, "0s"},
      {-1, "0s"},
      {0, "0s"},
      {kSec - 1, "0s"},
      {kSec, "1s"},
      {59 * kSec, "59s"},
      {70 * kSec, "70s"},
      {2 * kMin - 1, "119s"},
      {2 * kMin, "2m"},
      {2 * kMin + kSec, "2m1s"},
      {190 * kSec, "3m10s"},
      {10 * kMin - 1, "9m59s"},
      {10 * kMin, "10m"},
      {10 * kMin + kSec, "10m"},
      {60 * kMin, "60m"},
      {119 * kMin, "119m"},
      {3 * kHour - 1, "179m"},
      {3 * kHour, "3h"},
      {3 * kHour + kMin, "3h1m"},
      {8 * kHour - 1, "7h59m"},
      {8 * kHour, "8h"},
      {8 * kHour + 59 * kMin, "8h"},
      {47 * kHour, "47h"},
      {2 * kDay - 1, "47h"},
      {2 * kDay, "2d"},
      {2 * kDay + kHour, "2d1h"},
      {3 * kDay, "3d"},
      {5 * kDay, "5d"},
      {8 * kDay - 1, "7d23h"},
      {8 * kDay, "8d"},
      {8 * kDay + 23 * kHour, "8d"},
      {367 * kDay, "367d"},
      {2 * kYear - 1, "729d"},
      {2 * kYear, "2y"},
      {2 * kYear + kDay - 1, "2y"},
      {2 * kYear + kDay, "2y1d"},
      {2 * kYear + 10 * kDay, "2y10d"},
      {8 * kYear - 1, "7y364d"},
      {8 * kYear, "8y"},
      {8 * kYear + 364 * kDay, "8y"},
      {9 * kYear, "9y"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(HumanDuration(Ms(c.ms)), c.want) << c.ms << "ms";
  }
}

TEST(TranslateTimestampSinceTest, MissingOrMalformedIsUnknown) {
  absl::Time now = absl::FromUnixSeconds(1717243200);  // 2024-06-01T12:00:00Z
  EXPECT_EQ(TranslateTimestampSince(json::value(nullptr), now), "<unknown>");
  EXPECT_EQ(TranslateTimestampSince(nullptr, now), "<unknown>");
  EXPECT_EQ(TranslateTimestampSince(json::value("yesterday"), now), "<unknown>");
  EXPECT_EQ(TranslateTimestampSince(json::value(42), now), "<unknown>");
  EXPECT_EQ(TranslateTimestampSince(json::value("0001-01-01T00:00:00Z"), now), "<unknown>");
}

TEST(TranslateTimestampSinceTest, Ages) {
  absl::Time now = absl::FromUnixSeconds(1717243200);  // 2024-06-01T12:00:00Z
  EXPECT_EQ(TranslateTimestampSince(json::value("2024-06-01T11:00:00Z"), now), "60m");
  EXPECT_EQ(TranslateTimestampSince(json::value("2024-05-27T12:00:00Z"), now), "5d");
  EXPECT_EQ(TranslateTimestampSince(json::value("2024-05-27T10:00:00Z"), now), "5d2h");
  EXPECT_EQ(TranslateTimestampSince(json::value("2024-06-01T11:59:59.500000Z"), now), "0s");
  EXPECT_EQ(TranslateTimestampSince(json::value("2024-06-01T13:00:00+01:00"), now), "0s");
  EXPECT_EQ(TranslateTimestampSince(json::value("2024-06-01T12:00:05Z"), now), "<invalid>");
}

TEST(FormatLabelsTest, SortedOrNone) {
  json::value labels = json::parse(R"({"tier":"web","app":"shop"})");
  EXPECT_EQ(FormatLabels(&labels), "app=shop,tier=web");
  json::value empty = json::object();
  EXPECT_EQ(FormatLabels(&empty), "<none>");
  EXPECT_EQ(FormatLabels(nullptr), "<none>");
}

TEST(LabelSelectorTest, Formats) {
  struct Case {
    const char* selector;
    std::string label_selector;  // LabelSelectorString, "ERR" when invalid
    std::string formatted;       // FormatLabelSelector
  };
  const std::vector<Case> cases = {
      {"null", "", "<none>"},
      {"{}", "", "<none>"},
      {R"({"matchLabels":{"app":"web"}})", "app=web", "app=web"},
      {R"({"matchLabels":{"z":"1","a":"2"},
           "matchExpressions":[{"key":"m","operator":"In","values":["y","x"]},
                               {"key":"canary","operator":"DoesNotExist"},
                               {"key":"env","operator":"NotIn","values":["dev"]},
                               {"key":"b","operator":"Exists"}]})",
       "a=2,b,!canary,env notin (dev),m in (x,y),z=1",
       "a=2,b,!canary,env notin (dev),m in (x,y),z=1"},
      {R"({"matchExpressions":[{"key":"a","operator":"Bogus"}]})", "ERR", "<error>"},
      {R"({"matchExpressions":[{"key":"a","operator":"In","values":[]}]})", "ERR", "<error>"},
      {R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})", "ERR",
       "<error>"},
      {R"({"matchLabels":{"bad key":"x"}})", "ERR", "<error>"},
      {R"({"matchLabels":{"example.com/app":"web_1.x"}})", "example.com/app=web_1.x",
       "example.com/app=web_1.x"},
  };
  for (const Case& c : cases) {
    json::value sel = json::parse(c.selector);
    std::optional<std::string> s = LabelSelectorString(&sel);
    EXPECT_EQ(s.value_or("ERR"), c.label_selector) << c.selector;
    EXPECT_EQ(FormatLabelSelector(&sel), c.formatted) << c.selector;
  }
  EXPECT_EQ(LabelSelectorString(nullptr).value_or("ERR"), "");
  EXPECT_EQ(FormatLabelSelector(nullptr), "<none>");
}

TEST(CanonicalQuantityTest, MatchesKubernetes) {
  struct Case {
    json::value in;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"1Gi", "1Gi"},
      {"10Gi", "10Gi"},
      {"8Gi", "8Gi"},
      {"1024Mi", "1Gi"},
      {"2048Ki", "2Mi"},
      {"512Ki", "512Ki"},
      {"1536Mi", "1536Mi"},
      {"0.5Gi", "512Mi"},
      {"1.5Gi", "1536Mi"},
      {"1.1Ki", "1126400m"},
      {"0.5Ki", "512"},
      {"1000Mi", "1000Mi"},
      {"1G", "1G"},
      {"1000M", "1G"},
      {"1.5G", "1500M"},
      {"500M", "500M"},
      {"100m", "100m"},
      {"0.1", "100m"},
      {"0.1n", "1n"},
      {"500", "500"},
      {"1000", "1k"},
      {"1e3", "1e3"},
      {"1E3", "1e3"},
      {"1e4", "10e3"},
      {"+1Gi", "1Gi"},
      {"-1Gi", "-1Gi"},
      {" 5Gi ", "5Gi"},
      {"0", "0"},
      {"0Gi", "0"},
      {"000", "0"},
      {5, "5"},
      {1073741824, "1073741824"},
      {"12345678901234567890", "12345678901234567890"},
      {"lots", "lots"},
      {"5Gb", "5Gb"},
      {nullptr, "0"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CanonicalQuantity(&c.in), c.want) << json::serialize(c.in);
  }
  EXPECT_EQ(CanonicalQuantity(nullptr), "0");
}

TEST(AccessModesTest, FixedOrderWithoutDuplicates) {
  json::value modes = json::parse(
      R"(["ReadWriteOncePod","ReadWriteMany","ReadWriteOnce","ReadOnlyMany","ReadWriteOnce"])");
  EXPECT_EQ(AccessModes(&modes), "RWO,ROX,RWX,RWOP");
  json::value one = json::parse(R"(["ReadWriteOnce"])");
  EXPECT_EQ(AccessModes(&one), "RWO");
  EXPECT_EQ(AccessModes(nullptr), "");
}

}  // namespace
}  // namespace skiff::api::table
