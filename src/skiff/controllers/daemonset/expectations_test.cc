#include "skiff/controllers/daemonset/expectations.h"

#include <gtest/gtest.h>

namespace skiff::controllers::daemonset {
namespace {

class ManualClock : public base::Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1767225600);
};

TEST(ExpectationsTest, CountsBothWaysAndExpires) {
  ManualClock clock;
  Expectations e(clock, absl::Minutes(5));
  EXPECT_TRUE(e.Satisfied("ns/ds"));
  e.Set("ns/ds", 2, 1);
  EXPECT_FALSE(e.Satisfied("ns/ds"));
  e.CreationObserved("ns/ds");
  e.DeletionObserved("ns/ds");
  EXPECT_EQ(e.Pending("ns/ds"), (std::pair<int, int>{1, 0}));
  EXPECT_FALSE(e.Satisfied("ns/ds"));
  e.CreationObserved("ns/ds");
  EXPECT_TRUE(e.Satisfied("ns/ds"));
  // A deletion seen twice (graceful start, then removal) may go below zero.
  e.DeletionObserved("ns/ds");
  EXPECT_EQ(e.Pending("ns/ds"), (std::pair<int, int>{0, -1}));
  EXPECT_TRUE(e.Satisfied("ns/ds"));

  e.Set("ns/ds", 3, 0);
  e.Lower("ns/ds", 2, 0);
  EXPECT_FALSE(e.Satisfied("ns/ds"));
  clock.now += absl::Minutes(2);
  EXPECT_EQ(e.TakeWakeUp("ns/ds"), absl::Minutes(3));
  EXPECT_EQ(e.TakeWakeUp("ns/ds"), std::nullopt);
  clock.now += absl::Minutes(3) + absl::Seconds(1);
  EXPECT_TRUE(e.Satisfied("ns/ds"));
  e.Delete("ns/ds");
  EXPECT_EQ(e.Pending("ns/ds"), (std::pair<int, int>{0, 0}));
  // Lowering without a record creates none.
  e.CreationObserved("other");
  EXPECT_EQ(e.Pending("other"), (std::pair<int, int>{0, 0}));
}

}  // namespace
}  // namespace skiff::controllers::daemonset
