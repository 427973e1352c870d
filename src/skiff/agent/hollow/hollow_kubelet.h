// One hollow node's pod lifecycle: turns each pod bound to the node into a sandbox and
// containers of the node's HollowRuntime, applies the hollow prober's rule (probe_rule.h), and
// says what to write back: the pod's new status, or the final DELETE of a terminating pod.
// It never calls the API itself (HollowNodes does), so tests drive it directly.
// Thread-safe: different pods may sync on different threads; the calls for one pod must not
// overlap (the work queue guarantees it).
//
// Simplifications, on purpose (deterministic and cheap at 10,000 pods):
//  - Image pulls: a failing pull (runtime rule: image ending in "-broken") shows ErrImagePull
//    for `image_pull_backoff`, then ImagePullBackOff for good; no retry is simulated.
//  - A container that exits and must restart (restartPolicy Always, OnFailure with a non-zero
//    code, or a sidecar) is shown once restarted and in back-off: waiting CrashLoopBackOff,
//    restartCount 1, lastState.terminated from the exit. It is not restarted again.
//  - Changing a container's image restarts it (restartCount + 1), as the kubelet does.
//  - Terminating pods are deleted (grace 0) once min(their grace period, max_grace) has passed
//    since the deletion was requested; no final status is written before.
#pragma once

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/agent/runtime/hollow/hollow_runtime.h"
#include "skiff/agent/status/pod_status.h"
#include "skiff/base/time.h"

namespace skiff::agent::hollow {

struct HollowKubeletOptions {
  std::string node_name;
  std::string node_ip;
  std::string pod_subnet;  // "10.1.2"
  // Terminating pods wait min(grace period, this) before they are deleted (tests run fast).
  absl::Duration max_grace = absl::Seconds(1);
  absl::Duration image_pull_backoff = absl::Seconds(10);
  const base::Clock* clock = &base::Clock::Real();
};

struct PodSyncResult {
  std::optional<boost::json::object> status;  // write this status (it changed)
  bool delete_pod = false;  // finalise the deletion: DELETE with grace 0 and the pod's UID
  std::optional<absl::Time> resync_at;  // sync again then (a probe or back-off will change)
};

class HollowKubelet {
 public:
  explicit HollowKubelet(HollowKubeletOptions options);

  PodSyncResult SyncPod(const boost::json::value& pod);
  // The pod is gone from the API: tear its sandbox down. `key` is "namespace/name".
  void ForgetPod(const std::string& key);
  // Writing the status SyncPod returned failed: the next sync returns it again.
  void StatusWriteFailed(const std::string& key);

  size_t PodCount() const;
  const HollowKubeletOptions& options() const { return options_; }
  runtime::HollowRuntime& runtime() { return runtime_; }

 private:
  struct ContainerRecord {
    std::string id;     // runtime container ID, "" before it was created
    std::string image;  // image of `id`, or of the failed pull
    int attempt = 0;
    bool pull_failed = false;
    absl::Time pull_failed_at;
    std::string pull_message;
  };
  struct PodRecord {
    std::string uid;
    std::string sandbox_id;
    std::vector<ContainerRecord> init, regular;
    size_t last_written = 0;  // hash of the last status handed out for writing
  };
  struct StepContext {
    const boost::json::value& pod;
    PodRecord& rec;
    absl::Time now;
    PodSyncResult& result;
  };

  PodRecord* RecordFor(const std::string& key, const std::string& uid);
  void Teardown(PodRecord& rec);
  PodSyncResult Terminate(const std::string& key, PodRecord& rec, const boost::json::value& pod,
                          absl::Time now);
  ContainerObservation Step(StepContext& ctx, ContainerRecord& crec, const boost::json::value& spec,
                            bool init, bool sidecar);
  static void ResyncAt(PodSyncResult& r, absl::Time t);

  const HollowKubeletOptions options_;
  runtime::HollowRuntime runtime_;
  mutable absl::Mutex mu_;
  // By "namespace/name". A record is only touched by the one thread syncing its pod.
  absl::flat_hash_map<std::string, std::unique_ptr<PodRecord>> pods_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skiff::agent::hollow
