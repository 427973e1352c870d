#include "skiff/controllers/replicaset/key_backoff.h"

namespace skiff::controllers::replicaset {

absl::Duration KeyBackoff::Next(const std::string& key) {
  int exp;
  {
    absl::MutexLock lock(&mu_);
    exp = failures_[key]++;
  }
  // Past 2^40 any sane base is over the cap; stop doubling before the arithmetic overflows.
  if (exp > 40) return cap_;
  absl::Duration d = base_ * (int64_t{1} << exp);
  return d > cap_ ? cap_ : d;
}

void KeyBackoff::Forget(const std::string& key) {
  absl::MutexLock lock(&mu_);
  failures_.erase(key);
}

int KeyBackoff::Failures(const std::string& key) const {
  absl::MutexLock lock(&mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

}  // namespace skiff::controllers::replicaset
