#include "skiff/scheduler/plugins/nodeports/node_ports.h"

#include <gtest/gtest.h>

#include "skiff/scheduler/plugins/plugin_testing.h"

namespace skiff::scheduler::plugins {
namespace {

using testing::NodeBuilder;
using testing::PodBuilder;

TEST(NodePortsTest, Table) {
  Snapshot snap = testing::SnapshotOf(
      {NodeBuilder("n1")},
      {PodBuilder("existing").Node("n1").HostPort(80).HostPort(53, "UDP", "10.0.0.1")});
  struct Case {
    const char* name;
    PodBuilder pod;
    bool fits;
  };
  const Case cases[] = {
      {"no host ports", PodBuilder("p"), true},
      {"same port and protocol", PodBuilder("p").HostPort(80), false},
      {"same port on a specific address vs 0.0.0.0",
       PodBuilder("p").HostPort(80, "TCP", "10.0.0.9"), false},
      {"other protocol", PodBuilder("p").HostPort(80, "UDP"), true},
      {"other port", PodBuilder("p").HostPort(8080), true},
      {"UDP 53 on another address", PodBuilder("p").HostPort(53, "UDP", "10.0.0.2"), true},
      {"UDP 53 on the same address", PodBuilder("p").HostPort(53, "UDP", "10.0.0.1"), false},
      {"UDP 53 on every address", PodBuilder("p").HostPort(53, "UDP"), false},
  };
  NodePorts pl;
  for (const Case& c : cases) {
    Status s = testing::RunFilter(pl, *c.pod.Info(), snap, "n1");
    EXPECT_EQ(s.ok(), c.fits) << c.name;
    if (!c.fits) {
      EXPECT_EQ(s.code(), Code::kUnschedulable) << c.name;
      EXPECT_EQ(s.Message(), "node(s) didn't have free ports for the requested pod ports");
    }
  }
}

}  // namespace
}  // namespace skiff::scheduler::plugins
