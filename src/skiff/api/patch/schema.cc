#include "skiff/api/patch/schema.h"

#include <algorithm>
#include <deque>
#include <initializer_list>
#include <utility>

namespace skiff::api::patch {

const SchemaNode* SchemaNode::Child(std::string_view name) const {
  auto it = fields.find(name);
  if (it != fields.end()) return it->second;
  return is_map ? values : nullptr;
}

namespace {

using Fields = std::initializer_list<std::pair<std::string_view, const SchemaNode*>>;

// Owns every node; pointers stay valid because a deque never moves its elements.
class Builder {
 public:
  const SchemaNode* Object(Fields fields) {
    SchemaNode& n = nodes_.emplace_back();
    for (const auto& [name, child] : fields) n.fields.emplace(std::string(name), child);
    return &n;
  }
  // An object whose fields keep their defaults but which apply owns as one leaf.
  const SchemaNode* AtomicObject(Fields fields = {}) {
    SchemaNode& n = Mutable(Object(fields));
    n.atomic_object = true;
    return &n;
  }
  // A free-form map (labels, annotations, data, resource quantities).
  const SchemaNode* Map(const SchemaNode* values = nullptr) {
    SchemaNode& n = nodes_.emplace_back();
    n.is_map = true;
    n.values = values;
    return &n;
  }
  // Replaced whole by both engines (the default; spelled out where upstream says so).
  const SchemaNode* AtomicList(const SchemaNode* items = nullptr) {
    SchemaNode& n = nodes_.emplace_back();
    n.items = items;
    return &n;
  }
  // patchStrategy:"merge" patchMergeKey:`key`; apply keys by `apply_keys` (default: `key`).
  const SchemaNode* MergeList(const SchemaNode* items, std::string key,
                              std::vector<ListKey> apply_keys = {}, bool retain_keys = false) {
    SchemaNode& n = nodes_.emplace_back();
    n.items = items;
    n.patch_merge = true;
    n.retain_keys = retain_keys;
    n.patch_merge_key = key;
    n.list_type = ListType::kMap;
    n.list_keys = apply_keys.empty() ? std::vector<ListKey>{{key, nullptr}} : std::move(apply_keys);
    std::sort(n.list_keys.begin(), n.list_keys.end(),
              [](const ListKey& a, const ListKey& b) { return a.name < b.name; });
    return &n;
  }
  // A list of scalars with patchStrategy:"merge" (listType=set).
  const SchemaNode* SetList() {
    SchemaNode& n = nodes_.emplace_back();
    n.patch_merge = true;
    n.list_type = ListType::kSet;
    return &n;
  }
  // listType=map without a patch strategy: strategic merge patch replaces it.
  const SchemaNode* ApplyOnlyMapList(const SchemaNode* items, std::vector<ListKey> keys) {
    SchemaNode& n = nodes_.emplace_back();
    n.items = items;
    n.list_type = ListType::kMap;
    n.list_keys = std::move(keys);
    return &n;
  }

 private:
  SchemaNode& Mutable(const SchemaNode* n) { return const_cast<SchemaNode&>(*n); }
  std::deque<SchemaNode> nodes_;
};

struct KindSchema {
  std::string_view group;
  std::string_view kind;
  const SchemaNode* root;
};

// Built from k8s.io/api struct tags and list markers for the kinds in resources.h.
class BuiltinSchemas {
 public:
  BuiltinSchemas() { Build(); }

  const SchemaNode* Find(std::string_view group, std::string_view kind) const {
    for (const auto& k : kinds_)
      if (k.group == group && k.kind == kind) return k.root;
    return nullptr;
  }

 private:
  void Add(std::string_view group, std::string_view kind, Fields fields) {
    kinds_.push_back({group, kind, b_.Object(fields)});
  }

  void Build() {
    const SchemaNode* string_map = b_.Map();
    const SchemaNode* atomic = b_.AtomicList();
    const SchemaNode* object_ref = b_.AtomicObject();  // ObjectReference: structType=atomic
    const SchemaNode* conditions = b_.MergeList(nullptr, "type");
    const ListKey tcp_protocol{"protocol", "TCP"};

    const SchemaNode* object_meta = b_.Object({
        {"labels", string_map},
        {"annotations", string_map},
        {"finalizers", b_.SetList()},
        {"ownerReferences", b_.MergeList(nullptr, "uid")},
        {"managedFields", atomic},
    });
    const SchemaNode* label_selector = b_.AtomicObject({
        {"matchLabels", string_map},
        {"matchExpressions", atomic},
    });
    const SchemaNode* resources = b_.Object({
        {"limits", string_map},
        {"requests", string_map},
        {"claims", b_.ApplyOnlyMapList(nullptr, {{"name", nullptr}})},
    });
    const SchemaNode* container = b_.Object({
        {"command", atomic},
        {"args", atomic},
        {"ports",
         b_.MergeList(nullptr, "containerPort", {{"containerPort", nullptr}, tcp_protocol})},
        {"envFrom", atomic},
        {"env", b_.MergeList(nullptr, "name")},
        {"resources", resources},
        {"resizePolicy", atomic},
        {"volumeMounts", b_.MergeList(nullptr, "mountPath")},
        {"volumeDevices", b_.MergeList(nullptr, "devicePath")},
    });
    const SchemaNode* affinity_term =
        b_.Object({{"labelSelector", label_selector}, {"namespaceSelector", label_selector}});
    const SchemaNode* pod_spec = b_.Object({
        {"volumes", b_.MergeList(nullptr, "name", {}, /*retain_keys=*/true)},
        {"initContainers", b_.MergeList(container, "name")},
        {"containers", b_.MergeList(container, "name")},
        {"ephemeralContainers", b_.MergeList(container, "name")},
        {"nodeSelector", string_map},
        {"imagePullSecrets", b_.MergeList(nullptr, "name")},
        {"tolerations", atomic},
        {"hostAliases", b_.MergeList(nullptr, "ip")},
        {"readinessGates", atomic},
        {"overhead", string_map},
        {"topologySpreadConstraints",
         b_.MergeList(b_.Object({{"labelSelector", label_selector}}), "topologyKey",
                      {{"topologyKey", nullptr}, {"whenUnsatisfiable", nullptr}})},
        {"schedulingGates", b_.MergeList(nullptr, "name")},
        {"resourceClaims", b_.MergeList(nullptr, "name", {}, /*retain_keys=*/true)},
        {"resources", resources},
        {"affinity",
         b_.Object(
             {{"podAffinity", b_.Object({{"requiredDuringSchedulingIgnoredDuringExecution",
                                          b_.AtomicList(affinity_term)}})},
              {"podAntiAffinity", b_.Object({{"requiredDuringSchedulingIgnoredDuringExecution",
                                              b_.AtomicList(affinity_term)}})}})},
    });
    const SchemaNode* pod_template = b_.Object({{"metadata", object_meta}, {"spec", pod_spec}});
    const SchemaNode* pod_status = b_.Object({
        {"conditions", conditions},
        {"podIPs", b_.MergeList(nullptr, "ip")},
        {"hostIPs", b_.MergeList(nullptr, "ip")},
        {"initContainerStatuses", atomic},
        {"containerStatuses", atomic},
        {"ephemeralContainerStatuses", atomic},
        {"resourceClaimStatuses", b_.MergeList(nullptr, "name", {}, /*retain_keys=*/true)},
    });
    const SchemaNode* pvc_spec = b_.Object({
        {"accessModes", atomic},
        {"selector", label_selector},
        {"resources", resources},
    });
    const SchemaNode* pvc_status = b_.Object({
        {"accessModes", atomic},
        {"capacity", string_map},
        {"conditions", conditions},
        {"allocatedResources", string_map},
        {"allocatedResourceStatuses", string_map},
    });
    const SchemaNode* pvc = b_.Object({
        {"metadata", object_meta},
        {"spec", pvc_spec},
        {"status", pvc_status},
    });
    const SchemaNode* workload_status = b_.Object({{"conditions", conditions}});

    // core/v1
    Add("", "Namespace",
        {{"metadata", object_meta},
         {"spec", b_.Object({{"finalizers", atomic}})},
         {"status", workload_status}});
    Add("", "Node",
        {{"metadata", object_meta},
         {"spec", b_.Object({{"podCIDRs", b_.SetList()}, {"taints", atomic}})},
         {"status", b_.Object({
                        {"capacity", string_map},
                        {"allocatable", string_map},
                        {"conditions", conditions},
                        {"addresses", b_.MergeList(nullptr, "type")},
                        {"images", atomic},
                        {"volumesInUse", atomic},
                        {"volumesAttached", atomic},
                    })}});
    Add("", "Pod", {{"metadata", object_meta}, {"spec", pod_spec}, {"status", pod_status}});
    Add("", "PersistentVolume",
        {{"metadata", object_meta},
         {"spec", b_.Object({
                      {"capacity", string_map},
                      {"accessModes", atomic},
                      {"claimRef", object_ref},
                      {"mountOptions", atomic},
                  })}});
    Add("", "PersistentVolumeClaim",
        {{"metadata", object_meta}, {"spec", pvc_spec}, {"status", pvc_status}});
    Add("", "ConfigMap",
        {{"metadata", object_meta}, {"data", string_map}, {"binaryData", string_map}});
    Add("", "Secret",
        {{"metadata", object_meta}, {"data", string_map}, {"stringData", string_map}});
    Add("", "Event",
        {{"metadata", object_meta}, {"involvedObject", object_ref}, {"related", object_ref}});
    Add("", "ServiceAccount",
        {{"metadata", object_meta},
         {"secrets", b_.MergeList(nullptr, "name")},
         {"imagePullSecrets", atomic}});
    Add("", "Service",
        {{"metadata", object_meta},
         {"spec", b_.Object({
                      {"ports", b_.MergeList(nullptr, "port", {{"port", nullptr}, tcp_protocol})},
                      {"selector", string_map},
                      {"clusterIPs", atomic},
                      {"externalIPs", atomic},
                      {"ipFamilies", atomic},
                      {"loadBalancerSourceRanges", atomic},
                  })},
         {"status", b_.Object({{"conditions", conditions},
                               {"loadBalancer", b_.Object({{"ingress", atomic}})}})}});
    Add("", "Endpoints", {{"metadata", object_meta}, {"subsets", atomic}});
    Add("", "ReplicationController",
        {{"metadata", object_meta},
         {"spec", b_.Object({{"selector", string_map}, {"template", pod_template}})},
         {"status", workload_status}});

    // apps/v1
    Add("apps", "ControllerRevision", {{"metadata", object_meta}, {"data", b_.AtomicObject()}});
    const SchemaNode* workload_spec =
        b_.Object({{"selector", label_selector}, {"template", pod_template}});
    Add("apps", "DaemonSet",
        {{"metadata", object_meta}, {"spec", workload_spec}, {"status", workload_status}});
    Add("apps", "Deployment",
        {{"metadata", object_meta}, {"spec", workload_spec}, {"status", workload_status}});
    Add("apps", "ReplicaSet",
        {{"metadata", object_meta}, {"spec", workload_spec}, {"status", workload_status}});
    Add("apps", "StatefulSet",
        {{"metadata", object_meta},
         {"spec", b_.Object({{"selector", label_selector},
                             {"template", pod_template},
                             {"volumeClaimTemplates", b_.AtomicList(pvc)}})},
         {"status", workload_status}});

    // others
    Add("coordination.k8s.io", "Lease", {{"metadata", object_meta}});
    Add("events.k8s.io", "Event",
        {{"metadata", object_meta}, {"regarding", object_ref}, {"related", object_ref}});
    Add("policy", "PodDisruptionBudget",
        {{"metadata", object_meta},
         {"spec", b_.Object({{"selector", label_selector}})},
         {"status", b_.Object({{"conditions", conditions}, {"disruptedPods", string_map}})}});
    Add("storage.k8s.io", "StorageClass",
        {{"metadata", object_meta},
         {"parameters", string_map},
         {"mountOptions", atomic},
         {"allowedTopologies", atomic}});
  }

  Builder b_;
  std::vector<KindSchema> kinds_;
};

}  // namespace

const SchemaNode* StrategicSchemaFor(std::string_view group, std::string_view kind) {
  static const BuiltinSchemas* const kSchemas = new BuiltinSchemas();
  return kSchemas->Find(group, kind);
}

}  // namespace skiff::api::patch
