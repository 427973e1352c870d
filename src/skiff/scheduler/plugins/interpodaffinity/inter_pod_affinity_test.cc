#include "skiff/scheduler/plugins/interpodaffinity/inter_pod_affinity.h"

#include <gtest/gtest.h>

#include "skiff/scheduler/plugins/plugin_testing.h"

namespace skiff::scheduler::plugins {
namespace {

using testing::NodeBuilder;
using testing::PodBuilder;

std::string Term(std::string_view app, std::string_view key) {
  return std::string(R"({"labelSelector":{"matchLabels":{"app":")") + std::string(app) +
         R"("}},"topologyKey":")" + std::string(key) + R"("})";
}

std::string Required(std::string_view kind, std::string_view terms) {
  return std::string(R"({")") + std::string(kind) +
         R"(":{"requiredDuringSchedulingIgnoredDuringExecution":[)" + std::string(terms) + "]}}";
}

// n1 and n2 in zone a, n3 in zone b; a db pod runs on n1.
Snapshot Cluster(std::vector<PodBuilder> extra = {}) {
  std::vector<PodBuilder> pods = {PodBuilder("db").Label("app", "db").Node("n1")};
  for (auto& p : extra) pods.push_back(p);
  return testing::SnapshotOf(
      {NodeBuilder("n1").Label("zone", "a"), NodeBuilder("n2").Label("zone", "a"),
       NodeBuilder("n3").Label("zone", "b")},
      pods);
}

std::map<std::string, std::string> FilterAll(InterPodAffinity& pl, const PodInfo& pod,
                                             const Snapshot& snap) {
  std::map<std::string, std::string> out;
  for (const NodeInfo* n : snap.nodes()) {
    Status s = testing::RunFilter(pl, pod, snap, n->name());
    out[n->name()] = s.ok() ? "ok" : s.Message();
  }
  return out;
}

TEST(InterPodAffinityTest, RequiredAffinityAndAntiAffinity) {
  InterPodAffinity pl;
  Snapshot snap = Cluster();
  const std::string kAff = "node(s) didn't match pod affinity rules";
  const std::string kAnti = "node(s) didn't match pod anti-affinity rules";
  struct Case {
    const char* name;
    std::string affinity;
    std::map<std::string, std::string> want;
  };
  const Case cases[] = {
      {"affinity on hostname",
       Required("podAffinity", Term("db", "kubernetes.io/hostname")),
       {{"n1", "ok"}, {"n2", kAff}, {"n3", kAff}}},
      {"affinity on zone",
       Required("podAffinity", Term("db", "zone")),
       {{"n1", "ok"}, {"n2", "ok"}, {"n3", kAff}}},
      {"affinity on a key no node has",
       Required("podAffinity", Term("db", "rack")),
       {{"n1", kAff}, {"n2", kAff}, {"n3", kAff}}},
      {"anti-affinity on hostname",
       Required("podAntiAffinity", Term("db", "kubernetes.io/hostname")),
       {{"n1", kAnti}, {"n2", "ok"}, {"n3", "ok"}}},
      {"anti-affinity on zone",
       Required("podAntiAffinity", Term("db", "zone")),
       {{"n1", kAnti}, {"n2", kAnti}, {"n3", "ok"}}},
      {"anti-affinity on a key no node has",
       Required("podAntiAffinity", Term("db", "rack")),
       {{"n1", "ok"}, {"n2", "ok"}, {"n3", "ok"}}},
  };
  for (const Case& c : cases) {
    PodInfoPtr pod = PodBuilder("p").Label("app", "web").Spec("affinity", c.affinity).Info();
    EXPECT_EQ(FilterAll(pl, *pod, snap), c.want) << c.name;
  }
  // Another namespace is not matched unless the term names it.
  PodInfoPtr other =
      PodBuilder("p", "other")
          .Spec("affinity", Required("podAntiAffinity", Term("db", "kubernetes.io/hostname")))
          .Info();
  EXPECT_EQ(FilterAll(pl, *other, snap).at("n1"), "ok");
  PodInfoPtr all_ns =
      PodBuilder("p", "other")
          .Spec("affinity", Required("podAntiAffinity",
                                     R"({"labelSelector":{"matchLabels":{"app":"db"}},
                                         "namespaceSelector":{},
                                         "topologyKey":"kubernetes.io/hostname"})"))
          .Info();
  EXPECT_EQ(FilterAll(pl, *all_ns, snap).at("n1"), kAnti);
}

TEST(InterPodAffinityTest, FirstPodOfAGroupMayGoAnywhere) {
  InterPodAffinity pl;
  Snapshot snap = Cluster();
  std::string aff = Required("podAffinity", Term("cache", "kubernetes.io/hostname"));
  PodInfoPtr first = PodBuilder("c0").Label("app", "cache").Spec("affinity", aff).Info();
  EXPECT_EQ(FilterAll(pl, *first, snap),
            (std::map<std::string, std::string>{{"n1", "ok"}, {"n2", "ok"}, {"n3", "ok"}}));
  // Not matching its own terms: nowhere.
  PodInfoPtr stranger = PodBuilder("x").Label("app", "other").Spec("affinity", aff).Info();
  EXPECT_EQ(FilterAll(pl, *stranger, snap).at("n2"), "node(s) didn't match pod affinity rules");
  // Once one exists, the others follow it.
  Snapshot with_cache = Cluster({PodBuilder("c0").Label("app", "cache").Node("n3")});
  EXPECT_EQ(FilterAll(pl, *first, with_cache),
            (std::map<std::string, std::string>{{"n1", "node(s) didn't match pod affinity rules"},
                                                {"n2", "node(s) didn't match pod affinity rules"},
                                                {"n3", "ok"}}));
}

TEST(InterPodAffinityTest, ExistingPodsAntiAffinity) {
  InterPodAffinity pl;
  Snapshot snap = Cluster(
      {PodBuilder("guard")
           .Label("app", "guard")
           .Node("n2")
           .Spec("affinity", Required("podAntiAffinity", Term("web", "kubernetes.io/hostname")))});
  const std::string kExisting = "node(s) didn't satisfy existing pods anti-affinity rules";
  EXPECT_EQ(FilterAll(pl, *PodBuilder("w").Label("app", "web").Info(), snap),
            (std::map<std::string, std::string>{{"n1", "ok"}, {"n2", kExisting}, {"n3", "ok"}}));
  EXPECT_EQ(FilterAll(pl, *PodBuilder("w").Label("app", "api").Info(), snap).at("n2"), "ok");
  // Nothing to check: the plugin skips.
  plugins::InterPodAffinity fresh;
  fresh.set_slot(0);
  CycleState st(1);
  PreFilterResult r;
  EXPECT_TRUE(fresh.PreFilter(st, *PodBuilder("w").Info(), Cluster(), &r).IsSkip());
}

TEST(InterPodAffinityTest, PreferredTermsScore) {
  InterPodAffinity pl;
  Snapshot snap = Cluster();
  EXPECT_FALSE(testing::RunScore(pl, *PodBuilder("p").Info(), snap).has_value());
  PodInfoPtr spread = PodBuilder("p")
                          .Spec("affinity", R"({"podAntiAffinity":{
                              "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":10,
                              "podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"db"}},
                              "topologyKey":"kubernetes.io/hostname"}}]}})")
                          .Info();
  auto scores = testing::RunScore(pl, *spread, snap);
  ASSERT_TRUE(scores);
  EXPECT_EQ(scores->raw, (std::map<std::string, int64_t>{{"n1", -10}, {"n2", 0}, {"n3", 0}}));
  EXPECT_EQ(scores->normalized,
            (std::map<std::string, int64_t>{{"n1", 0}, {"n2", 100}, {"n3", 100}}));
  PodInfoPtr near = PodBuilder("p")
                        .Spec("affinity", R"({"podAffinity":{
                            "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":5,
                            "podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"db"}},
                            "topologyKey":"zone"}}]}})")
                        .Info();
  scores = testing::RunScore(pl, *near, snap);
  ASSERT_TRUE(scores);
  EXPECT_EQ(scores->raw, (std::map<std::string, int64_t>{{"n1", 5}, {"n2", 5}, {"n3", 0}}));
  EXPECT_EQ(scores->normalized,
            (std::map<std::string, int64_t>{{"n1", 100}, {"n2", 100}, {"n3", 0}}));
  // An existing pod's required affinity to the incoming pod counts with weight 1.
  Snapshot lover = Cluster({PodBuilder("fan").Node("n3").Spec(
      "affinity", Required("podAffinity", Term("star", "zone")))});
  scores = testing::RunScore(pl, *PodBuilder("s").Label("app", "star").Info(), lover);
  ASSERT_TRUE(scores);
  EXPECT_EQ(scores->raw, (std::map<std::string, int64_t>{{"n1", 0}, {"n2", 0}, {"n3", 1}}));
}

}  // namespace
}  // namespace skiff::scheduler::plugins
