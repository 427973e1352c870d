#include "skiff/controllers/replicaset/status.h"

#include "skiff/api/object.h"
#include "skiff/base/time.h"
#include "skiff/controllers/replicaset/pod_state.h"

namespace skiff::controllers::replicaset {

namespace json = boost::json;

namespace {

constexpr std::string_view kReplicaFailure = "ReplicaFailure";

// Every template label is on the pod with the same value.
bool FullyLabeled(const json::object* template_labels, const json::value& pod) {
  if (template_labels == nullptr) return true;
  const json::object* labels = api::GetObject(pod, {"metadata", "labels"});
  for (const auto& [k, v] : *template_labels) {
    if (labels == nullptr) return false;
    auto it = labels->find(k);
    if (it == labels->end() || it->value() != v) return false;
  }
  return true;
}

void SetCount(json::object& status, std::string_view field, int64_t n, bool keep_zero) {
  if (n == 0 && !keep_zero) {
    status.stable_erase(field);
  } else {
    status[field] = n;
  }
}

}  // namespace

json::object CalculateStatus(const json::value& owner, const std::vector<client::ObjPtr>& pods,
                             const absl::Status& manage_error, absl::Time now) {
  json::object status;
  if (const json::object* cur = api::GetObject(owner, {"status"})) status = *cur;
  const json::object* template_labels =
      api::GetObject(owner, {"spec", "template", "metadata", "labels"});
  int64_t min_ready = api::GetInt(owner, {"spec", "minReadySeconds"});
  int64_t fully_labeled = 0, ready = 0, available = 0;
  for (const auto& p : pods) {
    if (FullyLabeled(template_labels, *p)) ++fully_labeled;
    if (IsPodReady(*p)) {
      ++ready;
      if (IsPodAvailable(*p, min_ready, now)) ++available;
    }
  }

  json::array conditions;
  if (const json::array* cur = api::GetArray(owner, {"status", "conditions"})) conditions = *cur;
  bool has_failure = false;
  for (const auto& c : conditions) has_failure |= api::GetString(c, {"type"}) == kReplicaFailure;
  if (!manage_error.ok() && !has_failure) {
    int64_t diff = static_cast<int64_t>(pods.size()) - api::GetInt(owner, {"spec", "replicas"}, 1);
    std::string_view reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
    conditions.push_back(json::object{{"type", kReplicaFailure},
                                      {"status", "True"},
                                      {"lastTransitionTime", base::FormatRfc3339(now)},
                                      {"reason", reason},
                                      {"message", std::string(manage_error.message())}});
  } else if (manage_error.ok() && has_failure) {
    json::array kept;
    for (const auto& c : conditions)
      if (api::GetString(c, {"type"}) != kReplicaFailure) kept.push_back(c);
    conditions = std::move(kept);
  }
  if (conditions.empty()) {
    status.stable_erase("conditions");
  } else {
    status["conditions"] = std::move(conditions);
  }

  SetCount(status, "replicas", static_cast<int64_t>(pods.size()), /*keep_zero=*/true);
  SetCount(status, "fullyLabeledReplicas", fully_labeled, false);
  SetCount(status, "readyReplicas", ready, false);
  SetCount(status, "availableReplicas", available, false);
  SetCount(status, "observedGeneration", api::GetInt(owner, {"metadata", "generation"}), false);
  return status;
}

bool StatusChanged(const json::value& owner, const json::object& new_status) {
  const json::object* cur = api::GetObject(owner, {"status"});
  if (cur == nullptr) return true;
  return *cur != new_status;
}

std::optional<absl::Duration> NextAvailableIn(const std::vector<client::ObjPtr>& pods,
                                              int64_t min_ready_seconds, absl::Time now) {
  if (min_ready_seconds <= 0) return std::nullopt;
  std::optional<absl::Duration> next;
  for (const auto& p : pods) {
    std::optional<absl::Time> since = PodReadyTime(*p);
    if (!since || IsPodAvailable(*p, min_ready_seconds, now)) continue;
    absl::Duration left = *since + absl::Seconds(min_ready_seconds) - now;
    if (!next || left < *next) next = left;
  }
  return next;
}

}  // namespace skiff::controllers::replicaset
