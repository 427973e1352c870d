#include "skiff/scheduler/queue.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"
#include "skiff/scheduler/framework.h"
#include "skiff/scheduler/testing.h"

namespace skiff::scheduler {
namespace {

using testing::FakeClock;
using testing::PodBuilder;

std::string PopName(SchedulingQueue& q) {
  auto info = q.TryPop();
  return info ? info->pod->name : "<none>";
}

TEST(QueueTest, PriorityThenFifo) {
  FakeClock clock;
  SchedulingQueue q(clock);
  q.Add(PodBuilder("low1").Info());
  clock.Advance(absl::Milliseconds(1));
  q.Add(PodBuilder("high").Priority(100).Info());
  clock.Advance(absl::Milliseconds(1));
  q.Add(PodBuilder("low2").Info());
  q.Add(PodBuilder("low3").Info());  // same timestamp as low2: arrival order
  EXPECT_EQ(PopName(q), "high");
  EXPECT_EQ(PopName(q), "low1");
  EXPECT_EQ(PopName(q), "low2");
  EXPECT_EQ(PopName(q), "low3");
  EXPECT_EQ(PopName(q), "<none>");
  EXPECT_EQ(q.InFlightCount(), 4u);
}

TEST(QueueTest, BackoffDoublesFromOneToTenSeconds) {
  FakeClock clock;
  SchedulingQueue q(clock);
  const int64_t want_ms[] = {1000, 2000, 4000, 8000, 10000, 10000};
  for (int attempts = 1; attempts <= 6; ++attempts) {
    EXPECT_EQ(absl::ToInt64Milliseconds(q.BackoffDuration(attempts)), want_ms[attempts - 1])
        << attempts;
  }
}

TEST(QueueTest, UnschedulablePodWaitsForARelevantEventThenBacksOff) {
  FakeClock clock;
  SchedulingQueue q(clock);
  q.Add(PodBuilder("p").Info());
  auto info = q.TryPop();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->attempts, 1);
  q.AddUnschedulable(*info, kNodeAdd | kNodeAllocatableChange);
  EXPECT_EQ(q.UnschedulableCount(), 1u);

  clock.Advance(absl::Seconds(5));
  EXPECT_EQ(PopName(q), "<none>");              // no event: stays parked
  q.MoveAllToActiveOrBackoff(kAssignedPodAdd);  // not one it cares about
  EXPECT_EQ(q.UnschedulableCount(), 1u);
  q.MoveAllToActiveOrBackoff(kNodeAdd);  // backoff (1 s) is long over: straight to active
  EXPECT_EQ(q.ActiveCount(), 1u);
  info = q.TryPop();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->attempts, 2);

  // Second failure; an event right away lands in backoff for 2 s.
  q.AddUnschedulable(*info, kNodeAdd);
  q.MoveAllToActiveOrBackoff(kNodeAdd);
  EXPECT_EQ(q.BackoffCount(), 1u);
  clock.Advance(absl::Milliseconds(1999));
  EXPECT_EQ(PopName(q), "<none>");
  clock.Advance(absl::Milliseconds(1));
  EXPECT_EQ(PopName(q), "p");
}

TEST(QueueTest, EventDuringTheAttemptSendsThePodToBackoff) {
  FakeClock clock;
  SchedulingQueue q(clock);
  q.Add(PodBuilder("p").Info());
  auto info = q.TryPop();
  q.MoveAllToActiveOrBackoff(kNodeAdd);  // while p is being scheduled
  q.AddUnschedulable(*info, kNodeAdd);
  EXPECT_EQ(q.UnschedulableCount(), 0u);
  EXPECT_EQ(q.BackoffCount(), 1u);
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(PopName(q), "p");
}

TEST(QueueTest, ErrorsGoToBackoff) {
  FakeClock clock;
  SchedulingQueue q(clock);
  q.Add(PodBuilder("p").Info());
  q.AddUnschedulable(*q.TryPop(), kAllEvents, /*error=*/true);
  EXPECT_EQ(q.BackoffCount(), 1u);
}

TEST(QueueTest, LeftoversAreRetriedAfterFiveMinutes) {
  FakeClock clock;
  SchedulingQueue q(clock);
  q.Add(PodBuilder("p").Info());
  q.AddUnschedulable(*q.TryPop(), kNodeAdd);
  clock.Advance(absl::Minutes(4));
  EXPECT_EQ(PopName(q), "<none>");
  clock.Advance(absl::Minutes(1) + absl::Seconds(1));
  EXPECT_EQ(PopName(q), "p");
}

TEST(QueueTest, UpdatesRequeueOnlyWhenSchedulingPropertiesChange) {
  FakeClock clock;
  SchedulingQueue q(clock);
  PodBuilder b("p");
  q.Add(b.Info());
  q.AddUnschedulable(*q.TryPop(), kNodeAdd);
  clock.Advance(absl::Seconds(2));

  // A status-only change (the scheduler's own condition update) keeps it parked.
  PodBuilder status = b;
  status.Set({"status", "conditions"},
             json::parse(R"([{"type":"PodScheduled","status":"False"}])"));
  json::value old = b.Json();
  q.Update(&old, status.Info());
  EXPECT_EQ(q.UnschedulableCount(), 1u);

  // A label change moves it back.
  PodBuilder relabeled = status;
  relabeled.Label("tier", "gold");
  json::value old2 = status.Json();
  q.Update(&old2, relabeled.Info());
  EXPECT_EQ(q.UnschedulableCount(), 0u);
  auto info = q.TryPop();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->pod->labels.at("tier").as_string(), "gold");
}

TEST(QueueTest, UpdateWhileInFlightIsRetriedAndDeleteDrops) {
  FakeClock clock;
  SchedulingQueue q(clock);
  PodBuilder b("p");
  q.Add(b.Info());
  auto info = q.TryPop();
  q.Update(nullptr, PodBuilder("p").Label("v", "2").Info());
  q.AddUnschedulable(*info, kNodeAdd);
  EXPECT_EQ(q.ActiveCount(), 1u);
  info = q.TryPop();
  EXPECT_EQ(info->pod->labels.at("v").as_string(), "2");

  // A status-only update during the attempt (the scheduler's own condition write) is kept
  // for the next attempt but does not force one.
  PodBuilder with_status("p");
  with_status.Label("v", "2")
      .Set({"status", "phase"}, "Pending")
      .Set({"status", "conditions"}, json::parse(R"([{"type":"PodScheduled","status":"False"}])"));
  json::value before = PodBuilder("p").Label("v", "2").Json();
  q.Update(&before, with_status.Info());
  q.AddUnschedulable(*info, kNodeAdd);
  EXPECT_EQ(q.UnschedulableCount(), 1u);
  q.MoveAllToActiveOrBackoff(kNodeAdd);
  clock.Advance(absl::Seconds(10));
  info = q.TryPop();
  ASSERT_TRUE(info);
  EXPECT_TRUE(api::Find(*info->pod->object, {"status", "conditions"}) != nullptr);

  q.Delete(info->pod->uid);
  q.AddUnschedulable(*info, kNodeAdd);  // the attempt ends after the pod is gone
  EXPECT_EQ(q.Size(), 0u);

  q.Add(b.Info());
  info = q.TryPop();
  q.Done(info->pod->uid);
  EXPECT_EQ(q.Size(), 0u);
}

TEST(QueueTest, PopBlocksUntilAddOrClose) {
  SchedulingQueue q(base::Clock::Real());
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    q.Add(PodBuilder("p").Info());
  });
  auto info = q.Pop();
  t.join();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->pod->name, "p");
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    q.Close();
  });
  EXPECT_FALSE(q.Pop().has_value());
  closer.join();
}

TEST(QueueTest, PodSchedulingPropertiesChanged) {
  json::value a = PodBuilder("p").Json();
  json::value b = a;
  b.as_object()["status"].as_object()["phase"] = "Running";
  b.as_object()["metadata"].as_object()["resourceVersion"] = "9";
  EXPECT_FALSE(PodSchedulingPropertiesChanged(a, b));
  b.as_object()["spec"].as_object()["priority"] = 5;
  EXPECT_TRUE(PodSchedulingPropertiesChanged(a, b));
}

}  // namespace
}  // namespace skiff::scheduler
