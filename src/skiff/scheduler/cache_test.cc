#include "skiff/scheduler/cache.h"

#include <gtest/gtest.h>

#include "skiff/scheduler/testing.h"

namespace skiff::scheduler {
namespace {

using testing::NodeBuilder;
using testing::PodBuilder;

std::vector<std::string> Names(const Snapshot& s) {
  std::vector<std::string> out;
  for (const NodeInfo* n : s.nodes()) out.push_back(n->name());
  return out;
}

TEST(CacheTest, SnapshotListsNodesInOrderAndUpdatesIncrementally) {
  Cache cache;
  cache.AddNode(NodeBuilder("b").Spec());
  cache.AddNode(NodeBuilder("a").Spec());
  Snapshot snap;
  cache.UpdateSnapshot(&snap);
  EXPECT_EQ(Names(snap), (std::vector<std::string>{"b", "a"}));

  const NodeInfo* before = snap.Get("a");
  cache.AddPod(PodBuilder("p").Req("1").Node("a").Info());
  // Copy on write: the snapshot still sees the old version until refreshed.
  EXPECT_EQ(snap.Get("a")->pods.size(), 0u);
  cache.UpdateSnapshot(&snap);
  EXPECT_NE(snap.Get("a"), before);
  EXPECT_EQ(snap.Get("a")->pods.size(), 1u);
  EXPECT_EQ(snap.Get("a")->requested.milli_cpu, 1000);
  EXPECT_EQ(snap.Get("b")->pods.size(), 0u);

  cache.RemoveNode("b");
  cache.UpdateSnapshot(&snap);
  EXPECT_EQ(Names(snap), std::vector<std::string>{"a"});
  EXPECT_EQ(snap.Get("b"), nullptr);
}

TEST(CacheTest, AssumeConfirmAndForget) {
  Cache cache;
  cache.AddNode(NodeBuilder("n1").Spec());
  cache.AddNode(NodeBuilder("n2").Spec());
  PodInfoPtr p = PodBuilder("p").Req("1").Info();
  ASSERT_TRUE(cache.AssumePod(WithNodeName(*p, "n1")).ok());
  EXPECT_TRUE(cache.IsAssumed(p->uid));
  EXPECT_EQ(cache.AssumePod(WithNodeName(*p, "n1")).code(), absl::StatusCode::kAlreadyExists);
  Snapshot snap;
  cache.UpdateSnapshot(&snap);
  EXPECT_EQ(snap.Get("n1")->requested.milli_cpu, 1000);

  // Forget undoes the assumption.
  cache.ForgetPod(p->uid);
  cache.UpdateSnapshot(&snap);
  EXPECT_EQ(snap.Get("n1")->requested.milli_cpu, 0);
  EXPECT_EQ(cache.PodCount(), 0u);

  // The informer's bound pod confirms an assumption, moving it if the node differs.
  ASSERT_TRUE(cache.AssumePod(WithNodeName(*p, "n1")).ok());
  cache.FinishBinding(p->uid);
  cache.AddPod(PodBuilder("p").Req("1").Node("n2").Info());
  EXPECT_FALSE(cache.IsAssumed(p->uid));
  cache.UpdateSnapshot(&snap);
  EXPECT_EQ(snap.Get("n1")->requested.milli_cpu, 0);
  EXPECT_EQ(snap.Get("n2")->requested.milli_cpu, 1000);
  // Forget does not drop a confirmed pod.
  cache.ForgetPod(p->uid);
  EXPECT_EQ(cache.PodCount(), 1u);
  cache.RemovePod(p->uid);
  cache.UpdateSnapshot(&snap);
  EXPECT_EQ(snap.Get("n2")->pods.size(), 0u);
}

TEST(CacheTest, PodsOnUnknownNodesWaitForTheNode) {
  Cache cache;
  cache.AddPod(PodBuilder("p").Req("1").Node("late").Info());
  Snapshot snap;
  cache.UpdateSnapshot(&snap);
  EXPECT_EQ(snap.size(), 0u);
  cache.AddNode(NodeBuilder("late").Spec());
  cache.UpdateSnapshot(&snap);
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap.Get("late")->requested.milli_cpu, 1000);
  // A deleted node keeps its pods' accounting until they go.
  cache.RemoveNode("late");
  cache.AddNode(NodeBuilder("late").Spec());
  cache.UpdateSnapshot(&snap);
  EXPECT_EQ(snap.Get("late")->pods.size(), 1u);
}

TEST(CacheTest, AffinityViews) {
  Cache cache;
  cache.AddNode(NodeBuilder("n1").Spec());
  cache.AddNode(NodeBuilder("n2").Spec());
  Snapshot snap;
  cache.UpdateSnapshot(&snap);
  EXPECT_TRUE(snap.have_pods_with_affinity().empty());
  cache.AddPod(PodBuilder("p")
                   .Node("n2")
                   .Spec("affinity", R"({"podAntiAffinity":{
                      "requiredDuringSchedulingIgnoredDuringExecution":[
                      {"labelSelector":{},"topologyKey":"kubernetes.io/hostname"}]}})")
                   .Info());
  cache.UpdateSnapshot(&snap);
  ASSERT_EQ(snap.have_pods_with_required_anti_affinity().size(), 1u);
  EXPECT_EQ(snap.have_pods_with_required_anti_affinity()[0]->name(), "n2");
  EXPECT_EQ(snap.have_pods_with_affinity().size(), 1u);
  cache.RemovePod("uid-default-p");
  cache.UpdateSnapshot(&snap);
  EXPECT_TRUE(snap.have_pods_with_required_anti_affinity().empty());
}

}  // namespace
}  // namespace skiff::scheduler
