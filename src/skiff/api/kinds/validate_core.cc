// core/v1 validation (Kubernetes 1.32 pkg/apis/core/validation) for everything below metadata:
// Pods (create and update rules), Services, PVCs, PVs, Nodes, Namespaces, ConfigMaps, Secrets,
// Events, Endpoints and ReplicationControllers.

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "skiff/api/go_repr.h"
#include "skiff/api/kinds/internal.h"
#include "skiff/api/kinds/kinds.h"
#include "skiff/api/labels.h"
#include "skiff/api/object.h"
#include "skiff/api/quantity.h"
#include "skiff/api/text.h"
#include "skiff/api/validation.h"

namespace skiff::api::kinds::internal {
namespace {

constexpr std::string_view kIPMsg = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
constexpr size_t kMaxSecretSize = 1024 * 1024;

std::string P(std::string_view parent, std::string_view child) { return ChildPath(parent, child); }

void Msgs(FieldErrors& errs, const std::vector<std::string>& msgs, const std::string& path,
          const std::string& repr) {
  for (const auto& m : msgs) errs.push_back(Invalid(path, repr, m));
}

// A short, deterministic stand-in for Go's cmp.Diff in "... immutable\n<diff>" messages.
std::string TopLevelDiff(std::string_view type, const json::value* old, const json::value* now) {
  std::string out = Cat("  ", type, "{\n");
  const json::object* a = old != nullptr ? old->if_object() : nullptr;
  const json::object* b = now != nullptr ? now->if_object() : nullptr;
  std::set<std::string> keys;
  if (a)
    for (const auto& kv : *a) keys.insert(std::string(kv.key()));
  if (b)
    for (const auto& kv : *b) keys.insert(std::string(kv.key()));
  for (const auto& k : keys) {
    const json::value* x = a && a->contains(k) ? &a->at(k) : nullptr;
    const json::value* y = b && b->contains(k) ? &b->at(k) : nullptr;
    if (SemanticEqual(x, y)) continue;
    if (x) AppendCat(&out, "- \t", k, ": ", json::serialize(*x), ",\n");
    if (y) AppendCat(&out, "+ \t", k, ": ", json::serialize(*y), ",\n");
  }
  out += "  }\n";
  return out;
}

// ---- Pods. ----

FieldErrors ValidatePodOnlyContainers(const json::value& spec) {
  FieldErrors errs;
  for (std::string_view list : {"containers", "initContainers"}) {
    const json::array& cs = Arr(spec, list);
    for (size_t i = 0; i < cs.size(); ++i) {
      std::string image = Str(cs[i], "image");
      if (image != std::string(TrimAscii(image))) {
        errs.push_back(Invalid(P(IndexPath(P("spec", list), i), "image"), GoQuote(image),
                               "must not have leading or trailing whitespace"));
      }
    }
  }
  return errs;
}

FieldErrors ValidatePodMetadataAndSpec(const json::value& pod) {
  const json::value* spec_ptr = Get(pod, "spec");
  const json::value& spec = spec_ptr ? *spec_ptr : EmptyObject();
  FieldErrors errs;
  // Pod-specific annotations: a mirror pod must name its node.
  if (Find(pod, {"metadata", "annotations", "kubernetes.io/config.mirror"}) != nullptr &&
      Str(spec, "nodeName").empty()) {
    errs.push_back(
        Invalid("metadata.annotations[kubernetes.io/config.mirror]",
                GoQuote(GetString(pod, {"metadata", "annotations", "kubernetes.io/config.mirror"})),
                "must set spec.nodeName if mirror pod annotation is set"));
  }
  Append(errs, ValidatePodSpec(spec, "spec", /*is_pod=*/true));
  if (Str(spec, "serviceAccountName").empty()) {
    const json::array& volumes = Arr(spec, "volumes");
    for (size_t vi = 0; vi < volumes.size(); ++vi) {
      const json::value* projected = Get(volumes[vi], "projected");
      if (projected == nullptr) continue;
      const json::array& sources = Arr(*projected, "sources");
      for (size_t si = 0; si < sources.size(); ++si) {
        if (Get(sources[si], "serviceAccountToken") != nullptr) {
          errs.push_back(Forbidden(
              Cat("spec.volumes[", vi, "].projected.sources[", si, "].serviceAccountToken"),
              "must not be specified when serviceAccountName is not set"));
        }
      }
    }
  }
  Append(errs, ValidatePodOnlyContainers(spec));
  return errs;
}

FieldErrors ValidatePodCreate(const json::value& pod) {
  FieldErrors errs = ValidatePodMetadataAndSpec(pod);
  const json::value* spec = Get(pod, "spec");
  if (spec == nullptr) return errs;
  if (!Arr(*spec, "ephemeralContainers").empty()) {
    errs.push_back(Forbidden("spec.ephemeralContainers", "cannot be set on create"));
  }
  if (!Str(*spec, "nodeName").empty() && !Arr(*spec, "schedulingGates").empty()) {
    errs.push_back(
        Forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"));
  }
  return errs;
}

// ValidateContainerUpdates; returns true when validation must stop (containers added/removed).
bool ValidateContainerUpdates(const json::value& spec, const json::value& old_spec,
                              std::string_view list, FieldErrors& errs) {
  const json::array& now = Arr(spec, list);
  const json::array& before = Arr(old_spec, list);
  std::string path = P("spec", list);
  if (now.size() != before.size()) {
    errs.push_back(Forbidden(path, "pod updates may not add or remove containers"));
    return true;
  }
  for (size_t i = 0; i < now.size(); ++i) {
    std::string image = Str(now[i], "image");
    if (image.empty()) errs.push_back(Required(P(IndexPath(path, i), "image"), ""));
    if (image != std::string(TrimAscii(image))) {
      errs.push_back(Invalid(P(IndexPath(path, i), "image"), GoQuote(image),
                             "must not have leading or trailing whitespace"));
    }
  }
  return false;
}

FieldErrors ValidatePodUpdate(const json::value& pod, const json::value& old) {
  FieldErrors errs = ValidatePodMetadataAndSpec(pod);
  const json::value& spec = Get(pod, "spec") ? *Get(pod, "spec") : EmptyObject();
  const json::value& old_spec = Get(old, "spec") ? *Get(old, "spec") : EmptyObject();
  if (ValidateContainerUpdates(spec, old_spec, "containers", errs)) return errs;
  if (ValidateContainerUpdates(spec, old_spec, "initContainers", errs)) return errs;

  const json::value* ads = Get(spec, "activeDeadlineSeconds");
  const json::value* old_ads = Get(old_spec, "activeDeadlineSeconds");
  if (ads != nullptr) {
    int64_t v = Int(ads);
    if (v < 0 || v > 2147483647) {
      errs.push_back(
          Invalid("spec.activeDeadlineSeconds", Cat(v), InclusiveRangeError(0, 2147483647)));
      return errs;
    }
    if (old_ads != nullptr && Int(old_ads) < v) {
      errs.push_back(Invalid("spec.activeDeadlineSeconds", Cat(v),
                             "must be less than or equal to previous value"));
      return errs;
    }
  } else if (old_ads != nullptr) {
    errs.push_back(Invalid("spec.activeDeadlineSeconds", "null",
                           "must not update from a positive integer to nil value"));
  }

  // Tolerations: existing ones may only change their tolerationSeconds.
  const json::array& tolerations = Arr(spec, "tolerations");
  for (const auto& before : Arr(old_spec, "tolerations")) {
    bool found = false;
    for (const auto& now : tolerations) {
      json::value a = before, b = now;
      if (a.is_object()) a.get_object().erase("tolerationSeconds");
      if (b.is_object()) b.get_object().erase("tolerationSeconds");
      if (SemanticEqual(&a, &b)) {
        found = true;
        break;
      }
    }
    if (!found) {
      errs.push_back(
          Forbidden("spec.tolerations",
                    "existing toleration can not be modified except its tolerationSeconds"));
      break;
    }
  }
  // Scheduling gates: only removals.
  const json::array& gates = Arr(spec, "schedulingGates");
  std::set<std::string> old_gates;
  for (const auto& g : Arr(old_spec, "schedulingGates")) old_gates.insert(Str(g, "name"));
  for (size_t i = 0; i < gates.size(); ++i) {
    std::string name = Str(gates[i], "name");
    if (!old_gates.count(name)) {
      errs.push_back(
          Forbidden(P(IndexPath("spec.schedulingGates", i), "name"),
                    Cat("only deletion is allowed, but found new scheduling gate '", name, "'")));
    }
  }
  if (SemanticEqual(&spec, &old_spec)) return errs;

  // Only the mutable fields may differ: put the old values back and compare.
  json::value munged = spec;
  json::object& m = munged.as_object();
  for (std::string_view list : {"containers", "initContainers"}) {
    json::array* now = ChildArray(m, list);
    const json::array& before = Arr(old_spec, list);
    if (now == nullptr) continue;
    for (size_t i = 0; i < now->size() && i < before.size(); ++i) {
      if (json::object* c = (*now)[i].if_object()) {
        if (const json::value* image = Get(before[i], "image")) {
          (*c)["image"] = *image;
        } else {
          c->erase("image");
        }
      }
    }
  }
  for (std::string_view f : {"activeDeadlineSeconds", "schedulingGates", "tolerations"}) {
    if (const json::value* v = Get(old_spec, f)) {
      m[f] = *v;
    } else {
      m.erase(f);
    }
  }
  const json::value* old_grace = Get(old_spec, "terminationGracePeriodSeconds");
  if (old_grace != nullptr && Int(old_grace) < 0 &&
      Int(Get(munged, "terminationGracePeriodSeconds")) == 1) {
    m["terminationGracePeriodSeconds"] = *old_grace;
  }
  if (!old_gates.empty()) {
    // Gated pods may add (not change or remove) nodeSelector entries.
    const json::value* ns = Get(munged, "nodeSelector");
    const json::value* old_ns = Get(old_spec, "nodeSelector");
    bool superset = true;
    if (old_ns != nullptr && old_ns->is_object()) {
      for (const auto& kv : old_ns->get_object()) {
        const json::value* v =
            ns != nullptr && ns->is_object() && ns->get_object().contains(kv.key())
                ? &ns->get_object().at(kv.key())
                : nullptr;
        superset = superset && v != nullptr && *v == kv.value();
      }
    }
    if (superset) {
      if (old_ns != nullptr) {
        m["nodeSelector"] = *old_ns;
      } else {
        m.erase("nodeSelector");
      }
    }
  }
  if (!SemanticEqual(&munged, &old_spec)) {
    errs.push_back(Forbidden(
        "spec",
        Cat("pod updates may not change fields other than `spec.containers[*].image`,"
            "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
            "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to "
            "be "
            "set to 1 if it was previously negative)\n",
            TopLevelDiff("core.PodSpec", &old_spec, &munged))));
  }
  return errs;
}

// ---- Services. ----

FieldErrors ValidateService(const json::value& svc, const json::value* old) {
  FieldErrors errs;
  const json::value& spec = Get(svc, "spec") ? *Get(svc, "spec") : EmptyObject();
  std::string type = Str(spec, "type");
  bool headless = Str(spec, "clusterIP") == "None";
  const json::array& ports = Arr(spec, "ports");
  if (ports.empty() && !headless && type != "ExternalName")
    errs.push_back(Required("spec.ports", ""));
  if (type == "LoadBalancer") {
    for (size_t i = 0; i < ports.size(); ++i) {
      if (Int(Get(ports[i], "port")) == 10250) {
        errs.push_back(Invalid(IndexPath("spec.ports", i), "10250",
                               "may not expose port 10250 externally since it is used by kubelet"));
      }
    }
  }
  if ((type == "LoadBalancer" || type == "NodePort") && headless) {
    errs.push_back(Invalid("spec.clusterIPs[0]", GoQuote("None"),
                           Cat("may not be set to 'None' for ", type, " services")));
  }
  if (type == "ExternalName") {
    if (!Arr(spec, "clusterIPs").empty() || !Str(spec, "clusterIP").empty()) {
      errs.push_back(Forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    }
    if (!Arr(spec, "ipFamilies").empty()) {
      errs.push_back(Forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
    }
    if (Get(spec, "ipFamilyPolicy") != nullptr) {
      errs.push_back(Forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
    }
    std::string cname = Str(spec, "externalName");
    if (!cname.empty() && cname.back() == '.') cname.pop_back();
    if (cname.empty()) {
      errs.push_back(Required("spec.externalName", ""));
    } else {
      Msgs(errs, IsDNS1123Subdomain(cname), "spec.externalName", GoQuote(cname));
    }
  }
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); ++i) {
    std::string pp = IndexPath("spec.ports", i);
    const json::value& port = ports[i];
    std::string name = Str(port, "name");
    if (ports.size() > 1 && name.empty()) {
      errs.push_back(Required(P(pp, "name"), ""));
    } else if (!name.empty()) {
      Msgs(errs, IsDNS1123Label(name), P(pp, "name"), GoQuote(name));
      if (!names.insert(name).second) errs.push_back(Duplicate(P(pp, "name"), GoQuote(name)));
    }
    int64_t n = Int(Get(port, "port"));
    Msgs(errs, IsValidPortNum(n), P(pp, "port"), Cat(n));
    std::string protocol = Str(port, "protocol");
    if (protocol.empty()) {
      errs.push_back(Required(P(pp, "protocol"), ""));
    } else if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
      errs.push_back(NotSupported(P(pp, "protocol"), GoQuote(protocol), {"SCTP", "TCP", "UDP"}));
    }
    const json::value* target = Get(port, "targetPort");
    if (target != nullptr && target->is_string()) {
      Msgs(errs, IsValidPortName(target->get_string()), P(pp, "targetPort"),
           GoQuote(target->get_string()));
    } else {
      Msgs(errs, IsValidPortNum(Int(target)), P(pp, "targetPort"), Cat(Int(target)));
    }
    std::string app_protocol = Str(port, "appProtocol");
    if (Get(port, "appProtocol") != nullptr) {
      Msgs(errs, IsQualifiedName(app_protocol), P(pp, "appProtocol"), GoQuote(app_protocol));
    }
  }
  if (const json::value* sel = Get(spec, "selector"))
    Append(errs, ValidateLabels(sel, "spec.selector"));
  std::string affinity = Str(spec, "sessionAffinity");
  if (affinity.empty()) {
    errs.push_back(Required("spec.sessionAffinity", ""));
  } else if (affinity != "ClientIP" && affinity != "None") {
    errs.push_back(NotSupported("spec.sessionAffinity", GoQuote(affinity), {"ClientIP", "None"}));
  }
  if (affinity == "ClientIP") {
    const json::value* t = Find(spec, {"sessionAffinityConfig", "clientIP", "timeoutSeconds"});
    if (t != nullptr && (Int(t) <= 0 || Int(t) > 86400)) {
      errs.push_back(Invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", Cat(Int(t)),
                             "must be greater than 0 and less than 86400"));
    }
  } else if (affinity == "None" && Get(spec, "sessionAffinityConfig") != nullptr) {
    errs.push_back(
        Forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
  }
  // Cluster IPs.
  const json::array& cluster_ips = Arr(spec, "clusterIPs");
  for (size_t i = 0; i < cluster_ips.size(); ++i) {
    std::string ip = Text(cluster_ips[i]);
    if (ip.empty() || (ip == "None" && i == 0)) continue;
    if (!IsValidIP(ip))
      errs.push_back(Invalid(IndexPath("spec.clusterIPs", i), GoQuote(ip), kIPMsg));
  }
  const json::array& external = Arr(spec, "externalIPs");
  for (size_t i = 0; i < external.size(); ++i) {
    std::string ip = Text(external[i]);
    if (!IsValidIP(ip))
      errs.push_back(Invalid(IndexPath("spec.externalIPs", i), GoQuote(ip), kIPMsg));
  }
  if (type.empty()) {
    errs.push_back(Required("spec.type", ""));
  } else if (type != "ClusterIP" && type != "NodePort" && type != "LoadBalancer" &&
             type != "ExternalName") {
    errs.push_back(NotSupported("spec.type", GoQuote(type),
                                {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}));
  }
  if (type == "ClusterIP") {
    for (size_t i = 0; i < ports.size(); ++i) {
      if (Int(Get(ports[i], "nodePort")) != 0) {
        errs.push_back(Forbidden(P(IndexPath("spec.ports", i), "nodePort"),
                                 "may not be used when `type` is 'ClusterIP'"));
      }
    }
  }
  std::set<std::string> node_ports, port_keys;
  for (size_t i = 0; i < ports.size(); ++i) {
    int64_t node_port = Int(Get(ports[i], "nodePort"));
    std::string protocol = Str(ports[i], "protocol");
    if (node_port != 0 && !node_ports.insert(Cat(protocol, "/", node_port)).second) {
      errs.push_back(Duplicate(P(IndexPath("spec.ports", i), "nodePort"), Cat(node_port)));
    }
    int64_t port = Int(Get(ports[i], "port"));
    if (!port_keys.insert(Cat(protocol, "/", port)).second) {
      errs.push_back(Duplicate(
          IndexPath("spec.ports", i),
          Cat("core.ServicePort{Name:\"\", Protocol:", GoQuote(protocol),
              ", AppProtocol:(*string)(nil), Port:", port,
              ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}")));
    }
  }
  if (!Arr(spec, "loadBalancerSourceRanges").empty() && type != "LoadBalancer") {
    errs.push_back(Forbidden("spec.LoadBalancerSourceRanges",
                             "may only be used when `type` is 'LoadBalancer'"));
  }
  if (Get(spec, "allocateLoadBalancerNodePorts") != nullptr && type != "LoadBalancer") {
    errs.push_back(Forbidden("spec.allocateLoadBalancerNodePorts",
                             "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type == "LoadBalancer" && Get(spec, "allocateLoadBalancerNodePorts") == nullptr) {
    errs.push_back(Required("allocateLoadBalancerNodePorts", ""));
  }
  bool externally_accessible =
      type == "LoadBalancer" || type == "NodePort" || (type == "ClusterIP" && !external.empty());
  std::string etp = Str(spec, "externalTrafficPolicy");
  if (!externally_accessible) {
    if (!etp.empty()) {
      errs.push_back(Invalid("spec.externalTrafficPolicy", GoQuote(etp),
                             "may only be set for externally-accessible services"));
    }
  } else if (etp.empty()) {
    errs.push_back(Required("spec.externalTrafficPolicy", ""));
  } else if (etp != "Cluster" && etp != "Local") {
    errs.push_back(NotSupported("spec.externalTrafficPolicy", GoQuote(etp), {"Cluster", "Local"}));
  }
  int64_t hcnp = Int(Get(spec, "healthCheckNodePort"));
  bool needs_health_check = type == "LoadBalancer" && etp == "Local";
  if (!needs_health_check && hcnp != 0) {
    errs.push_back(Invalid(
        "spec.healthCheckNodePort", Cat(hcnp),
        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  }
  std::string itp = Str(spec, "internalTrafficPolicy");
  if (itp.empty() && (type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP")) {
    errs.push_back(Required("spec.internalTrafficPolicy", ""));
  } else if (!itp.empty() && itp != "Cluster" && itp != "Local") {
    errs.push_back(NotSupported("spec.internalTrafficPolicy", GoQuote(itp), {"Cluster", "Local"}));
  }
  if (const json::value* td = Get(spec, "trafficDistribution");
      td != nullptr && Text(*td) != "PreferClose") {
    errs.push_back(NotSupported("spec.trafficDistribution", GoQuote(Text(*td)), {"PreferClose"}));
  }
  // Update: allocated cluster IPs never change (except to or from ExternalName).
  if (old != nullptr) {
    const json::value& old_spec = Get(*old, "spec") ? *Get(*old, "spec") : EmptyObject();
    bool external_name = type == "ExternalName" || Str(old_spec, "type") == "ExternalName";
    bool both_headless = headless && Str(old_spec, "clusterIP") == "None";
    const json::array& old_ips = Arr(old_spec, "clusterIPs");
    if (!external_name && !both_headless) {
      const json::value* now_value = Get(spec, "clusterIPs");
      std::string repr = GoStringSlice(now_value);
      if (old_ips.size() == cluster_ips.size()) {
        for (size_t i = 0; i < old_ips.size(); ++i) {
          if (old_ips[i] != cluster_ips[i]) {
            errs.push_back(
                Invalid(IndexPath("spec.clusterIPs", i), repr, "may not change once set"));
          }
        }
      } else if (old_ips.size() > cluster_ips.size()) {
        if (cluster_ips.empty()) {
          errs.push_back(Invalid("spec.clusterIPs[0]", repr, "primary clusterIP can not be unset"));
        } else if (cluster_ips[0] != old_ips[0]) {
          errs.push_back(Invalid("spec.clusterIPs[0]", repr, "may not change once set"));
        }
      } else if (!old_ips.empty() && cluster_ips[0] != old_ips[0]) {
        errs.push_back(Invalid("spec.clusterIPs[0]", repr, "may not change once set"));
      }
    }
  }
  return errs;
}

// ---- Storage. ----

const std::vector<std::string> kAccessModes = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
                                               "ReadWriteOncePod"};

FieldErrors ValidateAccessModes(const json::value& spec, const std::string& path, bool pvc) {
  FieldErrors errs;
  const json::array& modes = Arr(spec, "accessModes");
  if (modes.empty())
    errs.push_back(Required(path, pvc ? "at least 1 access mode is required" : ""));
  bool rwop = false, other = false;
  for (const auto& m : modes) {
    std::string mode = Text(m);
    bool known = std::find(kAccessModes.begin(), kAccessModes.end(), mode) != kAccessModes.end();
    if (!known) errs.push_back(NotSupported(path, GoQuote(mode), kAccessModes));
    if (mode == "ReadWriteOncePod") {
      rwop = true;
    } else if (known) {
      other = true;
    }
  }
  if (rwop && other)
    errs.push_back(Forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  return errs;
}

FieldErrors ValidateVolumeMode(const json::value& spec, const std::string& path) {
  const json::value* mode = Get(spec, "volumeMode");
  if (mode == nullptr) return {};
  std::string m = Text(*mode);
  if (m == "Block" || m == "Filesystem") return {};
  return {NotSupported(path, GoQuote(m), {"Block", "Filesystem"})};
}

FieldErrors ValidatePersistentVolume(const json::value& pv, const json::value* old) {
  FieldErrors errs;
  const json::value& spec = Get(pv, "spec") ? *Get(pv, "spec") : EmptyObject();
  Append(errs, ValidateAccessModes(spec, "spec.accessModes", false));
  const json::value* capacity = Get(spec, "capacity");
  size_t ncap = capacity != nullptr && capacity->is_object() ? capacity->get_object().size() : 0;
  if (ncap == 0) errs.push_back(Required("spec.capacity", ""));
  if (ncap != 1 || !capacity->get_object().contains("storage")) {
    errs.push_back(
        NotSupported("spec.capacity", capacity ? json::serialize(*capacity) : "{}", {"storage"}));
  }
  if (ncap > 0) {
    for (const auto& kv : capacity->get_object()) {
      std::string kp = KeyPath("spec.capacity", kv.key());
      auto q = Quantity::FromJson(kv.value());
      if (!q.ok()) {
        Append(errs, ValidateResourceQuantity(kv.key(), kv.value(), kp));
      } else if (q->Sign() <= 0) {
        errs.push_back(Invalid(kp, GoQuote(q->String()), "must be greater than zero"));
      }
    }
  }
  std::string reclaim = Str(spec, "persistentVolumeReclaimPolicy");
  if (!reclaim.empty() && reclaim != "Delete" && reclaim != "Recycle" && reclaim != "Retain") {
    errs.push_back(NotSupported("spec.persistentVolumeReclaimPolicy", GoQuote(reclaim),
                                {"Delete", "Recycle", "Retain"}));
  }
  bool node_affinity = false;
  if (const json::value* na = Get(spec, "nodeAffinity")) {
    node_affinity = true;
    if (Get(*na, "required") == nullptr) {
      errs.push_back(
          Required("spec.nodeAffinity.required", "must specify required node constraints"));
    }
  }
  static constexpr std::string_view kSources[] = {"hostPath",
                                                  "gcePersistentDisk",
                                                  "awsElasticBlockStore",
                                                  "glusterfs",
                                                  "flocker",
                                                  "nfs",
                                                  "rbd",
                                                  "quobyte",
                                                  "cephfs",
                                                  "iscsi",
                                                  "cinder",
                                                  "fc",
                                                  "flexVolume",
                                                  "azureFile",
                                                  "vsphereVolume",
                                                  "photonPersistentDisk",
                                                  "portworxVolume",
                                                  "azureDisk",
                                                  "scaleIO",
                                                  "local",
                                                  "storageos",
                                                  "csi"};
  int count = 0;
  for (std::string_view type : kSources) {
    const json::value* src = Get(spec, type);
    if (src == nullptr) continue;
    std::string sp = P("spec", type);
    if (count > 0 && type != "flexVolume") {
      errs.push_back(Forbidden(sp, "may not specify more than 1 volume type"));
      continue;
    }
    ++count;
    if (type == "hostPath" || type == "local") {
      std::string p = Str(*src, "path");
      if (p.empty()) {
        errs.push_back(Required(P(sp, "path"), ""));
      } else {
        for (std::string_view part : Split(p, '/')) {
          if (part == "..") {
            errs.push_back(Invalid(P(sp, "path"), GoQuote(p), "must not contain '..'"));
            break;
          }
        }
      }
      if (type == "local" && !node_affinity) {
        errs.push_back(Required("spec.nodeAffinity", "Local volume requires node affinity"));
      }
    } else if (type == "nfs") {
      if (Str(*src, "server").empty()) errs.push_back(Required(P(sp, "server"), ""));
      std::string p = Str(*src, "path");
      if (p.empty()) errs.push_back(Required(P(sp, "path"), ""));
      if (p.empty() || p.front() != '/')
        errs.push_back(Invalid(P(sp, "path"), GoQuote(p), "must be an absolute path"));
    } else if (type == "csi") {
      std::string driver = Str(*src, "driver");
      if (driver.empty()) errs.push_back(Required(P(sp, "driver"), ""));
      if (driver.size() > 63) errs.push_back(TooLong(P(sp, "driver"), 63));
      Msgs(errs, IsDNS1123Subdomain(ToLowerAscii(driver)), P(sp, "driver"), GoQuote(driver));
      if (Str(*src, "volumeHandle").empty()) errs.push_back(Required(P(sp, "volumeHandle"), ""));
    }
  }
  if (count == 0) errs.push_back(Required("spec", "must specify a volume type"));
  std::string sc = Str(spec, "storageClassName");
  if (!sc.empty()) Msgs(errs, IsDNS1123Subdomain(sc), "spec.storageClassName", GoQuote(sc));
  Append(errs, ValidateVolumeMode(spec, "spec.volumeMode"));
  if (old != nullptr) {
    const json::value& old_spec = Get(*old, "spec") ? *Get(*old, "spec") : EmptyObject();
    json::object now_source, old_source;
    for (std::string_view type : kSources) {
      if (const json::value* v = Get(spec, type)) now_source[type] = *v;
      if (const json::value* v = Get(old_spec, type)) old_source[type] = *v;
    }
    json::value a = std::move(old_source), b = std::move(now_source);
    if (!SemanticEqual(&a, &b)) {
      errs.push_back(Forbidden("spec.persistentvolumesource",
                               Cat("spec.persistentvolumesource is immutable after creation\n",
                                   TopLevelDiff("core.PersistentVolumeSource", &a, &b))));
    }
    if (!SemanticEqual(Get(spec, "volumeMode"), Get(old_spec, "volumeMode"))) {
      errs.push_back(Invalid("volumeMode", GoQuote(Str(spec, "volumeMode")), "field is immutable"));
    }
  }
  return errs;
}

FieldErrors ValidatePersistentVolumeClaim(const json::value& pvc, const json::value* old) {
  const json::value& spec = Get(pvc, "spec") ? *Get(pvc, "spec") : EmptyObject();
  FieldErrors errs = ValidatePersistentVolumeClaimSpec(spec, "spec");
  if (old == nullptr) return errs;
  const json::value& old_spec = Get(*old, "spec") ? *Get(*old, "spec") : EmptyObject();
  // Immutable except: volumeName once, and the storage request of a bound claim.
  json::value a = old_spec, b = spec;
  if (Str(old_spec, "volumeName").empty()) {
    if (const json::value* v = Get(spec, "volumeName")) {
      a.as_object()["volumeName"] = *v;
    } else {
      a.as_object().erase("volumeName");
    }
  }
  // A claim created without a class may get one later (retroactive default StorageClass).
  if (Get(old_spec, "storageClassName") == nullptr &&
      Find(*old, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"}) ==
          nullptr) {
    if (const json::value* v = Get(spec, "storageClassName")) {
      a.as_object()["storageClassName"] = *v;
    }
  }
  if (GetString(pvc, {"status", "phase"}) == "Bound") {
    const json::value* old_storage = Find(old_spec, {"resources", "requests", "storage"});
    if (json::value* req = FindMutable(b, {"resources", "requests"}); req && req->is_object()) {
      if (old_storage != nullptr) {
        req->as_object()["storage"] = *old_storage;
      } else {
        req->as_object().erase("storage");
      }
    }
  }
  for (json::value* v : {&a, &b}) v->as_object().erase("volumeAttributesClassName");
  if (!SemanticEqual(&a, &b)) {
    errs.push_back(
        Forbidden("spec", Cat("spec is immutable after creation except resources.requests and "
                              "volumeAttributesClassName for bound claims\n",
                              TopLevelDiff("core.PersistentVolumeClaimSpec", &a, &b))));
  }
  auto parse = [](const json::value* v) {
    if (v == nullptr) return Quantity();
    auto q = Quantity::FromJson(*v);
    return q.ok() ? *q : Quantity();
  };
  Quantity old_size = parse(Find(old_spec, {"resources", "requests", "storage"}));
  Quantity new_size = parse(Find(spec, {"resources", "requests", "storage"}));
  Quantity status_size = parse(Find(*old, {"status", "capacity", "storage"}));
  if (new_size < old_size && new_size <= status_size) {
    errs.push_back(
        Forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"));
  }
  if (!SemanticEqual(Get(spec, "volumeMode"), Get(old_spec, "volumeMode"))) {
    errs.push_back(Invalid("volumeMode", GoQuote(Str(spec, "volumeMode")), "field is immutable"));
  }
  return errs;
}

// ---- Nodes. ----

FieldErrors ValidateNode(const json::value& node, const json::value* old) {
  FieldErrors errs;
  const json::value& spec = Get(node, "spec") ? *Get(node, "spec") : EmptyObject();
  const json::array& taints = Arr(spec, "taints");
  std::set<std::string> unique;
  for (size_t i = 0; i < taints.size(); ++i) {
    // Kubernetes reports node taints under metadata.taints.
    std::string ip = IndexPath("metadata.taints", i);
    std::string key = Str(taints[i], "key"), value = Str(taints[i], "value"),
                effect = Str(taints[i], "effect");
    Append(errs, ValidateLabelName(key, P(ip, "key")));
    if (auto msgs = IsValidLabelValue(value); !msgs.empty()) {
      errs.push_back(Invalid(P(ip, "value"), GoQuote(value), Join(msgs, ";")));
    }
    if (effect.empty()) {
      errs.push_back(Required(P(ip, "effect"), ""));
    } else if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
      errs.push_back(NotSupported(P(ip, "effect"), GoQuote(effect),
                                  {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
    }
    if (!unique.insert(Cat(effect, "\n", key)).second) {
      FieldError dup =
          Duplicate(ip, Cat("core.Taint{Key:", GoQuote(key), ", Value:", GoQuote(value),
                            ", Effect:", GoQuote(effect), ", TimeAdded:(*v1.Time)(nil)}"));
      dup.message += ": taints must be unique by key and effect pair";
      errs.push_back(std::move(dup));
    }
  }
  for (std::string_view list : {"capacity", "allocatable"}) {
    const json::value* l = Find(node, {"status", list});
    if (l == nullptr || !l->is_object()) continue;
    for (const auto& kv : l->get_object()) {
      Append(errs,
             ValidateResourceQuantity(kv.key(), kv.value(), Cat("status.", list, ".", kv.key())));
    }
  }
  const json::array& cidrs = Arr(spec, "podCIDRs");
  if (old != nullptr) {
    const json::value& old_spec = Get(*old, "spec") ? *Get(*old, "spec") : EmptyObject();
    const json::array& old_cidrs = Arr(old_spec, "podCIDRs");
    if (!old_cidrs.empty() && !SemanticEqual(Get(spec, "podCIDRs"), Get(old_spec, "podCIDRs"))) {
      errs.push_back(Forbidden("spec.podCIDRs",
                               "node updates may not change podCIDR except from \"\" to valid"));
    }
    std::string old_provider = Str(old_spec, "providerID");
    if (!old_provider.empty() && old_provider != Str(spec, "providerID")) {
      errs.push_back(Forbidden("spec.providerID",
                               "node updates may not change providerID except from \"\" to valid"));
    }
  }
  (void)cidrs;
  return errs;
}

// ---- ConfigMaps and Secrets. ----

FieldErrors ValidateImmutableData(const json::value& obj, const json::value* old,
                                  std::initializer_list<std::string_view> data_fields) {
  FieldErrors errs;
  if (old == nullptr || !GetBool(*old, {"immutable"})) return errs;
  if (!GetBool(obj, {"immutable"})) {
    errs.push_back(Forbidden("immutable", "field is immutable when `immutable` is set"));
  }
  for (std::string_view f : data_fields) {
    if (!SemanticEqual(Get(obj, f), Get(*old, f))) {
      errs.push_back(Forbidden(std::string(f), "field is immutable when `immutable` is set"));
    }
  }
  return errs;
}

FieldErrors ValidateConfigMap(const json::value& cm, const json::value* old) {
  FieldErrors errs = ValidateImmutableData(cm, old, {"data", "binaryData"});
  size_t total = 0;
  const json::value* data = Get(cm, "data");
  const json::value* binary = Get(cm, "binaryData");
  if (data != nullptr && data->is_object()) {
    for (const auto& kv : data->get_object()) {
      std::string kp = KeyPath("data", kv.key());
      Msgs(errs, IsConfigMapKey(kv.key()), kp, GoQuote(kv.key()));
      if (binary != nullptr && binary->is_object() && binary->get_object().contains(kv.key())) {
        errs.push_back(Invalid(kp, GoQuote(kv.key()), "duplicate of key present in binaryData"));
      }
      total += Text(kv.value()).size();
    }
  }
  if (binary != nullptr && binary->is_object()) {
    for (const auto& kv : binary->get_object()) {
      Msgs(errs, IsConfigMapKey(kv.key()), KeyPath("binaryData", kv.key()), GoQuote(kv.key()));
      total += Text(kv.value()).size() * 3 / 4;  // base64-decoded size
    }
  }
  if (total > kMaxSecretSize) errs.push_back(TooLong("", kMaxSecretSize));
  return errs;
}

bool DataHas(const json::value* data, std::string_view key) {
  return data != nullptr && data->is_object() && data->get_object().contains(key);
}

FieldErrors ValidateSecret(const json::value& secret, const json::value* old) {
  FieldErrors errs;
  if (old != nullptr && Str(secret, "type") != Str(*old, "type")) {
    errs.push_back(Invalid("type", GoQuote(Str(secret, "type")), "field is immutable"));
  }
  Append(errs, ValidateImmutableData(secret, old, {"data"}));
  const json::value* data = Get(secret, "data");
  size_t total = 0;
  if (data != nullptr && data->is_object()) {
    for (const auto& kv : data->get_object()) {
      Msgs(errs, IsConfigMapKey(kv.key()), KeyPath("data", kv.key()), GoQuote(kv.key()));
      total += Text(kv.value()).size() * 3 / 4;
    }
  }
  if (total > kMaxSecretSize) errs.push_back(TooLong("data", kMaxSecretSize));
  std::string type = Str(secret, "type");
  if (type == "kubernetes.io/service-account-token") {
    if (GetString(secret, {"metadata", "annotations", "kubernetes.io/service-account.name"})
            .empty()) {
      errs.push_back(Required("metadata.annotations[kubernetes.io/service-account.name]", ""));
    }
  } else if (type == "kubernetes.io/dockercfg") {
    if (!DataHas(data, ".dockercfg")) errs.push_back(Required("data[.dockercfg]", ""));
  } else if (type == "kubernetes.io/dockerconfigjson") {
    if (!DataHas(data, ".dockerconfigjson"))
      errs.push_back(Required("data[.dockerconfigjson]", ""));
  } else if (type == "kubernetes.io/basic-auth") {
    if (!DataHas(data, "username") && !DataHas(data, "password")) {
      errs.push_back(Required("data[username]", ""));
      errs.push_back(Required("data[password]", ""));
    }
  } else if (type == "kubernetes.io/ssh-auth") {
    if (!DataHas(data, "ssh-privatekey") || Text(data->get_object().at("ssh-privatekey")).empty()) {
      errs.push_back(Required("data[ssh-privatekey]", ""));
    }
  } else if (type == "kubernetes.io/tls") {
    if (!DataHas(data, "tls.crt")) errs.push_back(Required("data[tls.crt]", ""));
    if (!DataHas(data, "tls.key")) errs.push_back(Required("data[tls.key]", ""));
  }
  return errs;
}

// ---- Events (core/v1 legacy rules; events.k8s.io adds strict ones in validate_other). ----

FieldErrors ValidateEndpoints(const json::value& ep) {
  FieldErrors errs;
  const json::array& subsets = Arr(ep, "subsets");
  for (size_t i = 0; i < subsets.size(); ++i) {
    std::string sp = IndexPath("subsets", i);
    if (Arr(subsets[i], "addresses").empty() && Arr(subsets[i], "notReadyAddresses").empty()) {
      errs.push_back(Required(sp, "must specify `addresses` or `notReadyAddresses`"));
    }
    for (std::string_view list : {"addresses", "notReadyAddresses"}) {
      const json::array& addrs = Arr(subsets[i], list);
      for (size_t j = 0; j < addrs.size(); ++j) {
        std::string ap = IndexPath(P(sp, list), j);
        std::string ip = Str(addrs[j], "ip");
        if (!IsValidIP(ip)) errs.push_back(Invalid(P(ap, "ip"), GoQuote(ip), kIPMsg));
        std::string host = Str(addrs[j], "hostname");
        if (!host.empty()) Msgs(errs, IsDNS1123Label(host), P(ap, "hostname"), GoQuote(host));
      }
    }
    const json::array& ports = Arr(subsets[i], "ports");
    for (size_t j = 0; j < ports.size(); ++j) {
      std::string pp = IndexPath(P(sp, "ports"), j);
      std::string name = Str(ports[j], "name");
      if (ports.size() > 1 && name.empty()) {
        errs.push_back(Required(P(pp, "name"), ""));
      } else if (!name.empty()) {
        Msgs(errs, IsDNS1123Label(name), P(pp, "name"), GoQuote(name));
      }
      int64_t port = Int(Get(ports[j], "port"));
      Msgs(errs, IsValidPortNum(port), P(pp, "port"), Cat(port));
      std::string protocol = Str(ports[j], "protocol");
      if (protocol.empty()) {
        errs.push_back(Required(P(pp, "protocol"), ""));
      } else if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
        errs.push_back(NotSupported(P(pp, "protocol"), GoQuote(protocol), {"SCTP", "TCP", "UDP"}));
      }
    }
  }
  return errs;
}

FieldErrors ValidateReplicationController(const json::value& rc) {
  FieldErrors errs;
  const json::value& spec = Get(rc, "spec") ? *Get(rc, "spec") : EmptyObject();
  Append(errs, ValidateNonnegative(Int(Get(spec, "minReadySeconds")), "spec.minReadySeconds"));
  const json::value* selector = Get(spec, "selector");
  LabelSelector sel = LabelSelector::FromMap(selector);
  if (sel.Empty()) errs.push_back(Required("spec.selector", ""));
  Append(errs, ValidateNonnegative(Int(Get(spec, "replicas")), "spec.replicas"));
  const json::value* tmpl = Get(spec, "template");
  if (tmpl == nullptr) {
    errs.push_back(Required("spec.template", ""));
    return errs;
  }
  const json::value* labels = Find(*tmpl, {"metadata", "labels"});
  if (!sel.Empty() && !sel.Matches(labels ? labels->if_object() : nullptr)) {
    errs.push_back(Invalid("spec.template.metadata.labels", GoStringMap(labels),
                           "`selector` does not match template `labels`"));
  }
  Append(errs, ValidatePodTemplateSpec(tmpl, "spec.template"));
  const json::value* pod_spec = Get(*tmpl, "spec");
  std::string restart = Str(pod_spec, "restartPolicy");
  if (restart != "Always") {
    errs.push_back(NotSupported("spec.template.spec.restartPolicy", GoQuote(restart), {"Always"}));
  }
  if (pod_spec != nullptr && Get(*pod_spec, "activeDeadlineSeconds") != nullptr) {
    errs.push_back(Forbidden("spec.template.spec.activeDeadlineSeconds",
                             "activeDeadlineSeconds in ReplicationController is not Supported"));
  }
  return errs;
}

}  // namespace

FieldErrors ValidatePersistentVolumeClaimSpec(const json::value& spec, const std::string& path) {
  FieldErrors errs = ValidateAccessModes(spec, P(path, "accessModes"), true);
  if (const json::value* sel = Get(spec, "selector"))
    Append(errs, ValidateLabelSelector(sel, P(path, "selector")));
  std::string storage_path = KeyPath(P(path, "resources"), "storage");
  const json::value* storage = Find(spec, {"resources", "requests", "storage"});
  if (storage == nullptr || storage->is_null()) {
    errs.push_back(Required(storage_path, ""));
  } else if (auto q = Quantity::FromJson(*storage); !q.ok()) {
    Append(errs, ValidateResourceQuantity("storage", *storage, storage_path));
  } else if (q->Sign() <= 0) {
    errs.push_back(Invalid(storage_path, GoQuote(q->String()), "must be greater than zero"));
  }
  if (const json::value* sc = Get(spec, "storageClassName"); sc != nullptr && !Text(*sc).empty()) {
    Msgs(errs, IsDNS1123Subdomain(Text(*sc)), P(path, "storageClassName"), GoQuote(Text(*sc)));
  }
  Append(errs, ValidateVolumeMode(spec, P(path, "volumeMode")));
  for (std::string_view f : {"dataSource", "dataSourceRef"}) {
    const json::value* ds = Get(spec, f);
    if (ds == nullptr) continue;
    std::string dp = P(path, f);
    if (Str(*ds, "name").empty()) errs.push_back(Required(P(dp, "name"), ""));
    std::string kind = Str(*ds, "kind");
    if (kind.empty()) errs.push_back(Required(P(dp, "kind"), ""));
    std::string group = Str(*ds, "apiGroup");
    if (group.empty() && kind != "PersistentVolumeClaim") {
      errs.push_back(
          Invalid(dp, GoQuote(kind),
                  "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
    }
    if (!group.empty()) Msgs(errs, IsDNS1123Subdomain(group), P(dp, "apiGroup"), GoQuote(group));
  }
  return errs;
}

FieldErrors ValidateCore(const ResourceInfo& r, const json::value& obj, const json::value* old) {
  std::string_view kind = r.kind;
  if (kind == "Pod") return old ? ValidatePodUpdate(obj, *old) : ValidatePodCreate(obj);
  if (kind == "Service") return ValidateService(obj, old);
  if (kind == "PersistentVolumeClaim") return ValidatePersistentVolumeClaim(obj, old);
  if (kind == "PersistentVolume") return ValidatePersistentVolume(obj, old);
  if (kind == "Node") return ValidateNode(obj, old);
  if (kind == "ConfigMap") return ValidateConfigMap(obj, old);
  if (kind == "Secret") return ValidateSecret(obj, old);
  if (kind == "Endpoints") return ValidateEndpoints(obj);
  if (kind == "ReplicationController") return ValidateReplicationController(obj);
  if (kind == "Event") return ValidateLegacyEvent(obj, old, /*events_v1=*/false);
  if (kind == "Namespace" && old == nullptr) {
    FieldErrors errs;
    for (const auto& f : Arr(Get(obj, "spec") ? *Get(obj, "spec") : EmptyObject(), "finalizers")) {
      std::string name = Text(f);
      Msgs(errs, IsQualifiedName(name), "spec.finalizers", GoQuote(name));
      if (name.find('/') == std::string::npos && name != "kubernetes" && name != "orphan" &&
          name != "foregroundDeletion") {
        errs.push_back(
            Invalid("spec.finalizers", GoQuote(name),
                    "name is neither a standard finalizer name nor is it fully qualified"));
      }
    }
    return errs;
  }
  return {};
}

}  // namespace skiff::api::kinds::internal
