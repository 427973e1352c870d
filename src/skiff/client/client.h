// The client controllers, the scheduler and agents use to talk to the API. The in-process
// implementation goes through the same registry path as HTTP requests (admission, validation,
// optimistic concurrency) without sockets. Implementations are thread-safe.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "skiff/api/resources.h"

namespace skiff::client {

namespace json = boost::json;

struct DeleteOptions {
  std::string propagation_policy;  // "", Orphan, Background, Foreground
  std::optional<int64_t> grace_period_seconds;
  std::string precondition_uid;
  std::string precondition_rv;
};

class Client {
 public:
  virtual ~Client() = default;
  virtual absl::StatusOr<json::value> Get(const api::ResourceInfo& r, std::string_view ns,
                                          std::string_view name) = 0;
  virtual absl::StatusOr<json::value> Create(const api::ResourceInfo& r, std::string_view ns,
                                             json::value obj) = 0;
  // PUT of the whole object (or its status with subresource "status"); the object's
  // metadata.resourceVersion is the precondition (409 Conflict when stale).
  virtual absl::StatusOr<json::value> Update(const api::ResourceInfo& r, json::value obj,
                                             std::string_view subresource = "") = 0;
  // `patch_type`: application/merge-patch+json, application/strategic-merge-patch+json,
  // application/json-patch+json.
  virtual absl::StatusOr<json::value> Patch(const api::ResourceInfo& r, std::string_view ns,
                                            std::string_view name, std::string_view patch_type,
                                            std::string_view patch,
                                            std::string_view subresource = "") = 0;
  virtual absl::Status Delete(const api::ResourceInfo& r, std::string_view ns,
                              std::string_view name, const DeleteOptions& opts = {}) = 0;
  // POST pods/{name}/binding.
  virtual absl::Status Bind(std::string_view ns, std::string_view pod, std::string_view uid,
                            std::string_view node) = 0;
};

// Convenience: resources by kind name for the kinds controllers use.
const api::ResourceInfo& Pods();
const api::ResourceInfo& Nodes();
const api::ResourceInfo& Events();
const api::ResourceInfo& Leases();
const api::ResourceInfo& ReplicaSets();
const api::ResourceInfo& Deployments();
const api::ResourceInfo& ReplicationControllers();
const api::ResourceInfo& StatefulSets();
const api::ResourceInfo& DaemonSets();
const api::ResourceInfo& ControllerRevisions();
const api::ResourceInfo& PersistentVolumes();
const api::ResourceInfo& PersistentVolumeClaims();
const api::ResourceInfo& StorageClasses();
const api::ResourceInfo& Namespaces();

// True when `s` is Kubernetes' 409 Conflict / 404 NotFound / 409 AlreadyExists.
bool IsConflictError(const absl::Status& s);
bool IsNotFoundError(const absl::Status& s);
bool IsAlreadyExistsError(const absl::Status& s);

}  // namespace skiff::client
