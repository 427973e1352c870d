// The nodes `skiff server` runs beside itself with real containers: its own node (the control
// plane) and, with --nodes N, N-1 workers, as kind lays out a cluster on one machine.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::cmd {

struct EmbeddedNode {
  std::string name;
  std::string data_dir;    // the node's runtime, pods and logs
  std::string images_dir;  // shared by all: <server data dir>/images
  std::map<std::string, std::string> labels;
  std::vector<boost::json::object> taints;
};

// The server's own node is `base_name` with the server's data dir and the control-plane role
// label; it carries node-role.kubernetes.io/control-plane:NoSchedule when `control_plane_taint`
// is "true", or "auto" with workers beside it. Worker i (1-based) is <base>-worker (i = 1) or
// <base>-worker<i> with its data dir under <data_dir>/nodes/<name>.
std::vector<EmbeddedNode> PlanEmbeddedNodes(std::string_view base_name, std::string_view data_dir,
                                            int count, std::string_view control_plane_taint);

}  // namespace skiff::cmd
