#include "skiff/controllers/daemonset/expectations.h"

namespace skiff::controllers::daemonset {

bool Expectations::SatisfiedLocked(const Record& r) const {
  return (r.adds <= 0 && r.dels <= 0) || clock_.Now() - r.set_at > ttl_;
}

bool Expectations::Satisfied(const std::string& key) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = records_.find(key);
  return it == records_.end() || SatisfiedLocked(it->second);
}

void Expectations::Set(const std::string& key, int adds, int dels) {
  absl::MutexLock lock(&mu_);
  records_[key] = Record{adds, dels, clock_.Now(), false};
}

void Expectations::Lower(const std::string& key, int adds, int dels) {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return;
  it->second.adds -= adds;
  it->second.dels -= dels;
}

void Expectations::Delete(const std::string& key) {
  absl::MutexLock lock(&mu_);
  records_.erase(key);
}

std::pair<int, int> Expectations::Pending(const std::string& key) const {
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

}  // namespace skiff::controllers::daemonset
