// The namespace controller: when a namespace is being deleted it deletes everything in it and,
// once nothing is left, removes the namespace itself (Kubernetes' "kubernetes" finalizer).
// Runs in `skiff server`; one worker thread.
#pragma once

#include <thread>

#include "skiff/apiserver/registry.h"
#include "skiff/apiserver/watchcache/watch_cache.h"
#include "skiff/client/workqueue.h"

namespace skiff::controllers {

class NamespaceController {
 public:
  NamespaceController(apiserver::Registry* registry, apiserver::WatchCache* cache);
  ~NamespaceController();
  void Register();  // before the cache starts
  void Start();
  void Stop();

 private:
  void Sync(const std::string& name);

  apiserver::Registry* registry_;
  apiserver::WatchCache* cache_;
  client::WorkQueue queue_;
  std::jthread worker_;
};

}  // namespace skiff::controllers
