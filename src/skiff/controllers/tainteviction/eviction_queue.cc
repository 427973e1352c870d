#include "skiff/controllers/tainteviction/eviction_queue.h"

namespace skiff::controllers::tainteviction {

EvictionVerdict DecideEviction(std::span<const api::Taint> taints,
                               std::span<const api::Toleration> tolerations) {
  std::optional<std::vector<api::Toleration>> used = api::MatchingTolerations(taints, tolerations);
  if (!used) return {EvictionVerdict::Kind::kNow};
  std::optional<int64_t> seconds = api::MinTolerationSeconds(*used);
  if (!seconds) return {EvictionVerdict::Kind::kForever};
  return {EvictionVerdict::Kind::kAfter, absl::Seconds(*seconds)};
}

void EvictionQueue::Add(const std::string& key, absl::Time created_at, absl::Time fire_at) {
  absl::MutexLock lock(&mu_);
  if (entries_.contains(key)) return;
  entries_.emplace(key, Entry{{created_at, fire_at}, State::kPending});
  timeline_.emplace(fire_at, key);
}

bool EvictionQueue::Cancel(const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  bool unfinished = it->second.state != State::kDone;
  if (it->second.state == State::kPending) timeline_.erase({it->second.work.fire_at, key});
  entries_.erase(it);
  return unfinished;
}

std::optional<EvictionQueue::Work> EvictionQueue::Pending(const std::string& key) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.state == State::kDone) return std::nullopt;
  return it->second.work;
}

std::vector<std::string> EvictionQueue::TakeDue(absl::Time now) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> due;
  while (!timeline_.empty() && timeline_.begin()->first <= now) {
    std::string key = timeline_.begin()->second;
    timeline_.erase(timeline_.begin());
    entries_.at(key).state = State::kFiring;
    due.push_back(std::move(key));
  }
  return due;
}

void EvictionQueue::Finish(const std::string& key, bool succeeded) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (!succeeded) {
    if (it != entries_.end() && it->second.state != State::kPending) entries_.erase(it);
    return;
  }
  // Cancelled while it ran: the pod was still deleted, so remember that (as Kubernetes does).
  if (it == entries_.end()) {
    entries_.emplace(key, Entry{{}, State::kDone});
  } else if (it->second.state != State::kPending) {
    it->second.state = State::kDone;
  }
}

std::optional<absl::Time> EvictionQueue::NextFire() const {
  absl::MutexLock lock(&mu_);
  if (timeline_.empty()) return std::nullopt;
  return timeline_.begin()->first;
}

size_t EvictionQueue::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace skiff::controllers::tainteviction
