#include "skiff/scheduler/plugins/noderesources/balanced_allocation.h"

#include <gtest/gtest.h>

#include "skiff/scheduler/plugins/plugin_testing.h"

namespace skiff::scheduler::plugins {
namespace {

using testing::NodeBuilder;
using testing::PodBuilder;

TEST(BalancedAllocationTest, ScoreTable) {
  struct Case {
    std::vector<int64_t> req, alloc;
    int64_t want;
  };
  const Case cases[] = {
      {{3000, 5}, {4000, 8}, 93},   // fractions .75 and .625: std .0625
      {{2000, 4}, {4000, 8}, 100},  // equal fractions
      {{0, 8}, {4000, 8}, 50},      // 0 and 1
      {{9000, 4}, {4000, 8}, 75},   // over-requested caps at 1
      {{3000, 5}, {4000, 0}, 100},  // a resource without allocatable is ignored
      {{1, 2, 3}, {4, 4, 4}, 79},   // three resources: population std of .25 .5 .75
  };
  for (const Case& c : cases) {
    EXPECT_EQ(BalancedResourceScore(c.req, c.alloc), c.want);
  }
}

TEST(BalancedAllocationTest, UsesRequestsAndSkipsBestEffortPods) {
  Snapshot snap = testing::SnapshotOf({NodeBuilder("a", "4", "8Gi"), NodeBuilder("b", "4", "8Gi")},
                                      {PodBuilder("x").Req("2").Node("a")});
  NodeResourcesBalancedAllocation pl;
  EXPECT_FALSE(testing::RunScore(pl, *PodBuilder("p").Info(), snap).has_value());
  auto scores = testing::RunScore(pl, *PodBuilder("p").Req("1", "2Gi").Info(), snap);
  ASSERT_TRUE(scores);
  // a: cpu 3/4, memory 2/8 -> std .25 -> 75; b: 1/4 and 2/8 -> 100.
  EXPECT_EQ(scores->normalized, (std::map<std::string, int64_t>{{"a", 75}, {"b", 100}}));
}

}  // namespace
}  // namespace skiff::scheduler::plugins
