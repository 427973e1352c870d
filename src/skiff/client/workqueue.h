// A work queue of keys as controllers use it: a key queued twice is processed once, a key is
// never handed to two workers at the same time, and keys can be re-queued after a delay.
// Thread-safe; Get() blocks until a key is ready or the queue shuts down.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace skiff::client {

class WorkQueue {
 public:
  void Add(const std::string& key) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shutdown_ || dirty_.count(key)) return;
      dirty_.insert(key);
      if (processing_.count(key)) return;  // re-queued by Done()
      queue_.push_back(key);
    }
    cv_.notify_one();
  }

  void AddAfter(const std::string& key, std::chrono::milliseconds delay) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shutdown_) return;
      waiting_.emplace(std::chrono::steady_clock::now() + delay, key);
    }
    cv_.notify_one();
  }

  // Blocks for the next key; nullopt after ShutDown().
  std::optional<std::string> Get() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      PromoteDueLocked();
      if (shutdown_) return std::nullopt;
      if (!queue_.empty()) {
        std::string key = std::move(queue_.front());
        queue_.pop_front();
        dirty_.erase(key);
        processing_.insert(key);
        return key;
      }
      if (waiting_.empty()) {
        cv_.wait(lock);
      } else {
        // A copy: another worker may erase the entry while this one waits.
        const auto until = waiting_.begin()->first;
        cv_.wait_until(lock, until);
      }
    }
  }

  // Marks `key` finished; if it was added again meanwhile, it goes back in the queue.
  void Done(const std::string& key) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      processing_.erase(key);
      if (dirty_.count(key)) queue_.push_back(key);
    }
    cv_.notify_one();
  }

  void ShutDown() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
  }

 private:
  void PromoteDueLocked() {
    auto now = std::chrono::steady_clock::now();
    while (!waiting_.empty() && waiting_.begin()->first <= now) {
      std::string key = waiting_.begin()->second;
      waiting_.erase(waiting_.begin());
      if (dirty_.count(key)) continue;
      dirty_.insert(key);
      if (!processing_.count(key)) queue_.push_back(key);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;     // guarded by mu_
  std::set<std::string> dirty_;       // guarded by mu_: queued, not yet handed out
  std::set<std::string> processing_;  // guarded by mu_
  std::multimap<std::chrono::steady_clock::time_point, std::string> waiting_;  // guarded by mu_
  bool shutdown_ = false;                                                      // guarded by mu_
};

}  // namespace skiff::client
