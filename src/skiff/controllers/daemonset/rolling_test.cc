#include "skiff/controllers/daemonset/rolling.h"

#include <gtest/gtest.h>

#include "skiff/controllers/daemonset/test_pods.h"

namespace skiff::controllers::daemonset {
namespace {

namespace json = boost::json;
using testing::kNow;
using testing::Pod;

json::value Ds(std::string_view strategy) {
  return json::value{{"spec", {{"updateStrategy", json::parse(strategy)}}}};
}

TEST(RollingTest, SurgeAndUnavailableRoundUp) {
  struct Case {
    const char* strategy;
    int desired;
    int surge, unavailable;
  };
  const Case cases[] = {
      {R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}})", 10, 0, 1},
      {R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%"}})", 10, 0, 3},
      {R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"10%"}})", 5, 0, 1},
      {R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"1%"}})", 5000, 0, 50},
      {R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"1%"}})", 5001, 0, 51},
      {R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":"33%"}})", 3, 1,
       0},
      {R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":"34%"}})", 3, 2,
       0},
      {R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"100%"}})", 7, 0, 7},
      {R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"50%"}})", 0, 0, 0},
      {R"({"type":"OnDelete","rollingUpdate":{"maxUnavailable":3,"maxSurge":2}})", 10, 0, 0},
      {R"({"type":"RollingUpdate"})", 10, 0, 0},
  };
  for (const Case& c : cases) {
    json::value ds = Ds(c.strategy);
    EXPECT_EQ(SurgeCount(ds, c.desired).value(), c.surge) << c.strategy << " of " << c.desired;
    EXPECT_EQ(UnavailableCount(ds, c.desired).value(), c.unavailable)
        << c.strategy << " of " << c.desired;
  }
  EXPECT_FALSE(
      UnavailableCount(Ds(R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"x%"}})"), 3)
          .ok());
  EXPECT_TRUE(AllowsSurge(Ds(R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":"1%"}})")));
  EXPECT_FALSE(AllowsSurge(Ds(R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":0}})")));
  EXPECT_FALSE(AllowsSurge(Ds(R"({"type":"OnDelete","rollingUpdate":{"maxSurge":1}})")));
}

NodeFits Fits(int n, int skip_from = -1) {
  NodeFits fits;
  for (int i = 0; i < n; ++i) {
    bool run = skip_from < 0 || i < skip_from;
    fits["n" + std::to_string(i)] = NodeFit{run, run};
  }
  return fits;
}

TEST(RollingTest, ResolveLimits) {
  json::value both_zero =
      Ds(R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"0%","maxSurge":0}})");
  EXPECT_EQ(ResolveLimits(both_zero, Fits(4)).value(), (RollingLimits{0, 1, 4}));
  EXPECT_EQ(ResolveLimits(both_zero, Fits(0)).value(), (RollingLimits{0, 0, 0}));
  json::value pct = Ds(R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"30%"}})");
  // Only should-run nodes count: 3 of 5, 30% of 3 rounds up to 1.
  EXPECT_EQ(ResolveLimits(pct, Fits(5, 3)).value(), (RollingLimits{0, 1, 3}));
  EXPECT_EQ(
      ResolveLimits(Ds(R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":"bad"}})"), Fits(2))
          .status()
          .message(),
      "invalid value for MaxSurge: invalid value for IntOrString: invalid type: string is "
      "not a percentage");
}

Revision Rev(int64_t min_ready = 0) { return Revision{"new", std::nullopt, min_ready, kNow}; }

TEST(RollingTest, WithoutSurgeReplacesWithinMaxUnavailable) {
  struct Case {
    const char* name;
    int max_unavailable;
    std::vector<testing::PodSpec> pods;
    RollingPlan want;
  };
  const Case cases[] = {
      {"one at a time, in node order",
       1,
       {{"a", "n0", "old"}, {"b", "n1", "old"}, {"c", "n2", "old"}},
       {{"a"}, {}}},
      {"two at a time",
       2,
       {{"a", "n0", "old"}, {"b", "n1", "old"}, {"c", "n2", "old"}},
       {{"a", "b"}, {}}},
      {"a node without a pod uses the budget",
       1,
       {{"b", "n1", "old"}, {"c", "n2", "old"}},
       {{}, {}}},
      {"an unavailable new pod uses the budget",
       1,
       {{"a", "n0", "new", false}, {"b", "n1", "old"}, {"c", "n2", "old"}},
       {{}, {}}},
      {"an available new pod does not",
       1,
       {{"a", "n0", "new"}, {"b", "n1", "old"}, {"c", "n2", "old"}},
       {{"b"}, {}}},
      {"unavailable old pods are always replaced",
       1,
       {{"a", "n0", "new", false}, {"b", "n1", "old", false}, {"c", "n2", "old", false}},
       {{"b", "c"}, {}}},
      {"a terminating old pod counts as no pod",
       1,
       {{"a", "n0", "old", true, absl::Minutes(1), "Running", true},
        {"b", "n1", "old"},
        {"c", "n2", "old"}},
       {{}, {}}},
      {"old and new on one node count as unavailable",
       2,
       {{"a", "n0", "old"}, {"a2", "n0", "new"}, {"b", "n1", "old"}, {"c", "n2", "old"}},
       {{"b"}, {}}},
      {"done", 1, {{"a", "n0"}, {"b", "n1"}, {"c", "n2"}}, {{}, {}}},
  };
  for (const Case& c : cases) {
    NodePods pods;
    for (const auto& p : c.pods) pods[p.node].push_back(Pod(p));
    RollingLimits limits{0, c.max_unavailable, 3};
    EXPECT_EQ(PlanRollingUpdate(limits, Fits(3), pods, Rev()), c.want) << c.name;
  }
}

TEST(RollingTest, MinReadySecondsDelaysAvailability) {
  NodePods pods;
  // Ready for 5 s only: with minReadySeconds 10 the new pod is not yet available.
  pods["n0"].push_back(Pod({"a", "n0", "new", true, absl::Seconds(5)}));
  pods["n1"].push_back(Pod({"b", "n1", "old"}));
  EXPECT_EQ(PlanRollingUpdate({0, 1, 2}, Fits(2), pods, Rev(10)), (RollingPlan{{}, {}}));
  EXPECT_EQ(PlanRollingUpdate({0, 1, 2}, Fits(2), pods, Rev(3)), (RollingPlan{{"b"}, {}}));
}

TEST(RollingTest, WithSurge) {
  struct Case {
    const char* name;
    int max_surge;
    NodeFits fits;
    std::vector<testing::PodSpec> pods;
    RollingPlan want;
  };
  const Case cases[] = {
      {"surges onto up to maxSurge nodes",
       1,
       Fits(3),
       {{"a", "n0", "old"}, {"b", "n1", "old"}, {"c", "n2", "old"}},
       {{}, {"n0"}}},
      {"waits while a surged pod is not available",
       1,
       Fits(3),
       {{"a", "n0", "old"}, {"a2", "n0", "new", false}, {"b", "n1", "old"}, {"c", "n2", "old"}},
       {{}, {}}},
      {"retires the old pod once the new one is available",
       1,
       Fits(3),
       {{"a", "n0", "old"}, {"a2", "n0", "new"}, {"b", "n1", "old"}, {"c", "n2", "old"}},
       {{"a"}, {"n1"}}},
      {"an unavailable old pod gets a new one at once",
       1,
       Fits(3),
       {{"a", "n0", "old", false}, {"b", "n1", "old", false}, {"c", "n2", "old"}},
       {{}, {"n0", "n1", "n2"}}},
      {"unavailable old pod on a node that should not run: deleted",
       1,
       Fits(3, 2),
       {{"a", "n0", "new"}, {"b", "n1", "new"}, {"c", "n2", "old", false}},
       {{"c"}, {}}},
      {"available old pod on a node that should not run: kept while only desired are available",
       1,
       Fits(3, 2),
       {{"a", "n0", "new", false}, {"b", "n1", "new"}, {"c", "n2", "old"}},
       {{}, {}}},
      {"... and deleted once more than desired are available",
       1,
       Fits(3, 2),
       {{"a", "n0", "new"}, {"b", "n1", "new"}, {"c", "n2", "old"}},
       {{"c"}, {}}},
  };
  for (const Case& c : cases) {
    NodePods pods;
    for (const auto& p : c.pods) pods[p.node].push_back(Pod(p));
    int desired = 0;
    for (const auto& [n, f] : c.fits) desired += f.should_run;
    RollingLimits limits{c.max_surge, 0, desired};
    EXPECT_EQ(PlanRollingUpdate(limits, c.fits, pods, Rev()), c.want) << c.name;
  }
}

}  // namespace
}  // namespace skiff::controllers::daemonset
