#include "skiff/controllers/replicaset/expectations.h"

#include <gtest/gtest.h>

namespace skiff::controllers::replicaset {
namespace {

class FakeClock : public base::Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1800000000);
};

TEST(ExpectationsTest, WithoutARecordASyncMayAct) {
  FakeClock clock;
  Expectations e(clock);
  EXPECT_TRUE(e.Satisfied("default/web"));
  EXPECT_EQ(e.Pending("default/web"), (std::pair<int64_t, int64_t>{0, 0}));
}

TEST(ExpectationsTest, CreationsAreCountedDown) {
  FakeClock clock;
  Expectations e(clock);
  e.ExpectCreations("default/web", 2);
  EXPECT_FALSE(e.Satisfied("default/web"));
  EXPECT_TRUE(e.Satisfied("default/other"));
  e.CreationObserved("default/web");
  EXPECT_EQ(e.Pending("default/web"), (std::pair<int64_t, int64_t>{1, 0}));
  EXPECT_FALSE(e.Satisfied("default/web"));
  e.CreationObserved("default/web");
  EXPECT_TRUE(e.Satisfied("default/web"));
  // Extra observations (e.g. an adopted pod's later event) only go below zero.
  e.CreationObserved("default/web");
  EXPECT_TRUE(e.Satisfied("default/web"));
  EXPECT_EQ(e.Pending("default/web"), (std::pair<int64_t, int64_t>{-1, 0}));
}

TEST(ExpectationsTest, DeletionsCountOnlyExpectedPodsOnce) {
  FakeClock clock;
  Expectations e(clock);
  e.ExpectDeletions("default/web", {"default/web-a", "default/web-b"});
  EXPECT_EQ(e.Pending("default/web"), (std::pair<int64_t, int64_t>{0, 2}));
  e.DeletionObserved("default/web", "default/web-a");
  e.DeletionObserved("default/web", "default/web-a");  // the delete after the graceful update
  e.DeletionObserved("default/web", "default/other");
  EXPECT_EQ(e.Pending("default/web"), (std::pair<int64_t, int64_t>{0, 1}));
  EXPECT_FALSE(e.Satisfied("default/web"));
  e.DeletionObserved("default/web", "default/web-b");
  EXPECT_TRUE(e.Satisfied("default/web"));
}

TEST(ExpectationsTest, NewExpectationsReplaceOldOnes) {
  FakeClock clock;
  Expectations e(clock);
  e.ExpectDeletions("default/web", {"default/web-a"});
  e.ExpectCreations("default/web", 3);
  EXPECT_EQ(e.Pending("default/web"), (std::pair<int64_t, int64_t>{3, 0}));
  e.Delete("default/web");
  EXPECT_TRUE(e.Satisfied("default/web"));
  EXPECT_EQ(e.Pending("default/web"), (std::pair<int64_t, int64_t>{0, 0}));
}

TEST(ExpectationsTest, UnmetExpectationsExpireAfterTheTtl) {
  FakeClock clock;
  Expectations e(clock);
  e.ExpectCreations("default/web", 1);
  EXPECT_EQ(e.TakeWakeUp("default/web"), absl::Minutes(5));
  EXPECT_EQ(e.TakeWakeUp("default/web"), std::nullopt);  // one wake-up per record
  clock.now += absl::Minutes(5);
  EXPECT_FALSE(e.Satisfied("default/web"));  // strictly older than the TTL
  clock.now += absl::Seconds(1);
  EXPECT_TRUE(e.Satisfied("default/web"));
  e.ExpectCreations("default/web", 1);  // a fresh record arms a fresh wake-up
  clock.now += absl::Minutes(2);
  EXPECT_EQ(e.TakeWakeUp("default/web"), absl::Minutes(3));
}

TEST(ExpectationsTest, SatisfiedRecordsNeedNoWakeUp) {
  FakeClock clock;
  Expectations e(clock, absl::Seconds(30));
  EXPECT_EQ(e.TakeWakeUp("default/web"), std::nullopt);
  e.ExpectCreations("default/web", 0);
  EXPECT_EQ(e.TakeWakeUp("default/web"), std::nullopt);
  e.ExpectCreations("default/web", 1);
  EXPECT_EQ(e.TakeWakeUp("default/web"), absl::Seconds(30));
}

}  // namespace
}  // namespace skiff::controllers::replicaset
