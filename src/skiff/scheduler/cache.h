// The scheduler's cache of nodes and the pods placed on them, and the per-cycle Snapshot the
// plugins read. Pods are "assumed" on their node as soon as binding starts, so the next
// decision already counts them; the informer's bound pod later confirms the assumption, and a
// failed bind forgets it. NodeInfos are copied on write, so a Snapshot is a vector of shared
// pointers refreshed incrementally (only nodes changed since the last cycle).
// Cache is thread-safe (informer dispatch thread, scheduling thread, binder threads); a
// Snapshot belongs to the scheduling thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "skiff/scheduler/types.h"

namespace skiff::scheduler {

class Snapshot {
 public:
  // Nodes the cluster has (pods naming unknown nodes are not listed), in the order they were
  // added.
  const std::vector<const NodeInfo*>& nodes() const { return view_; }
  size_t size() const { return view_.size(); }
  // nullptr when the node is not in the snapshot.
  const NodeInfo* Get(std::string_view name) const;
  // Nodes hosting pods with (anti-)affinity terms / with required anti-affinity terms.
  const std::vector<const NodeInfo*>& have_pods_with_affinity() const { return with_affinity_; }
  const std::vector<const NodeInfo*>& have_pods_with_required_anti_affinity() const {
    return with_required_anti_affinity_;
  }

  // Builds a snapshot from NodeInfos directly (plugin tests).
  static Snapshot FromNodeInfos(std::vector<std::shared_ptr<NodeInfo>> infos);

 private:
  friend class Cache;
  void RebuildViews();

  std::vector<NodeInfoPtr> nodes_;
  std::vector<const NodeInfo*> view_;
  absl::flat_hash_map<std::string, int> index_;
  std::vector<const NodeInfo*> with_affinity_;
  std::vector<const NodeInfo*> with_required_anti_affinity_;
  bool initialized_ = false;
};

class Cache {
 public:
  void AddNode(NodeSpecPtr node);
  void UpdateNode(NodeSpecPtr node);
  void RemoveNode(const std::string& name);
  // The cached spec of a node, or nullptr.
  NodeSpecPtr GetNode(const std::string& name) const;

  // A pod the informer reports on a node; confirms an assumed pod (moving it if the node
  // differs).
  void AddPod(PodInfoPtr pod);
  void UpdatePod(PodInfoPtr pod);  // same as AddPod, replacing the previous version
  void RemovePod(const std::string& uid);

  // `pod` (with node_name set) counts on its node from now on. AlreadyExists when the cache
  // has the pod.
  absl::Status AssumePod(PodInfoPtr pod);
  // The bind call returned; the assumption stays until the informer confirms the pod.
  void FinishBinding(const std::string& uid);
  // The bind failed: the assumed pod no longer counts.
  void ForgetPod(const std::string& uid);
  bool IsAssumed(const std::string& uid) const;

  // Brings `snapshot` up to date with the cache (only changed nodes are touched).
  void UpdateSnapshot(Snapshot* snapshot);

  size_t NodeCount() const;
  size_t PodCount() const;

 private:
  struct NodeEntry {
    std::shared_ptr<NodeInfo> info;
    bool listed = false;  // has a NodeSpec and appears in node_order_
  };
  struct PodState {
    PodInfoPtr pod;
    bool assumed = false;
    bool binding_finished = false;
  };

  // The NodeInfo of `name` ready to modify (copied first when a snapshot shares it).
  NodeInfo& MutableNode(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddPodLocked(PodInfoPtr pod) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemovePodFromNodeLocked(const PodInfo& pod) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DropNodeIfEmptyLocked(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, NodeEntry> nodes_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> node_order_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, PodState> pods_ ABSL_GUARDED_BY(mu_);  // by uid
  absl::flat_hash_set<std::string> dirty_ ABSL_GUARDED_BY(mu_);  // changed since last snapshot
  bool order_changed_ ABSL_GUARDED_BY(mu_) = true;
  int64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t affinity_pods_ ABSL_GUARDED_BY(mu_) = 0;  // cached pods with (anti-)affinity terms
};

}  // namespace skiff::scheduler
