// The revisioned key-value store under the API server. Every write gets the next store-wide
// revision (the Kubernetes resourceVersion); values are opaque bytes (JSON objects without
// resourceVersion, which the API server injects from the revision).
// Implementations are thread-safe: any thread may call any method. Subscribers are called on a
// store-owned thread, in revision order, and must not block or call back into the store.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace skiff::store {

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;  // the object's resourceVersion
};

struct Event {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  std::string key;
  std::string value;     // new value for kPut; the last value for kDelete
  int64_t revision = 0;  // revision of this change
  int64_t create_revision = 0;
  bool created = false;  // kPut that created the key
};

struct ListResult {
  std::vector<KeyValue> items;  // sorted by key
  int64_t revision = 0;         // store revision the list reflects
};

// One write in a transaction-free API: each call is atomic on its own.
// Errors: NotFound (no such key), AlreadyExists (Create on an existing key),
// FailedPrecondition (expected revision does not match: a conflict), Unavailable/Internal
// (disk or backend failure: nothing was written).
class Store {
 public:
  virtual ~Store() = default;

  virtual absl::StatusOr<KeyValue> Get(std::string_view key) = 0;
  // All keys starting with `prefix`, as one consistent snapshot.
  virtual absl::StatusOr<ListResult> List(std::string_view prefix) = 0;
  // Returns the new revision. Durable (fsynced where the backend is durable) before returning.
  virtual absl::StatusOr<int64_t> Create(std::string_view key, std::string value) = 0;
  // Compare-and-swap on mod_revision; expected_revision 0 means unconditional.
  virtual absl::StatusOr<int64_t> Update(std::string_view key, std::string value,
                                         int64_t expected_revision) = 0;
  // Returns the revision of the deletion. expected_revision 0 means unconditional.
  virtual absl::StatusOr<int64_t> Delete(std::string_view key, int64_t expected_revision) = 0;
  // The latest committed revision.
  virtual int64_t CurrentRevision() = 0;

  // Registers a subscriber for every change committed after this call, delivered in batches in
  // revision order. Returns the revision at subscription time: changes with a greater revision
  // will be delivered. The subscription lives as long as the returned handle.
  using Subscriber = std::function<void(const std::vector<Event>&)>;
  class Subscription {
   public:
    virtual ~Subscription() = default;
  };
  virtual std::unique_ptr<Subscription> Subscribe(Subscriber subscriber, int64_t* revision) = 0;

  // Drops history older than `revision` where the backend keeps any; never loses current keys.
  virtual absl::Status Compact(int64_t revision) = 0;
};

}  // namespace skiff::store
