#include "skiff/controllers/replicaset/expectations.h"

namespace skiff::controllers::replicaset {

bool Expectations::SatisfiedLocked(const Record& r) const {
  if (r.adds <= 0 && r.dels <= 0) return true;
  return clock_.Now() - r.set_at > ttl_;
}

bool Expectations::Satisfied(const std::string& key) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = records_.find(key);
  return it == records_.end() || SatisfiedLocked(it->second);
}

void Expectations::ExpectCreations(const std::string& key, int adds) {
  absl::MutexLock lock(&mu_);
  Record& r = records_[key];
  r.adds = adds;
  r.dels = 0;
  r.set_at = clock_.Now();
  r.wake_up_taken = false;
}

void Expectations::ExpectDeletions(const std::string& key,
                                   const std::vector<std::string>& pod_keys) {
  absl::MutexLock lock(&mu_);
  Record& r = records_[key];
  r.pending_deletes = std::set<std::string>(pod_keys.begin(), pod_keys.end());
  r.adds = 0;
  r.dels = static_cast<int64_t>(r.pending_deletes.size());
  r.set_at = clock_.Now();
  r.wake_up_taken = false;
}

void Expectations::CreationObserved(const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(key);
  if (it != records_.end()) --it->second.adds;
}

void Expectations::DeletionObserved(const std::string& key, const std::string& pod_key) {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return;
  if (it->second.pending_deletes.erase(pod_key) > 0) --it->second.dels;
}

void Expectations::Delete(const std::string& key) {
  absl::MutexLock lock(&mu_);
  records_.erase(key);
}

std::pair<int64_t, int64_t> Expectations::Pending(const std::string& key) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return {0, 0};
  return {it->second.adds, it->second.dels};
}

std::optional<absl::Duration> Expectations::TakeWakeUp(const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(key);
  if (it == records_.end() || SatisfiedLocked(it->second) || it->second.wake_up_taken) {
    return std::nullopt;
  }
  it->second.wake_up_taken = true;
  return it->second.set_at + ttl_ - clock_.Now();
}

}  // namespace skiff::controllers::replicaset
