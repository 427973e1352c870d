#include "skiff/scheduler/plugins/nodename/node_name.h"

#include <gtest/gtest.h>

#include "skiff/scheduler/plugins/plugin_testing.h"

namespace skiff::scheduler::plugins {
namespace {

using testing::NodeBuilder;
using testing::PodBuilder;

TEST(NodeNameTest, Filter) {
  NodeName pl;
  Snapshot snap = testing::SnapshotOf({NodeBuilder("n1")});
  EXPECT_TRUE(testing::RunFilter(pl, *PodBuilder("p").Info(), snap, "n1").ok());
  EXPECT_TRUE(testing::RunFilter(pl, *PodBuilder("p").Node("n1").Info(), snap, "n1").ok());
  Status s = testing::RunFilter(pl, *PodBuilder("p").Node("n2").Info(), snap, "n1");
  EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable);
  EXPECT_EQ(s.Message(), "node(s) didn't match the requested node name");
}

}  // namespace
}  // namespace skiff::scheduler::plugins
