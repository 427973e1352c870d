#include "skiff/scheduler/plugins/tainttoleration/taint_toleration.h"

#include <gtest/gtest.h>

#include "skiff/scheduler/plugins/plugin_testing.h"

namespace skiff::scheduler::plugins {
namespace {

using testing::NodeBuilder;
using testing::PodBuilder;

TEST(TaintTolerationTest, FilterTable) {
  struct Case {
    const char* name;
    NodeBuilder node;
    const char* tolerations;
    std::string want;  // "" fits
  };
  const Case cases[] = {
      {"no taints", NodeBuilder("n"), "[]", ""},
      {"NoSchedule not tolerated", NodeBuilder("n").Taint("k", "v", "NoSchedule"), "[]",
       "node(s) had untolerated taint {k: v}"},
      {"NoExecute not tolerated", NodeBuilder("n").Taint("k", "", "NoExecute"), "[]",
       "node(s) had untolerated taint {k: }"},
      {"PreferNoSchedule only scores", NodeBuilder("n").Taint("k", "v", "PreferNoSchedule"), "[]",
       ""},
      {"tolerated with Equal", NodeBuilder("n").Taint("k", "v", "NoSchedule"),
       R"([{"key":"k","operator":"Equal","value":"v","effect":"NoSchedule"}])", ""},
      {"tolerated with Exists and no effect", NodeBuilder("n").Taint("k", "v", "NoExecute"),
       R"([{"key":"k","operator":"Exists"}])", ""},
      {"wrong value", NodeBuilder("n").Taint("k", "v", "NoSchedule"),
       R"([{"key":"k","value":"w","effect":"NoSchedule"}])",
       "node(s) had untolerated taint {k: v}"},
      {"first untolerated taint is reported",
       NodeBuilder("n").Taint("a", "1", "NoSchedule").Taint("b", "2", "NoSchedule"),
       R"([{"key":"a","operator":"Exists"}])", "node(s) had untolerated taint {b: 2}"},
      {"control plane",
       NodeBuilder("n").Taint("node-role.kubernetes.io/control-plane", "", "NoSchedule"), "[]",
       "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"},
  };
  TaintToleration pl;
  for (const Case& c : cases) {
    Snapshot snap = testing::SnapshotOf({c.node});
    Status s = testing::RunFilter(pl, *PodBuilder("p").Spec("tolerations", c.tolerations).Info(),
                                  snap, "n");
    EXPECT_EQ(s.Message(), c.want) << c.name;
    if (!c.want.empty()) {
      EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable) << c.name;
    }
  }
}

TEST(TaintTolerationTest, ScoreCountsUntoleratedPreferNoSchedule) {
  Snapshot snap = testing::SnapshotOf(
      {NodeBuilder("n0"), NodeBuilder("n1").Taint("a", "", "PreferNoSchedule"),
       NodeBuilder("n2").Taint("a", "", "PreferNoSchedule").Taint("b", "", "PreferNoSchedule"),
       NodeBuilder("n3").Taint("a", "", "PreferNoSchedule").Taint("c", "", "NoSchedule")});
  TaintToleration pl;
  struct Case {
    const char* tolerations;
    std::map<std::string, int64_t> want;
  };
  const Case cases[] = {
      {"[]", {{"n0", 100}, {"n1", 50}, {"n2", 0}, {"n3", 50}}},
      {R"([{"key":"a","operator":"Exists"}])", {{"n0", 100}, {"n1", 100}, {"n2", 0}, {"n3", 100}}},
      {R"([{"key":"a","operator":"Exists","effect":"NoSchedule"}])",
       {{"n0", 100}, {"n1", 50}, {"n2", 0}, {"n3", 50}}},
      {R"([{"operator":"Exists"}])", {{"n0", 100}, {"n1", 100}, {"n2", 100}, {"n3", 100}}},
  };
  for (const Case& c : cases) {
    auto scores =
        testing::RunScore(pl, *PodBuilder("p").Spec("tolerations", c.tolerations).Info(), snap);
    ASSERT_TRUE(scores);
    EXPECT_EQ(scores->normalized, c.want) << c.tolerations;
  }
}

}  // namespace
}  // namespace skiff::scheduler::plugins
