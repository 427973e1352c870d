#include "skiff/controllers/statefulset/revisions.h"

#include "skiff/api/object.h"
#include "skiff/api/patch/schema.h"
#include "skiff/api/patch/strategic_merge.h"
#include "skiff/controllers/history/history.h"
#include "skiff/controllers/statefulset/identity.h"

namespace skiff::controllers::statefulset {

namespace json = boost::json;

json::object NewRevision(const json::value& set, int64_t revision, int32_t collision_count) {
  static const json::object kNoLabels;
  const json::object* labels = api::GetObject(set, {"spec", "template", "metadata", "labels"});
  const json::object& obj = set.get_object();
  return history::NewControllerRevision(obj, "apps/v1", "StatefulSet",
                                        labels == nullptr ? kNoLabels : *labels,
                                        history::TemplatePatch(obj), revision, collision_count);
}

absl::StatusOr<json::value> ApplyRevision(const json::value& set, const json::object& revision) {
  auto data = revision.find("data");
  if (data == revision.end()) return set;
  return api::patch::ApplyStrategicMergePatch(
      set, data->value(), api::patch::StrategicSchemaFor("apps", "StatefulSet"));
}

int64_t NextRevision(const std::vector<const json::object*>& sorted) {
  if (sorted.empty()) return 1;
  return history::RevisionNumber(*sorted.back()) + 1;
}

void AddReplicaCounts(const std::vector<client::ObjPtr>& pods, int64_t min_ready_seconds,
                      absl::Time now, SetStatus& status) {
  for (const auto& p : pods) {
    if (p == nullptr) continue;
    const json::value& pod = *p;
    bool created = IsCreated(pod);
    if (created) ++status.replicas;
    if (IsRunningAndReady(pod)) {
      ++status.ready_replicas;
      if (IsRunningAndAvailable(pod, min_ready_seconds, now)) ++status.available_replicas;
    }
    if (created && !IsTerminating(pod)) {
      std::string revision = PodRevision(pod);
      if (revision == status.current_revision) ++status.current_replicas;
      if (revision == status.update_revision) ++status.updated_replicas;
    }
  }
}

void RecountStatus(const std::vector<const std::vector<client::ObjPtr>*>& lists,
                   int64_t min_ready_seconds, absl::Time now, SetStatus& status) {
  status.replicas = status.ready_replicas = status.available_replicas = 0;
  status.current_replicas = status.updated_replicas = 0;
  for (const auto* list : lists) AddReplicaCounts(*list, min_ready_seconds, now, status);
}

void CompleteRollingUpdate(const json::value& set, SetStatus& status) {
  int replicas = Replicas(set);
  if (api::GetString(set, {"spec", "updateStrategy", "type"}) == "RollingUpdate" &&
      status.updated_replicas == replicas && status.ready_replicas == replicas &&
      status.replicas == replicas) {
    status.current_replicas = status.updated_replicas;
    status.current_revision = status.update_revision;
  }
}

bool InconsistentStatus(const json::value& set, const SetStatus& status) {
  auto get = [&](std::string_view field) { return api::GetInt(set, {"status", field}); };
  auto str = [&](std::string_view field) { return api::GetString(set, {"status", field}); };
  return status.observed_generation > get("observedGeneration") ||
         status.replicas != get("replicas") || status.current_replicas != get("currentReplicas") ||
         status.ready_replicas != get("readyReplicas") ||
         status.updated_replicas != get("updatedReplicas") ||
         status.current_revision != str("currentRevision") ||
         status.available_replicas != get("availableReplicas") ||
         status.update_revision != str("updateRevision");
}

json::object StatusJson(const SetStatus& status) {
  json::object out;
  if (status.observed_generation != 0) out["observedGeneration"] = status.observed_generation;
  out["replicas"] = status.replicas;
  if (status.ready_replicas != 0) out["readyReplicas"] = status.ready_replicas;
  if (status.current_replicas != 0) out["currentReplicas"] = status.current_replicas;
  if (status.updated_replicas != 0) out["updatedReplicas"] = status.updated_replicas;
  if (!status.current_revision.empty()) out["currentRevision"] = status.current_revision;
  if (!status.update_revision.empty()) out["updateRevision"] = status.update_revision;
  out["collisionCount"] = status.collision_count;
  out["availableReplicas"] = status.available_replicas;
  return out;
}

}  // namespace skiff::controllers::statefulset
