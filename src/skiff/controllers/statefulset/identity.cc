#include "skiff/controllers/statefulset/identity.h"

#include <limits>

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/controllers/common/controller_ref.h"
#include "skiff/controllers/replicaset/pod_state.h"
#include "skiff/controllers/replicaset/pod_template.h"

namespace skiff::controllers::statefulset {

namespace json = boost::json;

namespace {

std::string_view Name(const json::value& obj) { return api::GetString(obj, {"metadata", "name"}); }
std::string_view Namespace(const json::value& obj) {
  return api::GetString(obj, {"metadata", "namespace"});
}
std::string_view Phase(const json::value& pod) { return api::GetString(pod, {"status", "phase"}); }

const json::array* ClaimTemplates(const json::value& set) {
  return api::GetArray(set, {"spec", "volumeClaimTemplates"});
}

// The claim name `volume` must use, or "" when it is not a template's volume.
std::string TemplateClaimName(const json::value& set, std::string_view volume, int ordinal) {
  if (const json::array* templates = ClaimTemplates(set)) {
    for (const auto& t : *templates) {
      std::string_view tname = Name(t);
      if (tname == volume) return ClaimName(tname, Name(set), ordinal);
    }
  }
  return "";
}

}  // namespace

ParentAndOrdinal ParseParentAndOrdinal(std::string_view pod_name) {
  ParentAndOrdinal out;
  size_t dash = pod_name.rfind('-');
  if (dash == std::string_view::npos || dash + 1 == pod_name.size()) return out;
  std::string_view digits = pod_name.substr(dash + 1);
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return out;
    if (value <= std::numeric_limits<int32_t>::max()) value = value * 10 + (c - '0');
  }
  out.parent = std::string(pod_name.substr(0, dash));
  if (value <= std::numeric_limits<int32_t>::max()) out.ordinal = static_cast<int>(value);
  return out;
}

int Ordinal(const json::value& pod) { return ParseParentAndOrdinal(Name(pod)).ordinal; }

int Replicas(const json::value& set) {
  return static_cast<int>(api::GetInt(set, {"spec", "replicas"}, 1));
}

int StartOrdinal(const json::value& set) {
  return static_cast<int>(api::GetInt(set, {"spec", "ordinals", "start"}, 0));
}

int EndOrdinal(const json::value& set) { return StartOrdinal(set) + Replicas(set) - 1; }

bool PodInOrdinalRange(const json::value& pod, const json::value& set) {
  int ordinal = Ordinal(pod);
  return ordinal >= StartOrdinal(set) && ordinal <= EndOrdinal(set);
}

std::string PodName(std::string_view set_name, int ordinal) {
  return api::Cat(set_name, "-", ordinal);
}

std::string ClaimName(std::string_view template_name, std::string_view set_name, int ordinal) {
  return api::Cat(template_name, "-", set_name, "-", ordinal);
}

bool IsMemberOf(const json::value& set, const json::value& pod) {
  return ParseParentAndOrdinal(Name(pod)).parent == Name(set);
}

bool IdentityMatches(const json::value& set, const json::value& pod) {
  ParentAndOrdinal po = ParseParentAndOrdinal(Name(pod));
  return po.ordinal >= 0 && po.parent == Name(set) && Name(pod) == PodName(Name(set), po.ordinal) &&
         Namespace(pod) == Namespace(set) &&
         api::GetString(pod, {"metadata", "labels", kPodNameLabel}) == Name(pod);
}

bool StorageMatches(const json::value& set, const json::value& pod) {
  int ordinal = Ordinal(pod);
  if (ordinal < 0) return false;
  const json::array* templates = ClaimTemplates(set);
  if (templates == nullptr) return true;
  const json::array* volumes = api::GetArray(pod, {"spec", "volumes"});
  for (const auto& t : *templates) {
    std::string_view tname = Name(t);
    std::string want = ClaimName(tname, Name(set), ordinal);
    bool found = false;
    if (volumes != nullptr) {
      for (const auto& v : *volumes) {
        if (api::GetString(v, {"name"}) != tname) continue;
        const json::value* pvc = api::Find(v, {"persistentVolumeClaim"});
        found = pvc != nullptr && pvc->is_object() && api::GetString(*pvc, {"claimName"}) == want;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

void UpdateIdentity(const json::value& set, json::value& pod) {
  int ordinal = Ordinal(pod);
  std::string name = PodName(Name(set), ordinal);
  json::object& meta = api::EnsureObject(pod, {"metadata"});
  meta["name"] = name;
  meta["namespace"] = Namespace(set);
  json::object& labels = api::EnsureObject(pod, {"metadata", "labels"});
  labels[kPodNameLabel] = name;
  labels[kPodIndexLabel] = std::to_string(ordinal);
}

void InitIdentity(const json::value& set, json::value& pod) {
  UpdateIdentity(set, pod);
  json::object& spec = api::EnsureObject(pod, {"spec"});
  spec["hostname"] = Name(pod);
  std::string_view service = api::GetString(set, {"spec", "serviceName"});
  if (service.empty()) {
    spec.erase("subdomain");
  } else {
    spec["subdomain"] = service;
  }
}

void UpdateStorage(const json::value& set, json::value& pod) {
  int ordinal = Ordinal(pod);
  const json::array* templates = ClaimTemplates(set);
  if (templates == nullptr || templates->empty()) return;
  json::array volumes;
  for (const auto& t : *templates) {
    std::string_view tname = Name(t);
    volumes.push_back(
        json::object{{"name", tname},
                     {"persistentVolumeClaim",
                      json::object{{"claimName", ClaimName(tname, Name(set), ordinal)}}}});
  }
  json::object& spec = api::EnsureObject(pod, {"spec"});
  if (const json::array* current =
          spec.contains("volumes") ? spec["volumes"].if_array() : nullptr) {
    for (const auto& v : *current) {
      if (TemplateClaimName(set, api::GetString(v, {"name"}), ordinal).empty()) {
        volumes.push_back(v);
      }
    }
  }
  spec["volumes"] = std::move(volumes);
}

std::string PodRevision(const json::value& pod) {
  return std::string(api::GetString(pod, {"metadata", "labels", kRevisionLabel}));
}

void SetPodRevision(json::value& pod, std::string_view revision) {
  api::EnsureObject(pod, {"metadata", "labels"})[kRevisionLabel] = revision;
}

json::value NewStatefulSetPod(const json::value& set, int ordinal) {
  json::object ref = NewControllerRef("apps/v1", "StatefulSet", Name(set),
                                      api::GetString(set, {"metadata", "uid"}));
  json::value pod = replicaset::PodFromTemplate(set, ref);
  json::object& meta = pod.as_object()["metadata"].as_object();
  meta.erase("generateName");
  meta["name"] = PodName(Name(set), ordinal);
  InitIdentity(set, pod);
  UpdateStorage(set, pod);
  return pod;
}

json::value NewVersionedStatefulSetPod(const json::value& current_set,
                                       const json::value& update_set,
                                       std::string_view current_revision,
                                       std::string_view update_revision, int ordinal) {
  // As upstream's condition reads (&& binds before ||): a RollingUpdate without rollingUpdate
  // keeps ordinals below start + currentReplicas current; any set with rollingUpdate keeps those
  // below start + partition current.
  const json::value* rolling = api::Find(current_set, {"spec", "updateStrategy", "rollingUpdate"});
  bool has_rolling = rolling != nullptr && rolling->is_object();
  int start = StartOrdinal(current_set);
  bool rolling_type =
      api::GetString(current_set, {"spec", "updateStrategy", "type"}) == "RollingUpdate";
  bool current = (rolling_type && !has_rolling &&
                  ordinal < start + api::GetInt(current_set, {"status", "currentReplicas"})) ||
                 (has_rolling && ordinal < start + api::GetInt(*rolling, {"partition"}));
  json::value pod = NewStatefulSetPod(current ? current_set : update_set, ordinal);
  SetPodRevision(pod, current ? current_revision : update_revision);
  return pod;
}

bool IsCreated(const json::value& pod) { return !Phase(pod).empty(); }
bool IsPending(const json::value& pod) { return Phase(pod) == "Pending"; }
bool IsFailed(const json::value& pod) { return Phase(pod) == "Failed"; }
bool IsSucceeded(const json::value& pod) { return Phase(pod) == "Succeeded"; }

bool IsTerminating(const json::value& pod) {
  const json::value* d = api::Find(pod, {"metadata", "deletionTimestamp"});
  return d != nullptr && !d->is_null();
}

bool IsRunningAndReady(const json::value& pod) {
  return Phase(pod) == "Running" && replicaset::IsPodReady(pod);
}

bool IsRunningAndAvailable(const json::value& pod, int64_t min_ready_seconds, absl::Time now) {
  return replicaset::IsPodAvailable(pod, min_ready_seconds, now);
}

bool IsHealthy(const json::value& pod) { return IsRunningAndReady(pod) && !IsTerminating(pod); }

bool IsUnavailable(const json::value& pod, int64_t min_ready_seconds, absl::Time now) {
  return !IsHealthy(pod) || !IsRunningAndAvailable(pod, min_ready_seconds, now);
}

bool AllowsBurst(const json::value& set) {
  return api::GetString(set, {"spec", "podManagementPolicy"}) == "Parallel";
}

}  // namespace skiff::controllers::statefulset
