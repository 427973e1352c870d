#include "skiff/scheduler/plugins/volumebinding/volume_binding.h"

namespace skiff::scheduler::plugins {

Status VolumeBinding::PreFilter(CycleState&, const PodInfo& pod, const Snapshot&,
                                PreFilterResult*) {
  if (!Applies(pod)) return Status::Skip();
  return binder_->PreFilter(pod);
}

Status VolumeBinding::Filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  return binder_->Filter(pod, node);
}

Status VolumeBinding::Reserve(CycleState&, const PodInfo& pod, const std::string& node) {
  return Applies(pod) ? binder_->Reserve(pod, node) : Status();
}

void VolumeBinding::Unreserve(CycleState&, const PodInfo& pod, const std::string& node) {
  if (Applies(pod)) binder_->Unreserve(pod, node);
}

Status VolumeBinding::PreBind(CycleState&, const PodInfo& pod, const std::string& node) {
  return Applies(pod) ? binder_->PreBind(pod, node) : Status();
}

}  // namespace skiff::scheduler::plugins
