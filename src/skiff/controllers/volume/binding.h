// The rules that tie PersistentVolumes to PersistentVolumeClaims, shared by the PV binder,
// the local-path provisioner, the protection controllers and the scheduler's volume binding
// (Kubernetes' component-helpers/storage/volume): annotation and finalizer names, storage
// classes of claims and volumes, access-mode and volume-mode checks, volume node affinity, and
// the search for the best volume for a claim. Pure functions over JSON objects; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "skiff/client/informer.h"

namespace skiff::controllers::volume {

using client::ObjPtr;

// Set on a claim once the binder completed its binding (value "yes").
inline constexpr std::string_view kAnnBindCompleted = "pv.kubernetes.io/bind-completed";
// On volumes and claims whose binding the binder made (absent: the user pre-bound them).
inline constexpr std::string_view kAnnBoundByController = "pv.kubernetes.io/bound-by-controller";
// On a provisioned volume: the provisioner that created it.
inline constexpr std::string_view kAnnProvisionedBy = "pv.kubernetes.io/provisioned-by";
// On a claim: the provisioner asked to provision it.
inline constexpr std::string_view kAnnStorageProvisioner =
    "volume.kubernetes.io/storage-provisioner";
inline constexpr std::string_view kAnnBetaStorageProvisioner =
    "volume.beta.kubernetes.io/storage-provisioner";
// On a claim of a WaitForFirstConsumer class: the node the scheduler picked for its first pod.
inline constexpr std::string_view kAnnSelectedNode = "volume.kubernetes.io/selected-node";
// The pre-GA way to name a class; wins over spec.storageClassName where present.
inline constexpr std::string_view kAnnBetaStorageClass = "volume.beta.kubernetes.io/storage-class";
inline constexpr std::string_view kPvcProtectionFinalizer = "kubernetes.io/pvc-protection";
inline constexpr std::string_view kPvProtectionFinalizer = "kubernetes.io/pv-protection";
// A class with this provisioner never provisions (statically created local volumes).
inline constexpr std::string_view kNotSupportedProvisioner = "kubernetes.io/no-provisioner";
inline constexpr std::string_view kWaitForFirstConsumer = "WaitForFirstConsumer";
inline constexpr std::string_view kLabelHostname = "kubernetes.io/hostname";

// Metadata reads.
const boost::json::value* Annotation(const boost::json::value& obj, std::string_view key);
bool HasAnnotation(const boost::json::value& obj, std::string_view key);
std::string AnnotationValue(const boost::json::value& obj, std::string_view key);
bool HasFinalizer(const boost::json::value& obj, std::string_view finalizer);
bool IsDeleting(const boost::json::value& obj);
// Adds the finalizer when missing / removes every occurrence (dropping an emptied list).
void AddFinalizer(boost::json::value& obj, std::string_view finalizer);
void RemoveFinalizer(boost::json::value& obj, std::string_view finalizer);
std::string Name(const boost::json::value& obj);
std::string Namespace(const boost::json::value& obj);
std::string Uid(const boost::json::value& obj);
// "ns/name", as claims are keyed everywhere.
std::string ClaimKey(const boost::json::value& claim);
// The object's resourceVersion as a number (0 when absent or not numeric).
int64_t ResourceVersion(const boost::json::value& obj);

// The class a claim asks for ("" = no class): the beta annotation, else spec.storageClassName.
std::string ClaimClass(const boost::json::value& claim);
// Whether the claim names a class at all (the annotation, or a non-null storageClassName, even
// ""); claims without one get the default class.
bool ClaimHasClass(const boost::json::value& claim);
std::string VolumeClass(const boost::json::value& volume);

// spec.claimRef names this claim (namespace and name) and its uid is empty or the claim's.
bool IsVolumeBoundToClaim(const boost::json::value& volume, const boost::json::value& claim);
// The volume offers every access mode the claim requests.
bool CheckAccessModes(const boost::json::value& claim, const boost::json::value& volume);
// The claim's volumeMode differs from the volume's (both default to Filesystem).
bool VolumeModeMismatch(const boost::json::value& claim, const boost::json::value& volume);
// Whether the volume's spec.nodeAffinity.required admits a node with these labels. The error
// reads "no matching NodeSelectorTerms".
absl::Status CheckNodeAffinity(const boost::json::value& volume, std::string_view node_name,
                               const boost::json::object* node_labels);
// The claim's spec.resources.requests.storage and the volume's spec.capacity.storage in bytes
// (rounded up; 0 when absent).
int64_t RequestedBytes(const boost::json::value& claim);
int64_t CapacityBytes(const boost::json::value& volume);

// Why a volume cannot serve a claim that names it in spec.volumeName ("" when it can), as the
// binder's VolumeMismatch event says: "requested PV is too small", "storageClassName does not
// match", "incompatible volumeMode", "incompatible accessMode", "the volume is marked for
// deletion \"pv\"".
std::string CheckVolumeSatisfiesClaim(const boost::json::value& volume,
                                      const boost::json::value& claim);

// A node a volume search is made for (the scheduler's path).
struct NodeRef {
  std::string_view name;
  const boost::json::object* labels = nullptr;
};

// Kubernetes' FindMatchingVolume over `volumes`: a volume pre-bound to the claim wins (or, when
// its node affinity rejects `node`, nothing does); otherwise the smallest Available volume of
// the claim's class, size, volume mode, selector (and, with a node: node affinity and access
// modes) not named in `excluded`. Without a node and with `delay_binding`, only pre-bound
// volumes count (the scheduler binds the rest). InvalidArgument for a malformed selector.
absl::StatusOr<ObjPtr> FindMatchingVolume(const boost::json::value& claim,
                                          const std::vector<ObjPtr>& volumes, const NodeRef* node,
                                          const std::set<std::string>& excluded,
                                          bool delay_binding);

// The binder's search (findBestMatchForClaim): volumes grouped by access-mode sets that hold all
// the claim's modes, trying the smallest such set first.
absl::StatusOr<ObjPtr> FindBestMatchForClaim(const boost::json::value& claim,
                                             const std::vector<ObjPtr>& volumes,
                                             bool delay_binding);

// An ObjectReference to the claim, as spec.claimRef holds it.
boost::json::object ClaimReference(const boost::json::value& claim);

// The volume bound to the claim (claimRef set, bound-by-controller added when the binding is the
// controller's); `dirty` says whether anything changed.
struct VolumeBinding {
  boost::json::value volume;
  bool dirty = false;
};
VolumeBinding BindVolumeToClaim(const boost::json::value& volume, const boost::json::value& claim);

// Whether the claim's class exists and binds WaitForFirstConsumer. `storage_class` is the
// claim's class object or nullptr when it has none or it does not exist.
bool IsDelayBindingMode(const boost::json::value* storage_class);

// The claim names of a pod's persistentVolumeClaim volumes, in volume order.
std::vector<std::string> PodClaimNames(const boost::json::value& pod);
// Succeeded or Failed.
bool IsPodTerminated(const boost::json::value& pod);

}  // namespace skiff::controllers::volume
