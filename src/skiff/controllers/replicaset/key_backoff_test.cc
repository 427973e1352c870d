#include "skiff/controllers/replicaset/key_backoff.h"

#include <gtest/gtest.h>

namespace skiff::controllers::replicaset {
namespace {

TEST(KeyBackoffTest, DoublesPerKeyUpToTheCap) {
  KeyBackoff b(absl::Milliseconds(5), absl::Seconds(1));
  const absl::Duration want[] = {absl::Milliseconds(5),   absl::Milliseconds(10),
                                 absl::Milliseconds(20),  absl::Milliseconds(40),
                                 absl::Milliseconds(80),  absl::Milliseconds(160),
                                 absl::Milliseconds(320), absl::Milliseconds(640),
                                 absl::Seconds(1),        absl::Seconds(1)};
  for (absl::Duration w : want) EXPECT_EQ(b.Next("a"), w);
  EXPECT_EQ(b.Failures("a"), 10);
  EXPECT_EQ(b.Next("b"), absl::Milliseconds(5));  // keys are independent
  b.Forget("a");
  EXPECT_EQ(b.Failures("a"), 0);
  EXPECT_EQ(b.Next("a"), absl::Milliseconds(5));
}

TEST(KeyBackoffTest, ManyFailuresStayAtTheCap) {
  KeyBackoff b;
  absl::Duration last;
  for (int i = 0; i < 100; ++i) last = b.Next("a");
  EXPECT_EQ(last, absl::Seconds(1000));
}

}  // namespace
}  // namespace skiff::controllers::replicaset
