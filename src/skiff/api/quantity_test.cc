#include "skiff/api/quantity.h"

#include <gtest/gtest.h>

namespace skiff::api {
namespace {

namespace json = boost::json;

Quantity Q(std::string_view s) {
  auto q = Quantity::Parse(s);
  EXPECT_TRUE(q.ok()) << s << ": " << q.status();
  return q.ok() ? *q : Quantity();
}

struct CanonicalCase {
  std::string in;
  std::string canonical;
  int64_t milli;
  int64_t value;
};

TEST(QuantityTest, ParsesAndCanonicalisesLikeKubernetes) {
  const CanonicalCase cases[] = {
      {"0", "0", 0, 0},
      {"100m", "100m", 100, 1},
      {"1.5", "1500m", 1500, 2},
      {"0.1", "100m", 100, 1},
      {"1000m", "1", 1000, 1},
      {"2Gi", "2Gi", 2147483648000, 2147483648},
      {"500Mi", "500Mi", 524288000000, 524288000},
      {"1024Mi", "1Gi", 1073741824000, 1073741824},
      {"1536Mi", "1536Mi", 1610612736000, 1610612736},
      {"0.5Gi", "512Mi", 536870912000, 536870912},
      {"0.5Ki", "512", 512000, 512},
      {"1Ki", "1Ki", 1024000, 1024},
      {"1e3", "1e3", 1000000, 1000},
      {"12e2", "1200", 1200000, 1200},
      {"1.5e3", "1500", 1500000, 1500},
      {"1e-3", "1e-3", 1, 1},
      {"5e-4", "500e-6", 1, 1},
      {"1k", "1k", 1000000, 1000},
      {"1000k", "1M", 1000000000, 1000000},
      {"1M", "1M", 1000000000, 1000000},
      {"0.001", "1m", 1, 1},
      {"0.0001", "100u", 1, 1},
      {"1n", "1n", 1, 1},
      {"0.1n", "1n", 1, 1},
      {"-1", "-1", -1000, -1},
      {"-100m", "-100m", -100, -1},
      {"-1.5", "-1500m", -1500, -2},
      {"+1", "1", 1000, 1},
      {"007", "7", 7000, 7},
      {".5", "500m", 500, 1},
      {"1.", "1", 1000, 1},
      {"-", "0", 0, 0},
      {"0Gi", "0", 0, 0},
      {"9223372036854775807Ei", "9223372036854775807", INT64_MAX, INT64_MAX},
  };
  for (const auto& c : cases) {
    Quantity q = Q(c.in);
    EXPECT_EQ(q.String(), c.canonical) << c.in;
    EXPECT_EQ(q.MilliValue(), c.milli) << c.in;
    EXPECT_EQ(q.Value(), c.value) << c.in;
  }
}

TEST(QuantityTest, RejectsMalformedInputWithKubernetesMessages) {
  const std::string kRegex =
      "quantities must match the regular expression "
      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  const std::pair<std::string, std::string> cases[] = {
      {"", kRegex},
      {"abc", kRegex},
      {"1.2.3", kRegex},
      {" 1", kRegex},
      {"1 ", kRegex},
      {"1K", "unable to parse quantity's suffix"},
      {"1Kii", "unable to parse quantity's suffix"},
      {"1i", "unable to parse quantity's suffix"},
      {"1e", "unable to parse quantity's suffix"},
  };
  for (const auto& [in, msg] : cases) {
    auto q = Quantity::Parse(in);
    ASSERT_FALSE(q.ok()) << in;
    EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(q.status().message(), msg) << in;
  }
}

TEST(QuantityTest, FromJsonAcceptsStringsAndNumbers) {
  EXPECT_EQ(Quantity::FromJson(json::value(1))->String(), "1");
  EXPECT_EQ(Quantity::FromJson(json::value(0.5))->String(), "500m");
  EXPECT_EQ(Quantity::FromJson(json::value(" 2Gi "))->String(), "2Gi");
  EXPECT_FALSE(Quantity::FromJson(json::value(true)).ok());
}

TEST(QuantityTest, ComparesValuesAcrossFormats) {
  EXPECT_EQ(Q("1000m"), Q("1"));
  EXPECT_EQ(Q("1Ki"), Q("1024"));
  EXPECT_GT(Q("1Gi"), Q("1G"));
  EXPECT_LT(Q("-1"), Q("0"));
  EXPECT_LT(Q("-2"), Q("-1"));
  EXPECT_LT(Q("1n"), Q("1e100"));
  EXPECT_EQ(Q("0"), Quantity());
}

TEST(QuantityTest, RoundUpAndArithmetic) {
  Quantity q = Q("0.0001");
  EXPECT_FALSE(q.RoundUp(-3));
  EXPECT_EQ(q.String(), "1m");
  Quantity exact = Q("1500m");
  EXPECT_TRUE(exact.RoundUp(-3));
  EXPECT_EQ((Q("100m") + Q("1.5")).String(), "1600m");
  EXPECT_EQ((Q("1Gi") - Q("512Mi")).String(), "512Mi");
  EXPECT_EQ((Q("1") - Q("3")).String(), "-2");
  EXPECT_EQ(Quantity::FromMilli(250).String(), "250m");
  EXPECT_EQ(Quantity::FromInt(2048, Quantity::Format::kBinarySI).String(), "2Ki");
}

}  // namespace
}  // namespace skiff::api
