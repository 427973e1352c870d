#include "skiff/controllers/replicaset/pod_state.h"

#include <limits>

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/base/time.h"

namespace skiff::controllers::replicaset {

namespace json = boost::json;

namespace {

const json::value* ReadyCondition(const json::value& pod) {
  const json::array* conds = api::GetArray(pod, {"status", "conditions"});
  if (conds == nullptr) return nullptr;
  for (const auto& c : *conds) {
    if (api::GetString(c, {"type"}) == "Ready") return &c;
  }
  return nullptr;
}

}  // namespace

std::optional<absl::Time> ParseTime(const json::value* v) {
  if (v == nullptr || !v->is_string() || v->get_string().empty()) return std::nullopt;
  return base::ParseRfc3339(std::string_view(v->get_string()));
}

bool IsPodActive(const json::value& pod) {
  std::string_view phase = api::GetString(pod, {"status", "phase"});
  if (phase == "Succeeded" || phase == "Failed") return false;
  const json::value* del = api::Find(pod, {"metadata", "deletionTimestamp"});
  return del == nullptr || del->is_null();
}

bool IsPodReady(const json::value& pod) {
  const json::value* c = ReadyCondition(pod);
  return c != nullptr && api::GetString(*c, {"status"}) == "True";
}

std::optional<absl::Time> PodReadyTime(const json::value& pod) {
  const json::value* c = ReadyCondition(pod);
  if (c == nullptr || api::GetString(*c, {"status"}) != "True") return std::nullopt;
  return ParseTime(api::Find(*c, {"lastTransitionTime"}));
}

bool IsPodAvailable(const json::value& pod, int64_t min_ready_seconds, absl::Time now) {
  if (!IsPodReady(pod)) return false;
  if (min_ready_seconds == 0) return true;
  std::optional<absl::Time> since = PodReadyTime(pod);
  return since.has_value() && *since + absl::Seconds(min_ready_seconds) < now;
}

int64_t MaxContainerRestarts(const json::value& pod) {
  int64_t most = 0;
  if (const json::array* statuses = api::GetArray(pod, {"status", "containerStatuses"})) {
    for (const auto& s : *statuses) most = std::max(most, api::GetInt(s, {"restartCount"}));
  }
  return most;
}

int32_t PodDeletionCost(const json::value& pod) {
  const json::object* ann = api::GetObject(pod, {"metadata", "annotations"});
  if (ann == nullptr) return 0;
  auto it = ann->find(kPodDeletionCost);
  if (it == ann->end() || !it->value().is_string()) return 0;
  std::string_view v(it->value().get_string());
  // Kubernetes accepts only canonical decimal forms: no '+', no leading zeros.
  bool valid_first = !v.empty() && (v[0] == '-' || v == "0" || (v[0] >= '1' && v[0] <= '9'));
  int64_t n = 0;
  if (!valid_first || !api::ParseInt64(v, &n)) return 0;
  if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) return 0;
  return static_cast<int32_t>(n);
}

std::optional<absl::Time> CreationTime(const json::value& obj) {
  return ParseTime(api::Find(obj, {"metadata", "creationTimestamp"}));
}

std::string PodKey(const json::value& pod) {
  return api::Cat(api::GetString(pod, {"metadata", "namespace"}), "/",
                  api::GetString(pod, {"metadata", "name"}));
}

}  // namespace skiff::controllers::replicaset
