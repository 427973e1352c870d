// Informer handlers of the ReplicaSet controller: they note observed creations and deletions
// in the expectations and enqueue owner keys, nothing more (they run on the dispatch thread).
#include <chrono>

#include "skiff/api/object.h"
#include "skiff/controllers/replicaset/pod_state.h"
#include "skiff/controllers/replicaset/replica_set_controller.h"

namespace skiff::controllers::replicaset {

namespace json = boost::json;

namespace {

bool Deleting(const json::value& obj) {
  const json::value* d = api::Find(obj, {"metadata", "deletionTimestamp"});
  return d != nullptr && !d->is_null();
}

const json::value* Labels(const json::value& obj) { return api::Find(obj, {"metadata", "labels"}); }

bool SameLabels(const json::value& a, const json::value& b) {
  const json::value* la = Labels(a);
  const json::value* lb = Labels(b);
  json::object empty;
  const json::object* oa = la && la->is_object() ? &la->get_object() : &empty;
  const json::object* ob = lb && lb->is_object() ? &lb->get_object() : &empty;
  return *oa == *ob;
}

bool SameRef(const json::value* a, const json::value* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return *a == *b;
}

}  // namespace

void ReplicaSetController::Enqueue(const json::value& owner) { queue_.Add(client::KeyOf(owner)); }

void ReplicaSetController::OnOwnerAdd(const client::ObjPtr& obj) { Enqueue(*obj); }

void ReplicaSetController::OnOwnerUpdate(const client::ObjPtr& old_obj, const client::ObjPtr& cur) {
  // A delete and re-create seen as one update: forget the old owner's expectations.
  if (api::GetString(*old_obj, {"metadata", "uid"}) != api::GetString(*cur, {"metadata", "uid"})) {
    OnOwnerDelete(old_obj);
  }
  Enqueue(*cur);
}

void ReplicaSetController::OnOwnerDelete(const client::ObjPtr& obj) {
  std::string key = client::KeyOf(*obj);
  expectations_.Delete(key);
  queue_.Add(key);
}

client::ObjPtr ReplicaSetController::ResolveControllerRef(const std::string& ns,
                                                          const json::value& ref) const {
  if (api::GetString(ref, {"kind"}) != kind_.kind) return nullptr;
  client::ObjPtr owner = owners_.Get(ns, std::string(api::GetString(ref, {"name"})));
  if (owner == nullptr) return nullptr;
  if (api::GetString(*owner, {"metadata", "uid"}) != api::GetString(ref, {"uid"})) return nullptr;
  return owner;
}

std::vector<client::ObjPtr> ReplicaSetController::OwnersSelecting(const json::value& pod) const {
  std::vector<client::ObjPtr> out;
  const json::object* labels = api::GetObject(pod, {"metadata", "labels"});
  for (const auto& owner :
       owners_.List(std::string(api::GetString(pod, {"metadata", "namespace"})))) {
    auto selector = kind_.selector(*owner);
    if (selector.ok() && UsableSelector(*selector) && selector->Matches(labels)) {
      out.push_back(owner);
    }
  }
  return out;
}

void ReplicaSetController::OnPodAdd(const client::ObjPtr& pod) {
  if (Deleting(*pod)) {
    // Seen for the first time already terminating (e.g. after a restart): not a creation.
    OnPodDelete(pod);
    return;
  }
  if (const json::value* ref = ControllerRefOf(*pod)) {
    client::ObjPtr owner =
        ResolveControllerRef(std::string(api::GetString(*pod, {"metadata", "namespace"})), *ref);
    if (owner == nullptr) return;
    std::string key = client::KeyOf(*owner);
    expectations_.CreationObserved(key);
    queue_.Add(key);
    return;
  }
  // An orphan: whoever selects it may adopt it. No creation is observed for orphans.
  for (const auto& owner : OwnersSelecting(*pod)) Enqueue(*owner);
}

void ReplicaSetController::OnPodUpdate(const client::ObjPtr& old_pod, const client::ObjPtr& cur) {
  bool labels_changed = !SameLabels(*old_pod, *cur);
  if (Deleting(*cur)) {
    // Graceful deletion starts with this update; replacements should not wait for the kubelet.
    OnPodDelete(cur);
    if (labels_changed) OnPodDelete(old_pod);
    return;
  }
  std::string ns(api::GetString(*cur, {"metadata", "namespace"}));
  const json::value* cur_ref = ControllerRefOf(*cur);
  const json::value* old_ref = ControllerRefOf(*old_pod);
  bool ref_changed = !SameRef(cur_ref, old_ref);
  if (ref_changed && old_ref != nullptr) {
    if (client::ObjPtr owner = ResolveControllerRef(ns, *old_ref)) Enqueue(*owner);
  }
  if (cur_ref != nullptr) {
    client::ObjPtr owner = ResolveControllerRef(ns, *cur_ref);
    if (owner == nullptr) return;
    Enqueue(*owner);
    // Availability is not an event of its own: look again once minReadySeconds have passed.
    int64_t min_ready = api::GetInt(*owner, {"spec", "minReadySeconds"});
    if (min_ready > 0 && !IsPodReady(*old_pod) && IsPodReady(*cur)) {
      queue_.AddAfter(client::KeyOf(*owner), std::chrono::seconds(min_ready + 1));
    }
    return;
  }
  if (labels_changed || ref_changed) {
    for (const auto& owner : OwnersSelecting(*cur)) Enqueue(*owner);
  }
}

void ReplicaSetController::OnPodDelete(const client::ObjPtr& pod) {
  const json::value* ref = ControllerRefOf(*pod);
  if (ref == nullptr) return;
  client::ObjPtr owner =
      ResolveControllerRef(std::string(api::GetString(*pod, {"metadata", "namespace"})), *ref);
  if (owner == nullptr) return;
  std::string key = client::KeyOf(*owner);
  expectations_.DeletionObserved(key, PodKey(*pod));
  queue_.Add(key);
}

}  // namespace skiff::controllers::replicaset
