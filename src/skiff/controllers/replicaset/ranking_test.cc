#include "skiff/controllers/replicaset/ranking.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"
#include "skiff/controllers/replicaset/test_pods.h"

namespace skiff::controllers::replicaset {
namespace {

using testing::kNow;
using testing::Pod;
using testing::PodSpec;

PodSpec Spec(std::string name) {
  PodSpec s;
  s.name = std::move(name);
  s.node = "n1";
  s.phase = "Running";
  s.created = kNow - absl::Hours(1);
  return s;
}

struct PairCase {
  const char* what;
  PodSpec a, b;
  int rank_a = 0, rank_b = 0;
  bool a_first;  // DeleteBefore(a, b)
  bool b_first;  // DeleteBefore(b, a)
};

std::vector<PairCase> PairCases() {
  std::vector<PairCase> cases;
  auto add = [&](const char* what, auto edit_a, auto edit_b, bool a_first, bool b_first,
                 int rank_a = 0, int rank_b = 0) {
    PairCase c{what, Spec("a"), Spec("b"), rank_a, rank_b, a_first, b_first};
    edit_a(c.a);
    edit_b(c.b);
    cases.push_back(std::move(c));
  };
  auto none = [](PodSpec&) {};
  add("identical pods tie", none, none, false, false);
  add(
      "unassigned before assigned", [](PodSpec& s) { s.node = ""; }, none, true, false);
  add(
      "two different nodes are no reason", [](PodSpec& s) { s.node = "n2"; }, none, false, false);
  add(
      "pending before running", [](PodSpec& s) { s.phase = "Pending"; }, none, true, false);
  add(
      "unknown before running", [](PodSpec& s) { s.phase = "Unknown"; }, none, true, false);
  add(
      "pending before unknown", [](PodSpec& s) { s.phase = "Pending"; },
      [](PodSpec& s) { s.phase = "Unknown"; }, true, false);
  add(
      "an empty phase ranks as pending", [](PodSpec& s) { s.phase = ""; },
      [](PodSpec& s) { s.phase = "Pending"; }, false, false);
  add(
      "not ready before ready", none, [](PodSpec& s) { s.ready_since = kNow - absl::Hours(1); },
      true, false);
  add(
      "phase outranks readiness", [](PodSpec& s) { s.ready_since = kNow; },
      [](PodSpec& s) { s.phase = "Unknown"; }, false, true);
  add(
      "lower deletion cost first", [](PodSpec& s) { s.cost = "1"; },
      [](PodSpec& s) { s.cost = "10"; }, true, false);
  add(
      "negative cost before no cost", [](PodSpec& s) { s.cost = "-5"; }, none, true, false);
  add(
      "an invalid cost counts as 0", [](PodSpec& s) { s.cost = "+5"; }, none, false, false);
  add(
      "cost outranks co-location", [](PodSpec& s) { s.cost = "3"; }, none, false, true, 5, 1);
  add("more co-located first", none, none, true, false, 3, 1);
  add(
      "both ready: more recently ready first",
      [](PodSpec& s) { s.ready_since = kNow - absl::Seconds(10); },
      [](PodSpec& s) { s.ready_since = kNow - absl::Seconds(1000); }, true, false);
  add(
      "ready times in one log2 bucket: lower UID first",
      [](PodSpec& s) { s.ready_since = kNow - absl::Seconds(12); },
      [](PodSpec& s) { s.ready_since = kNow - absl::Seconds(10); }, true, false);
  add(
      "ready without a time counts as most recent",
      [](PodSpec& s) { s.ready_since = kNow - absl::Seconds(1); },
      [](PodSpec& s) { s.ready_without_time = true; }, false, true);
  add(
      "more restarts first", [](PodSpec& s) { s.restarts = 5; }, none, true, false);
  add(
      "readiness time outranks restarts",
      [](PodSpec& s) {
        s.ready_since = kNow - absl::Seconds(1000);
        s.restarts = 9;
      },
      [](PodSpec& s) { s.ready_since = kNow - absl::Seconds(10); }, false, true);
  add(
      "newer first", [](PodSpec& s) { s.created = kNow - absl::Seconds(10); }, none, true, false);
  add(
      "creation times in one log2 bucket: lower UID first",
      [](PodSpec& s) { s.created = kNow - absl::Seconds(12); },
      [](PodSpec& s) { s.created = kNow - absl::Seconds(10); }, true, false);
  add(
      "no creation time counts as newest", none, [](PodSpec& s) { s.created.reset(); }, false,
      true);
  return cases;
}

TEST(RankingTest, DeleteBeforeFollowsActivePodsWithRanks) {
  for (const auto& c : PairCases()) {
    RankedPod a = MakeRankedPod(Pod(c.a), c.rank_a);
    RankedPod b = MakeRankedPod(Pod(c.b), c.rank_b);
    EXPECT_EQ(DeleteBefore(a, b, kNow), c.a_first) << c.what;
    EXPECT_EQ(DeleteBefore(b, a, kNow), c.b_first) << c.what;
  }
}

TEST(RankingTest, WithoutNowTimesCompareExactly) {
  PodSpec a = Spec("b"), b = Spec("a");  // b has the lower UID
  a.created = kNow - absl::Seconds(10);
  b.created = kNow - absl::Seconds(12);
  EXPECT_TRUE(DeleteBefore(MakeRankedPod(Pod(a), 0), MakeRankedPod(Pod(b), 0), std::nullopt));
  // With `now` both land in the same bucket and the UID decides.
  EXPECT_FALSE(DeleteBefore(MakeRankedPod(Pod(a), 0), MakeRankedPod(Pod(b), 0), kNow));
}

std::vector<std::string> Names(const std::vector<client::ObjPtr>& pods) {
  std::vector<std::string> out;
  for (const auto& p : pods) out.emplace_back(api::GetString(*p, {"metadata", "name"}));
  return out;
}

TEST(RankingTest, RanksCountActiveRelatedPodsOnTheSameNode) {
  auto on = [](std::string name, std::string node, bool deleting = false) {
    PodSpec s = Spec(std::move(name));
    s.node = std::move(node);
    s.deleting = deleting;
    return Pod(s);
  };
  std::vector<client::ObjPtr> pods = {on("a", "n1"), on("b", "n2"), on("c", "")};
  std::vector<client::ObjPtr> related = {on("a", "n1"), on("b", "n2"),       on("c", ""),
                                         on("x", "n1"), on("y", "n1", true), on("z", "")};
  EXPECT_EQ(RanksBySameNode(pods, related), (std::vector<int>{2, 1, 2}));
  EXPECT_EQ(RanksBySameNode(pods, {}), (std::vector<int>{0, 0, 0}));
}

TEST(RankingTest, PodsToDeletePicksInOrder) {
  auto make = [](std::string name, auto edit) {
    PodSpec s = Spec(std::move(name));
    edit(s);
    return Pod(s);
  };
  std::vector<client::ObjPtr> pods = {
      make("running-ready-old", [](PodSpec& s) { s.ready_since = kNow - absl::Hours(2); }),
      make("running-ready-new", [](PodSpec& s) { s.ready_since = kNow - absl::Seconds(5); }),
      make("pending", [](PodSpec& s) { s.phase = "Pending"; }),
      make("unscheduled",
           [](PodSpec& s) {
             s.node = "";
             s.phase = "Pending";
           }),
      make("running-not-ready", [](PodSpec&) {}),
      make("doubled-up",
           [](PodSpec& s) {
             s.node = "n9";
             s.ready_since = kNow - absl::Hours(2);
           }),
  };
  // Related pods: four on n1, and five on n9 (doubled-up plus four siblings of another
  // ReplicaSet of the same Deployment).
  std::vector<client::ObjPtr> related = pods;
  for (const char* sibling : {"s1", "s2", "s3", "s4"}) {
    related.push_back(make(sibling, [](PodSpec& s) { s.node = "n9"; }));
  }
  EXPECT_EQ(Names(PodsToDelete(pods, related, 3, kNow)),
            (std::vector<std::string>{"unscheduled", "pending", "running-not-ready"}));
  EXPECT_EQ(Names(PodsToDelete(pods, related, 5, kNow)),
            (std::vector<std::string>{"unscheduled", "pending", "running-not-ready", "doubled-up",
                                      "running-ready-new"}));
  // Without related pods (a ReplicaSet nobody controls) ranks are all 0; equal pods keep their
  // order.
  EXPECT_EQ(Names(PodsToDelete(pods, {}, 5, kNow)),
            (std::vector<std::string>{"unscheduled", "pending", "running-not-ready",
                                      "running-ready-new", "running-ready-old"}));
  // Deleting all of them keeps the given order; nothing to delete gives nothing.
  EXPECT_EQ(Names(PodsToDelete(pods, related, 6, kNow)), Names(pods));
  EXPECT_EQ(Names(PodsToDelete(pods, related, 9, kNow)), Names(pods));
  EXPECT_TRUE(PodsToDelete(pods, related, 0, kNow).empty());
}

}  // namespace
}  // namespace skiff::controllers::replicaset
