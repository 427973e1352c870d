// The API server's in-memory view of the store: current objects per resource plus a window of
// recent events, serving LIST, GET and WATCH without touching the store. One store
// subscription feeds it; each object is encoded once (with its resourceVersion) and shared by
// every reader and watcher. Thread-safe; watchers are drained by their own request threads.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "skiff/api/fields.h"
#include "skiff/api/labels.h"
#include "skiff/api/resources.h"
#include "skiff/store/store.h"

namespace skiff::apiserver {

struct CachedObject {
  std::string key;
  std::string ns;
  std::string name;
  int64_t rv = 0;
  std::string json;            // the object as served, metadata.resourceVersion included
  boost::json::object labels;  // metadata.labels, for selectors
  std::vector<std::pair<std::string, std::string>> fields;  // field-selector values
};
using ObjectPtr = std::shared_ptr<const CachedObject>;

enum class EventType { kAdded, kModified, kDeleted, kBookmark, kError };
const char* EventTypeName(EventType t);

struct WatchEvent {
  EventType type = EventType::kAdded;
  ObjectPtr object;  // for kDeleted: the last state
  int64_t rv = 0;
  // In the history only: the object before a kModified event, so that a reader with a
  // selector can tell an object entering (ADDED) or leaving (DELETED) its selection.
  ObjectPtr prev;
};

// The event a watch with `filter` sees for a history event, if any: ADDED/DELETED when a
// modification moves the object into or out of the selection.
std::optional<EventType> EventFor(const struct Filter& filter, const WatchEvent& ev);

// Which objects a LIST or WATCH wants.
struct Filter {
  std::string ns;    // empty: all namespaces
  std::string name;  // empty: any (set from metadata.name= field selectors as a fast path)
  std::optional<api::LabelSelector> labels;
  std::optional<api::FieldSelector> fields;
  bool Matches(const CachedObject& obj) const;
};

// One client's watch: a bounded queue the cache fills and the request thread drains.
class Watcher {
 public:
  explicit Watcher(Filter filter, size_t capacity)
      : filter_(std::move(filter)), capacity_(capacity) {}
  // Waits up to `timeout` for events; returns what is queued (possibly nothing). Sets
  // *closed when the cache dropped this watcher (it fell too far behind).
  std::vector<WatchEvent> Wait(std::chrono::milliseconds timeout, bool* closed);
  const Filter& filter() const { return filter_; }

 private:
  friend class WatchCache;
  void Push(WatchEvent ev);  // called by the cache
  void Close();

  const Filter filter_;
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WatchEvent> queue_;  // guarded by mu_
  bool closed_ = false;           // guarded by mu_
};

struct WatchCacheOptions {
  // Events kept per resource for resuming watches; older resourceVersions get 410 Gone.
  size_t history_per_resource = 20000;
  // Events a slow watcher may have queued before it is dropped.
  size_t watcher_queue_capacity = 100000;
};

class WatchCache {
 public:
  WatchCache(store::Store* store, WatchCacheOptions options = {});
  ~WatchCache();

  // Subscribes to the store and loads every resource. Call once.
  absl::Status Start();
  // Unsubscribes from the store: no listener or watcher is fed afterwards. Call before the
  // listeners' owners are destroyed.
  void Stop() { subscription_.reset(); }

  // Blocks until the cache has applied `revision` (or a short timeout passes).
  void WaitForRevision(int64_t revision);
  int64_t Revision() const { return revision_.load(); }

  ObjectPtr Get(const api::ResourceInfo& r, const std::string& key);

  struct ListResult {
    std::vector<ObjectPtr> items;
    int64_t revision = 0;
    std::string next_key;  // non-empty when `limit` cut the list: continue after this key
    int64_t remaining = 0;
  };
  ListResult List(const api::ResourceInfo& r, const Filter& filter, const std::string& after_key,
                  int64_t limit);

  // Starts a watch. `from_rv` 0 sends the current objects as ADDED first; otherwise events
  // after from_rv are replayed. OutOfRange when from_rv is older than the history window.
  absl::StatusOr<std::shared_ptr<Watcher>> Watch(const api::ResourceInfo& r, Filter filter,
                                                 int64_t from_rv);
  void StopWatch(const api::ResourceInfo& r, const std::shared_ptr<Watcher>& w);

  // Cursor-based reading for streams served by one writer (WatchHub): the events a watch from
  // `from_rv` starts with (as Watch() would queue them) and the cursor after which
  // EventsAfter() continues. OutOfRange as Watch().
  absl::StatusOr<int64_t> OpenCursor(const api::ResourceInfo& r, const Filter& filter,
                                     int64_t from_rv, std::vector<WatchEvent>* initial);
  // Appends the history events of `r` after `cursor` (unfiltered, oldest first). False when
  // `cursor` fell out of the history window.
  bool EventsAfter(const api::ResourceInfo& r, int64_t cursor, std::vector<WatchEvent>* out);
  // Waits until the cache's revision passes `seen` or `timeout` ends; returns the revision.
  int64_t WaitForChange(int64_t seen, std::chrono::milliseconds timeout);

  // Observers of every applied change (controllers' informers). Register before Start();
  // called on the store's dispatch thread, outside the cache's locks; must only enqueue work.
  using Listener = std::function<void(const api::ResourceInfo&, const WatchEvent&)>;
  void AddListener(Listener listener) { listeners_.push_back(std::move(listener)); }

  size_t WatcherCount() const { return watchers_total_.load(); }
  size_t ObjectCount(const api::ResourceInfo& r);

  // Builds a cached object from a stored value (resourceVersion injected).
  static ObjectPtr MakeObject(const api::ResourceInfo& r, const std::string& key,
                              const std::string& value, int64_t rv);

 private:
  struct ResourceState {
    const api::ResourceInfo* info = nullptr;
    std::mutex mu;
    std::map<std::string, ObjectPtr> objects;        // guarded by mu, by key
    std::deque<WatchEvent> history;                  // guarded by mu
    int64_t window_start = 0;                        // guarded by mu: oldest resumable rv
    int64_t last_rv = 0;                             // guarded by mu: newest applied event
    std::vector<std::shared_ptr<Watcher>> watchers;  // guarded by mu
  };
  ResourceState* StateFor(const api::ResourceInfo& r);
  ResourceState* StateForKey(const std::string& key);
  void Apply(const std::vector<store::Event>& events);

  store::Store* store_;
  WatchCacheOptions options_;
  std::vector<std::unique_ptr<ResourceState>> states_;  // fixed after construction
  std::unique_ptr<store::Store::Subscription> subscription_;
  std::atomic<int64_t> revision_{0};
  int64_t start_revision_ = 0;
  std::atomic<size_t> watchers_total_{0};
  std::vector<Listener> listeners_;  // fixed after Start()
  std::mutex rev_mu_;
  std::condition_variable rev_cv_;
  bool started_ = false;
};

}  // namespace skiff::apiserver
