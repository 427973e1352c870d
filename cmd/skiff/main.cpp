// skiff: one binary for the control plane and (later) the node agent.
#include <CLI/CLI.hpp>

#include "cmd/skiff/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Skiff: a small Kubernetes-compatible container orchestrator", "skiff"};
  app.require_subcommand(1);
  skiff::cmd::ServerFlags server_flags;
  CLI::App* server = app.add_subcommand("server", "Run the API server on an embedded store");
  skiff::cmd::AddServerFlags(*server, server_flags);
  skiff::cmd::AgentFlags agent_flags;
  CLI::App* agent = app.add_subcommand("agent", "Run a node agent (or --hollow simulated nodes)");
  skiff::cmd::AddAgentFlags(*agent, agent_flags);
  skiff::cmd::ImageFlags image_flags;
  CLI::App* image = app.add_subcommand("image", "Manage the node's container images");
  skiff::cmd::AddImageCommands(*image, image_flags);
  app.add_subcommand("version", "Print the Skiff and Kubernetes API versions");
  CLI11_PARSE(app, argc, argv);
  if (server->parsed()) return skiff::cmd::RunServer(server_flags);
  if (agent->parsed()) return skiff::cmd::RunAgent(agent_flags);
  if (image->parsed()) return skiff::cmd::RunImage(image_flags);
  return skiff::cmd::RunVersion();
}
