// The default scheduler: watches pods and nodes through the shared informers, keeps the
// scheduling queue and the node/pod cache up to date, and runs one scheduling loop that picks a
// node per pending pod (framework plugins), assumes it, and binds it through pods/binding on a
// pool of binder threads. Failures record a FailedScheduling event and set the pod's
// PodScheduled condition to False (Unschedulable) with kube-scheduler's message.
// Informer handlers run on the store's dispatch thread; Start() launches the owned threads and
// Stop() joins them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "skiff/base/time.h"
#include "skiff/client/client.h"
#include "skiff/client/event_recorder.h"
#include "skiff/client/informer.h"
#include "skiff/scheduler/cache.h"
#include "skiff/scheduler/framework.h"
#include "skiff/scheduler/plugins/default_plugins.h"
#include "skiff/scheduler/queue.h"

namespace skiff::scheduler {

struct SchedulerOptions {
  std::string name = "default-scheduler";  // pods with another spec.schedulerName are ignored
  FrameworkOptions framework;
  QueueOptions queue;
  // Threads making bind and status calls; 0 runs them inline on the scheduling thread (tests).
  int bind_workers = 16;
  bool record_events = true;
  plugins::DefaultPluginArgs plugin_args;  // namespace lookup is filled by Register()
};

struct SchedulerStats {
  int64_t scheduled = 0;        // binds that succeeded
  int64_t failed_attempts = 0;  // attempts that ended unschedulable or in error
  int64_t bind_errors = 0;
};

class Scheduler {
 public:
  // `plugins` empty: the default plugin set.
  Scheduler(client::Client* client, SchedulerOptions options = {},
            const base::Clock& clock = base::Clock::Real(), std::vector<PluginConfig> plugins = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Subscribes to pods, nodes, namespaces and volume objects. Call before the watch cache
  // starts.
  void Register(client::InformerFactory& informers);
  void Start();
  void Stop();

  // Informer callbacks; public so tests and benchmarks can feed objects directly.
  void OnPodAdd(const client::ObjPtr& pod);
  void OnPodUpdate(const client::ObjPtr& old_pod, const client::ObjPtr& new_pod);
  void OnPodDelete(const client::ObjPtr& pod);
  void OnNodeAdd(const client::ObjPtr& node);
  void OnNodeUpdate(const client::ObjPtr& old_node, const client::ObjPtr& new_node);
  void OnNodeDelete(const client::ObjPtr& node);

  // Runs one scheduling attempt if a pod is ready; false when none is (tests).
  bool RunOnce();
  // Waits until every bind / status call started so far has finished.
  void WaitForBindings();
  // Waits until the events recorded so far are written (tests).
  void FlushEvents();

  SchedulerStats stats() const;
  SchedulingQueue& queue() { return queue_; }
  Cache& cache() { return cache_; }

 private:
  class TaskPool;

  void Loop();
  void ScheduleOne(const QueuedPodInfo& info);
  void BindingCycle(const QueuedPodInfo& info, const PodInfoPtr& assumed, const std::string& node,
                    const std::shared_ptr<CycleState>& state);
  // Records the failure, parks the pod, and updates its PodScheduled condition.
  void Fail(const QueuedPodInfo& info, const std::string& message, const std::string& reason,
            uint32_t events, bool error);
  void UpdatePodCondition(const PodInfoPtr& pod, const std::string& reason,
                          const std::string& message);
  bool Responsible(const PodInfo& pod) const;
  // The pod as the informer has it now is bound or gone (binding raced with another writer).
  bool AssignedOrGone(const PodInfo& pod) const;

  client::Client* client_;
  const SchedulerOptions options_;
  const base::Clock& clock_;
  client::Informer* pods_informer_ = nullptr;        // set by Register, before Start
  client::Informer* namespaces_informer_ = nullptr;  // set by Register, before Start
  Cache cache_;
  SchedulingQueue queue_;
  std::unique_ptr<Framework> framework_;
  Snapshot snapshot_;  // scheduling thread only
  std::unique_ptr<client::EventRecorder> recorder_;
  std::unique_ptr<TaskPool> pool_;
  std::atomic<int64_t> scheduled_{0}, failed_{0}, bind_errors_{0};
  std::jthread loop_;
};

}  // namespace skiff::scheduler
