// The pod garbage collector: every period it force-deletes orphaned pods (node gone after a
// quarantine and a live check), terminated pods over a threshold, and stuck terminating pods,
// marking live ones Failed first. One owned loop thread; built by `skiff server`.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/time/time.h"
#include "skiff/base/time.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/controllers/podgc/gc_policy.h"

namespace skiff::controllers::podgc {

struct PodGcOptions {
  // Terminated pods kept before the oldest are deleted (kube-controller-manager's
  // --terminated-pod-gc-threshold); 0 keeps them all.
  int terminated_pod_threshold = 12500;
  // How often the collector looks (Kubernetes: 20 s).
  absl::Duration gc_period = absl::Seconds(20);
  // How long a node must stay unknown before its pods count as orphaned (Kubernetes: 40 s).
  absl::Duration quarantine = absl::Seconds(40);
  const base::Clock* clock = &base::Clock::Real();
};

class PodGcController {
 public:
  PodGcController(client::Client* client, client::InformerFactory& informers,
                  PodGcOptions options = {});
  ~PodGcController();
  PodGcController(const PodGcController&) = delete;
  PodGcController& operator=(const PodGcController&) = delete;

  void Start();
  // Stops the loop (a pass in progress finishes first). Idempotent.
  void Stop();

  // One collection pass; returns how many pods it deleted. Called by the loop, or by tests
  // that did not Start() it (passes must not overlap).
  int RunOnce();

 private:
  int GcTerminated(const std::vector<client::ObjPtr>& pods);
  int GcTerminatingOutOfService(const std::vector<client::ObjPtr>& pods,
                                const std::map<std::string, client::ObjPtr>& nodes);
  int GcOrphaned(const std::vector<client::ObjPtr>& pods,
                 const std::map<std::string, client::ObjPtr>& nodes);
  int GcUnscheduledTerminating(const std::vector<client::ObjPtr>& pods);
  // A live GET: informers may lag; only a NotFound counts as gone.
  bool NodeGone(const std::string& name);
  // Marks a pod that is not yet terminal Failed (with `condition`, if any), then deletes it
  // with grace 0. False on failure (logged).
  bool MarkFailedAndDelete(const boost::json::value& pod, const boost::json::object* condition);
  // Deletes all `pods` concurrently; returns how many went.
  int DeleteAll(const std::vector<client::ObjPtr>& pods);
  void Loop(std::stop_token stop);

  client::Client* client_;
  const PodGcOptions options_;
  const base::Clock& clock_;
  client::Informer& pods_;
  client::Informer& nodes_;
  NodeQuarantine quarantine_;  // touched by RunOnce only
  std::mutex mu_;
  std::condition_variable_any wake_;
  std::jthread loop_;
};

}  // namespace skiff::controllers::podgc
