#include "skiff/scheduler/plugins/podtopologyspread/pod_topology_spread.h"

#include <gtest/gtest.h>

#include "skiff/scheduler/plugins/plugin_testing.h"

namespace skiff::scheduler::plugins {
namespace {

using testing::NodeBuilder;
using testing::PodBuilder;

std::string Constraint(int max_skew, std::string_view key, std::string_view when = "DoNotSchedule",
                       std::string_view extra = "") {
  return "[{\"maxSkew\":" + std::to_string(max_skew) + ",\"topologyKey\":\"" + std::string(key) +
         "\",\"whenUnsatisfiable\":\"" + std::string(when) +
         "\",\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}}" + std::string(extra) + "}]";
}

// web pods: 2 on n1, 1 on n2, none on n3; n1, n2 in zone a, n3 in zone b.
Snapshot Cluster(std::vector<PodBuilder> extra = {}) {
  std::vector<PodBuilder> pods = {PodBuilder("w1").Label("app", "web").Node("n1"),
                                  PodBuilder("w2").Label("app", "web").Node("n1"),
                                  PodBuilder("w3").Label("app", "web").Node("n2"),
                                  PodBuilder("other").Label("app", "db").Node("n3")};
  for (auto& p : extra) pods.push_back(p);
  return testing::SnapshotOf(
      {NodeBuilder("n1").Label("zone", "a"), NodeBuilder("n2").Label("zone", "a"),
       NodeBuilder("n3").Label("zone", "b")},
      pods);
}

std::map<std::string, std::string> FilterAll(PodTopologySpread& pl, const PodInfo& pod,
                                             const Snapshot& snap) {
  std::map<std::string, std::string> out;
  for (const NodeInfo* n : snap.nodes()) {
    Status s = testing::RunFilter(pl, pod, snap, n->name());
    out[n->name()] = s.ok() ? "ok" : s.Message();
  }
  return out;
}

TEST(PodTopologySpreadTest, FilterTable) {
  const std::string kSkew = "node(s) didn't match pod topology spread constraints";
  const std::string kLabel =
      "node(s) didn't match pod topology spread constraints (missing required label)";
  struct Case {
    const char* name;
    std::string constraints;
    std::string app;
    std::map<std::string, std::string> want;
  };
  const Case cases[] = {
      {"hostname maxSkew 1",
       Constraint(1, "kubernetes.io/hostname"),
       "web",
       {{"n1", kSkew}, {"n2", kSkew}, {"n3", "ok"}}},
      {"hostname maxSkew 2",
       Constraint(2, "kubernetes.io/hostname"),
       "web",
       {{"n1", kSkew}, {"n2", "ok"}, {"n3", "ok"}}},
      {"pod not matching its own selector",
       Constraint(1, "kubernetes.io/hostname"),
       "api",
       {{"n1", kSkew}, {"n2", "ok"}, {"n3", "ok"}}},
      {"zone maxSkew 1",
       Constraint(1, "zone"),
       "web",
       {{"n1", kSkew}, {"n2", kSkew}, {"n3", "ok"}}},
      {"missing topology label",
       Constraint(1, "rack"),
       "web",
       {{"n1", kLabel}, {"n2", kLabel}, {"n3", kLabel}}},
      {"ScheduleAnyway does not filter",
       Constraint(1, "kubernetes.io/hostname", "ScheduleAnyway"),
       "web",
       {{"n1", "ok"}, {"n2", "ok"}, {"n3", "ok"}}},
  };
  PodTopologySpread pl;
  for (const Case& c : cases) {
    PodInfoPtr pod = PodBuilder("new")
                         .Label("app", c.app)
                         .Spec("topologySpreadConstraints", c.constraints)
                         .Info();
    EXPECT_EQ(FilterAll(pl, *pod, Cluster()), c.want) << c.name;
  }
}

TEST(PodTopologySpreadTest, MinDomainsAndNodeAffinityPolicy) {
  PodTopologySpread pl;
  const std::string kSkew = "node(s) didn't match pod topology spread constraints";
  // Zone a has 3 web pods, zone b 1.
  Snapshot snap = Cluster({PodBuilder("w4").Label("app", "web").Node("n3")});
  PodInfoPtr pod = PodBuilder("new")
                       .Label("app", "web")
                       .Spec("topologySpreadConstraints", Constraint(2, "zone"))
                       .Info();
  EXPECT_EQ(FilterAll(pl, *pod, snap),
            (std::map<std::string, std::string>{{"n1", kSkew}, {"n2", kSkew}, {"n3", "ok"}}));
  // With minDomains 3 and only 2 zones, the global minimum is 0: zone b (1 + 1 - 0 = 2) still
  // fits, zone a does not.
  PodInfoPtr min3 = PodBuilder("new")
                        .Label("app", "web")
                        .Spec("topologySpreadConstraints",
                              Constraint(2, "zone", "DoNotSchedule", ",\"minDomains\":3"))
                        .Info();
  EXPECT_EQ(FilterAll(pl, *min3, snap).at("n3"), "ok");
  Snapshot balanced = Cluster({PodBuilder("w4").Label("app", "web").Node("n3"),
                               PodBuilder("w5").Label("app", "web").Node("n3")});
  PodInfoPtr skew1 = PodBuilder("new")
                         .Label("app", "web")
                         .Spec("topologySpreadConstraints",
                               Constraint(1, "zone", "DoNotSchedule", ",\"minDomains\":3"))
                         .Info();
  EXPECT_EQ(FilterAll(pl, *skew1, balanced),
            (std::map<std::string, std::string>{{"n1", kSkew}, {"n2", kSkew}, {"n3", kSkew}}));

  // nodeAffinityPolicy Honor (default): nodes the pod cannot use are not counted, so n3's empty
  // domain does not pull the minimum down.
  PodInfoPtr zone_a =
      PodBuilder("new")
          .Label("app", "web")
          .Spec("nodeSelector", R"({"zone":"a"})")
          .Spec("topologySpreadConstraints", Constraint(1, "kubernetes.io/hostname"))
          .Info();
  EXPECT_EQ(FilterAll(pl, *zone_a, Cluster()).at("n2"), "ok");
  PodInfoPtr ignore = PodBuilder("new")
                          .Label("app", "web")
                          .Spec("nodeSelector", R"({"zone":"a"})")
                          .Spec("topologySpreadConstraints",
                                Constraint(1, "kubernetes.io/hostname", "DoNotSchedule",
                                           ",\"nodeAffinityPolicy\":\"Ignore\""))
                          .Info();
  EXPECT_EQ(FilterAll(pl, *ignore, Cluster()).at("n2"), kSkew);
}

TEST(PodTopologySpreadTest, ScheduleAnywayScores) {
  PodTopologySpread pl;
  EXPECT_FALSE(testing::RunScore(pl, *PodBuilder("p").Info(), Cluster()).has_value());
  PodInfoPtr pod = PodBuilder("new")
                       .Label("app", "web")
                       .Spec("topologySpreadConstraints",
                             Constraint(1, "kubernetes.io/hostname", "ScheduleAnyway"))
                       .Info();
  auto scores = testing::RunScore(pl, *pod, Cluster());
  ASSERT_TRUE(scores);
  // weight log(3 + 2) = 1.609: counts 2, 1, 0 score 3, 2, 0.
  EXPECT_EQ(scores->raw, (std::map<std::string, int64_t>{{"n1", 3}, {"n2", 2}, {"n3", 0}}));
  EXPECT_EQ(scores->normalized,
            (std::map<std::string, int64_t>{{"n1", 0}, {"n2", 33}, {"n3", 100}}));
  PodInfoPtr zone = PodBuilder("new")
                        .Label("app", "web")
                        .Spec("topologySpreadConstraints", Constraint(1, "zone", "ScheduleAnyway"))
                        .Info();
  scores = testing::RunScore(pl, *zone, Cluster());
  ASSERT_TRUE(scores);
  // 2 zones: weight log(4) = 1.386; zone a has 3 pods (4.16 -> 4), zone b none.
  EXPECT_EQ(scores->raw, (std::map<std::string, int64_t>{{"n1", 4}, {"n2", 4}, {"n3", 0}}));
  EXPECT_EQ(scores->normalized,
            (std::map<std::string, int64_t>{{"n1", 0}, {"n2", 0}, {"n3", 100}}));
}

}  // namespace
}  // namespace skiff::scheduler::plugins
