// `skiff agent`: the node agent. Real containers arrive with the runc runtime; hollow mode
// simulates many nodes in one process.
#include <iostream>

#include "cmd/skiff/commands.h"

namespace skiff::cmd {

void AddAgentFlags(CLI::App& app, AgentFlags& flags) {
  app.add_option("--server", flags.server, "API server URL")->required();
  app.add_flag("--hollow", flags.hollow, "Simulate nodes instead of running containers");
  app.add_option("--nodes", flags.nodes, "With --hollow: number of nodes")->capture_default_str();
  app.add_option("--name-prefix", flags.name_prefix, "With --hollow: node name prefix")
      ->capture_default_str();
  app.add_option("--labels", flags.labels, "Node labels key=value (repeatable)");
  app.add_option("--taints", flags.taints, "Node taints key[=value]:Effect (repeatable)");
  app.add_option("--node-name", flags.node_name, "Node name (real agent)");
  app.add_option("--data-dir", flags.data_dir, "Agent data directory (real agent)");
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
}

int RunAgent(const AgentFlags& flags) {
  std::cerr << "skiff agent: this build has no agent runtime yet\n";
  return 2;
}

}  // namespace skiff::cmd
