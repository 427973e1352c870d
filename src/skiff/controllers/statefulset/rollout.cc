#include "skiff/controllers/statefulset/rollout.h"

#include "skiff/api/object.h"
#include "skiff/controllers/statefulset/identity.h"

namespace skiff::controllers::statefulset {

namespace json = boost::json;

namespace {

std::string_view RevisionName(const json::object& revision) {
  auto meta = revision.find("metadata");
  if (meta == revision.end()) return {};
  return api::GetString(meta->value(), {"name"});
}

}  // namespace

RollingUpdateStep NextRollingUpdateStep(const std::vector<client::ObjPtr>& replicas,
                                        const std::string& update_revision, int64_t partition,
                                        int64_t min_ready_seconds, absl::Time now) {
  for (int target = static_cast<int>(replicas.size()) - 1; target >= partition && target >= 0;
       --target) {
    const json::value& pod = *replicas[target];
    if (PodRevision(pod) != update_revision && !IsTerminating(pod)) {
      return {RollingUpdateStep::Action::kDelete, target};
    }
    if (IsUnavailable(pod, min_ready_seconds, now)) {
      return {RollingUpdateStep::Action::kWait, target};
    }
  }
  return {};
}

std::vector<const json::object*> RevisionsToTruncate(const std::vector<const json::object*>& sorted,
                                                     const std::set<std::string>& live,
                                                     int64_t limit) {
  std::vector<const json::object*> history;
  for (const json::object* r : sorted) {
    if (live.count(std::string(RevisionName(*r))) == 0) history.push_back(r);
  }
  if (limit < 0 || static_cast<int64_t>(history.size()) <= limit) return {};
  history.resize(history.size() - static_cast<size_t>(limit));
  return history;
}

}  // namespace skiff::controllers::statefulset
