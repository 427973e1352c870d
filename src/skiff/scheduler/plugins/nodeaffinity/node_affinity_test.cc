#include "skiff/scheduler/plugins/nodeaffinity/node_affinity.h"

#include <gtest/gtest.h>

#include "skiff/scheduler/plugins/plugin_testing.h"

namespace skiff::scheduler::plugins {
namespace {

using testing::NodeBuilder;
using testing::PodBuilder;

std::string Required(std::string_view terms) {
  return std::string(R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":)") +
         R"({"nodeSelectorTerms":)" + std::string(terms) + "}}}";
}

TEST(NodeAffinityTest, FilterTable) {
  Snapshot snap = testing::SnapshotOf({NodeBuilder("n1").Label("zone", "a").Label("gen", "5")});
  struct Case {
    const char* name;
    const char* node_selector;  // JSON or ""
    const char* terms;          // JSON array of nodeSelectorTerms or ""
    bool fits;
  };
  const Case cases[] = {
      {"nothing required", "", "", true},
      {"nodeSelector matches", R"({"zone":"a"})", "", true},
      {"nodeSelector differs", R"({"zone":"b"})", "", false},
      {"nodeSelector key missing", R"({"disk":"ssd"})", "", false},
      {"In", "", R"([{"matchExpressions":[{"key":"zone","operator":"In","values":["b","a"]}]}])",
       true},
      {"NotIn", "", R"([{"matchExpressions":[{"key":"zone","operator":"NotIn","values":["a"]}]}])",
       false},
      {"NotIn missing key", "",
       R"([{"matchExpressions":[{"key":"disk","operator":"NotIn","values":["x"]}]}])", true},
      {"Exists", "", R"([{"matchExpressions":[{"key":"zone","operator":"Exists"}]}])", true},
      {"DoesNotExist present", "",
       R"([{"matchExpressions":[{"key":"zone","operator":"DoesNotExist"}]}])", false},
      {"DoesNotExist absent", "",
       R"([{"matchExpressions":[{"key":"disk","operator":"DoesNotExist"}]}])", true},
      {"Gt", "", R"([{"matchExpressions":[{"key":"gen","operator":"Gt","values":["4"]}]}])", true},
      {"Gt equal", "", R"([{"matchExpressions":[{"key":"gen","operator":"Gt","values":["5"]}]}])",
       false},
      {"Lt", "", R"([{"matchExpressions":[{"key":"gen","operator":"Lt","values":["6"]}]}])", true},
      {"Gt on a non-integer label", "",
       R"([{"matchExpressions":[{"key":"zone","operator":"Gt","values":["1"]}]}])", false},
      {"invalid Gt value never matches", "",
       R"([{"matchExpressions":[{"key":"gen","operator":"Gt","values":["x"]}]}])", false},
      {"unknown operator never matches", "",
       R"([{"matchExpressions":[{"key":"zone","operator":"Like","values":["a"]}]}])", false},
      {"terms are ORed", "",
       R"([{"matchExpressions":[{"key":"zone","operator":"In","values":["b"]}]},
           {"matchExpressions":[{"key":"gen","operator":"Exists"}]}])",
       true},
      {"expressions are ANDed", "",
       R"([{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]},
                                {"key":"gen","operator":"NotIn","values":["5"]}]}])",
       false},
      {"matchFields In", "",
       R"([{"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]}])", true},
      {"matchFields NotIn", "",
       R"([{"matchFields":[{"key":"metadata.name","operator":"NotIn","values":["n1"]}]}])", false},
      {"empty term matches nothing", "", R"([{}])", false},
      {"selector and affinity must both match", R"({"zone":"b"})",
       R"([{"matchExpressions":[{"key":"zone","operator":"Exists"}]}])", false},
  };
  NodeAffinity pl;
  for (const Case& c : cases) {
    PodBuilder b("p");
    if (*c.node_selector) b.Spec("nodeSelector", c.node_selector);
    if (*c.terms) b.Spec("affinity", Required(c.terms));
    Status s = testing::RunFilter(pl, *b.Info(), snap, "n1");
    EXPECT_EQ(s.ok(), c.fits) << c.name;
    if (!c.fits) {
      EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable) << c.name;
      EXPECT_EQ(s.Message(), "node(s) didn't match Pod's node affinity/selector") << c.name;
    }
  }
}

TEST(NodeAffinityTest, PreFilterNarrowsToPinnedNodes) {
  Snapshot snap = testing::SnapshotOf({NodeBuilder("n1"), NodeBuilder("n2"), NodeBuilder("n3")});
  NodeAffinity pl;
  pl.set_slot(0);
  auto run = [&](const PodBuilder& b, PreFilterResult* r) {
    CycleState st(1);
    return pl.PreFilter(st, *b.Info(), snap, r);
  };
  PreFilterResult r;
  EXPECT_TRUE(run(PodBuilder("p"), &r).IsSkip());
  EXPECT_TRUE(run(PodBuilder("p").Spec("nodeSelector", R"({"a":"b"})"), &r).ok());
  EXPECT_FALSE(r.node_names.has_value());

  PodBuilder two("p");
  two.Spec("affinity", Required(R"([
      {"matchFields":[{"key":"metadata.name","operator":"In","values":["n2"]}]},
      {"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]}])"));
  ASSERT_TRUE(run(two, &r).ok());
  EXPECT_EQ(r.node_names, (std::vector<std::string>{"n1", "n2"}));

  PodBuilder mixed("p");
  mixed.Spec("affinity", Required(R"([
      {"matchFields":[{"key":"metadata.name","operator":"In","values":["n2"]}]},
      {"matchExpressions":[{"key":"zone","operator":"Exists"}]}])"));
  PreFilterResult r2;
  ASSERT_TRUE(run(mixed, &r2).ok());
  EXPECT_FALSE(r2.node_names.has_value());

  PodBuilder conflict("p");
  conflict.Spec("affinity", Required(R"([{"matchFields":[
      {"key":"metadata.name","operator":"In","values":["n1"]},
      {"key":"metadata.name","operator":"In","values":["n2"]}]}])"));
  PreFilterResult r3;
  Status s = run(conflict, &r3);
  EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable);
  EXPECT_EQ(s.Message(), "pod affinity terms conflict");
}

TEST(NodeAffinityTest, ScoreSumsPreferredWeights) {
  Snapshot snap = testing::SnapshotOf({NodeBuilder("n1").Label("zone", "a").Label("gen", "5"),
                                       NodeBuilder("n2").Label("zone", "b"), NodeBuilder("n3")});
  NodeAffinity pl;
  EXPECT_FALSE(testing::RunScore(pl, *PodBuilder("p").Info(), snap).has_value());
  PodInfoPtr pod =
      PodBuilder("p")
          .Spec("affinity", R"({"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
          {"weight":10,"preference":{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}},
          {"weight":5,"preference":{"matchExpressions":[{"key":"gen","operator":"Exists"}]}},
          {"weight":3,"preference":{"matchExpressions":[{"key":"zone","operator":"In","values":["b"]}]}},
          {"weight":0,"preference":{"matchExpressions":[{"key":"zone","operator":"Exists"}]}},
          {"weight":50,"preference":{}}]}})")
          .Info();
  auto scores = testing::RunScore(pl, *pod, snap);
  ASSERT_TRUE(scores);
  EXPECT_EQ(scores->raw, (std::map<std::string, int64_t>{{"n1", 15}, {"n2", 3}, {"n3", 0}}));
  EXPECT_EQ(scores->normalized,
            (std::map<std::string, int64_t>{{"n1", 100}, {"n2", 20}, {"n3", 0}}));
}

}  // namespace
}  // namespace skiff::scheduler::plugins
