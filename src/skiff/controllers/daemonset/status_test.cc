#include "skiff/controllers/daemonset/status.h"

#include <gtest/gtest.h>

#include "skiff/controllers/daemonset/test_pods.h"

namespace skiff::controllers::daemonset {
namespace {

namespace json = boost::json;
using testing::kNow;
using testing::Pod;

TEST(StatusTest, CountsPerNode) {
  NodeFits fits = {{"n0", {true, true}}, {"n1", {true, true}},  {"n2", {true, true}},
                   {"n3", {true, true}}, {"n4", {false, true}}, {"n5", {false, false}},
                   {"n6", {true, true}}};
  NodePods pods;
  pods["n0"].push_back(Pod({"a", "n0", "new"}));
  pods["n1"].push_back(Pod({"b", "n1", "old"}));
  // Ready for 5 s: ready, but not available with minReadySeconds 30.
  pods["n2"].push_back(Pod({"c", "n2", "new", true, absl::Seconds(5)}));
  pods["n3"].push_back(Pod({"d", "n3", "new", false}));
  pods["n4"].push_back(Pod({"e", "n4", "old"}));  // tainted NoSchedule: misscheduled
  pods["n5"].push_back(Pod({"f", "n5", "old"}));
  pods["gone"].push_back(Pod({"g", "gone", "new"}));  // a deleted node counts nowhere
  // n6 has no pod.
  Revision rev{"new", std::nullopt, 30, kNow};
  DaemonSetCounts c = CountDaemonPods(fits, pods, rev);
  EXPECT_EQ(c, (DaemonSetCounts{.desired = 5,
                                .current = 4,
                                .misscheduled = 2,
                                .ready = 3,
                                .updated = 3,
                                .available = 2,
                                .unavailable = 3}));
}

TEST(StatusTest, TheOldestPodOfANodeDecides) {
  NodeFits fits = {{"n0", {true, true}}};
  NodePods pods;
  pods["n0"].push_back(Pod(
      {"young", "n0", "new", true, absl::Minutes(1), "Running", false, true, absl::Minutes(1)}));
  pods["n0"].push_back(Pod({"old", "n0", "old", false}));
  DaemonSetCounts c = CountDaemonPods(fits, pods, Revision{"new", std::nullopt, 0, kNow});
  EXPECT_EQ(c, (DaemonSetCounts{1, 1, 0, 0, 0, 0, 1}));
}

TEST(StatusTest, StatusCurrentAndStatusWith) {
  json::value ds = json::parse(R"({"metadata":{"generation":3},"status":{
      "observedGeneration":2,"currentNumberScheduled":2,"desiredNumberScheduled":2,
      "numberMisscheduled":0,"numberReady":2,"updatedNumberScheduled":2,"numberAvailable":2,
      "collisionCount":1}})");
  DaemonSetCounts same{2, 2, 0, 2, 2, 2, 0};
  // numberUnavailable 0 is the absent field, but observedGeneration lags.
  EXPECT_FALSE(StatusCurrent(ds, same));
  json::object status = StatusWith(ds, same, true);
  EXPECT_EQ(json::serialize(status),
            R"({"observedGeneration":3,"currentNumberScheduled":2,"desiredNumberScheduled":2,)"
            R"("numberMisscheduled":0,"numberReady":2,"updatedNumberScheduled":2,)"
            R"("numberAvailable":2,"collisionCount":1})");
  ds.as_object()["status"] = status;
  EXPECT_TRUE(StatusCurrent(ds, same));
  EXPECT_FALSE(StatusCurrent(ds, DaemonSetCounts{3, 2, 0, 2, 2, 2, 1}));

  json::object fresh = StatusWith(json::parse(R"({"metadata":{"generation":1}})"),
                                  DaemonSetCounts{3, 1, 0, 0, 0, 0, 3}, false);
  EXPECT_EQ(json::serialize(fresh),
            R"({"desiredNumberScheduled":3,"currentNumberScheduled":1,"numberMisscheduled":0,)"
            R"("numberReady":0,"numberUnavailable":3})");
}

}  // namespace
}  // namespace skiff::controllers::daemonset
