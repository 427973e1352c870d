#include "skiff/controllers/deployment/util/deployment_util.h"

#include <algorithm>
#include <cmath>

#include "skiff/api/go_repr.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/base/time.h"
#include "skiff/controllers/deployment/util/hash.h"

namespace skiff::controllers::deployment {

namespace {

int32_t ToInt32(int64_t v) {
  return static_cast<int32_t>(std::clamp<int64_t>(v, -kMaxInt32 - 1, kMaxInt32));
}

std::optional<int32_t> OptionalInt(const json::value& obj,
                                   std::initializer_list<std::string_view> path) {
  const json::value* v = api::Find(obj, path);
  if (v == nullptr || !(v->is_int64() || v->is_uint64() || v->is_double())) return std::nullopt;
  return ToInt32(api::GetInt(obj, path));
}

Annotations ReadAnnotations(const json::value& obj) {
  Annotations out;
  if (const json::object* a = api::GetObject(obj, {"metadata", "annotations"})) {
    for (const auto& kv : *a)
      if (kv.value().is_string()) out[std::string(kv.key())] = std::string(kv.value().get_string());
  }
  return out;
}

Condition ReadCondition(const json::value& c) {
  Condition out;
  out.type = std::string(api::GetString(c, {"type"}));
  out.status = std::string(api::GetString(c, {"status"}));
  out.reason = std::string(api::GetString(c, {"reason"}));
  out.message = std::string(api::GetString(c, {"message"}));
  out.last_update_time = std::string(api::GetString(c, {"lastUpdateTime"}));
  out.last_transition_time = std::string(api::GetString(c, {"lastTransitionTime"}));
  return out;
}

json::object ConditionJson(const Condition& c) {
  json::object o;
  o["type"] = c.type;
  o["status"] = c.status;
  if (!c.last_update_time.empty()) o["lastUpdateTime"] = c.last_update_time;
  if (!c.last_transition_time.empty()) o["lastTransitionTime"] = c.last_transition_time;
  if (!c.reason.empty()) o["reason"] = c.reason;
  if (!c.message.empty()) o["message"] = c.message;
  return o;
}

bool CreatedBefore(const RsPtr& a, const RsPtr& b) {
  if (a->created == b->created) return a->name < b->name;
  return a->created < b->created;
}

std::string Quote(std::string_view s) { return api::GoQuote(s); }

}  // namespace

// ---- views

DeploymentStatus DeploymentStatus::FromJson(const json::value* status) {
  DeploymentStatus s;
  if (status == nullptr || !status->is_object()) return s;
  s.observed_generation = api::GetInt(*status, {"observedGeneration"});
  s.replicas = ToInt32(api::GetInt(*status, {"replicas"}));
  s.updated_replicas = ToInt32(api::GetInt(*status, {"updatedReplicas"}));
  s.ready_replicas = ToInt32(api::GetInt(*status, {"readyReplicas"}));
  s.available_replicas = ToInt32(api::GetInt(*status, {"availableReplicas"}));
  s.unavailable_replicas = ToInt32(api::GetInt(*status, {"unavailableReplicas"}));
  s.collision_count = OptionalInt(*status, {"collisionCount"});
  if (const json::array* conds = api::GetArray(*status, {"conditions"})) {
    for (const auto& c : *conds) s.conditions.push_back(ReadCondition(c));
  }
  return s;
}

json::object DeploymentStatus::ToJson() const {
  json::object o;
  if (observed_generation != 0) o["observedGeneration"] = observed_generation;
  if (replicas != 0) o["replicas"] = replicas;
  if (updated_replicas != 0) o["updatedReplicas"] = updated_replicas;
  if (ready_replicas != 0) o["readyReplicas"] = ready_replicas;
  if (available_replicas != 0) o["availableReplicas"] = available_replicas;
  if (unavailable_replicas != 0) o["unavailableReplicas"] = unavailable_replicas;
  if (!conditions.empty()) {
    json::array arr;
    for (const auto& c : conditions) arr.push_back(ConditionJson(c));
    o["conditions"] = std::move(arr);
  }
  if (collision_count.has_value()) o["collisionCount"] = *collision_count;
  return o;
}

Deployment Deployment::FromJson(std::shared_ptr<const json::value> obj) {
  Deployment d;
  const json::value& o = *obj;
  d.name = std::string(api::GetString(o, {"metadata", "name"}));
  d.ns = std::string(api::GetString(o, {"metadata", "namespace"}));
  d.uid = std::string(api::GetString(o, {"metadata", "uid"}));
  d.generation = api::GetInt(o, {"metadata", "generation"});
  d.deleting = api::Find(o, {"metadata", "deletionTimestamp"}) != nullptr &&
               !api::Find(o, {"metadata", "deletionTimestamp"})->is_null();
  d.replicas = OptionalInt(o, {"spec", "replicas"}).value_or(1);
  d.strategy = std::string(api::GetString(o, {"spec", "strategy", "type"}, "RollingUpdate"));
  if (const json::value* v = api::Find(o, {"spec", "strategy", "rollingUpdate", "maxSurge"}))
    d.max_surge = *v;
  if (const json::value* v = api::Find(o, {"spec", "strategy", "rollingUpdate", "maxUnavailable"}))
    d.max_unavailable = *v;
  d.paused = api::GetBool(o, {"spec", "paused"});
  d.progress_deadline_seconds = OptionalInt(o, {"spec", "progressDeadlineSeconds"});
  d.revision_history_limit = OptionalInt(o, {"spec", "revisionHistoryLimit"});
  d.min_ready_seconds = ToInt32(api::GetInt(o, {"spec", "minReadySeconds"}));
  d.annotations = ReadAnnotations(o);
  d.status = DeploymentStatus::FromJson(api::Find(o, {"status"}));
  d.object = std::move(obj);
  return d;
}

const json::value* Deployment::Template() const {
  return object ? api::Find(*object, {"spec", "template"}) : nullptr;
}

const json::value* Deployment::Selector() const {
  return object ? api::Find(*object, {"spec", "selector"}) : nullptr;
}

ReplicaSet ReplicaSet::FromJson(std::shared_ptr<const json::value> obj) {
  ReplicaSet rs;
  const json::value& o = *obj;
  rs.name = std::string(api::GetString(o, {"metadata", "name"}));
  rs.ns = std::string(api::GetString(o, {"metadata", "namespace"}));
  rs.uid = std::string(api::GetString(o, {"metadata", "uid"}));
  if (auto t = base::ParseRfc3339(api::GetString(o, {"metadata", "creationTimestamp"})))
    rs.created = *t;
  rs.generation = api::GetInt(o, {"metadata", "generation"});
  rs.observed_generation = api::GetInt(o, {"status", "observedGeneration"});
  const json::value* del = api::Find(o, {"metadata", "deletionTimestamp"});
  rs.deleting = del != nullptr && !del->is_null();
  rs.replicas = OptionalInt(o, {"spec", "replicas"}).value_or(1);
  rs.status_replicas = ToInt32(api::GetInt(o, {"status", "replicas"}));
  rs.ready_replicas = ToInt32(api::GetInt(o, {"status", "readyReplicas"}));
  rs.available_replicas = ToInt32(api::GetInt(o, {"status", "availableReplicas"}));
  if (const json::array* refs = api::GetArray(o, {"metadata", "ownerReferences"})) {
    for (const auto& ref : *refs) {
      if (api::GetBool(ref, {"controller"})) {
        rs.controller_uid = std::string(api::GetString(ref, {"uid"}));
        break;
      }
    }
  }
  rs.annotations = ReadAnnotations(o);
  if (const json::array* conds = api::GetArray(o, {"status", "conditions"})) {
    for (const auto& c : *conds) {
      Condition cond = ReadCondition(c);
      if (cond.type != kReplicaFailure) continue;
      // ReplicaSet conditions carry no lastUpdateTime; Deployments use the transition time.
      cond.last_update_time = cond.last_transition_time;
      rs.failure_conditions.push_back(std::move(cond));
    }
  }
  rs.object = std::move(obj);
  return rs;
}

const json::value* ReplicaSet::Template() const {
  return object ? api::Find(*object, {"spec", "template"}) : nullptr;
}

// ---- maxSurge / maxUnavailable

absl::StatusOr<int32_t> ScaledValue(const json::value& v, int32_t total, bool round_up) {
  if (v.is_null()) return 0;
  if (v.is_int64() || v.is_uint64()) return ToInt32(api::GetInt(v, {}));
  if (v.is_string()) {
    std::string_view s = v.get_string();
    int64_t percent = 0;
    if (s.size() < 2 || s.back() != '%' || !api::ParseInt64(s.substr(0, s.size() - 1), &percent)) {
      return absl::InvalidArgumentError(
          "invalid value for IntOrString: invalid type: string is not a percentage");
    }
    double scaled = static_cast<double>(percent) * static_cast<double>(total) / 100.0;
    return ToInt32(static_cast<int64_t>(round_up ? std::ceil(scaled) : std::floor(scaled)));
  }
  return absl::InvalidArgumentError("invalid value for IntOrString: invalid type");
}

absl::StatusOr<Fenceposts> ResolveFenceposts(const json::value& max_surge,
                                             const json::value& max_unavailable, int32_t desired) {
  auto surge = ScaledValue(max_surge, desired, true);
  if (!surge.ok()) return surge.status();
  auto unavailable = ScaledValue(max_unavailable, desired, false);
  if (!unavailable.ok()) return unavailable.status();
  Fenceposts f{*surge, *unavailable};
  // Validation forbids 0/0, but rounding down can reach it; surge may not be possible (quota).
  if (f.surge == 0 && f.unavailable == 0) f.unavailable = 1;
  return f;
}

bool IsRollingUpdate(const Deployment& d) { return d.strategy == "RollingUpdate"; }

int32_t MaxSurge(const Deployment& d) {
  if (!IsRollingUpdate(d)) return 0;
  auto f = ResolveFenceposts(d.max_surge, d.max_unavailable, d.replicas);
  return f.ok() ? f->surge : 0;  // validation rejects bad values
}

int32_t MaxUnavailable(const Deployment& d) {
  if (!IsRollingUpdate(d) || d.replicas == 0) return 0;
  auto f = ResolveFenceposts(d.max_surge, d.max_unavailable, d.replicas);
  if (!f.ok()) return 0;
  return std::min(f->unavailable, d.replicas);
}

bool HasProgressDeadline(const Deployment& d) {
  return d.progress_deadline_seconds.has_value() && *d.progress_deadline_seconds != kMaxInt32;
}

bool HasRevisionHistoryLimit(const Deployment& d) {
  return d.revision_history_limit.has_value() && *d.revision_history_limit != kMaxInt32;
}

// ---- lists

void SortByCreation(RsList& list) { std::sort(list.begin(), list.end(), CreatedBefore); }

void SortBySizeNewer(RsList& list) {
  std::sort(list.begin(), list.end(), [](const RsPtr& a, const RsPtr& b) {
    if (a->replicas == b->replicas) return CreatedBefore(b, a);
    return a->replicas > b->replicas;
  });
}

void SortBySizeOlder(RsList& list) {
  std::sort(list.begin(), list.end(), [](const RsPtr& a, const RsPtr& b) {
    if (a->replicas == b->replicas) return CreatedBefore(a, b);
    return a->replicas > b->replicas;
  });
}

void SortByRevision(RsList& list) {
  std::sort(list.begin(), list.end(), [](const RsPtr& a, const RsPtr& b) {
    auto ra = Revision(*a), rb = Revision(*b);
    if (!ra || !rb || *ra == *rb) return CreatedBefore(a, b);
    return *ra < *rb;
  });
}

RsList FilterActive(const RsList& list) {
  RsList out;
  for (const auto& rs : list)
    if (rs != nullptr && rs->replicas > 0) out.push_back(rs);
  return out;
}

namespace {
template <typename F>
int32_t Sum(const RsList& list, F field) {
  int64_t total = 0;
  for (const auto& rs : list)
    if (rs != nullptr) total += field(*rs);
  return ToInt32(total);
}
}  // namespace

int32_t SumReplicas(const RsList& l) {
  return Sum(l, [](const ReplicaSet& rs) { return rs.replicas; });
}
int32_t SumStatusReplicas(const RsList& l) {
  return Sum(l, [](const ReplicaSet& rs) { return rs.status_replicas; });
}
int32_t SumReadyReplicas(const RsList& l) {
  return Sum(l, [](const ReplicaSet& rs) { return rs.ready_replicas; });
}
int32_t SumAvailableReplicas(const RsList& l) {
  return Sum(l, [](const ReplicaSet& rs) { return rs.available_replicas; });
}

std::optional<int64_t> Revision(const ReplicaSet& rs) {
  auto it = rs.annotations.find(std::string(kRevisionAnnotation));
  if (it == rs.annotations.end()) return 0;
  int64_t v = 0;
  if (!api::ParseInt64(it->second, &v)) return std::nullopt;
  return v;
}

int64_t MaxRevision(const RsList& list) {
  int64_t max = 0;
  for (const auto& rs : list) {
    if (rs == nullptr) continue;
    if (auto v = Revision(*rs); v && *v > max) max = *v;
  }
  return max;
}

int64_t LastRevision(const RsList& list) {
  int64_t max = 0, second = 0;
  for (const auto& rs : list) {
    if (rs == nullptr) continue;
    auto v = Revision(*rs);
    if (!v) continue;
    if (*v >= max) {
      second = max;
      max = *v;
    } else if (*v > second) {
      second = *v;
    }
  }
  return second;
}

RsPtr FindNewReplicaSet(const Deployment& d, RsList list) {
  const json::value* want = d.Template();
  if (want == nullptr) return nullptr;
  SortByCreation(list);
  // Several equal sets can exist (e.g. after upgrades); the oldest wins, deterministically.
  for (const auto& rs : list) {
    const json::value* have = rs->Template();
    if (have != nullptr && EqualIgnoreHash(*have, *want)) return rs;
  }
  return nullptr;
}

RsList FindOldReplicaSets(const Deployment& d, const RsList& list) {
  RsPtr new_rs = FindNewReplicaSet(d, list);
  RsList out;
  for (const auto& rs : list)
    if (new_rs == nullptr || rs->uid != new_rs->uid) out.push_back(rs);
  return out;
}

RsPtr FindActiveOrLatest(const RsPtr& new_rs, RsList old_rss) {
  if (new_rs == nullptr && old_rss.empty()) return nullptr;
  SortByCreation(old_rss);
  std::reverse(old_rss.begin(), old_rss.end());
  RsList all = old_rss;
  all.push_back(new_rs);
  RsList active = FilterActive(all);
  if (active.size() == 1) return active[0];
  if (!active.empty()) return nullptr;
  return new_rs != nullptr ? new_rs : old_rss[0];
}

std::optional<int32_t> IntAnnotation(const Annotations& a, std::string_view key) {
  auto it = a.find(std::string(key));
  if (it == a.end()) return std::nullopt;
  int64_t v = 0;
  if (!api::ParseInt64(it->second, &v) || v > kMaxInt32 || v < -kMaxInt32 - 1) return std::nullopt;
  return static_cast<int32_t>(v);
}

bool IsSaturated(const Deployment& d, const RsPtr& rs) {
  if (rs == nullptr) return false;
  auto desired = IntAnnotation(rs->annotations, kDesiredReplicasAnnotation);
  if (!desired) return false;
  return rs->replicas == d.replicas && *desired == d.replicas &&
         rs->available_replicas == d.replicas;
}

// ---- sizing

absl::StatusOr<int32_t> NewRSNewReplicas(const Deployment& d, const RsList& all,
                                         const ReplicaSet& new_rs) {
  if (d.strategy == "Recreate") return d.replicas;
  if (d.strategy != "RollingUpdate") {
    return absl::InvalidArgumentError(api::Cat("deployment type ", d.strategy, " isn't supported"));
  }
  auto surge = ScaledValue(d.max_surge, d.replicas, true);
  if (!surge.ok()) return surge.status();
  int64_t current = SumReplicas(all);
  int64_t max_total = static_cast<int64_t>(d.replicas) + *surge;
  if (current >= max_total) return new_rs.replicas;  // no room to surge
  int64_t up = std::min<int64_t>(max_total - current, d.replicas - new_rs.replicas);
  return ToInt32(new_rs.replicas + up);
}

namespace {
// getReplicaSetFraction: the set's share of the new size, minus its current size.
int32_t ReplicaSetFraction(const ReplicaSet& rs, const Deployment& d) {
  if (d.replicas == 0) return -rs.replicas;  // scaling to zero takes everything
  int64_t deployment_replicas = static_cast<int64_t>(d.replicas) + MaxSurge(d);
  // Without the annotation, the Deployment's current size stands in (an approximation the
  // min/max clamps in GetProportion keep within bounds).
  int64_t annotated =
      IntAnnotation(rs.annotations, kMaxReplicasAnnotation).value_or(d.status.replicas);
  // Kubernetes would divide by zero here; keeping the set's size is the safe reading.
  if (annotated <= 0) return 0;
  double size = static_cast<double>(rs.replicas) * static_cast<double>(deployment_replicas) /
                static_cast<double>(annotated);
  return ToInt32(static_cast<int64_t>(std::round(size)) - rs.replicas);
}
}  // namespace

int32_t GetProportion(const ReplicaSet& rs, const Deployment& d, int32_t to_add, int32_t added) {
  if (rs.replicas == 0 || to_add == 0 || to_add == added) return 0;
  int32_t fraction = ReplicaSetFraction(rs, d);
  int32_t allowed = to_add - added;
  // Never hand out more than is left to add (or remove).
  return to_add > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
}

std::vector<ScaleStep> ProportionalScale(const Deployment& d, RsList active) {
  int64_t allowed = d.replicas > 0 ? static_cast<int64_t>(d.replicas) + MaxSurge(d) : 0;
  int32_t to_add = ToInt32(allowed - SumReplicas(active));
  if (to_add > 0) SortBySizeNewer(active);
  if (to_add < 0) SortBySizeOlder(active);
  std::vector<ScaleStep> steps;
  int32_t added = 0;
  for (const auto& rs : active) {
    int32_t size = rs->replicas;
    if (to_add != 0) {
      int32_t p = GetProportion(*rs, d, to_add, added);
      size += p;
      added += p;
    }
    steps.push_back({rs, size});
  }
  if (!steps.empty() && to_add != 0) {
    steps[0].replicas = std::max(0, steps[0].replicas + (to_add - added));
  }
  return steps;
}

std::vector<ScaleStep> CleanupUnhealthyPlan(RsList old_rss, int32_t max_cleanup, bool* invalid) {
  *invalid = false;
  SortByCreation(old_rss);
  std::vector<ScaleStep> steps;
  int32_t total = 0;
  for (const auto& rs : old_rss) {
    if (total >= max_cleanup) break;
    if (rs->replicas == 0) continue;
    if (rs->replicas == rs->available_replicas) continue;  // nothing unhealthy
    int32_t down = std::min(max_cleanup - total, rs->replicas - rs->available_replicas);
    int32_t target = rs->replicas - down;
    if (target > rs->replicas) {
      // More available than desired (pods not gone yet): Kubernetes gives up this round.
      *invalid = true;
      return steps;
    }
    steps.push_back({rs, target});
    total += down;
  }
  return steps;
}

std::vector<ScaleStep> ScaleDownOldPlan(const Deployment& d, const RsList& all, RsList old_rss) {
  int32_t min_available = d.replicas - MaxUnavailable(d);
  int32_t available = SumAvailableReplicas(all);
  if (available <= min_available) return {};
  SortByCreation(old_rss);
  std::vector<ScaleStep> steps;
  int32_t budget = available - min_available, total = 0;
  for (const auto& rs : old_rss) {
    if (total >= budget) break;
    if (rs->replicas == 0) continue;
    int32_t down = std::min(rs->replicas, budget - total);
    steps.push_back({rs, rs->replicas - down});
    total += down;
  }
  return steps;
}

int32_t MaxScaledDown(const Deployment& d, const RsList& all, const ReplicaSet& new_rs) {
  int32_t min_available = d.replicas - MaxUnavailable(d);
  int32_t new_unavailable = new_rs.replicas - new_rs.available_replicas;
  return SumReplicas(all) - min_available - new_unavailable;
}

RsList HistoryToDelete(const Deployment& d, const RsList& old_rss) {
  if (!HasRevisionHistoryLimit(d)) return {};
  RsList cleanable;
  for (const auto& rs : old_rss)
    if (rs != nullptr && !rs->deleting) cleanable.push_back(rs);
  int64_t diff = static_cast<int64_t>(cleanable.size()) - *d.revision_history_limit;
  if (diff <= 0) return {};
  SortByRevision(cleanable);
  RsList out;
  for (int64_t i = 0; i < diff; ++i) {
    const ReplicaSet& rs = *cleanable[i];
    // Only sets that are fully scaled down and observed go.
    if (rs.status_replicas != 0 || rs.replicas != 0 || rs.generation > rs.observed_generation ||
        rs.deleting) {
      continue;
    }
    out.push_back(cleanable[i]);
  }
  return out;
}

json::object ControllerRefTo(const Deployment& d) {
  return json::object{{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
                      {"name", d.name},          {"uid", d.uid},
                      {"controller", true},      {"blockOwnerDeletion", true}};
}

// ---- annotations

bool SkipCopyAnnotation(std::string_view key) {
  return key == kLastAppliedAnnotation || key == kRevisionAnnotation ||
         key == kRevisionHistoryAnnotation || key == kDesiredReplicasAnnotation ||
         key == kMaxReplicasAnnotation || key == kRollbackToAnnotation;
}

bool SetReplicasAnnotations(Annotations* rs, int32_t desired, int32_t max) {
  bool changed = false;
  std::string d = std::to_string(desired), m = std::to_string(max);
  std::string& cur_d = (*rs)[std::string(kDesiredReplicasAnnotation)];
  if (cur_d != d) {
    cur_d = d;
    changed = true;
  }
  std::string& cur_m = (*rs)[std::string(kMaxReplicasAnnotation)];
  if (cur_m != m) {
    cur_m = m;
    changed = true;
  }
  return changed;
}

bool ReplicasAnnotationsNeedUpdate(const Annotations& rs, int32_t desired, int32_t max) {
  auto d = rs.find(std::string(kDesiredReplicasAnnotation));
  auto m = rs.find(std::string(kMaxReplicasAnnotation));
  return d == rs.end() || d->second != std::to_string(desired) || m == rs.end() ||
         m->second != std::to_string(max);
}

bool SetNewReplicaSetAnnotations(const Deployment& d, Annotations* rs, int64_t new_revision,
                                 bool exists, size_t history_limit_chars) {
  bool changed = false;
  for (const auto& [k, v] : d.annotations) {
    if (SkipCopyAnnotation(k)) continue;
    auto it = rs->find(k);
    if (it != rs->end() && it->second == v) continue;
    (*rs)[k] = v;
    changed = true;
  }
  std::string revision_key(kRevisionAnnotation);
  auto old_it = rs->find(revision_key);
  bool had_revision = old_it != rs->end();
  std::string old_revision = had_revision ? old_it->second : "";
  int64_t old_value = 0;
  if (!old_revision.empty() && !api::ParseInt64(old_revision, &old_value)) return false;
  if (old_value < new_revision) {
    (*rs)[revision_key] = std::to_string(new_revision);
    changed = true;
    // A set promoted again (a rollback or a re-applied template) remembers its old numbers.
    if (had_revision) {
      std::string history_key(kRevisionHistoryAnnotation);
      std::string history = (*rs)[history_key];
      if (history.empty()) {
        (*rs)[history_key] = old_revision;
      } else {
        std::vector<std::string_view> parts = api::Split(history, ',');
        size_t total = history.size() + old_revision.size() + 1, start = 0;
        while (total > history_limit_chars && start < parts.size()) {
          total -= parts[start].size() + 1;
          ++start;
        }
        if (total <= history_limit_chars) {
          std::vector<std::string> kept(parts.begin() + start, parts.end());
          kept.push_back(old_revision);
          (*rs)[history_key] = api::Join(kept, ",");
        }
      }
    }
  }
  if (!exists && SetReplicasAnnotations(rs, d.replicas, d.replicas + MaxSurge(d))) changed = true;
  return changed;
}

bool SetDeploymentRevision(Deployment* d, std::string_view revision) {
  std::string& cur = d->annotations[std::string(kRevisionAnnotation)];
  if (cur == revision) return false;
  cur = std::string(revision);
  return true;
}

Annotations RollbackAnnotations(const Annotations& deployment, const Annotations& rs) {
  Annotations out;
  for (const auto& [k, v] : deployment)
    if (SkipCopyAnnotation(k)) out[k] = v;
  for (const auto& [k, v] : rs)
    if (!SkipCopyAnnotation(k)) out[k] = v;
  return out;
}

// ---- status and conditions

Condition NewCondition(std::string_view type, std::string_view status, std::string_view reason,
                       std::string message, absl::Time now) {
  std::string t = base::FormatRfc3339(now);
  return Condition{
      std::string(type), std::string(status), std::string(reason), std::move(message), t, t};
}

const Condition* GetCondition(const DeploymentStatus& s, std::string_view type) {
  for (const auto& c : s.conditions)
    if (c.type == type) return &c;
  return nullptr;
}

void SetCondition(DeploymentStatus* s, Condition c) {
  const Condition* cur = GetCondition(*s, c.type);
  if (cur != nullptr && cur->status == c.status && cur->reason == c.reason) return;
  if (cur != nullptr && cur->status == c.status) c.last_transition_time = cur->last_transition_time;
  RemoveCondition(s, c.type);
  s->conditions.push_back(std::move(c));
}

void RemoveCondition(DeploymentStatus* s, std::string_view type) {
  std::erase_if(s->conditions, [&](const Condition& c) { return c.type == type; });
}

DeploymentStatus CalculateStatus(const RsList& all, const RsPtr& new_rs, const Deployment& d,
                                 absl::Time now) {
  DeploymentStatus s;
  int32_t available = SumAvailableReplicas(all);
  s.observed_generation = d.generation;
  s.replicas = SumStatusReplicas(all);
  s.updated_replicas = SumStatusReplicas({new_rs});
  s.ready_replicas = SumReadyReplicas(all);
  s.available_replicas = available;
  // More available than desired happens while scaling down; never report negative.
  s.unavailable_replicas = std::max(0, SumReplicas(all) - available);
  s.collision_count = d.status.collision_count;
  s.conditions = d.status.conditions;
  if (available >= d.replicas - MaxUnavailable(d)) {
    SetCondition(&s, NewCondition(kAvailable, "True", kMinimumReplicasAvailable,
                                  "Deployment has minimum availability.", now));
  } else {
    SetCondition(&s, NewCondition(kAvailable, "False", kMinimumReplicasUnavailable,
                                  "Deployment does not have minimum availability.", now));
  }
  return s;
}

bool DeploymentComplete(const Deployment& d, const DeploymentStatus& s) {
  return s.updated_replicas == d.replicas && s.replicas == d.replicas &&
         s.available_replicas == d.replicas && s.observed_generation >= d.generation;
}

bool DeploymentProgressing(const Deployment& d, const DeploymentStatus& s) {
  const DeploymentStatus& old = d.status;
  int32_t old_old = old.replicas - old.updated_replicas;
  int32_t new_old = s.replicas - s.updated_replicas;
  return s.updated_replicas > old.updated_replicas || new_old < old_old ||
         s.ready_replicas > old.ready_replicas || s.available_replicas > old.available_replicas;
}

bool DeploymentTimedOut(const Deployment& d, const DeploymentStatus& s, absl::Time now) {
  if (!HasProgressDeadline(d)) return false;
  const Condition* c = GetCondition(s, kProgressing);
  if (c == nullptr) return false;
  // A finished rollout is not re-judged (a stale cache may still show the old condition).
  if (c->reason == kNewRSAvailableReason) return false;
  if (c->reason == kTimedOutReason) return true;
  auto from = base::ParseRfc3339(c->last_update_time);
  if (!from) return false;
  return *from + absl::Seconds(*d.progress_deadline_seconds) < now;
}

void UpdateRolloutConditions(const Deployment& d, const RsList& all, const RsPtr& new_rs,
                             absl::Time now, DeploymentStatus* s) {
  if (!HasProgressDeadline(d)) RemoveCondition(s, kProgressing);
  std::optional<Condition> current;
  if (const Condition* c = GetCondition(d.status, kProgressing)) current = *c;
  bool complete_before = s->replicas == s->updated_replicas && current.has_value() &&
                         current->reason == kNewRSAvailableReason;
  if (HasProgressDeadline(d) && !complete_before) {
    std::string subject = new_rs != nullptr ? api::Cat("ReplicaSet ", Quote(new_rs->name))
                                            : api::Cat("Deployment ", Quote(d.name));
    if (DeploymentComplete(d, *s)) {
      SetCondition(s, NewCondition(kProgressing, "True", kNewRSAvailableReason,
                                   subject + " has successfully progressed.", now));
    } else if (DeploymentProgressing(d, *s)) {
      // Progress refreshes lastUpdateTime even with an unchanged reason.
      Condition c = NewCondition(kProgressing, "True", kReplicaSetUpdatedReason,
                                 subject + " is progressing.", now);
      if (current.has_value()) {
        if (current->status == "True") c.last_transition_time = current->last_transition_time;
        RemoveCondition(s, kProgressing);
      }
      SetCondition(s, std::move(c));
    } else if (DeploymentTimedOut(d, *s, now)) {
      SetCondition(s, NewCondition(kProgressing, "False", kTimedOutReason,
                                   subject + " has timed out progressing.", now));
    }
  }
  // The new set's failures win over old sets'; only one is reported.
  const Condition* failure = nullptr;
  if (new_rs != nullptr && !new_rs->failure_conditions.empty()) {
    failure = &new_rs->failure_conditions[0];
  }
  for (const auto& rs : all) {
    if (failure != nullptr) break;
    if (rs != nullptr && !rs->failure_conditions.empty()) failure = &rs->failure_conditions[0];
  }
  if (failure != nullptr) {
    SetCondition(s, *failure);
  } else {
    RemoveCondition(s, kReplicaFailure);
  }
}

std::optional<absl::Duration> ProgressCheckAfter(const Deployment& d, const DeploymentStatus& s,
                                                 absl::Time now) {
  const Condition* current = GetCondition(d.status, kProgressing);
  if (!HasProgressDeadline(d) || current == nullptr) return std::nullopt;
  if (DeploymentComplete(d, s) || current->reason == kTimedOutReason) return std::nullopt;
  auto from = base::ParseRfc3339(current->last_update_time);
  if (!from) return std::nullopt;
  absl::Duration after = *from + absl::Seconds(*d.progress_deadline_seconds) - now;
  if (after < absl::Seconds(1)) return absl::ZeroDuration();
  // A second more absorbs clock skew between the deadline and the queue's timer.
  return after + absl::Seconds(1);
}

}  // namespace skiff::controllers::deployment
