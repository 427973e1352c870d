#include "skiff/controllers/podgc/gc_policy.h"

#include <algorithm>
#include <optional>

#include "skiff/api/object.h"
#include "skiff/base/time.h"

namespace skiff::controllers::podgc {

namespace json = boost::json;

namespace {

bool Terminating(const json::value& pod) {
  const json::value* d = api::Find(pod, {"metadata", "deletionTimestamp"});
  return d != nullptr && !d->is_null();
}

std::optional<absl::Time> Created(const json::value& pod) {
  return base::ParseRfc3339(api::GetString(pod, {"metadata", "creationTimestamp"}));
}

// byEvictionAndCreationTimestamp: evicted first, then older first, then by name. A missing
// creation time is Go's zero time, the oldest of all.
void SortForDeletion(std::vector<client::ObjPtr>& pods) {
  struct Key {
    bool evicted;
    absl::Time created;
    std::string_view name;
    client::ObjPtr pod;
  };
  std::vector<Key> keys;
  keys.reserve(pods.size());
  for (auto& p : pods) {
    keys.push_back({IsPodEvicted(*p), Created(*p).value_or(absl::InfinitePast()),
                    api::GetString(*p, {"metadata", "name"}), p});
  }
  std::stable_sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.evicted != b.evicted) return a.evicted;
    if (a.created != b.created) return a.created < b.created;
    return a.name < b.name;
  });
  for (size_t i = 0; i < keys.size(); ++i) pods[i] = std::move(keys[i].pod);
}

bool HasTaint(const json::value& node, std::string_view key) {
  if (const json::array* taints = api::GetArray(node, {"spec", "taints"})) {
    for (const auto& t : *taints)
      if (api::GetString(t, {"key"}) == key) return true;
  }
  return false;
}

}  // namespace

bool IsPodTerminated(const json::value& pod) {
  std::string_view phase = api::GetString(pod, {"status", "phase"});
  return phase != "Pending" && phase != "Running" && phase != "Unknown";
}

bool IsPodEvicted(const json::value& pod) {
  return api::GetString(pod, {"status", "phase"}) == "Failed" &&
         api::GetString(pod, {"status", "reason"}) == "Evicted";
}

bool IsNodeReady(const json::value& node) {
  if (const json::array* conds = api::GetArray(node, {"status", "conditions"})) {
    for (const auto& c : *conds)
      if (api::GetString(c, {"type"}) == "Ready") return api::GetString(c, {"status"}) == "True";
  }
  return false;
}

std::vector<client::ObjPtr> TerminatedPodsToDelete(const std::vector<client::ObjPtr>& pods,
                                                   int threshold) {
  std::vector<client::ObjPtr> terminated;
  for (const auto& p : pods)
    if (IsPodTerminated(*p)) terminated.push_back(p);
  int excess = static_cast<int>(terminated.size()) - threshold;
  if (excess <= 0) return {};
  SortForDeletion(terminated);
  terminated.resize(excess);
  return terminated;
}

std::vector<client::ObjPtr> UnscheduledTerminatingPods(const std::vector<client::ObjPtr>& pods) {
  std::vector<client::ObjPtr> out;
  for (const auto& p : pods)
    if (Terminating(*p) && api::GetString(*p, {"spec", "nodeName"}).empty()) out.push_back(p);
  return out;
}

std::vector<client::ObjPtr> TerminatingOutOfServicePods(
    const std::vector<client::ObjPtr>& pods, const std::map<std::string, client::ObjPtr>& nodes) {
  std::vector<client::ObjPtr> out;
  for (const auto& p : pods) {
    if (!Terminating(*p)) continue;
    auto it = nodes.find(std::string(api::GetString(*p, {"spec", "nodeName"})));
    if (it == nodes.end()) continue;
    const json::value& node = *it->second;
    if (!IsNodeReady(node) && HasTaint(node, "node.kubernetes.io/out-of-service")) {
      out.push_back(p);
    }
  }
  SortForDeletion(out);
  return out;
}

std::vector<std::string> NodeQuarantine::Due(const std::set<std::string>& missing, absl::Time now) {
  for (const auto& name : missing) ready_at_.try_emplace(name, now + quarantine_);
  std::vector<std::string> due;
  for (auto it = ready_at_.begin(); it != ready_at_.end();) {
    if (it->second > now) {
      ++it;
      continue;
    }
    if (missing.contains(it->first)) due.push_back(it->first);
    it = ready_at_.erase(it);
  }
  return due;
}

}  // namespace skiff::controllers::podgc
