// The default plugin set and weights of kube-scheduler's default profile, in its Filter order
// (the first failing filter names a node's reason).
#pragma once

#include <memory>
#include <vector>

#include "skiff/scheduler/framework.h"
#include "skiff/scheduler/plugins/interpodaffinity/inter_pod_affinity.h"
#include "skiff/scheduler/plugins/volumebinding/volume_binding.h"

namespace skiff::scheduler::plugins {

struct DefaultPluginArgs {
  NamespaceLookup namespaces;                   // for namespaceSelector affinity terms
  std::shared_ptr<VolumeBinder> volume_binder;  // null: volumes are not checked
};

std::vector<PluginConfig> DefaultPlugins(const DefaultPluginArgs& args = {});

}  // namespace skiff::scheduler::plugins
