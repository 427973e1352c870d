#include "skiff/controllers/statefulset/rollout.h"

#include <gtest/gtest.h>

#include "skiff/base/time.h"

namespace skiff::controllers::statefulset {
namespace {

namespace json = boost::json;

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

// A pod at `revision`: 'R' running and ready (10s), 'U' running unready, 'T' terminating.
client::ObjPtr P(std::string_view revision, char state) {
  json::value pod = json::parse(R"({"metadata":{"labels":{}},"status":{"phase":"Running"}})");
  pod.at("metadata").at("labels").as_object()["controller-revision-hash"] = revision;
  if (state == 'T') pod.at("metadata").as_object()["deletionTimestamp"] = "2030-01-01T00:00:00Z";
  pod.at("status").as_object()["conditions"] = json::array{
      json::object{{"type", "Ready"},
                   {"status", state == 'U' ? "False" : "True"},
                   {"lastTransitionTime", base::FormatRfc3339(kNow - absl::Seconds(10))}}};
  return std::make_shared<const json::value>(std::move(pod));
}

TEST(RolloutTest, RollingUpdateGoesFromTheHighestOrdinalDownToThePartition) {
  using A = RollingUpdateStep::Action;
  struct Case {
    const char* what;
    std::vector<client::ObjPtr> replicas;
    int64_t partition, min_ready;
    RollingUpdateStep want;
  };
  const Case cases[] = {
      {"all old: the highest goes first",
       {P("old", 'R'), P("old", 'R'), P("old", 'R')},
       0,
       0,
       {A::kDelete, 2}},
      {"top updated and ready: next one down",
       {P("old", 'R'), P("old", 'R'), P("new", 'R')},
       0,
       0,
       {A::kDelete, 1}},
      {"top updated but unready: wait",
       {P("old", 'R'), P("old", 'R'), P("new", 'U')},
       0,
       0,
       {A::kWait, 2}},
      {"top updated, ready 10s, minReady 30: wait",
       {P("old", 'R'), P("old", 'R'), P("new", 'R')},
       0,
       30,
       {A::kWait, 2}},
      {"old pod terminating: wait for it",
       {P("old", 'R'), P("old", 'R'), P("old", 'T')},
       0,
       0,
       {A::kWait, 2}},
      {"all updated", {P("new", 'R'), P("new", 'R'), P("new", 'R')}, 0, 0, {A::kNone, -1}},
      {"partition 2: only ordinal 2",
       {P("old", 'R'), P("old", 'R'), P("new", 'R')},
       2,
       0,
       {A::kNone, -1}},
      {"partition 1", {P("old", 'R'), P("old", 'R'), P("new", 'R')}, 1, 0, {A::kDelete, 1}},
      {"partition above replicas: nothing", {P("old", 'R'), P("old", 'R')}, 5, 0, {A::kNone, -1}},
      {"an unready old pod is still replaced",
       {P("old", 'R'), P("old", 'U')},
       0,
       0,
       {A::kDelete, 1}},
      {"below an updated unready pod nothing moves",
       {P("old", 'R'), P("new", 'U'), P("new", 'R')},
       0,
       0,
       {A::kWait, 1}},
  };
  for (const auto& c : cases) {
    RollingUpdateStep got =
        NextRollingUpdateStep(c.replicas, "new", c.partition, c.min_ready, kNow);
    EXPECT_EQ(got.action, c.want.action) << c.what;
    EXPECT_EQ(got.index, c.want.index) << c.what;
  }
}

json::object Rev(std::string_view name) {
  return json::object{{"metadata", json::object{{"name", name}}}};
}

TEST(RolloutTest, TruncationDeletesTheOldestNonLiveRevisions) {
  json::object r1 = Rev("r1"), r2 = Rev("r2"), r3 = Rev("r3"), r4 = Rev("r4"), r5 = Rev("r5");
  std::vector<const json::object*> sorted{&r1, &r2, &r3, &r4, &r5};
  auto names = [](const std::vector<const json::object*>& revs) {
    std::vector<std::string> out;
    for (const auto* r : revs) out.emplace_back(r->at("metadata").at("name").as_string());
    return out;
  };
  struct Case {
    std::set<std::string> live;
    int64_t limit;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {{"r5"}, 10, {}},
      {{"r5"}, 2, {"r1", "r2"}},
      {{"r1", "r5"}, 2, {"r2"}},  // live revisions are never deleted
      {{"r5", "r3"}, 0, {"r1", "r2", "r4"}},
      {{"r5"}, -1, {}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(names(RevisionsToTruncate(sorted, c.live, c.limit)), c.want) << c.limit;
  }
}

}  // namespace
}  // namespace skiff::controllers::statefulset
