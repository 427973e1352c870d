#include "skiff/scheduler/framework.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

#include "skiff/api/text.h"

namespace skiff::scheduler {

namespace {

// Kubernetes' parallelizer chunk size: about sqrt(n), at most n / parallelism + 1.
int ChunkSize(int n, int parallelism) {
  int s = static_cast<int>(std::sqrt(static_cast<double>(n)));
  int r = n / std::max(parallelism, 1) + 1;
  return std::max(1, std::min(s, r));
}

// Nodes live all over the heap and every filter pass touches hundreds of them: fetch the
// NodeInfo a few nodes ahead and its NodeSpec a little later, so filters rarely wait on memory.
inline void Prefetch(const std::vector<const NodeInfo*>& nodes, size_t i, size_t n) {
  __builtin_prefetch(nodes[(i + 8) % n]);
  __builtin_prefetch(nodes[(i + 4) % n]->node.get());
}

std::vector<std::string> Intersect(const std::vector<std::string>& a,
                                   const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace

void DefaultNormalizeScore(int64_t max_priority, bool reverse, std::span<NodeScore> scores) {
  int64_t max_count = 0;
  for (const NodeScore& s : scores) max_count = std::max(max_count, s.score);
  if (max_count == 0) {
    if (reverse) {
      for (NodeScore& s : scores) s.score = max_priority;
    }
    return;
  }
  for (NodeScore& s : scores) {
    int64_t v = max_priority * s.score / max_count;
    s.score = reverse ? max_priority - v : v;
  }
}

// ---------------------------------------------------------------------------- Parallelizer

Parallelizer::Parallelizer(int parallelism) {
  for (int i = 1; i < parallelism; ++i) {
    workers_.emplace_back([this](std::stop_token st) { Worker(st); });
  }
}

Parallelizer::~Parallelizer() {
  for (auto& w : workers_) w.request_stop();
  work_cv_.notify_all();
  workers_.clear();  // joins
}

void Parallelizer::Process(Job& job) {
  while (true) {
    int begin = job.next.fetch_add(job.chunk);
    if (begin >= job.n) return;
    (*job.fn)(begin, std::min(begin + job.chunk, job.n));
  }
}

void Parallelizer::Worker(std::stop_token stop) {
  uint64_t seen = 0;
  while (true) {
    Job* job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, stop, [&] { return job_ != nullptr && job_gen_ != seen; });
      if (stop.stop_requested()) return;
      seen = job_gen_;
      job = job_;
      ++active_;
    }
    Process(*job);
    {
      std::lock_guard<std::mutex> lock(mu_);
      --active_;
    }
    done_cv_.notify_all();
  }
}

void Parallelizer::Run(int n, int chunk, const std::function<void(int, int)>& fn) {
  if (n <= 0) return;
  if (workers_.empty() || n <= chunk) {
    fn(0, n);
    return;
  }
  Job job;
  job.fn = &fn;
  job.n = n;
  job.chunk = chunk;
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &job;
    ++job_gen_;
  }
  work_cv_.notify_all();
  Process(job);
  std::unique_lock<std::mutex> lock(mu_);
  job_ = nullptr;
  done_cv_.wait(lock, [&] { return active_ == 0; });
}

// ---------------------------------------------------------------------------- Framework

namespace {

int EffectiveParallelism(int requested) {
  if (requested > 0) return requested;
  return std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 16);
}

}  // namespace

Framework::Framework(std::vector<PluginConfig> plugins, FrameworkOptions options)
    : plugins_(std::move(plugins)),
      options_(options),
      parallelism_(EffectiveParallelism(options.parallelism)),
      parallelizer_(parallelism_),
      rng_(options.seed != 0 ? options.seed
                             : static_cast<uint64_t>(
                                   std::chrono::steady_clock::now().time_since_epoch().count())) {
  for (size_t i = 0; i < plugins_.size(); ++i) {
    Plugin* p = plugins_[i].plugin.get();
    p->set_slot(static_cast<int>(i));
    if (auto* pf = dynamic_cast<PreFilterPlugin*>(p)) pre_filter_.push_back(pf);
    if (auto* f = dynamic_cast<FilterPlugin*>(p)) filter_.push_back(f);
    if (auto* s = dynamic_cast<ScorePlugin*>(p)) score_.emplace_back(s, plugins_[i].weight);
    if (auto* b = dynamic_cast<BindHookPlugin*>(p)) bind_hooks_.push_back(b);
  }
}

int Framework::NumNodesToFind(int num_all_nodes) const {
  constexpr int kMinFeasibleNodesToFind = 100;
  constexpr int kMinFeasibleNodesPercentageToFind = 5;
  if (num_all_nodes < kMinFeasibleNodesToFind) return num_all_nodes;
  int percentage = options_.percentage_of_nodes_to_score;
  if (percentage >= 100) return num_all_nodes;
  if (percentage <= 0) {
    percentage = 50 - num_all_nodes / 125;
    percentage = std::max(percentage, kMinFeasibleNodesPercentageToFind);
  }
  int num = static_cast<int>(static_cast<int64_t>(num_all_nodes) * percentage / 100);
  return std::max(num, kMinFeasibleNodesToFind);
}

Status Framework::RunFilters(const CycleState& state, const PodInfo& pod,
                             const NodeInfo& node) const {
  for (const FilterPlugin* f : filter_) {
    if (state.skip_filter(f->slot())) continue;
    Status s = f->Filter(state, pod, node);
    if (!s.ok()) {
      s.set_plugin(f->slot());
      return s;
    }
  }
  return Status();
}

void Framework::FindFeasible(const CycleState& state, const PodInfo& pod,
                             const std::vector<const NodeInfo*>& candidates,
                             std::vector<const NodeInfo*>* feasible, Diagnosis* diagnosis,
                             int* evaluated) {
  const int n = static_cast<int>(candidates.size());
  *evaluated = 0;
  if (n == 0) return;
  const int target = NumNodesToFind(n);
  const size_t start = next_start_ % n;
  passed_.assign(n, -1);
  if (statuses_.size() < static_cast<size_t>(n)) statuses_.resize(n);
  std::atomic<int> found{0};
  std::function<void(int, int)> fn = [&](int begin, int end) {
    for (int i = begin; i < end; ++i) {
      if (found.load(std::memory_order_relaxed) >= target) return;
      Prefetch(candidates, (start + i) % n, n);
      const NodeInfo& node = *candidates[(start + i) % n];
      Status s = RunFilters(state, pod, node);
      if (s.ok()) {
        passed_[i] = 1;
        found.fetch_add(1, std::memory_order_relaxed);
      } else {
        passed_[i] = 0;
        statuses_[i] = std::move(s);
      }
    }
  };
  parallelizer_.Run(n, ChunkSize(n, parallelism_), fn);

  int processed = 0;
  for (int i = 0; i < n && static_cast<int>(feasible->size()) < target; ++i) {
    if (passed_[i] < 0) continue;
    ++processed;
    if (passed_[i] == 1) {
      feasible->push_back(candidates[(start + i) % n]);
    } else {
      Status& s = statuses_[i];
      if (s.plugin() >= 0) diagnosis->rejecting_plugins |= uint64_t{1} << s.plugin();
      diagnosis->node_statuses.push_back(std::move(s));
    }
  }
  *evaluated = processed;
  next_start_ = (start + processed) % n;
}

ScheduleResult Framework::Schedule(const PodInfo& pod, const Snapshot& snapshot) {
  ScheduleResult r;
  r.num_all_nodes = static_cast<int>(snapshot.size());
  r.state = std::make_shared<CycleState>(plugins_.size());
  CycleState& state = *r.state;

  std::optional<std::vector<std::string>> names;
  std::vector<std::string> narrowing;
  uint64_t narrowing_bits = 0;
  for (PreFilterPlugin* pf : pre_filter_) {
    PreFilterResult pr;
    Status s = pf->PreFilter(state, pod, snapshot, &pr);
    if (s.IsSkip()) {
      state.skip_filter_[pf->slot()] = true;
      continue;
    }
    if (!s.ok()) {
      s.set_plugin(pf->slot());
      if (s.code() == Code::kError) {
        r.error = std::move(s);
        return r;
      }
      r.diagnosis.rejecting_plugins |= uint64_t{1} << pf->slot();
      r.diagnosis.prefilter_msg = s.Message();
      r.diagnosis.absent_status = std::move(s);
      r.diagnosis.absent_nodes = r.num_all_nodes;
      return r;
    }
    if (pr.node_names) {
      narrowing.emplace_back(pf->Name());
      narrowing_bits |= uint64_t{1} << pf->slot();
      names = names ? Intersect(*names, *pr.node_names) : *pr.node_names;
      if (names->empty()) {
        std::string msg = narrowing.size() == 1
                              ? api::Cat("node(s) didn't satisfy plugin ", narrowing[0])
                              : api::Cat("node(s) didn't satisfy plugin(s) [",
                                         api::Join(narrowing, " "), "] simultaneously");
        r.diagnosis.rejecting_plugins |= narrowing_bits;
        r.diagnosis.prefilter_msg = msg;
        r.diagnosis.absent_status = Status::Unschedulable(msg);
        r.diagnosis.absent_nodes = r.num_all_nodes;
        return r;
      }
    }
  }

  std::vector<const NodeInfo*> narrowed;
  const std::vector<const NodeInfo*>* candidates = &snapshot.nodes();
  if (names) {
    for (const std::string& name : *names) {
      if (const NodeInfo* n = snapshot.Get(name)) narrowed.push_back(n);
    }
    candidates = &narrowed;
    r.diagnosis.absent_nodes = r.num_all_nodes - static_cast<int>(narrowed.size());
    r.diagnosis.absent_status = Status::Unresolvable(
        api::Cat("node(s) didn't satisfy plugin(s) [", api::Join(narrowing, " "), "]"));
    if (r.diagnosis.absent_nodes > 0) r.diagnosis.rejecting_plugins |= narrowing_bits;
  }

  std::vector<const NodeInfo*> feasible;
  FindFeasible(state, pod, *candidates, &feasible, &r.diagnosis, &r.evaluated_nodes);
  r.feasible_nodes = static_cast<int>(feasible.size());
  if (feasible.empty()) return r;
  r.node = feasible.size() == 1 ? feasible[0]->name() : PickNode(state, pod, snapshot, feasible);
  return r;
}

std::string Framework::PickNode(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                                const std::vector<const NodeInfo*>& feasible) {
  std::vector<std::pair<ScorePlugin*, int64_t>> active;
  for (auto& [sp, weight] : score_) {
    Status s = sp->PreScore(state, pod, snapshot, feasible);
    if (s.ok()) {
      active.emplace_back(sp, weight);
    } else {
      state.skip_score_[sp->slot()] = true;
    }
  }
  const int m = static_cast<int>(feasible.size());
  const int k = static_cast<int>(active.size());
  scores_.assign(static_cast<size_t>(m) * std::max(k, 1), 0);
  if (k > 0) {
    std::function<void(int, int)> fn = [&](int begin, int end) {
      for (int i = begin; i < end; ++i) {
        Prefetch(feasible, i, m);
        for (int j = 0; j < k; ++j) {
          scores_[static_cast<size_t>(j) * m + i] =
              active[j].first->Score(state, pod, *feasible[i]);
        }
      }
    };
    parallelizer_.Run(m, ChunkSize(m, parallelism_), fn);
  }
  std::vector<int64_t> total(m, 0);
  std::vector<NodeScore> ns(m);
  for (int j = 0; j < k; ++j) {
    for (int i = 0; i < m; ++i)
      ns[i] = NodeScore{feasible[i], scores_[static_cast<size_t>(j) * m + i]};
    active[j].first->NormalizeScore(state, pod, ns);
    for (int i = 0; i < m; ++i) total[i] += ns[i].score * active[j].second;
  }
  int selected = 0;
  int64_t max_score = total[0];
  int ties = 1;
  for (int i = 1; i < m; ++i) {
    if (total[i] > max_score) {
      max_score = total[i];
      selected = i;
      ties = 1;
    } else if (total[i] == max_score) {
      ++ties;
      if (std::uniform_int_distribution<int>(0, ties - 1)(rng_) == 0) selected = i;
    }
  }
  return feasible[selected]->name();
}

std::string Framework::PreemptionMessage(const PodInfo& pod, int num_all_nodes,
                                         const Diagnosis& d) const {
  if (pod.preempt_never) return "preemption: not eligible due to preemptionPolicy=Never.";
  static const std::string kNotHelpful = "Preemption is not helpful for scheduling";
  static const std::string kNoVictims = "No preemption victims found for incoming pod";
  Diagnosis p;
  auto reason_for = [&](const Status& s) {
    return s.code() == Code::kUnschedulableAndUnresolvable ? kNotHelpful : kNoVictims;
  };
  p.node_statuses.reserve(d.node_statuses.size());
  for (const Status& s : d.node_statuses) {
    p.node_statuses.push_back(Status::Unschedulable(reason_for(s)));
  }
  if (d.absent_nodes > 0) {
    p.absent_nodes = d.absent_nodes;
    p.absent_status = Status::Unschedulable(reason_for(d.absent_status));
  }
  return "preemption: " + FitErrorMessage(num_all_nodes, p);
}

uint32_t Framework::EventsFor(uint64_t rejecting_plugins) const {
  if (rejecting_plugins == 0) return kAllEvents;
  uint32_t events = 0;
  for (size_t i = 0; i < plugins_.size(); ++i) {
    if (rejecting_plugins & (uint64_t{1} << i)) events |= plugins_[i].plugin->Events();
  }
  return events;
}

Status Framework::RunReserve(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (size_t i = 0; i < bind_hooks_.size(); ++i) {
    Status s = bind_hooks_[i]->Reserve(state, pod, node);
    if (!s.ok()) {
      for (size_t j = i + 1; j-- > 0;) bind_hooks_[j]->Unreserve(state, pod, node);
      s.set_plugin(bind_hooks_[i]->slot());
      return s;
    }
  }
  return Status();
}

void Framework::RunUnreserve(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (size_t j = bind_hooks_.size(); j-- > 0;) bind_hooks_[j]->Unreserve(state, pod, node);
}

Status Framework::RunPreBind(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (BindHookPlugin* b : bind_hooks_) {
    Status s = b->PreBind(state, pod, node);
    if (!s.ok()) {
      s.set_plugin(b->slot());
      return s;
    }
  }
  return Status();
}

}  // namespace skiff::scheduler
