// Subcommands of the skiff binary; each returns the process exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace skiff::cmd {

struct ServerFlags {
  std::string data_dir;  // default: /var/lib/skiff as root, else ~/.local/share/skiff
  std::string bind = "127.0.0.1";
  int port = 6443;
  std::string store = "sqlite";  // sqlite | memory
  std::string log_level = "info";
  std::string controllers = "*";  // as kube-controller-manager's --controllers
  int hollow_nodes = 0;  // simulated nodes run inside the server (see `skiff agent --hollow`)
  // The embedded node agent (a one-node cluster) when running as root with runc available.
  bool agent = true;
  std::string node_name;  // of the embedded agent; default: the host name
  // Nodes run by the server (real containers): its own node plus nodes-1 workers named
  // <node-name>-worker, <node-name>-worker2, ... with their own data dirs under nodes/.
  int nodes = 1;
  // Whether the server's own node carries node-role.kubernetes.io/control-plane:NoSchedule:
  // "auto" (when it runs worker nodes beside it), "true" or "false".
  std::string control_plane_taint = "auto";
  // Pod networking and cgroups of the embedded nodes (as `skiff agent`'s flags).
  std::string bridge = "skiff0";
  std::string pod_subnet = "10.88.0.0/16";
  std::string cgroup_parent = "/skiff";
  // Node lifecycle, as kube-controller-manager's flags (durations like "50s" or "1m0s").
  std::string node_monitor_grace_period = "50s";
  std::string node_monitor_period = "5s";
  std::string node_startup_grace_period = "1m0s";
  double node_eviction_rate = 0.1;
  double secondary_node_eviction_rate = 0.01;
  int large_cluster_size_threshold = 50;
  double unhealthy_zone_threshold = 0.55;
  // kube-apiserver's DefaultTolerationSeconds admission: how long pods tolerate a node being
  // not ready or unreachable unless they say otherwise.
  int64_t default_not_ready_toleration_seconds = 300;
  int64_t default_unreachable_toleration_seconds = 300;
};

struct AgentFlags {
  std::string server;   // API server URL, e.g. http://127.0.0.1:6443
  bool hollow = false;  // simulate nodes instead of running containers
  int nodes = 1;        // with --hollow: how many nodes
  std::string name_prefix = "hollow-";
  std::vector<std::string> labels;  // key=value, applied to every node
  std::vector<std::string> taints;  // key[=value]:Effect
  std::string node_name;
  std::string data_dir;
  std::string log_level = "info";
  // Pod networking and cgroups of the real agent. Agents of one host may share them: pod IPs
  // on a bridge are allocated host-wide and pod cgroups are named by pod UID.
  std::string bridge = "skiff0";
  std::string pod_subnet = "10.88.0.0/16";
  std::string cgroup_parent = "/skiff";
};

struct ImageFlags {
  std::string data_dir;           // as the agent's; the store is <data-dir>/images
  std::string action;             // import | ls | rm
  std::string file;               // import: the tarball
  std::string name;               // import: name for an unnamed image
  bool quiet = false;             // ls: IDs only
  std::vector<std::string> refs;  // rm
};

void AddServerFlags(CLI::App& app, ServerFlags& flags);
void AddAgentFlags(CLI::App& app, AgentFlags& flags);
int RunAgent(const AgentFlags& flags);
int RunServer(const ServerFlags& flags);
int RunVersion();
void AddImageCommands(CLI::App& app, ImageFlags& flags);
int RunImage(const ImageFlags& flags);

}  // namespace skiff::cmd
