#include "skiff/scheduler/status.h"

#include <gtest/gtest.h>

namespace skiff::scheduler {
namespace {

TEST(FitErrorMessageTest, MatchesKubeScheduler) {
  Diagnosis d;
  d.node_statuses.push_back(Status::Unresolvable(
      "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"));
  d.node_statuses.push_back(
      Status::Unresolvable("node(s) didn't match Pod's node affinity/selector"));
  d.node_statuses.push_back(
      Status::Unresolvable("node(s) didn't match Pod's node affinity/selector"));
  d.postfilter_msg =
      "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
  EXPECT_EQ(FitErrorMessage(3, d),
            "0/3 nodes are available: 1 node(s) had untolerated taint "
            "{node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node "
            "affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful "
            "for scheduling.");
}

TEST(FitErrorMessageTest, CountsEveryReasonAndSortsAsStrings) {
  Diagnosis d;
  for (int i = 0; i < 10; ++i)
    d.node_statuses.push_back(Status::Unschedulable("Insufficient memory"));
  d.node_statuses.push_back(
      Status::Unschedulable(std::vector<std::string>{"Insufficient cpu", "Insufficient memory"}));
  d.node_statuses.push_back(Status::Unschedulable("Insufficient cpu"));
  d.node_statuses.push_back(Status::Unschedulable("Too many pods"));
  // Go's sort.Strings on "<count> <reason>": "11 ..." sorts before "2 ...".
  EXPECT_EQ(FitErrorMessage(13, d),
            "0/13 nodes are available: 1 Too many pods, 11 Insufficient memory, 2 Insufficient "
            "cpu.");
}

TEST(FitErrorMessageTest, PreFilterMessageReplacesNodeReasons) {
  Diagnosis d;
  d.prefilter_msg = "persistentvolumeclaim \"data\" not found";
  d.absent_status = Status::Unresolvable(d.prefilter_msg);
  d.absent_nodes = 3;
  d.postfilter_msg =
      "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
  EXPECT_EQ(FitErrorMessage(3, d),
            "0/3 nodes are available: persistentvolumeclaim \"data\" not found. preemption: 0/3 "
            "nodes are available: 3 Preemption is not helpful for scheduling.");
}

TEST(FitErrorMessageTest, AbsentNodesCountWithTheirStatus) {
  Diagnosis d;
  d.node_statuses.push_back(Status::Unschedulable("Insufficient cpu"));
  d.absent_status = Status::Unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]");
  d.absent_nodes = 2;
  EXPECT_EQ(FitErrorMessage(3, d),
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) "
            "[NodeAffinity].");
  EXPECT_EQ(FitErrorMessage(0, Diagnosis{}), "0/0 nodes are available:");
}

TEST(StatusTest, Basics) {
  EXPECT_TRUE(Status().ok());
  EXPECT_TRUE(Status::Skip().IsSkip());
  Status s = Status::Unschedulable(std::vector<std::string>{"a", "b"});
  EXPECT_TRUE(s.IsRejected());
  EXPECT_EQ(s.Message(), "a, b");
  EXPECT_EQ(s.plugin(), -1);
  s.set_plugin(3);
  EXPECT_EQ(s.plugin(), 3);
  EXPECT_EQ(Status::Error("boom").code(), Code::kError);
  EXPECT_FALSE(Status::Error("boom").IsRejected());
}

}  // namespace
}  // namespace skiff::scheduler
