// The ReplicaSet controller's reconcile: claim pods (adopt / release), create or delete pods
// toward spec.replicas within the burst and expectations, then write status.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/apiserver/errors.h"
#include "skiff/controllers/common/controller_ref.h"
#include "skiff/controllers/replicaset/pod_state.h"
#include "skiff/controllers/replicaset/pod_template.h"
#include "skiff/controllers/replicaset/ranking.h"
#include "skiff/controllers/replicaset/replica_set_controller.h"
#include "skiff/controllers/replicaset/slow_start.h"
#include "skiff/controllers/replicaset/status.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::replicaset {

namespace json = boost::json;

namespace {

constexpr std::string_view kStrategicMerge = "application/strategic-merge-patch+json";
// Deletions of one sync share at most this many threads.
constexpr int kMaxDeleteThreads = 64;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

bool Deleting(const json::value& obj) {
  const json::value* d = api::Find(obj, {"metadata", "deletionTimestamp"});
  return d != nullptr && !d->is_null();
}

// Creating in a namespace being deleted fails for every pod; Kubernetes treats it as no error.
bool NamespaceTerminating(const absl::Status& s) {
  return apiserver::HttpCode(s) == 403 &&
         absl::StrContains(s.message(), "because it is being terminated");
}

std::chrono::milliseconds Millis(absl::Duration d) {
  return std::chrono::milliseconds(std::max<int64_t>(0, absl::ToInt64Milliseconds(d)));
}

}  // namespace

absl::Status ReplicaSetController::Sync(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  client::ObjPtr owner = owners_.Get(ns, name);
  if (owner == nullptr) {
    expectations_.Delete(key);
    return absl::OkStatus();
  }
  bool needs_sync = expectations_.Satisfied(key);
  auto selector = kind_.selector(*owner);
  if (!selector.ok()) {
    spdlog::warn("{}: {} has an invalid selector: {}", kind_.component, key,
                 Message(selector.status()));
    return absl::OkStatus();
  }

  // Every pod of the namespace: owned pods whose labels stopped matching must be released.
  std::vector<client::ObjPtr> active;
  for (auto& p : pods_.List(ns))
    if (IsPodActive(*p)) active.push_back(std::move(p));
  auto claimed = ClaimPods(*owner, *selector, active);
  if (!claimed.ok()) return claimed.status();

  absl::Status manage_error;
  if (needs_sync && !Deleting(*owner)) {
    manage_error = ManageReplicas(*claimed, *owner, key);
  } else if (std::optional<absl::Duration> wake = expectations_.TakeWakeUp(key)) {
    // No resync exists to rescue a lost event: look again when the expectations expire.
    queue_.AddAfter(key, Millis(*wake + absl::Milliseconds(1)));
  }

  absl::Time now = clock_.Now();
  json::object status = CalculateStatus(*owner, *claimed, manage_error, now);
  if (absl::Status s = UpdateStatus(*owner, status); !s.ok()) return s;
  if (manage_error.ok()) {
    int64_t min_ready = api::GetInt(*owner, {"spec", "minReadySeconds"});
    if (auto next = NextAvailableIn(*claimed, min_ready, now)) {
      queue_.AddAfter(key, Millis(*next + absl::Milliseconds(100)));
    }
  }
  return manage_error;
}

absl::Status ReplicaSetController::CanAdopt(const json::value& owner) {
  std::string ns(api::GetString(owner, {"metadata", "namespace"}));
  std::string name(api::GetString(owner, {"metadata", "name"}));
  // A fresh read: the cache may not show a deletion that just started.
  auto fresh = client_->Get(*kind_.resource, ns, name);
  if (!fresh.ok()) {
    return absl::UnavailableError("can't recheck DeletionTimestamp: " + Message(fresh.status()));
  }
  std::string_view uid = api::GetString(owner, {"metadata", "uid"});
  std::string_view fresh_uid = api::GetString(*fresh, {"metadata", "uid"});
  if (fresh_uid != uid) {
    return absl::UnavailableError(api::Cat("original ", kind_.kind, " ", ns, "/", name,
                                           " is gone: got uid ", fresh_uid, ", wanted ", uid));
  }
  if (Deleting(*fresh)) {
    return absl::UnavailableError(
        api::Cat(ns, "/", name, " has just been deleted at ",
                 api::GetString(*fresh, {"metadata", "deletionTimestamp"})));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<client::ObjPtr>> ReplicaSetController::ClaimPods(
    const json::value& owner, const api::LabelSelector& selector,
    const std::vector<client::ObjPtr>& pods) {
  std::string_view owner_uid = api::GetString(owner, {"metadata", "uid"});
  bool owner_deleting = Deleting(owner);
  bool usable = UsableSelector(selector);
  json::object ref = NewControllerRef(kind_.api_version, kind_.kind,
                                      api::GetString(owner, {"metadata", "name"}), owner_uid);
  std::optional<absl::Status> can_adopt;  // checked once, at the first adoption
  std::vector<client::ObjPtr> claimed;
  std::vector<std::string> errors;
  for (const auto& pod : pods) {
    bool matches = usable && selector.MatchesObject(*pod);
    std::string_view ns = api::GetString(*pod, {"metadata", "namespace"});
    std::string_view name = api::GetString(*pod, {"metadata", "name"});
    std::string_view uid = api::GetString(*pod, {"metadata", "uid"});
    switch (DecideClaim(*pod, owner_uid, matches, owner_deleting)) {
      case ClaimAction::kIgnore:
        break;
      case ClaimAction::kKeep:
        claimed.push_back(pod);
        break;
      case ClaimAction::kAdopt: {
        if (!can_adopt) can_adopt = CanAdopt(owner);
        if (!can_adopt->ok()) {
          errors.push_back(
              api::Cat("can't adopt Pod ", ns, "/", name, " (", uid, "): ", Message(*can_adopt)));
          break;
        }
        auto res = client_->Patch(client::Pods(), ns, name, kStrategicMerge, AdoptPatch(ref, uid));
        if (res.ok()) {
          claimed.push_back(pod);
        } else if (!client::IsNotFoundError(res.status())) {
          errors.push_back(Message(res.status()));
        }
        break;
      }
      case ClaimAction::kRelease: {
        auto res =
            client_->Patch(client::Pods(), ns, name, kStrategicMerge, ReleasePatch(owner_uid, uid));
        // Gone, or no longer carrying our reference (422): nothing left to release.
        if (!res.ok() && !client::IsNotFoundError(res.status()) &&
            apiserver::HttpCode(res.status()) != 422) {
          errors.push_back(Message(res.status()));
        }
        break;
      }
    }
  }
  if (!errors.empty()) return absl::UnavailableError(api::Join(errors, "; "));
  return claimed;
}

absl::Status ReplicaSetController::ManageReplicas(const std::vector<client::ObjPtr>& pods,
                                                  const json::value& owner,
                                                  const std::string& key) {
  int64_t replicas = api::GetInt(owner, {"spec", "replicas"}, 1);
  int64_t diff = static_cast<int64_t>(pods.size()) - replicas;
  if (diff < 0) {
    int count = static_cast<int>(std::min<int64_t>(-diff, options_.burst_replicas));
    return CreatePods(owner, count, key);
  }
  if (diff > 0) {
    int count = static_cast<int>(std::min<int64_t>(diff, options_.burst_replicas));
    return DeletePods(owner, pods, count, key);
  }
  return absl::OkStatus();
}

absl::Status ReplicaSetController::CreatePods(const json::value& owner, int count,
                                              const std::string& key) {
  // Expect them all before the first create: its watch event may arrive before it returns.
  expectations_.ExpectCreations(key, count);
  std::string ns(api::GetString(owner, {"metadata", "namespace"}));
  json::object ref =
      NewControllerRef(kind_.api_version, kind_.kind, api::GetString(owner, {"metadata", "name"}),
                       api::GetString(owner, {"metadata", "uid"}));
  const json::value pod = PodFromTemplate(owner, ref);
  const json::object* labels = api::GetObject(pod, {"metadata", "labels"});
  SlowStartResult result = SlowStartBatch(count, kSlowStartInitialBatchSize, [&]() -> absl::Status {
    if (labels == nullptr || labels->empty()) {
      return absl::InvalidArgumentError("unable to create pods, no labels");
    }
    auto created = client_->Create(client::Pods(), ns, pod);
    if (!created.ok()) {
      if (NamespaceTerminating(created.status())) return absl::OkStatus();
      recorder_.Record(owner, "Warning", "FailedCreate",
                       "Error creating: " + Message(created.status()));
      return created.status();
    }
    recorder_.Record(owner, "Normal", "SuccessfulCreate",
                     api::Cat("Created pod: ", api::GetString(*created, {"metadata", "name"})));
    return absl::OkStatus();
  });
  // Pods never created will never be observed.
  for (int i = result.successes; i < count; ++i) expectations_.CreationObserved(key);
  if (result.successes < count) {
    spdlog::info("{}: {} created {} of {} pods, skipping the rest: {}", kind_.component, key,
                 result.successes, count, Message(result.first_error));
  }
  return result.first_error;
}

absl::Status ReplicaSetController::DeletePods(const json::value& owner,
                                              const std::vector<client::ObjPtr>& pods, int count,
                                              const std::string& key) {
  std::vector<client::ObjPtr> victims =
      PodsToDelete(pods, IndirectlyRelatedPods(owner), count, clock_.Now());
  std::vector<std::string> pod_keys;
  pod_keys.reserve(victims.size());
  for (const auto& p : victims) pod_keys.push_back(PodKey(*p));
  expectations_.ExpectDeletions(key, pod_keys);

  std::mutex mu;
  absl::Status first_error;
  RunConcurrently(static_cast<int>(victims.size()), kMaxDeleteThreads, [&](int i) {
    const json::value& pod = *victims[i];
    std::string_view ns = api::GetString(pod, {"metadata", "namespace"});
    std::string_view name = api::GetString(pod, {"metadata", "name"});
    absl::Status s = client_->Delete(client::Pods(), ns, name);
    if (s.ok()) {
      recorder_.Record(owner, "Normal", "SuccessfulDelete", api::Cat("Deleted pod: ", name));
      return;
    }
    // This deletion will not be observed.
    expectations_.DeletionObserved(key, pod_keys[i]);
    if (client::IsNotFoundError(s)) return;
    recorder_.Record(owner, "Warning", "FailedDelete", "Error deleting: " + Message(s));
    std::lock_guard<std::mutex> lock(mu);
    if (first_error.ok()) {
      first_error = absl::Status(s.code(), "unable to delete pods: " + Message(s));
    }
  });
  return first_error;
}

std::vector<client::ObjPtr> ReplicaSetController::IndirectlyRelatedPods(
    const json::value& owner) const {
  const json::value* controller = ControllerRefOf(owner);
  if (controller == nullptr) return {};
  std::string_view controller_uid = api::GetString(*controller, {"uid"});
  std::string ns(api::GetString(owner, {"metadata", "namespace"}));
  std::vector<client::ObjPtr> pods = pods_.List(ns);
  std::vector<client::ObjPtr> related;
  std::set<std::string_view> seen;
  for (const auto& sibling : owners_.List(ns)) {
    const json::value* ref = ControllerRefOf(*sibling);
    if (ref == nullptr || api::GetString(*ref, {"uid"}) != controller_uid) continue;
    auto selector = kind_.selector(*sibling);
    if (!selector.ok() || !UsableSelector(*selector)) continue;
    for (const auto& p : pods) {
      if (!selector->MatchesObject(*p)) continue;
      if (seen.insert(api::GetString(*p, {"metadata", "uid"})).second) related.push_back(p);
    }
  }
  return related;
}

absl::Status ReplicaSetController::UpdateStatus(const json::value& owner,
                                                const json::object& status) {
  if (!StatusChanged(owner, status)) return absl::OkStatus();
  json::value obj = owner;
  obj.as_object()["status"] = status;
  // One retry with a fresh read, as Kubernetes' statusUpdateRetries.
  for (int attempt = 0;; ++attempt) {
    auto res = client_->Update(*kind_.resource, obj, "status");
    if (res.ok() || attempt >= 1) return res.status();
    auto fresh = client_->Get(*kind_.resource, api::GetString(owner, {"metadata", "namespace"}),
                              api::GetString(owner, {"metadata", "name"}));
    if (!fresh.ok()) return fresh.status();
    obj = std::move(*fresh);
    obj.as_object()["status"] = status;
  }
}

}  // namespace skiff::controllers::replicaset
