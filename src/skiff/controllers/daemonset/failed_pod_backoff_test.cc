#include "skiff/controllers/daemonset/failed_pod_backoff.h"

#include <gtest/gtest.h>

namespace skiff::controllers::daemonset {
namespace {

TEST(FailedPodBackoffTest, DoublesUpToTheCapAndStartsOver) {
  const absl::Time t0 = absl::FromUnixSeconds(1767225600);
  FailedPodBackoff b(absl::Seconds(1), absl::Seconds(8));
  EXPECT_FALSE(b.InBackoff("k", t0));
  EXPECT_EQ(b.Delay("k"), absl::ZeroDuration());
  b.Next("k", t0);
  EXPECT_EQ(b.Delay("k"), absl::Seconds(1));
  EXPECT_TRUE(b.InBackoff("k", t0 + absl::Milliseconds(999)));
  EXPECT_FALSE(b.InBackoff("k", t0 + absl::Seconds(1)));
  absl::Time t = t0;
  std::vector<int64_t> delays;
  for (int i = 0; i < 5; ++i) {
    t += absl::Seconds(1);
    b.Next("k", t);
    delays.push_back(absl::ToInt64Seconds(b.Delay("k")));
  }
  EXPECT_EQ(delays, (std::vector<int64_t>{2, 4, 8, 8, 8}));
  // Idle for more than twice the cap: back to the start.
  t += absl::Seconds(17);
  b.Next("k", t);
  EXPECT_EQ(b.Delay("k"), absl::Seconds(1));
  b.Collect(t + absl::Seconds(16));
  EXPECT_EQ(b.Delay("k"), absl::Seconds(1));
  b.Collect(t + absl::Seconds(17));
  EXPECT_EQ(b.Delay("k"), absl::ZeroDuration());
}

}  // namespace
}  // namespace skiff::controllers::daemonset
