// The per-kind write path shared by HTTP handlers and (later) the in-process client: create,
// update, patch, scale, delete, with defaulting, validation, status/spec separation, generation,
// managedFields, finalizers and optimistic concurrency. Reads come from the watch cache.
// Thread-safe; every method may block on the store.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "skiff/api/kinds/kinds.h"
#include "skiff/api/resources.h"
#include "skiff/apiserver/watchcache/watch_cache.h"
#include "skiff/base/time.h"
#include "skiff/store/store.h"

namespace skiff::apiserver {

struct WriteOptions {
  bool dry_run = false;
  std::string field_manager;              // from ?fieldManager= or the user agent
  std::string field_validation = "Warn";  // Strict | Warn | Ignore
  std::string subresource;                // "", "status", "scale"
  bool force = false;                     // server-side apply
  bool apply = false;                     // set for apply patches: managedFields already updated
};

struct WriteResult {
  boost::json::value object;  // as stored, resourceVersion included
  bool created = false;
  std::vector<std::string> warnings;
};

struct DeleteOptions {
  bool dry_run = false;
  std::string propagation_policy;  // "", Orphan, Background, Foreground
  std::optional<int64_t> grace_period_seconds;
  std::string precondition_uid;
  std::string precondition_rv;
};

// Callback observing the latency of each store write (for metrics).
using StoreLatencyObserver = std::function<void(double seconds)>;

class Registry {
 public:
  Registry(store::Store* store, WatchCache* cache, const base::Clock& clock);

  void set_store_latency_observer(StoreLatencyObserver o) { store_latency_ = std::move(o); }
  // Pod admission settings (default tolerations); set before serving.
  void set_pod_admission(api::kinds::PodAdmissionOptions o) { pod_admission_ = o; }
  // Which storage admission plugins run; set before serving.
  void set_storage_admission(api::kinds::StorageAdmissionOptions o) { storage_admission_ = o; }

  absl::StatusOr<ObjectPtr> Get(const api::ResourceInfo& r, std::string_view ns,
                                std::string_view name);
  absl::StatusOr<WriteResult> Create(const api::ResourceInfo& r, std::string_view ns,
                                     boost::json::value obj, const WriteOptions& opts);
  absl::StatusOr<WriteResult> Update(const api::ResourceInfo& r, std::string_view ns,
                                     std::string_view name, boost::json::value obj,
                                     const WriteOptions& opts);
  // `content_type` picks the patch flavour (json, merge, strategic, apply).
  absl::StatusOr<WriteResult> Patch(const api::ResourceInfo& r, std::string_view ns,
                                    std::string_view name, std::string_view content_type,
                                    std::string_view body, const WriteOptions& opts);
  absl::StatusOr<WriteResult> Delete(const api::ResourceInfo& r, std::string_view ns,
                                     std::string_view name, const DeleteOptions& opts);

  // pods/binding: sets spec.nodeName and the PodScheduled condition in one write.
  // Conflict when the pod is already bound; `uid` (optional) must match the pod.
  absl::Status Bind(std::string_view ns, std::string_view name, std::string_view uid,
                    std::string_view node);

  // autoscaling/v1 Scale view of a scalable object.
  absl::StatusOr<boost::json::value> GetScale(const api::ResourceInfo& r, std::string_view ns,
                                              std::string_view name);
  static boost::json::value ToScale(const api::ResourceInfo& r, const boost::json::value& obj);

  // Key of an object in the store.
  static std::string Key(const api::ResourceInfo& r, std::string_view ns, std::string_view name) {
    return r.Key(ns, name);
  }

 private:
  using Mutator = std::function<absl::StatusOr<boost::json::value>(const boost::json::value& old)>;
  // Read-modify-write with a compare-and-swap on the read revision; retried on conflicts when
  // the caller did not pin a resourceVersion.
  absl::StatusOr<WriteResult> Mutate(const api::ResourceInfo& r, std::string_view ns,
                                     std::string_view name, const Mutator& mutate,
                                     const WriteOptions& opts, bool allow_create);
  // Everything between "the client's new object" and "bytes for the store".
  absl::StatusOr<WriteResult> Admit(const api::ResourceInfo& r, const boost::json::value* old,
                                    boost::json::value obj, const WriteOptions& opts);
  absl::StatusOr<WriteResult> CreateAdmitted(const api::ResourceInfo& r, std::string_view ns,
                                             boost::json::value obj, const WriteOptions& opts);
  absl::Status CheckNamespace(const api::ResourceInfo& r, std::string_view ns);
  void ObserveStore(absl::Time start);

  store::Store* store_;
  WatchCache* cache_;
  const base::Clock& clock_;
  StoreLatencyObserver store_latency_;
  api::kinds::PodAdmissionOptions pod_admission_;
  api::kinds::StorageAdmissionOptions storage_admission_;
};

// Parses a request body (JSON, or YAML for apply patches / application/yaml) into JSON.
absl::StatusOr<boost::json::value> ParseBody(std::string_view body, bool yaml);
// Kubernetes' strconv.ParseBool: 1,t,T,TRUE,true,True / 0,f,F,FALSE,false,False.
std::optional<bool> ParseBool(std::string_view s);

}  // namespace skiff::apiserver
