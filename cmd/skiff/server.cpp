#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cmd/skiff/commands.h"
#include "cmd/skiff/controller_selection.h"
#include "cmd/skiff/embedded_nodes.h"
#include "skiff/agent/hollow/hollow_nodes.h"
#include "skiff/agent/kubelet/local_node.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/client/informer.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/controllers/daemonset/daemon_set_controller.h"
#include "skiff/controllers/deployment/deployment_controller.h"
#include "skiff/controllers/garbagecollector/garbage_collector.h"
#include "skiff/controllers/namespace/namespace_controller.h"
#include "skiff/controllers/nodelifecycle/node_lifecycle_controller.h"
#include "skiff/controllers/podgc/pod_gc_controller.h"
#include "skiff/controllers/replicaset/replica_set_controller.h"
#include "skiff/controllers/statefulset/stateful_set_controller.h"
#include "skiff/controllers/tainteviction/taint_eviction_controller.h"
#include "skiff/controllers/volume/localpath/local_path_provisioner.h"
#include "skiff/controllers/volume/persistentvolume/pv_controller.h"
#include "skiff/controllers/volume/protection/pv_protection_controller.h"
#include "skiff/controllers/volume/protection/pvc_protection_controller.h"
#include "skiff/scheduler/plugins/volumebinding/binder.h"
#include "skiff/scheduler/scheduler.h"
#include "skiff/store/memory/memory_store.h"
#include "skiff/store/sqlite/sqlite_store.h"
#include "spdlog/spdlog.h"

namespace skiff::cmd {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string>& KnownControllers() {
  static const std::vector<std::string> names = {"daemonset",
                                                 "deployment",
                                                 "garbagecollector",
                                                 "local-path-provisioner",
                                                 "namespace",
                                                 "nodelifecycle",
                                                 "persistentvolume-binder",
                                                 "persistentvolume-protection",
                                                 "persistentvolumeclaim-protection",
                                                 "podgc",
                                                 "replicaset",
                                                 "replicationcontroller",
                                                 "statefulset",
                                                 "taint-eviction-controller"};
  return names;
}

// Components started after the API server is up, in order, and stopped in reverse order.
class Components {
 public:
  Components() = default;
  Components(const Components&) = delete;
  Components& operator=(const Components&) = delete;
  ~Components() {
    while (!owned_.empty()) owned_.pop_back();
  }

  // Keeps an object alive as long as the components (clients the components use).
  template <class T>
  T* Own(std::unique_ptr<T> object) {
    T* raw = object.get();
    owned_.push_back(std::shared_ptr<T>(std::move(object)));
    return raw;
  }

  // Owns a component with Start() and Stop().
  template <class T>
  T* Add(std::unique_ptr<T> component) {
    T* raw = Own(std::move(component));
    start_.push_back([raw] { raw->Start(); });
    stop_.push_back([raw] { raw->Stop(); });
    return raw;
  }

  void StartAll() {
    for (auto& start : start_) start();
  }
  void StopAll() {
    for (auto it = stop_.rbegin(); it != stop_.rend(); ++it) (*it)();
  }

 private:
  std::vector<std::shared_ptr<void>> owned_;
  std::vector<std::function<void()>> start_;
  std::vector<std::function<void()>> stop_;
};

std::string DefaultDataDir() {
  if (::geteuid() == 0) return "/var/lib/skiff";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.local/share/skiff";
}

bool WriteKubeconfig(const fs::path& path, const std::string& server) {
  std::ofstream out(path, std::ios::trunc);
  out << "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- name: skiff\n"
         "  cluster:\n"
         "    server: "
      << server
      << "\n"
         "contexts:\n"
         "- name: skiff\n"
         "  context:\n"
         "    cluster: skiff\n"
         "    user: skiff-admin\n"
         "    namespace: default\n"
         "current-context: skiff\n"
         "users:\n"
         "- name: skiff-admin\n"
         "  user: {}\n";
  return out.good();
}

}  // namespace

// kube-controller-manager's node lifecycle flags and kube-apiserver's default tolerations.
void AddNodeLifecycleFlags(CLI::App& app, ServerFlags& flags) {
  app.add_option("--node-monitor-grace-period", flags.node_monitor_grace_period,
                 "How long a node may go without renewing its Lease or posting its status "
                 "before it is marked Unknown")
      ->capture_default_str();
  app.add_option("--node-monitor-period", flags.node_monitor_period,
                 "How often the node lifecycle controller checks node health")
      ->capture_default_str();
  app.add_option("--node-startup-grace-period", flags.node_startup_grace_period,
                 "How long a node that never posted its status may stay silent before it is "
                 "marked Unknown")
      ->capture_default_str();
  app.add_option("--node-eviction-rate", flags.node_eviction_rate,
                 "Nodes per second and zone that get NoExecute taints while the zone is healthy")
      ->capture_default_str();
  app.add_option("--secondary-node-eviction-rate", flags.secondary_node_eviction_rate,
                 "The same while a large zone is partly unhealthy")
      ->capture_default_str();
  app.add_option("--large-cluster-size-threshold", flags.large_cluster_size_threshold,
                 "Zones with more nodes than this use the secondary rate when partly unhealthy")
      ->capture_default_str();
  app.add_option("--unhealthy-zone-threshold", flags.unhealthy_zone_threshold,
                 "Share of not-ready nodes (at least 3) that makes a zone partly unhealthy")
      ->capture_default_str();
  app.add_option("--default-not-ready-toleration-seconds",
                 flags.default_not_ready_toleration_seconds,
                 "tolerationSeconds of the not-ready:NoExecute toleration added to every pod "
                 "that has none")
      ->capture_default_str();
  app.add_option("--default-unreachable-toleration-seconds",
                 flags.default_unreachable_toleration_seconds,
                 "tolerationSeconds of the unreachable:NoExecute toleration added to every pod "
                 "that has none")
      ->capture_default_str();
}

// Reads the duration flags; an error message names the bad flag.
absl::StatusOr<controllers::nodelifecycle::NodeLifecycleOptions> NodeLifecycleOptionsFrom(
    const ServerFlags& flags) {
  controllers::nodelifecycle::NodeLifecycleOptions o;
  struct DurationFlag {
    const char* name;
    const std::string& text;
    absl::Duration* out;
  };
  for (const DurationFlag& f :
       {DurationFlag{"--node-monitor-grace-period", flags.node_monitor_grace_period,
                     &o.node_monitor_grace_period},
        DurationFlag{"--node-monitor-period", flags.node_monitor_period, &o.node_monitor_period},
        DurationFlag{"--node-startup-grace-period", flags.node_startup_grace_period,
                     &o.node_startup_grace_period}}) {
    if (!absl::ParseDuration(f.text, f.out) || *f.out <= absl::ZeroDuration() ||
        *f.out == absl::InfiniteDuration()) {
      return absl::InvalidArgumentError(absl::StrCat("invalid value \"", f.text, "\" for ", f.name,
                                                     ": want a positive duration such as 50s"));
    }
  }
  if (flags.node_eviction_rate < 0 || flags.secondary_node_eviction_rate < 0 ||
      flags.unhealthy_zone_threshold < 0 || flags.unhealthy_zone_threshold > 1 ||
      flags.large_cluster_size_threshold < 0) {
    return absl::InvalidArgumentError(
        "--node-eviction-rate, --secondary-node-eviction-rate and "
        "--large-cluster-size-threshold must not be negative; --unhealthy-zone-threshold must "
        "be within [0, 1]");
  }
  o.node_eviction_rate = flags.node_eviction_rate;
  o.secondary_node_eviction_rate = flags.secondary_node_eviction_rate;
  o.large_cluster_size_threshold = flags.large_cluster_size_threshold;
  o.unhealthy_zone_threshold = flags.unhealthy_zone_threshold;
  return o;
}

void AddServerFlags(CLI::App& app, ServerFlags& flags) {
  app.add_option("--data-dir", flags.data_dir, "Directory for the database and kubeconfig");
  app.add_option("--bind", flags.bind, "Address to listen on")->capture_default_str();
  app.add_option("--port", flags.port, "Port to listen on (0 picks a free one)")
      ->capture_default_str();
  app.add_option("--store", flags.store, "Store backend: sqlite or memory")
      ->check(CLI::IsMember({"sqlite", "memory"}))
      ->capture_default_str();
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  app.add_option("--controllers", flags.controllers,
                 "Controllers to run: '*' for all, 'name' to add one, '-name' to leave one out "
                 "(" +
                     absl::StrJoin(KnownControllers(), ", ") + ")")
      ->capture_default_str();
  app.add_option("--hollow-nodes", flags.hollow_nodes, "Simulated nodes to run in the server")
      ->capture_default_str();
  app.add_option("--agent", flags.agent,
                 "Run the node agent in the server (needs root and runc; --agent=false: no node)")
      ->capture_default_str();
  app.add_option("--node-name", flags.node_name, "Name of the embedded agent's node (host name)");
  app.add_option("--nodes", flags.nodes,
                 "Nodes with real containers: the server's own plus workers <node-name>-worker, "
                 "<node-name>-worker2, ... (needs root and runc)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--control-plane-taint", flags.control_plane_taint,
                 "Taint the server's own node node-role.kubernetes.io/control-plane:NoSchedule: "
                 "auto (when --nodes > 1), true or false")
      ->check(CLI::IsMember({"auto", "true", "false"}))
      ->capture_default_str();
  app.add_option("--bridge", flags.bridge, "Pod network bridge of the embedded nodes")
      ->capture_default_str();
  app.add_option("--pod-subnet", flags.pod_subnet, "Pod IP range of the embedded nodes")
      ->capture_default_str();
  app.add_option("--cgroup-parent", flags.cgroup_parent,
                 "cgroup under which the embedded nodes' pods run")
      ->capture_default_str();
  AddNodeLifecycleFlags(app, flags);
}

int RunServer(const ServerFlags& flags) {
  auto started = std::chrono::steady_clock::now();
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  fs::path data_dir = flags.data_dir.empty() ? DefaultDataDir() : flags.data_dir;
  auto selection = ControllerSelection::Parse(flags.controllers, KnownControllers());
  if (!selection.ok()) {
    std::cerr << "skiff: " << selection.status().message() << "\n";
    return 2;
  }
  auto node_lifecycle = NodeLifecycleOptionsFrom(flags);
  if (!node_lifecycle.ok()) {
    std::cerr << "skiff: " << node_lifecycle.status().message() << "\n";
    return 2;
  }
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    std::cerr << "skiff: cannot create data dir " << data_dir << ": " << ec.message() << "\n";
    return 1;
  }

  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<store::Store> st;
  if (flags.store == "memory") {
    st = std::make_unique<store::MemoryStore>();
  } else {
    auto opened = store::SqliteStore::Open((data_dir / "skiff.db").string());
    if (!opened.ok()) {
      std::cerr << "skiff: cannot open store: " << opened.status().message() << "\n";
      return 1;
    }
    st = std::move(*opened);
  }

  apiserver::ApiServerOptions opts;
  opts.bind = flags.bind;
  opts.port = flags.port;
  apiserver::ApiServer server(st.get(), opts);
  server.registry().set_pod_admission(
      {.not_ready_toleration_seconds = flags.default_not_ready_toleration_seconds,
       .unreachable_toleration_seconds = flags.default_unreachable_toleration_seconds});
  server.registry().set_storage_admission(
      {.pvc_protection = selection->Enabled("persistentvolumeclaim-protection"),
       .pv_protection = selection->Enabled("persistentvolume-protection")});
  client::InformerFactory informers(&server.cache());
  // Components register their informers here, before the cache starts.
  Components components;
  // [controllers wiring: construct]
  auto in_process = [&](const char* user) {
    return components.Own(std::make_unique<client::InProcessClient>(&server.registry(), user));
  };
  if (selection->Enabled("replicaset")) {
    components.Add(std::make_unique<controllers::replicaset::ReplicaSetController>(
        in_process("replicaset-controller"), informers, controllers::replicaset::ReplicaSetKind()));
  }
  if (selection->Enabled("replicationcontroller")) {
    components.Add(std::make_unique<controllers::replicaset::ReplicaSetController>(
        in_process("replication-controller"), informers,
        controllers::replicaset::ReplicationControllerKind()));
  }
  if (selection->Enabled("podgc")) {
    components.Add(std::make_unique<controllers::podgc::PodGcController>(
        in_process("pod-garbage-collector"), informers));
  }
  if (selection->Enabled("deployment")) {
    components.Add(std::make_unique<controllers::deployment::DeploymentController>(
        in_process("deployment-controller"), &informers));
  }
  if (selection->Enabled("daemonset")) {
    components.Add(std::make_unique<controllers::daemonset::DaemonSetController>(
        in_process("daemon-set-controller"), informers));
  }
  if (selection->Enabled("statefulset")) {
    components.Add(std::make_unique<controllers::statefulset::StatefulSetController>(
        in_process("statefulset-controller"), informers));
  }
  if (selection->Enabled("nodelifecycle")) {
    components.Add(std::make_unique<controllers::nodelifecycle::NodeLifecycleController>(
        in_process("node-controller"), informers, *node_lifecycle));
  }
  if (selection->Enabled("taint-eviction-controller")) {
    components.Add(std::make_unique<controllers::tainteviction::TaintEvictionController>(
        in_process("taint-eviction-controller"), informers));
  }
  if (selection->Enabled("persistentvolume-binder")) {
    components.Add(std::make_unique<controllers::volume::PersistentVolumeController>(
        in_process("persistent-volume-binder"), &informers));
  }
  if (selection->Enabled("persistentvolume-protection")) {
    components.Add(std::make_unique<controllers::volume::PvProtectionController>(
        in_process("pv-protection-controller"), &informers));
  }
  if (selection->Enabled("persistentvolumeclaim-protection")) {
    components.Add(std::make_unique<controllers::volume::PvcProtectionController>(
        in_process("pvc-protection-controller"), &informers));
  }
  // Volumes live under <data-dir>/storage; its default class is ensured once the API is up.
  const bool local_path = selection->Enabled("local-path-provisioner");
  if (local_path) {
    components.Add(std::make_unique<controllers::volume::LocalPathProvisioner>(
        in_process("local-path-provisioner"), &informers,
        controllers::volume::LocalPathProvisionerOptions{.root = data_dir / "storage"}));
  }
  // [scheduler wiring: construct]
  auto volume_binder = std::make_shared<scheduler::plugins::SchedulerVolumeBinder>(
      in_process("default-scheduler"), &informers);
  scheduler::SchedulerOptions scheduler_opts;
  scheduler_opts.plugin_args.volume_binder = volume_binder;
  auto* default_scheduler = components.Add(
      std::make_unique<scheduler::Scheduler>(in_process("default-scheduler"), scheduler_opts));
  default_scheduler->Register(informers);
  // [hollow nodes wiring: construct]
  if (flags.hollow_nodes > 0) {
    agent::hollow::HollowNodesOptions hollow_opts;
    hollow_opts.count = flags.hollow_nodes;
    auto* hollow = components.Add(std::make_unique<agent::hollow::HollowNodes>(
        in_process("skiff-hollow-nodes"), &informers.For(client::Pods()),
        &informers.For(client::Nodes()), hollow_opts));
    hollow->Register();
  }
  // [node agent wiring: construct]
  if (flags.agent && agent::kubelet::CanRunContainers()) {
    std::string base_name = flags.node_name;
    if (base_name.empty()) {
      char host[256] = {};
      ::gethostname(host, sizeof host - 1);
      base_name = absl::AsciiStrToLower(host);
    }
    for (EmbeddedNode& planned :
         PlanEmbeddedNodes(base_name, data_dir.string(), flags.nodes, flags.control_plane_taint)) {
      agent::kubelet::LocalNodeOptions node_opts;
      node_opts.node_name = std::move(planned.name);
      node_opts.data_dir = std::move(planned.data_dir);
      node_opts.images_dir = std::move(planned.images_dir);
      node_opts.labels = std::move(planned.labels);
      node_opts.taints = std::move(planned.taints);
      node_opts.bridge = flags.bridge;
      node_opts.subnet = flags.pod_subnet;
      node_opts.cgroup_parent = flags.cgroup_parent;
      auto node = agent::kubelet::LocalNode::Open(in_process("skiff-node-agent"), node_opts);
      if (!node.ok()) {
        spdlog::warn("no node agent for {}: {}", node_opts.node_name,
                     std::string(node.status().message()));
        continue;
      }
      (*node)->Register(&informers.For(client::Pods()));
      components.Add(std::move(*node));
    }
  } else if (flags.agent) {
    spdlog::info("no node agent: running containers needs root and /usr/sbin/runc");
  }
  // The garbage collector and namespace controller read the watch cache directly; they start
  // before the other components and stop after the server.
  std::unique_ptr<controllers::GarbageCollector> gc;
  std::unique_ptr<controllers::NamespaceController> namespaces;
  if (selection->Enabled("garbagecollector")) {
    gc = std::make_unique<controllers::GarbageCollector>(&server.registry(), &server.cache());
    gc->Register();
  }
  if (selection->Enabled("namespace")) {
    namespaces =
        std::make_unique<controllers::NamespaceController>(&server.registry(), &server.cache());
    namespaces->Register();
  }
  if (absl::Status s = server.Start(); !s.ok()) {
    std::cerr << "skiff: " << s.message() << "\n";
    return 1;
  }
  if (gc) gc->Start();
  if (namespaces) namespaces->Start();
  // [controllers wiring: start]
  components.StartAll();
  if (local_path) {
    if (absl::Status s =
            controllers::volume::EnsureLocalPathStorageClass(in_process("local-path-provisioner"));
        !s.ok()) {
      spdlog::warn("cannot create the default StorageClass: {}", std::string(s.message()));
    }
  }
  std::string url = "http://" + flags.bind + ":" + std::to_string(server.port());
  fs::path kubeconfig = data_dir / "kubeconfig";
  if (!WriteKubeconfig(kubeconfig, url)) {
    std::cerr << "skiff: cannot write " << kubeconfig << "\n";
    return 1;
  }
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("skiff server ready on {} in {:.0f} ms (store: {}, data: {})", url, ms, flags.store,
               data_dir.string());
  std::cout << "Skiff API server listening on " << url << "\n"
            << "  export KUBECONFIG=" << kubeconfig.string() << "\n"
            << "  kubectl get nodes,namespaces" << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received signal {}, shutting down", sig);
  // [controllers wiring: stop]
  volume_binder->Stop();  // pods waiting for volumes give up, so the scheduler can stop
  components.StopAll();
  server.Stop();
  if (namespaces) namespaces->Stop();
  if (gc) gc->Stop();
  return 0;
}

int RunVersion() {
  std::cout << "skiff 0.1.0 (Kubernetes API v1.32)\n";
  return 0;
}

}  // namespace skiff::cmd
