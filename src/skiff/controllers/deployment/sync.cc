// Revisions and the new ReplicaSet, scaling (plain and proportional), history cleanup and
// status writes: Kubernetes' pkg/controller/deployment/sync.go.
#include "absl/strings/match.h"
#include "skiff/api/go_repr.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/base/strings.h"
#include "skiff/controllers/deployment/deployment_controller.h"
#include "skiff/controllers/deployment/util/hash.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::deployment {

namespace json = boost::json;

namespace {

void WriteAnnotations(json::value& obj, const Annotations& annotations) {
  json::object& meta = api::EnsureObject(obj, {"metadata"});
  if (annotations.empty()) {
    meta.erase("annotations");
    return;
  }
  json::value& a = meta["annotations"];
  if (!a.is_object()) a = json::object();
  json::object& out = a.get_object();
  // Update in place: keys keep their position, removed keys go.
  std::vector<std::string> gone;
  for (const auto& kv : out)
    if (!annotations.contains(std::string(kv.key()))) gone.emplace_back(kv.key());
  for (const auto& k : gone) out.erase(k);
  for (const auto& [k, v] : annotations) out[k] = v;
}

void SetMinReadySeconds(json::value& rs, int32_t seconds) {
  json::object& spec = api::EnsureObject(rs, {"spec"});
  if (seconds == 0) {
    spec.erase("minReadySeconds");  // omitempty, as Kubernetes stores it
  } else {
    spec["minReadySeconds"] = seconds;
  }
}

bool NamespaceTerminating(const absl::Status& s) {
  return absl::StrContains(s.message(), "because it is being terminated");
}

}  // namespace

RsList DeploymentController::Sets::All() const {
  RsList all = old_rss;
  if (new_rs != nullptr) all.push_back(new_rs);
  return all;
}

absl::Status DeploymentController::UpdateStatus(Deployment& d) {
  json::value obj = *d.object;
  WriteAnnotations(obj, d.annotations);
  obj.get_object()["status"] = d.status.ToJson();
  auto res = client_->Update(client::Deployments(), std::move(obj), "status");
  if (!res.ok()) return res.status();
  d.object = std::make_shared<const json::value>(std::move(*res));
  return absl::OkStatus();
}

absl::StatusOr<RsPtr> DeploymentController::UpdateReplicaSet(json::value obj) {
  auto res = client_->Update(client::ReplicaSets(), std::move(obj));
  if (!res.ok()) return res.status();
  return std::make_shared<const ReplicaSet>(
      ReplicaSet::FromJson(std::make_shared<const json::value>(std::move(*res))));
}

absl::StatusOr<DeploymentController::Sets> DeploymentController::GetAllReplicaSetsAndSyncRevision(
    Deployment& d, RsList& sets, bool create) {
  Sets out;
  out.old_rss = FindOldReplicaSets(d, sets);
  auto new_rs = GetNewReplicaSet(d, sets, out.old_rss, create);
  if (!new_rs.ok()) return new_rs.status();
  out.new_rs = *new_rs;
  return out;
}

absl::StatusOr<RsPtr> DeploymentController::GetNewReplicaSet(Deployment& d, RsList& sets,
                                                             const RsList& old_rss, bool create) {
  RsPtr existing = FindNewReplicaSet(d, sets);
  int64_t new_revision = MaxRevision(old_rss) + 1;
  if (existing == nullptr) {
    if (!create) return RsPtr();
    return CreateNewReplicaSet(d, old_rss, new_revision);
  }
  // The set exists: sync its annotations (and minReadySeconds) first; the resulting update
  // event brings us back to copy its revision onto the Deployment.
  Annotations annotations = existing->annotations;
  bool annotations_changed =
      SetNewReplicaSetAnnotations(d, &annotations, new_revision, true, kMaxRevisionHistoryChars);
  bool min_ready_changed =
      api::GetInt(*existing->object, {"spec", "minReadySeconds"}) != d.min_ready_seconds;
  if (annotations_changed || min_ready_changed) {
    json::value obj = *existing->object;
    WriteAnnotations(obj, annotations);
    SetMinReadySeconds(obj, d.min_ready_seconds);
    auto updated = UpdateReplicaSet(std::move(obj));
    if (!updated.ok()) return updated.status();
    // Later steps of this sync work from the stored set, not the stale cached one.
    for (RsPtr& rs : sets)
      if (rs->uid == (*updated)->uid) rs = *updated;
    return updated;
  }
  bool needs_update = SetDeploymentRevision(&d, annotations[std::string(kRevisionAnnotation)]);
  // Progress is measured from when the new set was first noticed.
  if (HasProgressDeadline(d) && GetCondition(d.status, kProgressing) == nullptr) {
    SetCondition(&d.status,
                 NewCondition(kProgressing, "True", kFoundNewRSReason,
                              api::Cat("Found new replica set ", api::GoQuote(existing->name)),
                              clock_.Now()));
    needs_update = true;
  }
  if (needs_update) {
    if (absl::Status s = UpdateStatus(d); !s.ok()) return s;
  }
  return existing;
}

absl::StatusOr<RsPtr> DeploymentController::CreateNewReplicaSet(Deployment& d,
                                                                const RsList& old_rss,
                                                                int64_t revision) {
  const json::value* tmpl = d.Template();
  if (tmpl == nullptr || !tmpl->is_object()) {
    return absl::InvalidArgumentError(
        api::Cat("deployment ", d.ns, "/", d.name, " has no template"));
  }
  std::string hash = ComputeHash(*tmpl, d.status.collision_count);
  std::string name = d.name + "-" + hash;

  json::value rs_template = *tmpl;
  json::object& labels = api::EnsureObject(rs_template, {"metadata", "labels"});
  labels[kPodTemplateHashLabel] = hash;
  json::value selector = d.Selector() != nullptr ? *d.Selector() : json::value(json::object());
  api::EnsureObject(selector, {"matchLabels"})[kPodTemplateHashLabel] = hash;

  ReplicaSet sizing;  // the set to be, at size 0
  sizing.name = name;
  RsList all = old_rss;
  all.push_back(std::make_shared<const ReplicaSet>(sizing));
  auto replicas = NewRSNewReplicas(d, all, sizing);
  if (!replicas.ok()) return replicas.status();

  Annotations annotations;
  SetNewReplicaSetAnnotations(d, &annotations, revision, false, kMaxRevisionHistoryChars);
  json::object meta{{"name", name},
                    {"namespace", d.ns},
                    {"labels", labels},
                    {"ownerReferences", json::array{ControllerRefTo(d)}}};
  json::value obj = json::object{{"apiVersion", "apps/v1"},
                                 {"kind", "ReplicaSet"},
                                 {"metadata", std::move(meta)},
                                 {"spec", json::object{{"replicas", *replicas},
                                                       {"selector", std::move(selector)},
                                                       {"template", std::move(rs_template)}}}};
  WriteAnnotations(obj, annotations);
  SetMinReadySeconds(obj, d.min_ready_seconds);

  bool already_exists = false;
  RsPtr created;
  auto res = client_->Create(client::ReplicaSets(), d.ns, std::move(obj));
  if (res.ok()) {
    created = std::make_shared<const ReplicaSet>(
        ReplicaSet::FromJson(std::make_shared<const json::value>(std::move(*res))));
  } else if (client::IsAlreadyExistsError(res.status())) {
    // A slow cache, or a hash collision: only an equal set we control is ours.
    auto cur = client_->Get(client::ReplicaSets(), d.ns, name);
    if (!cur.ok()) return cur.status();
    auto rs = std::make_shared<const ReplicaSet>(
        ReplicaSet::FromJson(std::make_shared<const json::value>(std::move(*cur))));
    if (rs->controller_uid == d.uid && rs->Template() != nullptr &&
        EqualIgnoreHash(*tmpl, *rs->Template())) {
      created = rs;
      already_exists = true;
    } else {
      int32_t before = d.status.collision_count.value_or(0);
      d.status.collision_count = before + 1;
      if (absl::Status s = UpdateStatus(d); s.ok()) {
        spdlog::info("deployment {}/{}: hash collision on {}, collisionCount {} -> {}", d.ns,
                     d.name, name, before, before + 1);
      }
      return res.status();
    }
  } else if (NamespaceTerminating(res.status())) {
    return res.status();  // every later create fails too; nothing to report
  } else {
    std::string msg = api::Cat("Failed to create new replica set ", api::GoQuote(name), ": ",
                               base::Std(res.status().message()));
    if (HasProgressDeadline(d)) {
      SetCondition(&d.status,
                   NewCondition(kProgressing, "False", kFailedRSCreateReason, msg, clock_.Now()));
      (void)UpdateStatus(d);  // the create error is the one to report
    }
    recorder_.Record(*d.object, "Warning", kFailedRSCreateReason, msg);
    return res.status();
  }

  if (!already_exists && *replicas > 0) {
    recorder_.Record(*d.object, "Normal", "ScalingReplicaSet",
                     api::Cat("Scaled up replica set ", created->name, " from 0 to ", *replicas));
  }
  bool needs_update = SetDeploymentRevision(&d, std::to_string(revision));
  if (!already_exists && HasProgressDeadline(d)) {
    SetCondition(&d.status,
                 NewCondition(kProgressing, "True", kNewReplicaSetReason,
                              api::Cat("Created new replica set ", api::GoQuote(created->name)),
                              clock_.Now()));
    needs_update = true;
  }
  if (needs_update) {
    if (absl::Status s = UpdateStatus(d); !s.ok()) return s;
  }
  return created;
}

absl::Status DeploymentController::SyncStatusOnly(Deployment& d, RsList& sets) {
  auto got = GetAllReplicaSetsAndSyncRevision(d, sets, false);
  if (!got.ok()) return got.status();
  return SyncDeploymentStatus(d, got->All(), got->new_rs);
}

absl::Status DeploymentController::SyncScaling(Deployment& d, RsList& sets) {
  auto got = GetAllReplicaSetsAndSyncRevision(d, sets, false);
  if (!got.ok()) return got.status();
  if (absl::Status s = Scale(d, got->new_rs, got->old_rss); !s.ok()) return s;
  // A paused Deployment still lets go of history (no rollback can be in flight here).
  if (d.paused && !d.annotations.contains(std::string(kRollbackToAnnotation))) {
    if (absl::Status s = CleanupDeployment(d, got->old_rss); !s.ok()) return s;
  }
  return SyncDeploymentStatus(d, got->All(), got->new_rs);
}

absl::Status DeploymentController::Scale(Deployment& d, const RsPtr& new_rs,
                                         const RsList& old_rss) {
  // One active set (or none): it takes the whole size.
  if (RsPtr only = FindActiveOrLatest(new_rs, old_rss)) {
    if (only->replicas == d.replicas) return absl::OkStatus();
    return ScaleReplicaSetAndRecordEvent(only, d.replicas, d).status();
  }
  // A saturated new set (e.g. just adopted) makes every old set redundant.
  if (IsSaturated(d, new_rs)) {
    for (const RsPtr& old : FilterActive(old_rss)) {
      if (auto s = ScaleReplicaSetAndRecordEvent(old, 0, d); !s.ok()) return s.status();
    }
    return absl::OkStatus();
  }
  // Several active sets mid-rollout: spread the change in proportion, so that scaling neither
  // hastens nor reverts the rollout.
  if (IsRollingUpdate(d)) {
    RsList all = old_rss;
    if (new_rs != nullptr) all.push_back(new_rs);
    for (const ScaleStep& step : ProportionalScale(d, FilterActive(all))) {
      if (auto s = ScaleReplicaSet(step.rs, step.replicas, d); !s.ok()) return s.status();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> DeploymentController::ScaleReplicaSetAndRecordEvent(const RsPtr& rs,
                                                                         int32_t replicas,
                                                                         const Deployment& d,
                                                                         RsPtr* updated) {
  if (rs->replicas == replicas) {
    if (updated != nullptr) *updated = rs;
    return false;
  }
  return ScaleReplicaSet(rs, replicas, d, updated);
}

absl::StatusOr<bool> DeploymentController::ScaleReplicaSet(const RsPtr& rs, int32_t replicas,
                                                           const Deployment& d, RsPtr* updated) {
  int32_t desired = d.replicas, max = d.replicas + MaxSurge(d);
  bool size_changed = rs->replicas != replicas;
  if (!size_changed && !ReplicasAnnotationsNeedUpdate(rs->annotations, desired, max)) {
    if (updated != nullptr) *updated = rs;
    return false;
  }
  json::value obj = *rs->object;
  api::EnsureObject(obj, {"spec"})["replicas"] = replicas;
  Annotations annotations = rs->annotations;
  SetReplicasAnnotations(&annotations, desired, max);
  WriteAnnotations(obj, annotations);
  auto res = UpdateReplicaSet(std::move(obj));
  if (!res.ok()) return res.status();
  if (size_changed) {
    recorder_.Record(*d.object, "Normal", "ScalingReplicaSet",
                     api::Cat("Scaled ", rs->replicas < replicas ? "up" : "down", " replica set ",
                              rs->name, " from ", rs->replicas, " to ", replicas));
  }
  if (updated != nullptr) *updated = *res;
  return size_changed;
}

absl::Status DeploymentController::CleanupDeployment(const Deployment& d, const RsList& old_rss) {
  for (const RsPtr& rs : HistoryToDelete(d, old_rss)) {
    absl::Status s = client_->Delete(client::ReplicaSets(), rs->ns, rs->name);
    // Stop at the first error rather than hammer a struggling server.
    if (!s.ok() && !client::IsNotFoundError(s)) return s;
  }
  return absl::OkStatus();
}

absl::Status DeploymentController::SyncDeploymentStatus(Deployment& d, const RsList& all,
                                                        const RsPtr& new_rs) {
  DeploymentStatus status = CalculateStatus(all, new_rs, d, clock_.Now());
  if (status == d.status) return absl::OkStatus();
  d.status = std::move(status);
  return UpdateStatus(d);
}

absl::StatusOr<bool> DeploymentController::IsScalingEvent(Deployment& d, RsList& sets) {
  auto got = GetAllReplicaSetsAndSyncRevision(d, sets, false);
  if (!got.ok()) return got.status();
  for (const RsPtr& rs : FilterActive(got->All())) {
    auto desired = IntAnnotation(rs->annotations, kDesiredReplicasAnnotation);
    if (desired.has_value() && *desired != d.replicas) return true;
  }
  return false;
}

absl::Status DeploymentController::CheckPausedConditions(Deployment& d) {
  if (!HasProgressDeadline(d)) return absl::OkStatus();
  const Condition* cond = GetCondition(d.status, kProgressing);
  // A reported timeout is not overwritten by pausing.
  if (cond != nullptr && cond->reason == kTimedOutReason) return absl::OkStatus();
  bool paused_condition = cond != nullptr && cond->reason == kPausedDeployReason;
  if (d.paused && !paused_condition) {
    SetCondition(&d.status, NewCondition(kProgressing, "Unknown", kPausedDeployReason,
                                         "Deployment is paused", clock_.Now()));
  } else if (!d.paused && paused_condition) {
    SetCondition(&d.status, NewCondition(kProgressing, "Unknown", kResumedDeployReason,
                                         "Deployment is resumed", clock_.Now()));
  } else {
    return absl::OkStatus();
  }
  return UpdateStatus(d);
}

}  // namespace skiff::controllers::deployment
