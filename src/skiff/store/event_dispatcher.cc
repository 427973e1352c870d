#include "skiff/store/event_dispatcher.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace skiff::store {

struct EventDispatcher::Shared {
  struct Entry {
    Store::Subscriber callback;
    int64_t after_revision = 0;  // events up to this revision predate the subscription
  };

  static bool HasWorkOrStopping(Shared* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu) {
    return !s->pending.empty() || s->stopping;
  }

  absl::Mutex mu;
  std::vector<Event> pending ABSL_GUARDED_BY(mu);
  int64_t revision ABSL_GUARDED_BY(mu) = 0;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  uint64_t next_id ABSL_GUARDED_BY(mu) = 1;
  std::map<uint64_t, std::shared_ptr<const Entry>> subscribers ABSL_GUARDED_BY(mu);
  uint64_t calling ABSL_GUARDED_BY(mu) = 0;  // id of the subscriber being called, 0 if none
  std::thread::id thread_id ABSL_GUARDED_BY(mu);
};

class EventDispatcher::Handle : public Store::Subscription {
 public:
  Handle(std::shared_ptr<Shared> shared, uint64_t id) : shared_(std::move(shared)), id_(id) {}

  ~Handle() override {
    absl::MutexLock lock(&shared_->mu);
    shared_->subscribers.erase(id_);
    // Wait out a callback in flight, unless we are that callback.
    if (shared_->thread_id != std::this_thread::get_id()) {
      shared_->mu.Await(absl::Condition(this, &Handle::NotCalling));
    }
  }

 private:
  bool NotCalling() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu) {
    return shared_->calling != id_;
  }

  std::shared_ptr<Shared> shared_;
  uint64_t id_;
};

EventDispatcher::EventDispatcher(int64_t initial_revision) : shared_(std::make_shared<Shared>()) {
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->revision = initial_revision;
  }
  thread_ = std::jthread([shared = shared_](std::stop_token stop) { Run(stop, shared); });
}

EventDispatcher::~EventDispatcher() {
  thread_.request_stop();
  thread_.join();
}

void EventDispatcher::Publish(std::vector<Event> events) {
  if (events.empty()) return;
  absl::MutexLock lock(&shared_->mu);
  shared_->revision = events.back().revision;
  if (shared_->pending.empty()) {
    shared_->pending = std::move(events);
  } else {
    std::move(events.begin(), events.end(), std::back_inserter(shared_->pending));
  }
}

int64_t EventDispatcher::revision() const {
  absl::MutexLock lock(&shared_->mu);
  return shared_->revision;
}

std::unique_ptr<Store::Subscription> EventDispatcher::Subscribe(Store::Subscriber subscriber,
                                                                int64_t* revision) {
  absl::MutexLock lock(&shared_->mu);
  uint64_t id = shared_->next_id++;
  shared_->subscribers.emplace(
      id, std::make_shared<const Shared::Entry>(Shared::Entry{
              .callback = std::move(subscriber), .after_revision = shared_->revision}));
  if (revision != nullptr) *revision = shared_->revision;
  return std::make_unique<Handle>(shared_, id);
}

void EventDispatcher::Run(std::stop_token stop, std::shared_ptr<Shared> shared) {
  {
    absl::MutexLock lock(&shared->mu);
    shared->thread_id = std::this_thread::get_id();
  }
  std::stop_callback on_stop(stop, [&shared] {
    absl::MutexLock lock(&shared->mu);
    shared->stopping = true;
  });
  while (true) {
    std::vector<Event> events;
    std::vector<std::pair<uint64_t, std::shared_ptr<const Shared::Entry>>> subscribers;
    {
      absl::MutexLock lock(&shared->mu, absl::Condition(&Shared::HasWorkOrStopping, shared.get()));
      if (shared->pending.empty()) return;  // stopping, and everything was delivered
      events.swap(shared->pending);
      subscribers.assign(shared->subscribers.begin(), shared->subscribers.end());
    }
    for (const auto& [id, entry] : subscribers) {
      {
        absl::MutexLock lock(&shared->mu);
        if (!shared->subscribers.contains(id)) continue;  // unsubscribed meanwhile
        shared->calling = id;
      }
      auto first = std::partition_point(events.begin(), events.end(), [&](const Event& e) {
        return e.revision <= entry->after_revision;
      });
      if (first == events.begin()) {
        entry->callback(events);
      } else if (first != events.end()) {
        entry->callback(std::vector<Event>(first, events.end()));
      }
      absl::MutexLock lock(&shared->mu);
      shared->calling = 0;
    }
  }
}

}  // namespace skiff::store
