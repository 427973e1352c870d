// The kubelet's container probes (pkg/kubelet/prober): liveness, readiness and startup probes of
// each running container, with initialDelaySeconds, periodSeconds, timeoutSeconds and the
// success/failure thresholds, and the Unhealthy / ProbeWarning events they cause.
//
// The Kubelet calls Prober::Probe from SyncPod for each running container. Probe folds the
// probes that finished into the container's ProbeState, starts those that are due and says
// whether the container is started, ready or must be killed, and when a probe is next due.
// Probes (and the kills they cause) run on threads of their own, so a slow probe never holds
// a pod sync; when one finishes the listener hears the pod's key, so that the pod syncs again
// and the result counts. With `inline_runs` they run inside Probe instead (tests drive time).
//
// Thread-safe. One ProbeState is only touched by the thread syncing its pod.
#pragma once

#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/agent/probe/probe.h"
#include "skiff/agent/runtime/runtime.h"

namespace skiff::agent::kubelet {

struct KubeletEvent;

enum class ProbeType { kStartup = 0, kLiveness = 1, kReadiness = 2 };

// "Startup", "Liveness", "Readiness" (probeType's String in events).
std::string_view ProbeTypeName(ProbeType type);

// A container's probe with Kubernetes' defaults for fields that are unset or zero.
struct ProbeSpec {
  int initial_delay_seconds = 0;
  int period_seconds = 10;
  int timeout_seconds = 1;
  int success_threshold = 1;
  int failure_threshold = 3;
  std::optional<int64_t> termination_grace_period_seconds;  // the probe's own, for kills
  boost::json::value handler;                               // the probe object as written
};

// The container's livenessProbe, readinessProbe or startupProbe, if it has one.
std::optional<ProbeSpec> ParseProbe(const boost::json::value& container, ProbeType type);

// The port of an httpGet or tcpSocket probe: a number, or the name of one of the container's
// ports. Errors as Kubernetes words them: `port "web" not found`, `invalid port number: 0`.
absl::StatusOr<int> ResolveContainerPort(const boost::json::value& port,
                                         const boost::json::value& container);

// A probe run or kill in flight on a prober thread.
class ProbeTask {
 public:
  bool Done() const;
  absl::StatusOr<probe::Outcome> Result() const;  // once Done
  void Finish(absl::StatusOr<probe::Outcome> result);

 private:
  mutable absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  absl::StatusOr<probe::Outcome> result_ ABSL_GUARDED_BY(mu_) = probe::Outcome{};
};

// The probe workers of one container attempt (worker.go's fields, results manager's value).
struct ProbeState {
  struct Worker {
    probe::Result value = probe::Result::kUnknown;  // the published result
    probe::Result last = probe::Result::kUnknown;   // the last run's result...
    int run = 0;                                    // ...and how many times in a row
    bool on_hold = false;  // liveness/startup failed: wait for the next attempt
    std::optional<absl::Time> next_due;
    std::shared_ptr<ProbeTask> running;
  };
  std::string container_id;         // the attempt the workers belong to; another one resets them
  std::array<Worker, 3> workers;    // by ProbeType
  std::shared_ptr<ProbeTask> kill;  // the kill a failed liveness or startup probe started
  bool started = false;             // as the last Probe said
};

// The container as Probe sees it.
struct ProbeTarget {
  std::string pod_key;  // "namespace/name", for the listener
  std::string pod_ip;
  const boost::json::value* container = nullptr;  // its spec
  std::string container_id;                       // runtime ID of the running attempt
  absl::Time started_at;
};

struct ProbeVerdict {
  bool started = false;  // no startup probe, or it succeeded
  bool ready = false;    // started, and no readiness probe or it succeeded
  // A failed liveness or startup probe: the container must be killed and restarted.
  std::optional<ProbeType> failed;
  std::optional<absl::Time> next_due;  // sync again then for the next probe
};

class Prober {
 public:
  Prober(runtime::Runtime* runtime, bool inline_runs);
  ~Prober();  // waits for the probes and kills in flight
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  // Called on a prober thread with the pod's key whenever a probe or kill finishes. It must
  // not block nor call into the Prober; after SetListener returns the old one is never called.
  void SetListener(std::function<void(const std::string& pod_key)> listener);

  ProbeVerdict Probe(ProbeState& state, const ProbeTarget& target, absl::Time now,
                     std::vector<KubeletEvent>& events);

  // Runs `work` on a prober thread (inline when so configured) and tells the listener about
  // `pod_key` when it is done.
  std::shared_ptr<ProbeTask> Start(std::string pod_key,
                                   std::function<absl::StatusOr<probe::Outcome>()> work);

 private:
  struct Thread {
    std::shared_ptr<std::atomic<bool>> exited;
    std::jthread thread;
  };
  // The handler of `spec` bound to the target, or the error that stops it from running.
  std::function<absl::StatusOr<probe::Outcome>()> BindHandler(const ProbeSpec& spec,
                                                              const ProbeTarget& target) const;
  void Notify(const std::string& pod_key);

  runtime::Runtime* const runtime_;
  const bool inline_runs_;
  absl::Mutex listener_mu_;
  std::function<void(const std::string&)> listener_ ABSL_GUARDED_BY(listener_mu_);
  absl::Mutex threads_mu_;
  std::vector<Thread> threads_ ABSL_GUARDED_BY(threads_mu_);
};

}  // namespace skiff::agent::kubelet
