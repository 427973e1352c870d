// The work loop every volume controller runs: informer handlers queue keys, worker threads call
// the controller's Sync(key), a failed key comes back after a growing delay, and an optional
// resync re-queues every key periodically (Kubernetes' volume controllers resync every 15 s,
// which is how they notice what no event announces). Also the guard through which informer
// handlers reach a controller that may already be stopped.
// Thread-safe; Start() and Stop() are called from one thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/client/workqueue.h"

namespace skiff::controllers::volume {

class SyncLoop {
 public:
  using SyncFn = std::function<absl::Status(const std::string& key)>;
  using KeysFn = std::function<std::vector<std::string>()>;

  // `name` appears in logs. `workers` threads call `sync`; one key never runs twice at once.
  SyncLoop(std::string name, SyncFn sync, int workers = 1);
  ~SyncLoop();
  SyncLoop(const SyncLoop&) = delete;
  SyncLoop& operator=(const SyncLoop&) = delete;

  // Every `period` (when positive), queues the keys `keys()` returns. Call before Start().
  void SetResync(absl::Duration period, KeysFn keys);

  void Add(const std::string& key) { queue_.Add(key); }
  void AddAfter(const std::string& key, absl::Duration delay);

  void Start();
  // Stops the workers (running syncs finish first) and the resync. Idempotent.
  void Stop();

 private:
  void Work();
  void Resync(std::stop_token stop);
  void HandleResult(const std::string& key, const absl::Status& s);

  const std::string name_;
  const SyncFn sync_;
  const int workers_count_;
  absl::Duration resync_period_;  // fixed before Start()
  KeysFn resync_keys_;            // fixed before Start()
  client::WorkQueue queue_;
  absl::Mutex mu_;
  std::map<std::string, int> failures_ ABSL_GUARDED_BY(mu_);  // key -> consecutive failures
  std::vector<std::jthread> workers_;                         // touched by Start/Stop only
  std::jthread resync_;
};

// Informers outlive controllers and may call handlers until the watch cache stops: handlers
// reach their controller through a guard that Stop() clears (waiting for running handlers).
template <class T>
class HandlerGuard {
 public:
  explicit HandlerGuard(T* self) : self_(self) {}
  template <class F>
  void With(F f) {
    absl::ReaderMutexLock lock(&mu_);
    if (self_ != nullptr) f(*self_);
  }
  void Clear() {
    absl::MutexLock lock(&mu_);
    self_ = nullptr;
  }

 private:
  absl::Mutex mu_;
  T* self_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skiff::controllers::volume
