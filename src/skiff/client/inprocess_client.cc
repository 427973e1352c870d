#include "skiff/client/inprocess_client.h"

#include "skiff/api/object.h"
#include "skiff/apiserver/errors.h"

namespace skiff::client {

namespace {
const api::ResourceInfo& Must(std::string_view group, std::string_view plural) {
  return *api::FindResource(group, "v1", plural);
}
}  // namespace

const api::ResourceInfo& Pods() { return Must("", "pods"); }
const api::ResourceInfo& Nodes() { return Must("", "nodes"); }
const api::ResourceInfo& Events() { return Must("", "events"); }
const api::ResourceInfo& Leases() { return Must("coordination.k8s.io", "leases"); }
const api::ResourceInfo& ReplicaSets() { return Must("apps", "replicasets"); }
const api::ResourceInfo& Deployments() { return Must("apps", "deployments"); }
const api::ResourceInfo& ReplicationControllers() { return Must("", "replicationcontrollers"); }
const api::ResourceInfo& StatefulSets() { return Must("apps", "statefulsets"); }
const api::ResourceInfo& DaemonSets() { return Must("apps", "daemonsets"); }
const api::ResourceInfo& ControllerRevisions() { return Must("apps", "controllerrevisions"); }
const api::ResourceInfo& PersistentVolumes() { return Must("", "persistentvolumes"); }
const api::ResourceInfo& PersistentVolumeClaims() { return Must("", "persistentvolumeclaims"); }
const api::ResourceInfo& StorageClasses() { return Must("storage.k8s.io", "storageclasses"); }
const api::ResourceInfo& Namespaces() { return Must("", "namespaces"); }

bool IsConflictError(const absl::Status& s) {
  return apiserver::HttpCode(s) == 409 && s.code() != absl::StatusCode::kAlreadyExists &&
         !IsAlreadyExistsError(s);
}
bool IsNotFoundError(const absl::Status& s) { return !s.ok() && apiserver::HttpCode(s) == 404; }
bool IsAlreadyExistsError(const absl::Status& s) {
  if (s.ok()) return false;
  auto sr = apiserver::ToStatusResponse(s);
  return sr.code == 409 && sr.body.find("\"reason\":\"AlreadyExists\"") != std::string::npos;
}

apiserver::WriteOptions InProcessClient::Options(std::string_view subresource) const {
  apiserver::WriteOptions o;
  o.field_manager = field_manager_;
  o.field_validation = "Ignore";
  o.subresource = std::string(subresource);
  return o;
}

absl::StatusOr<json::value> InProcessClient::Get(const api::ResourceInfo& r, std::string_view ns,
                                                 std::string_view name) {
  auto obj = registry_->Get(r, ns, name);
  if (!obj.ok()) return obj.status();
  return json::parse((*obj)->json);
}

absl::StatusOr<json::value> InProcessClient::Create(const api::ResourceInfo& r, std::string_view ns,
                                                    json::value obj) {
  auto res = registry_->Create(r, ns, std::move(obj), Options(""));
  if (!res.ok()) return res.status();
  return std::move(res->object);
}

absl::StatusOr<json::value> InProcessClient::Update(const api::ResourceInfo& r, json::value obj,
                                                    std::string_view subresource) {
  std::string ns(api::GetString(obj, {"metadata", "namespace"}));
  std::string name(api::GetString(obj, {"metadata", "name"}));
  auto res = registry_->Update(r, ns, name, std::move(obj), Options(subresource));
  if (!res.ok()) return res.status();
  return std::move(res->object);
}

absl::StatusOr<json::value> InProcessClient::Patch(const api::ResourceInfo& r, std::string_view ns,
                                                   std::string_view name,
                                                   std::string_view patch_type,
                                                   std::string_view patch,
                                                   std::string_view subresource) {
  auto res = registry_->Patch(r, ns, name, patch_type, patch, Options(subresource));
  if (!res.ok()) return res.status();
  return std::move(res->object);
}

absl::Status InProcessClient::Delete(const api::ResourceInfo& r, std::string_view ns,
                                     std::string_view name, const DeleteOptions& opts) {
  apiserver::DeleteOptions d;
  d.propagation_policy = opts.propagation_policy;
  d.grace_period_seconds = opts.grace_period_seconds;
  d.precondition_uid = opts.precondition_uid;
  d.precondition_rv = opts.precondition_rv;
  auto res = registry_->Delete(r, ns, name, d);
  return res.ok() ? absl::OkStatus() : res.status();
}

absl::Status InProcessClient::Bind(std::string_view ns, std::string_view pod, std::string_view uid,
                                   std::string_view node) {
  return registry_->Bind(ns, pod, uid, node);
}

}  // namespace skiff::client
