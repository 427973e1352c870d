// Printers for nodes, namespaces, config maps, secrets, service accounts, services, endpoints,
// events (core/v1 and events.k8s.io/v1) and leases, with Kubernetes 1.32's columns.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/api/object.h"
#include "skiff/api/table/format.h"
#include "skiff/api/table/printers.h"
#include "skiff/api/text.h"

namespace skiff::api::table {
namespace {

namespace json = boost::json;

size_t ObjectSize(const json::value& obj, std::initializer_list<std::string_view> path) {
  const json::object* o = GetObject(obj, path);
  return o == nullptr ? 0 : o->size();
}

size_t ArraySize(const json::value& obj, std::initializer_list<std::string_view> path) {
  const json::array* a = GetArray(obj, path);
  return a == nullptr ? 0 : a->size();
}

std::string StringOr(const json::value& obj, std::initializer_list<std::string_view> path,
                     std::string_view fallback) {
  std::string_view s = GetString(obj, path);
  return std::string(s.empty() ? fallback : s);
}

// ---------------------------------------------------------------------------------------------
// Nodes

std::string NodeStatus(const json::value& node) {
  // Only the Ready condition shows; when it repeats, the last one counts.
  std::string status;
  if (const json::array* conds = GetArray(node, {"status", "conditions"})) {
    for (const json::value& c : *conds) {
      if (GetString(c, {"type"}) != "Ready") continue;
      status = GetString(c, {"status"}) == "True" ? "Ready" : "NotReady";
    }
  }
  if (status.empty()) status = "Unknown";
  if (GetBool(node, {"spec", "unschedulable"})) status += ",SchedulingDisabled";
  return status;
}

// Roles come from node-role.kubernetes.io/<role> label keys and the kubernetes.io/role value.
std::string NodeRoles(const json::value& node) {
  constexpr std::string_view kRolePrefix = "node-role.kubernetes.io/";
  std::set<std::string> roles;
  if (const json::object* labels = GetObject(node, {"metadata", "labels"})) {
    for (const auto& kv : *labels) {
      std::string_view key = kv.key();
      std::string_view value =
          kv.value().is_string() ? std::string_view(kv.value().get_string()) : std::string_view();
      if (key.starts_with(kRolePrefix)) {
        if (key.size() > kRolePrefix.size()) roles.emplace(key.substr(kRolePrefix.size()));
      } else if (key == "kubernetes.io/role" && !value.empty()) {
        roles.emplace(value);
      }
    }
  }
  return roles.empty() ? "<none>" : Join(roles, ",");
}

std::string NodeAddress(const json::value& node, std::string_view type) {
  if (const json::array* addresses = GetArray(node, {"status", "addresses"})) {
    for (const json::value& a : *addresses) {
      if (GetString(a, {"type"}) == type) return std::string(GetString(a, {"address"}));
    }
  }
  return "<none>";
}

json::array NodeCells(const json::value& obj, absl::Time now) {
  json::array cells;
  cells.emplace_back(ObjectName(obj));
  cells.emplace_back(NodeStatus(obj));
  cells.emplace_back(NodeRoles(obj));
  cells.emplace_back(ObjectAge(obj, now));
  cells.emplace_back(GetString(obj, {"status", "nodeInfo", "kubeletVersion"}));
  cells.emplace_back(NodeAddress(obj, "InternalIP"));
  cells.emplace_back(NodeAddress(obj, "ExternalIP"));
  cells.emplace_back(StringOr(obj, {"status", "nodeInfo", "osImage"}, "<unknown>"));
  cells.emplace_back(StringOr(obj, {"status", "nodeInfo", "kernelVersion"}, "<unknown>"));
  cells.emplace_back(StringOr(obj, {"status", "nodeInfo", "containerRuntimeVersion"}, "<unknown>"));
  return cells;
}

// ---------------------------------------------------------------------------------------------
// Namespaces, config maps, secrets, service accounts, leases

json::array NamespaceCells(const json::value& obj, absl::Time now) {
  // Namespaces are stored with a phase; an unset one is the default Active.
  return json::array{ObjectName(obj), StringOr(obj, {"status", "phase"}, "Active"),
                     ObjectAge(obj, now)};
}

json::array ConfigMapCells(const json::value& obj, absl::Time now) {
  int64_t keys = static_cast<int64_t>(ObjectSize(obj, {"data"}) + ObjectSize(obj, {"binaryData"}));
  return json::array{ObjectName(obj), keys, ObjectAge(obj, now)};
}

json::array SecretCells(const json::value& obj, absl::Time now) {
  // stringData is merged into data on write; count a key held only there as well.
  int64_t keys = static_cast<int64_t>(ObjectSize(obj, {"data"}));
  const json::object* data = GetObject(obj, {"data"});
  if (const json::object* string_data = GetObject(obj, {"stringData"})) {
    for (const auto& kv : *string_data) {
      if (data == nullptr || !data->contains(kv.key())) ++keys;
    }
  }
  return json::array{ObjectName(obj), StringOr(obj, {"type"}, "Opaque"), keys, ObjectAge(obj, now)};
}

json::array ServiceAccountCells(const json::value& obj, absl::Time now) {
  return json::array{ObjectName(obj), static_cast<int64_t>(ArraySize(obj, {"secrets"})),
                     ObjectAge(obj, now)};
}

json::array LeaseCells(const json::value& obj, absl::Time now) {
  return json::array{ObjectName(obj), GetString(obj, {"spec", "holderIdentity"}),
                     ObjectAge(obj, now)};
}

// ---------------------------------------------------------------------------------------------
// Services and endpoints

std::vector<std::string> StringList(const json::value& obj,
                                    std::initializer_list<std::string_view> path) {
  std::vector<std::string> out;
  if (const json::array* a = GetArray(obj, path)) {
    for (const json::value& v : *a) {
      if (v.is_string()) out.emplace_back(v.get_string());
    }
  }
  return out;
}

std::string ServiceExternalIP(const json::value& svc, std::string_view type) {
  std::vector<std::string> external = StringList(svc, {"spec", "externalIPs"});
  if (type == "ClusterIP" || type == "NodePort") {
    return external.empty() ? "<none>" : Join(external, ",");
  }
  if (type == "LoadBalancer") {
    std::set<std::string> ingress;  // sorted and de-duplicated, as Kubernetes shows them
    if (const json::array* lb = GetArray(svc, {"status", "loadBalancer", "ingress"})) {
      for (const json::value& i : *lb) {
        std::string_view ip = GetString(i, {"ip"});
        std::string_view host = GetString(i, {"hostname"});
        if (!ip.empty()) {
          ingress.emplace(ip);
        } else if (!host.empty()) {
          ingress.emplace(host);
        }
      }
    }
    std::vector<std::string> all(ingress.begin(), ingress.end());
    all.insert(all.end(), external.begin(), external.end());
    return all.empty() ? "<pending>" : Join(all, ",");
  }
  if (type == "ExternalName") return std::string(GetString(svc, {"spec", "externalName"}));
  return "<unknown>";
}

std::string ServicePorts(const json::value& svc) {
  std::vector<std::string> pieces;
  if (const json::array* ports = GetArray(svc, {"spec", "ports"})) {
    for (const json::value& p : *ports) {
      // The protocol defaults to TCP on write.
      std::string protocol = StringOr(p, {"protocol"}, "TCP");
      int64_t node_port = GetInt(p, {"nodePort"});
      pieces.push_back(node_port > 0 ? Cat(GetInt(p, {"port"}), ":", node_port, "/", protocol)
                                     : Cat(GetInt(p, {"port"}), "/", protocol));
    }
  }
  return pieces.empty() ? "<none>" : Join(pieces, ",");
}

json::array ServiceCells(const json::value& obj, absl::Time now) {
  std::string type = StringOr(obj, {"spec", "type"}, "ClusterIP");
  std::string cluster_ip = "<none>";
  if (const json::array* ips = GetArray(obj, {"spec", "clusterIPs"}); ips && !ips->empty()) {
    cluster_ip = (*ips)[0].is_string() ? std::string((*ips)[0].get_string()) : "";
  } else if (std::string_view ip = GetString(obj, {"spec", "clusterIP"}); !ip.empty()) {
    cluster_ip = ip;  // clusterIPs is filled from clusterIP on write
  }
  return json::array{ObjectName(obj),
                     type,
                     cluster_ip,
                     ServiceExternalIP(obj, type),
                     ServicePorts(obj),
                     ObjectAge(obj, now),
                     FormatLabels(Find(obj, {"spec", "selector"}))};
}

std::string HostPort(std::string_view host, int64_t port) {
  if (host.find(':') != std::string_view::npos) return Cat("[", host, "]:", port);
  return Cat(host, ":", port);
}

// Up to three addresses ("ip:port" per port), then "+ N more...".
std::string EndpointsSummary(const json::value& obj) {
  const json::array* subsets = GetArray(obj, {"subsets"});
  if (subsets == nullptr || subsets->empty()) return "<none>";
  constexpr size_t kMax = 3;
  std::vector<std::string> shown;
  bool more = false;
  size_t count = 0;
  auto add_addresses = [&](const json::array* addresses, const json::value* port) {
    if (addresses == nullptr) return;
    count += addresses->size();
    for (const json::value& a : *addresses) {
      if (shown.size() == kMax) {
        more = true;
        break;
      }
      std::string_view ip = GetString(a, {"ip"});
      shown.push_back(port == nullptr ? std::string(ip) : HostPort(ip, GetInt(*port, {"port"})));
    }
  };
  for (const json::value& ss : *subsets) {
    const json::array* addresses = GetArray(ss, {"addresses"});
    const json::array* ports = GetArray(ss, {"ports"});
    if (ports == nullptr || ports->empty()) {
      add_addresses(addresses, nullptr);  // headless services may have no ports
      continue;
    }
    for (const json::value& p : *ports) add_addresses(addresses, &p);
  }
  std::string out = Join(shown, ",");
  if (more) out += Cat(" + ", count - kMax, " more...");
  return out;
}

json::array EndpointsCells(const json::value& obj, absl::Time now) {
  return json::array{ObjectName(obj), EndpointsSummary(obj), ObjectAge(obj, now)};
}

// ---------------------------------------------------------------------------------------------
// Events: both API versions map onto the same view, as the server stores them alike.

struct EventView {
  const json::value* first_timestamp = nullptr;
  const json::value* last_timestamp = nullptr;
  const json::value* event_time = nullptr;
  const json::value* series = nullptr;
  int64_t count = 0;
  std::string_view kind, name, field_path;
  std::string_view component, host, reporting_controller, reporting_instance;
  std::string_view type, reason, message;
};

EventView CoreEventView(const json::value& e) {
  EventView v;
  v.first_timestamp = Find(e, {"firstTimestamp"});
  v.last_timestamp = Find(e, {"lastTimestamp"});
  v.event_time = Find(e, {"eventTime"});
  v.series = Find(e, {"series"});
  v.count = GetInt(e, {"count"});
  v.kind = GetString(e, {"involvedObject", "kind"});
  v.name = GetString(e, {"involvedObject", "name"});
  v.field_path = GetString(e, {"involvedObject", "fieldPath"});
  v.component = GetString(e, {"source", "component"});
  v.host = GetString(e, {"source", "host"});
  v.reporting_controller = GetString(e, {"reportingComponent"});
  v.reporting_instance = GetString(e, {"reportingInstance"});
  v.type = GetString(e, {"type"});
  v.reason = GetString(e, {"reason"});
  v.message = GetString(e, {"message"});
  return v;
}

EventView EventsV1View(const json::value& e) {
  EventView v;
  v.first_timestamp = Find(e, {"deprecatedFirstTimestamp"});
  v.last_timestamp = Find(e, {"deprecatedLastTimestamp"});
  v.event_time = Find(e, {"eventTime"});
  v.series = Find(e, {"series"});
  v.count = GetInt(e, {"deprecatedCount"});
  v.kind = GetString(e, {"regarding", "kind"});
  v.name = GetString(e, {"regarding", "name"});
  v.field_path = GetString(e, {"regarding", "fieldPath"});
  v.component = GetString(e, {"deprecatedSource", "component"});
  v.host = GetString(e, {"deprecatedSource", "host"});
  v.reporting_controller = GetString(e, {"reportingController"});
  v.reporting_instance = GetString(e, {"reportingInstance"});
  v.type = GetString(e, {"type"});
  v.reason = GetString(e, {"reason"});
  v.message = GetString(e, {"note"});
  return v;
}

json::array EventCells(const EventView& v, const json::value& obj, absl::Time now) {
  std::string first = ParseTimestamp(v.first_timestamp)
                          ? TranslateTimestampSince(v.first_timestamp, now)
                          : TranslateTimestampSince(v.event_time, now);
  std::string last =
      ParseTimestamp(v.last_timestamp) ? TranslateTimestampSince(v.last_timestamp, now) : first;
  int64_t count = v.count;
  if (v.series != nullptr && v.series->is_object()) {
    last = TranslateTimestampSince(Find(*v.series, {"lastObservedTime"}), now);
    count = GetInt(*v.series, {"count"});
  } else if (count == 0) {
    count = 1;  // singleton events carry no count in the new API
  }
  std::string target = ToLowerAscii(v.kind);
  if (!v.name.empty()) target += Cat("/", v.name);
  std::string_view component = v.component.empty() ? v.reporting_controller : v.component;
  std::string_view host = v.host.empty() ? v.reporting_instance : v.host;
  std::string source = host.empty() ? std::string(component) : Cat(component, ", ", host);
  json::array cells;
  for (std::string_view cell :
       {std::string_view(last), v.type, v.reason, std::string_view(target), v.field_path,
        std::string_view(source), TrimAscii(v.message), std::string_view(first)}) {
    cells.emplace_back(cell);
  }
  cells.emplace_back(count);
  cells.emplace_back(ObjectName(obj));
  return cells;
}

json::array CoreEventCells(const json::value& obj, absl::Time now) {
  return EventCells(CoreEventView(obj), obj, now);
}

json::array EventsV1Cells(const json::value& obj, absl::Time now) {
  return EventCells(EventsV1View(obj), obj, now);
}

// ---------------------------------------------------------------------------------------------
// Columns

std::vector<Column> NodeColumns() {
  return {NameColumn(),
          StringColumn("Status", "Readiness of the node, and whether it accepts new pods."),
          StringColumn("Roles", "Roles from the node's node-role labels."),
          AgeColumn(),
          StringColumn("Version", "Kubelet version reported by the node."),
          StringColumn("Internal-IP", "First internal address of the node.", 1),
          StringColumn("External-IP", "First external address of the node.", 1),
          StringColumn("OS-Image", "Operating system image reported by the node.", 1),
          StringColumn("Kernel-Version", "Kernel version reported by the node.", 1),
          StringColumn("Container-Runtime", "Container runtime name and version.", 1)};
}

std::vector<Column> EventColumns() {
  return {StringColumn("Last Seen", "Time since the event was last observed."),
          StringColumn("Type", "Normal or Warning."),
          StringColumn("Reason", "Short machine-readable cause of the event."),
          StringColumn("Object", "The object the event is about, as kind/name."),
          StringColumn("Subobject", "Part of the object the event is about.", 1),
          StringColumn("Source", "Component (and host) that reported the event.", 1),
          StringColumn("Message", "Human-readable description of the event."),
          StringColumn("First Seen", "Time since the event was first observed.", 1),
          StringColumn("Count", "How many times the event has occurred.", 1),
          NameColumn(1)};
}

}  // namespace

std::vector<Printer> CorePrinters() {
  std::vector<Printer> p;
  p.push_back({"", "nodes", NodeColumns(), &NodeCells});
  p.push_back({"",
               "namespaces",
               {NameColumn(), StringColumn("Status", "Phase of the namespace."), AgeColumn()},
               &NamespaceCells});
  p.push_back(
      {"",
       "configmaps",
       {NameColumn(), StringColumn("Data", "Number of data and binaryData keys."), AgeColumn()},
       &ConfigMapCells});
  p.push_back({"",
               "secrets",
               {NameColumn(), StringColumn("Type", "Kind of secret, which fixes its keys."),
                StringColumn("Data", "Number of data keys."), AgeColumn()},
               &SecretCells});
  p.push_back({"",
               "serviceaccounts",
               {NameColumn(), StringColumn("Secrets", "Number of secrets listed on the account."),
                AgeColumn()},
               &ServiceAccountCells});
  p.push_back({"",
               "services",
               {NameColumn(), StringColumn("Type", "How the service is exposed."),
                StringColumn("Cluster-IP", "The service's virtual IP inside the cluster."),
                StringColumn("External-IP", "Addresses reachable from outside the cluster."),
                StringColumn("Port(s)", "Ports the service exposes, with node ports."), AgeColumn(),
                StringColumn("Selector", "Labels of the pods that back the service.", 1)},
               &ServiceCells});
  p.push_back(
      {"",
       "endpoints",
       {NameColumn(), StringColumn("Endpoints", "Addresses backing the service."), AgeColumn()},
       &EndpointsCells});
  p.push_back({"", "events", EventColumns(), &CoreEventCells});
  p.push_back({"events.k8s.io", "events", EventColumns(), &EventsV1Cells});
  p.push_back(
      {"coordination.k8s.io",
       "leases",
       {NameColumn(), StringColumn("Holder", "Identity currently holding the lease."), AgeColumn()},
       &LeaseCells});
  return p;
}

}  // namespace skiff::api::table
