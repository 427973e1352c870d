// Serves JSON watch streams from one writer thread. Each stream is a cursor into the watch
// cache's per-resource history: every flush the writer reads the new events once per resource,
// filters them per stream, frames them as HTTP chunks and writes them with non-blocking sends.
// A thousand watchers then cost one thread and one send per watcher per flush instead of a
// thread woken per event. A stream whose unsent bytes pass a limit is closed (the client
// re-watches from its last resourceVersion), as Kubernetes closes watchers that fall behind.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "skiff/api/resources.h"
#include "skiff/apiserver/watchcache/watch_cache.h"

namespace skiff::apiserver {

struct WatchHubOptions {
  // Events are gathered this long after a write before the next one.
  std::chrono::milliseconds flush_interval{5};
  // How often streams are checked for closed peers, deadlines and bookmarks.
  std::chrono::milliseconds housekeeping_interval{250};
  // Unsent bytes a stream may hold before it is closed as too slow.
  size_t max_pending_bytes = 64 << 20;
};

class WatchHub {
 public:
  struct Stream {
    const api::ResourceInfo* resource = nullptr;
    Filter filter;
    int64_t cursor = 0;  // events with a larger resourceVersion are sent
    int fd = -1;         // the connection, with the chunked response header already sent
    std::chrono::steady_clock::time_point deadline;
    bool bookmarks = false;
    std::chrono::seconds bookmark_interval{60};
  };
  enum class End { kDeadline, kPeerClosed, kWriteFailed, kTooSlow, kExpired, kStopped };

  WatchHub(WatchCache* cache, WatchHubOptions options = {});
  ~WatchHub();
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  void Start();
  void Stop();  // ends every stream with kStopped

  // Serves `stream` until it ends; blocks the calling (connection) thread meanwhile. Bytes
  // still unsent at a deadline are written before returning, so the caller may end the chunked
  // response normally.
  End Serve(Stream stream);

  size_t StreamCount();

 private:
  struct Active;
  void Loop();
  void Round(bool housekeeping);
  void Finish(Active& a, End end);

  WatchCache* cache_;
  const WatchHubOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<Active>> incoming_;  // guarded by mu_
  bool stopping_ = false;                          // guarded by mu_
  std::vector<std::shared_ptr<Active>> active_;    // owned by the writer thread
  std::thread thread_;
};

}  // namespace skiff::apiserver
