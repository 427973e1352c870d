#include "skiff/controllers/tainteviction/taint_eviction_controller.h"

#include <chrono>

#include "skiff/api/object.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::tainteviction {

namespace json = boost::json;

namespace {

constexpr std::string_view kNodeKey = "node:";
constexpr std::string_view kPodKey = "pod:";
// Attempts at marking and deleting one pod, 10 ms apart (Kubernetes' retries).
constexpr int kDeleteAttempts = 5;
// The timer thread looks at the clock at least this often (an injected clock may jump).
constexpr absl::Duration kMaxTimerSleep = absl::Seconds(1);

std::vector<api::Taint> NoExecuteTaints(const json::value& node) {
  std::vector<api::Taint> out;
  for (api::Taint& t : api::ParseTaints(api::Find(node, {"spec", "taints"}))) {
    if (t.effect == api::kTaintEffectNoExecute) out.push_back(std::move(t));
  }
  return out;
}

// Semantic equality of two taint lists, timeAdded included.
bool SameTaints(const std::vector<api::Taint>& a, const std::vector<api::Taint>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i]) || a[i].time_added != b[i].time_added) return false;
  }
  return true;
}

const json::value& FieldOr(const json::value& obj, std::initializer_list<std::string_view> path) {
  static const json::value null;
  const json::value* v = api::Find(obj, path);
  return v == nullptr ? null : *v;
}

// The DisruptionTarget condition to write, as UpdatePodCondition would leave it; nullopt when
// the pod already carries it unchanged.
std::optional<json::object> DisruptionCondition(const json::value& pod, absl::Time now) {
  constexpr std::string_view kReason = "DeletionByTaintManager";
  constexpr std::string_view kMessage = "Taint manager: deleting due to NoExecute taint";
  std::string since = base::FormatRfc3339(now);
  if (const json::array* conds = api::GetArray(pod, {"status", "conditions"})) {
    for (const auto& c : *conds) {
      if (api::GetString(c, {"type"}) != "DisruptionTarget") continue;
      if (api::GetString(c, {"status"}) != "True") break;
      if (api::GetString(c, {"reason"}) == kReason && api::GetString(c, {"message"}) == kMessage &&
          FieldOr(c, {"lastProbeTime"}).is_null()) {
        return std::nullopt;
      }
      since = std::string(api::GetString(c, {"lastTransitionTime"}, since));
      break;
    }
  }
  return json::object{{"type", "DisruptionTarget"}, {"status", "True"},
                      {"lastProbeTime", nullptr},   {"lastTransitionTime", since},
                      {"reason", kReason},          {"message", kMessage}};
}

std::chrono::milliseconds ToChrono(absl::Duration d) {
  return std::chrono::milliseconds(
      std::max<int64_t>(0, absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1)))));
}

}  // namespace

TaintEvictionController::TaintEvictionController(client::Client* client,
                                                 client::InformerFactory& informers,
                                                 TaintEvictionOptions options)
    : client_(client),
      options_(options),
      clock_(*options.clock),
      pods_(informers.For(client::Pods())),
      nodes_(informers.For(client::Nodes())),
      node_pods_(pods_),
      recorder_(client, std::string(kControllerName), "", clock_) {
  auto gated = [gate = gate_, this](auto method) {
    return [gate, this, method](const client::ObjPtr& old_obj, const client::ObjPtr& obj) {
      std::shared_lock<std::shared_mutex> lock(gate->mu);
      if (gate->open) (this->*method)(old_obj, obj);
    };
  };
  auto node_update = gated(&TaintEvictionController::OnNodeUpdate);
  auto pod_update = gated(&TaintEvictionController::OnPodUpdate);
  nodes_.AddHandlers(
      {.on_add = [node_update](const client::ObjPtr& n) { node_update(nullptr, n); },
       .on_update = node_update,
       .on_delete = [node_update](const client::ObjPtr& n) { node_update(n, nullptr); }});
  pods_.AddHandlers(
      {.on_add = [pod_update](const client::ObjPtr& p) { pod_update(nullptr, p); },
       .on_update = pod_update,
       .on_delete = [pod_update](const client::ObjPtr& p) { pod_update(p, nullptr); }});
}

TaintEvictionController::~TaintEvictionController() {
  {
    std::unique_lock<std::shared_mutex> lock(gate_->mu);
    gate_->open = false;
  }
  Stop();
}

void TaintEvictionController::Start() {
  if (!workers_.empty()) return;
  spdlog::info("starting {}", kControllerName);
  workers_.emplace_back([this] { UpdateLoop(); });
  for (int i = 0; i < std::max(1, options_.deletion_workers); ++i) {
    workers_.emplace_back([this] { DeletionLoop(); });
  }
  timer_ = std::jthread([this](std::stop_token stop) { TimerLoop(stop); });
}

void TaintEvictionController::Stop() {
  updates_.ShutDown();
  deletions_.ShutDown();
  if (timer_.joinable()) {
    timer_.request_stop();
    timer_wake_.notify_all();
    timer_.join();
  }
  workers_.clear();  // joins
}

// ---------------------------------------------------------------------------------------------
// Handlers: enqueue only.

void TaintEvictionController::OnNodeUpdate(const client::ObjPtr& old_node,
                                           const client::ObjPtr& node) {
  const client::ObjPtr& any = node != nullptr ? node : old_node;
  if (old_node != nullptr && node != nullptr &&
      SameTaints(NoExecuteTaints(*old_node), NoExecuteTaints(*node))) {
    return;
  }
  updates_.Add(std::string(kNodeKey) + std::string(api::GetString(*any, {"metadata", "name"})));
}

void TaintEvictionController::OnPodUpdate(const client::ObjPtr& old_pod,
                                          const client::ObjPtr& pod) {
  const client::ObjPtr& any = pod != nullptr ? pod : old_pod;
  if (old_pod != nullptr && pod != nullptr &&
      FieldOr(*old_pod, {"spec", "tolerations"}) == FieldOr(*pod, {"spec", "tolerations"}) &&
      api::GetString(*old_pod, {"spec", "nodeName"}) ==
          api::GetString(*pod, {"spec", "nodeName"})) {
    return;
  }
  updates_.Add(std::string(kPodKey) + client::KeyOf(*any));
}

// ---------------------------------------------------------------------------------------------
// Decisions.

void TaintEvictionController::UpdateLoop() {
  while (auto key = updates_.Get()) {
    std::string_view k = *key;
    if (k.starts_with(kNodeKey)) {
      HandleNode(std::string(k.substr(kNodeKey.size())));
    } else if (k.starts_with(kPodKey)) {
      HandlePod(std::string(k.substr(kPodKey.size())));
    }
    updates_.Done(*key);
  }
}

void TaintEvictionController::HandleNode(const std::string& name) {
  std::lock_guard<std::mutex> lock(process_mu_);
  client::ObjPtr node = nodes_.Get("", name);
  if (node == nullptr) {
    tainted_.erase(name);
    return;
  }
  std::vector<api::Taint> taints = NoExecuteTaints(*node);
  bool had = tainted_.contains(name);
  if (taints.empty()) {
    tainted_.erase(name);
    if (!had) return;  // nothing was ever scheduled for its pods
  } else {
    tainted_[name] = taints;
  }
  // The taints are recorded before the pods are read: a pod the index does not show yet
  // arrives as a pod event and sees them.
  std::vector<client::ObjPtr> pods = node_pods_.On(name);
  if (taints.empty()) {
    for (const auto& pod : pods) CancelWithEvent(client::KeyOf(*pod));
    return;
  }
  absl::Time now = clock_.Now();
  for (const auto& pod : pods) {
    ProcessPod(client::KeyOf(*pod), name,
               api::ParseTolerations(api::Find(*pod, {"spec", "tolerations"})), taints, now);
  }
}

void TaintEvictionController::HandlePod(const std::string& key) {
  std::lock_guard<std::mutex> lock(process_mu_);
  auto [ns, name] = client::SplitKey(key);
  client::ObjPtr pod = pods_.Get(ns, name);
  if (pod == nullptr) {
    CancelWithEvent(key);
    return;
  }
  std::string node(api::GetString(*pod, {"spec", "nodeName"}));
  if (node.empty()) return;
  auto it = tainted_.find(node);
  if (it == tainted_.end()) return;  // untainted (or never seen): nothing to do
  ProcessPod(key, node, api::ParseTolerations(api::Find(*pod, {"spec", "tolerations"})), it->second,
             clock_.Now());
}

void TaintEvictionController::ProcessPod(const std::string& key, const std::string& node,
                                         const std::vector<api::Toleration>& tolerations,
                                         const std::vector<api::Taint>& taints, absl::Time now) {
  if (taints.empty()) {
    CancelWithEvent(key);
    return;
  }
  EvictionVerdict verdict = DecideEviction(taints, tolerations);
  switch (verdict.kind) {
    case EvictionVerdict::Kind::kNow:
      spdlog::debug("{}: not every taint of node {} is tolerated by pod {}", kControllerName, node,
                    key);
      CancelWithEvent(key);
      Schedule(key, now, now);
      return;
    case EvictionVerdict::Kind::kForever:
      CancelWithEvent(key);
      return;
    case EvictionVerdict::Kind::kAfter:
      break;
  }
  absl::Time start = now;
  absl::Time trigger = now + verdict.after;
  if (auto pending = evictions_.Pending(key)) {
    // An eviction counted from an earlier sighting of the taints stands.
    start = pending->created_at;
    if (start + verdict.after < trigger) return;
    CancelWithEvent(key);
  }
  Schedule(key, start, trigger);
}

void TaintEvictionController::Schedule(const std::string& key, absl::Time created_at,
                                       absl::Time fire_at) {
  evictions_.Add(key, created_at, fire_at);
  {
    std::lock_guard<std::mutex> lock(timer_mu_);
    timer_kicked_ = true;
  }
  timer_wake_.notify_all();
}

void TaintEvictionController::CancelWithEvent(const std::string& key) {
  if (evictions_.Cancel(key)) RecordPodEvent(key, "Cancelling deletion of Pod " + key);
}

std::optional<absl::Time> TaintEvictionController::ScheduledEviction(const std::string& key) const {
  auto pending = evictions_.Pending(key);
  if (!pending) return std::nullopt;
  return pending->fire_at;
}

void TaintEvictionController::RecordPodEvent(const std::string& key, std::string message) {
  auto [ns, name] = client::SplitKey(key);
  json::value ref = json::object{{"apiVersion", "v1"},
                                 {"kind", "Pod"},
                                 {"metadata", json::object{{"name", name}, {"namespace", ns}}}};
  recorder_.Record(ref, "Normal", "TaintManagerEviction", std::move(message));
}

// ---------------------------------------------------------------------------------------------
// Evictions.

void TaintEvictionController::TimerLoop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    for (std::string& key : evictions_.TakeDue(clock_.Now())) deletions_.Add(key);
    absl::Duration sleep = kMaxTimerSleep;
    if (auto next = evictions_.NextFire()) sleep = std::min(sleep, *next - clock_.Now());
    std::unique_lock<std::mutex> lock(timer_mu_);
    timer_wake_.wait_for(lock, stop, ToChrono(sleep), [this] { return timer_kicked_; });
    timer_kicked_ = false;
  }
}

void TaintEvictionController::DeletionLoop() {
  while (auto key = deletions_.Get()) {
    Evict(*key);
    deletions_.Done(*key);
  }
}

int TaintEvictionController::EvictDue() {
  int deleted = 0;
  for (const std::string& key : evictions_.TakeDue(clock_.Now())) deleted += Evict(key) ? 1 : 0;
  return deleted;
}

bool TaintEvictionController::Evict(const std::string& key) {
  spdlog::info("{}: deleting pod {}", kControllerName, key);
  RecordPodEvent(key, "Marking for deletion Pod " + key);
  auto [ns, name] = client::SplitKey(key);
  absl::Status s;
  for (int attempt = 0; attempt < kDeleteAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    s = MarkAndDelete(ns, name);
    if (s.ok()) break;
  }
  if (!s.ok() && !client::IsNotFoundError(s)) {
    spdlog::warn("{}: cannot delete pod {}: {}", kControllerName, key, std::string(s.message()));
  }
  evictions_.Finish(key, s.ok());
  return s.ok();
}

absl::Status TaintEvictionController::MarkAndDelete(const std::string& ns,
                                                    const std::string& name) {
  auto pod = client_->Get(client::Pods(), ns, name);
  if (!pod.ok()) return pod.status();
  std::string uid(api::GetString(*pod, {"metadata", "uid"}));
  if (auto condition = DisruptionCondition(*pod, clock_.Now())) {
    json::object patch{
        {"metadata", json::object{{"uid", uid}}},
        {"status", json::object{{"conditions", json::array{std::move(*condition)}}}}};
    auto res = client_->Patch(client::Pods(), ns, name, "application/strategic-merge-patch+json",
                              json::serialize(patch), "status");
    if (!res.ok()) return res.status();
  }
  client::DeleteOptions opts;
  opts.precondition_uid = uid;
  return client_->Delete(client::Pods(), ns, name, opts);
}

}  // namespace skiff::controllers::tainteviction
