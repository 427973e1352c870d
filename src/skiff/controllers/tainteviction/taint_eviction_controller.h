// The taint eviction controller (kube-controller-manager's "taint-eviction-controller"): pods
// on nodes with NoExecute taints they do not tolerate are deleted at once; pods that tolerate
// every such taint for a limited time (tolerationSeconds) are deleted when the shortest of
// those times, counted from when the controller first saw the taint, has passed; the pending
// deletion is cancelled when the taints go or the pod leaves. Before deleting it marks the pod
// with the DisruptionTarget condition. Built by `skiff server`; informer handlers (dispatch
// thread) only enqueue; one worker applies node and pod changes, a timer thread hands due
// evictions to deletion workers.
#pragma once

#include <boost/json.hpp>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "skiff/api/taints.h"
#include "skiff/base/time.h"
#include "skiff/client/client.h"
#include "skiff/client/event_recorder.h"
#include "skiff/client/informer.h"
#include "skiff/client/workqueue.h"
#include "skiff/controllers/tainteviction/eviction_queue.h"
#include "skiff/controllers/tainteviction/node_pods.h"

namespace skiff::controllers::tainteviction {

inline constexpr std::string_view kControllerName = "taint-eviction-controller";

struct TaintEvictionOptions {
  // Deletions running at once (Kubernetes runs each in its own goroutine).
  int deletion_workers = 4;
  const base::Clock* clock = &base::Clock::Real();
};

class TaintEvictionController {
 public:
  // Registers informer handlers: construct before the watch cache starts.
  TaintEvictionController(client::Client* client, client::InformerFactory& informers,
                          TaintEvictionOptions options = {});
  ~TaintEvictionController();
  TaintEvictionController(const TaintEvictionController&) = delete;
  TaintEvictionController& operator=(const TaintEvictionController&) = delete;

  void Start();
  // Stops the threads (work in progress finishes first). Idempotent.
  void Stop();

  // Applies the node's current NoExecute taints to its pods / one pod's current state, from
  // the informers' view. Called by the worker, or by tests that did not Start().
  void HandleNode(const std::string& name);
  void HandlePod(const std::string& key);
  // Runs every eviction due now, one after another; returns how many pods it deleted. Called
  // by tests that did not Start() (the timer thread hands due evictions to the workers).
  int EvictDue();
  // When the pending eviction of pod "ns/name" fires (tests and diagnostics).
  std::optional<absl::Time> ScheduledEviction(const std::string& key) const;

  client::EventRecorder& recorder() { return recorder_; }

 private:
  void OnNodeUpdate(const client::ObjPtr& old_node, const client::ObjPtr& node);
  void OnPodUpdate(const client::ObjPtr& old_pod, const client::ObjPtr& pod);
  void ProcessPod(const std::string& key, const std::string& node,
                  const std::vector<api::Toleration>& tolerations,
                  const std::vector<api::Taint>& taints, absl::Time now);
  void CancelWithEvent(const std::string& key);
  void Schedule(const std::string& key, absl::Time created_at, absl::Time fire_at);
  // Marks the pod DisruptionTarget and deletes it; true when it was deleted (or already gone
  // is not counted: false).
  bool Evict(const std::string& key);
  absl::Status MarkAndDelete(const std::string& ns, const std::string& name);
  void RecordPodEvent(const std::string& key, std::string message);
  void UpdateLoop();
  void DeletionLoop();
  void TimerLoop(std::stop_token stop);

  // Informers outlive controllers and cannot drop a handler: handlers hold this gate, which
  // the destructor closes.
  struct HandlerGate {
    std::shared_mutex mu;
    bool open = true;  // guarded by mu
  };
  std::shared_ptr<HandlerGate> gate_ = std::make_shared<HandlerGate>();

  client::Client* client_;
  const TaintEvictionOptions options_;
  const base::Clock& clock_;
  client::Informer& pods_;
  client::Informer& nodes_;
  NodePods node_pods_;
  EvictionQueue evictions_;
  client::EventRecorder recorder_;

  // Serialises HandleNode/HandlePod, so a node's taints and its pods' decisions agree.
  std::mutex process_mu_;
  // Node name -> its NoExecute taints, for nodes that have some. Guarded by process_mu_.
  std::map<std::string, std::vector<api::Taint>> tainted_;

  client::WorkQueue updates_;    // "node:<name>", "pod:<ns>/<name>"
  client::WorkQueue deletions_;  // pod keys whose eviction fired
  std::mutex timer_mu_;
  std::condition_variable_any timer_wake_;
  bool timer_kicked_ = false;  // guarded by timer_mu_: an eviction was scheduled
  std::vector<std::jthread> workers_;
  std::jthread timer_;
};

}  // namespace skiff::controllers::tainteviction
