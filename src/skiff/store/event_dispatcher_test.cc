#include "skiff/store/event_dispatcher.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace skiff::store {
namespace {

std::vector<Event> Puts(int64_t first, int64_t last) {
  std::vector<Event> events;
  for (int64_t r = first; r <= last; ++r) {
    Event& e = events.emplace_back();
    e.key = "/k/" + std::to_string(r);
    e.revision = r;
  }
  return events;
}

TEST(EventDispatcherTest, DeliversOnlyEventsAfterTheSubscriptionInOrder) {
  EventDispatcher dispatcher(10);
  absl::Mutex mu;
  std::vector<int64_t> seen;
  int64_t revision = 0;
  auto sub = dispatcher.Subscribe(
      [&](const std::vector<Event>& events) {
        absl::MutexLock lock(&mu);
        for (const Event& e : events) seen.push_back(e.revision);
      },
      &revision);
  EXPECT_EQ(revision, 10);
  dispatcher.Publish(Puts(11, 13));
  dispatcher.Publish(Puts(14, 14));
  EXPECT_EQ(dispatcher.revision(), 14);
  absl::MutexLock lock(&mu);
  mu.AwaitWithTimeout(absl::Condition(
                          +[](std::vector<int64_t>* s) { return s->size() >= 4; }, &seen),
                      absl::Seconds(10));
  EXPECT_EQ(seen, (std::vector<int64_t>{11, 12, 13, 14}));
}

TEST(EventDispatcherTest, LateSubscriberSkipsQueuedEarlierEvents) {
  EventDispatcher dispatcher(0);
  absl::Notification release;
  // Holds the dispatcher thread in a callback so later batches stay queued.
  auto blocker = dispatcher.Subscribe(
      [&](const std::vector<Event>&) { release.WaitForNotificationWithTimeout(absl::Seconds(10)); },
      nullptr);
  dispatcher.Publish(Puts(1, 1));
  dispatcher.Publish(Puts(2, 3));
  std::atomic<int64_t> first_seen{0};
  std::atomic<int> count{0};
  int64_t revision = 0;
  auto late = dispatcher.Subscribe(
      [&](const std::vector<Event>& events) {
        if (first_seen == 0) first_seen = events.front().revision;
        count += static_cast<int>(events.size());
      },
      &revision);
  EXPECT_EQ(revision, 3);
  dispatcher.Publish(Puts(4, 5));
  release.Notify();
  for (int i = 0; i < 1000 && count < 2; ++i) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(first_seen.load(), 4);
  EXPECT_EQ(count.load(), 2);
}

TEST(EventDispatcherTest, UnsubscribeWaitsForTheRunningCallback) {
  EventDispatcher dispatcher(0);
  absl::Notification entered;
  std::atomic<bool> finished{false};
  auto sub = dispatcher.Subscribe(
      [&](const std::vector<Event>&) {
        entered.Notify();
        absl::SleepFor(absl::Milliseconds(100));
        finished = true;
      },
      nullptr);
  dispatcher.Publish(Puts(1, 1));
  entered.WaitForNotification();
  sub.reset();
  EXPECT_TRUE(finished.load());
}

TEST(EventDispatcherTest, CallbackMayDropItsOwnSubscription) {
  std::unique_ptr<Store::Subscription> sub;
  std::atomic<int> calls{0};
  {
    EventDispatcher dispatcher(0);
    absl::Notification dropped;
    sub = dispatcher.Subscribe(
        [&](const std::vector<Event>&) {
          ++calls;
          sub.reset();
          dropped.Notify();
        },
        nullptr);
    dispatcher.Publish(Puts(1, 1));
    dropped.WaitForNotification();
    dispatcher.Publish(Puts(2, 2));
  }  // the destructor delivers what was published
  EXPECT_EQ(calls.load(), 1);
}

TEST(EventDispatcherTest, SubscriptionMayOutliveTheDispatcher) {
  std::unique_ptr<Store::Subscription> sub;
  {
    EventDispatcher dispatcher(0);
    sub = dispatcher.Subscribe([](const std::vector<Event>&) {}, nullptr);
    dispatcher.Publish(Puts(1, 1));
  }
  sub.reset();
}

}  // namespace
}  // namespace skiff::store
