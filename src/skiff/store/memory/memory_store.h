// An in-memory Store for tests: a sorted map and a revision counter under one mutex. Nothing
// is durable. Thread-safe; subscribers are called on the store's EventDispatcher thread, in
// revision order, never under the store's lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "skiff/store/event_dispatcher.h"
#include "skiff/store/store.h"

namespace skiff::store {

class MemoryStore : public Store {
 public:
  MemoryStore();
  ~MemoryStore() override;

  absl::StatusOr<KeyValue> Get(std::string_view key) override;
  absl::StatusOr<ListResult> List(std::string_view prefix) override;
  absl::StatusOr<int64_t> Create(std::string_view key, std::string value) override;
  absl::StatusOr<int64_t> Update(std::string_view key, std::string value,
                                 int64_t expected_revision) override;
  absl::StatusOr<int64_t> Delete(std::string_view key, int64_t expected_revision) override;
  int64_t CurrentRevision() override;
  std::unique_ptr<Subscription> Subscribe(Subscriber subscriber, int64_t* revision) override;
  // No history is kept, so there is nothing to drop.
  absl::Status Compact(int64_t revision) override;

 private:
  absl::Mutex mu_;
  std::map<std::string, KeyValue, std::less<>> data_ ABSL_GUARDED_BY(mu_);
  int64_t revision_ ABSL_GUARDED_BY(mu_) = 0;
  // Publish() is called under mu_ so events are queued in revision order; it only enqueues.
  EventDispatcher dispatcher_{0};
};

}  // namespace skiff::store
