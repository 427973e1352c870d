#include "skiff/scheduler/plugins/nodeunschedulable/node_unschedulable.h"

#include <gtest/gtest.h>

#include "skiff/scheduler/plugins/plugin_testing.h"

namespace skiff::scheduler::plugins {
namespace {

using testing::NodeBuilder;
using testing::PodBuilder;

TEST(NodeUnschedulableTest, Table) {
  struct Case {
    const char* name;
    bool cordoned;
    const char* tolerations;
    bool fits;
  };
  const Case cases[] = {
      {"schedulable node", false, "[]", true},
      {"cordoned, no toleration", true, "[]", false},
      {"cordoned, tolerates the unschedulable taint", true,
       R"([{"key":"node.kubernetes.io/unschedulable","operator":"Exists","effect":"NoSchedule"}])",
       true},
      {"cordoned, tolerates everything", true, R"([{"operator":"Exists"}])", true},
      {"cordoned, toleration for another effect", true,
       R"([{"key":"node.kubernetes.io/unschedulable","operator":"Exists","effect":"NoExecute"}])",
       false},
      {"cordoned, other key", true, R"([{"key":"x","operator":"Exists"}])", false},
  };
  NodeUnschedulable pl;
  for (const Case& c : cases) {
    NodeBuilder n("n1");
    if (c.cordoned) n.Unschedulable();
    Snapshot snap = testing::SnapshotOf({n});
    Status s = testing::RunFilter(pl, *PodBuilder("p").Spec("tolerations", c.tolerations).Info(),
                                  snap, "n1");
    EXPECT_EQ(s.ok(), c.fits) << c.name;
    if (!c.fits) {
      EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable) << c.name;
      EXPECT_EQ(s.Message(), "node(s) were unschedulable") << c.name;
    }
  }
}

}  // namespace
}  // namespace skiff::scheduler::plugins
