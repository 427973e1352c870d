// VolumeBinding: the hook through which pods with PersistentVolumeClaims get their volumes
// checked and bound. The scheduler calls a VolumeBinder (filled in by the volume subsystem for
// local PVs); without one, or for pods without claims, the plugin does nothing.
#pragma once

#include <memory>

#include "skiff/scheduler/framework.h"

namespace skiff::scheduler::plugins {

// Implemented by the volume subsystem. Called from the scheduling thread (PreFilter, Filter on
// worker threads, Reserve, Unreserve) and from binder threads (PreBind, Unreserve).
class VolumeBinder {
 public:
  virtual ~VolumeBinder() = default;
  // Claims missing or not yet bindable: reject (e.g. Unresolvable "persistentvolumeclaim
  // \"x\" not found").
  virtual Status PreFilter(const PodInfo& pod) = 0;
  // Whether the pod's volumes can be used or provisioned on `node`.
  virtual Status Filter(const PodInfo& pod, const NodeInfo& node) const = 0;
  // Remember the volume choices for `node`; Unreserve drops them.
  virtual Status Reserve(const PodInfo& pod, const std::string& node) = 0;
  virtual void Unreserve(const PodInfo& pod, const std::string& node) = 0;
  // Bind the claims before the pod is bound (may wait for provisioning).
  virtual Status PreBind(const PodInfo& pod, const std::string& node) = 0;
};

class VolumeBinding : public PreFilterPlugin, public FilterPlugin, public BindHookPlugin {
 public:
  static constexpr std::string_view kName = "VolumeBinding";
  explicit VolumeBinding(std::shared_ptr<VolumeBinder> binder = nullptr)
      : binder_(std::move(binder)) {}

  std::string_view Name() const override { return kName; }
  uint32_t Events() const override {
    return kPvcChange | kPvChange | kStorageClassChange | kNodeAdd | kNodeLabelChange;
  }
  Status PreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                   PreFilterResult* result) override;
  Status Filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status Reserve(CycleState& state, const PodInfo& pod, const std::string& node) override;
  void Unreserve(CycleState& state, const PodInfo& pod, const std::string& node) override;
  Status PreBind(CycleState& state, const PodInfo& pod, const std::string& node) override;

 private:
  bool Applies(const PodInfo& pod) const { return binder_ != nullptr && !pod.pvc_names.empty(); }
  std::shared_ptr<VolumeBinder> binder_;
};

}  // namespace skiff::scheduler::plugins
