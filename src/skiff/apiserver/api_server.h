// `skiff server`'s API front: routes Kubernetes REST paths to discovery, OpenAPI, the registry
// and the watch cache, negotiates JSON vs Table output, and streams watches. The HTTP layer
// calls Handle() from connection threads; everything here is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "skiff/apiserver/http/http_server.h"
#include "skiff/apiserver/metrics.h"
#include "skiff/apiserver/registry.h"
#include "skiff/apiserver/watch_hub.h"
#include "skiff/apiserver/watchcache/watch_cache.h"
#include "skiff/base/time.h"
#include "skiff/store/store.h"

namespace skiff::apiserver {

struct ApiServerOptions {
  std::string bind = "127.0.0.1";
  int port = 6443;  // 0 picks a free port
  // Upper bound of a watch without timeoutSeconds (Kubernetes picks 30-60 minutes).
  int max_watch_seconds = 1800;
  // How often a watch that allowed bookmarks gets one.
  int bookmark_interval_seconds = 60;
  // A watch stream gathers events this long after the first one before writing, so many
  // watchers under a high event rate cost one write per window instead of one per event.
  int watch_coalesce_ms = 5;
  // JSON watches are written by one thread for all streams (watch_hub.h).
  bool shared_watch_writer = true;
};

class ApiServer {
 public:
  ApiServer(store::Store* store, ApiServerOptions options,
            const base::Clock& clock = base::Clock::Real());
  ~ApiServer();

  // Loads the watch cache, creates the default namespaces and starts serving.
  absl::Status Start();
  void Stop();
  int port() const;

  void Handle(const http::Request& req, http::ResponseWriter& w);

  Registry& registry() { return *registry_; }
  WatchCache& cache() { return *cache_; }

 private:
  struct Route;
  void HandleResource(const http::Request& req, http::ResponseWriter& w, Route& route);
  void HandleWatch(const http::Request& req, http::ResponseWriter& w, Route& route);
  void HandleList(const http::Request& req, http::ResponseWriter& w, Route& route);
  void HandleDeleteCollection(const http::Request& req, http::ResponseWriter& w, Route& route);
  void SendObject(const http::Request& req, http::ResponseWriter& w, const api::ResourceInfo& r,
                  int code, const std::string& json, const std::vector<std::string>& warnings);
  void SendError(http::ResponseWriter& w, const absl::Status& s, Route* route);
  absl::Status EnsureDefaultNamespaces();

  store::Store* store_;
  ApiServerOptions options_;
  const base::Clock& clock_;
  std::unique_ptr<WatchCache> cache_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<WatchHub> hub_;
  Metrics metrics_;
  std::unique_ptr<http::HttpServer> http_;
};

}  // namespace skiff::apiserver
