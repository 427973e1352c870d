// Informers: per-resource caches of parsed, immutable objects that controllers read, fed by the
// API server's watch cache (in process) or by a list+watch over HTTP (http/remote_informer.h),
// calling handlers on every change. Handlers run on the feeding thread (the store's dispatch
// thread in process) and must only enqueue work. Reads are thread-safe.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "skiff/api/resources.h"
#include "skiff/apiserver/watchcache/watch_cache.h"

namespace skiff::client {

using ObjPtr = std::shared_ptr<const boost::json::value>;

struct EventHandlers {
  std::function<void(const ObjPtr&)> on_add;
  std::function<void(const ObjPtr& old_obj, const ObjPtr& new_obj)> on_update;
  std::function<void(const ObjPtr&)> on_delete;
};

class Informer {
 public:
  explicit Informer(const api::ResourceInfo& r) : resource_(r) {}
  const api::ResourceInfo& resource() const { return resource_; }

  // Register before the watch cache starts; handlers then see every object once as an add.
  void AddHandlers(EventHandlers h) { handlers_.push_back(std::move(h)); }

  ObjPtr Get(const std::string& ns, const std::string& name) const;
  // All objects, or those in `ns` when it is non-empty.
  std::vector<ObjPtr> List(const std::string& ns = "") const;
  size_t Size() const;

  // Called by the factory for each watch-cache change of this resource.
  void Apply(const apiserver::WatchEvent& ev);

  // Feeds for informers filled from elsewhere (the HTTP remote informer); each calls the
  // handlers on the caller's thread. Upsert adds or replaces an object; Remove deletes one;
  // Replace installs a complete list (a re-list), reporting adds, updates (changed
  // resourceVersion only) and deletes of what is missing.
  void Upsert(ObjPtr obj);
  void Remove(const ObjPtr& obj);
  void Replace(std::vector<ObjPtr> objs);
  // Only informers someone asked for keep objects (set by the factory).
  void Activate() { active_ = true; }
  bool active() const { return active_; }

 private:
  bool active_ = false;  // fixed before start
  void Notify(const ObjPtr& old_obj, const ObjPtr& new_obj, bool deleted) const;

  const api::ResourceInfo& resource_;
  std::vector<EventHandlers> handlers_;  // fixed before start
  mutable std::mutex mu_;
  std::map<std::string, ObjPtr> objects_;  // guarded by mu_, by "ns/name"
};

// One informer per resource, shared by every controller in the process.
class InformerFactory {
 public:
  explicit InformerFactory(apiserver::WatchCache* cache);
  Informer& For(const api::ResourceInfo& r);

 private:
  std::map<const api::ResourceInfo*, std::unique_ptr<Informer>> informers_;
};

// "ns/name" (or "name" for cluster-scoped objects), the key controllers queue.
std::string KeyOf(const boost::json::value& obj);
// Splits a key made by KeyOf.
std::pair<std::string, std::string> SplitKey(const std::string& key);

}  // namespace skiff::client
