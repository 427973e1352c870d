// HollowNodes: N simulated kubelets in one process (like KWOK / kubemark). It registers their
// Node objects, renews a Lease per node in kube-node-lease, reports node status, and runs the
// pods bound to them through HollowKubelet, writing pod status and finalising deletions. All
// through a client::Client (in-process in `skiff server --hollow-nodes`, HTTP in `skiff agent
// --hollow`) and pod/node informers.
//
// Cost model (1,000 nodes and 10,000 pods must be cheap): no thread per node. One work queue
// with delayed keys is the timer wheel for leases, status reports and probe/back-off resyncs;
// a small worker pool drains it. Keys coalesce, so a burst of events for one pod is one write.
// Informer handlers only enqueue. Thread-safe; Register() before the informers start.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/agent/hollow/hollow_kubelet.h"
#include "skiff/agent/hollow/node_object.h"
#include "skiff/base/time.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/client/workqueue.h"

namespace skiff::agent::hollow {

struct HollowNodesOptions {
  int count = 1;
  std::string name_prefix = "hollow-";  // nodes are <prefix>0 ... <prefix><count-1>
  // First address slot (node_object.h); -1 derives it from the prefix so that two processes
  // with different prefixes rarely overlap.
  int first_slot = -1;
  std::map<std::string, std::string> labels;
  std::vector<boost::json::object> taints;
  // Workers writing to the API; 0 picks one per 16 nodes, between 4 and 64. Every write waits
  // for its commit, so throughput grows with the writes in flight (group commit).
  int workers = 0;
  absl::Duration lease_renew_interval = absl::Seconds(10);    // the kubelet's
  int lease_duration_seconds = 40;                            // the kubelet's
  absl::Duration status_report_interval = absl::Seconds(60);  // nodeStatusReportFrequency
  absl::Duration max_grace = absl::Seconds(1);
  absl::Duration image_pull_backoff = absl::Seconds(10);
  const base::Clock* clock = &base::Clock::Real();
};

class HollowNodes {
 public:
  HollowNodes(client::Client* client, client::Informer* pods, client::Informer* nodes,
              HollowNodesOptions options);
  ~HollowNodes();

  // Adds the informer handlers; call before the informers start.
  void Register();
  // Starts the workers, which register the nodes and keep them alive.
  void Start();
  void Stop();

  // A node whose heartbeats are stopped renews no Lease, reports no status and leaves its
  // pods alone, as a dead kubelet would. The node label skiff.dev/hollow-heartbeat=stop does
  // the same from outside (kubectl label node <n> skiff.dev/hollow-heartbeat=stop).
  void StopHeartbeats(std::string_view node);
  void ResumeHeartbeats(std::string_view node);
  bool HeartbeatsStopped(std::string_view node) const;

  std::vector<std::string> NodeNames() const;
  int RegisteredCount() const { return registered_.load(); }
  // Pods currently known to the hollow kubelets.
  size_t PodCount() const;

 private:
  struct Node {
    HollowNodeSpec spec;
    int index = 0;
    std::unique_ptr<HollowKubelet> kubelet;
    std::atomic<bool> stopped_by_call{false};
    std::atomic<bool> stopped_by_label{false};
    bool stopped() const { return stopped_by_call.load() || stopped_by_label.load(); }
    absl::Mutex mu;
    bool registered ABSL_GUARDED_BY(mu) = false;
    bool deleted ABSL_GUARDED_BY(mu) = false;  // someone deleted the Node: stay away
    std::string uid ABSL_GUARDED_BY(mu);
    std::string lease_rv ABSL_GUARDED_BY(mu);  // of the last Lease write
    absl::Time next_report ABSL_GUARDED_BY(mu);
    int failures ABSL_GUARDED_BY(mu) = 0;
  };

  void Work();
  void Sync(const std::string& key);
  void SyncNode(Node& n);
  void RegisterNode(Node& n);
  void SyncLease(Node& n);
  absl::Status WriteLease(Node& n);
  void SyncPod(const std::string& pod_key);
  void Resume(Node& n);
  void NodeGone(Node& n);
  void OnPod(const client::ObjPtr& pod);
  void OnNode(const client::ObjPtr& node);
  void RetryLater(const std::string& key, Node& n);
  absl::Duration Spread(const Node& n, absl::Duration interval) const;
  Node* Find(std::string_view name) const;

  client::Client* const client_;
  client::Informer* const pods_;
  client::Informer* const nodes_;
  const HollowNodesOptions options_;
  std::vector<std::unique_ptr<Node>> nodes_list_;    // fixed after construction
  absl::flat_hash_map<std::string, Node*> by_name_;  // fixed after construction
  std::atomic<int> registered_{0};

  mutable absl::Mutex mu_;
  // Which node's kubelet holds each pod ("ns/name"), to tear down pods that left.
  absl::flat_hash_map<std::string, Node*> pod_nodes_ ABSL_GUARDED_BY(mu_);

  client::WorkQueue queue_;
  std::vector<std::jthread> workers_;
};

}  // namespace skiff::agent::hollow
