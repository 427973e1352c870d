#include "cmd/skiff/embedded_nodes.h"

#include <gtest/gtest.h>

namespace skiff::cmd {
namespace {

std::vector<std::string> Names(const std::vector<EmbeddedNode>& nodes) {
  std::vector<std::string> out;
  for (const auto& n : nodes) out.push_back(n.name);
  return out;
}

TEST(EmbeddedNodesTest, NamesAndDirectories) {
  auto nodes = PlanEmbeddedNodes("box", "/var/lib/skiff", 3, "auto");
  EXPECT_EQ(Names(nodes), (std::vector<std::string>{"box", "box-worker", "box-worker2"}));
  EXPECT_EQ(nodes[0].data_dir, "/var/lib/skiff");
  EXPECT_EQ(nodes[1].data_dir, "/var/lib/skiff/nodes/box-worker");
  EXPECT_EQ(nodes[2].data_dir, "/var/lib/skiff/nodes/box-worker2");
  for (const auto& n : nodes) EXPECT_EQ(n.images_dir, "/var/lib/skiff/images") << n.name;
  EXPECT_EQ(nodes[0].labels,
            (std::map<std::string, std::string>{{"node-role.kubernetes.io/control-plane", ""}}));
  EXPECT_TRUE(nodes[1].labels.empty());
  EXPECT_TRUE(nodes[1].taints.empty());
}

TEST(EmbeddedNodesTest, ControlPlaneTaint) {
  struct Case {
    int count;
    std::string flag;
    bool tainted;
  };
  const Case cases[] = {
      {1, "auto", false}, {2, "auto", true},   {3, "auto", true},
      {1, "true", true},  {3, "false", false}, {1, "false", false},
  };
  const boost::json::object want{{"key", "node-role.kubernetes.io/control-plane"},
                                 {"effect", "NoSchedule"}};
  for (const Case& c : cases) {
    auto nodes = PlanEmbeddedNodes("cp", "/d", c.count, c.flag);
    ASSERT_EQ(nodes.size(), static_cast<size_t>(c.count));
    if (c.tainted) {
      ASSERT_EQ(nodes[0].taints.size(), 1u) << c.count << " " << c.flag;
      EXPECT_EQ(nodes[0].taints[0], want);
    } else {
      EXPECT_TRUE(nodes[0].taints.empty()) << c.count << " " << c.flag;
    }
    for (size_t i = 1; i < nodes.size(); ++i) EXPECT_TRUE(nodes[i].taints.empty());
  }
}

}  // namespace
}  // namespace skiff::cmd
