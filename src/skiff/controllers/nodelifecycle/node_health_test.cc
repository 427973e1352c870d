#include "skiff/controllers/nodelifecycle/node_health.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"
#include "skiff/base/time.h"

namespace skiff::controllers::nodelifecycle {
namespace {

namespace json = boost::json;
using api::GetString;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
const HealthTimings kTimings{absl::Seconds(50), absl::Seconds(60)};

std::string Ts(absl::Duration since_t0) { return base::FormatRfc3339(kT0 + since_t0); }

json::object Condition(std::string_view type, std::string_view status, absl::Duration heartbeat,
                       absl::Duration transition) {
  return json::object{{"type", type},
                      {"status", status},
                      {"lastHeartbeatTime", Ts(heartbeat)},
                      {"lastTransitionTime", Ts(transition)},
                      {"reason", "KubeletReady"},
                      {"message", "kubelet is posting ready status"}};
}

// A node created at kT0 whose kubelet last posted at `heartbeat`.
json::value Node(std::optional<absl::Duration> heartbeat, std::string ready = "True") {
  json::array conds;
  if (heartbeat) {
    conds.push_back(Condition("MemoryPressure", "False", *heartbeat, absl::ZeroDuration()));
    conds.push_back(Condition("DiskPressure", "False", *heartbeat, absl::ZeroDuration()));
    conds.push_back(Condition("PIDPressure", "False", *heartbeat, absl::ZeroDuration()));
    conds.push_back(Condition("Ready", ready, *heartbeat, absl::ZeroDuration()));
  }
  return json::object{
      {"metadata", json::object{{"name", "n1"}, {"uid", "u1"}, {"creationTimestamp", Ts({})}}},
      {"status", json::object{{"conditions", conds}}}};
}

json::value Lease(absl::Duration renew) {
  return json::object{{"spec", json::object{{"renewTime", base::FormatRfc3339Micro(kT0 + renew)}}}};
}

const json::object& Cond(const json::array& conds, std::string_view type) {
  for (const auto& c : conds)
    if (GetString(c, {"type"}) == type) return c.as_object();
  static const json::object none;
  return none;
}

TEST(EvaluateNodeHealthTest, FirstSightStartsTheClockAtNow) {
  HealthUpdate u = EvaluateNodeHealth(nullptr, Node(absl::ZeroDuration()), nullptr,
                                      kT0 + absl::Seconds(500), kTimings);
  EXPECT_FALSE(u.write);
  EXPECT_EQ(u.observed_ready, "True");
  EXPECT_EQ(u.current_ready, "True");
  EXPECT_EQ(u.grace, absl::Seconds(50));
  EXPECT_EQ(u.health.probe_timestamp, kT0 + absl::Seconds(500));
  EXPECT_EQ(u.health.ready->last_heartbeat, Ts({}));
}

// The grace period counts from the last sign of life the controller saw: a new Ready heartbeat
// or a renewed Lease.
TEST(EvaluateNodeHealthTest, UnknownOnlyAfterGraceWithoutHeartbeatOrLease) {
  struct Case {
    std::string name;
    absl::Duration heartbeat;                   // of the node's Ready condition now
    std::optional<absl::Duration> lease_renew;  // of the Lease now
    absl::Duration now;
    bool write;
    absl::Time probe;
  };
  // Remembered: probe at 0 s, Ready heartbeat 0 s, Lease renewed at 0 s.
  const std::vector<Case> cases = {
      {"silent within grace", {}, absl::ZeroDuration(), absl::Seconds(50), false, kT0},
      {"silent past grace", {}, absl::ZeroDuration(), absl::Seconds(51), true, kT0},
      {"lease renewed", {}, absl::Seconds(40), absl::Seconds(60), false, kT0 + absl::Seconds(60)},
      {"heartbeat posted", absl::Seconds(30), absl::ZeroDuration(), absl::Seconds(60), false,
       kT0 + absl::Seconds(60)},
      {"no lease at all past grace", {}, std::nullopt, absl::Seconds(51), true, kT0},
  };
  for (const Case& c : cases) {
    NodeHealth saved{kT0, kT0, NodeHealth::Ready{"True", Ts({}), Ts({})}, kT0};
    json::value lease = c.lease_renew ? Lease(*c.lease_renew) : json::value();
    HealthUpdate u = EvaluateNodeHealth(&saved, Node(c.heartbeat), c.lease_renew ? &lease : nullptr,
                                        kT0 + c.now, kTimings);
    EXPECT_EQ(u.write, c.write) << c.name;
    EXPECT_EQ(u.health.probe_timestamp, c.probe) << c.name;
    EXPECT_EQ(u.observed_ready, "True") << c.name;
    EXPECT_EQ(u.current_ready, c.write ? "Unknown" : "True") << c.name;
  }
}

TEST(EvaluateNodeHealthTest, KubeletConditionsGoUnknown) {
  NodeHealth saved{kT0, kT0, NodeHealth::Ready{"True", Ts({}), Ts({})}, std::nullopt};
  json::value node = Node(absl::ZeroDuration());
  // NetworkUnavailable belongs to the network plugin and stays.
  node.at("status")
      .at("conditions")
      .as_array()
      .push_back(
          Condition("NetworkUnavailable", "False", absl::ZeroDuration(), absl::ZeroDuration()));
  HealthUpdate u = EvaluateNodeHealth(&saved, node, nullptr, kT0 + absl::Seconds(51), kTimings);
  ASSERT_TRUE(u.write);
  ASSERT_EQ(u.conditions.size(), 5u);
  for (std::string_view type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    EXPECT_EQ(Cond(u.conditions, type),
              (json::object{{"type", type},
                            {"status", "Unknown"},
                            {"lastHeartbeatTime", Ts({})},
                            {"lastTransitionTime", Ts(absl::Seconds(51))},
                            {"reason", "NodeStatusUnknown"},
                            {"message", "Kubelet stopped posting node status."}}))
        << type;
  }
  EXPECT_EQ(GetString(Cond(u.conditions, "NetworkUnavailable"), {"status"}), "False");
  ASSERT_TRUE(u.written.has_value());
  EXPECT_EQ(u.written->probe_timestamp, kT0);
  EXPECT_EQ(u.written->ready_transition_timestamp, kT0 + absl::Seconds(51));
  EXPECT_EQ(u.written->ready->status, "Unknown");

  // The next pass sees what was written: already Unknown, nothing more to write.
  json::value after = node;
  after.at("status").at("conditions") = u.conditions;
  HealthUpdate again =
      EvaluateNodeHealth(&*u.written, after, nullptr, kT0 + absl::Seconds(60), kTimings);
  EXPECT_FALSE(again.write);
  EXPECT_EQ(again.observed_ready, "Unknown");
  EXPECT_EQ(again.current_ready, "Unknown");
}

TEST(EvaluateNodeHealthTest, NeverPostedUsesTheStartupGraceFromCreation) {
  json::value node = Node(std::nullopt);
  HealthUpdate early =
      EvaluateNodeHealth(nullptr, node, nullptr, kT0 + absl::Seconds(60), kTimings);
  EXPECT_FALSE(early.write);
  EXPECT_EQ(early.grace, absl::Seconds(60));
  EXPECT_EQ(early.observed_ready, "Unknown");
  EXPECT_EQ(early.current_ready, std::nullopt);
  EXPECT_EQ(early.health.probe_timestamp, kT0);  // the creation time

  HealthUpdate late =
      EvaluateNodeHealth(&early.health, node, nullptr, kT0 + absl::Seconds(61), kTimings);
  ASSERT_TRUE(late.write);
  EXPECT_EQ(late.current_ready, "Unknown");
  ASSERT_EQ(late.conditions.size(), 4u);
  EXPECT_EQ(Cond(late.conditions, "Ready"),
            (json::object{{"type", "Ready"},
                          {"status", "Unknown"},
                          {"lastHeartbeatTime", Ts({})},
                          {"lastTransitionTime", Ts(absl::Seconds(61))},
                          {"reason", "NodeStatusNeverUpdated"},
                          {"message", "Kubelet never posted node status."}}));
  EXPECT_EQ(GetString(late.conditions[0], {"type"}), "Ready");
  EXPECT_EQ(GetString(late.conditions[3], {"type"}), "PIDPressure");
}

TEST(EvaluateNodeHealthTest, ReadyAgainRestartsTheClock) {
  // Written Unknown at 51 s; the kubelet posts Ready again at 70 s.
  NodeHealth saved{kT0, kT0 + absl::Seconds(51),
                   NodeHealth::Ready{"Unknown", Ts({}), Ts(absl::Seconds(51))}, std::nullopt};
  json::value node = Node(absl::Seconds(70));
  node.at("status").at("conditions").as_array()[3].as_object()["lastTransitionTime"] =
      Ts(absl::Seconds(70));
  HealthUpdate u = EvaluateNodeHealth(&saved, node, nullptr, kT0 + absl::Seconds(72), kTimings);
  EXPECT_FALSE(u.write);
  EXPECT_EQ(u.observed_ready, "True");
  EXPECT_EQ(u.health.probe_timestamp, kT0 + absl::Seconds(72));
  EXPECT_EQ(u.health.ready_transition_timestamp, kT0 + absl::Seconds(72));
}

TEST(ZoneTest, ZoneKeyAndState) {
  json::value plain = Node(absl::ZeroDuration());
  EXPECT_EQ(ZoneKey(plain), "");
  json::value zoned = plain;
  api::EnsureObject(zoned, {"metadata", "labels"})["topology.kubernetes.io/zone"] = "z1";
  api::EnsureObject(zoned, {"metadata", "labels"})["failure-domain.beta.kubernetes.io/region"] =
      "r1";
  EXPECT_EQ(ZoneKey(zoned), std::string("r1:\0:z1", 7));

  using S = std::optional<std::string>;
  struct Case {
    std::vector<S> ready;
    ZoneHealth want;
  };
  const std::vector<Case> cases = {
      {{S("True"), S("True")}, {0, ZoneState::kNormal}},
      {{S("True"), S("Unknown")}, {1, ZoneState::kNormal}},
      {{S("Unknown"), S("False"), std::nullopt}, {3, ZoneState::kFullDisruption}},
      // Three of five not ready: 60% >= 55%.
      {{S("True"), S("True"), S("Unknown"), S("Unknown"), S("False")},
       {3, ZoneState::kPartialDisruption}},
      // Two not ready never counts as partial disruption.
      {{S("True"), S("Unknown"), S("Unknown")}, {2, ZoneState::kNormal}},
      // Three of six: 50% < 55%.
      {{S("True"), S("True"), S("True"), S("Unknown"), S("Unknown"), S("Unknown")},
       {3, ZoneState::kNormal}},
  };
  for (const Case& c : cases) EXPECT_EQ(ComputeZoneState(c.ready, 0.55), c.want);
}

TEST(TaintsTest, ConditionTaints) {
  json::value node = Node(absl::ZeroDuration(), "Unknown");
  auto& conds = node.at("status").at("conditions").as_array();
  conds[0].as_object()["status"] = "True";  // MemoryPressure
  node.as_object()["spec"] = json::object{{"unschedulable", true}};
  std::vector<std::string> got;
  for (const auto& t : ConditionTaints(node)) got.push_back(t.ToString());
  EXPECT_EQ(got, (std::vector<std::string>{"node.kubernetes.io/memory-pressure:NoSchedule",
                                           "node.kubernetes.io/unreachable:NoSchedule",
                                           "node.kubernetes.io/unschedulable:NoSchedule"}));
  EXPECT_TRUE(IsConditionTaint({"node.kubernetes.io/not-ready", "", "NoSchedule"}));
  EXPECT_FALSE(IsConditionTaint({"node.kubernetes.io/not-ready", "", "NoExecute"}));
  EXPECT_FALSE(IsConditionTaint({"dedicated", "", "NoSchedule"}));
}

TEST(TaintsTest, SwapTaints) {
  json::value node = json::object{
      {"spec", json::object{{"taints", json::array{
                                           json::object{{"key", "dedicated"},
                                                        {"value", "db"},
                                                        {"effect", "NoSchedule"}},
                                           json::object{{"key", "node.kubernetes.io/not-ready"},
                                                        {"effect", "NoExecute"},
                                                        {"timeAdded", Ts({})}},
                                       }}}}};
  std::vector<api::Taint> add = {UnreachableNoExecute()};
  std::vector<api::Taint> remove = {NotReadyNoExecute()};
  auto swapped = SwapTaints(node, add, remove, Ts(absl::Seconds(5)));
  ASSERT_TRUE(swapped.has_value());
  EXPECT_EQ(
      *swapped,
      (json::array{json::object{{"key", "dedicated"}, {"effect", "NoSchedule"}, {"value", "db"}},
                   json::object{{"key", "node.kubernetes.io/unreachable"},
                                {"effect", "NoExecute"},
                                {"timeAdded", Ts(absl::Seconds(5))}}}));
  // Nothing to remove and nothing new: no change.
  std::vector<api::Taint> unschedulable = {{"node.kubernetes.io/unschedulable", "", "NoSchedule"}};
  EXPECT_EQ(SwapTaints(node, {}, unschedulable, Ts({})), std::nullopt);
  // Adding what is there with the same timeAdded changes nothing; a new stamp replaces it.
  std::vector<api::Taint> not_ready = {NotReadyNoExecute()};
  EXPECT_EQ(SwapTaints(node, not_ready, {}, Ts({})), std::nullopt);
  auto restamped = SwapTaints(node, not_ready, {}, Ts(absl::Seconds(9)));
  ASSERT_TRUE(restamped.has_value());
  EXPECT_EQ(GetString((*restamped)[1], {"timeAdded"}), Ts(absl::Seconds(9)));
  EXPECT_TRUE(HasTaint(node, NotReadyNoExecute()));
  EXPECT_FALSE(HasTaint(node, UnreachableNoExecute()));

  std::vector<api::Taint> a = {UnreachableNoExecute(), {"x", "1", "NoSchedule"}};
  std::vector<api::Taint> b = {{"x", "2", "NoSchedule"}};
  auto missing = TaintsMissingFrom(a, b);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].key, "node.kubernetes.io/unreachable");
}

}  // namespace
}  // namespace skiff::controllers::nodelifecycle
