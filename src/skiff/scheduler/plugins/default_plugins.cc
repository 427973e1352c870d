#include "skiff/scheduler/plugins/default_plugins.h"

#include "skiff/scheduler/plugins/nodeaffinity/node_affinity.h"
#include "skiff/scheduler/plugins/nodename/node_name.h"
#include "skiff/scheduler/plugins/nodeports/node_ports.h"
#include "skiff/scheduler/plugins/noderesources/balanced_allocation.h"
#include "skiff/scheduler/plugins/noderesources/fit.h"
#include "skiff/scheduler/plugins/nodeunschedulable/node_unschedulable.h"
#include "skiff/scheduler/plugins/podtopologyspread/pod_topology_spread.h"
#include "skiff/scheduler/plugins/tainttoleration/taint_toleration.h"

namespace skiff::scheduler::plugins {

std::vector<PluginConfig> DefaultPlugins(const DefaultPluginArgs& args) {
  std::vector<PluginConfig> p;
  p.push_back({std::make_shared<NodeUnschedulable>(), 0});
  p.push_back({std::make_shared<NodeName>(), 0});
  p.push_back({std::make_shared<TaintToleration>(), 3});
  p.push_back({std::make_shared<NodeAffinity>(), 2});
  p.push_back({std::make_shared<NodePorts>(), 0});
  p.push_back({std::make_shared<NodeResourcesFit>(), 1});
  p.push_back({std::make_shared<VolumeBinding>(args.volume_binder), 0});
  p.push_back({std::make_shared<PodTopologySpread>(), 2});
  p.push_back({std::make_shared<InterPodAffinity>(args.namespaces), 2});
  p.push_back({std::make_shared<NodeResourcesBalancedAllocation>(), 1});
  return p;
}

}  // namespace skiff::scheduler::plugins
