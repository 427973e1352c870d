// Fans committed store events out to subscribers on one owned thread, in the order they were
// published. Backends call Publish() in revision order; it only enqueues, so it may be called
// under the backend's own lock. Thread-safe; callbacks never run under a lock.
#pragma once

#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "skiff/store/store.h"

namespace skiff::store {

class EventDispatcher {
 public:
  explicit EventDispatcher(int64_t initial_revision);
  // Delivers what was already published, then stops the thread. Subscriptions may outlive it.
  ~EventDispatcher();

  EventDispatcher(const EventDispatcher&) = delete;
  EventDispatcher& operator=(const EventDispatcher&) = delete;

  // Queues `events` (non-empty, increasing revisions, all greater than earlier ones).
  void Publish(std::vector<Event> events);

  // The revision of the last published event (or the initial revision).
  int64_t revision() const;

  // Registers `subscriber` for every event published after this call and sets `*revision` to
  // revision() at that moment. Destroying the handle unsubscribes; once its destructor returns
  // the callback is not running and never runs again (unless destroyed from the callback itself).
  std::unique_ptr<Store::Subscription> Subscribe(Store::Subscriber subscriber, int64_t* revision);

 private:
  struct Shared;
  class Handle;

  static void Run(std::stop_token stop, std::shared_ptr<Shared> shared);

  std::shared_ptr<Shared> shared_;  // shared with the thread and the subscription handles
  std::jthread thread_;
};

}  // namespace skiff::store
