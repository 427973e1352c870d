#include "skiff/scheduler/scheduler.h"

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "spdlog/spdlog.h"

namespace skiff::scheduler {

namespace json = boost::json;

// Runs bind and status calls; no lock is held across them.
class Scheduler::TaskPool {
 public:
  explicit TaskPool(int workers) {
    for (int i = 0; i < workers; ++i) {
      threads_.emplace_back([this](std::stop_token st) { Work(st); });
    }
  }
  ~TaskPool() { Stop(); }

  void Submit(std::function<void()> task) {
    if (threads_.empty()) {
      task();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.push_back(std::move(task));
      ++pending_;
    }
    cv_.notify_one();
  }

  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    idle_cv_.wait(lock, [&] { return pending_ == 0; });
  }

  void Stop() {
    for (auto& t : threads_) t.request_stop();
    cv_.notify_all();
    threads_.clear();
    std::lock_guard<std::mutex> lock(mu_);
    pending_ -= static_cast<int>(tasks_.size());
    tasks_.clear();
    idle_cv_.notify_all();
  }

 private:
  void Work(std::stop_token stop) {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, stop, [&] { return !tasks_.empty(); });
        if (stop.stop_requested()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
      {
        std::lock_guard<std::mutex> lock(mu_);
        --pending_;
      }
      idle_cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable_any cv_;
  std::condition_variable idle_cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  int pending_ = 0;                          // guarded by mu_: queued or running
  std::vector<std::jthread> threads_;
};

Scheduler::Scheduler(client::Client* client, SchedulerOptions options, const base::Clock& clock,
                     std::vector<PluginConfig> plugin_set)
    : client_(client),
      options_(std::move(options)),
      clock_(clock),
      queue_(clock, options_.queue),
      pool_(std::make_unique<TaskPool>(options_.bind_workers)) {
  if (plugin_set.empty()) {
    plugins::DefaultPluginArgs args = options_.plugin_args;
    if (!args.namespaces) {
      args.namespaces = [this](const std::string& ns) -> client::ObjPtr {
        return namespaces_informer_ ? namespaces_informer_->Get("", ns) : nullptr;
      };
    }
    plugin_set = plugins::DefaultPlugins(args);
  }
  framework_ = std::make_unique<Framework>(std::move(plugin_set), options_.framework);
  if (options_.record_events && client_ != nullptr) {
    recorder_ = std::make_unique<client::EventRecorder>(client_, options_.name);
  }
}

Scheduler::~Scheduler() { Stop(); }

namespace {

// Whether metadata.labels differ between two versions of an object.
bool FieldChanged(const json::value& a, const json::value& b) {
  const json::value* la = api::Find(a, {"metadata", "labels"});
  const json::value* lb = api::Find(b, {"metadata", "labels"});
  return (la == nullptr) != (lb == nullptr) || (la != nullptr && *la != *lb);
}

}  // namespace

void Scheduler::Register(client::InformerFactory& informers) {
  client::Informer& pods = informers.For(client::Pods());
  pods_informer_ = &pods;
  pods.AddHandlers({[this](const client::ObjPtr& o) { OnPodAdd(o); },
                    [this](const client::ObjPtr& a, const client::ObjPtr& b) { OnPodUpdate(a, b); },
                    [this](const client::ObjPtr& o) { OnPodDelete(o); }});
  informers.For(client::Nodes())
      .AddHandlers(
          {[this](const client::ObjPtr& o) { OnNodeAdd(o); },
           [this](const client::ObjPtr& a, const client::ObjPtr& b) { OnNodeUpdate(a, b); },
           [this](const client::ObjPtr& o) { OnNodeDelete(o); }});
  client::Informer& namespaces = informers.For(client::Namespaces());
  namespaces_informer_ = &namespaces;
  namespaces.AddHandlers(
      {[this](const client::ObjPtr&) { queue_.MoveAllToActiveOrBackoff(kNamespaceChange); },
       [this](const client::ObjPtr& a, const client::ObjPtr& b) {
         if (FieldChanged(*a, *b)) queue_.MoveAllToActiveOrBackoff(kNamespaceChange);
       },
       nullptr});
  auto on_change = [this](uint32_t event) {
    return client::EventHandlers{
        [this, event](const client::ObjPtr&) { queue_.MoveAllToActiveOrBackoff(event); },
        [this, event](const client::ObjPtr&, const client::ObjPtr&) {
          queue_.MoveAllToActiveOrBackoff(event);
        },
        [this, event](const client::ObjPtr&) { queue_.MoveAllToActiveOrBackoff(event); }};
  };
  informers.For(client::PersistentVolumeClaims()).AddHandlers(on_change(kPvcChange));
  informers.For(client::PersistentVolumes()).AddHandlers(on_change(kPvChange));
  informers.For(client::StorageClasses()).AddHandlers(on_change(kStorageClassChange));
}

void Scheduler::Start() {
  loop_ = std::jthread([this] { Loop(); });
}

void Scheduler::Stop() {
  queue_.Close();
  if (loop_.joinable()) loop_.join();
  if (pool_) pool_->Stop();
}

bool Scheduler::Responsible(const PodInfo& pod) const {
  return pod.scheduler_name == options_.name;
}

// ------------------------------------------------------------------------- informer events

namespace {

bool Terminal(const PodInfo& pod) { return pod.phase == "Succeeded" || pod.phase == "Failed"; }

uint32_t NodeChanges(const NodeSpec& a, const NodeSpec& b) {
  uint32_t events = 0;
  if (!(a.allocatable == b.allocatable)) events |= kNodeAllocatableChange;
  if (a.labels != b.labels) events |= kNodeLabelChange;
  if (a.taints != b.taints) events |= kNodeTaintChange;
  if (a.unschedulable != b.unschedulable) events |= kNodeSchedulableChange;
  return events;
}

}  // namespace

void Scheduler::OnPodAdd(const client::ObjPtr& obj) {
  PodInfoPtr pod = MakePodInfo(obj);
  if (!pod->node_name.empty()) {
    if (Terminal(*pod)) return;
    cache_.AddPod(pod);
    queue_.MoveAllToActiveOrBackoff(kAssignedPodAdd);
  } else if (Responsible(*pod) && !pod->terminating && !Terminal(*pod)) {
    queue_.Add(std::move(pod));
  }
}

void Scheduler::OnPodUpdate(const client::ObjPtr& old_obj, const client::ObjPtr& new_obj) {
  PodInfoPtr pod = MakePodInfo(new_obj);
  bool was_assigned = !api::GetString(*old_obj, {"spec", "nodeName"}).empty();
  if (!pod->node_name.empty()) {
    if (!was_assigned) queue_.Delete(pod->uid);  // just bound
    if (Terminal(*pod)) {
      cache_.RemovePod(pod->uid);
      queue_.MoveAllToActiveOrBackoff(kAssignedPodDelete);
      return;
    }
    bool labels_changed = was_assigned && FieldChanged(*old_obj, *new_obj);
    cache_.UpdatePod(std::move(pod));
    if (!was_assigned) {
      queue_.MoveAllToActiveOrBackoff(kAssignedPodAdd);
    } else if (labels_changed) {
      queue_.MoveAllToActiveOrBackoff(kAssignedPodUpdate);
    }
    return;
  }
  if (Responsible(*pod) && !pod->terminating && !Terminal(*pod)) {
    queue_.Update(old_obj.get(), std::move(pod));
  } else {
    queue_.Delete(pod->uid);
  }
}

void Scheduler::OnPodDelete(const client::ObjPtr& obj) {
  std::string uid(api::GetString(*obj, {"metadata", "uid"}));
  if (!api::GetString(*obj, {"spec", "nodeName"}).empty()) {
    cache_.RemovePod(uid);
    queue_.MoveAllToActiveOrBackoff(kAssignedPodDelete);
  } else {
    queue_.Delete(uid);
  }
}

void Scheduler::OnNodeAdd(const client::ObjPtr& obj) {
  cache_.AddNode(MakeNodeSpec(obj));
  queue_.MoveAllToActiveOrBackoff(kNodeAdd);
}

void Scheduler::OnNodeUpdate(const client::ObjPtr& old_obj, const client::ObjPtr& new_obj) {
  NodeSpecPtr node = MakeNodeSpec(new_obj);
  NodeSpecPtr old = cache_.GetNode(node->name);
  uint32_t events = old ? NodeChanges(*old, *node) : kNodeAdd;
  cache_.UpdateNode(std::move(node));
  if (events != 0) queue_.MoveAllToActiveOrBackoff(events);
}

void Scheduler::OnNodeDelete(const client::ObjPtr& obj) {
  cache_.RemoveNode(std::string(api::GetString(*obj, {"metadata", "name"})));
  queue_.MoveAllToActiveOrBackoff(kNodeDelete);
}

// ------------------------------------------------------------------------- scheduling

void Scheduler::Loop() {
  while (auto info = queue_.Pop()) ScheduleOne(*info);
}

bool Scheduler::RunOnce() {
  auto info = queue_.TryPop();
  if (!info) return false;
  ScheduleOne(*info);
  return true;
}

void Scheduler::ScheduleOne(const QueuedPodInfo& info) {
  const PodInfoPtr& pod = info.pod;
  if (pod->terminating || !pod->node_name.empty()) {
    queue_.Done(pod->uid);
    return;
  }
  cache_.UpdateSnapshot(&snapshot_);
  if (snapshot_.size() == 0) {
    Fail(info, "no nodes available to schedule pods", "Unschedulable", kNodeAdd, false);
    return;
  }
  ScheduleResult r = framework_->Schedule(*pod, snapshot_);
  if (!r.error.ok()) {
    Fail(info, r.error.Message(), "SchedulerError", kAllEvents, true);
    return;
  }
  if (r.node.empty()) {
    r.diagnosis.postfilter_msg = framework_->PreemptionMessage(*pod, r.num_all_nodes, r.diagnosis);
    Fail(info, FitErrorMessage(r.num_all_nodes, r.diagnosis), "Unschedulable",
         framework_->EventsFor(r.diagnosis.rejecting_plugins), false);
    return;
  }
  PodInfoPtr assumed = WithNodeName(*pod, r.node);
  if (absl::Status s = cache_.AssumePod(assumed); !s.ok()) {
    Fail(info, std::string(s.message()), "SchedulerError", kAllEvents, true);
    return;
  }
  Status reserved = framework_->RunReserve(*r.state, *assumed, r.node);
  if (!reserved.ok()) {
    cache_.ForgetPod(pod->uid);
    Fail(info, reserved.Message(), reserved.IsRejected() ? "Unschedulable" : "SchedulerError",
         kAllEvents, !reserved.IsRejected());
    return;
  }
  pool_->Submit([this, info, assumed, node = r.node, state = r.state] {
    BindingCycle(info, assumed, node, state);
  });
}

void Scheduler::BindingCycle(const QueuedPodInfo& info, const PodInfoPtr& assumed,
                             const std::string& node, const std::shared_ptr<CycleState>& state) {
  Status pre = framework_->RunPreBind(*state, *assumed, node);
  absl::Status bound = pre.ok() ? client_->Bind(assumed->ns, assumed->name, assumed->uid, node)
                                : absl::InternalError(pre.Message());
  if (bound.ok()) {
    cache_.FinishBinding(assumed->uid);
    queue_.Done(assumed->uid);
    scheduled_.fetch_add(1, std::memory_order_relaxed);
    if (recorder_) {
      recorder_->Record(
          *assumed->object, "Normal", "Scheduled",
          api::Cat("Successfully assigned ", assumed->ns, "/", assumed->name, " to ", node));
    }
    return;
  }
  bind_errors_.fetch_add(1, std::memory_order_relaxed);
  cache_.ForgetPod(assumed->uid);
  framework_->RunUnreserve(*state, *assumed, node);
  queue_.MoveAllToActiveOrBackoff(kAssignedPodDelete);
  spdlog::debug("scheduler: binding {} to {} failed: {}", assumed->Key(), node,
                std::string(bound.message()));
  if (client::IsNotFoundError(bound) || AssignedOrGone(*assumed)) {
    queue_.Done(assumed->uid);
    return;
  }
  Fail(info, "binding rejected: " + std::string(bound.message()), "SchedulerError", kAllEvents,
       true);
}

bool Scheduler::AssignedOrGone(const PodInfo& pod) const {
  if (pods_informer_ == nullptr) return false;
  client::ObjPtr now = pods_informer_->Get(pod.ns, pod.name);
  return now == nullptr || api::GetString(*now, {"metadata", "uid"}) != pod.uid ||
         !api::GetString(*now, {"spec", "nodeName"}).empty();
}

void Scheduler::Fail(const QueuedPodInfo& info, const std::string& message,
                     const std::string& reason, uint32_t events, bool error) {
  const PodInfoPtr& pod = info.pod;
  failed_.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("scheduler: unable to schedule {}: {}", pod->Key(), message);
  if (recorder_) recorder_->Record(*pod->object, "Warning", "FailedScheduling", message);
  queue_.AddUnschedulable(info, events, error);
  if (client_ != nullptr) {
    pool_->Submit([this, pod, reason, message] { UpdatePodCondition(pod, reason, message); });
  }
}

void Scheduler::UpdatePodCondition(const PodInfoPtr& pod, const std::string& reason,
                                   const std::string& message) {
  std::string transition = base::FormatRfc3339(clock_.Now());
  if (const json::array* conds = api::GetArray(*pod->object, {"status", "conditions"})) {
    for (const json::value& c : *conds) {
      if (api::GetString(c, {"type"}) != "PodScheduled") continue;
      if (api::GetString(c, {"status"}) == "False") {
        if (api::GetString(c, {"reason"}) == reason && api::GetString(c, {"message"}) == message) {
          return;  // unchanged
        }
        std::string_view was = api::GetString(c, {"lastTransitionTime"});
        if (!was.empty()) transition = std::string(was);
      }
    }
  }
  json::object cond{{"type", "PodScheduled"},   {"status", "False"},
                    {"lastProbeTime", nullptr}, {"lastTransitionTime", transition},
                    {"reason", reason},         {"message", message}};
  json::object patch{{"status", json::object{{"conditions", json::array{cond}}}}};
  auto res =
      client_->Patch(client::Pods(), pod->ns, pod->name, "application/strategic-merge-patch+json",
                     json::serialize(patch), "status");
  if (!res.ok() && !client::IsNotFoundError(res.status())) {
    spdlog::warn("scheduler: updating PodScheduled of {}: {}", pod->Key(),
                 std::string(res.status().message()));
  }
}

void Scheduler::WaitForBindings() { pool_->Wait(); }

void Scheduler::FlushEvents() {
  if (recorder_) recorder_->Flush();
}

SchedulerStats Scheduler::stats() const {
  return SchedulerStats{scheduled_.load(), failed_.load(), bind_errors_.load()};
}

}  // namespace skiff::scheduler
