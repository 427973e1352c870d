#include "skiff/controllers/deployment/deployment_controller.h"

#include <algorithm>
#include <chrono>

#include "skiff/api/labels.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::deployment {

namespace json = boost::json;
using client::ObjPtr;

namespace {

// The ownerReference with controller=true, or nullptr.
const json::value* ControllerRef(const json::value& obj) {
  if (const json::array* refs = api::GetArray(obj, {"metadata", "ownerReferences"})) {
    for (const auto& ref : *refs)
      if (api::GetBool(ref, {"controller"})) return &ref;
  }
  return nullptr;
}

bool SameRef(const json::value* a, const json::value* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return *a == *b;
}

// Kubernetes' default controller rate limiter starts at 5 ms and doubles; capped lower here
// because nothing else (no periodic resync) would bring a dropped key back.
std::chrono::milliseconds Backoff(int failures) {
  int64_t ms = 5;
  for (int i = 1; i < failures && ms < 60000; ++i) ms *= 2;
  return std::chrono::milliseconds(std::min<int64_t>(ms, 60000));
}

}  // namespace

DeploymentController::DeploymentController(client::Client* client,
                                           client::InformerFactory* informers,
                                           DeploymentControllerOptions options)
    : client_(client),
      deployments_(informers->For(client::Deployments())),
      replicasets_(informers->For(client::ReplicaSets())),
      pods_(informers->For(client::Pods())),
      clock_(*options.clock),
      workers_count_(std::max(1, options.workers)),
      recorder_(client, "deployment-controller", "", *options.clock) {
  {
    absl::MutexLock lock(&guard_->mu);
    guard_->self = this;
  }
  auto g = guard_;
  deployments_.AddHandlers({
      .on_add = [g](const ObjPtr& d) { WithController(g, [&](auto& c) { c.Enqueue(d); }); },
      .on_update = [g](const ObjPtr&,
                       const ObjPtr& d) { WithController(g, [&](auto& c) { c.Enqueue(d); }); },
      // Syncs and finds nothing: the key leaves the queue.
      .on_delete = [g](const ObjPtr& d) { WithController(g, [&](auto& c) { c.Enqueue(d); }); },
  });
  replicasets_.AddHandlers({
      .on_add =
          [g](const ObjPtr& rs) { WithController(g, [&](auto& c) { c.OnReplicaSetAdd(rs); }); },
      .on_update =
          [g](const ObjPtr& o, const ObjPtr& n) {
            WithController(g, [&](auto& c) { c.OnReplicaSetUpdate(o, n); });
          },
      .on_delete =
          [g](const ObjPtr& rs) { WithController(g, [&](auto& c) { c.OnReplicaSetDelete(rs); }); },
  });
  pods_.AddHandlers({.on_add = nullptr, .on_update = nullptr, .on_delete = [g](const ObjPtr& pod) {
                       WithController(g, [&](auto& c) { c.OnPodDelete(pod); });
                     }});
}

DeploymentController::~DeploymentController() { Stop(); }

void DeploymentController::Start() {
  for (int i = 0; i < workers_count_; ++i) workers_.emplace_back([this] { Work(); });
}

void DeploymentController::Stop() {
  {
    absl::MutexLock lock(&guard_->mu);
    guard_->self = nullptr;
  }
  queue_.ShutDown();
  for (auto& w : workers_)
    if (w.joinable()) w.join();
  workers_.clear();
}

// ---- handlers (dispatch thread: read informers, enqueue, nothing else)

void DeploymentController::Enqueue(const ObjPtr& deployment) {
  queue_.Add(client::KeyOf(*deployment));
}

void DeploymentController::EnqueueAfter(const Deployment& d, absl::Duration after) {
  queue_.AddAfter(d.ns + "/" + d.name, std::chrono::milliseconds(absl::ToInt64Milliseconds(after)));
}

ObjPtr DeploymentController::ResolveControllerRef(std::string_view ns,
                                                  const json::value* ref) const {
  if (ref == nullptr || api::GetString(*ref, {"kind"}) != "Deployment") return nullptr;
  ObjPtr d = deployments_.Get(std::string(ns), std::string(api::GetString(*ref, {"name"})));
  if (d == nullptr || api::GetString(*d, {"metadata", "uid"}) != api::GetString(*ref, {"uid"}))
    return nullptr;  // same name, another object
  return d;
}

std::vector<ObjPtr> DeploymentController::DeploymentsSelecting(const json::value& rs) const {
  std::vector<ObjPtr> out;
  const json::object* labels = api::GetObject(rs, {"metadata", "labels"});
  if (labels == nullptr || labels->empty()) return out;
  for (const ObjPtr& d :
       deployments_.List(std::string(api::GetString(rs, {"metadata", "namespace"})))) {
    auto sel = api::LabelSelector::FromJson(api::Find(*d, {"spec", "selector"}));
    // An empty selector must match nothing here, not everything.
    if (!sel.ok() || sel->Empty() || sel->MatchesNothing() || !sel->Matches(labels)) continue;
    out.push_back(d);
  }
  return out;
}

void DeploymentController::OnReplicaSetAdd(const ObjPtr& rs) {
  const json::value* del = api::Find(*rs, {"metadata", "deletionTimestamp"});
  if (del != nullptr && !del->is_null()) {
    // Seen for the first time while being deleted (e.g. after a restart).
    OnReplicaSetDelete(rs);
    return;
  }
  std::string_view ns = api::GetString(*rs, {"metadata", "namespace"});
  if (const json::value* ref = ControllerRef(*rs)) {
    if (ObjPtr d = ResolveControllerRef(ns, ref)) Enqueue(d);
    return;
  }
  // An orphan: every Deployment that might adopt it takes a look.
  for (const ObjPtr& d : DeploymentsSelecting(*rs)) Enqueue(d);
}

void DeploymentController::OnReplicaSetUpdate(const ObjPtr& old_rs, const ObjPtr& cur_rs) {
  if (api::GetString(*old_rs, {"metadata", "resourceVersion"}) ==
      api::GetString(*cur_rs, {"metadata", "resourceVersion"})) {
    return;
  }
  std::string_view ns = api::GetString(*cur_rs, {"metadata", "namespace"});
  const json::value* old_ref = ControllerRef(*old_rs);
  const json::value* cur_ref = ControllerRef(*cur_rs);
  bool ref_changed = !SameRef(old_ref, cur_ref);
  if (ref_changed && old_ref != nullptr) {
    if (ObjPtr d = ResolveControllerRef(ns, old_ref)) Enqueue(d);
  }
  if (cur_ref != nullptr) {
    if (ObjPtr d = ResolveControllerRef(ns, cur_ref)) Enqueue(d);
    return;
  }
  const json::value* old_labels = api::Find(*old_rs, {"metadata", "labels"});
  const json::value* cur_labels = api::Find(*cur_rs, {"metadata", "labels"});
  if (ref_changed || !SameRef(old_labels, cur_labels)) {
    for (const ObjPtr& d : DeploymentsSelecting(*cur_rs)) Enqueue(d);
  }
}

void DeploymentController::OnReplicaSetDelete(const ObjPtr& rs) {
  // Nobody cares about orphans going away.
  if (ObjPtr d = ResolveControllerRef(api::GetString(*rs, {"metadata", "namespace"}),
                                      ControllerRef(*rs))) {
    Enqueue(d);
  }
}

void DeploymentController::OnPodDelete(const ObjPtr& pod) {
  // Recreate waits for old pods to be gone before it creates the new set.
  const json::value* ref = ControllerRef(*pod);
  if (ref == nullptr || api::GetString(*ref, {"kind"}) != "ReplicaSet") return;
  std::string ns(api::GetString(*pod, {"metadata", "namespace"}));
  ObjPtr rs = replicasets_.Get(ns, std::string(api::GetString(*ref, {"name"})));
  if (rs == nullptr || api::GetString(*rs, {"metadata", "uid"}) != api::GetString(*ref, {"uid"}))
    return;
  ObjPtr d = ResolveControllerRef(ns, ControllerRef(*rs));
  if (d != nullptr && api::GetString(*d, {"spec", "strategy", "type"}) == "Recreate") Enqueue(d);
}

// ---- workers

void DeploymentController::Work() {
  while (auto key = queue_.Get()) {
    absl::Status s = Sync(*key);
    HandleResult(*key, s);
    queue_.Done(*key);
  }
}

void DeploymentController::HandleResult(const std::string& key, const absl::Status& s) {
  int failures = 0;
  {
    absl::MutexLock lock(&mu_);
    if (s.ok()) {
      failures_.erase(key);
      return;
    }
    failures = ++failures_[key];
  }
  // Conflicts are the normal price of acting on a cache; say so quietly.
  if (client::IsConflictError(s) || client::IsNotFoundError(s)) {
    spdlog::debug("deployment {}: retrying: {}", key, std::string(s.message()));
  } else {
    spdlog::info("deployment {}: sync failed (attempt {}): {}", key, failures,
                 std::string(s.message()));
  }
  queue_.AddAfter(key, Backoff(failures));
}

// ---- the sync loop (Kubernetes' syncDeployment)

absl::Status DeploymentController::Sync(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  ObjPtr obj = deployments_.Get(ns, name);
  if (obj == nullptr) return absl::OkStatus();  // deleted
  Deployment d = Deployment::FromJson(obj);

  auto selector = api::LabelSelector::FromJson(d.Selector());
  if (selector.ok() && selector->Empty()) {
    recorder_.Record(*d.object, "Warning", "SelectingAll",
                     "This deployment is selecting all pods. A non-empty selector is required.");
    if (d.status.observed_generation < d.generation) {
      d.status.observed_generation = d.generation;
      return UpdateStatus(d);
    }
    return absl::OkStatus();
  }

  auto sets = ClaimReplicaSets(d);
  if (!sets.ok()) return sets.status();
  if (d.deleting) return SyncStatusOnly(d, *sets);
  // Pausing and resuming reset the progress clock before anything else.
  if (absl::Status s = CheckPausedConditions(d); !s.ok()) return s;
  if (d.paused) return SyncScaling(d, *sets);
  if (auto it = d.annotations.find(std::string(kRollbackToAnnotation)); it != d.annotations.end()) {
    int64_t revision = 0;
    if (api::ParseInt64(it->second, &revision)) return Rollback(d, *sets);
  }
  auto scaling = IsScalingEvent(d, *sets);
  if (!scaling.ok()) return scaling.status();
  if (*scaling) return SyncScaling(d, *sets);
  if (d.strategy == "Recreate") return RolloutRecreate(d, *sets);
  if (d.strategy == "RollingUpdate") return RolloutRolling(d, *sets);
  return absl::InvalidArgumentError(api::Cat("unexpected deployment strategy type: ", d.strategy));
}

// ---- adoption and release (Kubernetes' ControllerRefManager for ReplicaSets)

absl::Status DeploymentController::CanAdopt(const Deployment& d) {
  auto fresh = client_->Get(client::Deployments(), d.ns, d.name);
  if (!fresh.ok()) return fresh.status();
  std::string_view uid = api::GetString(*fresh, {"metadata", "uid"});
  if (uid != d.uid) {
    return absl::FailedPreconditionError(api::Cat("original Deployment ", d.ns, "/", d.name,
                                                  " is gone: got uid ", uid, ", wanted ", d.uid));
  }
  const json::value* del = api::Find(*fresh, {"metadata", "deletionTimestamp"});
  if (del != nullptr && !del->is_null()) {
    return absl::FailedPreconditionError(
        api::Cat(d.ns, "/", d.name, " has just been deleted at ", api::GetString(*del, {})));
  }
  return absl::OkStatus();
}

absl::StatusOr<RsPtr> DeploymentController::Adopt(const ReplicaSet& rs, const Deployment& d) {
  json::value obj = *rs.object;
  json::value& refs = api::EnsureObject(obj, {"metadata"})["ownerReferences"];
  if (!refs.is_array()) refs = json::array();
  refs.get_array().push_back(ControllerRefTo(d));
  return UpdateReplicaSet(std::move(obj));
}

absl::Status DeploymentController::Release(const ReplicaSet& rs, const Deployment& d) {
  json::value obj = *rs.object;
  json::object& meta = api::EnsureObject(obj, {"metadata"});
  json::array kept;
  if (const json::array* refs = api::GetArray(obj, {"metadata", "ownerReferences"})) {
    for (const auto& ref : *refs)
      if (api::GetString(ref, {"uid"}) != d.uid) kept.push_back(ref);
  }
  if (kept.empty()) {
    meta.erase("ownerReferences");
  } else {
    meta["ownerReferences"] = std::move(kept);
  }
  return UpdateReplicaSet(std::move(obj)).status();
}

absl::StatusOr<RsList> DeploymentController::ClaimReplicaSets(const Deployment& d) {
  auto selector = api::LabelSelector::FromJson(d.Selector());
  if (!selector.ok()) {
    return absl::InvalidArgumentError(
        api::Cat("deployment ", d.ns, "/", d.name,
                 " has invalid label selector: ", std::string(selector.status().message())));
  }
  RsList claimed;
  absl::Status first_error;
  std::optional<absl::Status> can_adopt;  // checked once, on the first adoption
  for (const ObjPtr& obj : replicasets_.List(d.ns)) {
    ReplicaSet rs = ReplicaSet::FromJson(obj);
    bool matches = selector->MatchesObject(*obj);
    if (!rs.controller_uid.empty()) {
      if (rs.controller_uid != d.uid) continue;  // someone else's
      if (matches) {
        claimed.push_back(std::make_shared<const ReplicaSet>(std::move(rs)));
        continue;
      }
      if (d.deleting) continue;  // no releasing while being deleted
      absl::Status s = Release(rs, d);
      if (!s.ok() && !client::IsNotFoundError(s) && first_error.ok()) first_error = s;
      continue;
    }
    if (d.deleting || !matches || rs.deleting) continue;
    if (!can_adopt.has_value()) can_adopt = CanAdopt(d);
    if (!can_adopt->ok()) {
      if (first_error.ok()) first_error = *can_adopt;
      continue;
    }
    auto adopted = Adopt(rs, d);
    if (adopted.ok()) {
      claimed.push_back(*adopted);
    } else if (!client::IsNotFoundError(adopted.status()) && first_error.ok()) {
      first_error = adopted.status();
    }
  }
  if (!first_error.ok()) return first_error;
  return claimed;
}

std::map<std::string, std::vector<ObjPtr>> DeploymentController::PodsBySet(
    const Deployment& d, const RsList& sets) const {
  std::map<std::string, std::vector<ObjPtr>> out;
  for (const auto& rs : sets) out[rs->uid];
  auto selector = api::LabelSelector::FromJson(d.Selector());
  if (!selector.ok()) return out;
  for (const ObjPtr& pod : pods_.List(d.ns)) {
    if (!selector->MatchesObject(*pod)) continue;
    const json::value* ref = ControllerRef(*pod);
    if (ref == nullptr) continue;
    auto it = out.find(std::string(api::GetString(*ref, {"uid"})));
    if (it != out.end()) it->second.push_back(pod);
  }
  return out;
}

}  // namespace skiff::controllers::deployment
