#include "skiff/api/resources.h"

namespace skiff::api {
namespace {

const std::vector<std::string_view> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                                 "list",   "patch",  "update",           "watch"};
const std::vector<std::string_view> kNoCollectionVerbs = {"create", "delete", "get",  "list",
                                                          "patch",  "update", "watch"};

std::vector<ResourceInfo> Build() {
  std::vector<ResourceInfo> r;
  auto add =
      [&](std::string_view group, std::string_view kind, std::string_view plural,
          std::string_view singular, bool namespaced, std::vector<std::string_view> short_names,
          std::vector<std::string_view> categories, std::vector<std::string_view> subresources,
          const std::vector<std::string_view>& verbs = kAllVerbs) {
        r.push_back(ResourceInfo{group, "v1", kind, plural, singular, namespaced,
                                 std::move(short_names), std::move(categories),
                                 std::move(subresources), verbs});
      };
  // core/v1
  add("", "Namespace", "namespaces", "namespace", false, {"ns"}, {}, {"finalize", "status"},
      kNoCollectionVerbs);
  add("", "Node", "nodes", "node", false, {"no"}, {}, {"status"});
  add("", "Pod", "pods", "pod", true, {"po"}, {"all"},
      {"binding", "eviction", "exec", "log", "status"});
  add("", "PersistentVolume", "persistentvolumes", "persistentvolume", false, {"pv"}, {},
      {"status"});
  add("", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", true, {"pvc"},
      {}, {"status"});
  add("", "ConfigMap", "configmaps", "configmap", true, {"cm"}, {}, {});
  add("", "Secret", "secrets", "secret", true, {}, {}, {});
  add("", "Event", "events", "event", true, {"ev"}, {}, {});
  add("", "ServiceAccount", "serviceaccounts", "serviceaccount", true, {"sa"}, {}, {});
  add("", "Service", "services", "service", true, {"svc"}, {"all"}, {"status"});
  add("", "Endpoints", "endpoints", "endpoints", true, {"ep"}, {}, {});
  add("", "ReplicationController", "replicationcontrollers", "replicationcontroller", true, {"rc"},
      {"all"}, {"scale", "status"});
  // apps/v1
  add("apps", "ControllerRevision", "controllerrevisions", "controllerrevision", true, {}, {}, {});
  add("apps", "DaemonSet", "daemonsets", "daemonset", true, {"ds"}, {"all"}, {"status"});
  add("apps", "Deployment", "deployments", "deployment", true, {"deploy"}, {"all"},
      {"scale", "status"});
  add("apps", "ReplicaSet", "replicasets", "replicaset", true, {"rs"}, {"all"},
      {"scale", "status"});
  add("apps", "StatefulSet", "statefulsets", "statefulset", true, {"sts"}, {"all"},
      {"scale", "status"});
  // others
  add("coordination.k8s.io", "Lease", "leases", "lease", true, {}, {}, {});
  add("events.k8s.io", "Event", "events", "event", true, {"ev"}, {}, {});
  add("policy", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", true, {"pdb"},
      {}, {"status"});
  add("storage.k8s.io", "StorageClass", "storageclasses", "storageclass", false, {"sc"}, {}, {});
  return r;
}

}  // namespace

std::string ResourceInfo::KeyPrefix() const {
  std::string key = "/registry/";
  if (!group.empty()) {
    key += group;
    key += '/';
  }
  key += plural;
  key += '/';
  return key;
}

std::string ResourceInfo::Key(std::string_view ns, std::string_view name) const {
  std::string key = KeyPrefix();
  if (namespaced) {
    key += ns;
    key += '/';
  }
  key += name;
  return key;
}

const std::vector<ResourceInfo>& AllResources() {
  static const std::vector<ResourceInfo> kResources = Build();
  return kResources;
}

const ResourceInfo* FindResource(std::string_view group, std::string_view version,
                                 std::string_view plural) {
  for (const auto& r : AllResources())
    if (r.group == group && r.version == version && r.plural == plural) return &r;
  return nullptr;
}

const ResourceInfo* FindKind(std::string_view group, std::string_view kind) {
  for (const auto& r : AllResources())
    if (r.group == group && r.kind == kind) return &r;
  return nullptr;
}

std::vector<std::string> ServedGroupVersions() {
  std::vector<std::string> out;
  for (const auto& r : AllResources()) {
    std::string gv = r.GroupVersion();
    bool seen = false;
    for (const auto& o : out) seen = seen || o == gv;
    if (!seen) out.push_back(gv);
  }
  return out;
}

}  // namespace skiff::api
