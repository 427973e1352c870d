// The registry strategies' PrepareForCreate / PrepareForUpdate (pkg/registry/*/strategy.go):
// status initialisation, generation tracking, and the Pod QoS class.

#include <map>
#include <string>

#include "skiff/api/kinds/internal.h"
#include "skiff/api/kinds/kinds.h"
#include "skiff/api/object.h"
#include "skiff/api/quantity.h"
#include "skiff/api/text.h"

namespace skiff::api::kinds {
namespace {

using internal::ChildArray;
using internal::ChildObject;
using internal::EnsureChild;
using internal::Is;

namespace json = boost::json;

constexpr std::string_view kTemplateGenerationAnnotation =
    "deprecated.daemonset.template.generation";

bool TracksGeneration(const ResourceInfo& r) {
  return (r.group == "apps" && r.kind != "ControllerRevision") ||
         Is(r, "", "ReplicationController") || Is(r, "policy", "PodDisruptionBudget");
}

bool HasStatus(const ResourceInfo& r) { return r.HasSubresource("status"); }

// The status Kubernetes serialises for a freshly reset status struct: the fields without
// `omitempty` appear as zeros.
json::value EmptyStatus(const ResourceInfo& r) {
  if (Is(r, "apps", "ReplicaSet") || Is(r, "", "ReplicationController")) return {{"replicas", 0}};
  if (Is(r, "apps", "StatefulSet")) return {{"availableReplicas", 0}, {"replicas", 0}};
  if (Is(r, "apps", "DaemonSet")) {
    return {{"currentNumberScheduled", 0},
            {"desiredNumberScheduled", 0},
            {"numberMisscheduled", 0},
            {"numberReady", 0}};
  }
  if (Is(r, "policy", "PodDisruptionBudget")) {
    return {{"currentHealthy", 0},
            {"desiredHealthy", 0},
            {"disruptionsAllowed", 0},
            {"expectedPods", 0}};
  }
  if (Is(r, "", "Service")) return {{"loadBalancer", json::object()}};
  return json::object();
}

void SetGeneration(json::object& obj, int64_t generation) {
  if (json::object* meta = EnsureChild(obj, "metadata")) (*meta)["generation"] = generation;
}

void SetTemplateGeneration(json::object& obj, int64_t generation) {
  json::object* meta = EnsureChild(obj, "metadata");
  if (meta == nullptr) return;
  if (json::object* annotations = EnsureChild(*meta, "annotations")) {
    (*annotations)[kTemplateGenerationAnnotation] = Cat(generation);
  }
}

int64_t TemplateGeneration(const json::value& obj) {
  int64_t g = 0;
  std::string_view v = GetString(obj, {"metadata", "annotations", kTemplateGenerationAnnotation});
  return ParseInt64(v, &g) ? g : 0;
}

const json::value* Member(const json::value& obj, std::string_view key) {
  const json::object* o = obj.if_object();
  if (o == nullptr) return nullptr;
  auto it = o->find(key);
  return it == o->end() ? nullptr : &it->value();
}

bool SameMember(const json::value& a, const json::value& b, std::string_view key) {
  const json::value* x = Member(a, key);
  const json::value* y = Member(b, key);
  if (x == nullptr || y == nullptr) return x == y;
  return *x == *y;
}

void AddQuantities(std::map<std::string, Quantity>& sum, const json::value* list) {
  if (list == nullptr || !list->is_object()) return;
  for (const auto& kv : list->get_object()) {
    if (kv.key() != "cpu" && kv.key() != "memory") continue;
    auto q = Quantity::FromJson(kv.value());
    if (!q.ok() || q->Sign() <= 0) continue;
    sum[std::string(kv.key())] += *q;
  }
}

// Like the Service REST update: an update that omits server-allocated values (cluster IPs,
// node ports, health-check node port) keeps the allocated ones.
void PreserveAllocatedServiceFields(json::object& obj, const json::value& old) {
  json::object* spec = EnsureChild(obj, "spec");
  const json::value* old_spec = Member(old, "spec");
  if (spec == nullptr || old_spec == nullptr || !old_spec->is_object()) return;
  std::string type(internal::StrField(*spec, "type"));  // copy: spec is modified below
  std::string_view old_type = GetString(*old_spec, {"type"});
  bool needs_ip = type != "ExternalName" && old_type != "ExternalName";
  if (needs_ip) {
    if (internal::StrField(*spec, "clusterIP").empty() &&
        !GetString(*old_spec, {"clusterIP"}).empty()) {
      (*spec)["clusterIP"] = old_spec->at("clusterIP");
    }
    const json::array* ips = ChildArray(*spec, "clusterIPs");
    const json::array* old_ips = GetArray(*old_spec, {"clusterIPs"});
    if ((ips == nullptr || ips->empty()) && old_ips != nullptr && !old_ips->empty()) {
      (*spec)["clusterIPs"] = *old_ips;
    }
  }
  bool needs_node_ports = (type == "NodePort" || type == "LoadBalancer") &&
                          (old_type == "NodePort" || old_type == "LoadBalancer");
  const json::array* old_ports = GetArray(*old_spec, {"ports"});
  json::array* ports = ChildArray(*spec, "ports");
  if (needs_node_ports && ports != nullptr && old_ports != nullptr) {
    for (auto& p : *ports) {
      json::object* port = p.if_object();
      if (port == nullptr || internal::IntField(*port, "nodePort") != 0) continue;
      for (const auto& op : *old_ports) {
        if (GetInt(op, {"port"}) == internal::IntField(*port, "port") &&
            GetString(op, {"protocol"}, "TCP") == (internal::StrField(*port, "protocol").empty()
                                                       ? "TCP"
                                                       : internal::StrField(*port, "protocol")) &&
            GetInt(op, {"nodePort"}) != 0) {
          (*port)["nodePort"] = GetInt(op, {"nodePort"});
          break;
        }
      }
    }
  }
  if (needs_node_ports && internal::IntField(*spec, "healthCheckNodePort") == 0 &&
      GetInt(*old_spec, {"healthCheckNodePort"}) != 0) {
    (*spec)["healthCheckNodePort"] = GetInt(*old_spec, {"healthCheckNodePort"});
  }
}

}  // namespace

std::string PodQOSClass(const json::value& pod) {
  std::map<std::string, Quantity> requests, limits;
  bool guaranteed = true;
  for (std::string_view list : {"containers", "initContainers"}) {
    const json::array* containers = GetArray(pod, {"spec", list});
    if (containers == nullptr) continue;
    for (const auto& c : *containers) {
      AddQuantities(requests, Find(c, {"resources", "requests"}));
      std::map<std::string, Quantity> own_limits;
      AddQuantities(own_limits, Find(c, {"resources", "limits"}));
      for (auto& [name, q] : own_limits) limits[name] += q;
      if (!own_limits.count("cpu") || !own_limits.count("memory")) guaranteed = false;
    }
  }
  if (requests.empty() && limits.empty()) return "BestEffort";
  if (guaranteed) {
    for (const auto& [name, req] : requests) {
      auto it = limits.find(name);
      if (it == limits.end() || it->second != req) {
        guaranteed = false;
        break;
      }
    }
  }
  if (guaranteed && requests.size() == limits.size()) return "Guaranteed";
  return "Burstable";
}

void PrepareForCreate(const ResourceInfo& r, json::value& obj) {
  if (!obj.is_object()) return;
  json::object& o = obj.get_object();
  if (TracksGeneration(r)) SetGeneration(o, 1);
  if (Is(r, "apps", "DaemonSet")) SetTemplateGeneration(o, 1);

  if (Is(r, "", "Pod")) {
    Default(r, obj);  // QoS is computed from the defaulted requests
    json::object status{{"phase", "Pending"}, {"qosClass", PodQOSClass(obj)}};
    const json::array* gates = GetArray(obj, {"spec", "schedulingGates"});
    if (gates != nullptr && !gates->empty()) {
      status["conditions"] =
          json::array{{{"type", "PodScheduled"},
                       {"status", "False"},
                       {"reason", "SchedulingGated"},
                       {"message", "Scheduling is blocked due to non-empty scheduling gates"},
                       {"lastProbeTime", nullptr},
                       {"lastTransitionTime", nullptr}}};
    }
    o["status"] = std::move(status);
  } else if (Is(r, "", "Namespace")) {
    o["status"] = {{"phase", "Active"}};
    json::object* spec = EnsureChild(o, "spec");
    if (spec != nullptr) {
      json::value& finalizers = (*spec)["finalizers"];
      if (!finalizers.is_array()) finalizers = json::array();
      bool has = false;
      for (const auto& f : finalizers.get_array())
        has = has || (f.is_string() && f.get_string() == "kubernetes");
      if (!has) finalizers.get_array().emplace_back("kubernetes");
    }
  } else if (HasStatus(r) && !Is(r, "", "Node")) {
    // Create cannot set status (nodes register with theirs).
    o["status"] = EmptyStatus(r);
  }
  Default(r, obj);
}

void PrepareForUpdate(const ResourceInfo& r, json::value& obj, const json::value& old,
                      bool status_subresource) {
  if (!obj.is_object() || !old.is_object()) return;
  json::object& o = obj.get_object();
  // Generation is server-owned; start from the stored one.
  if (TracksGeneration(r)) SetGeneration(o, GetInt(old, {"metadata", "generation"}));
  if (Is(r, "apps", "DaemonSet")) SetTemplateGeneration(o, TemplateGeneration(old));

  if (status_subresource) {
    // A status write cannot change the spec (nor a Namespace's finalizers).
    if (const json::value* spec = Member(old, "spec")) {
      o["spec"] = *spec;
    } else {
      o.erase("spec");
    }
    Default(r, obj);
    return;
  }

  if (HasStatus(r)) {
    if (const json::value* status = Member(old, "status")) {
      o["status"] = *status;
    } else {
      o.erase("status");
    }
  }
  if (Is(r, "", "Service")) PreserveAllocatedServiceFields(o, old);
  if (Is(r, "", "Namespace")) {
    // Finalizers only change through /finalize.
    json::object* spec = EnsureChild(o, "spec");
    const json::value* old_finalizers = Find(old, {"spec", "finalizers"});
    if (spec != nullptr) {
      if (old_finalizers != nullptr) {
        (*spec)["finalizers"] = *old_finalizers;
      } else {
        spec->erase("finalizers");
      }
    }
  }
  Default(r, obj);

  if (!TracksGeneration(r)) return;
  int64_t generation = GetInt(old, {"metadata", "generation"});
  bool spec_changed = !SameMember(obj, old, "spec");
  if (Is(r, "apps", "DaemonSet")) {
    const json::value* new_template = Find(obj, {"spec", "template"});
    const json::value* old_template = Find(old, {"spec", "template"});
    bool template_changed = (new_template == nullptr || old_template == nullptr)
                                ? new_template != old_template
                                : *new_template != *old_template;
    if (template_changed) SetTemplateGeneration(o, TemplateGeneration(old) + 1);
  }
  bool annotations_changed = Is(r, "apps", "Deployment") && [&] {
    const json::value* a = Find(obj, {"metadata", "annotations"});
    const json::value* b = Find(old, {"metadata", "annotations"});
    bool a_empty = a == nullptr || a->is_null() || (a->is_object() && a->get_object().empty());
    bool b_empty = b == nullptr || b->is_null() || (b->is_object() && b->get_object().empty());
    if (a_empty || b_empty) return a_empty != b_empty;
    return *a != *b;
  }();
  if (spec_changed || annotations_changed) SetGeneration(o, generation + 1);
}

}  // namespace skiff::api::kinds

namespace skiff::api::kinds {

void AdmitPod(json::value& pod, const PodAdmissionOptions& options) {
  json::object* spec = pod.is_object() ? EnsureChild(pod.get_object(), "spec") : nullptr;
  if (spec == nullptr) return;
  if (internal::StrField(*spec, "serviceAccountName").empty()) {
    (*spec)["serviceAccountName"] = "default";
    (*spec)["serviceAccount"] = "default";
  }
  std::string priority_class(internal::StrField(*spec, "priorityClassName"));
  if (!spec->contains("priority") || spec->at("priority").is_null()) {
    if (priority_class.empty()) {
      (*spec)["priority"] = 0;
    } else if (priority_class == "system-node-critical") {
      (*spec)["priority"] = 2000001000;
    } else if (priority_class == "system-cluster-critical") {
      (*spec)["priority"] = 2000000000;
    }
  }
  internal::SetDefault(*spec, "preemptionPolicy", "PreemptLowerPriority");
  bool not_ready = false, unreachable = false;
  if (const json::array* tolerations = ChildArray(*spec, "tolerations")) {
    for (const auto& t : *tolerations) {
      std::string_view key = GetString(t, {"key"});
      std::string_view effect = GetString(t, {"effect"});
      bool no_execute = effect.empty() || effect == "NoExecute";
      not_ready =
          not_ready || (no_execute && (key.empty() || key == "node.kubernetes.io/not-ready"));
      unreachable =
          unreachable || (no_execute && (key.empty() || key == "node.kubernetes.io/unreachable"));
    }
  }
  json::value& list = (*spec)["tolerations"];
  if (!list.is_array()) list = json::array();
  struct Default {
    bool needed;
    const char* key;
    int64_t seconds;
  };
  for (const Default& d :
       {Default{!not_ready, "node.kubernetes.io/not-ready", options.not_ready_toleration_seconds},
        Default{!unreachable, "node.kubernetes.io/unreachable",
                options.unreachable_toleration_seconds}}) {
    if (!d.needed) continue;
    list.get_array().push_back({{"effect", "NoExecute"},
                                {"key", d.key},
                                {"operator", "Exists"},
                                {"tolerationSeconds", d.seconds}});
  }
}

}  // namespace skiff::api::kinds
