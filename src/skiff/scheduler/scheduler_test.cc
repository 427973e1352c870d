#include "skiff/scheduler/scheduler.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"
#include "skiff/scheduler/testing.h"

namespace skiff::scheduler {
namespace {

using testing::FakeClient;
using testing::FakeClock;
using testing::NodeBuilder;
using testing::PodBuilder;

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() : sched_(&client_, Options(), clock_) {}

  static SchedulerOptions Options() {
    SchedulerOptions o;
    o.bind_workers = 0;
    o.framework.parallelism = 1;
    o.framework.seed = 1;
    return o;
  }

  std::vector<std::string> BoundTo() {
    std::lock_guard<std::mutex> lock(client_.mu_);
    std::vector<std::string> out;
    for (const auto& b : client_.bindings) out.push_back(b.pod + "->" + b.node);
    return out;
  }

  // (reason, message) of the recorded events.
  std::vector<std::pair<std::string, std::string>> Events() {
    sched_.FlushEvents();
    std::lock_guard<std::mutex> lock(client_.mu_);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& e : client_.events) {
      out.emplace_back(std::string(api::GetString(e, {"reason"})),
                       std::string(api::GetString(e, {"message"})));
    }
    return out;
  }

  FakeClock clock_;
  FakeClient client_;
  Scheduler sched_;
};

TEST_F(SchedulerTest, SchedulesByNodeSelectorAndRecordsTheEvent) {
  sched_.OnNodeAdd(NodeBuilder("n1").Label("disk", "hdd").Obj());
  sched_.OnNodeAdd(NodeBuilder("n2").Label("disk", "ssd").Obj());
  sched_.OnPodAdd(PodBuilder("p").Spec("nodeSelector", R"({"disk":"ssd"})").Obj());
  ASSERT_TRUE(sched_.RunOnce());
  EXPECT_FALSE(sched_.RunOnce());
  EXPECT_EQ(BoundTo(), std::vector<std::string>{"p->n2"});
  EXPECT_EQ(client_.bindings[0].uid, "uid-default-p");
  EXPECT_EQ(Events(), (std::vector<std::pair<std::string, std::string>>{
                          {"Scheduled", "Successfully assigned default/p to n2"}}));
  EXPECT_TRUE(sched_.cache().IsAssumed("uid-default-p"));
  // The informer then reports the bound pod: the assumption is confirmed.
  PodBuilder pending("p");
  PodBuilder bound = pending;
  bound.Node("n2");
  sched_.OnPodUpdate(pending.Obj(), bound.Obj());
  EXPECT_FALSE(sched_.cache().IsAssumed("uid-default-p"));
  EXPECT_EQ(sched_.cache().PodCount(), 1u);
  EXPECT_EQ(sched_.queue().Size(), 0u);
  EXPECT_EQ(sched_.stats().scheduled, 1);
}

TEST_F(SchedulerTest, TooBigPodStaysPendingUntilABigEnoughNodeArrives) {
  sched_.OnNodeAdd(NodeBuilder("small1", "1", "2Gi").Obj());
  sched_.OnNodeAdd(NodeBuilder("small2", "2", "2Gi").Obj());
  sched_.OnPodAdd(PodBuilder("big").Req("3", "1Gi").Obj());
  ASSERT_TRUE(sched_.RunOnce());
  EXPECT_TRUE(BoundTo().empty());
  const std::string kMsg =
      "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No "
      "preemption victims found for incoming pod.";
  EXPECT_EQ(Events(),
            (std::vector<std::pair<std::string, std::string>>{{"FailedScheduling", kMsg}}));
  ASSERT_EQ(client_.patches.size(), 1u);
  const auto& patch = client_.patches[0];
  EXPECT_EQ(patch.subresource, "status");
  EXPECT_EQ(patch.type, "application/strategic-merge-patch+json");
  json::value cond = json::parse(patch.patch).at("status").at("conditions").at(0);
  EXPECT_EQ(cond.at("type"), "PodScheduled");
  EXPECT_EQ(cond.at("status"), "False");
  EXPECT_EQ(cond.at("reason"), "Unschedulable");
  EXPECT_EQ(std::string(cond.at("message").as_string()), kMsg);
  EXPECT_EQ(sched_.queue().UnschedulableCount(), 1u);

  // Unrelated events leave it parked; a new node moves it, after its 1 s backoff.
  sched_.OnPodAdd(PodBuilder("other-bound").Node("small1").Obj());
  EXPECT_EQ(sched_.queue().UnschedulableCount(), 1u);
  sched_.OnNodeAdd(NodeBuilder("big", "8", "16Gi").Obj());
  EXPECT_EQ(sched_.queue().UnschedulableCount(), 0u);
  EXPECT_FALSE(sched_.RunOnce());
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(sched_.RunOnce());
  EXPECT_EQ(BoundTo(), std::vector<std::string>{"big->big"});
}

TEST_F(SchedulerTest, AssumedPodsCountBeforeTheInformerConfirmsThem) {
  sched_.OnNodeAdd(NodeBuilder("a", "1", "4Gi").Obj());
  sched_.OnNodeAdd(NodeBuilder("b", "1", "4Gi").Obj());
  for (const char* name : {"p1", "p2", "p3"}) sched_.OnPodAdd(PodBuilder(name).Req("600m").Obj());
  while (sched_.RunOnce()) {
  }
  std::vector<std::string> bound = BoundTo();
  ASSERT_EQ(bound.size(), 2u);
  EXPECT_NE(bound[0].substr(bound[0].size() - 1), bound[1].substr(bound[1].size() - 1));
  EXPECT_EQ(Events().back(),
            (std::pair<std::string, std::string>{
                "FailedScheduling",
                "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are "
                "available: 2 No preemption victims found for incoming pod."}));
  // Deleting a bound pod frees room and retries the parked one.
  sched_.OnPodDelete(PodBuilder("p1").Req("600m").Node(bound[0].substr(4)).Obj());
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(sched_.RunOnce());
  EXPECT_EQ(BoundTo().size(), 3u);
  EXPECT_EQ(BoundTo()[2], "p3->" + bound[0].substr(4));
}

TEST_F(SchedulerTest, AntiAffinitySpreadsReplicas) {
  for (const char* n : {"n1", "n2", "n3"}) sched_.OnNodeAdd(NodeBuilder(n).Obj());
  for (int i = 0; i < 4; ++i) {
    sched_.OnPodAdd(PodBuilder("web-" + std::to_string(i))
                        .Label("app", "web")
                        .Spec("affinity", R"({"podAntiAffinity":{
                            "requiredDuringSchedulingIgnoredDuringExecution":[
                            {"labelSelector":{"matchLabels":{"app":"web"}},
                             "topologyKey":"kubernetes.io/hostname"}]}})")
                        .Obj());
  }
  while (sched_.RunOnce()) {
  }
  std::set<std::string> nodes;
  for (const auto& b : client_.bindings) nodes.insert(b.node);
  EXPECT_EQ(client_.bindings.size(), 3u);
  EXPECT_EQ(nodes, (std::set<std::string>{"n1", "n2", "n3"}));
  EXPECT_EQ(Events().back().second,
            "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: "
            "0/3 nodes are available: 3 No preemption victims found for incoming pod.");
}

TEST_F(SchedulerTest, TaintRemovalRetriesThePod) {
  sched_.OnNodeAdd(NodeBuilder("n1").Taint("dedicated", "db", "NoSchedule").Obj());
  sched_.OnPodAdd(PodBuilder("p").Obj());
  ASSERT_TRUE(sched_.RunOnce());
  EXPECT_EQ(Events().back().second,
            "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: db}. "
            "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
  // A label change is not an event TaintToleration cares about.
  sched_.OnNodeUpdate(
      NodeBuilder("n1").Taint("dedicated", "db", "NoSchedule").Obj(),
      NodeBuilder("n1").Taint("dedicated", "db", "NoSchedule").Label("x", "y").Obj());
  EXPECT_EQ(sched_.queue().UnschedulableCount(), 1u);
  sched_.OnNodeUpdate(NodeBuilder("n1").Taint("dedicated", "db", "NoSchedule").Obj(),
                      NodeBuilder("n1").Obj());
  EXPECT_EQ(sched_.queue().UnschedulableCount(), 0u);
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(sched_.RunOnce());
  EXPECT_EQ(BoundTo(), std::vector<std::string>{"p->n1"});
}

TEST_F(SchedulerTest, NoNodes) {
  sched_.OnPodAdd(PodBuilder("p").Obj());
  ASSERT_TRUE(sched_.RunOnce());
  EXPECT_EQ(Events().back().second, "no nodes available to schedule pods");
}

TEST_F(SchedulerTest, BindFailureForgetsTheAssumptionAndBacksOff) {
  sched_.OnNodeAdd(NodeBuilder("n1").Obj());
  client_.bind_error = absl::InternalError("etcd is sad");
  sched_.OnPodAdd(PodBuilder("p").Req("1").Obj());
  ASSERT_TRUE(sched_.RunOnce());
  EXPECT_EQ(sched_.cache().PodCount(), 0u);
  EXPECT_EQ(sched_.queue().BackoffCount(), 1u);
  EXPECT_EQ(sched_.stats().bind_errors, 1);
  EXPECT_EQ(Events().back(), (std::pair<std::string, std::string>{
                                 "FailedScheduling", "binding rejected: etcd is sad"}));
  client_.bind_error = absl::OkStatus();
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(sched_.RunOnce());
  EXPECT_EQ(BoundTo(), std::vector<std::string>{"p->n1"});
}

TEST_F(SchedulerTest, IgnoresOtherSchedulersTerminatingAndBoundPods) {
  sched_.OnNodeAdd(NodeBuilder("n1").Obj());
  sched_.OnPodAdd(PodBuilder("mine-not").Spec("schedulerName", R"("my-scheduler")").Obj());
  sched_.OnPodAdd(
      PodBuilder("dying").Set({"metadata", "deletionTimestamp"}, "2025-01-01T00:00:00Z").Obj());
  sched_.OnPodAdd(PodBuilder("done").Set({"status", "phase"}, "Succeeded").Obj());
  sched_.OnPodAdd(PodBuilder("bound").Req("1").Node("n1").Obj());
  EXPECT_EQ(sched_.queue().Size(), 0u);
  EXPECT_EQ(sched_.cache().PodCount(), 1u);
  EXPECT_FALSE(sched_.RunOnce());
  // A pending pod that gets deleted leaves the queue.
  sched_.OnPodAdd(PodBuilder("gone").Obj());
  sched_.OnPodDelete(PodBuilder("gone").Obj());
  EXPECT_EQ(sched_.queue().Size(), 0u);
}

TEST(SchedulerThreadsTest, StartSchedulesAndStopJoins) {
  FakeClient client;
  SchedulerOptions o;
  o.bind_workers = 4;
  o.record_events = false;
  Scheduler sched(&client, o);
  for (int i = 0; i < 5; ++i) sched.OnNodeAdd(NodeBuilder("n" + std::to_string(i)).Obj());
  sched.Start();
  for (int i = 0; i < 200; ++i) sched.OnPodAdd(PodBuilder("p" + std::to_string(i)).Obj());
  for (int i = 0; i < 500 && sched.stats().scheduled < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  sched.Stop();
  EXPECT_EQ(sched.stats().scheduled, 200);
  EXPECT_EQ(client.bindings.size(), 200u);
}

}  // namespace
}  // namespace skiff::scheduler
