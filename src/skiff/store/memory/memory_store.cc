#include "skiff/store/memory/memory_store.h"

#include <utility>
#include <vector>

#include "skiff/store/errors.h"

namespace skiff::store {

MemoryStore::MemoryStore() = default;
MemoryStore::~MemoryStore() = default;

absl::StatusOr<KeyValue> MemoryStore::Get(std::string_view key) {
  absl::ReaderMutexLock lock(&mu_);
  auto it = data_.find(key);
  if (it == data_.end()) return KeyNotFoundError(key);
  return it->second;
}

absl::StatusOr<ListResult> MemoryStore::List(std::string_view prefix) {
  absl::ReaderMutexLock lock(&mu_);
  ListResult result;
  result.revision = revision_;
  for (auto it = data_.lower_bound(prefix); it != data_.end() && it->first.starts_with(prefix);
       ++it) {
    result.items.push_back(it->second);
  }
  return result;
}

absl::StatusOr<int64_t> MemoryStore::Create(std::string_view key, std::string value) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = data_.try_emplace(std::string(key));
  if (!inserted) return KeyExistsError(key);
  int64_t revision = ++revision_;
  it->second = KeyValue{.key = it->first,
                        .value = std::move(value),
                        .create_revision = revision,
                        .mod_revision = revision};
  std::vector<Event> events;
  events.push_back(Event{.type = Event::Type::kPut,
                         .key = it->first,
                         .value = it->second.value,
                         .revision = revision,
                         .create_revision = revision,
                         .created = true});
  dispatcher_.Publish(std::move(events));
  return revision;
}

absl::StatusOr<int64_t> MemoryStore::Update(std::string_view key, std::string value,
                                            int64_t expected_revision) {
  absl::MutexLock lock(&mu_);
  auto it = data_.find(key);
  if (it == data_.end()) return KeyNotFoundError(key);
  KeyValue& kv = it->second;
  if (absl::Status s = CheckRevision(key, expected_revision, kv.mod_revision); !s.ok()) return s;
  int64_t revision = ++revision_;
  kv.value = std::move(value);
  kv.mod_revision = revision;
  std::vector<Event> events;
  events.push_back(Event{.type = Event::Type::kPut,
                         .key = kv.key,
                         .value = kv.value,
                         .revision = revision,
                         .create_revision = kv.create_revision,
                         .created = false});
  dispatcher_.Publish(std::move(events));
  return revision;
}

absl::StatusOr<int64_t> MemoryStore::Delete(std::string_view key, int64_t expected_revision) {
  absl::MutexLock lock(&mu_);
  auto it = data_.find(key);
  if (it == data_.end()) return KeyNotFoundError(key);
  KeyValue& kv = it->second;
  if (absl::Status s = CheckRevision(key, expected_revision, kv.mod_revision); !s.ok()) return s;
  int64_t revision = ++revision_;
  std::vector<Event> events;
  events.push_back(Event{.type = Event::Type::kDelete,
                         .key = std::move(kv.key),
                         .value = std::move(kv.value),
                         .revision = revision,
                         .create_revision = kv.create_revision,
                         .created = false});
  data_.erase(it);
  dispatcher_.Publish(std::move(events));
  return revision;
}

int64_t MemoryStore::CurrentRevision() {
  absl::ReaderMutexLock lock(&mu_);
  return revision_;
}

std::unique_ptr<Store::Subscription> MemoryStore::Subscribe(Subscriber subscriber,
                                                            int64_t* revision) {
  // Every write publishes before releasing mu_, so the dispatcher's revision is the store's.
  return dispatcher_.Subscribe(std::move(subscriber), revision);
}

absl::Status MemoryStore::Compact(int64_t revision) { return absl::OkStatus(); }

}  // namespace skiff::store
