// NodeAgent: the real node agent (the kubelet's role) for one node. It registers the Node with
// the host's capacity, addresses and nodeInfo, renews its Lease in kube-node-lease every 10 s,
// reports node status, and runs the pods bound to the node through a Kubelet, writing their
// status, events and the final DELETE of terminating pods. Talks to the API through a
// client::Client (HTTP in `skiff agent`, in process in `skiff server`) and a pod informer
// restricted to the node. Pods of this node that the informer no longer has are torn down;
// housekeeping (once the informer has synced, then periodically) also removes what pods deleted
// while the agent was down left behind: containers, sandboxes, volumes, pod and log directories.
// Thread-safe; Register() before the informer starts.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/agent/kubelet/kubelet.h"
#include "skiff/base/time.h"
#include "skiff/client/client.h"
#include "skiff/client/event_recorder.h"
#include "skiff/client/informer.h"
#include "skiff/client/workqueue.h"

namespace skiff::agent::kubelet {

// What the node reports about its host.
struct HostInfo {
  std::string hostname;
  std::string node_ip;
  int64_t cpu_millis = 0;
  int64_t memory_bytes = 0;
  int64_t ephemeral_storage_bytes = 0;
  int64_t max_pods = 110;
  std::string machine_id, system_uuid, boot_id, kernel_version, os_image;
  std::string runtime_version;  // "runc://1.1.5"
  int kubelet_port = 10250;     // daemonEndpoints.kubeletEndpoint.Port
};

// Reads the host: /proc/cpuinfo (via sysconf), /proc/meminfo, statvfs(data_dir),
// /etc/machine-id, boot_id, uname, /etc/os-release; the node IP is the source address of the
// default route (127.0.0.1 without one).
HostInfo ReadHostInfo(const std::string& data_dir);

// The Node object the agent registers.
boost::json::value BuildAgentNode(std::string_view name, const HostInfo& host,
                                  const std::map<std::string, std::string>& labels,
                                  const std::vector<boost::json::object>& taints, absl::Time now);

struct NodeAgentOptions {
  std::string node_name;
  HostInfo host;
  std::map<std::string, std::string> labels;
  std::vector<boost::json::object> taints;
  int workers = 4;
  absl::Duration lease_renew_interval = absl::Seconds(10);
  int lease_duration_seconds = 40;
  absl::Duration status_report_interval = absl::Seconds(60);
  // Housekeeping runs as soon as the pod informer has synced, then this often.
  absl::Duration housekeeping_interval = absl::Seconds(10);
  // True once the pod informer holds a complete list; housekeeping waits for it (with an empty
  // cache every pod would look gone). Null: the informer was filled before Start(), as the
  // in-process watch cache does.
  std::function<bool()> pods_synced;
  const base::Clock* clock = &base::Clock::Real();
};

class NodeAgent {
 public:
  // `kubelet` is not owned and outlives the agent.
  NodeAgent(client::Client* client, client::Informer* pods, Kubelet* kubelet,
            NodeAgentOptions options);
  ~NodeAgent();

  void Register();
  void Start();
  void Stop();
  bool Registered() const { return registered_.load(); }

  // One housekeeping pass now (Start() schedules them): the records of pods the informer no
  // longer has are forgotten through the work queue (serialised with their syncs), and what
  // pods that are gone left on the node is removed (Kubelet::CleanUpOrphans).
  // FailedPrecondition before the pod informer has synced.
  absl::StatusOr<std::vector<OrphanCleanup>> Housekeeping();

 private:
  void Work();
  void Sync(const std::string& key);
  void SyncNode();
  void SyncLease();
  void SyncPod(const std::string& pod_key);
  void SyncHousekeeping();
  bool OnThisNode(const boost::json::value& pod) const;
  void OnPod(const client::ObjPtr& pod);

  client::Client* const client_;
  client::Informer* const pods_;
  Kubelet* const kubelet_;
  const NodeAgentOptions options_;
  client::EventRecorder recorder_;
  std::atomic<bool> registered_{false};
  absl::Mutex mu_;
  std::string node_uid_ ABSL_GUARDED_BY(mu_);
  std::string lease_rv_ ABSL_GUARDED_BY(mu_);
  client::WorkQueue queue_;
  std::vector<std::jthread> workers_;
};

}  // namespace skiff::agent::kubelet
