// The scheduling framework: plugin interfaces for each extension point (PreFilter, Filter,
// PreScore, Score + NormalizeScore, Reserve, PreBind) and the Framework that runs them for one
// pod against a Snapshot, filtering nodes in parallel (adaptive percentageOfNodesToScore like
// kube-scheduler above 100 nodes) and picking the best-scoring node at random among ties.
// A Framework is used by one scheduling thread; Filter and Score run on its worker threads and
// must only read. Reserve/PreBind may run on binder threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "skiff/scheduler/cache.h"
#include "skiff/scheduler/status.h"
#include "skiff/scheduler/types.h"

namespace skiff::scheduler {

// Cluster changes that can make an unschedulable pod schedulable; plugins declare the ones that
// matter to them, and the queue retries a pod only on events its rejecting plugins care about.
enum ClusterEvent : uint32_t {
  kNodeAdd = 1u << 0,
  kNodeDelete = 1u << 1,
  kNodeAllocatableChange = 1u << 2,
  kNodeLabelChange = 1u << 3,
  kNodeTaintChange = 1u << 4,
  kNodeSchedulableChange = 1u << 5,  // spec.unschedulable
  kAssignedPodAdd = 1u << 6,
  kAssignedPodUpdate = 1u << 7,  // labels of a bound pod
  kAssignedPodDelete = 1u << 8,
  kPvcChange = 1u << 9,
  kPvChange = 1u << 10,
  kStorageClassChange = 1u << 11,
  kNamespaceChange = 1u << 12,
  kAllEvents = ~0u,
};

// Plugin-private data one scheduling attempt carries from PreFilter/PreScore to later points.
struct StateData {
  virtual ~StateData() = default;
};

class CycleState {
 public:
  explicit CycleState(size_t plugins = 0)
      : data_(plugins), skip_filter_(plugins), skip_score_(plugins) {}
  void Write(int slot, std::unique_ptr<StateData> d) { data_[slot] = std::move(d); }
  template <typename T>
  T* Read(int slot) const {
    return static_cast<T*>(data_[slot].get());
  }
  bool skip_filter(int slot) const { return skip_filter_[slot]; }
  bool skip_score(int slot) const { return skip_score_[slot]; }

 private:
  friend class Framework;
  std::vector<std::unique_ptr<StateData>> data_;
  std::vector<bool> skip_filter_, skip_score_;
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual std::string_view Name() const = 0;
  // Events that may make a pod this plugin rejected schedulable.
  virtual uint32_t Events() const { return kAllEvents; }
  // The plugin's slot in CycleState, assigned by the Framework.
  int slot() const { return slot_; }
  void set_slot(int s) { slot_ = s; }

 private:
  int slot_ = -1;
};

// Node names a PreFilter narrows the search to (sorted).
struct PreFilterResult {
  std::optional<std::vector<std::string>> node_names;
};

class PreFilterPlugin : public virtual Plugin {
 public:
  // Skip: the plugin's Filter is not run for this pod. A rejection applies to every node.
  virtual Status PreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                           PreFilterResult* result) = 0;
};

class FilterPlugin : public virtual Plugin {
 public:
  virtual Status Filter(const CycleState& state, const PodInfo& pod,
                        const NodeInfo& node) const = 0;
};

struct NodeScore {
  const NodeInfo* node = nullptr;
  int64_t score = 0;
};

class ScorePlugin : public virtual Plugin {
 public:
  // Skip: Score is not run for this pod. `nodes` are the feasible nodes.
  virtual Status PreScore(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                          std::span<const NodeInfo* const> nodes) {
    return Status();
  }
  virtual int64_t Score(const CycleState& state, const PodInfo& pod,
                        const NodeInfo& node) const = 0;
  // Brings scores into [0, kMaxNodeScore]; default: already there.
  virtual void NormalizeScore(const CycleState& state, const PodInfo& pod,
                              std::span<NodeScore> scores) const {}
};

// Reserve/Unreserve run on the scheduling thread right after the pod is assumed; PreBind runs
// on a binder thread before the bind call (e.g. volume binding).
class BindHookPlugin : public virtual Plugin {
 public:
  virtual Status Reserve(CycleState& state, const PodInfo& pod, const std::string& node) {
    return Status();
  }
  virtual void Unreserve(CycleState& state, const PodInfo& pod, const std::string& node) {}
  virtual Status PreBind(CycleState& state, const PodInfo& pod, const std::string& node) {
    return Status();
  }
};

// Kubernetes' DefaultNormalizeScore: scales scores to [0, max] by the highest one, reversed
// (max - score) when `reverse`; all-zero scores become max when reversed.
void DefaultNormalizeScore(int64_t max_priority, bool reverse, std::span<NodeScore> scores);

// A fixed pool of threads that runs index ranges in parallel with the caller.
class Parallelizer {
 public:
  // `parallelism` counts the calling thread; 1 runs everything inline.
  explicit Parallelizer(int parallelism);
  ~Parallelizer();
  // Calls fn(begin, end) for consecutive chunks of [0, n) (claimed in increasing order) and
  // returns when all claimed chunks are done.
  void Run(int n, int chunk, const std::function<void(int begin, int end)>& fn);

 private:
  struct Job {
    const std::function<void(int, int)>* fn;
    int n, chunk;
    std::atomic<int> next{0};
  };
  static void Process(Job& job);
  void Worker(std::stop_token stop);

  std::mutex mu_;
  std::condition_variable_any work_cv_;
  std::condition_variable done_cv_;
  Job* job_ = nullptr;    // guarded by mu_
  uint64_t job_gen_ = 0;  // guarded by mu_
  int active_ = 0;        // guarded by mu_
  std::vector<std::jthread> workers_;
};

struct FrameworkOptions {
  // Share of nodes to look at once enough fit; 0 = kube-scheduler's adaptive default
  // (50% - nodes/125, at least 5%, and at least 100 nodes).
  int percentage_of_nodes_to_score = 0;
  // Threads filtering and scoring nodes (the scheduling thread included); 0 = the hardware
  // threads, at most 16 (kube-scheduler's default parallelism).
  int parallelism = 0;
  uint64_t seed = 0;  // tie-break randomness; 0 seeds from the clock
};

struct PluginConfig {
  std::shared_ptr<Plugin> plugin;
  int64_t weight = 1;  // for Score plugins
};

// What one scheduling attempt decided.
struct ScheduleResult {
  std::string node;     // empty when no node fits or on error
  Status error;         // kError on internal errors
  Diagnosis diagnosis;  // why no node fits
  int num_all_nodes = 0;
  int evaluated_nodes = 0;
  int feasible_nodes = 0;
  std::shared_ptr<CycleState> state;  // carried to Reserve / PreBind / Unreserve
};

class Framework {
 public:
  Framework(std::vector<PluginConfig> plugins, FrameworkOptions options = {});

  ScheduleResult Schedule(const PodInfo& pod, const Snapshot& snapshot);
  // The DefaultPreemption PostFilter's message for a pod no node fits. Skiff does not preempt,
  // so a node that only failed resolvable filters reports no victims.
  std::string PreemptionMessage(const PodInfo& pod, int num_all_nodes, const Diagnosis& d) const;
  // Events that may help a pod the plugins in `rejecting_plugins` (bit mask) rejected.
  uint32_t EventsFor(uint64_t rejecting_plugins) const;

  Status RunReserve(CycleState& state, const PodInfo& pod, const std::string& node);
  void RunUnreserve(CycleState& state, const PodInfo& pod, const std::string& node);
  Status RunPreBind(CycleState& state, const PodInfo& pod, const std::string& node);

  int NumNodesToFind(int num_all_nodes) const;
  const std::vector<PluginConfig>& plugins() const { return plugins_; }

 private:
  Status RunFilters(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const;
  // Filters `candidates` starting at next_start_; fills feasible and diagnosis.
  void FindFeasible(const CycleState& state, const PodInfo& pod,
                    const std::vector<const NodeInfo*>& candidates,
                    std::vector<const NodeInfo*>* feasible, Diagnosis* diagnosis, int* evaluated);
  std::string PickNode(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                       const std::vector<const NodeInfo*>& feasible);

  std::vector<PluginConfig> plugins_;
  std::vector<PreFilterPlugin*> pre_filter_;
  std::vector<FilterPlugin*> filter_;
  std::vector<std::pair<ScorePlugin*, int64_t>> score_;
  std::vector<BindHookPlugin*> bind_hooks_;
  FrameworkOptions options_;
  int parallelism_;
  Parallelizer parallelizer_;
  std::mt19937_64 rng_;
  size_t next_start_ = 0;  // where the next filter pass starts (rotates over the nodes)

  // Reused per-cycle buffers (the framework is used by one thread).
  std::vector<int8_t> passed_;
  std::vector<Status> statuses_;
  std::vector<int64_t> scores_;
};

}  // namespace skiff::scheduler
