// Per-kind API behaviour Kubernetes 1.32 applies to every write: scheme defaulting, the
// registry strategies' create/update preparation, and validation with Kubernetes' field paths
// and messages. The API server calls, for a create:
//   Default → PrepareForCreate → Validate(obj, nullptr)
// and for an update (after carrying over server-owned metadata, as BeforeUpdate does):
//   Default → PrepareForUpdate → Validate(obj, &old)
// All functions are pure transformations of their arguments; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "skiff/api/field_error.h"
#include "skiff/api/resources.h"

namespace skiff::api::kinds {

// Applies Kubernetes' defaulting (pkg/apis/*/v1/defaults.go and declarative `+default`s) to
// `obj` in place, including nested pod templates, containers, probes, volumes and
// PVC templates, and rewrites resource quantities in canonical form (rounded up to milli).
// Idempotent; never fails (malformed parts are left for Validate to report).
void Default(const ResourceInfo& r, boost::json::value& obj);

// Strategy PrepareForCreate: status reset or initialised (Pod phase Pending + qosClass,
// Namespace phase Active, PVC/PV phase Pending), metadata.generation = 1 for kinds that track
// it, Namespace spec.finalizers ["kubernetes"] and the kubernetes.io/metadata.name label,
// DaemonSet template generation annotation. Calls Default afterwards, as Kubernetes defaults
// again when it decodes the stored object.
void PrepareForCreate(const ResourceInfo& r, boost::json::value& obj);

// Strategy PrepareForUpdate for a write to the main resource (`status_subresource` false:
// status is kept from `old`; metadata.generation bumps on a spec change, and also on an
// annotation change for Deployments) or to /status (`status_subresource` true: spec is kept
// from `old`, generation unchanged). Calls Default afterwards.
void PrepareForUpdate(const ResourceInfo& r, boost::json::value& obj, const boost::json::value& old,
                      bool status_subresource = false);

// What Kubernetes' default admission plugins add to a Pod on create, for a cluster without
// custom PriorityClasses: ServiceAccount (serviceAccountName "default"; no token volume),
// Priority (priority from the built-in system-* classes or 0, preemptionPolicy
// PreemptLowerPriority) and DefaultTolerationSeconds (tolerate node not-ready/unreachable
// NoExecute taints for 300s, or as `options` say, unless already tolerated). Call after Default,
// before Validate.
struct PodAdmissionOptions {
  // kube-apiserver's --default-not-ready-toleration-seconds and
  // --default-unreachable-toleration-seconds.
  int64_t not_ready_toleration_seconds = 300;
  int64_t unreachable_toleration_seconds = 300;
};
void AdmitPod(boost::json::value& pod, const PodAdmissionOptions& options = {});

// The default StorageClass among `classes`, as Kubernetes' GetDefaultClass picks it: those
// annotated storageclass.kubernetes.io/is-default-class (or the beta key) "true", the newest by
// creationTimestamp, ties broken by name; nullptr when none is.
const boost::json::value* DefaultStorageClass(
    const std::vector<const boost::json::value*>& classes);

// Which storage admission plugins run. StorageObjectInUseProtection only makes sense while the
// protection controllers that remove its finalizers run (`skiff server --controllers`).
struct StorageAdmissionOptions {
  bool pvc_protection = true;  // kubernetes.io/pvc-protection on new claims
  bool pv_protection = true;   // kubernetes.io/pv-protection on new volumes
};

// What Kubernetes' default admission plugins add to a PersistentVolumeClaim on create:
// DefaultStorageClass (a claim that names no class, neither spec.storageClassName, even "", nor
// the beta annotation, gets the default class of `storage_classes`, if any) and
// StorageObjectInUseProtection (the kubernetes.io/pvc-protection finalizer). Call after Default,
// before Validate.
void AdmitPersistentVolumeClaim(boost::json::value& pvc,
                                const std::vector<const boost::json::value*>& storage_classes,
                                const StorageAdmissionOptions& options = {});
// StorageObjectInUseProtection for a PersistentVolume: the kubernetes.io/pv-protection finalizer.
void AdmitPersistentVolume(boost::json::value& pv, const StorageAdmissionOptions& options = {});

// Kubernetes' Pod QoS class of a pod (or pod template spec wrapper): "Guaranteed",
// "Burstable" or "BestEffort".
std::string PodQOSClass(const boost::json::value& pod);

// Validation on create (`old` == nullptr) or update (`old` = the stored object, with the
// immutable-field checks). Returns Kubernetes' field errors in Kubernetes' order; the API
// server turns a non-empty list into a 422 Invalid Status.
FieldErrors Validate(const ResourceInfo& r, const boost::json::value& obj,
                     const boost::json::value* old);

// Checks what Kubernetes rejects while decoding, before validation: every resource quantity
// must parse. Returns InvalidArgument with Kubernetes' quantity message; the server answers
// 400 `<Kind> in version "<v>" cannot be handled as a <Kind>: <message>`.
absl::Status CheckDecodable(const ResourceInfo& r, const boost::json::value& obj);

}  // namespace skiff::api::kinds
