#include "skiff/api/patch/json_util.h"

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "skiff/api/patch/test_util.h"

namespace skiff::api::patch {
namespace {

using testing::J;

TEST(JsonUtilTest, EqualityComparesNumbersByValue) {
  EXPECT_TRUE(JsonEqual(J("1"), J("1.0")));
  EXPECT_TRUE(JsonEqual(json::value(uint64_t{5}), json::value(int64_t{5})));
  EXPECT_FALSE(JsonEqual(J("-1"), json::value(uint64_t{18446744073709551615u})));
  EXPECT_TRUE(JsonEqual(J(R"({"a":[1,{"b":2}]})"), J(R"({"a":[1.0,{"b":2}]})")));
  EXPECT_FALSE(JsonEqual(J(R"({"a":1})"), J(R"({"a":1,"b":2})")));
  EXPECT_FALSE(JsonEqual(J(R"("1")"), J("1")));
}

TEST(JsonUtilTest, CompareOrdersKindsThenContent) {
  EXPECT_LT(JsonCompare(J("null"), J("false")), 0);
  EXPECT_LT(JsonCompare(J("true"), J("0")), 0);
  EXPECT_LT(JsonCompare(J("80"), J("443")), 0);
  EXPECT_LT(JsonCompare(J("443"), J(R"("80")")), 0);
  EXPECT_LT(JsonCompare(J(R"("a")"), J(R"("b")")), 0);
  EXPECT_EQ(JsonCompare(J(R"({"b":1,"a":2})"), J(R"({"a":2,"b":1})")), 0);
}

TEST(JsonUtilTest, CanonicalJsonSortsKeysAndNormalizesNumbers) {
  EXPECT_EQ(CanonicalJson(J(R"({"b":1.0,"a":[2.5,"x",{"d":null,"c":true}]})")),
            R"({"a":[2.5,"x",{"c":true,"d":null}],"b":1})");
}

TEST(JsonUtilTest, EraseKeyKeepsOrder) {
  json::value v = J(R"({"a":1,"b":2,"c":3,"d":4})");
  EXPECT_TRUE(EraseKey(v.get_object(), "a"));
  EXPECT_FALSE(EraseKey(v.get_object(), "zz"));
  EXPECT_EQ(json::serialize(v), R"({"b":2,"c":3,"d":4})");
}

TEST(JsonUtilTest, CatAcceptsMixedPieces) {
  std::string_view sv = "view";
  EXPECT_EQ(Cat("a", std::string("b"), sv, 'c', 42, size_t{7}), "abviewc427");
}

TEST(JsonUtilTest, CatchExceptionsReturnsInternalError) {
  auto got = CatchExceptions(
      "op", []() -> absl::StatusOr<int> { return static_cast<int>(json::value("x").as_int64()); });
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(std::string(got.status().message()).rfind("op: ", 0), 0u);
}

}  // namespace
}  // namespace skiff::api::patch
