#include "skiff/api/go_repr.h"

#include <gtest/gtest.h>

namespace skiff::api {
namespace {

namespace json = boost::json;

TEST(GoReprTest, RendersLikeGoFormatting) {
  EXPECT_EQ(GoQuote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  json::value labels = json::parse(R"({"tier":"web","app":"x"})");
  EXPECT_EQ(GoStringMap(&labels), R"(map[string]string{"app":"x", "tier":"web"})");
  EXPECT_EQ(GoStringMap(nullptr), "map[string]string(nil)");
  json::value empty = json::object();
  EXPECT_EQ(GoStringMap(&empty), "map[string]string{}");
  json::value sel = json::parse(
      R"({"matchLabels":{"app":"y"},
          "matchExpressions":[{"key":"a","operator":"In","values":["x"]}]})");
  EXPECT_EQ(GoLabelSelector(&sel),
            R"(v1.LabelSelector{MatchLabels:map[string]string{"app":"y"}, )"
            R"(MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{)"
            R"(Key:"a", Operator:"In", Values:[]string{"x"}}}})");
  json::value only_labels = json::parse(R"({"matchLabels":{"app":"y"}})");
  EXPECT_EQ(GoLabelSelector(&only_labels),
            R"(v1.LabelSelector{MatchLabels:map[string]string{"app":"y"}, )"
            R"(MatchExpressions:[]v1.LabelSelectorRequirement(nil)})");
  json::value zero = 0, pct = "25%";
  EXPECT_EQ(GoIntOrString(&zero), R"(intstr.IntOrString{Type:0, IntVal:0, StrVal:""})");
  EXPECT_EQ(GoIntOrString(&pct), R"(intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"})");
  json::value n = -3;
  EXPECT_EQ(GoScalar(&n), "-3");
  EXPECT_EQ(GoScalar(nullptr), "null");
}

}  // namespace
}  // namespace skiff::api
