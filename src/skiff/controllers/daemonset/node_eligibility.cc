#include "skiff/controllers/daemonset/node_eligibility.h"

#include "skiff/api/object.h"
#include "skiff/controllers/daemonset/daemon_pod.h"

namespace skiff::controllers::daemonset {

namespace json = boost::json;

DaemonPlacement DaemonPlacement::FromDaemonSet(const json::value& ds) {
  DaemonPlacement p;
  const json::value* tmpl = api::Find(ds, {"spec", "template"});
  json::value empty = json::object();
  const json::value& pod = tmpl != nullptr && tmpl->is_object() ? *tmpl : empty;
  p.node_name_ = std::string(api::GetString(pod, {"spec", "nodeName"}));
  p.affinity_ = api::RequiredNodeAffinity::FromPod(pod);
  json::object spec;
  if (const json::value* t = api::Find(pod, {"spec", "tolerations"})) spec["tolerations"] = *t;
  if (const json::value* h = api::Find(pod, {"spec", "hostNetwork"})) spec["hostNetwork"] = *h;
  AddOrUpdateDaemonPodTolerations(spec);
  p.tolerations_ = api::ParseTolerations(spec.if_contains("tolerations"));
  return p;
}

NodeFit DaemonPlacement::Evaluate(const json::value& node) const {
  std::string_view name = api::GetString(node, {"metadata", "name"});
  if (!node_name_.empty() && node_name_ != name) return {false, false};
  if (!affinity_.Matches(name, api::GetObject(node, {"metadata", "labels"}))) return {false, false};
  std::vector<api::Taint> taints = api::ParseTaints(api::Find(node, {"spec", "taints"}));
  if (api::FindUntoleratedTaint(taints, tolerations_, api::TaintFilter::kNoScheduleOrNoExecute) ==
      nullptr) {
    return {true, true};
  }
  bool evicting =
      api::FindUntoleratedTaint(taints, tolerations_, api::TaintFilter::kNoExecute) != nullptr;
  return {false, !evicting};
}

}  // namespace skiff::controllers::daemonset
