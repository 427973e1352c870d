#include "skiff/controllers/daemonset/failed_pod_backoff.h"

#include <algorithm>

namespace skiff::controllers::daemonset {

bool FailedPodBackoff::InBackoff(const std::string& key, absl::Time now) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  return it != entries_.end() && now - it->second.last_update < it->second.delay;
}

absl::Duration FailedPodBackoff::Delay(const std::string& key) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  return it == entries_.end() ? absl::ZeroDuration() : it->second.delay;
}

void FailedPodBackoff::Next(const std::string& key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || now - it->second.last_update > 2 * max_) {
    entries_[key] = Entry{initial_, now};
    return;
  }
  it->second.delay = std::min(2 * it->second.delay, max_);
  it->second.last_update = now;
}

void FailedPodBackoff::Collect(absl::Time now) {
  absl::MutexLock lock(&mu_);
  std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.last_update > 2 * max_; });
}

}  // namespace skiff::controllers::daemonset
