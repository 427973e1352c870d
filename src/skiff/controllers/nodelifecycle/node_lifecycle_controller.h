// The node lifecycle controller (kube-controller-manager's "nodelifecycle", events from
// "node-controller"). Every monitor period it checks each node's signs of life (its Ready
// heartbeat and its Lease in kube-node-lease); past the grace period it sets the kubelet's
// conditions Unknown, marks the node's pods not Ready and queues the node for the
// unreachable / not-ready NoExecute taint, which a rate-limited pass per zone adds (and takes
// away when the node is Ready again). Node changes get the NoSchedule taints their conditions
// and spec.unschedulable call for. Built by `skiff server`; informer handlers (dispatch
// thread) only enqueue; a monitor thread, a tainting thread and workers do the rest.
#pragma once

#include <boost/json.hpp>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/base/time.h"
#include "skiff/client/client.h"
#include "skiff/client/event_recorder.h"
#include "skiff/client/informer.h"
#include "skiff/client/workqueue.h"
#include "skiff/controllers/nodelifecycle/node_health.h"
#include "skiff/controllers/nodelifecycle/rate_limited_queue.h"
#include "skiff/controllers/tainteviction/node_pods.h"

namespace skiff::controllers::nodelifecycle {

// kube-controller-manager's defaults for Kubernetes 1.32.
struct NodeLifecycleOptions {
  // How often node health is checked (--node-monitor-period).
  absl::Duration node_monitor_period = absl::Seconds(5);
  // How long a node may go without a heartbeat or Lease renewal before it is Unknown
  // (--node-monitor-grace-period; 40 s before 1.32).
  absl::Duration node_monitor_grace_period = absl::Seconds(50);
  // The same for a node that never reported a Ready condition (--node-startup-grace-period).
  absl::Duration node_startup_grace_period = absl::Seconds(60);
  // Nodes tainted NoExecute per second and zone while the zone is healthy
  // (--node-eviction-rate), and while it is partly down in a large cluster
  // (--secondary-node-eviction-rate); a partly down small zone is not tainted at all.
  double node_eviction_rate = 0.1;
  double secondary_node_eviction_rate = 0.01;
  int large_cluster_size_threshold = 50;   // --large-cluster-size-threshold
  double unhealthy_zone_threshold = 0.55;  // --unhealthy-zone-threshold
  // How often queued nodes get their NoExecute taint (Kubernetes' NodeEvictionPeriod).
  absl::Duration tainting_period = absl::Milliseconds(100);
  // Workers for node changes (NoSchedule taints, labels) and newly bound pods.
  int workers = 4;
  const base::Clock* clock = &base::Clock::Real();
};

class NodeLifecycleController {
 public:
  // Registers informer handlers: construct before the watch cache starts.
  NodeLifecycleController(client::Client* client, client::InformerFactory& informers,
                          NodeLifecycleOptions options = {});
  ~NodeLifecycleController();
  NodeLifecycleController(const NodeLifecycleController&) = delete;
  NodeLifecycleController& operator=(const NodeLifecycleController&) = delete;

  void Start();
  // Stops the threads (a pass in progress finishes first). Idempotent.
  void Stop();

  // One pass of the health monitor over every node (monitorNodeHealth). Called by the monitor
  // thread, or by tests that did not Start(); passes must not overlap.
  void MonitorNodeHealth();
  // Adds the NoExecute taint to nodes queued for it, within each zone's rate
  // (doNoExecuteTaintingPass). Called by the tainting thread, or by tests.
  void DoNoExecuteTaintingPass();
  // NoSchedule condition taints and label reconciliation of one node
  // (doNoScheduleTaintingPass, reconcileNodeLabels). Called by workers, or by tests.
  absl::Status SyncNode(const std::string& name);
  // Marks a newly bound pod not Ready when its node is not Ready (processPod).
  absl::Status SyncPod(const std::string& key);

  // The state of a zone after the last pass; nullopt for a zone not seen (tests).
  std::optional<ZoneState> zone_state(const std::string& zone) const;
  // The NoExecute tainting rate of a zone (tests).
  std::optional<double> zone_rate(const std::string& zone) const;
  client::EventRecorder& recorder() { return recorder_; }

 private:
  // One node of a monitor pass; adds its Ready status to `zone_ready` unless excluded.
  void MonitorNode(const client::ObjPtr& cached,
                   std::map<std::string, std::vector<std::optional<std::string>>>& zone_ready);
  // tryUpdateNodeHealth with its retries: writes the Unknown conditions when due. Returns the
  // update, with `node` replaced by the object as written (or as re-read for a retry); nullopt
  // when the write kept failing.
  std::optional<HealthUpdate> UpdateNodeHealth(client::ObjPtr& node);
  void ProcessTaintBasedEviction(const boost::json::value& node, const std::string& observed);
  bool MarkNodeForTainting(const boost::json::value& node, const std::string& status);
  // Removes the NoExecute taints and forgets the node in its zone's queue.
  absl::Status MarkNodeAsReachable(const boost::json::value& node);
  absl::Status MarkPodsNotReady(const std::vector<client::ObjPtr>& pods, const std::string& node);
  void HandleDisruption(
      const std::map<std::string, std::vector<std::optional<std::string>>>& zone_ready,
      const std::vector<client::ObjPtr>& nodes);
  void SetLimiterInZone(const std::string& zone, int zone_size, ZoneState state)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(zones_mu_);
  void AddZone(const boost::json::value& node);
  // Adds `add` (stamped now) and removes `remove` from spec.taints; `node` is the cached
  // object tried first, conflicts re-read the live one.
  absl::Status SwapNodeTaints(const boost::json::value& node, const std::vector<api::Taint>& add,
                              const std::vector<api::Taint>& remove);
  absl::Status ReconcileNodeLabels(const boost::json::value& node);
  void RecordNodeEvent(const boost::json::value& node, std::string_view type,
                       std::string_view reason, std::string message);
  std::optional<NodeHealth> Health(const std::string& name) const;

  void OnNode(const client::ObjPtr& node);
  void OnPod(const client::ObjPtr& old_pod, const client::ObjPtr& pod);
  void WorkLoop();
  void MonitorLoop(std::stop_token stop);
  void TaintingLoop(std::stop_token stop);

  struct HandlerGate {
    std::shared_mutex mu;
    bool open = true;  // guarded by mu
  };
  std::shared_ptr<HandlerGate> gate_ = std::make_shared<HandlerGate>();

  client::Client* client_;
  const NodeLifecycleOptions options_;
  const base::Clock& clock_;
  const HealthTimings timings_;
  client::Informer& nodes_;
  client::Informer& leases_;
  client::Informer& pods_;
  tainteviction::NodePods node_pods_;
  client::EventRecorder recorder_;

  mutable absl::Mutex health_mu_;
  std::map<std::string, NodeHealth> health_ ABSL_GUARDED_BY(health_mu_);

  // Zone queues for NoExecute tainting; zones are added, never removed (evictorLock).
  mutable absl::Mutex zones_mu_;
  // Shared: the tainting pass works on a queue while a monitor pass may replace it.
  std::map<std::string, std::shared_ptr<RateLimitedTimedQueue>> zone_queues_
      ABSL_GUARDED_BY(zones_mu_);
  std::map<std::string, ZoneState> zone_states_ ABSL_GUARDED_BY(zones_mu_);

  // Touched by monitor passes only.
  std::map<std::string, std::string> known_nodes_;  // name -> uid
  std::set<std::string> retry_pods_;  // nodes whose pods must still be marked not Ready

  client::WorkQueue queue_;  // "node:<name>", "pod:<ns>/<name>"
  std::mutex loop_mu_;
  std::condition_variable_any loop_wake_;
  std::vector<std::jthread> workers_;
  std::jthread monitor_, tainting_;
};

}  // namespace skiff::controllers::nodelifecycle
