#include "skiff/controllers/nodelifecycle/node_lifecycle_controller.h"

#include <chrono>

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::nodelifecycle {

namespace json = boost::json;
using api::GetString;

namespace {

constexpr std::string_view kComponent = "node-controller";
constexpr std::string_view kLeaseNamespace = "kube-node-lease";
constexpr std::string_view kNodeKey = "node:";
constexpr std::string_view kPodKey = "pod:";
constexpr std::string_view kMergePatch = "application/merge-patch+json";
// Attempts at writing a node's health, 20 ms apart (NodeHealthUpdateRetry, retrySleepTime).
constexpr int kNodeHealthUpdateRetry = 5;
constexpr auto kRetrySleep = std::chrono::milliseconds(20);
// Attempts at a taint change, re-reading the node after a conflict.
constexpr int kTaintUpdateAttempts = 5;
constexpr auto kRequeueDelay = std::chrono::milliseconds(500);

std::string NameOf(const json::value& obj) {
  return std::string(GetString(obj, {"metadata", "name"}));
}

std::chrono::milliseconds ToChrono(absl::Duration d) {
  return std::chrono::milliseconds(std::max<int64_t>(0, absl::ToInt64Milliseconds(d)));
}

// Which beta labels follow which stable labels (labelReconcileInfo).
constexpr std::pair<std::string_view, std::string_view> kLabelPairs[] = {
    {"kubernetes.io/os", "beta.kubernetes.io/os"},
    {"kubernetes.io/arch", "beta.kubernetes.io/arch"},
};

}  // namespace

NodeLifecycleController::NodeLifecycleController(client::Client* client,
                                                 client::InformerFactory& informers,
                                                 NodeLifecycleOptions options)
    : client_(client),
      options_(options),
      clock_(*options.clock),
      timings_{options.node_monitor_grace_period, options.node_startup_grace_period},
      nodes_(informers.For(client::Nodes())),
      leases_(informers.For(client::Leases())),
      pods_(informers.For(client::Pods())),
      node_pods_(pods_),
      recorder_(client, std::string(kComponent), "", clock_) {
  auto gate = gate_;
  nodes_.AddHandlers({.on_add =
                          [gate, this](const client::ObjPtr& n) {
                            std::shared_lock<std::shared_mutex> lock(gate->mu);
                            if (gate->open) OnNode(n);
                          },
                      .on_update =
                          [gate, this](const client::ObjPtr&, const client::ObjPtr& n) {
                            std::shared_lock<std::shared_mutex> lock(gate->mu);
                            if (gate->open) OnNode(n);
                          }});
  pods_.AddHandlers({.on_add =
                         [gate, this](const client::ObjPtr& p) {
                           std::shared_lock<std::shared_mutex> lock(gate->mu);
                           if (gate->open) OnPod(nullptr, p);
                         },
                     .on_update =
                         [gate, this](const client::ObjPtr& old_pod, const client::ObjPtr& p) {
                           std::shared_lock<std::shared_mutex> lock(gate->mu);
                           if (gate->open) OnPod(old_pod, p);
                         }});
}

NodeLifecycleController::~NodeLifecycleController() {
  {
    std::unique_lock<std::shared_mutex> lock(gate_->mu);
    gate_->open = false;
  }
  Stop();
}

void NodeLifecycleController::Start() {
  if (!workers_.empty()) return;
  spdlog::info("starting node lifecycle controller (grace period {}, monitor period {})",
               absl::FormatDuration(options_.node_monitor_grace_period),
               absl::FormatDuration(options_.node_monitor_period));
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { WorkLoop(); });
  }
  tainting_ = std::jthread([this](std::stop_token stop) { TaintingLoop(stop); });
  monitor_ = std::jthread([this](std::stop_token stop) { MonitorLoop(stop); });
}

void NodeLifecycleController::Stop() {
  queue_.ShutDown();
  for (std::jthread* t : {&monitor_, &tainting_}) {
    if (!t->joinable()) continue;
    t->request_stop();
    loop_wake_.notify_all();
    t->join();
  }
  workers_.clear();  // joins
}

void NodeLifecycleController::MonitorLoop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    MonitorNodeHealth();
    std::unique_lock<std::mutex> lock(loop_mu_);
    loop_wake_.wait_for(lock, stop, ToChrono(options_.node_monitor_period), [] { return false; });
  }
}

void NodeLifecycleController::TaintingLoop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    DoNoExecuteTaintingPass();
    std::unique_lock<std::mutex> lock(loop_mu_);
    loop_wake_.wait_for(lock, stop, ToChrono(options_.tainting_period), [] { return false; });
  }
}

// ---------------------------------------------------------------------------------------------
// Handlers and workers.

void NodeLifecycleController::OnNode(const client::ObjPtr& node) {
  queue_.Add(api::Cat(kNodeKey, NameOf(*node)));
}

void NodeLifecycleController::OnPod(const client::ObjPtr& old_pod, const client::ObjPtr& pod) {
  std::string_view node = GetString(*pod, {"spec", "nodeName"});
  if (node.empty()) return;
  if (old_pod != nullptr && GetString(*old_pod, {"spec", "nodeName"}) == node) return;
  queue_.Add(api::Cat(kPodKey, client::KeyOf(*pod)));
}

void NodeLifecycleController::WorkLoop() {
  while (auto key = queue_.Get()) {
    std::string_view k = *key;
    absl::Status s;
    if (k.starts_with(kNodeKey)) {
      s = SyncNode(std::string(k.substr(kNodeKey.size())));
    } else if (k.starts_with(kPodKey)) {
      s = SyncPod(std::string(k.substr(kPodKey.size())));
    }
    if (!s.ok()) {
      spdlog::debug("node lifecycle: {} failed, retrying: {}", *key, std::string(s.message()));
      queue_.AddAfter(*key, kRequeueDelay);
    }
    queue_.Done(*key);
  }
}

absl::Status NodeLifecycleController::SyncNode(const std::string& name) {
  client::ObjPtr node = nodes_.Get("", name);
  if (node == nullptr) return absl::OkStatus();
  std::vector<api::Taint> want = ConditionTaints(*node);
  std::vector<api::Taint> have;
  for (api::Taint& t : api::ParseTaints(api::Find(*node, {"spec", "taints"}))) {
    if (IsConditionTaint(t)) have.push_back(std::move(t));
  }
  std::vector<api::Taint> add = TaintsMissingFrom(want, have);
  std::vector<api::Taint> remove = TaintsMissingFrom(have, want);
  absl::Status taints = absl::OkStatus();
  if (!add.empty() || !remove.empty()) taints = SwapNodeTaints(*node, add, remove);
  absl::Status labels = ReconcileNodeLabels(*node);
  return taints.ok() ? labels : taints;
}

absl::Status NodeLifecycleController::ReconcileNodeLabels(const json::value& node) {
  const json::object* labels = api::GetObject(node, {"metadata", "labels"});
  if (labels == nullptr) return absl::OkStatus();
  json::object update;
  for (auto [primary, secondary] : kLabelPairs) {
    const json::value* p = labels->if_contains(primary);
    if (p == nullptr) continue;
    const json::value* s = labels->if_contains(secondary);
    if (s == nullptr || *s != *p) update[secondary] = *p;
  }
  if (update.empty()) return absl::OkStatus();
  json::object patch{{"metadata", json::object{{"labels", std::move(update)}}}};
  return client_->Patch(client::Nodes(), "", NameOf(node), kMergePatch, json::serialize(patch))
      .status();
}

absl::Status NodeLifecycleController::SyncPod(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  client::ObjPtr pod = pods_.Get(ns, name);
  if (pod == nullptr) return absl::OkStatus();
  std::string node(GetString(*pod, {"spec", "nodeName"}));
  std::optional<NodeHealth> health = Health(node);
  if (!health) return absl::OkStatus();  // not looked at yet, or gone
  if (nodes_.Get("", node) == nullptr) {
    return absl::NotFoundError(api::Cat("node ", node, " is not in the cache"));
  }
  // Without a Ready condition the next monitor pass decides.
  if (!health->ready || health->ready->status == "True") return absl::OkStatus();
  return MarkPodsNotReady({pod}, node);
}

// ---------------------------------------------------------------------------------------------
// The monitor pass.

std::optional<NodeHealth> NodeLifecycleController::Health(const std::string& name) const {
  absl::MutexLock lock(&health_mu_);
  auto it = health_.find(name);
  if (it == health_.end()) return std::nullopt;
  return it->second;
}

void NodeLifecycleController::MonitorNodeHealth() {
  std::vector<client::ObjPtr> nodes = nodes_.List();
  std::set<std::string> present;
  std::vector<client::ObjPtr> added;
  for (const auto& n : nodes) {
    std::string name = NameOf(*n);
    present.insert(name);
    if (!known_nodes_.contains(name)) {
      added.push_back(n);
      continue;
    }
    bool new_zone;
    {
      absl::MutexLock lock(&zones_mu_);
      new_zone = !zone_states_.contains(ZoneKey(*n));
    }
    if (new_zone) AddZone(*n);
  }
  for (const auto& n : added) {
    std::string name = NameOf(*n);
    spdlog::info("node lifecycle: observed a new node {}", name);
    RecordNodeEvent(*n, "Normal", "RegisteredNode",
                    api::Cat("Node ", name, " event: Registered Node ", name, " in Controller"));
    known_nodes_[name] = std::string(GetString(*n, {"metadata", "uid"}));
    AddZone(*n);
    if (absl::Status s = MarkNodeAsReachable(*n); !s.ok()) {
      spdlog::warn("node lifecycle: cannot remove taints from node {}: {}", name,
                   std::string(s.message()));
    }
  }
  for (auto it = known_nodes_.begin(); it != known_nodes_.end();) {
    if (present.contains(it->first)) {
      ++it;
      continue;
    }
    spdlog::info("node lifecycle: observed deletion of node {}", it->first);
    json::value ref =
        json::object{{"metadata", json::object{{"name", it->first}, {"uid", it->second}}}};
    RecordNodeEvent(
        ref, "Normal", "RemovingNode",
        api::Cat("Node ", it->first, " event: Removing Node ", it->first, " from Controller"));
    {
      absl::MutexLock lock(&health_mu_);
      health_.erase(it->first);
    }
    retry_pods_.erase(it->first);
    it = known_nodes_.erase(it);
  }

  std::map<std::string, std::vector<std::optional<std::string>>> zone_ready;
  for (const auto& n : nodes) MonitorNode(n, zone_ready);
  HandleDisruption(zone_ready, nodes);
}

void NodeLifecycleController::MonitorNode(
    const client::ObjPtr& cached,
    std::map<std::string, std::vector<std::optional<std::string>>>& zone_ready) {
  client::ObjPtr current = cached;
  std::optional<HealthUpdate> update = UpdateNodeHealth(current);
  if (!update) return;  // no pods are touched for this node this time
  const json::value& node = *current;
  std::string name = NameOf(node);
  const json::object* labels = api::GetObject(node, {"metadata", "labels"});
  if (labels == nullptr || !labels->contains(kExcludeDisruptionLabel)) {
    zone_ready[ZoneKey(node)].push_back(update->current_ready);
  }
  if (update->current_ready) {
    const std::string& observed = update->observed_ready;
    bool went_down = *update->current_ready != "True" && observed == "True";
    ProcessTaintBasedEviction(node, observed);
    if (went_down) {
      spdlog::info("node lifecycle: node {} is not ready ({})", name, *update->current_ready);
      RecordNodeEvent(node, "Normal", "NodeNotReady",
                      api::Cat("Node ", name, " status is now: NodeNotReady"));
    }
    if (went_down || (retry_pods_.contains(name) && observed != "True")) {
      if (absl::Status s = MarkPodsNotReady(node_pods_.On(name), name); !s.ok()) {
        spdlog::warn("node lifecycle: cannot mark every pod of node {} not ready, will retry: {}",
                     name, std::string(s.message()));
        retry_pods_.insert(name);
        return;
      }
    }
  }
  retry_pods_.erase(name);
}

std::optional<HealthUpdate> NodeLifecycleController::UpdateNodeHealth(client::ObjPtr& node) {
  std::string name = NameOf(*node);
  for (int attempt = 0; attempt < kNodeHealthUpdateRetry; ++attempt) {
    std::optional<NodeHealth> saved = Health(name);
    client::ObjPtr lease = leases_.Get(std::string(kLeaseNamespace), name);
    HealthUpdate u =
        EvaluateNodeHealth(saved ? &*saved : nullptr, *node, lease.get(), clock_.Now(), timings_);
    if (!u.write) {
      absl::MutexLock lock(&health_mu_);
      health_[name] = u.health;
      return u;
    }
    json::value updated = *node;
    api::EnsureObject(updated, {"status"})["conditions"] = u.conditions;
    auto res = client_->Update(client::Nodes(), std::move(updated), "status");
    if (res.ok()) {
      {
        absl::MutexLock lock(&health_mu_);
        health_[name] = *u.written;
      }
      node = std::make_shared<const json::value>(std::move(*res));
      return u;
    }
    {
      absl::MutexLock lock(&health_mu_);
      health_[name] = u.health;
    }
    spdlog::warn("node lifecycle: cannot update the status of node {}: {}", name,
                 std::string(res.status().message()));
    std::this_thread::sleep_for(kRetrySleep);
    auto fresh = client_->Get(client::Nodes(), "", name);
    if (!fresh.ok()) {
      spdlog::warn("node lifecycle: cannot read node {} again (deleted?): {}", name,
                   std::string(fresh.status().message()));
      return std::nullopt;
    }
    node = std::make_shared<const json::value>(std::move(*fresh));
  }
  spdlog::warn("node lifecycle: giving up on the health of node {} for this pass", name);
  return std::nullopt;
}

void NodeLifecycleController::ProcessTaintBasedEviction(const json::value& node,
                                                        const std::string& observed) {
  // The two NoExecute taints mirror Ready False / Unknown and exclude each other: a node
  // already carrying the other one switches at once, without waiting for the zone's rate.
  auto swap_or_queue = [&](const api::Taint& want, const api::Taint& other) {
    if (HasTaint(node, other)) {
      if (absl::Status s = SwapNodeTaints(node, {want}, {other}); !s.ok()) {
        spdlog::warn("node lifecycle: cannot swap {} for {} on node {}: {}", other.ToString(),
                     want.ToString(), NameOf(node), std::string(s.message()));
      }
    } else {
      MarkNodeForTainting(node, observed);
    }
  };
  if (observed == "False") {
    swap_or_queue(NotReadyNoExecute(), UnreachableNoExecute());
  } else if (observed == "Unknown") {
    swap_or_queue(UnreachableNoExecute(), NotReadyNoExecute());
  } else if (observed == "True") {
    if (absl::Status s = MarkNodeAsReachable(node); !s.ok()) {
      spdlog::warn("node lifecycle: cannot remove taints from node {}: {}", NameOf(node),
                   std::string(s.message()));
    }
  }
}

bool NodeLifecycleController::MarkNodeForTainting(const json::value& node,
                                                  const std::string& status) {
  std::string name = NameOf(node);
  absl::MutexLock lock(&zones_mu_);
  auto it = zone_queues_.find(ZoneKey(node));
  if (it == zone_queues_.end()) return false;
  RateLimitedTimedQueue& q = *it->second;
  if ((status == "False" && !HasTaint(node, NotReadyNoExecute())) ||
      (status == "Unknown" && !HasTaint(node, UnreachableNoExecute()))) {
    q.Remove(name);
  }
  return q.Add(name, std::string(GetString(node, {"metadata", "uid"})), clock_.Now());
}

absl::Status NodeLifecycleController::MarkNodeAsReachable(const json::value& node) {
  absl::Status s = SwapNodeTaints(node, {}, {UnreachableNoExecute(), NotReadyNoExecute()});
  if (!s.ok()) return s;
  absl::MutexLock lock(&zones_mu_);
  if (auto it = zone_queues_.find(ZoneKey(node)); it != zone_queues_.end()) {
    it->second->Remove(NameOf(node));
  }
  return absl::OkStatus();
}

absl::Status NodeLifecycleController::MarkPodsNotReady(const std::vector<client::ObjPtr>& pods,
                                                       const std::string& node) {
  absl::Status first = absl::OkStatus();
  std::string now = base::FormatRfc3339(clock_.Now());
  for (const auto& pod : pods) {
    if (GetString(*pod, {"spec", "nodeName"}) != node) continue;
    const json::array* conds = api::GetArray(*pod, {"status", "conditions"});
    if (conds == nullptr) continue;
    bool update = false;
    for (const auto& c : *conds) {
      if (GetString(c, {"type"}) == "Ready") update = GetString(c, {"status"}) != "False";
    }
    if (!update) continue;
    // Only status and transition time change; reason and message stay (UpdatePodCondition).
    json::object patch{
        {"metadata", json::object{{"uid", GetString(*pod, {"metadata", "uid"})}}},
        {"status",
         json::object{{"conditions", json::array{json::object{{"type", "Ready"},
                                                              {"status", "False"},
                                                              {"lastTransitionTime", now}}}}}}};
    auto res =
        client_->Patch(client::Pods(), GetString(*pod, {"metadata", "namespace"}), NameOf(*pod),
                       "application/strategic-merge-patch+json", json::serialize(patch), "status");
    if (!res.ok()) {
      if (client::IsNotFoundError(res.status())) continue;  // already gone
      spdlog::warn("node lifecycle: cannot mark pod {} not ready: {}", client::KeyOf(*pod),
                   std::string(res.status().message()));
      if (first.ok()) first = res.status();
    }
    recorder_.Record(*pod, "Warning", "NodeNotReady", "Node is not ready");
  }
  return first;
}

// ---------------------------------------------------------------------------------------------
// Zones and NoExecute tainting.

void NodeLifecycleController::AddZone(const json::value& node) {
  std::string zone = ZoneKey(node);
  absl::MutexLock lock(&zones_mu_);
  if (zone_states_.contains(zone)) return;
  zone_states_[zone] = ZoneState::kInitial;
  zone_queues_[zone] =
      std::make_shared<RateLimitedTimedQueue>(options_.node_eviction_rate, clock_.Now());
}

void NodeLifecycleController::SetLimiterInZone(const std::string& zone, int zone_size,
                                               ZoneState state) {
  auto it = zone_queues_.find(zone);
  if (it == zone_queues_.end()) return;
  absl::Time now = clock_.Now();
  switch (state) {
    case ZoneState::kNormal:
    case ZoneState::kFullDisruption:  // (only some zones: evict as usual)
      it->second->SwapLimiter(options_.node_eviction_rate, now);
      break;
    case ZoneState::kPartialDisruption:
      // A large zone slows down; a small one stops.
      it->second->SwapLimiter(zone_size > options_.large_cluster_size_threshold
                                  ? options_.secondary_node_eviction_rate
                                  : 0,
                              now);
      break;
    case ZoneState::kInitial:
      break;
  }
}

void NodeLifecycleController::HandleDisruption(
    const std::map<std::string, std::vector<std::optional<std::string>>>& zone_ready,
    const std::vector<client::ObjPtr>& nodes) {
  std::map<std::string, ZoneState> new_states;
  bool all_are_fully_disrupted = true;
  std::vector<client::ObjPtr> reachable;  // nodes to untaint, outside the lock
  {
    absl::MutexLock lock(&zones_mu_);
    for (const auto& [zone, ready] : zone_ready) {
      ZoneHealth h = ComputeZoneState(ready, options_.unhealthy_zone_threshold);
      if (h.state != ZoneState::kFullDisruption) all_are_fully_disrupted = false;
      new_states[zone] = h.state;
      zone_states_.try_emplace(zone, ZoneState::kInitial);
    }
    bool all_were_fully_disrupted = true;
    for (auto it = zone_states_.begin(); it != zone_states_.end();) {
      if (!zone_ready.contains(it->first)) {
        it = zone_states_.erase(it);
        continue;
      }
      if (it->second != ZoneState::kFullDisruption) {
        all_were_fully_disrupted = false;
        break;
      }
      ++it;
    }
    if (all_are_fully_disrupted && all_were_fully_disrupted) return;
    if (all_are_fully_disrupted) {
      // Every node down at once: more likely the control plane lost them than they all died.
      // Stop tainting and give everything back.
      spdlog::warn("node lifecycle: no node is ready; entering master disruption mode");
      absl::Time now = clock_.Now();
      for (auto& [zone, q] : zone_queues_) {
        if (zone_states_.contains(zone)) q->SwapLimiter(0, now);
      }
      for (auto& [zone, state] : zone_states_) state = ZoneState::kFullDisruption;
      reachable = nodes;
    } else if (all_were_fully_disrupted) {
      spdlog::info("node lifecycle: some nodes are ready; leaving master disruption mode");
      absl::Time now = clock_.Now();
      {
        absl::MutexLock health_lock(&health_mu_);
        for (const auto& n : nodes) {
          auto it = health_.find(NameOf(*n));
          if (it == health_.end()) continue;
          it->second.probe_timestamp = now;
          it->second.ready_transition_timestamp = now;
        }
      }
      for (auto& [zone, state] : zone_states_) {
        auto next = new_states.find(zone);
        if (next == new_states.end()) continue;
        SetLimiterInZone(zone, static_cast<int>(zone_ready.at(zone).size()), next->second);
        state = next->second;
      }
    } else {
      for (auto& [zone, state] : zone_states_) {
        auto next = new_states.find(zone);
        if (next == new_states.end() || state == next->second) continue;
        spdlog::info("node lifecycle: zone \"{}\" is now {}", zone, ZoneStateName(next->second));
        SetLimiterInZone(zone, static_cast<int>(zone_ready.at(zone).size()), next->second);
        state = next->second;
      }
    }
  }
  for (const auto& n : reachable) {
    if (absl::Status s = MarkNodeAsReachable(*n); !s.ok()) {
      spdlog::warn("node lifecycle: cannot remove taints from node {}: {}", NameOf(*n),
                   std::string(s.message()));
    }
  }
}

void NodeLifecycleController::DoNoExecuteTaintingPass() {
  std::vector<std::shared_ptr<RateLimitedTimedQueue>> queues;
  {
    absl::MutexLock lock(&zones_mu_);
    for (const auto& [zone, q] : zone_queues_) queues.push_back(q);
  }
  for (const auto& q : queues) {
    q->Try(clock_, [this](const TimedValue& v) -> std::pair<bool, absl::Duration> {
      client::ObjPtr node = nodes_.Get("", v.value);
      if (node == nullptr) return {true, absl::ZeroDuration()};  // gone
      std::optional<std::string> ready = ConditionStatus(*node, "Ready");
      if (!ready) return {false, absl::Milliseconds(50)};
      api::Taint want, other;
      if (*ready == "False") {
        want = NotReadyNoExecute();
        other = UnreachableNoExecute();
      } else if (*ready == "Unknown") {
        want = UnreachableNoExecute();
        other = NotReadyNoExecute();
      } else {
        return {true, absl::ZeroDuration()};  // Ready again
      }
      absl::Status s = SwapNodeTaints(*node, {want}, {other});
      if (!s.ok()) {
        spdlog::warn("node lifecycle: cannot taint node {} with {}: {}", v.value, want.ToString(),
                     std::string(s.message()));
      } else {
        spdlog::info("node lifecycle: tainted node {} with {}", v.value, want.ToString());
      }
      return {s.ok(), absl::ZeroDuration()};
    });
  }
}

absl::Status NodeLifecycleController::SwapNodeTaints(const json::value& node,
                                                     const std::vector<api::Taint>& add,
                                                     const std::vector<api::Taint>& remove) {
  std::string name = NameOf(node);
  json::value current = node;
  absl::Status last = absl::OkStatus();
  for (int attempt = 0; attempt < kTaintUpdateAttempts; ++attempt) {
    if (attempt > 0) {
      auto fresh = client_->Get(client::Nodes(), "", name);
      if (!fresh.ok()) return fresh.status();
      current = std::move(*fresh);
    }
    std::optional<json::array> taints =
        SwapTaints(current, add, remove, base::FormatRfc3339(clock_.Now()));
    if (!taints) return absl::OkStatus();
    json::object meta;
    std::string_view rv = GetString(current, {"metadata", "resourceVersion"});
    if (!rv.empty()) meta["resourceVersion"] = rv;
    json::object patch{
        {"metadata", std::move(meta)},
        {"spec", json::object{{"taints", taints->empty() ? json::value(nullptr)
                                                         : json::value(std::move(*taints))}}}};
    auto res = client_->Patch(client::Nodes(), "", name, kMergePatch, json::serialize(patch));
    if (res.ok()) return absl::OkStatus();
    last = res.status();
    if (!client::IsConflictError(last)) return last;
  }
  return last;
}

void NodeLifecycleController::RecordNodeEvent(const json::value& node, std::string_view type,
                                              std::string_view reason, std::string message) {
  json::value ref =
      json::object{{"apiVersion", "v1"},
                   {"kind", "Node"},
                   {"metadata", json::object{{"name", GetString(node, {"metadata", "name"})},
                                             {"uid", GetString(node, {"metadata", "uid"})}}}};
  recorder_.Record(ref, type, reason, std::move(message));
}

std::optional<ZoneState> NodeLifecycleController::zone_state(const std::string& zone) const {
  absl::MutexLock lock(&zones_mu_);
  auto it = zone_states_.find(zone);
  if (it == zone_states_.end()) return std::nullopt;
  return it->second;
}

std::optional<double> NodeLifecycleController::zone_rate(const std::string& zone) const {
  absl::MutexLock lock(&zones_mu_);
  auto it = zone_queues_.find(zone);
  if (it == zone_queues_.end()) return std::nullopt;
  return it->second->qps();
}

}  // namespace skiff::controllers::nodelifecycle
