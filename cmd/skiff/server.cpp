#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cmd/skiff/commands.h"
#include "skiff/agent/hollow/hollow_nodes.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/client/informer.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/controllers/deployment/deployment_controller.h"
#include "skiff/controllers/garbagecollector/garbage_collector.h"
#include "skiff/controllers/namespace/namespace_controller.h"
#include "skiff/controllers/podgc/pod_gc_controller.h"
#include "skiff/controllers/replicaset/replica_set_controller.h"
#include "skiff/scheduler/scheduler.h"
#include "skiff/store/memory/memory_store.h"
#include "skiff/store/sqlite/sqlite_store.h"
#include "spdlog/spdlog.h"

namespace skiff::cmd {

namespace fs = std::filesystem;

namespace {

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
  app.add_option("--hollow-nodes", flags.hollow_nodes, "Simulated nodes to run in the server")
      ->capture_default_str();
}

int RunServer(const ServerFlags& flags) {
  auto started = std::chrono::steady_clock::now();
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  fs::path data_dir = flags.data_dir.empty() ? DefaultDataDir() : flags.data_dir;
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
  client::InformerFactory informers(&server.cache());
  // Components register their informers here, before the cache starts.
  // [controllers wiring: construct]
  client::InProcessClient replicaset_client(&server.registry(), "replicaset-controller");
  controllers::replicaset::ReplicaSetController replicasets(
      &replicaset_client, informers, controllers::replicaset::ReplicaSetKind());
  client::InProcessClient replication_client(&server.registry(), "replication-controller");
  controllers::replicaset::ReplicaSetController replication(
      &replication_client, informers, controllers::replicaset::ReplicationControllerKind());
  client::InProcessClient podgc_client(&server.registry(), "pod-garbage-collector");
  controllers::podgc::PodGcController podgc(&podgc_client, informers);
  client::InProcessClient deployment_client(&server.registry(), "deployment-controller");
  controllers::deployment::DeploymentController deployments(&deployment_client, &informers);
  // [scheduler wiring: construct]
  client::InProcessClient scheduler_client(&server.registry(), "default-scheduler");
  scheduler::Scheduler default_scheduler(&scheduler_client);
  default_scheduler.Register(informers);
  // [hollow nodes wiring: construct]
  client::InProcessClient hollow_client(&server.registry(), "skiff-hollow-nodes");
  std::unique_ptr<agent::hollow::HollowNodes> hollow;
  if (flags.hollow_nodes > 0) {
    agent::hollow::HollowNodesOptions hollow_opts;
    hollow_opts.count = flags.hollow_nodes;
    hollow =
        std::make_unique<agent::hollow::HollowNodes>(&hollow_client, &informers.For(client::Pods()),
                                                     &informers.For(client::Nodes()), hollow_opts);
    hollow->Register();
  }
  controllers::GarbageCollector gc(&server.registry(), &server.cache());
  controllers::NamespaceController namespaces(&server.registry(), &server.cache());
  gc.Register();
  namespaces.Register();
  if (absl::Status s = server.Start(); !s.ok()) {
    std::cerr << "skiff: " << s.message() << "\n";
    return 1;
  }
  gc.Start();
  namespaces.Start();
  // [controllers wiring: start]
  replicasets.Start();
  replication.Start();
  podgc.Start();
  deployments.Start();
  // [scheduler wiring: start]
  default_scheduler.Start();
  // [hollow nodes wiring: start]
  if (hollow) hollow->Start();
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
  // [hollow nodes wiring: stop]
  if (hollow) hollow->Stop();
  // [scheduler wiring: stop]
  default_scheduler.Stop();
  // [controllers wiring: stop]
  podgc.Stop();
  replication.Stop();
  replicasets.Stop();
  deployments.Stop();
  server.Stop();
  namespaces.Stop();
  gc.Stop();
  return 0;
}

int RunVersion() {
  std::cout << "skiff 0.1.0 (Kubernetes API v1.32)\n";
  return 0;
}

}  // namespace skiff::cmd
