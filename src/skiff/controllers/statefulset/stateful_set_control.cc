// One reconcile of a StatefulSet (Kubernetes' stateful_set_control.go): revisions, then the
// replicas in ordinal order (create, replace failed pods, repair identity and storage), the
// retention references of condemned pods, scale-down from the highest ordinal, the rolling
// update, status, and history truncation.
#include <algorithm>
#include <mutex>

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/controllers/replicaset/slow_start.h"
#include "skiff/controllers/statefulset/identity.h"
#include "skiff/controllers/statefulset/rollout.h"
#include "skiff/controllers/statefulset/stateful_set_controller.h"

namespace skiff::controllers::statefulset {

namespace json = boost::json;

namespace {

// client-go's retry.DefaultRetry: the status update is tried up to five times on conflicts.
constexpr int kStatusUpdateAttempts = 5;
// Threads one parallel batch uses at most; in-process writes are cheap.
constexpr int kMaxBatchThreads = 64;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

std::string_view Name(const json::object& obj) {
  auto meta = obj.find("metadata");
  if (meta == obj.end()) return {};
  return api::GetString(meta->value(), {"name"});
}

}  // namespace

absl::StatusOr<SetStatus> StatefulSetController::UpdateStatefulSet(const json::value& set,
                                                                   const Pods& pods) {
  auto selector = api::LabelSelector::FromJson(api::Find(set, {"spec", "selector"}));
  if (!selector.ok()) return selector.status();
  std::vector<client::ObjPtr> listed =
      history_.ListControllerRevisions(set.get_object(), *selector);
  std::vector<const json::object*> sorted = history::Pointers(listed);
  history::SortControllerRevisions(sorted);

  auto revisions = GetStatefulSetRevisions(set, sorted);
  if (!revisions.ok()) return revisions.status();

  SetStatus status;
  status.observed_generation = api::GetInt(set, {"metadata", "generation"});
  status.current_revision = std::string(Name(revisions->current));
  status.update_revision = std::string(Name(revisions->update));
  status.collision_count = revisions->collision_count;

  absl::Status update_error = UpdatePods(set, *revisions, pods, status);
  // The status is written even when the pods could not all be reconciled.
  absl::Status status_error = UpdateSetStatus(set, status);
  absl::Status truncate_error = TruncateHistory(set, pods, sorted, &*revisions);
  if (!update_error.ok()) return update_error;
  if (!status_error.ok()) return status_error;
  if (!truncate_error.ok()) return truncate_error;
  CompleteRollingUpdate(set, status);
  return status;
}

absl::StatusOr<StatefulSetController::Revisions> StatefulSetController::GetStatefulSetRevisions(
    const json::value& set, const std::vector<const json::object*>& sorted) {
  Revisions out;
  out.collision_count = static_cast<int32_t>(api::GetInt(set, {"status", "collisionCount"}));
  json::object update = NewRevision(set, NextRevision(sorted), out.collision_count);
  std::vector<const json::object*> equal = history::FindEqualRevisions(sorted, update);
  if (!equal.empty() && history::EqualRevision(*sorted.back(), *equal.back())) {
    // The latest revision already records this template.
    out.update = *sorted.back();
  } else if (!equal.empty()) {
    // An older revision records it (a rollback): it becomes the newest by number.
    auto renumbered =
        history_.UpdateControllerRevision(*equal.back(), history::RevisionNumber(update));
    if (!renumbered.ok()) return renumbered.status();
    out.update = std::move(*renumbered);
  } else {
    auto created =
        history_.CreateControllerRevision(set.get_object(), update, &out.collision_count);
    if (!created.ok()) return created.status();
    out.update = std::move(*created);
  }
  std::string_view current_name = api::GetString(set, {"status", "currentRevision"});
  out.current = out.update;
  for (const json::object* r : sorted) {
    if (Name(*r) == current_name) {
      out.current = *r;
      break;
    }
  }
  return out;
}

absl::Status StatefulSetController::UpdatePods(const json::value& set, const Revisions& revisions,
                                               const Pods& pods, SetStatus& status) {
  auto current_set = ApplyRevision(set, revisions.current);
  if (!current_set.ok()) return current_set.status();
  auto update_set = ApplyRevision(set, revisions.update);
  if (!update_set.ok()) return update_set.status();
  const int64_t min_ready = api::GetInt(set, {"spec", "minReadySeconds"});
  const absl::Time now = clock_.Now();
  RecountStatus({&pods}, min_ready, now, status);

  // Replicas by ordinal - start; condemned: other parseable ordinals, highest first.
  const int start = StartOrdinal(set);
  Pods replicas(static_cast<size_t>(std::max(0, Replicas(set))));
  Pods condemned;
  for (const auto& pod : pods) {
    int ordinal = Ordinal(*pod);
    if (PodInOrdinalRange(*pod, set)) {
      replicas[ordinal - start] = pod;
    } else if (ordinal >= 0) {
      condemned.push_back(pod);
    }
  }
  for (size_t i = 0; i < replicas.size(); ++i) {
    if (replicas[i] != nullptr) continue;
    replicas[i] = std::make_shared<const json::value>(
        NewVersionedStatefulSetPod(*current_set, *update_set, status.current_revision,
                                   status.update_revision, start + static_cast<int>(i)));
  }
  std::stable_sort(condemned.begin(), condemned.end(),
                   [](const auto& a, const auto& b) { return Ordinal(*a) > Ordinal(*b); });
  auto recount = [&] { RecountStatus({&replicas, &condemned}, min_ready, now, status); };

  client::ObjPtr first_unavailable;
  for (const auto& pod : replicas) {
    if (first_unavailable == nullptr && IsUnavailable(*pod, min_ready, now))
      first_unavailable = pod;
  }
  for (auto it = condemned.rbegin(); it != condemned.rend(); ++it) {
    if (first_unavailable == nullptr && IsUnavailable(**it, min_ready, now))
      first_unavailable = *it;
  }

  // A set being deleted only gets its status.
  const json::value* deleting = api::Find(set, {"metadata", "deletionTimestamp"});
  if (deleting != nullptr && !deleting->is_null()) return absl::OkStatus();

  const bool monotonic = !AllowsBurst(set);
  auto stop = RunForAll(static_cast<int>(replicas.size()), monotonic, [&](int i) {
    return ProcessReplica(set, *update_set, monotonic, replicas, i);
  });
  if (!stop.ok() || *stop) {
    recount();
    return stop.status();
  }

  // Retention references of condemned pods' claims.
  stop =
      RunForAll(static_cast<int>(condemned.size()), monotonic, [&](int i) -> absl::StatusOr<bool> {
        auto match = ClaimsMatchRetentionPolicy(*update_set, *condemned[i]);
        if (!match.ok()) return match.status();
        if (!*match) {
          absl::Status s = UpdatePodClaimForRetentionPolicy(*update_set, *condemned[i]);
          if (!s.ok()) return s;
        }
        return false;
      });
  if (!stop.ok() || *stop) {
    recount();
    return stop.status();
  }

  // Scale down, highest ordinal first; in OrderedReady one at a time, only while healthy.
  stop = RunForAll(static_cast<int>(condemned.size()), monotonic, [&](int i) {
    return ProcessCondemned(set, first_unavailable, monotonic, condemned, i);
  });
  recount();
  if (!stop.ok() || *stop) return stop.status();

  // OnDelete: pods are replaced only when someone deletes them.
  if (api::GetString(set, {"spec", "updateStrategy", "type"}) == "OnDelete") {
    return absl::OkStatus();
  }
  int64_t partition = api::GetInt(set, {"spec", "updateStrategy", "rollingUpdate", "partition"});
  RollingUpdateStep step =
      NextRollingUpdateStep(replicas, status.update_revision, partition, min_ready, now);
  if (step.action != RollingUpdateStep::Action::kDelete) return absl::OkStatus();
  absl::Status s = DeleteStatefulPod(set, *replicas[step.index]);
  if (!s.ok() && !client::IsNotFoundError(s)) return s;
  --status.current_replicas;
  return absl::OkStatus();
}

absl::StatusOr<bool> StatefulSetController::ProcessReplica(const json::value& set,
                                                           const json::value& update_set,
                                                           bool monotonic, const Pods& replicas,
                                                           int i) {
  const json::value& pod = *replicas[i];
  const int64_t min_ready = api::GetInt(set, {"spec", "minReadySeconds"});
  // A failed (or completed) pod is deleted; the next sync recreates it with the same name.
  if (IsFailed(pod) || IsSucceeded(pod)) {
    if (!IsTerminating(pod)) {
      if (absl::Status s = DeleteStatefulPod(set, pod); !s.ok()) return s;
    }
    return true;
  }
  if (!IsCreated(pod)) {
    auto stale = PodClaimIsStale(set, pod);
    if (!stale.ok()) return stale.status();
    // A claim still owned by an earlier pod of this name: wait for the garbage collector.
    if (*stale) return true;
    if (absl::Status s = CreateStatefulPod(set, pod); !s.ok()) return s;
    if (monotonic) return true;
  }
  if (IsPending(pod)) {
    if (absl::Status s = CreateMissingPersistentVolumeClaims(set, pod); !s.ok()) return s;
  }
  if (monotonic) {
    absl::Time now = clock_.Now();
    if (IsTerminating(pod) || !IsRunningAndReady(pod) ||
        !IsRunningAndAvailable(pod, min_ready, now)) {
      return true;
    }
  }
  auto retention = ClaimsMatchRetentionPolicy(update_set, pod);
  // Errors are expected while the pod is being updated; count them as a match.
  bool retention_match = !retention.ok() || *retention;
  if (IdentityMatches(set, pod) && StorageMatches(set, pod) && retention_match) return false;
  if (absl::Status s = UpdateStatefulPod(update_set, pod); !s.ok()) return s;
  return false;
}

absl::StatusOr<bool> StatefulSetController::ProcessCondemned(
    const json::value& set, const client::ObjPtr& first_unavailable, bool monotonic,
    const Pods& condemned, int i) {
  const json::value& pod = *condemned[i];
  if (IsTerminating(pod)) return monotonic;
  const int64_t min_ready = api::GetInt(set, {"spec", "minReadySeconds"});
  bool first = condemned[i] == first_unavailable;
  if (monotonic && !first &&
      (!IsRunningAndReady(pod) || !IsRunningAndAvailable(pod, min_ready, clock_.Now()))) {
    return true;
  }
  absl::Status s = DeleteStatefulPod(set, pod);
  if (!s.ok()) return s;
  return true;
}

absl::StatusOr<bool> StatefulSetController::RunForAll(
    int n, bool monotonic, const std::function<absl::StatusOr<bool>(int)>& fn) {
  if (monotonic) {
    for (int i = 0; i < n; ++i) {
      auto stop = fn(i);
      if (!stop.ok()) return stop.status();
      if (*stop) return true;
    }
    return false;
  }
  // Slow-start batches (1, 2, 4, ... capped), each run concurrently; a failing batch ends it.
  int done = 0;
  for (int batch : replicaset::SlowStartBatchSizes(n, 1)) {
    while (batch > 0) {
      int size = std::min(batch, options_.max_batch_size);
      std::mutex mu;
      std::vector<std::string> errors;
      absl::StatusCode code = absl::StatusCode::kOk;
      replicaset::RunConcurrently(size, kMaxBatchThreads, [&](int k) {
        auto r = fn(done + k);
        if (r.ok()) return;
        std::lock_guard<std::mutex> lock(mu);
        if (code == absl::StatusCode::kOk) code = r.status().code();
        errors.push_back(Message(r.status()));
      });
      done += size;
      batch -= size;
      if (!errors.empty()) return absl::Status(code, api::Join(errors, "; "));
    }
  }
  return false;
}

absl::Status StatefulSetController::UpdateSetStatus(const json::value& set, SetStatus status) {
  CompleteRollingUpdate(set, status);
  if (!InconsistentStatus(set, status)) return absl::OkStatus();
  json::value obj = set;
  absl::Status last;
  for (int attempt = 0; attempt < kStatusUpdateAttempts; ++attempt) {
    obj.as_object()["status"] = StatusJson(status);
    auto res = client_->Update(client::StatefulSets(), obj, "status");
    if (res.ok()) return absl::OkStatus();
    last = res.status();
    if (!client::IsConflictError(last)) return last;
    // A newer copy: the informer's when it has one, else the server's.
    std::string ns(api::GetString(set, {"metadata", "namespace"}));
    std::string name(api::GetString(set, {"metadata", "name"}));
    client::ObjPtr cached = sets_.Get(ns, name);
    if (cached != nullptr && api::GetString(*cached, {"metadata", "resourceVersion"}) !=
                                 api::GetString(obj, {"metadata", "resourceVersion"})) {
      obj = *cached;
    } else {
      auto fresh = client_->Get(client::StatefulSets(), ns, name);
      if (!fresh.ok()) return fresh.status();
      obj = std::move(*fresh);
    }
  }
  return last;
}

absl::Status StatefulSetController::TruncateHistory(const json::value& set, const Pods& pods,
                                                    const std::vector<const json::object*>& sorted,
                                                    const Revisions* revisions) {
  std::set<std::string> live;
  if (revisions != nullptr) {
    live.insert(std::string(Name(revisions->current)));
    live.insert(std::string(Name(revisions->update)));
  }
  for (const auto& pod : pods) live.insert(PodRevision(*pod));
  int64_t limit = api::GetInt(set, {"spec", "revisionHistoryLimit"}, 10);
  for (const json::object* r : RevisionsToTruncate(sorted, live, limit)) {
    absl::Status s = history_.DeleteControllerRevision(*r);
    if (!s.ok() && !client::IsNotFoundError(s)) return s;
  }
  return absl::OkStatus();
}

}  // namespace skiff::controllers::statefulset
