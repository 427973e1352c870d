#include "skiff/api/labels.h"

#include <gtest/gtest.h>

namespace skiff::api {
namespace {

namespace json = boost::json;

json::object Labels(std::string_view text) { return json::parse(text).as_object(); }

TEST(LabelSelectorTest, ParsesAndPrintsCanonically) {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},
      {"a=b", "a=b"},
      {"a==b", "a==b"},
      {"a!=b", "a!=b"},
      {"a", "a"},
      {"!a", "!a"},
      {" a = b , c ", "a=b,c"},
      {"b=2,a=1", "a=1,b=2"},
      {"x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"},
      {"env in (prod, dev)", "env in (dev,prod)"},
      {"a in (in,notin)", "a in (in,notin)"},
      {"a=", "a="},
      {"example.com/app=web", "example.com/app=web"},
      {"a>1", "a>1"},
      {"a<10", "a<10"},
  };
  for (const auto& [in, out] : cases) {
    auto s = LabelSelector::Parse(in);
    ASSERT_TRUE(s.ok()) << in << ": " << s.status();
    EXPECT_EQ(s->String(), out) << in;
  }
}

TEST(LabelSelectorTest, ParseErrorsUseKubernetesWording) {
  const std::string kKeyMsg =
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
      "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
      "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  const std::string kValueMsg =
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
      "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
      "'my_value',  or '12345', regex used for validation is "
      "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  const std::pair<std::string, std::string> cases[] = {
      {"a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"},
      {"a=b,", "found '', expected: identifier after ','"},
      {",a", "found ',', expected: !, identifier, or 'end of string'"},
      {"a=b c", "found 'c', expected: ',' or 'end of string'"},
      {"a in (b", "unable to parse requirement: found '', expected: ',' or ')'"},
      {"a in b", "unable to parse requirement: found 'b' expected: '('"},
      {"!a=b", "found '=', expected: ',' or 'end of string'"},
      {"-a=b", "unable to parse requirement: <nil>: Invalid value: \"-a\": " + kKeyMsg},
      {"a=-b", "unable to parse requirement: values[0][a]: Invalid value: \"-b\": " + kValueMsg},
      {"a<x",
       "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, "
       "the value must be an integer"},
  };
  for (const auto& [in, msg] : cases) {
    auto s = LabelSelector::Parse(in);
    ASSERT_FALSE(s.ok()) << in;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(s.status().message(), msg) << in;
  }
}

TEST(LabelSelectorTest, MatchesLabels) {
  json::object web = Labels(R"({"app":"web","tier":"front","n":"5"})");
  struct Case {
    std::string selector;
    bool web;
    bool none;  // no labels at all
  } cases[] = {
      {"", true, true},
      {"app=web", true, false},
      {"app==web", true, false},
      {"app!=web", false, true},
      {"app in (web,db)", true, false},
      {"app notin (web)", false, true},
      {"tier", true, false},
      {"!tier", false, true},
      {"app=web,tier=back", false, false},
      {"n>4", true, false},
      {"n<5", false, false},
  };
  for (const auto& c : cases) {
    auto s = LabelSelector::Parse(c.selector);
    ASSERT_TRUE(s.ok()) << c.selector;
    EXPECT_EQ(s->Matches(&web), c.web) << c.selector;
    EXPECT_EQ(s->Matches(nullptr), c.none) << c.selector;
  }
}

TEST(LabelSelectorTest, FromJsonHasNothingAndEverythingSemantics) {
  auto nothing = LabelSelector::FromJson(json::value(nullptr));
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->MatchesNothing());
  EXPECT_FALSE(nothing->Empty());
  EXPECT_FALSE(nothing->Matches(nullptr));
  EXPECT_TRUE(LabelSelector::FromJson(nullptr)->MatchesNothing());

  auto everything = LabelSelector::FromJson(json::parse("{}"));
  ASSERT_TRUE(everything.ok());
  EXPECT_TRUE(everything->Empty());
  EXPECT_TRUE(everything->Matches(nullptr));

  auto sel = LabelSelector::FromJson(json::parse(
      R"({"matchLabels":{"b":"1","app":"counter"},
          "matchExpressions":[{"key":"a","operator":"Exists"},
                              {"key":"tier","operator":"In","values":["y","x"]}]})"));
  ASSERT_TRUE(sel.ok()) << sel.status();
  EXPECT_EQ(sel->String(), "a,app=counter,b=1,tier in (x,y)");
  json::object labels = Labels(R"({"a":"","app":"counter","b":"1","tier":"x"})");
  EXPECT_TRUE(sel->Matches(&labels));

  EXPECT_EQ(LabelSelector::FromJson(json::parse(R"({"matchLabels":{"app":"counter"}})"))->String(),
            "app=counter");
}

TEST(LabelSelectorTest, FromJsonErrors) {
  auto bad_op = LabelSelector::FromJson(
      json::parse(R"({"matchExpressions":[{"key":"a","operator":"Foo"}]})"));
  EXPECT_EQ(bad_op.status().message(), "\"Foo\" is not a valid label selector operator");
  auto no_values =
      LabelSelector::FromJson(json::parse(R"({"matchExpressions":[{"key":"a","operator":"In"}]})"));
  EXPECT_EQ(no_values.status().message(),
            "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set "
            "can't be empty");
  auto extra_values = LabelSelector::FromJson(
      json::parse(R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})"));
  EXPECT_EQ(extra_values.status().message(),
            "values: Invalid value: []string{\"x\"}: values set must be empty for exists and "
            "does not exist");
}

TEST(LabelSelectorTest, FromMapAndConvenienceMatch) {
  json::value sel = json::parse(R"({"app":"x"})");
  EXPECT_EQ(LabelSelector::FromMap(&sel).String(), "app=x");
  EXPECT_TRUE(LabelSelector::FromMap(nullptr).Empty());
  json::value pod = json::parse(R"({"metadata":{"labels":{"app":"x"}}})");
  EXPECT_TRUE(LabelSelector::FromMap(&sel).MatchesObject(pod));
  json::object labels = Labels(R"({"app":"x"})");
  json::value ls = json::parse(R"({"matchLabels":{"app":"x"}})");
  EXPECT_TRUE(SelectorMatchesLabels(&ls, &labels));
  EXPECT_FALSE(SelectorMatchesLabels(nullptr, &labels));
}

}  // namespace
}  // namespace skiff::api
