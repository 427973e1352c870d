#include "skiff/controllers/podgc/gc_policy.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"

namespace skiff::controllers::podgc {
namespace {

namespace json = boost::json;

struct P {
  std::string name;
  std::string phase = "Running";
  std::string reason;
  std::string created = "2027-01-15T08:00:00Z";
  std::string node;
  bool deleting = false;
};

client::ObjPtr Pod(const P& p) {
  json::object meta{{"name", p.name}, {"namespace", "default"}};
  if (!p.created.empty()) meta["creationTimestamp"] = p.created;
  if (p.deleting) meta["deletionTimestamp"] = "2027-01-15T09:00:00Z";
  json::object spec;
  if (!p.node.empty()) spec["nodeName"] = p.node;
  json::object status{{"phase", p.phase}};
  if (!p.reason.empty()) status["reason"] = p.reason;
  return std::make_shared<const json::value>(
      json::object{{"metadata", meta}, {"spec", spec}, {"status", status}});
}

client::ObjPtr Node(std::string name, bool ready, bool out_of_service) {
  json::object node{{"metadata", json::object{{"name", name}}}};
  node["status"] = json::object{
      {"conditions",
       json::array{json::object{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}};
  if (out_of_service) {
    node["spec"] = json::object{
        {"taints", json::array{json::object{{"key", "node.kubernetes.io/out-of-service"},
                                            {"effect", "NoExecute"}}}}};
  }
  return std::make_shared<const json::value>(std::move(node));
}

std::vector<std::string> Names(const std::vector<client::ObjPtr>& pods) {
  std::vector<std::string> out;
  for (const auto& p : pods) out.emplace_back(api::GetString(*p, {"metadata", "name"}));
  return out;
}

TEST(GcPolicyTest, TerminatedPhases) {
  struct Case {
    std::string phase;
    bool terminated;
  };
  const Case cases[] = {{"Pending", false},  {"Running", false}, {"Unknown", false},
                        {"Succeeded", true}, {"Failed", true},   {"", true}};
  for (const auto& c : cases) EXPECT_EQ(IsPodTerminated(*Pod({"p", c.phase})), c.terminated);
}

TEST(GcPolicyTest, TerminatedAboveThresholdEvictedThenOldestThenName) {
  std::vector<client::ObjPtr> pods = {
      Pod({"running", "Running", "", "2027-01-01T00:00:00Z"}),
      Pod({"new", "Succeeded", "", "2027-01-15T08:00:03Z"}),
      Pod({"old-b", "Failed", "", "2027-01-15T08:00:01Z"}),
      Pod({"old-a", "Succeeded", "", "2027-01-15T08:00:01Z"}),
      Pod({"evicted", "Failed", "Evicted", "2027-01-15T08:00:09Z"}),
      Pod({"no-time", "Failed", "", ""}),
  };
  struct Case {
    int threshold;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {5, {}},
      {4, {"evicted"}},
      {3, {"evicted", "no-time"}},
      {1, {"evicted", "no-time", "old-a", "old-b"}},
      {0, {"evicted", "no-time", "old-a", "old-b", "new"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Names(TerminatedPodsToDelete(pods, c.threshold)), c.want) << c.threshold;
  }
}

TEST(GcPolicyTest, UnscheduledTerminating) {
  std::vector<client::ObjPtr> pods = {
      Pod({.name = "bound-terminating", .node = "n1", .deleting = true}),
      Pod({.name = "unbound-terminating", .deleting = true}),
      Pod({.name = "unbound"}),
  };
  EXPECT_EQ(Names(UnscheduledTerminatingPods(pods)),
            (std::vector<std::string>{"unbound-terminating"}));
}

TEST(GcPolicyTest, TerminatingOnOutOfServiceNodes) {
  std::map<std::string, client::ObjPtr> nodes = {
      {"down-oos", Node("down-oos", false, true)},
      {"up-oos", Node("up-oos", true, true)},
      {"down", Node("down", false, false)},
  };
  std::vector<client::ObjPtr> pods = {
      Pod({.name = "b", .node = "down-oos", .deleting = true}),
      Pod({.name = "a", .node = "down-oos", .deleting = true}),
      Pod({.name = "running-on-oos", .node = "down-oos"}),
      Pod({.name = "on-ready-node", .node = "up-oos", .deleting = true}),
      Pod({.name = "no-taint", .node = "down", .deleting = true}),
      Pod({.name = "unknown-node", .node = "gone", .deleting = true}),
  };
  EXPECT_EQ(Names(TerminatingOutOfServicePods(pods, nodes)), (std::vector<std::string>{"a", "b"}));
}

TEST(GcPolicyTest, NodeQuarantine) {
  NodeQuarantine q(absl::Seconds(40));
  absl::Time t0 = absl::FromUnixSeconds(1800000000);
  EXPECT_TRUE(q.Due({"ghost", "late"}, t0).empty());
  EXPECT_EQ(q.size(), 2u);
  // 20 s later "late" has appeared; "other" is newly missing.
  EXPECT_TRUE(q.Due({"ghost", "other"}, t0 + absl::Seconds(20)).empty());
  EXPECT_EQ(q.size(), 3u);
  // At 40 s both first entries are due; only the still-missing one is returned.
  EXPECT_EQ(q.Due({"ghost", "other"}, t0 + absl::Seconds(40)), (std::vector<std::string>{"ghost"}));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.Due({"ghost", "other"}, t0 + absl::Seconds(60)), (std::vector<std::string>{"other"}));
  // "ghost" re-entered at 60 s.
  EXPECT_EQ(q.Due({"ghost"}, t0 + absl::Seconds(100)), (std::vector<std::string>{"ghost"}));
}

}  // namespace
}  // namespace skiff::controllers::podgc
