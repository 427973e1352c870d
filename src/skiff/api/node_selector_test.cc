#include "skiff/api/node_selector.h"

#include <gtest/gtest.h>

namespace skiff::api {
namespace {

namespace json = boost::json;

json::value PodWith(std::string_view spec) { return json::value{{"spec", json::parse(spec)}}; }

TEST(RequiredNodeAffinityTest, MatchTable) {
  const json::object labels =
      json::parse(R"({"zone":"a","gen":"5","kubernetes.io/hostname":"n1"})").as_object();
  struct Case {
    const char* name;
    const char* spec;
    bool empty;
    bool matches;
  };
  const Case cases[] = {
      {"nothing required", R"({})", true, true},
      {"nodeSelector matches", R"({"nodeSelector":{"zone":"a"}})", false, true},
      {"nodeSelector value differs", R"({"nodeSelector":{"zone":"b"}})", false, false},
      {"nodeSelector key missing", R"({"nodeSelector":{"disk":"ssd"}})", false, false},
      {"empty nodeSelector", R"({"nodeSelector":{}})", true, true},
      {"affinity In",
       R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
           {"nodeSelectorTerms":[{"matchExpressions":[
             {"key":"zone","operator":"In","values":["a","b"]}]}]}}}})",
       false, true},
      {"affinity with no terms matches nothing",
       R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
           {"nodeSelectorTerms":[]}}}})",
       false, false},
      {"only preferred affinity",
       R"({"affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":
           [{"weight":1,"preference":{"matchExpressions":[
             {"key":"zone","operator":"In","values":["x"]}]}}]}}})",
       true, true},
      {"an invalid term is skipped, a valid one still matches",
       R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
           {"nodeSelectorTerms":[
             {"matchExpressions":[{"key":"zone","operator":"Like","values":["a"]}]},
             {"matchExpressions":[{"key":"gen","operator":"Gt","values":["4"]}]}]}}}})",
       false, true},
      {"metadata.name field In",
       R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
           {"nodeSelectorTerms":[{"matchFields":[
             {"key":"metadata.name","operator":"In","values":["n1"]}]}]}}}})",
       false, true},
      {"metadata.name field of another node",
       R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
           {"nodeSelectorTerms":[{"matchFields":[
             {"key":"metadata.name","operator":"In","values":["n2"]}]}]}}}})",
       false, false},
      {"a field key other than metadata.name never matches",
       R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
           {"nodeSelectorTerms":[{"matchFields":[
             {"key":"metadata.uid","operator":"In","values":["n1"]}]}]}}}})",
       false, false},
      {"nodeSelector and affinity are ANDed",
       R"({"nodeSelector":{"zone":"a"},
           "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
           {"nodeSelectorTerms":[{"matchExpressions":[
             {"key":"gen","operator":"Lt","values":["5"]}]}]}}}})",
       false, false},
  };
  for (const Case& c : cases) {
    RequiredNodeAffinity a = RequiredNodeAffinity::FromPod(PodWith(c.spec));
    EXPECT_EQ(a.Empty(), c.empty) << c.name;
    EXPECT_EQ(a.Matches("n1", &labels), c.matches) << c.name;
  }
  // A node without labels only satisfies selectors that need none.
  RequiredNodeAffinity by_label =
      RequiredNodeAffinity::FromPod(PodWith(R"({"nodeSelector":{"a":"b"}})"));
  EXPECT_FALSE(by_label.Matches("n1", nullptr));
  EXPECT_TRUE(RequiredNodeAffinity::FromPod(PodWith("{}")).Matches("n1", nullptr));
}

TEST(NodeSelectorTermTest, PinnedNodeNames) {
  auto pinned = [](std::string_view term) {
    auto t = NodeSelectorTerm::FromJson(json::parse(term));
    EXPECT_TRUE(t.has_value()) << term;
    return t ? t->PinnedNodeNames() : std::nullopt;
  };
  EXPECT_EQ(pinned(R"({"matchFields":[{"key":"metadata.name","operator":"In","values":["a"]}]})"),
            (std::vector<std::string>{"a"}));
  // Requirements of one term are ANDed: names pinned twice intersect.
  EXPECT_EQ(pinned(R"({"matchFields":[{"key":"metadata.name","operator":"In","values":["a"]},
                                      {"key":"metadata.name","operator":"In","values":["b"]}]})"),
            (std::vector<std::string>{}));
  EXPECT_EQ(
      pinned(R"({"matchFields":[{"key":"metadata.name","operator":"NotIn","values":["a"]}]})"),
      std::nullopt);
  EXPECT_EQ(pinned(R"({"matchExpressions":[{"key":"zone","operator":"Exists"}]})"), std::nullopt);
  // A field requirement takes exactly one value (Kubernetes' node field selector).
  for (std::string_view bad :
       {R"({"matchFields":[{"key":"metadata.name","operator":"In","values":[]}]})",
        R"({"matchFields":[{"key":"metadata.name","operator":"In","values":["a","b"]}]})"}) {
    EXPECT_FALSE(NodeSelectorTerm::FromJson(json::parse(bad)).has_value()) << bad;
  }
}

}  // namespace
}  // namespace skiff::api
