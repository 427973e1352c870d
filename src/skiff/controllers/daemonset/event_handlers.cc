// Informer handlers of the DaemonSet controller: they note observed pod creations and deletions
// in the expectations and enqueue DaemonSet keys, nothing more (they run on the dispatch
// thread).
#include <algorithm>

#include "skiff/api/object.h"
#include "skiff/controllers/common/controller_ref.h"
#include "skiff/controllers/daemonset/daemon_pod.h"
#include "skiff/controllers/daemonset/daemon_set_controller.h"
#include "skiff/controllers/replicaset/pod_state.h"

namespace skiff::controllers::daemonset {

namespace json = boost::json;

namespace {

const json::object* Labels(const json::value& obj) {
  return api::GetObject(obj, {"metadata", "labels"});
}

bool SameLabels(const json::value& a, const json::value& b) {
  static const json::object kEmpty;
  const json::object* la = Labels(a);
  const json::object* lb = Labels(b);
  return (la != nullptr ? *la : kEmpty) == (lb != nullptr ? *lb : kEmpty);
}

bool SameRef(const json::value* a, const json::value* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return *a == *b;
}

std::string Namespace(const json::value& obj) {
  return std::string(api::GetString(obj, {"metadata", "namespace"}));
}

// The set of condition types whose status is "True".
std::vector<std::string_view> TrueConditions(const json::value& node) {
  std::vector<std::string_view> out;
  if (const json::array* conds = api::GetArray(node, {"status", "conditions"})) {
    for (const json::value& c : *conds) {
      if (api::GetString(c, {"status"}) == "True") out.push_back(api::GetString(c, {"type"}));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// The node without what a node update may change without mattering to DaemonSets.
json::value WithoutNoise(const json::value& node) {
  json::value copy = node;
  if (json::value* meta = api::FindMutable(copy, {"metadata"}); meta && meta->is_object()) {
    meta->get_object().erase("resourceVersion");
    meta->get_object().erase("managedFields");
  }
  if (json::value* status = api::FindMutable(copy, {"status"}); status && status->is_object()) {
    status->get_object().erase("conditions");
  }
  return copy;
}

// shouldIgnoreNodeUpdate: the same True conditions and nothing else changed (resourceVersion,
// condition details such as heartbeats, and managedFields aside).
bool IgnorableNodeUpdate(const json::value& old_node, const json::value& cur) {
  return TrueConditions(old_node) == TrueConditions(cur) &&
         WithoutNoise(old_node) == WithoutNoise(cur);
}

}  // namespace

void DaemonSetController::Enqueue(const json::value& ds) { queue_.Add(client::KeyOf(ds)); }

void DaemonSetController::OnDaemonSetUpdate(const client::ObjPtr& old_ds,
                                            const client::ObjPtr& cur) {
  // A delete and re-create seen as one update: forget the old one's expectations.
  if (api::GetString(*old_ds, {"metadata", "uid"}) != api::GetString(*cur, {"metadata", "uid"})) {
    OnDaemonSetDelete(old_ds);
  }
  Enqueue(*cur);
}

void DaemonSetController::OnDaemonSetDelete(const client::ObjPtr& ds) {
  std::string key = client::KeyOf(*ds);
  expectations_.Delete(key);
  queue_.Add(key);
}

client::ObjPtr DaemonSetController::ResolveControllerRef(const std::string& ns,
                                                         const json::value& ref) const {
  if (api::GetString(ref, {"kind"}) != "DaemonSet") return nullptr;
  client::ObjPtr ds = daemonsets_.Get(ns, std::string(api::GetString(ref, {"name"})));
  if (ds == nullptr) return nullptr;
  if (api::GetString(*ds, {"metadata", "uid"}) != api::GetString(ref, {"uid"})) return nullptr;
  return ds;
}

std::vector<client::ObjPtr> DaemonSetController::DaemonSetsSelecting(const json::value& obj) const {
  std::vector<client::ObjPtr> out;
  const json::object* labels = Labels(obj);
  for (const client::ObjPtr& ds : daemonsets_.List(Namespace(obj))) {
    auto selector = api::LabelSelector::FromJson(api::Find(*ds, {"spec", "selector"}));
    // A selector that selects everything or nothing never adopts.
    if (!selector.ok() || selector->Empty() || selector->MatchesNothing()) continue;
    if (selector->Matches(labels)) out.push_back(ds);
  }
  return out;
}

// ---- ControllerRevisions

void DaemonSetController::OnRevisionAdd(const client::ObjPtr& rev) {
  if (IsDeleting(*rev)) {
    OnRevisionDelete(rev);
    return;
  }
  // A controlled revision is only ever created by its own DaemonSet's sync: nothing to do.
  if (ControllerRefOf(*rev) != nullptr) return;
  for (const client::ObjPtr& ds : DaemonSetsSelecting(*rev)) Enqueue(*ds);
}

void DaemonSetController::OnRevisionUpdate(const client::ObjPtr& old_rev,
                                           const client::ObjPtr& cur) {
  const json::value* cur_ref = ControllerRefOf(*cur);
  const json::value* old_ref = ControllerRefOf(*old_rev);
  bool ref_changed = !SameRef(cur_ref, old_ref);
  std::string ns = Namespace(*cur);
  if (ref_changed && old_ref != nullptr) {
    if (client::ObjPtr ds = ResolveControllerRef(ns, *old_ref)) Enqueue(*ds);
  }
  if (cur_ref != nullptr) {
    if (client::ObjPtr ds = ResolveControllerRef(ns, *cur_ref)) Enqueue(*ds);
    return;
  }
  if (ref_changed || !SameLabels(*old_rev, *cur)) {
    for (const client::ObjPtr& ds : DaemonSetsSelecting(*cur)) Enqueue(*ds);
  }
}

void DaemonSetController::OnRevisionDelete(const client::ObjPtr& rev) {
  const json::value* ref = ControllerRefOf(*rev);
  if (ref == nullptr) return;
  if (client::ObjPtr ds = ResolveControllerRef(Namespace(*rev), *ref)) Enqueue(*ds);
}

// ---- Pods

void DaemonSetController::OnPodAdd(const client::ObjPtr& pod) {
  if (IsDeleting(*pod)) {
    // Seen for the first time already terminating (e.g. after a restart): not a creation.
    OnPodDelete(pod);
    return;
  }
  if (const json::value* ref = ControllerRefOf(*pod)) {
    client::ObjPtr ds = ResolveControllerRef(Namespace(*pod), *ref);
    if (ds == nullptr) return;
    std::string key = client::KeyOf(*ds);
    expectations_.CreationObserved(key);
    queue_.Add(key);
    return;
  }
  // An orphan: whoever selects it may adopt it. No creation is observed for orphans.
  for (const client::ObjPtr& ds : DaemonSetsSelecting(*pod)) Enqueue(*ds);
}

void DaemonSetController::OnPodUpdate(const client::ObjPtr& old_pod, const client::ObjPtr& cur) {
  if (IsDeleting(*cur)) {
    // Graceful deletion starts with this update; the node's next pod should not wait for it.
    OnPodDelete(cur);
    return;
  }
  std::string ns = Namespace(*cur);
  const json::value* cur_ref = ControllerRefOf(*cur);
  const json::value* old_ref = ControllerRefOf(*old_pod);
  bool ref_changed = !SameRef(cur_ref, old_ref);
  if (ref_changed && old_ref != nullptr) {
    if (client::ObjPtr ds = ResolveControllerRef(ns, *old_ref)) Enqueue(*ds);
  }
  if (cur_ref != nullptr) {
    client::ObjPtr ds = ResolveControllerRef(ns, *cur_ref);
    if (ds == nullptr) return;
    Enqueue(*ds);
    // Availability is not an event of its own: look again once minReadySeconds have passed.
    int64_t min_ready = api::GetInt(*ds, {"spec", "minReadySeconds"});
    if (min_ready > 0 && !replicaset::IsPodReady(*old_pod) && replicaset::IsPodReady(*cur)) {
      EnqueueAfter(client::KeyOf(*ds), absl::Seconds(min_ready + 1));
    }
    return;
  }
  if (ref_changed || !SameLabels(*old_pod, *cur)) {
    for (const client::ObjPtr& ds : DaemonSetsSelecting(*cur)) Enqueue(*ds);
  }
}

void DaemonSetController::OnPodDelete(const client::ObjPtr& pod) {
  const json::value* ref = ControllerRefOf(*pod);
  if (ref == nullptr) return;
  client::ObjPtr ds = ResolveControllerRef(Namespace(*pod), *ref);
  if (ds == nullptr) return;
  std::string key = client::KeyOf(*ds);
  expectations_.DeletionObserved(key);
  queue_.Add(key);
}

// ---- Nodes

void DaemonSetController::OnNodeAdd(const client::ObjPtr& node) {
  for (const client::ObjPtr& ds : daemonsets_.List()) {
    if (DaemonPlacement::FromDaemonSet(*ds).Evaluate(*node).should_run) Enqueue(*ds);
  }
}

void DaemonSetController::OnNodeUpdate(const client::ObjPtr& old_node, const client::ObjPtr& cur) {
  if (IgnorableNodeUpdate(*old_node, *cur)) return;
  for (const client::ObjPtr& ds : daemonsets_.List()) {
    DaemonPlacement placement = DaemonPlacement::FromDaemonSet(*ds);
    if (placement.Evaluate(*old_node) != placement.Evaluate(*cur)) Enqueue(*ds);
  }
}

}  // namespace skiff::controllers::daemonset
