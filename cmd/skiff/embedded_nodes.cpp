#include "cmd/skiff/embedded_nodes.h"

namespace skiff::cmd {

namespace json = boost::json;

std::vector<EmbeddedNode> PlanEmbeddedNodes(std::string_view base_name, std::string_view data_dir,
                                            int count, std::string_view control_plane_taint) {
  std::vector<EmbeddedNode> nodes;
  const std::string base(base_name);
  const std::string dir(data_dir);
  EmbeddedNode own{base, dir, dir + "/images", {{"node-role.kubernetes.io/control-plane", ""}}, {}};
  if (control_plane_taint == "true" || (control_plane_taint == "auto" && count > 1)) {
    own.taints.push_back(
        json::object{{"key", "node-role.kubernetes.io/control-plane"}, {"effect", "NoSchedule"}});
  }
  nodes.push_back(std::move(own));
  for (int i = 1; i < count; ++i) {
    std::string name = base + "-worker" + (i == 1 ? "" : std::to_string(i));
    nodes.push_back(EmbeddedNode{name, dir + "/nodes/" + name, dir + "/images", {}, {}});
  }
  return nodes;
}

}  // namespace skiff::cmd
