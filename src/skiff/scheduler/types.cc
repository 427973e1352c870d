#include "skiff/scheduler/types.h"

#include <algorithm>

#include "skiff/api/object.h"
#include "skiff/api/quantity.h"

namespace skiff::scheduler {

namespace json = boost::json;

namespace {

bool IsScalarResourceName(std::string_view name) {
  return name.find('/') != std::string_view::npos || name.starts_with("hugepages-") ||
         name.starts_with("attachable-volumes-");
}

void SetMax(Resource& a, const Resource& b) {
  a.milli_cpu = std::max(a.milli_cpu, b.milli_cpu);
  a.memory = std::max(a.memory, b.memory);
  a.ephemeral_storage = std::max(a.ephemeral_storage, b.ephemeral_storage);
  for (const auto& [name, v] : b.scalars) a.SetScalar(name, std::max(a.Scalar(name), v));
}

// Requests of one container, and the cpu / memory scoring assumes when one is missing.
struct ContainerRequests {
  Resource r;
  int64_t non_zero_cpu = 0, non_zero_memory = 0;
};

ContainerRequests RequestsOf(const json::value& container) {
  ContainerRequests c;
  const json::value* req = api::Find(container, {"resources", "requests"});
  c.r = ResourceFromJson(req);
  const json::object* obj = req ? req->if_object() : nullptr;
  c.non_zero_cpu = obj && obj->contains("cpu") ? c.r.milli_cpu : kDefaultMilliCpuRequest;
  c.non_zero_memory = obj && obj->contains("memory") ? c.r.memory : kDefaultMemoryRequest;
  return c;
}

// Kubernetes' resource.PodRequests: containers add up; sidecars (restartable init containers)
// add to them; each plain init container needs its own requests plus the sidecars started
// before it; the pod needs the maximum of both, plus overhead.
void ComputeRequests(const json::value& pod, PodInfo& p) {
  Resource reqs;
  int64_t nz_cpu = 0, nz_mem = 0;
  if (const json::array* cs = api::GetArray(pod, {"spec", "containers"})) {
    for (const json::value& c : *cs) {
      ContainerRequests r = RequestsOf(c);
      reqs.Add(r.r);
      nz_cpu += r.non_zero_cpu;
      nz_mem += r.non_zero_memory;
    }
  }
  Resource init_max, sidecars;
  int64_t init_nz_cpu = 0, init_nz_mem = 0, sidecar_nz_cpu = 0, sidecar_nz_mem = 0;
  if (const json::array* ics = api::GetArray(pod, {"spec", "initContainers"})) {
    for (const json::value& c : *ics) {
      ContainerRequests r = RequestsOf(c);
      Resource cur;
      int64_t cur_cpu, cur_mem;
      if (api::GetString(c, {"restartPolicy"}) == "Always") {
        reqs.Add(r.r);
        nz_cpu += r.non_zero_cpu;
        nz_mem += r.non_zero_memory;
        sidecars.Add(r.r);
        sidecar_nz_cpu += r.non_zero_cpu;
        sidecar_nz_mem += r.non_zero_memory;
        cur = sidecars;
        cur_cpu = sidecar_nz_cpu;
        cur_mem = sidecar_nz_mem;
      } else {
        cur = r.r;
        cur.Add(sidecars);
        cur_cpu = r.non_zero_cpu + sidecar_nz_cpu;
        cur_mem = r.non_zero_memory + sidecar_nz_mem;
      }
      SetMax(init_max, cur);
      init_nz_cpu = std::max(init_nz_cpu, cur_cpu);
      init_nz_mem = std::max(init_nz_mem, cur_mem);
    }
  }
  SetMax(reqs, init_max);
  nz_cpu = std::max(nz_cpu, init_nz_cpu);
  nz_mem = std::max(nz_mem, init_nz_mem);
  Resource overhead = ResourceFromJson(api::Find(pod, {"spec", "overhead"}));
  reqs.Add(overhead);
  p.requests = std::move(reqs);
  p.non_zero_milli_cpu = nz_cpu + overhead.milli_cpu;
  p.non_zero_memory = nz_mem + overhead.memory;
}

std::optional<AffinityTerm> ParseAffinityTerm(const json::value& term, const std::string& pod_ns,
                                              int32_t weight) {
  AffinityTerm t;
  t.weight = weight;
  t.topology_key = std::string(api::GetString(term, {"topologyKey"}));
  auto sel = api::LabelSelector::FromJson(api::Find(term, {"labelSelector"}));
  t.selector = sel.ok() ? std::move(*sel) : api::LabelSelector::Nothing();
  if (const json::array* nss = api::GetArray(term, {"namespaces"})) {
    for (const json::value& n : *nss) {
      if (n.is_string()) t.namespaces.emplace_back(n.get_string());
    }
  }
  const json::value* ns_sel = api::Find(term, {"namespaceSelector"});
  if (ns_sel != nullptr && !ns_sel->is_null()) {
    auto s = api::LabelSelector::FromJson(*ns_sel);
    t.namespace_selector = s.ok() ? std::move(*s) : api::LabelSelector::Nothing();
  }
  if (t.namespaces.empty() && !t.namespace_selector) t.namespaces.push_back(pod_ns);
  return t;
}

void ParseAffinityTerms(const json::value& pod, std::string_view kind, PodInfo& p,
                        std::vector<AffinityTerm>& required, std::vector<AffinityTerm>& preferred) {
  const json::value* a = api::Find(pod, {"spec", "affinity", kind});
  if (a == nullptr || !a->is_object()) return;
  if (const json::array* req =
          api::GetArray(*a, {"requiredDuringSchedulingIgnoredDuringExecution"})) {
    for (const json::value& t : *req) {
      if (auto term = ParseAffinityTerm(t, p.ns, 0)) required.push_back(std::move(*term));
    }
  }
  if (const json::array* pref =
          api::GetArray(*a, {"preferredDuringSchedulingIgnoredDuringExecution"})) {
    for (const json::value& t : *pref) {
      const json::value* inner = api::Find(t, {"podAffinityTerm"});
      if (inner == nullptr) continue;
      auto term = ParseAffinityTerm(*inner, p.ns, static_cast<int32_t>(api::GetInt(t, {"weight"})));
      if (term) preferred.push_back(std::move(*term));
    }
  }
}

void ParseSpreadConstraints(const json::value& pod, PodInfo& p) {
  const json::array* cs = api::GetArray(pod, {"spec", "topologySpreadConstraints"});
  if (cs == nullptr) return;
  for (const json::value& c : *cs) {
    SpreadConstraint s;
    s.max_skew = static_cast<int32_t>(api::GetInt(c, {"maxSkew"}, 1));
    s.topology_key = std::string(api::GetString(c, {"topologyKey"}));
    s.do_not_schedule = api::GetString(c, {"whenUnsatisfiable"}) != "ScheduleAnyway";
    s.min_domains = static_cast<int32_t>(api::GetInt(c, {"minDomains"}, 1));
    if (s.min_domains < 1) s.min_domains = 1;
    s.honor_node_affinity = api::GetString(c, {"nodeAffinityPolicy"}, "Honor") != "Ignore";
    s.honor_node_taints = api::GetString(c, {"nodeTaintsPolicy"}, "Ignore") == "Honor";
    const json::value* sel = api::Find(c, {"labelSelector"});
    json::value merged = sel ? *sel : json::value(nullptr);
    // matchLabelKeys: the pod's own values for those keys narrow the selector.
    if (const json::array* keys = api::GetArray(c, {"matchLabelKeys"});
        keys && merged.is_object()) {
      json::object& m = merged.as_object();
      for (const json::value& k : *keys) {
        if (!k.is_string()) continue;
        auto it = p.labels.find(k.get_string());
        if (it == p.labels.end()) continue;
        json::value& exprs = m["matchExpressions"];
        if (!exprs.is_array()) exprs = json::array();
        exprs.as_array().push_back(
            json::object{{"key", k}, {"operator", "In"}, {"values", json::array{it->value()}}});
      }
    }
    auto parsed = api::LabelSelector::FromJson(merged);
    s.selector = parsed.ok() ? std::move(*parsed) : api::LabelSelector::Nothing();
    p.spread_constraints.push_back(std::move(s));
  }
}

void AddHostPorts(const json::value* containers, bool sidecars_only, PodInfo& p) {
  const json::array* cs = containers ? containers->if_array() : nullptr;
  if (cs == nullptr) return;
  for (const json::value& c : *cs) {
    if (sidecars_only && api::GetString(c, {"restartPolicy"}) != "Always") continue;
    const json::array* ports = api::GetArray(c, {"ports"});
    if (ports == nullptr) continue;
    for (const json::value& port : *ports) {
      int64_t host_port = api::GetInt(port, {"hostPort"});
      if (host_port <= 0) continue;
      HostPort hp{std::string(api::GetString(port, {"protocol"}, "TCP")),
                  std::string(api::GetString(port, {"hostIP"}, "0.0.0.0")),
                  static_cast<int32_t>(host_port)};
      if (hp.protocol.empty()) hp.protocol = "TCP";
      if (hp.ip.empty()) hp.ip = "0.0.0.0";
      p.host_ports.push_back(std::move(hp));
    }
  }
}

}  // namespace

int64_t Resource::Scalar(std::string_view name) const {
  for (const auto& [n, v] : scalars) {
    if (n == name) return v;
  }
  return 0;
}

void Resource::SetScalar(std::string_view name, int64_t value) {
  auto it = std::lower_bound(scalars.begin(), scalars.end(), name,
                             [](const auto& e, std::string_view n) { return e.first < n; });
  if (it != scalars.end() && it->first == name) {
    it->second = value;
  } else {
    scalars.insert(it, {std::string(name), value});
  }
}

void Resource::Add(const Resource& o) {
  milli_cpu += o.milli_cpu;
  memory += o.memory;
  ephemeral_storage += o.ephemeral_storage;
  allowed_pods += o.allowed_pods;
  for (const auto& [n, v] : o.scalars) SetScalar(n, Scalar(n) + v);
}

void Resource::Subtract(const Resource& o) {
  milli_cpu -= o.milli_cpu;
  memory -= o.memory;
  ephemeral_storage -= o.ephemeral_storage;
  allowed_pods -= o.allowed_pods;
  for (const auto& [n, v] : o.scalars) SetScalar(n, Scalar(n) - v);
}

bool Resource::IsZero() const {
  if (milli_cpu != 0 || memory != 0 || ephemeral_storage != 0) return false;
  for (const auto& [n, v] : scalars) {
    if (v != 0) return false;
  }
  return true;
}

Resource ResourceFromJson(const json::value* list) {
  Resource r;
  const json::object* obj = list ? list->if_object() : nullptr;
  if (obj == nullptr) return r;
  for (const auto& [key, v] : *obj) {
    auto q = api::Quantity::FromJson(v);
    if (!q.ok()) continue;
    std::string_view name(key);
    if (name == "cpu") {
      r.milli_cpu = q->MilliValue();
    } else if (name == "memory") {
      r.memory = q->Value();
    } else if (name == "ephemeral-storage") {
      r.ephemeral_storage = q->Value();
    } else if (name == "pods") {
      r.allowed_pods = q->Value();
    } else if (IsScalarResourceName(name)) {
      r.SetScalar(name, q->Value());
    }
  }
  return r;
}

bool HostPortsConflict(const HostPort& a, const HostPort& b) {
  if (a.port <= 0 || a.port != b.port || a.protocol != b.protocol) return false;
  return a.ip == b.ip || a.ip == "0.0.0.0" || b.ip == "0.0.0.0";
}

bool AffinityTerm::Matches(const PodInfo& pod, const json::object* ns_labels) const {
  bool ns_ok = std::find(namespaces.begin(), namespaces.end(), pod.ns) != namespaces.end() ||
               (namespace_selector && namespace_selector->Matches(ns_labels));
  return ns_ok && selector.Matches(&pod.labels);
}

PodInfoPtr MakePodInfo(ObjPtr obj) {
  auto p = std::make_shared<PodInfo>();
  const json::value& pod = *obj;
  p->ns = std::string(api::GetString(pod, {"metadata", "namespace"}));
  p->name = std::string(api::GetString(pod, {"metadata", "name"}));
  p->uid = std::string(api::GetString(pod, {"metadata", "uid"}));
  p->resource_version = std::string(api::GetString(pod, {"metadata", "resourceVersion"}));
  p->node_name = std::string(api::GetString(pod, {"spec", "nodeName"}));
  p->scheduler_name =
      std::string(api::GetString(pod, {"spec", "schedulerName"}, "default-scheduler"));
  if (p->scheduler_name.empty()) p->scheduler_name = "default-scheduler";
  p->phase = std::string(api::GetString(pod, {"status", "phase"}));
  p->priority = static_cast<int32_t>(api::GetInt(pod, {"spec", "priority"}));
  p->preempt_never = api::GetString(pod, {"spec", "preemptionPolicy"}) == "Never";
  const json::value* del = api::Find(pod, {"metadata", "deletionTimestamp"});
  p->terminating = del != nullptr && !del->is_null();
  if (const json::object* l = api::GetObject(pod, {"metadata", "labels"})) p->labels = *l;
  ComputeRequests(pod, *p);
  p->tolerations = api::ParseTolerations(api::Find(pod, {"spec", "tolerations"}));
  p->required_node_affinity = RequiredNodeAffinity::FromPod(pod);
  p->preferred_node_affinity = PreferredNodeAffinityFromPod(pod);
  ParseAffinityTerms(pod, "podAffinity", *p, p->required_affinity, p->preferred_affinity);
  ParseAffinityTerms(pod, "podAntiAffinity", *p, p->required_anti_affinity,
                     p->preferred_anti_affinity);
  ParseSpreadConstraints(pod, *p);
  AddHostPorts(api::Find(pod, {"spec", "containers"}), false, *p);
  AddHostPorts(api::Find(pod, {"spec", "initContainers"}), true, *p);
  if (const json::array* vols = api::GetArray(pod, {"spec", "volumes"})) {
    for (const json::value& v : *vols) {
      std::string_view claim = api::GetString(v, {"persistentVolumeClaim", "claimName"});
      if (!claim.empty()) p->pvc_names.emplace_back(claim);
    }
  }
  p->object = std::move(obj);
  return p;
}

PodInfoPtr WithNodeName(const PodInfo& pod, std::string node) {
  auto p = std::make_shared<PodInfo>(pod);
  p->node_name = std::move(node);
  return p;
}

const json::string* NodeSpec::Label(std::string_view key) const {
  auto it = labels.find(key);
  if (it == labels.end()) return nullptr;
  return it->value().if_string();
}

NodeSpecPtr MakeNodeSpec(ObjPtr obj) {
  auto n = std::make_shared<NodeSpec>();
  const json::value& node = *obj;
  n->name = std::string(api::GetString(node, {"metadata", "name"}));
  if (const json::object* l = api::GetObject(node, {"metadata", "labels"})) n->labels = *l;
  n->taints = api::ParseTaints(api::Find(node, {"spec", "taints"}));
  n->unschedulable = api::GetBool(node, {"spec", "unschedulable"});
  n->allocatable = ResourceFromJson(api::Find(node, {"status", "allocatable"}));
  n->object = std::move(obj);
  return n;
}

const std::string& NodeInfo::name() const {
  static const std::string kEmpty;
  return node ? node->name : kEmpty;
}

void NodeInfo::AddPod(PodInfoPtr pod) {
  requested.Add(pod->requests);
  non_zero_milli_cpu += pod->non_zero_milli_cpu;
  non_zero_memory += pod->non_zero_memory;
  used_ports.insert(used_ports.end(), pod->host_ports.begin(), pod->host_ports.end());
  if (pod->HasAffinity()) pods_with_affinity.push_back(pod);
  if (pod->HasRequiredAntiAffinity()) pods_with_required_anti_affinity.push_back(pod);
  pods.push_back(std::move(pod));
}

bool NodeInfo::RemovePod(std::string_view uid) {
  auto same = [&](const PodInfoPtr& p) { return p->uid == uid; };
  auto it = std::find_if(pods.begin(), pods.end(), same);
  if (it == pods.end()) return false;
  PodInfoPtr pod = *it;
  pods.erase(it);
  std::erase_if(pods_with_affinity, same);
  std::erase_if(pods_with_required_anti_affinity, same);
  requested.Subtract(pod->requests);
  non_zero_milli_cpu -= pod->non_zero_milli_cpu;
  non_zero_memory -= pod->non_zero_memory;
  for (const HostPort& hp : pod->host_ports) {
    auto p = std::find(used_ports.begin(), used_ports.end(), hp);
    if (p != used_ports.end()) used_ports.erase(p);
  }
  return true;
}

bool NodeInfo::PortConflicts(const HostPort& port) const {
  for (const HostPort& used : used_ports) {
    if (HostPortsConflict(used, port)) return true;
  }
  return false;
}

}  // namespace skiff::scheduler
