#include "skiff/agent/hollow/node_object.h"

#include "skiff/agent/runtime/hollow/hollow_runtime.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/base/time.h"

namespace skiff::agent::hollow {

namespace json = boost::json;

namespace {

json::object Resources() {
  return {{"cpu", "32"},          {"ephemeral-storage", "1Ti"}, {"hugepages-1Gi", "0"},
          {"hugepages-2Mi", "0"}, {"memory", "256Gi"},          {"pods", "110"}};
}

json::object NodeCondition(const json::value* current, std::string_view type, bool ok,
                           std::string_view reason, std::string_view message, absl::Time now) {
  std::string_view status = ok ? "True" : "False";
  std::string ts = base::FormatRfc3339(now);
  json::object c{{"type", type},
                 {"status", status},
                 {"lastHeartbeatTime", ts},
                 {"lastTransitionTime", ts},
                 {"reason", reason},
                 {"message", message}};
  if (current == nullptr) return c;
  if (const json::array* conds = api::GetArray(*current, {"status", "conditions"})) {
    for (const auto& old : *conds) {
      if (api::GetString(old, {"type"}) != type || api::GetString(old, {"status"}) != status)
        continue;
      std::string_view t = api::GetString(old, {"lastTransitionTime"});
      if (!t.empty()) c["lastTransitionTime"] = t;
    }
  }
  return c;
}

}  // namespace

std::string HollowUuid(std::string_view seed) {
  std::string hex = runtime::HollowDigest(seed);
  return api::Cat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                  hex.substr(16, 4), "-", hex.substr(20, 12));
}

std::string NodeIp(int slot) { return api::Cat("10.255.", slot / 250, ".", slot % 250 + 2); }

std::string PodSubnet(int slot) { return api::Cat("10.", slot / 256, ".", slot % 256); }

json::value BuildNode(const HollowNodeSpec& spec, absl::Time now) {
  json::object labels{
      {"beta.kubernetes.io/arch", "amd64"}, {"beta.kubernetes.io/os", "linux"},
      {"kubernetes.io/arch", "amd64"},      {"kubernetes.io/hostname", spec.name},
      {"kubernetes.io/os", "linux"},        {"node.kubernetes.io/instance-type", "hollow"}};
  for (const auto& [k, v] : spec.labels) labels[k] = v;
  json::object meta{
      {"name", spec.name},
      {"labels", std::move(labels)},
      {"annotations",
       json::object{{"node.alpha.kubernetes.io/ttl", "0"},
                    {"volumes.kubernetes.io/controller-managed-attach-detach", "true"}}}};
  std::string cidr = PodSubnet(spec.slot) + ".0/24";
  json::object node_spec{{"podCIDR", cidr},
                         {"podCIDRs", json::array{cidr}},
                         {"providerID", api::Cat("hollow://", spec.name)}};
  if (!spec.taints.empty()) {
    json::array taints;
    for (const auto& t : spec.taints) taints.push_back(t);
    node_spec["taints"] = std::move(taints);
  }
  std::string machine = runtime::HollowDigest(api::Cat("machine/", spec.name));
  json::object info{{"architecture", "amd64"},
                    {"bootID", spec.boot_id},
                    {"containerRuntimeVersion", kRuntimeVersion},
                    {"kernelVersion", spec.kernel_version},
                    {"kubeProxyVersion", kKubeletVersion},
                    {"kubeletVersion", kKubeletVersion},
                    {"machineID", machine.substr(0, 32)},
                    {"operatingSystem", "linux"},
                    {"osImage", kOsImage},
                    {"systemUUID", HollowUuid(api::Cat("uuid/", spec.name))}};
  json::object status{
      {"capacity", Resources()},
      {"allocatable", Resources()},
      {"conditions", NodeConditions(nullptr, now)},
      {"addresses",
       json::array{json::object{{"type", "InternalIP"}, {"address", NodeIp(spec.slot)}},
                   json::object{{"type", "Hostname"}, {"address", spec.name}}}},
      {"daemonEndpoints", json::object{{"kubeletEndpoint", json::object{{"Port", 10250}}}}},
      {"nodeInfo", std::move(info)}};
  return json::object{{"apiVersion", "v1"},
                      {"kind", "Node"},
                      {"metadata", std::move(meta)},
                      {"spec", std::move(node_spec)},
                      {"status", std::move(status)}};
}

json::array NodeConditions(const json::value* current, absl::Time now) {
  return json::array{NodeCondition(current, "MemoryPressure", false, "KubeletHasSufficientMemory",
                                   "kubelet has sufficient memory available", now),
                     NodeCondition(current, "DiskPressure", false, "KubeletHasNoDiskPressure",
                                   "kubelet has no disk pressure", now),
                     NodeCondition(current, "PIDPressure", false, "KubeletHasSufficientPID",
                                   "kubelet has sufficient PID available", now),
                     NodeCondition(current, "Ready", true, "KubeletReady",
                                   "kubelet is posting ready status", now)};
}

json::value BuildLease(std::string_view node, std::string_view node_uid, int duration_seconds,
                       absl::Time now) {
  json::object meta{{"name", node}, {"namespace", kLeaseNamespace}};
  if (!node_uid.empty()) {
    meta["ownerReferences"] = json::array{
        json::object{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}, {"uid", node_uid}}};
  }
  return json::object{{"apiVersion", "coordination.k8s.io/v1"},
                      {"kind", "Lease"},
                      {"metadata", std::move(meta)},
                      {"spec", json::object{{"holderIdentity", node},
                                            {"leaseDurationSeconds", duration_seconds},
                                            {"renewTime", base::FormatRfc3339Micro(now)}}}};
}

absl::StatusOr<json::object> ParseTaint(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(
        api::Cat("invalid taint \"", text, "\": want key[=value]:Effect"));
  }
  std::string_view kv = text.substr(0, colon), effect = text.substr(colon + 1);
  if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
    return absl::InvalidArgumentError(api::Cat(
        "invalid taint effect \"", effect, "\": want NoSchedule, PreferNoSchedule or NoExecute"));
  }
  size_t eq = kv.find('=');
  std::string_view key = kv.substr(0, eq);
  if (key.empty()) return absl::InvalidArgumentError(api::Cat("invalid taint \"", text, "\""));
  json::object t{{"key", key}};
  if (eq != std::string_view::npos) t["value"] = kv.substr(eq + 1);
  t["effect"] = effect;
  return t;
}

absl::StatusOr<std::pair<std::string, std::string>> ParseLabel(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return absl::InvalidArgumentError(api::Cat("invalid label \"", text, "\": want key=value"));
  }
  return std::make_pair(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

}  // namespace skiff::agent::hollow
