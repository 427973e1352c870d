// The kubelet's pod lifecycle over any Runtime (runc for `skiff agent`, the hollow runtime in
// tests): for each pod bound to the node it creates the sandbox, pulls images (imagePullPolicy,
// ErrImagePull / ImagePullBackOff with back-off), runs the init containers in order and then the
// regular ones, restarts exited containers per restartPolicy with the CrashLoopBackOff back-off
// (10 s doubling to 5 min, reset after 10 min), terminates pods gracefully (stop signal, then
// SIGKILL after the grace period), resolves env/envFrom/command/args, mounts the volumes a
// VolumeMounter prepares, runs the containers' probes (prober.h: readiness decides `ready`, a
// startup probe `started`, a failed liveness or startup probe kills and restarts the container)
// and builds the pod status (status/pod_status.h) and events. Housekeeping (CleanUpOrphans)
// removes what pods deleted behind its back (an agent that was down) left on the node.
//
// It never calls the API (the NodeAgent does), so tests drive it directly. Thread-safe: different
// pods may sync on different threads; the calls for one pod must not overlap (a work queue
// guarantees it). An agent restart loses only the back-off state: the records are rebuilt from
// the runtime's sandboxes and containers (attempt = restart count).
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/agent/kubelet/env.h"
#include "skiff/agent/kubelet/prober.h"
#include "skiff/agent/runtime/runtime.h"
#include "skiff/agent/status/pod_status.h"
#include "skiff/base/time.h"

namespace skiff::agent::kubelet {

// Prepares a pod's volumes on the node and says what each container mounts.
class VolumeMounter {
 public:
  virtual ~VolumeMounter() = default;
  // Makes the pod's volumes ready (idempotent; refreshes configMap/secret/downwardAPI content).
  virtual absl::Status SetUpPod(const boost::json::value& pod) = 0;
  // The mounts of one container (its volumeMounts), after SetUpPod.
  virtual absl::StatusOr<std::vector<runtime::Mount>> MountsFor(
      const boost::json::value& pod, const boost::json::value& container) = 0;
  // Removes what SetUpPod made for the pod (emptyDirs and projections, never hostPath content)
  // and its directory; leaves it when something there is still mounted. Absent is not an error.
  virtual absl::Status TearDownPod(std::string_view pod_uid) = 0;
  // The UIDs of the pods that have a directory on the node (housekeeping looks for orphans).
  virtual std::vector<std::string> ListPodDirs() const = 0;
};

struct KubeletOptions {
  std::string node_name;
  std::string node_ip;
  NodeAllocatable allocatable;
  ObjectLookup lookup;               // ConfigMaps and Secrets (env, envFrom); required
  VolumeMounter* volumes = nullptr;  // not owned; null: pods with volumeMounts fail to start
  // Containers log (CRI format) to <log_root>/pods/<ns>_<pod>_<uid>/<container>/<attempt>.log,
  // the kubelet's layout; empty: no logs.
  std::string log_root;
  absl::Duration backoff_initial = absl::Seconds(10);
  absl::Duration backoff_max = absl::Seconds(300);
  // Terminating pods, and containers killed for a failed probe, get at most this grace period
  // (tests run fast).
  absl::Duration max_grace = absl::InfiniteDuration();
  // Probes and the kills they cause run inside SyncPod instead of on threads of their own:
  // tests drive them with the clock.
  bool inline_probes = false;
  const base::Clock* clock = &base::Clock::Real();
};

struct KubeletEvent {
  std::string type;  // Normal, Warning
  std::string reason;
  std::string message;
};

// What housekeeping removed for one pod that is gone, for the caller to log.
struct OrphanCleanup {
  std::string pod_uid;
  std::string pod;       // "namespace/name" when a sandbox or log directory tells, else ""
  int sandboxes = 0;     // stopped (containers first, with a short grace) and removed
  bool pod_dir = false;  // volumes torn down, <pods>/<uid> removed
  int log_dirs = 0;
  std::string error;  // what failed (the next pass tries again)
};

struct PodSyncResult {
  std::optional<boost::json::object> status;  // write this status (it changed)
  bool delete_pod = false;  // finalise the deletion: DELETE with grace 0 and the pod's UID
  std::optional<absl::Time> resync_at;  // sync again then (a back-off or a running container)
  std::vector<KubeletEvent> events;     // about the pod, in order
};

class Kubelet {
 public:
  Kubelet(runtime::Runtime* runtime, KubeletOptions options);

  PodSyncResult SyncPod(const boost::json::value& pod);
  // Called with the pod's key ("namespace/name") when one of its probes (or a kill) finishes
  // off the sync thread: the pod should sync again. See Prober::SetListener.
  void SetProbeListener(std::function<void(const std::string& key)> listener);
  // The pod is gone from the API: stop and remove its sandbox, volumes and logs. `key` is
  // "namespace/name".
  void ForgetPod(const std::string& key);
  // Writing the status SyncPod returned failed: the next sync returns it again.
  void StatusWriteFailed(const std::string& key);

  // Housekeeping (the kubelet's HandlePodCleanups): removes what pods that are gone left on
  // the node, matched by UID: sandboxes and their containers (stopped with a 1 s grace: the pods
  // were deleted already), volumes and pod directories, log directories. A pod is gone when its
  // UID is not in `known_uids()` and no record here holds it (those pods are SyncPod's and
  // ForgetPod's). `known_uids` is called after the runtime and the disk were listed, so a pod
  // started meanwhile is in it; it must read a synced cache (an empty one would remove
  // everything). Safe beside SyncPod and ForgetPod on other threads.
  std::vector<OrphanCleanup> CleanUpOrphans(
      const std::function<absl::flat_hash_set<std::string>()>& known_uids);
  // The pods there are records of: ("namespace/name", UID), by key.
  std::vector<std::pair<std::string, std::string>> RecordedPods() const;

  size_t PodCount() const;
  const KubeletOptions& options() const { return options_; }

  // The current (or previous) attempt of a pod's container, for logs and exec: its runtime ID
  // and log file. NotFound with the kubelet's message when there is none.
  struct Location {
    std::string container_id;
    std::string log_path;
  };
  absl::StatusOr<Location> Locate(std::string_view ns, std::string_view pod,
                                  std::string_view container, bool previous) const;

 private:
  struct ContainerRecord {
    std::string id;  // runtime container ID of the current attempt, "" before it is created
    std::string image;
    int attempt = 0;          // restart count
    std::string previous_id;  // the attempt before, kept for lastState (and its logs)
    std::optional<Termination> last_termination;
    // CrashLoopBackOff (client-go flowcontrol.Backoff): the current delay and when it was set.
    absl::Duration backoff = absl::ZeroDuration();
    absl::Time backoff_updated;
    std::string backoff_event_for;  // container ID the BackOff event was sent for
    // Image pulls.
    std::string pulled_image;  // pulled for this image (IfNotPresent / Never need no more)
    std::string image_ref;
    absl::Duration pull_backoff = absl::ZeroDuration();
    absl::Time pull_retry_at;
    std::string pull_error;
    // Probes of the current attempt, and whether a failed one killed it (it then restarts
    // unless the restartPolicy is Never, whatever its exit code).
    ProbeState probes;
    bool killed_by_probe = false;
  };
  struct PodRecord {
    std::string uid;
    std::string ns, name;
    std::vector<std::string> init_names, regular_names;  // spec order
    std::string sandbox_id;
    bool recovered = false;  // looked for containers left by an earlier agent
    bool sandbox_stopped = false;
    std::vector<ContainerRecord> init, regular;
    size_t last_written = 0;  // hash of the last status handed out for writing
  };
  struct StepContext {
    const boost::json::value& pod;
    PodRecord& rec;
    absl::Time now;
    PodSyncResult& result;
    const PodObservation& obs;
  };

  struct Leftovers {
    std::string pod;  // "namespace/name", when known
    std::vector<std::string> sandboxes;
    bool pod_dir = false;
    std::vector<std::string> log_dirs;  // names under <log_root>/pods
  };

  PodRecord* RecordFor(const std::string& key, const std::string& uid);
  void Recover(PodRecord& rec, const boost::json::value& pod);
  void Teardown(PodRecord& rec);
  // Tears down a record taken out of pods_ (which marked its UID releasing).
  void Release(std::unique_ptr<PodRecord> rec);
  OrphanCleanup RemoveOrphan(const std::string& uid, const Leftovers& left);
  PodSyncResult Terminate(const std::string& key, PodRecord& rec, const boost::json::value& pod);
  ContainerObservation Step(StepContext& ctx, ContainerRecord& crec, const boost::json::value& spec,
                            bool init, bool sidecar);
  // Pulls (per imagePullPolicy), creates and starts the next attempt; fills `o` when that fails.
  bool StartContainer(StepContext& ctx, ContainerRecord& crec, const boost::json::value& spec,
                      bool init, ContainerObservation& o);
  // Probes a running container and sets o.started and o.ready. True when a failed probe's kill
  // has ended the container (inline probes), so the caller looks at it again.
  bool RunProbes(StepContext& ctx, ContainerRecord& crec, const boost::json::value& spec,
                 const runtime::ContainerStatus& st, bool sidecar, ContainerObservation& o);
  static void ResyncAt(PodSyncResult& r, absl::Time t);

  runtime::Runtime* const runtime_;
  const KubeletOptions options_;
  Prober prober_;
  mutable absl::Mutex mu_;
  // By "namespace/name". A record is only touched by the one thread syncing its pod.
  absl::flat_hash_map<std::string, std::unique_ptr<PodRecord>> pods_ ABSL_GUARDED_BY(mu_);
  // Pods being torn down outside pods_ (ForgetPod, a replaced record, housekeeping), by UID,
  // with how many teardowns hold each: housekeeping leaves them alone.
  absl::flat_hash_map<std::string, int> releasing_ ABSL_GUARDED_BY(mu_);
};

// imagePullPolicy as defaulted by the API: Always for ":latest" or no tag (and no digest),
// else IfNotPresent.
std::string PullPolicy(const boost::json::value& container);

}  // namespace skiff::agent::kubelet
