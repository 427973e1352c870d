#include "skiff/scheduler/queue.h"

#include <algorithm>
#include <chrono>

#include "skiff/api/object.h"

namespace skiff::scheduler {

namespace json = boost::json;

bool PodSchedulingPropertiesChanged(const json::value& old_pod, const json::value& new_pod) {
  auto field = [](const json::value& v, std::initializer_list<std::string_view> path) {
    const json::value* f = api::Find(v, path);
    return f ? *f : json::value(nullptr);
  };
  return field(old_pod, {"spec"}) != field(new_pod, {"spec"}) ||
         field(old_pod, {"metadata", "labels"}) != field(new_pod, {"metadata", "labels"}) ||
         field(old_pod, {"metadata", "annotations"}) !=
             field(new_pod, {"metadata", "annotations"}) ||
         field(old_pod, {"metadata", "deletionTimestamp"}) !=
             field(new_pod, {"metadata", "deletionTimestamp"});
}

SchedulingQueue::SchedulingQueue(const base::Clock& clock, QueueOptions options)
    : clock_(clock), options_(options), last_leftover_flush_(clock.Now()) {}

absl::Duration SchedulingQueue::BackoffDuration(int attempts) const {
  absl::Duration d = options_.initial_backoff;
  for (int i = 1; i < attempts; ++i) {
    d *= 2;
    if (d > options_.max_backoff) return options_.max_backoff;
  }
  return std::min(d, options_.max_backoff);
}

absl::Time SchedulingQueue::BackoffExpiry(const Entry& e) const {
  return e.info.timestamp + BackoffDuration(std::max(e.info.attempts, 1));
}

SchedulingQueue::ActiveKey SchedulingQueue::KeyOf(const Entry& e, const std::string& uid) {
  return {-static_cast<int64_t>(e.info.pod->priority), e.info.timestamp, e.seq, uid};
}

void SchedulingQueue::PushActiveLocked(Entry& e) {
  e.where = Where::kActive;
  active_.insert(KeyOf(e, e.info.pod->uid));
}

void SchedulingQueue::PushBackoffLocked(Entry& e) {
  e.where = Where::kBackoff;
  backoff_.insert({BackoffExpiry(e), e.seq, e.info.pod->uid});
}

void SchedulingQueue::UnlinkLocked(Entry& e) {
  const std::string& uid = e.info.pod->uid;
  switch (e.where) {
    case Where::kActive:
      active_.erase(KeyOf(e, uid));
      break;
    case Where::kBackoff:
      backoff_.erase({BackoffExpiry(e), e.seq, uid});
      break;
    case Where::kUnschedulable:
      --unschedulable_;
      break;
    case Where::kInFlight:
      --in_flight_;
      break;
  }
}

void SchedulingQueue::RequeueLocked(Entry& e, absl::Time now) {
  if (now >= BackoffExpiry(e)) {
    PushActiveLocked(e);
  } else {
    PushBackoffLocked(e);
  }
}

void SchedulingQueue::Add(PodInfoPtr pod) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    auto [it, inserted] = entries_.try_emplace(pod->uid);
    Entry& e = it->second;
    if (!inserted) {
      // Already known: treat as an update of the pending pod.
      if (e.where == Where::kInFlight) {
        e.updated = std::move(pod);
        e.updated_matters = true;
        return;
      }
      UnlinkLocked(e);
      e.info.pod = std::move(pod);
      PushActiveLocked(e);
    } else {
      e.info.pod = std::move(pod);
      e.info.timestamp = clock_.Now();
      e.seq = ++seq_;
      PushActiveLocked(e);
    }
  }
  cv_.notify_one();
}

void SchedulingQueue::Update(const json::value* old_pod, PodInfoPtr pod) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    auto it = entries_.find(pod->uid);
    if (it == entries_.end()) {
      Entry& e = entries_[pod->uid];
      e.info.pod = std::move(pod);
      e.info.timestamp = clock_.Now();
      e.seq = ++seq_;
      PushActiveLocked(e);
    } else {
      Entry& e = it->second;
      switch (e.where) {
        case Where::kInFlight: {
          const PodInfoPtr& base = e.updated ? e.updated : e.info.pod;
          e.updated_matters = e.updated_matters || old_pod == nullptr || base->object == nullptr ||
                              pod->object == nullptr ||
                              PodSchedulingPropertiesChanged(*old_pod, *pod->object);
          e.updated = std::move(pod);
          return;
        }
        case Where::kActive:
        case Where::kBackoff: {
          UnlinkLocked(e);
          Where was = e.where;
          e.info.pod = std::move(pod);
          if (was == Where::kActive) {
            PushActiveLocked(e);
          } else {
            PushBackoffLocked(e);
          }
          break;
        }
        case Where::kUnschedulable: {
          bool changed = old_pod == nullptr || e.info.pod->object == nullptr ||
                         pod->object == nullptr ||
                         PodSchedulingPropertiesChanged(*old_pod, *pod->object);
          e.info.pod = std::move(pod);
          if (!changed) return;
          UnlinkLocked(e);
          RequeueLocked(e, clock_.Now());
          break;
        }
      }
    }
  }
  cv_.notify_one();
}

void SchedulingQueue::Delete(const std::string& uid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(uid);
  if (it == entries_.end()) return;
  UnlinkLocked(it->second);
  entries_.erase(it);
}

std::optional<QueuedPodInfo> SchedulingQueue::PopLocked(absl::Time now) {
  if (active_.empty()) return std::nullopt;
  auto first = active_.begin();
  std::string uid = std::get<3>(*first);
  active_.erase(first);
  Entry& e = entries_.at(uid);
  e.where = Where::kInFlight;
  ++in_flight_;
  ++e.info.attempts;
  if (e.info.attempts == 1) e.info.initial_attempt = now;
  e.info.cycle = ++cycle_;
  return e.info;
}

std::optional<QueuedPodInfo> SchedulingQueue::TryPop() {
  std::lock_guard<std::mutex> lock(mu_);
  absl::Time now = clock_.Now();
  FlushLocked(now);
  return PopLocked(now);
}

std::optional<QueuedPodInfo> SchedulingQueue::Pop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (closed_) return std::nullopt;
    absl::Time now = clock_.Now();
    FlushLocked(now);
    if (auto info = PopLocked(now)) return info;
    // Sleep until the next backoff expires, or a second for the leftover flush.
    absl::Duration wait = absl::Seconds(1);
    if (!backoff_.empty()) wait = std::min(wait, std::get<0>(*backoff_.begin()) - now);
    wait = std::max(wait, absl::Milliseconds(1));
    cv_.wait_for(lock, absl::ToChronoNanoseconds(wait));
  }
}

void SchedulingQueue::FlushLocked(absl::Time now) {
  while (!backoff_.empty() && std::get<0>(*backoff_.begin()) <= now) {
    std::string uid = std::get<2>(*backoff_.begin());
    backoff_.erase(backoff_.begin());
    PushActiveLocked(entries_.at(uid));
  }
  if (unschedulable_ == 0 || now - last_leftover_flush_ < absl::Seconds(30)) return;
  last_leftover_flush_ = now;
  for (auto& [uid, e] : entries_) {
    if (e.where != Where::kUnschedulable) continue;
    if (now - e.info.timestamp < options_.max_in_unschedulable) continue;
    UnlinkLocked(e);
    RequeueLocked(e, now);
  }
}

void SchedulingQueue::Flush() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    FlushLocked(clock_.Now());
  }
  cv_.notify_one();
}

void SchedulingQueue::AddUnschedulable(const QueuedPodInfo& info, uint32_t events, bool error) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(info.pod->uid);
    if (it == entries_.end() || it->second.where != Where::kInFlight) return;  // deleted
    Entry& e = it->second;
    UnlinkLocked(e);
    absl::Time now = clock_.Now();
    e.info.timestamp = now;
    e.events = events;
    bool retry_now = e.updated_matters;
    if (e.updated) e.info.pod = std::move(e.updated);
    e.updated = nullptr;
    e.updated_matters = false;
    if (retry_now) {
      // Changed while being scheduled: try the new version right away.
      PushActiveLocked(e);
    } else if (error || move_request_cycle_ >= info.cycle) {
      PushBackoffLocked(e);
    } else {
      e.where = Where::kUnschedulable;
      ++unschedulable_;
      return;
    }
  }
  cv_.notify_one();
}

void SchedulingQueue::Done(const std::string& uid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(uid);
  if (it == entries_.end() || it->second.where != Where::kInFlight) return;
  UnlinkLocked(it->second);
  entries_.erase(it);
}

void SchedulingQueue::MoveAllToActiveOrBackoff(uint32_t event) {
  bool moved = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    move_request_cycle_ = cycle_;
    if (unschedulable_ == 0) return;
    absl::Time now = clock_.Now();
    for (auto& [uid, e] : entries_) {
      if (e.where != Where::kUnschedulable || (e.events & event) == 0) continue;
      UnlinkLocked(e);
      RequeueLocked(e, now);
      moved = true;
    }
  }
  if (moved) cv_.notify_one();
}

void SchedulingQueue::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

size_t SchedulingQueue::ActiveCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_.size();
}
size_t SchedulingQueue::BackoffCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return backoff_.size();
}
size_t SchedulingQueue::UnschedulableCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return unschedulable_;
}
size_t SchedulingQueue::InFlightCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}
size_t SchedulingQueue::Size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace skiff::scheduler
