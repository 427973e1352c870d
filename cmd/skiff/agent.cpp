// `skiff agent`: the node agent. It runs real containers with runc (agent/kubelet/local_node.h);
// hollow mode simulates many nodes in one process. Both talk to the API server over HTTP.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>

#include "cmd/skiff/commands.h"
#include "skiff/agent/hollow/hollow_nodes.h"
#include "skiff/agent/kubelet/local_node.h"
#include "skiff/client/http/http_client.h"
#include "skiff/client/http/remote_informer.h"
#include "spdlog/spdlog.h"

namespace skiff::cmd {

namespace {

// --labels and --taints, for hollow and real nodes alike; false (after saying why) if malformed.
bool ParseNodeFlags(const AgentFlags& flags, std::map<std::string, std::string>* labels,
                    std::vector<boost::json::object>* taints) {
  for (const std::string& l : flags.labels) {
    auto kv = agent::hollow::ParseLabel(l);
    if (!kv.ok()) {
      std::cerr << "skiff agent: " << kv.status().message() << "\n";
      return false;
    }
    (*labels)[kv->first] = kv->second;
  }
  for (const std::string& t : flags.taints) {
    auto taint = agent::hollow::ParseTaint(t);
    if (!taint.ok()) {
      std::cerr << "skiff agent: " << taint.status().message() << "\n";
      return false;
    }
    taints->push_back(std::move(*taint));
  }
  return true;
}

int RunHollowAgent(const AgentFlags& flags) {
  agent::hollow::HollowNodesOptions opts;
  opts.count = flags.nodes;
  opts.name_prefix = flags.name_prefix;
  // HTTP round trips: more in flight than in process.
  opts.workers = std::clamp(flags.nodes / 8, 8, 64);
  if (!ParseNodeFlags(flags, &opts.labels, &opts.taints)) return 2;
  if (flags.nodes < 1) {
    std::cerr << "skiff agent: --nodes must be at least 1\n";
    return 2;
  }

  client::http::HttpClientOptions copts;
  copts.server = flags.server;
  copts.user_agent = "skiff-agent/0.1.0 (hollow)";
  copts.field_manager = "skiff-hollow-agent";
  copts.max_idle_connections = 16;
  auto http = client::http::HttpClient::New(copts);
  if (!http.ok()) {
    std::cerr << "skiff agent: " << http.status().message() << "\n";
    return 2;
  }

  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  // Every bound pod (hollow or not: filtered by node name locally) and every node.
  client::http::RemoteInformerOptions pod_opts;
  pod_opts.field_selector = "spec.nodeName!=";
  client::http::RemoteInformer pods(http->get(), client::Pods(), pod_opts);
  client::http::RemoteInformer nodes(http->get(), client::Nodes());
  agent::hollow::HollowNodes hollow(http->get(), &pods.informer(), &nodes.informer(), opts);
  hollow.Register();
  pods.Start();
  nodes.Start();
  if (!pods.WaitForSync(absl::Seconds(30)) || !nodes.WaitForSync(absl::Seconds(30))) {
    std::cerr << "skiff agent: cannot list pods and nodes from " << flags.server << "\n";
    return 1;
  }
  hollow.Start();
  std::cout << "skiff agent: running " << flags.nodes << " hollow nodes (" << flags.name_prefix
            << "0.." << flags.name_prefix << flags.nodes - 1 << ") against " << flags.server
            << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received signal {}, shutting down", sig);
  hollow.Stop();
  pods.Stop();
  nodes.Stop();
  return 0;
}

std::string DefaultDataDir() {
  const char* home = std::getenv("HOME");
  return ::geteuid() == 0 ? "/var/lib/skiff"
                          : std::string(home ? home : ".") + "/.local/share/skiff";
}

std::string DefaultNodeName() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  std::string out = name;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out.empty() ? "node" : out;
}

int RunRealAgent(const AgentFlags& flags) {
  agent::kubelet::LocalNodeOptions opts;
  opts.node_name = flags.node_name.empty() ? DefaultNodeName() : flags.node_name;
  opts.data_dir = flags.data_dir.empty() ? DefaultDataDir() : flags.data_dir;
  opts.bridge = flags.bridge;
  opts.subnet = flags.pod_subnet;
  opts.cgroup_parent = flags.cgroup_parent;
  if (!ParseNodeFlags(flags, &opts.labels, &opts.taints)) return 2;
  if (!agent::kubelet::CanRunContainers(opts.runc)) {
    std::cerr << "skiff agent: running containers needs root and " << opts.runc
              << " (use --hollow to simulate nodes)\n";
    return 2;
  }
  client::http::HttpClientOptions copts;
  copts.server = flags.server;
  copts.user_agent = "skiff-agent/0.1.0";
  copts.field_manager = "skiff-agent";
  auto http = client::http::HttpClient::New(copts);
  if (!http.ok()) {
    std::cerr << "skiff agent: " << http.status().message() << "\n";
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  auto node = agent::kubelet::LocalNode::Open(http->get(), opts);
  if (!node.ok()) {
    std::cerr << "skiff agent: " << node.status().message() << "\n";
    return 1;
  }
  client::http::RemoteInformerOptions pod_opts;
  pod_opts.field_selector = "spec.nodeName=" + opts.node_name;
  client::http::RemoteInformer pods(http->get(), client::Pods(), pod_opts);
  (*node)->Register(&pods.informer(), [&pods] { return pods.HasSynced(); });
  pods.Start();
  if (!pods.WaitForSync(absl::Seconds(30))) {
    std::cerr << "skiff agent: cannot list pods from " << flags.server << "\n";
    return 1;
  }
  (*node)->Start();
  std::cout << "skiff agent: node " << opts.node_name << " (" << (*node)->host().node_ip
            << ", data in " << opts.data_dir << ") against " << flags.server << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received signal {}, shutting down (containers keep running)", sig);
  (*node)->Stop();
  pods.Stop();
  return 0;
}

}  // namespace

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
  app.add_option("--bridge", flags.bridge, "Pod network bridge (real agent)")
      ->capture_default_str();
  app.add_option("--pod-subnet", flags.pod_subnet, "Pod IP range (real agent)")
      ->capture_default_str();
  app.add_option("--cgroup-parent", flags.cgroup_parent, "cgroup under which pods run (real agent)")
      ->capture_default_str();
}

int RunAgent(const AgentFlags& flags) {
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  if (flags.hollow) return RunHollowAgent(flags);
  return RunRealAgent(flags);
}

}  // namespace skiff::cmd
