// Printers for pods and the workload controllers (apps/v1, replication controllers), controller
// revisions and pod disruption budgets, with Kubernetes 1.32's columns.

#include <cstdint>
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

// spec.replicas after API defaulting (an unset count means one replica).
int64_t DesiredReplicas(const json::value& obj) {
  const json::value* r = Find(obj, {"spec", "replicas"});
  if (r == nullptr || r->is_null()) return 1;
  return GetInt(obj, {"spec", "replicas"});
}

const json::value* TemplateSpec(const json::value& obj) {
  return Find(obj, {"spec", "template", "spec"});
}

std::vector<Column> TemplateColumns(bool with_selector) {
  std::vector<Column> cols = {
      StringColumn("Containers", "Names of the containers in the pod template.", 1),
      StringColumn("Images", "Images of the containers in the pod template.", 1)};
  if (with_selector) {
    cols.push_back(StringColumn("Selector", "Label query selecting the pods it manages.", 1));
  }
  return cols;
}

void AppendColumns(std::vector<Column>& to, std::vector<Column> more) {
  for (Column& c : more) to.push_back(std::move(c));
}

void AppendContainers(json::array& cells, const json::value& obj) {
  auto [names, images] = ContainerNamesAndImages(TemplateSpec(obj));
  cells.emplace_back(names);
  cells.emplace_back(images);
}

json::array DeploymentCells(const json::value& obj, absl::Time now) {
  json::array cells;
  cells.emplace_back(ObjectName(obj));
  cells.emplace_back(Cat(GetInt(obj, {"status", "readyReplicas"}), "/", DesiredReplicas(obj)));
  cells.emplace_back(GetInt(obj, {"status", "updatedReplicas"}));
  cells.emplace_back(GetInt(obj, {"status", "availableReplicas"}));
  cells.emplace_back(ObjectAge(obj, now));
  AppendContainers(cells, obj);
  std::optional<std::string> selector = LabelSelectorString(Find(obj, {"spec", "selector"}));
  cells.emplace_back(selector ? *selector : "<invalid>");
  return cells;
}

// Replica sets and replication controllers share columns; only the selector shape differs.
json::array ReplicaCountCells(const json::value& obj, absl::Time now) {
  json::array cells;
  cells.emplace_back(ObjectName(obj));
  cells.emplace_back(DesiredReplicas(obj));
  cells.emplace_back(GetInt(obj, {"status", "replicas"}));
  cells.emplace_back(GetInt(obj, {"status", "readyReplicas"}));
  cells.emplace_back(ObjectAge(obj, now));
  AppendContainers(cells, obj);
  return cells;
}

json::array ReplicaSetCells(const json::value& obj, absl::Time now) {
  json::array cells = ReplicaCountCells(obj, now);
  cells.emplace_back(FormatLabelSelector(Find(obj, {"spec", "selector"})));
  return cells;
}

json::array ReplicationControllerCells(const json::value& obj, absl::Time now) {
  json::array cells = ReplicaCountCells(obj, now);
  cells.emplace_back(FormatLabels(Find(obj, {"spec", "selector"})));
  return cells;
}

json::array StatefulSetCells(const json::value& obj, absl::Time now) {
  json::array cells;
  cells.emplace_back(ObjectName(obj));
  cells.emplace_back(Cat(GetInt(obj, {"status", "readyReplicas"}), "/", DesiredReplicas(obj)));
  cells.emplace_back(ObjectAge(obj, now));
  AppendContainers(cells, obj);
  return cells;
}

json::array DaemonSetCells(const json::value& obj, absl::Time now) {
  json::array cells;
  cells.emplace_back(ObjectName(obj));
  cells.emplace_back(GetInt(obj, {"status", "desiredNumberScheduled"}));
  cells.emplace_back(GetInt(obj, {"status", "currentNumberScheduled"}));
  cells.emplace_back(GetInt(obj, {"status", "numberReady"}));
  cells.emplace_back(GetInt(obj, {"status", "updatedNumberScheduled"}));
  cells.emplace_back(GetInt(obj, {"status", "numberAvailable"}));
  cells.emplace_back(FormatLabels(Find(obj, {"spec", "template", "spec", "nodeSelector"})));
  cells.emplace_back(ObjectAge(obj, now));
  AppendContainers(cells, obj);
  cells.emplace_back(FormatLabelSelector(Find(obj, {"spec", "selector"})));
  return cells;
}

// "statefulset.apps/web" for the controlling owner, "<none>" without one.
std::string ControllerName(const json::value& obj) {
  const json::array* owners = GetArray(obj, {"metadata", "ownerReferences"});
  if (owners == nullptr) return "<none>";
  for (const json::value& ref : *owners) {
    if (!GetBool(ref, {"controller"})) continue;
    std::string_view api_version = GetString(ref, {"apiVersion"});
    std::string_view group;
    if (size_t slash = api_version.find('/'); slash != std::string_view::npos) {
      group = api_version.substr(0, slash);
    }
    std::string_view kind = GetString(ref, {"kind"});
    std::string name(GetString(ref, {"name"}));
    if (kind.empty() && group.empty()) return name;
    std::string group_kind = group.empty() ? std::string(kind) : Cat(kind, ".", group);
    return Cat(ToLowerAscii(group_kind), "/", name);
  }
  return "<none>";
}

json::array ControllerRevisionCells(const json::value& obj, absl::Time now) {
  json::array cells;
  cells.emplace_back(ObjectName(obj));
  cells.emplace_back(ControllerName(obj));
  cells.emplace_back(GetInt(obj, {"revision"}));
  cells.emplace_back(ObjectAge(obj, now));
  return cells;
}

std::string IntOrStringOrNA(const json::value* v) {
  if (v == nullptr || v->is_null()) return "N/A";
  return IntOrString(v);
}

json::array PodDisruptionBudgetCells(const json::value& obj, absl::Time now) {
  json::array cells;
  cells.emplace_back(ObjectName(obj));
  cells.emplace_back(IntOrStringOrNA(Find(obj, {"spec", "minAvailable"})));
  cells.emplace_back(IntOrStringOrNA(Find(obj, {"spec", "maxUnavailable"})));
  cells.emplace_back(GetInt(obj, {"status", "disruptionsAllowed"}));
  cells.emplace_back(ObjectAge(obj, now));
  return cells;
}

std::vector<Column> PodColumns() {
  return {NameColumn(),
          StringColumn("Ready", "Ready containers out of all containers of the pod."),
          StringColumn("Status", "Summary of the pod's phase and its containers' states."),
          StringColumn("Restarts", "Container restarts, and how long ago the latest one was."),
          AgeColumn(),
          StringColumn("IP", "The pod's first IP address.", 1),
          StringColumn("Node", "The node the pod is bound to.", 1),
          StringColumn("Nominated Node", "The node the scheduler nominated after preempting.", 1),
          StringColumn("Readiness Gates", "Satisfied readiness gates out of all gates.", 1)};
}

std::vector<Column> DeploymentColumns() {
  std::vector<Column> cols = {NameColumn(),
                              StringColumn("Ready", "Ready pods out of desired replicas."),
                              StringColumn("Up-to-date", "Pods running the latest pod template."),
                              StringColumn("Available", "Pods available to serve."), AgeColumn()};
  AppendColumns(cols, TemplateColumns(true));
  return cols;
}

std::vector<Column> ReplicaCountColumns() {
  std::vector<Column> cols = {
      NameColumn(), IntegerColumn("Desired", "Number of replicas requested."),
      IntegerColumn("Current", "Number of replicas that exist."),
      IntegerColumn("Ready", "Number of replicas that are ready."), AgeColumn()};
  AppendColumns(cols, TemplateColumns(true));
  return cols;
}

std::vector<Column> StatefulSetColumns() {
  std::vector<Column> cols = {
      NameColumn(), StringColumn("Ready", "Ready pods out of desired replicas."), AgeColumn()};
  AppendColumns(cols, TemplateColumns(false));
  return cols;
}

std::vector<Column> DaemonSetColumns() {
  std::vector<Column> cols = {
      NameColumn(),
      IntegerColumn("Desired", "Nodes that should run the daemon pod."),
      IntegerColumn("Current", "Nodes running at least one daemon pod."),
      IntegerColumn("Ready", "Nodes whose daemon pod is ready."),
      IntegerColumn("Up-to-date", "Nodes running the latest daemon pod template."),
      IntegerColumn("Available", "Nodes whose daemon pod is available."),
      StringColumn("Node Selector", "Labels a node needs to run the daemon pod."),
      AgeColumn()};
  AppendColumns(cols, TemplateColumns(true));
  return cols;
}

std::vector<Column> ControllerRevisionColumns() {
  return {NameColumn(), StringColumn("Controller", "The object that owns this revision."),
          StringColumn("Revision", "Revision number of the stored state."), AgeColumn()};
}

std::vector<Column> PodDisruptionBudgetColumns() {
  return {NameColumn(), StringColumn("Min Available", "Pods that must stay available."),
          StringColumn("Max Unavailable", "Pods that may be unavailable at once."),
          IntegerColumn("Allowed Disruptions", "Pods that may be disrupted right now."),
          AgeColumn()};
}

}  // namespace

std::vector<Printer> WorkloadPrinters() {
  return {
      {"", "pods", PodColumns(), &PodCells},
      {"", "replicationcontrollers", ReplicaCountColumns(), &ReplicationControllerCells},
      {"apps", "deployments", DeploymentColumns(), &DeploymentCells},
      {"apps", "replicasets", ReplicaCountColumns(), &ReplicaSetCells},
      {"apps", "statefulsets", StatefulSetColumns(), &StatefulSetCells},
      {"apps", "daemonsets", DaemonSetColumns(), &DaemonSetCells},
      {"apps", "controllerrevisions", ControllerRevisionColumns(), &ControllerRevisionCells},
      {"policy", "poddisruptionbudgets", PodDisruptionBudgetColumns(), &PodDisruptionBudgetCells},
  };
}

}  // namespace skiff::api::table
