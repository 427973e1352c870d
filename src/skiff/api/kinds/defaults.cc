// Scheme defaulting (Kubernetes 1.32 pkg/apis/{core,apps,storage}/v1 defaults plus the
// declarative `+default` markers), applied to JSON in place.

#include <functional>
#include <string>

#include "absl/strings/escaping.h"
#include "skiff/api/kinds/internal.h"
#include "skiff/api/kinds/kinds.h"
#include "skiff/api/object.h"
#include "skiff/api/quantity.h"

namespace skiff::api::kinds {
namespace internal {
namespace {

constexpr int64_t kDefaultFileMode = 420;  // 0644

// Kubernetes' parsers.ParseImageName tag rule: Always for ":latest" or no tag and no digest,
// IfNotPresent otherwise (including digests and names that do not parse).
std::string DefaultPullPolicy(std::string_view image) {
  if (image.empty() || image.find_first_of(" \t") != std::string_view::npos) return "IfNotPresent";
  std::string_view name = image;
  bool has_digest = false;
  if (size_t at = name.find('@'); at != std::string_view::npos) {
    name = name.substr(0, at);
    has_digest = true;
  }
  std::string_view tag;
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    tag = name.substr(colon + 1);
    name = name.substr(0, colon);
  }
  // Repository path components must be lower case (the domain may not be).
  std::string_view path = name;
  if (size_t first = path.find('/'); first != std::string_view::npos) {
    std::string_view domain = path.substr(0, first);
    if (domain.find_first_of(".:") != std::string_view::npos || domain == "localhost") {
      path = path.substr(first + 1);
    }
  }
  for (char c : path)
    if (c >= 'A' && c <= 'Z') return "IfNotPresent";
  if (tag.empty() && !has_digest) return "Always";
  return tag == "latest" ? "Always" : "IfNotPresent";
}

void DefaultHTTPGet(json::object& handler) {
  if (json::object* http = ChildObject(handler, "httpGet")) {
    SetDefault(*http, "path", "/");
    SetDefault(*http, "scheme", "HTTP");
  }
}

void DefaultProbe(json::object& container, std::string_view key) {
  json::object* probe = ChildObject(container, key);
  if (probe == nullptr) return;
  SetDefaultIfZero(*probe, "timeoutSeconds", 1);
  SetDefaultIfZero(*probe, "periodSeconds", 10);
  SetDefaultIfZero(*probe, "successThreshold", 1);
  SetDefaultIfZero(*probe, "failureThreshold", 3);
  DefaultHTTPGet(*probe);
  if (json::object* grpc = ChildObject(*probe, "grpc")) SetDefault(*grpc, "service", "");
}

void DefaultFieldRef(json::object& holder) {
  if (json::object* ref = ChildObject(holder, "fieldRef")) SetDefault(*ref, "apiVersion", "v1");
}

void DefaultContainer(json::object& c) {
  if (auto it = c.find("imagePullPolicy");
      it == c.end() || !it->value().is_string() || it->value().get_string().empty()) {
    c["imagePullPolicy"] = DefaultPullPolicy(StrField(c, "image"));
  }
  SetDefault(c, "terminationMessagePath", "/dev/termination-log");
  SetDefault(c, "terminationMessagePolicy", "File");
  if (json::array* ports = ChildArray(c, "ports")) {
    for (auto& p : *ports)
      if (json::object* port = p.if_object()) SetDefault(*port, "protocol", "TCP");
  }
  if (json::array* env = ChildArray(c, "env")) {
    for (auto& e : *env) {
      if (json::object* var = e.if_object()) {
        if (json::object* from = ChildObject(*var, "valueFrom")) DefaultFieldRef(*from);
      }
    }
  }
  // ResourceRequirements is a struct in Go: it always serialises, at least as {}.
  if (json::object* resources = EnsureChild(c, "resources")) {
    if (auto it = resources->find("limits"); it != resources->end())
      DefaultResourceList(&it->value());
    if (auto it = resources->find("requests"); it != resources->end()) {
      DefaultResourceList(&it->value());
    }
  }
  DefaultProbe(c, "livenessProbe");
  DefaultProbe(c, "readinessProbe");
  DefaultProbe(c, "startupProbe");
  if (json::object* lifecycle = ChildObject(c, "lifecycle")) {
    if (json::object* h = ChildObject(*lifecycle, "postStart")) DefaultHTTPGet(*h);
    if (json::object* h = ChildObject(*lifecycle, "preStop")) DefaultHTTPGet(*h);
  }
}

void DefaultDownwardAPIItems(json::object& source) {
  if (json::array* items = ChildArray(source, "items")) {
    for (auto& i : *items)
      if (json::object* item = i.if_object()) DefaultFieldRef(*item);
  }
}

void DefaultVolume(json::object& v) {
  bool has_source = false;
  for (const auto& kv : v) has_source = has_source || (kv.key() != "name" && !kv.value().is_null());
  if (!has_source) v["emptyDir"] = json::object();
  if (json::object* empty_dir = ChildObject(v, "emptyDir")) {
    if (auto it = empty_dir->find("sizeLimit"); it != empty_dir->end()) {
      if (auto q = Quantity::FromJson(it->value()); q.ok()) it->value() = q->String();
    }
  }
  if (json::object* host_path = ChildObject(v, "hostPath")) {
    if (!host_path->contains("type") || host_path->at("type").is_null()) (*host_path)["type"] = "";
  }
  if (json::object* s = ChildObject(v, "secret")) SetDefault(*s, "defaultMode", kDefaultFileMode);
  if (json::object* s = ChildObject(v, "configMap"))
    SetDefault(*s, "defaultMode", kDefaultFileMode);
  if (json::object* s = ChildObject(v, "downwardAPI")) {
    SetDefault(*s, "defaultMode", kDefaultFileMode);
    DefaultDownwardAPIItems(*s);
  }
  if (json::object* s = ChildObject(v, "projected")) {
    SetDefault(*s, "defaultMode", kDefaultFileMode);
    if (json::array* sources = ChildArray(*s, "sources")) {
      for (auto& src : *sources) {
        json::object* source = src.if_object();
        if (source == nullptr) continue;
        if (json::object* d = ChildObject(*source, "downwardAPI")) DefaultDownwardAPIItems(*d);
        if (json::object* t = ChildObject(*source, "serviceAccountToken")) {
          SetDefault(*t, "expirationSeconds", 3600);
        }
      }
    }
  }
  if (json::object* s = ChildObject(v, "iscsi")) SetDefault(*s, "iscsiInterface", "default");
  if (json::object* s = ChildObject(v, "rbd")) {
    SetDefault(*s, "pool", "rbd");
    SetDefault(*s, "user", "admin");
    SetDefault(*s, "keyring", "/etc/ceph/keyring");
  }
  if (json::object* s = ChildObject(v, "azureDisk")) {
    SetDefault(*s, "cachingMode", "ReadWrite");
    SetDefault(*s, "fsType", "ext4");
    SetDefault(*s, "readOnly", false);
    SetDefault(*s, "kind", "Shared");
  }
  if (json::object* s = ChildObject(v, "scaleIO")) {
    SetDefault(*s, "storageMode", "ThinProvisioned");
    SetDefault(*s, "fsType", "xfs");
  }
  if (json::object* e = ChildObject(v, "ephemeral")) {
    if (json::object* t = ChildObject(*e, "volumeClaimTemplate")) {
      if (json::object* spec = ChildObject(*t, "spec")) DefaultPersistentVolumeClaimSpec(*spec);
    }
  }
}

// Pod only: a limit without a request also becomes the request.
void DefaultRequestsFromLimits(json::object& c) {
  json::object* resources = ChildObject(c, "resources");
  if (resources == nullptr || ChildObject(*resources, "limits") == nullptr) return;
  // Create "requests" before taking pointers: inserting into an object moves its members.
  if (EnsureChild(*resources, "requests") == nullptr) return;
  json::object* limits = ChildObject(*resources, "limits");
  json::object* requests = ChildObject(*resources, "requests");
  for (const auto& kv : *limits)
    if (!requests->contains(kv.key())) (*requests)[kv.key()] = kv.value();
}

void DefaultHostNetworkPorts(json::object& c) {
  json::array* ports = ChildArray(c, "ports");
  if (ports == nullptr) return;
  for (auto& p : *ports) {
    json::object* port = p.if_object();
    if (port == nullptr) continue;
    int64_t host = GetInt(p, {"hostPort"});
    if (host == 0) (*port)["hostPort"] = GetInt(p, {"containerPort"});
  }
}

void ForEachContainer(json::object& spec, const std::function<void(json::object&)>& fn,
                      bool include_ephemeral = true) {
  for (std::string_view list : {"initContainers", "containers", "ephemeralContainers"}) {
    if (list == "ephemeralContainers" && !include_ephemeral) continue;
    if (json::array* arr = ChildArray(spec, list)) {
      for (auto& c : *arr)
        if (json::object* container = c.if_object()) fn(*container);
    }
  }
}

}  // namespace

void DefaultResourceList(json::value* list) {
  if (list == nullptr || !list->is_object()) return;
  for (auto& kv : list->get_object()) {
    auto q = Quantity::FromJson(kv.value());
    if (!q.ok()) continue;  // reported by CheckDecodable / Validate
    q->RoundUp(-3);
    kv.value() = q->String();
  }
}

void DefaultPersistentVolumeClaimSpec(json::object& spec) {
  SetDefault(spec, "volumeMode", "Filesystem");
  if (json::object* resources = ChildObject(spec, "resources")) {
    if (auto it = resources->find("limits"); it != resources->end())
      DefaultResourceList(&it->value());
    if (auto it = resources->find("requests"); it != resources->end()) {
      DefaultResourceList(&it->value());
    }
  }
}

void DefaultPodSpec(json::object& spec, bool is_pod) {
  if (is_pod) {
    // SetDefaults_Pod runs before the container defaults.
    ForEachContainer(spec, DefaultRequestsFromLimits, /*include_ephemeral=*/false);
    SetDefault(spec, "enableServiceLinks", true);
    if (BoolField(spec, "hostNetwork")) {
      ForEachContainer(spec, DefaultHostNetworkPorts, /*include_ephemeral=*/false);
    }
  }
  // v1 conversion: the deprecated serviceAccount field mirrors serviceAccountName.
  if (StrField(spec, "serviceAccountName").empty() && !StrField(spec, "serviceAccount").empty()) {
    std::string name(StrField(spec, "serviceAccount"));
    spec["serviceAccountName"] = name;
  }
  if (!StrField(spec, "serviceAccountName").empty()) {
    std::string name(StrField(spec, "serviceAccountName"));
    spec["serviceAccount"] = name;
  }
  SetDefault(spec, "dnsPolicy", "ClusterFirst");
  SetDefault(spec, "restartPolicy", "Always");
  SetDefault(spec, "securityContext", json::object());
  SetDefault(spec, "terminationGracePeriodSeconds", 30);
  SetDefault(spec, "schedulerName", "default-scheduler");
  if (json::array* volumes = ChildArray(spec, "volumes")) {
    for (auto& v : *volumes)
      if (json::object* vol = v.if_object()) DefaultVolume(*vol);
  }
  ForEachContainer(spec, DefaultContainer);
  if (auto it = spec.find("overhead"); it != spec.end()) DefaultResourceList(&it->value());
}

void DefaultPodTemplate(json::object& owner_spec) {
  json::object* tmpl = EnsureChild(owner_spec, "template");
  if (tmpl == nullptr) return;
  // Go serialises the embedded ObjectMeta's zero creationTimestamp as null.
  if (json::object* meta = EnsureChild(*tmpl, "metadata")) {
    if (!meta->contains("creationTimestamp")) (*meta)["creationTimestamp"] = nullptr;
  }
  if (json::object* spec = EnsureChild(*tmpl, "spec")) DefaultPodSpec(*spec, /*is_pod=*/false);
}

}  // namespace internal

namespace {

using internal::BoolField;
using internal::ChildArray;
using internal::ChildObject;
using internal::DefaultPersistentVolumeClaimSpec;
using internal::DefaultPodSpec;
using internal::DefaultPodTemplate;
using internal::DefaultResourceList;
using internal::EnsureChild;
using internal::Is;
using internal::SetDefault;
using internal::StrField;

void DefaultDeployment(json::object& spec) {
  SetDefault(spec, "replicas", 1);
  json::object* strategy = EnsureChild(spec, "strategy");
  if (strategy != nullptr) {
    SetDefault(*strategy, "type", "RollingUpdate");
    if (StrField(*strategy, "type") == "RollingUpdate") {
      if (json::object* ru = EnsureChild(*strategy, "rollingUpdate")) {
        SetDefault(*ru, "maxUnavailable", "25%");
        SetDefault(*ru, "maxSurge", "25%");
      }
    }
  }
  SetDefault(spec, "revisionHistoryLimit", 10);
  SetDefault(spec, "progressDeadlineSeconds", 600);
  DefaultPodTemplate(spec);
}

void DefaultDaemonSet(json::object& spec) {
  if (json::object* strategy = EnsureChild(spec, "updateStrategy")) {
    SetDefault(*strategy, "type", "RollingUpdate");
    if (StrField(*strategy, "type") == "RollingUpdate") {
      if (json::object* ru = EnsureChild(*strategy, "rollingUpdate")) {
        SetDefault(*ru, "maxUnavailable", 1);
        SetDefault(*ru, "maxSurge", 0);
      }
    }
  }
  SetDefault(spec, "revisionHistoryLimit", 10);
  DefaultPodTemplate(spec);
}

void DefaultStatefulSet(json::object& spec) {
  SetDefault(spec, "podManagementPolicy", "OrderedReady");
  if (json::object* strategy = EnsureChild(spec, "updateStrategy")) {
    if (StrField(*strategy, "type").empty()) {
      (*strategy)["type"] = "RollingUpdate";
      EnsureChild(*strategy, "rollingUpdate");
    }
    if (StrField(*strategy, "type") == "RollingUpdate") {
      if (json::object* ru = ChildObject(*strategy, "rollingUpdate"))
        SetDefault(*ru, "partition", 0);
    }
  }
  if (json::object* policy = EnsureChild(spec, "persistentVolumeClaimRetentionPolicy")) {
    SetDefault(*policy, "whenDeleted", "Retain");
    SetDefault(*policy, "whenScaled", "Retain");
  }
  SetDefault(spec, "replicas", 1);
  SetDefault(spec, "revisionHistoryLimit", 10);
  DefaultPodTemplate(spec);
  if (json::array* claims = ChildArray(spec, "volumeClaimTemplates")) {
    for (auto& c : *claims) {
      json::object* claim = c.if_object();
      if (claim == nullptr) continue;
      SetDefault(*claim, "apiVersion", "v1");
      SetDefault(*claim, "kind", "PersistentVolumeClaim");
      if (json::object* meta = EnsureChild(*claim, "metadata")) {
        if (!meta->contains("creationTimestamp")) (*meta)["creationTimestamp"] = nullptr;
      }
      if (json::object* s = EnsureChild(*claim, "spec")) DefaultPersistentVolumeClaimSpec(*s);
      if (json::object* status = EnsureChild(*claim, "status"))
        SetDefault(*status, "phase", "Pending");
    }
  }
}

void DefaultReplicationController(json::object& obj) {
  json::object* spec = EnsureChild(obj, "spec");
  if (spec == nullptr) return;
  const json::value* template_labels = nullptr;
  if (json::object* tmpl = ChildObject(*spec, "template")) {
    if (json::object* meta = ChildObject(*tmpl, "metadata")) {
      if (auto it = meta->find("labels"); it != meta->end() && it->value().is_object()) {
        template_labels = &it->value();
      }
    }
  }
  if (template_labels != nullptr) {
    json::value labels = *template_labels;
    const json::object* selector = ChildObject(*spec, "selector");
    if (selector == nullptr || selector->empty()) (*spec)["selector"] = labels;
    json::object* meta = EnsureChild(obj, "metadata");
    if (meta != nullptr) {
      const json::object* own = ChildObject(*meta, "labels");
      if (own == nullptr || own->empty()) (*meta)["labels"] = labels;
    }
    spec = ChildObject(obj, "spec");  // EnsureChild(obj, ...) may have moved it
  }
  SetDefault(*spec, "replicas", 1);
  if (ChildObject(*spec, "template") != nullptr) DefaultPodTemplate(*spec);
}

bool ExternallyAccessible(const json::object& spec) {
  std::string_view type = StrField(spec, "type");
  if (type == "LoadBalancer" || type == "NodePort") return true;
  auto ips = spec.find("externalIPs");
  return type == "ClusterIP" && ips != spec.end() && ips->value().is_array() &&
         !ips->value().get_array().empty();
}

// The Service strategy's normalizeClusterIPs: clusterIP and clusterIPs[0] agree.
void NormalizeClusterIPs(json::object& spec) {
  std::string ip(StrField(spec, "clusterIP"));
  json::array* ips = ChildArray(spec, "clusterIPs");
  if (!ip.empty() && (ips == nullptr || ips->empty())) {
    spec["clusterIPs"] = json::array{json::string(ip)};
  } else if (ip.empty() && ips != nullptr && !ips->empty() && (*ips)[0].is_string()) {
    json::value first = (*ips)[0];  // copy before inserting
    spec["clusterIP"] = std::move(first);
  }
}

void DefaultService(json::object& spec) {
  NormalizeClusterIPs(spec);
  SetDefault(spec, "sessionAffinity", "None");
  std::string affinity(StrField(spec, "sessionAffinity"));
  if (affinity == "None") spec.erase("sessionAffinityConfig");
  if (affinity == "ClientIP") {
    const json::value* timeout = nullptr;
    if (json::object* config = ChildObject(spec, "sessionAffinityConfig")) {
      if (json::object* client = ChildObject(*config, "clientIP")) {
        if (auto it = client->find("timeoutSeconds"); it != client->end()) timeout = &it->value();
      }
    }
    if (timeout == nullptr || timeout->is_null()) {
      spec["sessionAffinityConfig"] = {{"clientIP", {{"timeoutSeconds", 10800}}}};
    }
  }
  SetDefault(spec, "type", "ClusterIP");
  std::string type(StrField(spec, "type"));
  if (json::array* ports = ChildArray(spec, "ports")) {
    for (auto& p : *ports) {
      json::object* port = p.if_object();
      if (port == nullptr) continue;
      SetDefault(*port, "protocol", "TCP");
      auto it = port->find("targetPort");
      bool unset = it == port->end() || it->value().is_null() ||
                   (it->value().is_string() && it->value().get_string().empty()) ||
                   (it->value().is_int64() && it->value().get_int64() == 0);
      if (unset) (*port)["targetPort"] = GetInt(p, {"port"});
    }
  }
  if (ExternallyAccessible(spec)) SetDefault(spec, "externalTrafficPolicy", "Cluster");
  if (type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP") {
    SetDefault(spec, "internalTrafficPolicy", "Cluster");
  }
  if (type == "LoadBalancer") SetDefault(spec, "allocateLoadBalancerNodePorts", true);
  // IP family fields, which the Service REST storage fills on a single-stack IPv4 cluster.
  if (type != "ExternalName") {
    bool headless = StrField(spec, "clusterIP") == "None";
    const json::object* selector = ChildObject(spec, "selector");
    bool selectorless = selector == nullptr || selector->empty();
    SetDefault(spec, "ipFamilyPolicy",
               headless && selectorless ? "RequireDualStack" : "SingleStack");
    const json::array* families = ChildArray(spec, "ipFamilies");
    if (families == nullptr || families->empty()) spec["ipFamilies"] = json::array{"IPv4"};
    // Headless services without a selector may be dual-stack even on a single-stack cluster.
    json::array* fams = ChildArray(spec, "ipFamilies");
    if (headless && selectorless && fams != nullptr && fams->size() == 1 &&
        StrField(spec, "ipFamilyPolicy") != "SingleStack") {
      bool v6 = (*fams)[0].is_string() && (*fams)[0].get_string() == "IPv6";
      fams->emplace_back(v6 ? "IPv4" : "IPv6");
    }
  }
}

}  // namespace

void Default(const ResourceInfo& r, json::value& obj) {
  if (!obj.is_object()) return;
  json::object& o = obj.get_object();
  if (r.group == "apps") {
    if (r.kind == "ControllerRevision") return;  // no spec: data is free-form
    json::object* spec = EnsureChild(o, "spec");
    if (spec == nullptr) return;
    if (r.kind == "Deployment") DefaultDeployment(*spec);
    if (r.kind == "ReplicaSet") {
      SetDefault(*spec, "replicas", 1);
      DefaultPodTemplate(*spec);
    }
    if (r.kind == "StatefulSet") DefaultStatefulSet(*spec);
    if (r.kind == "DaemonSet") DefaultDaemonSet(*spec);
    return;
  }
  if (Is(r, "", "Pod")) {
    if (json::object* spec = EnsureChild(o, "spec")) DefaultPodSpec(*spec, /*is_pod=*/true);
  } else if (Is(r, "", "ReplicationController")) {
    DefaultReplicationController(o);
  } else if (Is(r, "", "Service")) {
    if (json::object* spec = EnsureChild(o, "spec")) DefaultService(*spec);
  } else if (Is(r, "", "PersistentVolumeClaim")) {
    if (json::object* spec = EnsureChild(o, "spec")) DefaultPersistentVolumeClaimSpec(*spec);
    if (json::object* status = EnsureChild(o, "status")) {
      SetDefault(*status, "phase", "Pending");
      if (auto it = status->find("capacity"); it != status->end())
        DefaultResourceList(&it->value());
      if (auto it = status->find("allocatedResources"); it != status->end()) {
        DefaultResourceList(&it->value());
      }
    }
  } else if (Is(r, "", "PersistentVolume")) {
    if (json::object* spec = EnsureChild(o, "spec")) {
      SetDefault(*spec, "persistentVolumeReclaimPolicy", "Retain");
      SetDefault(*spec, "volumeMode", "Filesystem");
      if (auto it = spec->find("capacity"); it != spec->end()) DefaultResourceList(&it->value());
      if (json::object* hp = ChildObject(*spec, "hostPath")) {
        if (!hp->contains("type") || hp->at("type").is_null()) (*hp)["type"] = "";
      }
    }
    if (json::object* status = EnsureChild(o, "status")) SetDefault(*status, "phase", "Pending");
  } else if (Is(r, "", "Namespace")) {
    std::string name(GetString(obj, {"metadata", "name"}));
    if (!name.empty()) {
      if (json::object* meta = EnsureChild(o, "metadata")) {
        if (json::object* labels = EnsureChild(*meta, "labels")) {
          (*labels)["kubernetes.io/metadata.name"] = name;
        }
      }
    }
    if (json::object* status = EnsureChild(o, "status")) SetDefault(*status, "phase", "Active");
  } else if (Is(r, "", "Secret")) {
    SetDefault(o, "type", "Opaque");
    // stringData is write-only: Kubernetes merges it into data (base64) on decode.
    if (json::object* found = ChildObject(o, "stringData")) {
      json::object string_data = *found;  // copy: creating "data" may move it
      json::object* data = EnsureChild(o, "data");
      if (data != nullptr) {
        for (const auto& kv : string_data) {
          std::string raw = kv.value().is_string() ? std::string(kv.value().get_string())
                                                   : json::serialize(kv.value());
          (*data)[kv.key()] = absl::Base64Escape(raw);
        }
      }
    }
    o.erase("stringData");
  } else if (Is(r, "", "Node")) {
    if (json::object* status = ChildObject(o, "status")) {
      if (auto it = status->find("capacity"); it != status->end()) {
        DefaultResourceList(&it->value());
        auto alloc = status->find("allocatable");
        if (alloc == status->end() || alloc->value().is_null()) {
          json::value capacity = status->at("capacity");  // copy before inserting
          (*status)["allocatable"] = std::move(capacity);
        }
      }
      if (auto it = status->find("allocatable"); it != status->end())
        DefaultResourceList(&it->value());
    }
  } else if (Is(r, "", "Endpoints")) {
    if (json::array* subsets = ChildArray(o, "subsets")) {
      for (auto& s : *subsets) {
        if (!s.is_object()) continue;
        if (json::array* ports = ChildArray(s.get_object(), "ports")) {
          for (auto& p : *ports)
            if (json::object* port = p.if_object()) SetDefault(*port, "protocol", "TCP");
        }
      }
    }
  } else if (Is(r, "storage.k8s.io", "StorageClass")) {
    SetDefault(o, "reclaimPolicy", "Delete");
    SetDefault(o, "volumeBindingMode", "Immediate");
  }
}

}  // namespace skiff::api::kinds
