#include "skiff/controllers/daemonset/daemon_pod.h"

#include <algorithm>

#include "skiff/api/object.h"
#include "skiff/api/taints.h"
#include "skiff/api/text.h"
#include "skiff/controllers/replicaset/pod_state.h"

namespace skiff::controllers::daemonset {

namespace json = boost::json;

namespace {

// Toleration.MatchToleration: same key, operator, value and effect (tolerationSeconds aside).
bool SameToleration(const json::value& a, const json::value& b) {
  for (std::string_view f : {"key", "operator", "value", "effect"}) {
    if (api::GetString(a, {f}) != api::GetString(b, {f})) return false;
  }
  return true;
}

void AddOrUpdateToleration(json::object& spec, std::string_view key, std::string_view effect) {
  json::value want = json::object{{"key", key}, {"operator", "Exists"}, {"effect", effect}};
  json::value& slot = spec["tolerations"];
  if (!slot.is_array()) slot = json::array();
  json::array& tolerations = slot.get_array();
  for (json::value& t : tolerations) {
    if (!t.is_object() || !SameToleration(t, want)) continue;
    t = want;  // drops a tolerationSeconds the template set
    return;
  }
  tolerations.push_back(std::move(want));
}

}  // namespace

std::optional<int64_t> TemplateGeneration(const json::value& ds) {
  const json::value* v =
      api::Find(ds, {"metadata", "annotations", std::string_view(kTemplateGenerationAnnotation)});
  if (v == nullptr || !v->is_string()) return std::nullopt;
  int64_t n = 0;
  if (!api::ParseInt64(std::string_view(v->get_string()), &n)) return std::nullopt;
  return n;
}

void AddOrUpdateDaemonPodTolerations(json::object& spec) {
  AddOrUpdateToleration(spec, api::kTaintNodeNotReady, api::kTaintEffectNoExecute);
  AddOrUpdateToleration(spec, api::kTaintNodeUnreachable, api::kTaintEffectNoExecute);
  AddOrUpdateToleration(spec, api::kTaintNodeDiskPressure, api::kTaintEffectNoSchedule);
  AddOrUpdateToleration(spec, api::kTaintNodeMemoryPressure, api::kTaintEffectNoSchedule);
  AddOrUpdateToleration(spec, api::kTaintNodePIDPressure, api::kTaintEffectNoSchedule);
  AddOrUpdateToleration(spec, api::kTaintNodeUnschedulable, api::kTaintEffectNoSchedule);
  const json::value* host_network = spec.if_contains("hostNetwork");
  if (host_network != nullptr && host_network->is_bool() && host_network->get_bool()) {
    AddOrUpdateToleration(spec, api::kTaintNodeNetworkUnavailable, api::kTaintEffectNoSchedule);
  }
}

json::object DaemonPodTemplate(const json::value& pod_template, std::optional<int64_t> generation,
                               std::string_view hash) {
  json::object out = pod_template.is_object() ? pod_template.get_object() : json::object();
  json::value& spec = out["spec"];
  if (!spec.is_object()) spec = json::object();
  AddOrUpdateDaemonPodTolerations(spec.get_object());
  json::value& meta = out["metadata"];
  if (!meta.is_object()) meta = json::object();
  json::value& labels = meta.get_object()["labels"];
  if (!labels.is_object()) labels = json::object();
  if (generation) labels.get_object()[kPodTemplateGenerationLabel] = std::to_string(*generation);
  if (!hash.empty()) labels.get_object()[kControllerRevisionHashLabel] = hash;
  return out;
}

void PinToNode(json::object& spec, std::string_view node) {
  json::object term{{"matchFields", json::array{json::object{{"key", "metadata.name"},
                                                             {"operator", "In"},
                                                             {"values", json::array{node}}}}}};
  json::value& affinity = spec["affinity"];
  if (!affinity.is_object()) affinity = json::object();
  json::value& node_affinity = affinity.get_object()["nodeAffinity"];
  if (!node_affinity.is_object()) node_affinity = json::object();
  json::value& required =
      node_affinity.get_object()["requiredDuringSchedulingIgnoredDuringExecution"];
  if (!required.is_object()) required = json::object();
  required.get_object()["nodeSelectorTerms"] = json::array{std::move(term)};
}

std::optional<std::string> TargetNodeName(const json::value& pod) {
  std::string_view node = api::GetString(pod, {"spec", "nodeName"});
  if (!node.empty()) return std::string(node);
  const json::array* terms =
      api::GetArray(pod, {"spec", "affinity", "nodeAffinity",
                          "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"});
  if (terms == nullptr) return std::nullopt;
  for (const json::value& term : *terms) {
    const json::array* fields = api::GetArray(term, {"matchFields"});
    if (fields == nullptr) continue;
    for (const json::value& req : *fields) {
      if (api::GetString(req, {"key"}) != "metadata.name" ||
          api::GetString(req, {"operator"}) != "In") {
        continue;
      }
      const json::array* values = api::GetArray(req, {"values"});
      // More than one value is not a daemon pod's term: no target.
      if (values == nullptr || values->size() != 1 || !(*values)[0].is_string()) {
        return std::nullopt;
      }
      return std::string((*values)[0].get_string());
    }
  }
  return std::nullopt;
}

bool IsPodUpdated(const json::value& pod, std::string_view hash,
                  std::optional<int64_t> generation) {
  const json::value* labels = api::Find(pod, {"metadata", "labels"});
  auto label = [&](std::string_view key) -> std::optional<std::string_view> {
    if (labels == nullptr || !labels->is_object()) return std::nullopt;
    const json::value* v = labels->get_object().if_contains(key);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    return std::string_view(v->get_string());
  };
  bool generation_matches =
      generation && label(kPodTemplateGenerationLabel) == std::to_string(*generation);
  bool hash_matches = !hash.empty() && label(kControllerRevisionHashLabel) == hash;
  return hash_matches || generation_matches;
}

void SortOldestFirst(std::vector<client::ObjPtr>& pods) {
  auto scheduled = [](const json::value& p) {
    return !api::GetString(p, {"spec", "nodeName"}).empty();
  };
  std::stable_sort(pods.begin(), pods.end(), [&](const client::ObjPtr& a, const client::ObjPtr& b) {
    bool sa = scheduled(*a), sb = scheduled(*b);
    if (sa != sb) return sa;
    std::optional<absl::Time> ta = replicaset::CreationTime(*a);
    std::optional<absl::Time> tb = replicaset::CreationTime(*b);
    absl::Time za = ta.value_or(absl::UnixEpoch()), zb = tb.value_or(absl::UnixEpoch());
    if (za != zb) return za < zb;
    return api::GetString(*a, {"metadata", "name"}) < api::GetString(*b, {"metadata", "name"});
  });
}

bool IsPodTerminal(const json::value& pod) {
  std::string_view phase = api::GetString(pod, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed";
}

bool IsDeleting(const json::value& obj) {
  const json::value* d = api::Find(obj, {"metadata", "deletionTimestamp"});
  return d != nullptr && !d->is_null();
}

}  // namespace skiff::controllers::daemonset
