#include "skiff/scheduler/cache.h"

#include <algorithm>

#include "skiff/base/strings.h"

namespace skiff::scheduler {

const NodeInfo* Snapshot::Get(std::string_view name) const {
  auto it = index_.find(base::Absl(name));
  return it == index_.end() ? nullptr : nodes_[it->second].get();
}

void Snapshot::RebuildViews() {
  view_.clear();
  view_.reserve(nodes_.size());
  with_affinity_.clear();
  with_required_anti_affinity_.clear();
  for (const NodeInfoPtr& n : nodes_) {
    view_.push_back(n.get());
    if (!n->pods_with_affinity.empty()) with_affinity_.push_back(n.get());
    if (!n->pods_with_required_anti_affinity.empty()) {
      with_required_anti_affinity_.push_back(n.get());
    }
  }
}

Snapshot Snapshot::FromNodeInfos(std::vector<std::shared_ptr<NodeInfo>> infos) {
  Snapshot s;
  for (auto& info : infos) {
    s.index_[info->name()] = static_cast<int>(s.nodes_.size());
    s.nodes_.push_back(std::move(info));
  }
  s.RebuildViews();
  s.initialized_ = true;
  return s;
}

NodeInfo& Cache::MutableNode(const std::string& name) {
  NodeEntry& e = nodes_[name];
  if (e.info == nullptr) {
    e.info = std::make_shared<NodeInfo>();
  } else if (e.info.use_count() > 1) {
    // A snapshot still reads this version: copy on write.
    e.info = std::make_shared<NodeInfo>(*e.info);
  }
  e.info->generation = ++generation_;
  dirty_.insert(name);
  return *e.info;
}

void Cache::AddNode(NodeSpecPtr node) {
  absl::MutexLock lock(&mu_);
  std::string name = node->name;
  MutableNode(name).node = std::move(node);
  NodeEntry& e = nodes_[name];
  if (!e.listed) {
    e.listed = true;
    node_order_.push_back(name);
    order_changed_ = true;
  }
}

void Cache::UpdateNode(NodeSpecPtr node) { AddNode(std::move(node)); }

void Cache::RemoveNode(const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return;
  if (it->second.listed) {
    it->second.listed = false;
    std::erase(node_order_, name);
    order_changed_ = true;
  }
  // Pods bound to a deleted node stay until their own deletion arrives.
  MutableNode(name).node = nullptr;
  DropNodeIfEmptyLocked(name);
}

NodeSpecPtr Cache::GetNode(const std::string& name) const {
  absl::MutexLock lock(&mu_);
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : it->second.info->node;
}

void Cache::DropNodeIfEmptyLocked(const std::string& name) {
  auto it = nodes_.find(name);
  if (it != nodes_.end() && !it->second.listed && it->second.info->pods.empty()) {
    nodes_.erase(it);
    dirty_.erase(name);
  }
}

void Cache::AddPodLocked(PodInfoPtr pod) {
  if (pod->HasAffinity()) ++affinity_pods_;
  std::string node = pod->node_name;
  MutableNode(node).AddPod(std::move(pod));
}

void Cache::RemovePodFromNodeLocked(const PodInfo& pod) {
  if (pod.HasAffinity()) --affinity_pods_;
  auto it = nodes_.find(pod.node_name);
  if (it == nodes_.end()) return;
  MutableNode(pod.node_name).RemovePod(pod.uid);
  DropNodeIfEmptyLocked(pod.node_name);
}

void Cache::AddPod(PodInfoPtr pod) {
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(pod->uid);
  if (it != pods_.end()) {
    RemovePodFromNodeLocked(*it->second.pod);
    it->second = PodState{pod, false, false};
  } else {
    pods_.emplace(pod->uid, PodState{pod, false, false});
  }
  AddPodLocked(std::move(pod));
}

void Cache::UpdatePod(PodInfoPtr pod) { AddPod(std::move(pod)); }

void Cache::RemovePod(const std::string& uid) {
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(uid);
  if (it == pods_.end()) return;
  PodInfoPtr pod = it->second.pod;
  pods_.erase(it);
  RemovePodFromNodeLocked(*pod);
}

absl::Status Cache::AssumePod(PodInfoPtr pod) {
  absl::MutexLock lock(&mu_);
  if (pods_.contains(pod->uid)) {
    return absl::AlreadyExistsError("pod " + pod->Key() + " is already in the cache");
  }
  pods_.emplace(pod->uid, PodState{pod, true, false});
  AddPodLocked(std::move(pod));
  return absl::OkStatus();
}

void Cache::FinishBinding(const std::string& uid) {
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(uid);
  if (it != pods_.end() && it->second.assumed) it->second.binding_finished = true;
}

void Cache::ForgetPod(const std::string& uid) {
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(uid);
  if (it == pods_.end() || !it->second.assumed) return;
  PodInfoPtr pod = it->second.pod;
  pods_.erase(it);
  RemovePodFromNodeLocked(*pod);
}

bool Cache::IsAssumed(const std::string& uid) const {
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(uid);
  return it != pods_.end() && it->second.assumed;
}

void Cache::UpdateSnapshot(Snapshot* s) {
  absl::MutexLock lock(&mu_);
  if (order_changed_ || !s->initialized_) {
    s->nodes_.clear();
    s->index_.clear();
    s->nodes_.reserve(node_order_.size());
    for (const std::string& name : node_order_) {
      s->index_[name] = static_cast<int>(s->nodes_.size());
      s->nodes_.push_back(nodes_.at(name).info);
    }
    s->RebuildViews();
    s->initialized_ = true;
    order_changed_ = false;
    dirty_.clear();
    return;
  }
  if (dirty_.empty()) return;
  bool affinity_changed = affinity_pods_ > 0 || !s->with_affinity_.empty();
  for (const std::string& name : dirty_) {
    auto idx = s->index_.find(name);
    if (idx == s->index_.end()) continue;  // pods on an unknown node
    const auto& info = nodes_.at(name).info;
    s->nodes_[idx->second] = info;
    s->view_[idx->second] = info.get();
  }
  dirty_.clear();
  if (affinity_changed) s->RebuildViews();
}

size_t Cache::NodeCount() const {
  absl::MutexLock lock(&mu_);
  return node_order_.size();
}

size_t Cache::PodCount() const {
  absl::MutexLock lock(&mu_);
  return pods_.size();
}

}  // namespace skiff::scheduler
