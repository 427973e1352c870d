// The scheduler's compact, typed view of pods and nodes, built once per informer event from the
// JSON objects so that scheduling decisions never re-parse JSON: requested and allocatable
// resources, tolerations/taints, affinity terms, spread constraints, host ports. PodInfo and
// NodeSpec are immutable once built and shared by pointer across threads; NodeInfo (a node plus
// the pods assigned to it) is copied on write by the cache.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/api/labels.h"
#include "skiff/api/node_selector.h"
#include "skiff/api/taints.h"
#include "skiff/client/informer.h"

namespace skiff::scheduler {

namespace json = boost::json;
using api::NodeSelector;
using api::NodeSelectorTerm;
using api::PreferredNodeAffinityFromPod;
using api::PreferredSchedulingTerm;
using api::RequiredNodeAffinity;
using client::ObjPtr;

inline constexpr int64_t kMaxNodeScore = 100;
// What scoring assumes for a container that requests no cpu / memory (schedutil defaults).
inline constexpr int64_t kDefaultMilliCpuRequest = 100;
inline constexpr int64_t kDefaultMemoryRequest = 200 * 1024 * 1024;
inline constexpr std::string_view kLabelHostname = "kubernetes.io/hostname";

// Amounts of compute resources: requests of a pod, sums over a node, or a node's allocatable.
struct Resource {
  int64_t milli_cpu = 0;
  int64_t memory = 0;
  int64_t ephemeral_storage = 0;
  int64_t allowed_pods = 0;                              // allocatable only
  std::vector<std::pair<std::string, int64_t>> scalars;  // extended resources, sorted by name

  int64_t Scalar(std::string_view name) const;
  void SetScalar(std::string_view name, int64_t value);
  void Add(const Resource& other);
  void Subtract(const Resource& other);
  bool IsZero() const;
  friend bool operator==(const Resource&, const Resource&) = default;
};

// A `resources.requests`-style map (JSON object of quantities) as a Resource; unknown or
// unparsable entries are ignored. `pods` fills allowed_pods.
Resource ResourceFromJson(const boost::json::value* list);

struct HostPort {
  std::string protocol;  // TCP (default), UDP, SCTP
  std::string ip;        // 0.0.0.0 (default) binds every address
  int32_t port = 0;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};
// Kubernetes' HostPortInfo.CheckConflict: same protocol and port, and the same address or
// either side binding 0.0.0.0.
bool HostPortsConflict(const HostPort& a, const HostPort& b);

struct PodInfo;

// A required or preferred pod (anti-)affinity term, with its namespaces resolved.
struct AffinityTerm {
  api::LabelSelector selector = api::LabelSelector::Nothing();
  std::vector<std::string> namespaces;  // the pod's own namespace when neither is given
  std::optional<api::LabelSelector> namespace_selector;
  std::string topology_key;
  int32_t weight = 0;  // preferred terms only

  // `ns_labels` are the labels of `pod`'s namespace (needed only with a namespace selector).
  bool Matches(const PodInfo& pod, const boost::json::object* ns_labels) const;
};

struct SpreadConstraint {
  int32_t max_skew = 1;
  std::string topology_key;
  bool do_not_schedule = true;  // whenUnsatisfiable: DoNotSchedule (else ScheduleAnyway)
  api::LabelSelector selector = api::LabelSelector::Nothing();  // matchLabelKeys merged in
  int32_t min_domains = 1;
  bool honor_node_affinity = true;  // nodeAffinityPolicy: Honor (default)
  bool honor_node_taints = false;   // nodeTaintsPolicy: Ignore (default)
};

// Everything the scheduler reads from one version of a Pod.
struct PodInfo {
  ObjPtr object;  // the Pod as the informer holds it (for events and status writes)
  std::string ns, name, uid, node_name, scheduler_name, phase, resource_version;
  int32_t priority = 0;
  bool preempt_never = false;  // preemptionPolicy: Never
  bool terminating = false;    // deletionTimestamp set
  boost::json::object labels;

  Resource requests;               // Kubernetes' PodRequests (init containers, sidecars, overhead)
  int64_t non_zero_milli_cpu = 0;  // the same with default requests for containers without one
  int64_t non_zero_memory = 0;

  std::vector<api::Toleration> tolerations;
  RequiredNodeAffinity required_node_affinity;
  std::vector<PreferredSchedulingTerm> preferred_node_affinity;
  std::vector<AffinityTerm> required_affinity, required_anti_affinity;
  std::vector<AffinityTerm> preferred_affinity, preferred_anti_affinity;
  std::vector<SpreadConstraint> spread_constraints;
  std::vector<HostPort> host_ports;
  std::vector<std::string> pvc_names;  // persistentVolumeClaim volumes

  std::string Key() const { return ns + "/" + name; }
  bool HasAffinity() const {
    return !required_affinity.empty() || !required_anti_affinity.empty() ||
           !preferred_affinity.empty() || !preferred_anti_affinity.empty();
  }
  bool HasRequiredAntiAffinity() const { return !required_anti_affinity.empty(); }
};
using PodInfoPtr = std::shared_ptr<const PodInfo>;

// Builds the typed view of a Pod object.
PodInfoPtr MakePodInfo(ObjPtr pod);
// The same pod placed on `node` (what the cache assumes while binding).
PodInfoPtr WithNodeName(const PodInfo& pod, std::string node);

// What the scheduler reads from one version of a Node.
struct NodeSpec {
  ObjPtr object;
  std::string name;
  boost::json::object labels;
  std::vector<api::Taint> taints;
  bool unschedulable = false;
  Resource allocatable;

  const boost::json::object* labels_ptr() const { return &labels; }
  // The value of label `key`, or nullptr.
  const boost::json::string* Label(std::string_view key) const;
};
using NodeSpecPtr = std::shared_ptr<const NodeSpec>;

NodeSpecPtr MakeNodeSpec(ObjPtr node);

// A node and the pods placed on it (bound or assumed), with running sums. Copied on write.
struct NodeInfo {
  NodeSpecPtr node;  // null while the node is unknown but pods name it
  std::vector<PodInfoPtr> pods;
  std::vector<PodInfoPtr> pods_with_affinity;
  std::vector<PodInfoPtr> pods_with_required_anti_affinity;
  Resource requested;
  int64_t non_zero_milli_cpu = 0;
  int64_t non_zero_memory = 0;
  std::vector<HostPort> used_ports;
  int64_t generation = 0;

  const std::string& name() const;
  void AddPod(PodInfoPtr pod);
  // Removes the pod with `uid`; false when it is not here.
  bool RemovePod(std::string_view uid);
  bool PortConflicts(const HostPort& port) const;
};
using NodeInfoPtr = std::shared_ptr<const NodeInfo>;

}  // namespace skiff::scheduler
