#include "skiff/api/patch/field_set.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "skiff/api/patch/test_util.h"

namespace skiff::api::patch {
namespace {

using testing::Canon;
using testing::J;

PathElement F(const char* name) { return PathElement::Field(name); }

std::vector<std::string> Paths(const FieldSet& s) {
  std::vector<std::string> out;
  s.ForEach([&](const Path& p) { out.push_back(PathToString(p)); });
  return out;
}

FieldSet Parse(std::string_view fields) {
  auto s = FieldSet::FromFieldsV1(J(fields));
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : FieldSet();
}

TEST(PathElementTest, FormatsLikeKubernetes) {
  PathElement key = PathElement::Key({{"protocol", "TCP"}, {"containerPort", 80}});
  EXPECT_EQ(key.FieldsV1Key(), R"(k:{"containerPort":80,"protocol":"TCP"})");
  EXPECT_EQ(key.ToString(), R"([containerPort=80,protocol="TCP"])");
  EXPECT_EQ(PathElement::Value("x").FieldsV1Key(), R"(v:"x")");
  EXPECT_EQ(PathElement::Value("x").ToString(), R"([="x"])");
  EXPECT_EQ(PathElement::Index(3).FieldsV1Key(), "i:3");
  EXPECT_EQ(PathElement::Index(3).ToString(), "[3]");
  EXPECT_EQ(F("spec").FieldsV1Key(), "f:spec");
  EXPECT_EQ(PathToString({F("spec"), PathElement::Key({{"name", "web"}}), F("image")}),
            R"(.spec[name="web"].image)");
}

TEST(PathElementTest, OrdersKeysNumerically) {
  EXPECT_LT(PathElement::Key({{"port", 80}}), PathElement::Key({{"port", 443}}));
  EXPECT_LT(F("a"), PathElement::Key({{"port", 1}}));
  EXPECT_EQ(PathElement::Key({{"port", 80}}), PathElement::Key({{"port", 80.0}}));
}

TEST(FieldSetTest, RoundTripsFieldsV1InSortedOrder) {
  FieldSet s = Parse(R"({"f:spec":{"f:template":{"f:spec":{"f:containers":{
      "k:{\"name\":\"web\"}":{"f:name":{},".":{},"f:image":{}}}}},"f:replicas":{}},
      "f:metadata":{"f:labels":{".":{},"f:app":{}}}})");
  EXPECT_EQ(boost::json::serialize(s.ToFieldsV1()),
            Canon(R"({"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},
                "f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},
                "f:image":{},"f:name":{}}}}}}})"));
  EXPECT_EQ(Paths(s), (std::vector<std::string>{
                          ".metadata.labels",
                          ".metadata.labels.app",
                          ".spec.replicas",
                          R"(.spec.template.spec.containers[name="web"])",
                          R"(.spec.template.spec.containers[name="web"].image)",
                          R"(.spec.template.spec.containers[name="web"].name)",
                      }));
}

TEST(FieldSetTest, SetAlgebraIsMemberWise) {
  FieldSet a = Parse(R"({"f:metadata":{"f:labels":{".":{},"f:a":{},"f:b":{}}}})");
  FieldSet b = Parse(R"({"f:metadata":{"f:labels":{"f:b":{},"f:c":{}}}})");
  EXPECT_EQ(boost::json::serialize(a.Union(b).ToFieldsV1()),
            Canon(R"({"f:metadata":{"f:labels":{".":{},"f:a":{},"f:b":{},"f:c":{}}}})"));
  EXPECT_EQ(boost::json::serialize(a.Difference(b).ToFieldsV1()),
            Canon(R"({"f:metadata":{"f:labels":{".":{},"f:a":{}}}})"));
  EXPECT_EQ(boost::json::serialize(a.Intersection(b).ToFieldsV1()),
            Canon(R"({"f:metadata":{"f:labels":{"f:b":{}}}})"));
  EXPECT_TRUE(a.Difference(a).Empty());
  EXPECT_TRUE(a.Intersection(FieldSet()).Empty());
}

TEST(FieldSetTest, InsertAndHas) {
  FieldSet s;
  s.Insert({F("spec"), F("replicas")});
  EXPECT_TRUE(s.Has({F("spec"), F("replicas")}));
  EXPECT_FALSE(s.Has({F("spec")}));
  s.Insert({F("spec")});
  EXPECT_TRUE(s.Has({F("spec")}));
  EXPECT_EQ(boost::json::serialize(s.ToFieldsV1()),
            Canon(R"({"f:spec":{".":{},"f:replicas":{}}})"));
}

TEST(FieldSetTest, ParsesSetAndIndexElements) {
  FieldSet s = Parse(R"({"f:metadata":{"f:finalizers":{".":{},"v:\"a\"":{}}},"f:x":{"i:0":{}}})");
  EXPECT_EQ(Paths(s), (std::vector<std::string>{".metadata.finalizers",
                                                R"(.metadata.finalizers[="a"])", ".x[0]"}));
}

TEST(FieldSetTest, RejectsMalformedFieldsV1) {
  EXPECT_FALSE(FieldSet::FromFieldsV1(J("[]")).ok());
  EXPECT_FALSE(FieldSet::FromFieldsV1(J(R"({"x:a":{}})")).ok());
  EXPECT_FALSE(FieldSet::FromFieldsV1(J(R"({"f:a":1})")).ok());
  EXPECT_FALSE(FieldSet::FromFieldsV1(J(R"({"k:[1]":{}})")).ok());
  EXPECT_FALSE(FieldSet::FromFieldsV1(J(R"({"i:x":{}})")).ok());
}

}  // namespace
}  // namespace skiff::api::patch
