// The garbage collector: keeps a graph of ownerReferences and, as Kubernetes does, deletes
// dependents whose owners are gone (background propagation), deletes dependents before their
// owner under the foregroundDeletion finalizer, and strips ownerReferences before letting an
// owner with the orphan finalizer go. Runs in `skiff server`; one worker thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "skiff/apiserver/registry.h"
#include "skiff/apiserver/watchcache/watch_cache.h"
#include "skiff/client/workqueue.h"

namespace skiff::controllers {

class GarbageCollector {
 public:
  GarbageCollector(apiserver::Registry* registry, apiserver::WatchCache* cache);
  ~GarbageCollector();
  // Registers with the cache; call before the cache starts.
  void Register();
  void Start();
  void Stop();

 private:
  struct OwnerRef {
    std::string api_version, kind, name, uid;
    bool block = false;
  };
  struct Node {
    const api::ResourceInfo* r = nullptr;
    std::string ns, name, uid;
    std::vector<OwnerRef> owners;
    std::vector<std::string> finalizers;
    bool deleting = false;
  };
  void OnEvent(const api::ResourceInfo& r, const apiserver::WatchEvent& ev);
  void Sync(const std::string& uid);
  void SyncDeleting(const Node& node);
  void SyncOwners(const Node& node);
  bool OwnerExists(const Node& node, const OwnerRef& ref);
  std::vector<Node> DependentsOf(const std::string& uid);
  void RemoveFinalizer(const Node& node, const std::string& finalizer);

  apiserver::Registry* registry_;
  apiserver::WatchCache* cache_;
  client::WorkQueue queue_;
  std::mutex mu_;
  std::map<std::string, Node> nodes_;  // guarded by mu_, by uid
  // guarded by mu_: owner uid -> dependent uids
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> dependents_;
  std::jthread worker_;
};

}  // namespace skiff::controllers
