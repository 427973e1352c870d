#include "skiff/controllers/deployment/util/deployment_util.h"

#include <gtest/gtest.h>

namespace skiff::controllers::deployment {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

json::value IntOrString(std::string_view text) {
  if (text.empty()) return nullptr;
  if (text.back() == '%') return json::string(text);
  return std::stoi(std::string(text));
}

Deployment Dep(int32_t replicas, std::string_view surge = "25%",
               std::string_view unavailable = "25%") {
  Deployment d;
  d.name = "web";
  d.ns = "default";
  d.uid = "d-uid";
  d.replicas = replicas;
  d.max_surge = IntOrString(surge);
  d.max_unavailable = IntOrString(unavailable);
  d.progress_deadline_seconds = 600;
  d.revision_history_limit = 10;
  return d;
}

struct RsSpec {
  std::string name;
  int32_t replicas = 0, available = 0;
  int created = 0;  // seconds after kT0
  Annotations annotations = {};
  int32_t status_replicas = -1;  // -1: same as replicas
};

RsPtr Rs(const RsSpec& s) {
  auto rs = std::make_shared<ReplicaSet>();
  rs->name = s.name;
  rs->ns = "default";
  rs->uid = s.name + "-uid";
  rs->created = kT0 + absl::Seconds(s.created);
  rs->replicas = s.replicas;
  rs->available_replicas = s.available;
  rs->ready_replicas = s.available;
  rs->status_replicas = s.status_replicas < 0 ? s.replicas : s.status_replicas;
  rs->annotations = s.annotations;
  return rs;
}

Annotations MaxReplicas(int32_t max) {
  return {{std::string(kMaxReplicasAnnotation), std::to_string(max)}};
}

std::vector<std::pair<std::string, int32_t>> Sizes(const std::vector<ScaleStep>& steps) {
  std::vector<std::pair<std::string, int32_t>> out;
  for (const auto& s : steps) out.emplace_back(s.rs->name, s.replicas);
  return out;
}

// ---- fenceposts

TEST(FencepostsTest, PercentagesRoundSurgeUpAndUnavailableDown) {
  struct Case {
    int32_t replicas;
    std::string surge, unavailable;
    Fenceposts want;
  };
  const Case cases[] = {
      // The 25%/25% defaults (kubernetes-behavior.md §3.3).
      {1, "25%", "25%", {1, 0}},
      {2, "25%", "25%", {1, 0}},
      {3, "25%", "25%", {1, 0}},
      {4, "25%", "25%", {1, 1}},
      {10, "25%", "25%", {3, 2}},
      {0, "25%", "25%", {0, 1}},
      // Both resolving to zero forces one unavailable.
      {2, "0%", "1%", {0, 1}},
      {1, "0", "0", {0, 1}},
      {2, "1%", "25%", {1, 0}},
      {10, "3", "2", {3, 2}},
      {10, "100%", "0", {10, 0}},
      {10, "", "", {0, 1}},  // absent fields count as 0
  };
  for (const auto& c : cases) {
    auto got = ResolveFenceposts(IntOrString(c.surge), IntOrString(c.unavailable), c.replicas);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.want) << c.replicas << " " << c.surge << "/" << c.unavailable;
  }
}

TEST(FencepostsTest, RejectsStringsThatAreNotPercentages) {
  auto got = ResolveFenceposts(json::string("5"), 0, 10);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(),
            "invalid value for IntOrString: invalid type: string is not a percentage");
}

TEST(FencepostsTest, MaxSurgeAndMaxUnavailableFollowTheStrategy) {
  Deployment d = Dep(2, "0", "5");
  EXPECT_EQ(MaxUnavailable(d), 2);  // capped at replicas
  EXPECT_EQ(MaxSurge(d), 0);
  d.replicas = 0;
  EXPECT_EQ(MaxUnavailable(d), 0);
  Deployment r = Dep(4);
  r.strategy = "Recreate";
  EXPECT_EQ(MaxSurge(r), 0);
  EXPECT_EQ(MaxUnavailable(r), 0);
}

// ---- sizing the new set

TEST(NewRSNewReplicasTest, ScalesWithinTheSurgeBudget) {
  struct Case {
    std::string name;
    std::string strategy;
    int32_t replicas;
    std::string surge;
    int32_t old_replicas, new_replicas;
    int32_t want;
  };
  const Case cases[] = {
      {"no room: old set alone is over the budget", "RollingUpdate", 1, "1", 5, 0, 0},
      {"room for all desired", "RollingUpdate", 6, "10", 5, 0, 6},
      {"one surge pod", "RollingUpdate", 3, "1", 3, 0, 1},
      {"surge percent rounds up", "RollingUpdate", 10, "30%", 8, 2, 5},
      {"never beyond desired", "RollingUpdate", 3, "100%", 0, 2, 3},
      {"recreate takes everything", "Recreate", 6, "", 5, 0, 6},
  };
  for (const auto& c : cases) {
    Deployment d = Dep(c.replicas, c.surge, "0");
    d.strategy = c.strategy;
    RsPtr old_rs = Rs({"old", c.old_replicas, c.old_replicas, 0});
    RsPtr new_rs = Rs({"new", c.new_replicas, 0, 1});
    auto got = NewRSNewReplicas(d, {old_rs, new_rs}, *new_rs);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.name;
  }
  Deployment bad = Dep(3);
  bad.strategy = "BlueGreen";
  EXPECT_FALSE(NewRSNewReplicas(bad, {}, *Rs({"new"})).ok());
}

// ---- proportional scaling

TEST(ProportionalScaleTest, UpstreamTenToThirtyExample) {
  // replicas 10, maxSurge 3, maxUnavailable 2; a stuck rollout left old 8 / new 5 (13 = 10+3).
  Deployment d = Dep(30, "3", "2");
  d.status.replicas = 13;
  RsPtr old_rs = Rs({"web-old", 8, 8, 0, MaxReplicas(13)});
  RsPtr new_rs = Rs({"web-new", 5, 0, 60, MaxReplicas(13)});
  EXPECT_EQ(GetProportion(*old_rs, d, 20, 0), 12);  // round(8*33/13) - 8 = 20 - 8
  EXPECT_EQ(GetProportion(*new_rs, d, 20, 12), 8);  // round(5*33/13) - 5 = 13 - 5
  using Sizes_t = std::vector<std::pair<std::string, int32_t>>;
  EXPECT_EQ(Sizes(ProportionalScale(d, {new_rs, old_rs})),
            (Sizes_t{{"web-old", 20}, {"web-new", 13}}));

  // And back down to 10: the same proportions, older sets first on ties.
  Deployment down = Dep(10, "3", "2");
  RsPtr old30 = Rs({"web-old", 20, 20, 0, MaxReplicas(33)});
  RsPtr new30 = Rs({"web-new", 13, 0, 60, MaxReplicas(33)});
  EXPECT_EQ(Sizes(ProportionalScale(down, {old30, new30})),
            (Sizes_t{{"web-old", 8}, {"web-new", 5}}));
}

TEST(ProportionalScaleTest, Fenceposts) {
  using Sizes_t = std::vector<std::pair<std::string, int32_t>>;
  struct Case {
    std::string name;
    int32_t replicas;
    std::string surge, unavailable;
    std::vector<RsSpec> sets;
    Sizes_t want;
  };
  const Case cases[] = {
      {"leftover goes to the largest set",
       11,
       "0",
       "1",
       {{"a", 3, 3, 0, MaxReplicas(10)},
        {"b", 3, 3, 10, MaxReplicas(10)},
        {"c", 4, 4, 5, MaxReplicas(10)}},
       {{"c", 5}, {"b", 3}, {"a", 3}}},
      {"ties scale up newer first",
       11,
       "0",
       "1",
       {{"old", 5, 5, 0, MaxReplicas(10)}, {"new", 5, 0, 10, MaxReplicas(10)}},
       {{"new", 6}, {"old", 5}}},
      {"ties scale down older first",
       9,
       "0",
       "1",
       {{"old", 5, 5, 0, MaxReplicas(10)}, {"new", 5, 0, 10, MaxReplicas(10)}},
       {{"old", 4}, {"new", 5}}},
      {"scaling to zero empties every set",
       0,
       "25%",
       "25%",
       {{"old", 2, 2, 0, MaxReplicas(5)}, {"new", 3, 0, 10, MaxReplicas(5)}},
       {{"new", 0}, {"old", 0}}},
      {"no change keeps sizes and order",
       10,
       "3",
       "2",
       {{"old", 8, 8, 0, MaxReplicas(13)}, {"new", 5, 0, 10, MaxReplicas(13)}},
       {{"old", 8}, {"new", 5}}},
      {"missing annotation falls back to status.replicas (13)",
       30,
       "3",
       "2",
       {{"old", 8, 8, 0}, {"new", 5, 0, 10}},
       {{"old", 20}, {"new", 13}}},
  };
  for (const auto& c : cases) {
    Deployment d = Dep(c.replicas, c.surge, c.unavailable);
    d.status.replicas = 13;
    RsList sets;
    for (const auto& s : c.sets) sets.push_back(Rs(s));
    EXPECT_EQ(Sizes(ProportionalScale(d, sets)), c.want) << c.name;
  }
}

TEST(ProportionalScaleTest, GetProportionClampsToWhatIsLeft) {
  Deployment d = Dep(30, "3", "2");
  RsPtr rs = Rs({"a", 8, 8, 0, MaxReplicas(13)});
  EXPECT_EQ(GetProportion(*rs, d, 5, 0), 5);            // wants 12, only 5 to hand out
  EXPECT_EQ(GetProportion(*rs, d, 5, 5), 0);            // nothing left
  EXPECT_EQ(GetProportion(*rs, d, 0, 0), 0);            // no scaling
  EXPECT_EQ(GetProportion(*Rs({"z", 0}), d, 5, 0), 0);  // never from zero
  Deployment zero = Dep(0);
  EXPECT_EQ(GetProportion(*rs, zero, -13, 0), -8);
  EXPECT_EQ(GetProportion(*rs, zero, -13, -10), -3);  // clamped to the remaining -3
}

// ---- old sets

TEST(ScaleDownTest, CleanupUnhealthyPlanTakesUnavailableReplicasOldestFirst) {
  using Sizes_t = std::vector<std::pair<std::string, int32_t>>;
  RsPtr a = Rs({"a", 3, 1, 0}), b = Rs({"b", 2, 2, 1}), c = Rs({"c", 4, 0, 2});
  bool invalid = true;
  EXPECT_EQ(Sizes(CleanupUnhealthyPlan({c, b, a}, 3, &invalid)), (Sizes_t{{"a", 1}, {"c", 3}}));
  EXPECT_FALSE(invalid);
  EXPECT_EQ(Sizes(CleanupUnhealthyPlan({c, b, a}, 100, &invalid)), (Sizes_t{{"a", 1}, {"c", 0}}));
  // More available than desired: give up (keeping what came before).
  RsPtr over = Rs({"over", 1, 2, 5});
  EXPECT_EQ(Sizes(CleanupUnhealthyPlan({over, a}, 5, &invalid)), (Sizes_t{{"a", 1}}));
  EXPECT_TRUE(invalid);
}

TEST(ScaleDownTest, ScaleDownOldPlanKeepsMinAvailable) {
  using Sizes_t = std::vector<std::pair<std::string, int32_t>>;
  Deployment d = Dep(3);  // surge 1, unavailable 0
  RsPtr old_rs = Rs({"old", 3, 3, 0}), new_rs = Rs({"new", 1, 1, 10});
  EXPECT_EQ(Sizes(ScaleDownOldPlan(d, {old_rs, new_rs}, {old_rs})), (Sizes_t{{"old", 2}}));
  RsPtr new_unready = Rs({"new", 1, 0, 10});
  EXPECT_TRUE(ScaleDownOldPlan(d, {old_rs, new_unready}, {old_rs}).empty());
  // Several old sets: the oldest goes first, within the budget.
  Deployment d10 = Dep(10, "3", "2");
  RsPtr o1 = Rs({"o1", 2, 2, 0}), o2 = Rs({"o2", 8, 8, 5}), n = Rs({"n", 3, 3, 10});
  EXPECT_EQ(Sizes(ScaleDownOldPlan(d10, {o1, o2, n}, {o2, o1})),
            (Sizes_t{{"o1", 0}, {"o2", 5}}));  // 13 available, min 8: 5 go, oldest first
}

TEST(ScaleDownTest, MaxScaledDownCountsTheNewSetsUnavailablePods) {
  // Kubernetes' worked example: 10 replicas, maxUnavailable 2, maxSurge 3, old 8 available, new
  // 5 crash-looping: 13 - 8 - 5 = 0, the old set stays.
  Deployment d = Dep(10, "3", "2");
  RsPtr old_rs = Rs({"old", 8, 8, 0}), new_rs = Rs({"new", 5, 0, 10});
  EXPECT_EQ(MaxScaledDown(d, {old_rs, new_rs}, *new_rs), 0);
  // Rolled back: the good set is new again (9 desired, 8 available), 5 bad pods may go.
  RsPtr bad = Rs({"bad", 5, 0, 10}), good_as_new = Rs({"good", 9, 8, 0});
  EXPECT_EQ(MaxScaledDown(d, {bad, good_as_new}, *good_as_new), 14 - 8 - 1);
}

TEST(HistoryTest, HistoryToDeleteKeepsTheLimitAndOnlyIdleSets) {
  auto rev = [](int r) {
    return Annotations{{std::string(kRevisionAnnotation), std::to_string(r)}};
  };
  RsPtr r1 = Rs({"r1", 0, 0, 0, rev(1)}), r2 = Rs({"r2", 0, 0, 1, rev(2)});
  RsPtr r3 = Rs({"r3", 0, 0, 2, rev(3)}), busy = Rs({"r4", 1, 1, 3, rev(4)});
  Deployment d = Dep(3);
  d.revision_history_limit = 2;
  auto names = [](const RsList& l) {
    std::vector<std::string> out;
    for (const auto& rs : l) out.push_back(rs->name);
    return out;
  };
  EXPECT_EQ(names(HistoryToDelete(d, {r3, r1, busy, r2})), (std::vector<std::string>{"r1", "r2"}));
  d.revision_history_limit = 0;
  EXPECT_EQ(names(HistoryToDelete(d, {r3, busy})), (std::vector<std::string>{"r3"}));
  d.revision_history_limit = kMaxInt32;
  EXPECT_TRUE(HistoryToDelete(d, {r1, r2, r3}).empty());
  d.revision_history_limit.reset();
  EXPECT_TRUE(HistoryToDelete(d, {r1, r2, r3}).empty());
}

TEST(ListsTest, RevisionsAndActiveOrLatest) {
  auto rev = [](std::string r) { return Annotations{{std::string(kRevisionAnnotation), r}}; };
  RsList l = {Rs({"a", 0, 0, 0, rev("3")}), Rs({"b", 0, 0, 1, rev("x")}),
              Rs({"c", 1, 0, 2, rev("7")}), Rs({"d", 0, 0, 3})};
  EXPECT_EQ(MaxRevision(l), 7);
  EXPECT_EQ(LastRevision(l), 3);
  EXPECT_EQ(Revision(*l[1]), std::nullopt);
  EXPECT_EQ(Revision(*l[3]), 0);
  // One active old set wins; none active gives the new set, or the newest old set.
  EXPECT_EQ(FindActiveOrLatest(nullptr, l)->name, "c");
  RsPtr idle_new = Rs({"n", 0, 0, 9});
  EXPECT_EQ(FindActiveOrLatest(idle_new, {l[0], l[1]})->name, "n");
  EXPECT_EQ(FindActiveOrLatest(nullptr, {l[0], l[1]})->name, "b");
  EXPECT_EQ(FindActiveOrLatest(Rs({"n", 2, 0, 9}), l), nullptr);
}

// ---- annotations

TEST(AnnotationsTest, NewReplicaSetAnnotations) {
  Deployment d = Dep(3);
  d.annotations = {{"kubernetes.io/change-cause", "kubectl set image"},
                   {std::string(kLastAppliedAnnotation), "{}"},
                   {std::string(kRevisionAnnotation), "4"},
                   {"team", "blue"}};
  Annotations created;
  EXPECT_TRUE(SetNewReplicaSetAnnotations(d, &created, 5, false, kMaxRevisionHistoryChars));
  EXPECT_EQ(created, (Annotations{{"kubernetes.io/change-cause", "kubectl set image"},
                                  {"team", "blue"},
                                  {std::string(kRevisionAnnotation), "5"},
                                  {std::string(kDesiredReplicasAnnotation), "3"},
                                  {std::string(kMaxReplicasAnnotation), "4"}}));
  // Unchanged on a second pass.
  EXPECT_FALSE(SetNewReplicaSetAnnotations(d, &created, 5, true, kMaxRevisionHistoryChars));
  // A set promoted again keeps its old numbers in revision-history.
  Annotations rolled{{std::string(kRevisionAnnotation), "1"}};
  EXPECT_TRUE(SetNewReplicaSetAnnotations(d, &rolled, 3, true, kMaxRevisionHistoryChars));
  EXPECT_EQ(rolled[std::string(kRevisionAnnotation)], "3");
  EXPECT_EQ(rolled[std::string(kRevisionHistoryAnnotation)], "1");
  EXPECT_TRUE(SetNewReplicaSetAnnotations(d, &rolled, 5, true, kMaxRevisionHistoryChars));
  EXPECT_EQ(rolled[std::string(kRevisionHistoryAnnotation)], "1,3");
  EXPECT_EQ(rolled.count(std::string(kDesiredReplicasAnnotation)), 0u);  // exists: not touched
  // The history is capped by dropping its oldest entries.
  Annotations capped{{std::string(kRevisionAnnotation), "4"},
                     {std::string(kRevisionHistoryAnnotation), "1,2,3"}};
  SetNewReplicaSetAnnotations(d, &capped, 9, true, 5);
  EXPECT_EQ(capped[std::string(kRevisionHistoryAnnotation)], "2,3,4");
  // A higher revision on the set is kept.
  Annotations higher{{std::string(kRevisionAnnotation), "8"}};
  SetNewReplicaSetAnnotations(d, &higher, 5, true, kMaxRevisionHistoryChars);
  EXPECT_EQ(higher[std::string(kRevisionAnnotation)], "8");
}

TEST(AnnotationsTest, RollbackAnnotationsKeepTheDeploymentsSkipList) {
  Annotations d{{std::string(kRevisionAnnotation), "4"},
                {std::string(kLastAppliedAnnotation), "{}"},
                {"kubernetes.io/change-cause", "v4"}};
  Annotations rs{{std::string(kRevisionAnnotation), "2"},
                 {std::string(kDesiredReplicasAnnotation), "3"},
                 {"kubernetes.io/change-cause", "v2"}};
  EXPECT_EQ(RollbackAnnotations(d, rs), (Annotations{{std::string(kRevisionAnnotation), "4"},
                                                     {std::string(kLastAppliedAnnotation), "{}"},
                                                     {"kubernetes.io/change-cause", "v2"}}));
}

// ---- status and conditions

TEST(ConditionsTest, SetConditionKeepsTransitionTimeForTheSameStatus) {
  DeploymentStatus s;
  SetCondition(&s, NewCondition(kProgressing, "True", kNewReplicaSetReason, "a", kT0));
  SetCondition(&s, NewCondition(kAvailable, "False", kMinimumReplicasUnavailable, "b", kT0));
  // Same status and reason: untouched.
  SetCondition(
      &s, NewCondition(kProgressing, "True", kNewReplicaSetReason, "c", kT0 + absl::Seconds(5)));
  ASSERT_EQ(s.conditions.size(), 2u);
  EXPECT_EQ(s.conditions[0].message, "a");
  // Same status, new reason: moves last, keeps lastTransitionTime.
  SetCondition(&s, NewCondition(kProgressing, "True", kReplicaSetUpdatedReason, "d",
                                kT0 + absl::Seconds(9)));
  EXPECT_EQ(s.conditions[1], (Condition{"Progressing", "True", "ReplicaSetUpdated", "d",
                                        "2026-01-01T00:00:09Z", "2026-01-01T00:00:00Z"}));
  // New status: both times move.
  SetCondition(&s, NewCondition(kAvailable, "True", kMinimumReplicasAvailable, "e",
                                kT0 + absl::Seconds(12)));
  EXPECT_EQ(s.conditions[1].last_transition_time, "2026-01-01T00:00:12Z");
}

TEST(StatusTest, CalculateStatusCountsAndAvailability) {
  Deployment d = Dep(3);
  d.generation = 4;
  d.status.collision_count = 2;
  RsPtr old_rs = Rs({"old", 2, 2, 0, {}, 3});  // 3 pods still there for 2 desired
  RsPtr new_rs = Rs({"new", 2, 0, 10, {}, 1});
  DeploymentStatus s = CalculateStatus({old_rs, new_rs}, new_rs, d, kT0);
  EXPECT_EQ(s.observed_generation, 4);
  EXPECT_EQ(s.replicas, 4);
  EXPECT_EQ(s.updated_replicas, 1);
  EXPECT_EQ(s.ready_replicas, 2);
  EXPECT_EQ(s.available_replicas, 2);
  EXPECT_EQ(s.unavailable_replicas, 2);
  EXPECT_EQ(s.collision_count, 2);
  ASSERT_EQ(s.conditions.size(), 1u);
  EXPECT_EQ(s.conditions[0], (Condition{"Available", "False", "MinimumReplicasUnavailable",
                                        "Deployment does not have minimum availability.",
                                        "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"}));
  RsPtr surplus = Rs({"old", 1, 3, 0});
  DeploymentStatus t = CalculateStatus({surplus}, nullptr, d, kT0);
  EXPECT_EQ(t.unavailable_replicas, 0);
  EXPECT_EQ(t.conditions[0].reason, "MinimumReplicasAvailable");
  EXPECT_EQ(t.conditions[0].message, "Deployment has minimum availability.");
}

TEST(StatusTest, JsonRoundTripOmitsZeroes) {
  DeploymentStatus s;
  s.observed_generation = 2;
  s.replicas = 3;
  s.collision_count = 0;
  s.conditions.push_back(NewCondition(kAvailable, "True", kMinimumReplicasAvailable, "m", kT0));
  json::value j = s.ToJson();
  EXPECT_EQ(json::serialize(j),
            R"({"observedGeneration":2,"replicas":3,"conditions":[{"type":"Available",)"
            R"("status":"True","lastUpdateTime":"2026-01-01T00:00:00Z",)"
            R"("lastTransitionTime":"2026-01-01T00:00:00Z","reason":"MinimumReplicasAvailable",)"
            R"("message":"m"}],"collisionCount":0})");
  EXPECT_EQ(DeploymentStatus::FromJson(&j), s);
}

// The Progressing condition through a rollout (syncRolloutStatus).
TEST(ProgressTest, ConditionTransitions) {
  RsPtr new_rs = Rs({"web-7d9f", 3, 3, 10});
  auto status = [](int32_t replicas, int32_t updated, int32_t available) {
    DeploymentStatus s;
    s.observed_generation = 1;
    s.replicas = replicas;
    s.updated_replicas = updated;
    s.ready_replicas = available;
    s.available_replicas = available;
    return s;
  };
  const std::string t0 = "2026-01-01T00:00:00Z";
  struct Case {
    std::string name;
    std::optional<Condition> before;  // the Deployment's current Progressing condition
    DeploymentStatus old_status, new_status;
    absl::Duration elapsed;
    std::optional<Condition> want;
  };
  Condition created{"Progressing",
                    "True",
                    "NewReplicaSetCreated",
                    "Created new replica set \"web-7d9f\"",
                    t0,
                    t0};
  Condition done{"Progressing",
                 "True",
                 "NewReplicaSetAvailable",
                 "ReplicaSet \"web-7d9f\" has successfully progressed.",
                 t0,
                 t0};
  Condition paused{"Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", t0, t0};
  const Case cases[] = {
      {"complete", created, status(3, 2, 2), status(3, 3, 3), absl::Seconds(5),
       Condition{"Progressing", "True", "NewReplicaSetAvailable",
                 "ReplicaSet \"web-7d9f\" has successfully progressed.", "2026-01-01T00:00:05Z",
                 t0}},
      {"progress refreshes lastUpdateTime, keeps lastTransitionTime", created, status(4, 1, 3),
       status(4, 2, 3), absl::Seconds(7),
       Condition{"Progressing", "True", "ReplicaSetUpdated",
                 "ReplicaSet \"web-7d9f\" is progressing.", "2026-01-01T00:00:07Z", t0}},
      {"progress after a pause starts a new transition", paused, status(4, 1, 3), status(4, 2, 3),
       absl::Seconds(7),
       Condition{"Progressing", "True", "ReplicaSetUpdated",
                 "ReplicaSet \"web-7d9f\" is progressing.", "2026-01-01T00:00:07Z",
                 "2026-01-01T00:00:07Z"}},
      {"no progress within the deadline", created, status(4, 1, 3), status(4, 1, 3),
       absl::Seconds(600), created},
      {"no progress past the deadline", created, status(4, 1, 3), status(4, 1, 3),
       absl::Seconds(601),
       Condition{"Progressing", "False", "ProgressDeadlineExceeded",
                 "ReplicaSet \"web-7d9f\" has timed out progressing.", "2026-01-01T00:10:01Z",
                 "2026-01-01T00:10:01Z"}},
      {"a finished rollout is not re-judged", done, status(3, 3, 3), status(3, 3, 2),
       absl::Seconds(900), done},
  };
  for (const auto& c : cases) {
    Deployment d = Dep(3);
    d.generation = 1;
    d.status = c.old_status;
    if (c.before) d.status.conditions.push_back(*c.before);
    DeploymentStatus s = c.new_status;
    s.conditions = d.status.conditions;
    UpdateRolloutConditions(d, {new_rs}, new_rs, kT0 + c.elapsed, &s);
    const Condition* got = GetCondition(s, kProgressing);
    if (!c.want) {
      EXPECT_EQ(got, nullptr) << c.name;
      continue;
    }
    ASSERT_NE(got, nullptr) << c.name;
    EXPECT_EQ(*got, *c.want) << c.name;
  }
}

TEST(ProgressTest, NoDeadlineRemovesProgressingAndFailuresAreCopied) {
  Deployment d = Dep(3);
  d.progress_deadline_seconds = kMaxInt32;
  auto rs = std::make_shared<ReplicaSet>(*Rs({"web-1", 3, 0, 0}));
  rs->failure_conditions.push_back(Condition{"ReplicaFailure", "True", "FailedCreate",
                                             "pods \"web-1-\" is forbidden: exceeded quota",
                                             "2026-01-01T00:00:03Z", "2026-01-01T00:00:03Z"});
  DeploymentStatus s;
  s.conditions.push_back(Condition{"Progressing", "True", "NewReplicaSetCreated", "x", "", ""});
  UpdateRolloutConditions(d, {rs}, rs, kT0, &s);
  ASSERT_EQ(s.conditions.size(), 1u);
  EXPECT_EQ(s.conditions[0].type, "ReplicaFailure");
  EXPECT_EQ(s.conditions[0].reason, "FailedCreate");
  rs->failure_conditions.clear();
  UpdateRolloutConditions(d, {rs}, rs, kT0, &s);
  EXPECT_TRUE(s.conditions.empty());
}

TEST(ProgressTest, ProgressCheckAfterTheDeadline) {
  Deployment d = Dep(3);
  d.status.conditions.push_back(Condition{"Progressing", "True", "ReplicaSetUpdated", "",
                                          "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"});
  DeploymentStatus incomplete;
  EXPECT_EQ(ProgressCheckAfter(d, incomplete, kT0 + absl::Seconds(100)), absl::Seconds(501));
  EXPECT_EQ(ProgressCheckAfter(d, incomplete, kT0 + absl::Seconds(700)), absl::ZeroDuration());
  d.status.conditions[0].reason = "ProgressDeadlineExceeded";
  EXPECT_EQ(ProgressCheckAfter(d, incomplete, kT0), std::nullopt);
}

}  // namespace
}  // namespace skiff::controllers::deployment
