#include "skiff/scheduler/plugins/volumebinding/binder.h"

#include <algorithm>

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/controllers/volume/binding.h"
#include "spdlog/spdlog.h"

namespace skiff::scheduler::plugins {

namespace json = boost::json;
namespace vol = controllers::volume;
using client::ObjPtr;

namespace {

constexpr std::string_view kReasonBindConflict =
    "node(s) didn't find available persistent volumes to bind";
constexpr std::string_view kReasonNodeConflict = "node(s) had volume node affinity conflict";
constexpr std::string_view kReasonPVNotExist =
    "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";

bool FullyBound(const json::value& claim) {
  return !api::GetString(claim, {"spec", "volumeName"}).empty() &&
         vol::HasAnnotation(claim, vol::kAnnBindCompleted);
}

// A class's allowedTopologies admit the node: no terms, or one whose every expression holds.
bool MatchesTopology(const json::value& storage_class, const json::object* labels) {
  const json::array* terms = api::GetArray(storage_class, {"allowedTopologies"});
  if (terms == nullptr || terms->empty()) return true;
  for (const auto& term : *terms) {
    bool all = true;
    const json::array* exprs = api::GetArray(term, {"matchLabelExpressions"});
    for (size_t i = 0; exprs != nullptr && i < exprs->size() && all; ++i) {
      std::string_view key = api::GetString((*exprs)[i], {"key"});
      auto it = labels != nullptr ? labels->find(key) : json::object::const_iterator();
      if (labels == nullptr || it == labels->end() || !it->value().is_string()) {
        all = false;
        break;
      }
      bool found = false;
      if (const json::array* values = api::GetArray((*exprs)[i], {"values"})) {
        for (const auto& v : *values) found = found || v == it->value();
      }
      all = found;
    }
    if (all) return true;
  }
  return false;
}

ObjPtr Share(json::value v) { return std::make_shared<const json::value>(std::move(v)); }

}  // namespace

SchedulerVolumeBinder::SchedulerVolumeBinder(client::Client* client,
                                             client::InformerFactory* informers,
                                             SchedulerVolumeBinderOptions options)
    : client_(client),
      claims_(informers->For(client::PersistentVolumeClaims())),
      volumes_(informers->For(client::PersistentVolumes())),
      classes_(informers->For(client::StorageClasses())),
      pods_(informers->For(client::Pods())),
      nodes_(informers->For(client::Nodes())),
      options_(options) {}

void SchedulerVolumeBinder::Stop() {
  absl::MutexLock lock(&mu_);
  stopped_ = true;
}

// ---- the assume cache

ObjPtr SchedulerVolumeBinder::Claim(const std::string& ns, const std::string& name) const {
  ObjPtr cached = claims_.Get(ns, name);
  absl::MutexLock lock(&mu_);
  auto it = assumed_claims_.find(ns + "/" + name);
  if (it == assumed_claims_.end()) return cached;
  if (cached != nullptr && vol::ResourceVersion(*cached) > it->second.base_rv) return cached;
  return it->second.object;
}

ObjPtr SchedulerVolumeBinder::Volume(const std::string& name) const {
  ObjPtr cached = volumes_.Get("", name);
  absl::MutexLock lock(&mu_);
  auto it = assumed_volumes_.find(name);
  if (it == assumed_volumes_.end()) return cached;
  if (cached != nullptr && vol::ResourceVersion(*cached) > it->second.base_rv) return cached;
  return it->second.object;
}

std::vector<ObjPtr> SchedulerVolumeBinder::Volumes() const {
  std::vector<ObjPtr> out = volumes_.List();
  absl::MutexLock lock(&mu_);
  if (assumed_volumes_.empty()) return out;
  for (ObjPtr& v : out) {
    auto it = assumed_volumes_.find(vol::Name(*v));
    if (it != assumed_volumes_.end() && vol::ResourceVersion(*v) <= it->second.base_rv) {
      v = it->second.object;
    }
  }
  return out;
}

void SchedulerVolumeBinder::Assume(std::map<std::string, Assumed>& cache, const std::string& key,
                                   ObjPtr obj, const std::string& pod_uid) {
  Assumed& a = cache[key];
  a.base_rv = vol::ResourceVersion(*obj);
  a.object = std::move(obj);
  a.pods.insert(pod_uid);
}

void SchedulerVolumeBinder::Forget(const std::string& pod_uid) {
  absl::MutexLock lock(&mu_);
  reserved_.erase(pod_uid);
  for (auto* cache : {&assumed_claims_, &assumed_volumes_}) {
    for (auto it = cache->begin(); it != cache->end();) {
      it->second.pods.erase(pod_uid);
      it = it->second.pods.empty() ? cache->erase(it) : std::next(it);
    }
  }
}

// ---- PreFilter

absl::StatusOr<std::shared_ptr<const SchedulerVolumeBinder::PodClaims>>
SchedulerVolumeBinder::Classify(const PodInfo& pod) const {
  auto claims = std::make_shared<PodClaims>();
  claims->pod_uid = pod.uid;
  bool unbound_immediate = false;
  for (const std::string& name : pod.pvc_names) {
    ObjPtr claim = Claim(pod.ns, name);
    if (claim == nullptr) {
      return absl::NotFoundError(api::Cat("persistentvolumeclaim \"", name, "\" not found"));
    }
    if (api::GetString(*claim, {"status", "phase"}) == "Lost") {
      return absl::FailedPreconditionError(
          api::Cat("persistentvolumeclaim \"", name, "\" bound to non-existent persistentvolume \"",
                   api::GetString(*claim, {"spec", "volumeName"}), "\""));
    }
    if (vol::IsDeleting(*claim)) {
      return absl::FailedPreconditionError(
          api::Cat("persistentvolumeclaim \"", name, "\" is being deleted"));
    }
    if (FullyBound(*claim)) {
      claims->bound.push_back(claim);
      continue;
    }
    std::string class_name = vol::ClaimClass(*claim);
    ObjPtr storage_class = class_name.empty() ? nullptr : classes_.Get("", class_name);
    // A claim naming its volume is the binder's to bind, whatever the class says.
    if (vol::IsDelayBindingMode(storage_class.get()) &&
        api::GetString(*claim, {"spec", "volumeName"}).empty()) {
      claims->delayed.push_back(claim);
    } else {
      unbound_immediate = true;
    }
  }
  if (unbound_immediate) {
    return absl::UnavailableError("pod has unbound immediate PersistentVolumeClaims");
  }
  if (!claims->delayed.empty()) claims->volumes = Volumes();
  return std::shared_ptr<const PodClaims>(std::move(claims));
}

Status SchedulerVolumeBinder::PreFilter(const PodInfo& pod) {
  auto claims = Classify(pod);
  if (!claims.ok()) return Status::Unresolvable(std::string(claims.status().message()));
  absl::MutexLock lock(&mu_);
  current_ = *claims;
  return Status();
}

std::shared_ptr<const SchedulerVolumeBinder::PodClaims> SchedulerVolumeBinder::ClaimsFor(
    const PodInfo& pod) const {
  {
    absl::MutexLock lock(&mu_);
    if (current_ != nullptr && current_->pod_uid == pod.uid) return current_;
  }
  auto claims = Classify(pod);
  return claims.ok() ? *claims : nullptr;
}

// ---- Filter

Status SchedulerVolumeBinder::FindPodVolumes(const PodClaims& claims, std::string_view node_name,
                                             const json::object* node_labels,
                                             PodVolumes* out) const {
  bool bound_fit = true, bound_found = true, unbound_fit = true;
  // Kubernetes' order of the reasons.
  auto verdict = [&]() {
    std::vector<std::string> reasons;
    if (!bound_fit) reasons.emplace_back(kReasonNodeConflict);
    if (!unbound_fit) reasons.emplace_back(kReasonBindConflict);
    if (!bound_found) reasons.emplace_back(kReasonPVNotExist);
    return reasons.empty() ? Status() : Status::Unresolvable(std::move(reasons));
  };
  for (const ObjPtr& claim : claims.bound) {
    ObjPtr pv = Volume(std::string(api::GetString(*claim, {"spec", "volumeName"})));
    if (pv == nullptr) {
      bound_found = false;
      break;
    }
    if (!vol::CheckNodeAffinity(*pv, node_name, node_labels).ok()) {
      bound_fit = false;
      break;
    }
  }
  std::vector<ObjPtr> to_match, to_provision;
  for (const ObjPtr& claim : claims.delayed) {
    // Another pod of the claim may have been placed since PreFilter (assumed, not yet written).
    ObjPtr latest = Claim(vol::Namespace(*claim), vol::Name(*claim));
    std::string selected =
        vol::AnnotationValue(latest != nullptr ? *latest : *claim, vol::kAnnSelectedNode);
    if (!selected.empty()) {
      // Its volume is being provisioned for that node already.
      if (selected != node_name) {
        unbound_fit = false;
        return verdict();
      }
      to_provision.push_back(claim);
    } else {
      to_match.push_back(claim);
    }
  }
  // The smallest requests choose first, so they do not take volumes a bigger one needs.
  std::stable_sort(to_match.begin(), to_match.end(), [](const ObjPtr& a, const ObjPtr& b) {
    return vol::RequestedBytes(*a) < vol::RequestedBytes(*b);
  });
  vol::NodeRef node{node_name, node_labels};
  std::set<std::string> chosen;
  for (const ObjPtr& claim : to_match) {
    auto pv = vol::FindMatchingVolume(*claim, claims.volumes, &node, chosen, true);
    if (!pv.ok()) return Status::Error(std::string(pv.status().message()));
    if (*pv == nullptr) {
      to_provision.push_back(claim);
      continue;
    }
    chosen.insert(vol::Name(**pv));
    if (out != nullptr) out->static_bindings.emplace_back(claim, *pv);
  }
  // What no volume serves must be provisioned on this node.
  for (const ObjPtr& claim : to_provision) {
    std::string class_name = vol::ClaimClass(*claim);
    if (class_name.empty()) {
      return Status::Error(api::Cat("no class for claim \"", vol::ClaimKey(*claim), "\""));
    }
    ObjPtr storage_class = classes_.Get("", class_name);
    if (storage_class == nullptr) {
      return Status::Error(api::Cat("failed to find storage class \"", class_name, "\""));
    }
    std::string_view provisioner = api::GetString(*storage_class, {"provisioner"});
    if (provisioner.empty() || provisioner == vol::kNotSupportedProvisioner ||
        !MatchesTopology(*storage_class, node_labels)) {
      unbound_fit = false;
      break;
    }
    if (out != nullptr) out->provisions.push_back(claim);
  }
  return verdict();
}

Status SchedulerVolumeBinder::Filter(const PodInfo& pod, const NodeInfo& node) const {
  std::shared_ptr<const PodClaims> claims = ClaimsFor(pod);
  if (claims == nullptr) return Status::Error("volume binding: the pod's claims changed");
  const json::object* labels = node.node != nullptr ? node.node->labels_ptr() : nullptr;
  return FindPodVolumes(*claims, node.name(), labels, nullptr);
}

// ---- Reserve, Unreserve

Status SchedulerVolumeBinder::Reserve(const PodInfo& pod, const std::string& node) {
  std::shared_ptr<const PodClaims> claims = ClaimsFor(pod);
  if (claims == nullptr) return Status::Error("volume binding: the pod's claims changed");
  if (claims->delayed.empty()) return Status();  // all bound: nothing to do
  ObjPtr node_obj = nodes_.Get("", node);
  const json::object* labels =
      node_obj != nullptr ? api::GetObject(*node_obj, {"metadata", "labels"}) : nullptr;
  PodVolumes chosen;
  Status fits = FindPodVolumes(*claims, node, labels, &chosen);
  if (!fits.ok()) return fits;
  PodVolumes assumed;
  absl::MutexLock lock(&mu_);
  for (const auto& [claim, pv] : chosen.static_bindings) {
    vol::VolumeBinding bound = vol::BindVolumeToClaim(*pv, *claim);
    ObjPtr obj = bound.dirty ? Share(std::move(bound.volume)) : pv;
    if (bound.dirty) Assume(assumed_volumes_, vol::Name(*obj), obj, pod.uid);
    assumed.static_bindings.emplace_back(claim, obj);
  }
  for (const ObjPtr& claim : chosen.provisions) {
    json::value copy = *claim;
    api::EnsureObject(copy, {"metadata", "annotations"})[vol::kAnnSelectedNode] = node;
    ObjPtr obj = Share(std::move(copy));
    Assume(assumed_claims_, vol::ClaimKey(*obj), obj, pod.uid);
    assumed.provisions.push_back(obj);
  }
  reserved_[pod.uid] = std::move(assumed);
  return Status();
}

void SchedulerVolumeBinder::Unreserve(const PodInfo& pod, const std::string& node) {
  Forget(pod.uid);
}

// ---- PreBind

Status SchedulerVolumeBinder::PreBind(const PodInfo& pod, const std::string& node) {
  PodVolumes planned;
  {
    absl::MutexLock lock(&mu_);
    auto it = reserved_.find(pod.uid);
    if (it == reserved_.end()) return Status();  // every claim was bound already
    planned = it->second;
  }
  // Write the choices; the binder and the provisioner do the rest.
  PodVolumes written;
  absl::Status failed;
  for (const auto& [claim, pv] : planned.static_bindings) {
    spdlog::info("scheduler: binding volume {} to claim {} for pod {}", vol::Name(*pv),
                 vol::ClaimKey(*claim), pod.Key());
    auto res = client_->Update(client::PersistentVolumes(), *pv);
    if (!res.ok()) {
      failed = res.status();
      break;
    }
    written.static_bindings.emplace_back(claim, Share(std::move(*res)));
  }
  for (size_t i = 0; failed.ok() && i < planned.provisions.size(); ++i) {
    const json::value& claim = *planned.provisions[i];
    json::object patch{{"metadata", {{"annotations", {{vol::kAnnSelectedNode, node}}}}}};
    auto res =
        client_->Patch(client::PersistentVolumeClaims(), vol::Namespace(claim), vol::Name(claim),
                       "application/merge-patch+json", json::serialize(patch));
    if (!res.ok()) {
      failed = res.status();
      break;
    }
    written.provisions.push_back(Share(std::move(*res)));
  }
  absl::Time deadline = absl::Now() + options_.bind_timeout;
  while (failed.ok()) {
    auto done = CheckBindings(pod, node, written);
    if (!done.ok()) {
      failed = done.status();
      break;
    }
    if (*done) break;
    absl::MutexLock lock(&mu_);
    if (stopped_) {
      failed = absl::CancelledError("the scheduler is stopping");
      break;
    }
    if (absl::Now() >= deadline) {
      failed = absl::DeadlineExceededError("timed out waiting for the condition");
      break;
    }
    mu_.AwaitWithTimeout(absl::Condition(&stopped_), options_.poll_interval);
  }
  Forget(pod.uid);
  if (!failed.ok()) {
    return Status::Error(api::Cat("binding volumes: ", std::string(failed.message())));
  }
  return Status();
}

absl::StatusOr<bool> SchedulerVolumeBinder::CheckBindings(const PodInfo& pod,
                                                          const std::string& node,
                                                          const PodVolumes& written) const {
  ObjPtr current = pods_.Get(pod.ns, pod.name);
  if (current == nullptr || vol::Uid(*current) != pod.uid) {
    return absl::NotFoundError(
        api::Cat("pod does not exist any more: pods \"", pod.name, "\" not found"));
  }
  ObjPtr node_obj = nodes_.Get("", node);
  if (node_obj == nullptr)
    return absl::NotFoundError(api::Cat("failed to get node \"", node, "\""));
  const json::object* labels = api::GetObject(*node_obj, {"metadata", "labels"});
  for (const auto& [claim, wrote] : written.static_bindings) {
    ObjPtr pv = volumes_.Get("", vol::Name(*wrote));
    ObjPtr pvc = claims_.Get(vol::Namespace(*claim), vol::Name(*claim));
    if (pv == nullptr || pvc == nullptr) {
      return absl::NotFoundError(
          api::Cat("failed to check binding: ", pv == nullptr ? "volume " : "claim ",
                   pv == nullptr ? vol::Name(*wrote) : vol::ClaimKey(*claim), " not found"));
    }
    if (vol::ResourceVersion(*pv) < vol::ResourceVersion(*wrote)) return false;  // not seen yet
    if (absl::Status s = vol::CheckNodeAffinity(*pv, node, labels); !s.ok()) {
      return absl::FailedPreconditionError(api::Cat("pv \"", vol::Name(*pv),
                                                    "\" node affinity doesn't match node \"", node,
                                                    "\": ", std::string(s.message())));
    }
    if (api::GetString(*pv, {"spec", "claimRef", "uid"}).empty()) {
      return absl::AbortedError(api::Cat("ClaimRef got reset for pv \"", vol::Name(*pv), "\""));
    }
    if (!FullyBound(*pvc)) return false;
  }
  for (const ObjPtr& wrote : written.provisions) {
    ObjPtr pvc = claims_.Get(vol::Namespace(*wrote), vol::Name(*wrote));
    if (pvc == nullptr) {
      return absl::NotFoundError(
          api::Cat("failed to check provisioning pvc: ", vol::ClaimKey(*wrote), " not found"));
    }
    if (vol::ResourceVersion(*pvc) < vol::ResourceVersion(*wrote)) return false;
    if (vol::AnnotationValue(*pvc, vol::kAnnSelectedNode) != node) {
      // The provisioner gave up on this node and asks for another one.
      return absl::AbortedError(api::Cat("provisioning failed for PVC \"", vol::Name(*pvc), "\""));
    }
    std::string volume_name(api::GetString(*pvc, {"spec", "volumeName"}));
    if (!volume_name.empty()) {
      ObjPtr pv = volumes_.Get("", volume_name);
      if (pv == nullptr) return false;  // not seen yet
      if (absl::Status s = vol::CheckNodeAffinity(*pv, node, labels); !s.ok()) {
        return absl::FailedPreconditionError(api::Cat("pv \"", volume_name,
                                                      "\" node affinity doesn't match node \"",
                                                      node, "\": ", std::string(s.message())));
      }
    }
    if (!FullyBound(*pvc)) return false;
  }
  return true;
}

}  // namespace skiff::scheduler::plugins
