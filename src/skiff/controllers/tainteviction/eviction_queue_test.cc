#include "skiff/controllers/tainteviction/eviction_queue.h"

#include <gtest/gtest.h>

namespace skiff::controllers::tainteviction {
namespace {

using Kind = EvictionVerdict::Kind;

const api::Taint kUnreachable{"node.kubernetes.io/unreachable", "", "NoExecute"};
const api::Taint kNotReady{"node.kubernetes.io/not-ready", "", "NoExecute"};
const api::Taint kDedicated{"dedicated", "db", "NoExecute"};

api::Toleration Tol(std::string key, std::optional<int64_t> seconds, std::string op = "Exists",
                    std::string value = "", std::string effect = "NoExecute") {
  return {std::move(key), std::move(op), std::move(value), std::move(effect), seconds};
}

TEST(DecideEvictionTest, Table) {
  struct Case {
    std::string name;
    std::vector<api::Taint> taints;
    std::vector<api::Toleration> tolerations;
    EvictionVerdict want;
  };
  const std::vector<Case> cases = {
      {"no tolerations", {kUnreachable}, {}, {Kind::kNow}},
      {"default 300s toleration",
       {kUnreachable},
       {Tol(kUnreachable.key, 300)},
       {Kind::kAfter, absl::Seconds(300)}},
      {"one of two taints untolerated",
       {kUnreachable, kDedicated},
       {Tol(kUnreachable.key, 300)},
       {Kind::kNow}},
      {"no tolerationSeconds tolerates forever",
       {kUnreachable},
       {Tol(kUnreachable.key, std::nullopt)},
       {Kind::kForever}},
      {"shortest of the matched tolerations",
       {kUnreachable, kNotReady},
       {Tol(kNotReady.key, 300), Tol(kUnreachable.key, 120)},
       {Kind::kAfter, absl::Seconds(120)}},
      {"forever and limited: the limited one counts",
       {kUnreachable, kNotReady},
       {Tol(kNotReady.key, std::nullopt), Tol(kUnreachable.key, 60)},
       {Kind::kAfter, absl::Seconds(60)}},
      {"zero seconds means at once",
       {kUnreachable},
       {Tol(kUnreachable.key, 0)},
       {Kind::kAfter, absl::ZeroDuration()}},
      {"negative seconds mean at once",
       {kUnreachable},
       {Tol(kUnreachable.key, -10)},
       {Kind::kAfter, absl::ZeroDuration()}},
      // Only the first toleration matching a taint counts (GetMatchingTolerations).
      {"first matching toleration wins",
       {kUnreachable},
       {Tol(kUnreachable.key, std::nullopt), Tol(kUnreachable.key, 5)},
       {Kind::kForever}},
      {"empty key with Exists tolerates everything",
       {kUnreachable, kDedicated},
       {Tol("", 30)},
       {Kind::kAfter, absl::Seconds(30)}},
      {"Equal needs the value", {kDedicated}, {Tol("dedicated", 10, "Equal", "web")}, {Kind::kNow}},
      {"Equal with the value",
       {kDedicated},
       {Tol("dedicated", 10, "Equal", "db")},
       {Kind::kAfter, absl::Seconds(10)}},
      {"a NoSchedule toleration does not tolerate NoExecute",
       {kUnreachable},
       {Tol(kUnreachable.key, 300, "Exists", "", "NoSchedule")},
       {Kind::kNow}},
      {"an empty effect tolerates NoExecute",
       {kUnreachable},
       {Tol(kUnreachable.key, 7, "Exists", "", "")},
       {Kind::kAfter, absl::Seconds(7)}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DecideEviction(c.taints, c.tolerations), c.want) << c.name;
  }
}

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);

TEST(EvictionQueueTest, FiresInOrderOnceAndRemembersDone) {
  EvictionQueue q;
  q.Add("ns/b", kT0, kT0 + absl::Seconds(20));
  q.Add("ns/a", kT0, kT0 + absl::Seconds(10));
  q.Add("ns/a", kT0 + absl::Seconds(1), kT0 + absl::Seconds(1));  // already scheduled: kept
  EXPECT_EQ(q.NextFire(), kT0 + absl::Seconds(10));
  EXPECT_EQ(q.Pending("ns/a")->created_at, kT0);
  EXPECT_TRUE(q.TakeDue(kT0 + absl::Seconds(9)).empty());
  EXPECT_EQ(q.TakeDue(kT0 + absl::Seconds(25)), (std::vector<std::string>{"ns/a", "ns/b"}));
  EXPECT_EQ(q.NextFire(), std::nullopt);
  q.Finish("ns/a", true);
  q.Finish("ns/b", false);
  // a ran: it stays, as done, so adding again does nothing until it is cancelled.
  EXPECT_EQ(q.Pending("ns/a"), std::nullopt);
  q.Add("ns/a", kT0 + absl::Seconds(30), kT0 + absl::Seconds(30));
  EXPECT_EQ(q.NextFire(), std::nullopt);
  EXPECT_FALSE(q.Cancel("ns/a"));  // nothing unfinished was cancelled
  q.Add("ns/a", kT0 + absl::Seconds(30), kT0 + absl::Seconds(31));
  EXPECT_EQ(q.NextFire(), kT0 + absl::Seconds(31));
  // b failed: forgotten, so it can be scheduled again.
  q.Add("ns/b", kT0 + absl::Seconds(30), kT0 + absl::Seconds(40));
  EXPECT_EQ(q.Pending("ns/b")->fire_at, kT0 + absl::Seconds(40));
  EXPECT_EQ(q.size(), 2u);
}

TEST(EvictionQueueTest, CancelPendingAndFiring) {
  EvictionQueue q;
  q.Add("ns/a", kT0, kT0 + absl::Seconds(5));
  q.Add("ns/b", kT0, kT0);
  EXPECT_TRUE(q.Cancel("ns/a"));
  EXPECT_FALSE(q.Cancel("ns/a"));
  EXPECT_EQ(q.TakeDue(kT0 + absl::Seconds(10)), (std::vector<std::string>{"ns/b"}));
  // Cancelled while running: the deletion still happened, so it is remembered as done.
  EXPECT_TRUE(q.Cancel("ns/b"));
  q.Finish("ns/b", true);
  q.Add("ns/b", kT0, kT0);
  EXPECT_TRUE(q.TakeDue(kT0 + absl::Seconds(10)).empty());
  EXPECT_EQ(q.size(), 1u);
}

}  // namespace
}  // namespace skiff::controllers::tainteviction
