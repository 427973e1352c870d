// RemoteInformer: a client::Informer kept up to date over HTTP by list + watch, as client-go's
// reflector does: list (in pages), watch from the list's resourceVersion, resume each ended
// watch from the last resourceVersion seen (bookmarks included), and re-list on 410 Gone.
// Handlers run on the informer's own thread and must only enqueue. Reads are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "skiff/client/http/http_client.h"
#include "skiff/client/informer.h"

namespace skiff::client::http {

struct RemoteInformerOptions {
  std::string ns;  // "" for all namespaces
  std::string label_selector;
  std::string field_selector;
  // Each watch asks the server to end after about this long (jittered), then resumes.
  int watch_timeout_seconds = 300;
  int64_t page_size = 500;
  absl::Duration retry_delay = absl::Seconds(1);
};

class RemoteInformer {
 public:
  RemoteInformer(HttpClient* client, const api::ResourceInfo& r,
                 RemoteInformerOptions options = {});
  ~RemoteInformer();

  // The cache: Get/List/Size and AddHandlers (before Start) as for in-process informers.
  Informer& informer() { return informer_; }
  const api::ResourceInfo& resource() const { return informer_.resource(); }
  void AddHandlers(EventHandlers h) { informer_.AddHandlers(std::move(h)); }
  ObjPtr Get(const std::string& ns, const std::string& name) const {
    return informer_.Get(ns, name);
  }
  std::vector<ObjPtr> List(const std::string& ns = "") const { return informer_.List(ns); }
  size_t Size() const { return informer_.Size(); }

  void Start();
  void Stop();
  // True once the first list is in the cache.
  bool HasSynced() const { return synced_.load(); }
  // Waits for HasSynced(); false on timeout.
  bool WaitForSync(absl::Duration timeout);
  // Lists done so far (tests: a 410 causes a re-list).
  int ListCount() const { return lists_.load(); }

 private:
  void Run(std::stop_token stop);
  absl::Status ListAndReplace(std::string* rv);
  void Sleep(std::stop_token& stop, absl::Duration d);

  HttpClient* const client_;
  const RemoteInformerOptions options_;
  Informer informer_;
  std::atomic<bool> synced_{false};
  std::atomic<int> lists_{0};
  std::mutex mu_;
  std::condition_variable_any cv_;  // signals sync and wakes sleeps on stop
  std::jthread thread_;
};

}  // namespace skiff::client::http
