#include "skiff/controllers/statefulset/pod_expectations.h"

#include <vector>

#include "skiff/api/object.h"

namespace skiff::controllers::statefulset {

void PodExpectations::ExpectCreation(const std::string& set_key, const std::string& name) {
  absl::MutexLock lock(&mu_);
  pending_[set_key][name] = Pending{.deletion = false, .uid = "", .at = clock_.Now()};
}

void PodExpectations::ExpectDeletion(const std::string& set_key, const std::string& name,
                                     const std::string& uid) {
  absl::MutexLock lock(&mu_);
  pending_[set_key][name] = Pending{.deletion = true, .uid = uid, .at = clock_.Now()};
}

bool PodExpectations::Met(const Pending& p, const client::ObjPtr& pod) {
  if (!p.deletion) return pod != nullptr;
  if (pod == nullptr) return true;
  if (api::GetString(*pod, {"metadata", "uid"}) != p.uid) return true;
  const boost::json::value* del = api::Find(*pod, {"metadata", "deletionTimestamp"});
  return del != nullptr && !del->is_null();
}

void PodExpectations::Observed(const std::string& set_key, const client::ObjPtr& pod,
                               bool deleted) {
  std::string name(api::GetString(*pod, {"metadata", "name"}));
  absl::MutexLock lock(&mu_);
  auto set = pending_.find(set_key);
  if (set == pending_.end()) return;
  auto it = set->second.find(name);
  if (it == set->second.end()) return;
  // A creation is met by any add; a deletion by the pod's delete (or a terminating update,
  // which the level check in Satisfied sees).
  if (it->second.deletion == deleted &&
      (!deleted || api::GetString(*pod, {"metadata", "uid"}) == it->second.uid)) {
    set->second.erase(it);
  }
  if (set->second.empty()) pending_.erase(set);
}

bool PodExpectations::Satisfied(const std::string& set_key,
                                const std::function<client::ObjPtr(const std::string&)>& lookup) {
  std::vector<std::pair<std::string, Pending>> check;
  {
    absl::MutexLock lock(&mu_);
    auto set = pending_.find(set_key);
    if (set == pending_.end()) return true;
    check.assign(set->second.begin(), set->second.end());
  }
  absl::Time now = clock_.Now();
  std::vector<std::string> met;
  for (const auto& [name, p] : check) {
    if (now - p.at >= ttl_ || Met(p, lookup(name))) met.push_back(name);
  }
  absl::MutexLock lock(&mu_);
  auto set = pending_.find(set_key);
  if (set == pending_.end()) return true;
  for (const auto& name : met) set->second.erase(name);
  if (!set->second.empty()) return false;
  pending_.erase(set);
  return true;
}

std::optional<absl::Duration> PodExpectations::UntilExpiry(const std::string& set_key) const {
  absl::MutexLock lock(&mu_);
  auto set = pending_.find(set_key);
  if (set == pending_.end() || set->second.empty()) return std::nullopt;
  absl::Time oldest = absl::InfiniteFuture();
  for (const auto& [name, p] : set->second) oldest = std::min(oldest, p.at);
  return std::max(absl::ZeroDuration(), oldest + ttl_ - clock_.Now());
}

void PodExpectations::Forget(const std::string& set_key) {
  absl::MutexLock lock(&mu_);
  pending_.erase(set_key);
}

}  // namespace skiff::controllers::statefulset
