#include "skiff/controllers/volume/sync_loop.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>

#include "skiff/client/client.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::volume {

namespace {

// Kubernetes' default controller rate limiter starts at 5 ms and doubles; capped at a minute.
absl::Duration Backoff(int failures) {
  int64_t ms = 5;
  for (int i = 1; i < failures && ms < 60000; ++i) ms *= 2;
  return absl::Milliseconds(std::min<int64_t>(ms, 60000));
}

}  // namespace

SyncLoop::SyncLoop(std::string name, SyncFn sync, int workers)
    : name_(std::move(name)), sync_(std::move(sync)), workers_count_(std::max(1, workers)) {}

SyncLoop::~SyncLoop() { Stop(); }

void SyncLoop::SetResync(absl::Duration period, KeysFn keys) {
  resync_period_ = period;
  resync_keys_ = std::move(keys);
}

void SyncLoop::AddAfter(const std::string& key, absl::Duration delay) {
  queue_.AddAfter(key, std::chrono::milliseconds(absl::ToInt64Milliseconds(delay)));
}

void SyncLoop::Start() {
  for (int i = 0; i < workers_count_; ++i) workers_.emplace_back([this] { Work(); });
  if (resync_period_ > absl::ZeroDuration() && resync_keys_) {
    resync_ = std::jthread([this](std::stop_token stop) { Resync(stop); });
  }
}

void SyncLoop::Stop() {
  if (resync_.joinable()) {
    resync_.request_stop();
    resync_.join();
  }
  queue_.ShutDown();
  for (auto& w : workers_)
    if (w.joinable()) w.join();
  workers_.clear();
}

void SyncLoop::Work() {
  while (auto key = queue_.Get()) {
    absl::Status s = sync_(*key);
    HandleResult(*key, s);
    queue_.Done(*key);
  }
}

void SyncLoop::Resync(std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  auto period = std::chrono::milliseconds(absl::ToInt64Milliseconds(resync_period_));
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu);
      if (cv.wait_for(lock, stop, period, [] { return false; }) || stop.stop_requested()) return;
    }
    for (const std::string& key : resync_keys_()) queue_.Add(key);
  }
}

void SyncLoop::HandleResult(const std::string& key, const absl::Status& s) {
  int failures = 0;
  {
    absl::MutexLock lock(&mu_);
    if (s.ok()) {
      failures_.erase(key);
      return;
    }
    failures = ++failures_[key];
  }
  // Conflicts are the normal price of acting on a cache; say so quietly.
  if (client::IsConflictError(s) || client::IsNotFoundError(s)) {
    spdlog::debug("{} {}: retrying: {}", name_, key, std::string(s.message()));
  } else {
    spdlog::info("{} {}: sync failed (attempt {}): {}", name_, key, failures,
                 std::string(s.message()));
  }
  AddAfter(key, Backoff(failures));
}

}  // namespace skiff::controllers::volume
