// The DaemonSet controller's update strategy and history (Kubernetes' daemon/update.go): one
// RollingUpdate step, the ControllerRevision for the current template (created, renumbered on
// rollback, deduplicated), and removal of old revisions beyond revisionHistoryLimit.
#include <set>

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/controllers/daemonset/daemon_pod.h"
#include "skiff/controllers/daemonset/daemon_set_controller.h"
#include "skiff/controllers/daemonset/revision.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::daemonset {

namespace json = boost::json;

namespace {

constexpr std::string_view kMergePatch = "application/merge-patch+json";
// apps/v1 default of spec.revisionHistoryLimit.
constexpr int64_t kDefaultRevisionHistoryLimit = 10;

std::string_view Name(const json::value& obj) { return api::GetString(obj, {"metadata", "name"}); }

std::string_view HashLabel(const json::object& obj) {
  const json::value* meta = obj.if_contains("metadata");
  return meta == nullptr
             ? std::string_view()
             : api::GetString(*meta, {"labels", std::string_view(kControllerRevisionHashLabel)});
}
std::string_view HashLabel(const json::value& obj) {
  return obj.is_object() ? HashLabel(obj.get_object()) : std::string_view();
}

bool HasHashLabel(const json::value& obj) {
  const json::object* labels = api::GetObject(obj, {"metadata", "labels"});
  return labels != nullptr && labels->contains(kControllerRevisionHashLabel);
}

}  // namespace

absl::Status DaemonSetController::RollingUpdate(const SyncState& s) {
  auto node_pods = NodesToDaemonPods(s, /*include_deleted_terminal=*/false);
  if (!node_pods.ok()) return node_pods.status();
  auto limits = ResolveLimits(*s.ds, s.fits);
  if (!limits.ok()) {
    return absl::Status(limits.status().code(), api::Cat("couldn't get unavailable numbers: ",
                                                         std::string(limits.status().message())));
  }
  RollingPlan plan = PlanRollingUpdate(*limits, s.fits, *node_pods, s.rev);
  return SyncNodes(s, plan.pods_to_delete, plan.nodes_to_create);
}

absl::StatusOr<DaemonSetController::Histories> DaemonSetController::ConstructHistory(
    const SyncState& s) {
  auto claimed =
      history_.ClaimControllerRevisions(s.ds->as_object(), "apps/v1", "DaemonSet", s.selector,
                                        revisions_.List(s.ns), [&] { return CanAdopt(s); });
  if (!claimed.ok()) return claimed.status();
  Histories h;
  std::vector<client::ObjPtr> current;
  for (client::ObjPtr rev : *claimed) {
    // Revisions written before the hash label existed get their name as the label.
    if (!HasHashLabel(*rev)) {
      json::value labelled = *rev;
      api::EnsureObject(labelled, {"metadata", "labels"})[kControllerRevisionHashLabel] =
          Name(*rev);
      auto updated = client_->Update(client::ControllerRevisions(), std::move(labelled));
      if (!updated.ok()) return updated.status();
      rev = std::make_shared<const json::value>(std::move(*updated));
    }
    (MatchesRevision(*s.ds, *rev) ? current : h.old).push_back(std::move(rev));
  }
  int64_t next_revision = history::MaxRevision(history::Pointers(h.old)) + 1;
  if (current.empty()) {
    auto created = Snapshot(s, next_revision);
    if (!created.ok()) return created.status();
    h.current = std::move(*created);
    return h;
  }
  auto kept = DedupCurrentHistories(s, current);
  if (!kept.ok()) return kept.status();
  h.current = std::move(*kept);
  // Rolled back to an older template: its revision becomes the newest.
  if (history::RevisionNumber(h.current) < next_revision) {
    auto renumbered = history_.UpdateControllerRevision(h.current, next_revision);
    if (!renumbered.ok()) return renumbered.status();
  }
  return h;
}

absl::StatusOr<json::object> DaemonSetController::Snapshot(const SyncState& s, int64_t revision) {
  std::string hash = DaemonSetHash(*s.ds);
  json::object rev = NewDaemonSetRevision(*s.ds, hash, revision);
  std::string rev_name(api::GetString(rev["metadata"], {"name"}));
  auto created = client_->Create(client::ControllerRevisions(), s.ns, json::value(rev));
  if (created.ok()) return std::move(created->as_object());
  if (!client::IsAlreadyExistsError(created.status())) return created.status();

  auto existing = client_->Get(client::ControllerRevisions(), s.ns, rev_name);
  if (!existing.ok()) return existing.status();
  // Created by an earlier sync whose informer event has not arrived yet.
  if (MatchesRevision(*s.ds, *existing)) return std::move(existing->as_object());

  // Another template under the same name: a hash collision. Bump collisionCount, unless the
  // count this hash was computed from was already stale.
  auto fresh = client_->Get(client::DaemonSets(), s.ns, s.name);
  if (!fresh.ok()) return fresh.status();
  const json::value* seen = api::Find(*s.ds, {"status", "collisionCount"});
  const json::value* stored = api::Find(*fresh, {"status", "collisionCount"});
  int64_t seen_count =
      seen != nullptr && !seen->is_null() ? api::GetInt(*s.ds, {"status", "collisionCount"}) : -1;
  int64_t stored_count = stored != nullptr && !stored->is_null()
                             ? api::GetInt(*fresh, {"status", "collisionCount"})
                             : -1;
  if (seen_count != stored_count) {
    return absl::UnavailableError(api::Cat("found a stale collision count (", seen_count,
                                           ", expected ", stored_count, ") of DaemonSet \"", s.name,
                                           "\" while processing; will retry until it is updated"));
  }
  json::object& status = api::EnsureObject(*fresh, {"status"});
  status["collisionCount"] = std::max<int64_t>(stored_count, 0) + 1;
  auto updated = client_->Update(client::DaemonSets(), std::move(*fresh), "status");
  if (!updated.ok()) return updated.status();
  spdlog::info("daemonset-controller: hash collision for DaemonSet {}, collisionCount now {}",
               s.key, std::max<int64_t>(stored_count, 0) + 1);
  return created.status();
}

absl::StatusOr<json::object> DaemonSetController::DedupCurrentHistories(
    const SyncState& s, const std::vector<client::ObjPtr>& current) {
  if (current.size() == 1) return current.front()->as_object();
  client::ObjPtr keep;
  int64_t max_revision = 0;
  for (const client::ObjPtr& rev : current) {
    int64_t n = history::RevisionNumber(rev->as_object());
    if (n >= max_revision) {
      keep = rev;
      max_revision = n;
    }
  }
  std::string keep_hash(HashLabel(*keep));
  auto pods = ClaimPods(s);
  if (!pods.ok()) return pods.status();
  // Pods of a duplicate move to the kept revision's hash before the duplicate goes.
  std::string relabel = json::serialize(json::value{
      {"metadata", {{"labels", {{std::string(kControllerRevisionHashLabel), keep_hash}}}}}});
  for (const client::ObjPtr& pod : *pods) {
    if (HashLabel(*pod) == keep_hash) continue;
    auto res = client_->Patch(client::Pods(), s.ns, Name(*pod), kMergePatch, relabel);
    if (!res.ok()) return res.status();
  }
  for (const client::ObjPtr& rev : current) {
    if (rev == keep) continue;
    if (absl::Status d = history_.DeleteControllerRevision(rev->as_object()); !d.ok()) return d;
  }
  return keep->as_object();
}

absl::Status DaemonSetController::CleanupHistory(const SyncState& s,
                                                 const std::vector<client::ObjPtr>& old) {
  // Terminal pods being deleted still pin their revision.
  auto node_pods = NodesToDaemonPods(s, /*include_deleted_terminal=*/true);
  if (!node_pods.ok()) return node_pods.status();
  int64_t limit =
      api::GetInt(*s.ds, {"spec", "revisionHistoryLimit"}, kDefaultRevisionHistoryLimit);
  int64_t to_kill = static_cast<int64_t>(old.size()) - limit;
  if (to_kill <= 0) return absl::OkStatus();
  std::set<std::string_view> live;
  for (const auto& [node, pods] : *node_pods) {
    for (const client::ObjPtr& pod : pods) {
      if (!HashLabel(*pod).empty()) live.insert(HashLabel(*pod));
    }
  }
  std::vector<const json::object*> oldest_first = history::Pointers(old);
  history::SortControllerRevisions(oldest_first);
  for (const json::object* rev : oldest_first) {
    if (to_kill <= 0) break;
    if (live.count(HashLabel(*rev))) continue;
    absl::Status d = history_.DeleteControllerRevision(*rev);
    if (!d.ok() && !client::IsNotFoundError(d)) return d;
    --to_kill;
  }
  return absl::OkStatus();
}

}  // namespace skiff::controllers::daemonset
