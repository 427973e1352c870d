#include "skiff/controllers/daemonset/node_pods.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"
#include "skiff/controllers/daemonset/test_pods.h"

namespace skiff::controllers::daemonset {
namespace {

using testing::kNow;
using testing::Pod;
using testing::PodSpec;

std::vector<std::string> Names(const std::vector<client::ObjPtr>& pods) {
  std::vector<std::string> out;
  for (const auto& p : pods) out.emplace_back(api::GetString(*p, {"metadata", "name"}));
  return out;
}

struct Want {
  bool create = false;
  std::vector<std::string> failed = {}, succeeded = {}, excess = {};
};

TEST(NodePodsTest, Table) {
  const absl::Duration older = absl::Minutes(20);
  struct Case {
    const char* name;
    NodeFit fit;
    bool surge;
    bool no_entry;  // the node has no claimed pods at all
    std::vector<PodSpec> pods;
    Want want;
  };
  const Case cases[] = {
      {"should run, nothing there", {true, true}, false, true, {}, {true}},
      {"should not run, nothing there", {false, false}, false, true, {}, {false}},
      {"one running pod", {true, true}, false, false, {{"a", "n"}}, {false}},
      {"duplicates: the oldest stays",
       {true, true},
       false,
       false,
       {{"young", "n", "new", true, absl::Minutes(1), "Running", false, true, absl::Minutes(1)},
        {"old", "n", "new", true, absl::Minutes(1), "Running", false, true, older}},
       {false, {}, {}, {"young"}}},
      {"a scheduled pod outranks an older unscheduled one",
       {true, true},
       false,
       false,
       {{"pending", "n", "new", false, absl::Minutes(1), "Pending", false, false, older},
        {"bound", "n", "new"}},
       {false, {}, {}, {"pending"}}},
      {"failed and succeeded pods go",
       {true, true},
       false,
       false,
       {{"f", "n", "new", false, absl::Minutes(1), "Failed"},
        {"s", "n", "new", false, absl::Minutes(1), "Succeeded"}},
       {false, {"f"}, {"s"}, {}}},
      {"only a terminating pod: wait for it (no surge)",
       {true, true},
       false,
       false,
       {{"t", "n", "old", true, absl::Minutes(1), "Running", true}},
       {false}},
      {"only a terminating pod: create beside it (surge)",
       {true, true},
       true,
       false,
       {{"t", "n", "old", true, absl::Minutes(1), "Running", true}},
       {true}},
      {"NoSchedule taint: existing pod keeps running",
       {false, true},
       false,
       false,
       {{"a", "n"}},
       {false}},
      {"no longer eligible: every live pod goes",
       {false, false},
       false,
       false,
       {{"a", "n"}, {"t", "n", "new", true, absl::Minutes(1), "Running", true}},
       {false, {}, {}, {"a"}}},
      {"surge: old ready and new not yet available, both stay",
       {true, true},
       true,
       false,
       {{"old", "n", "old", true, absl::Minutes(1), "Running", false, true, older},
        {"new", "n", "new", false}},
       {false}},
      {"surge: new available, old goes",
       {true, true},
       true,
       false,
       {{"old", "n", "old", true, absl::Minutes(1), "Running", false, true, older},
        {"new", "n", "new"}},
       {false, {}, {}, {"old"}}},
      {"surge: old not ready, old goes",
       {true, true},
       true,
       false,
       {{"old", "n", "old", false, absl::Minutes(1), "Running", false, true, older},
        {"new", "n", "new", false}},
       {false, {}, {}, {"old"}}},
      {"surge: extra pods of each kind go",
       {true, true},
       true,
       false,
       {{"old1", "n", "old", true, absl::Minutes(1), "Running", false, true, older},
        {"old2", "n", "old"},
        {"new1", "n", "new", false, absl::Minutes(1), "Running", false, true, absl::Minutes(15)},
        {"new2", "n", "new", false}},
       {false, {}, {}, {"new2", "old2"}}},
  };
  for (const Case& c : cases) {
    std::vector<client::ObjPtr> pods;
    for (const auto& p : c.pods) pods.push_back(Pod(p));
    Revision rev{"new", std::nullopt, 0, kNow};
    NodePodsDecision d = DecideNodePods(c.fit, c.no_entry ? nullptr : &pods, c.surge, rev);
    EXPECT_EQ(d.create, c.want.create) << c.name;
    EXPECT_EQ(Names(d.failed), c.want.failed) << c.name;
    EXPECT_EQ(Names(d.succeeded), c.want.succeeded) << c.name;
    EXPECT_EQ(Names(d.excess), c.want.excess) << c.name;
  }
}

}  // namespace
}  // namespace skiff::controllers::daemonset
