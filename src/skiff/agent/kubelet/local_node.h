// LocalNode: everything one real node needs, assembled: the image store and RuncRuntime under
// the data directory, the volume manager, the Kubelet and the NodeAgent. `skiff agent` runs one
// over HTTP; `skiff server` embeds one over its in-process client.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "skiff/agent/images/image_store.h"
#include "skiff/agent/kubelet/kubelet.h"
#include "skiff/agent/kubelet/node_agent.h"
#include "skiff/agent/runtime/runc/runc_runtime.h"
#include "skiff/agent/server/agent_server.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"

namespace skiff::agent::kubelet {

struct LocalNodeOptions {
  std::string node_name;
  std::string data_dir;  // images/, runtime/, pods/
  // The image store; empty: <data_dir>/images. The nodes `skiff server --nodes N` runs share
  // the server's, so one `skiff image import` serves them all.
  std::string images_dir;
  std::map<std::string, std::string> labels;
  std::vector<boost::json::object> taints;
  std::string runc = "/usr/sbin/runc";
  std::string bridge = "skiff0";
  std::string subnet = "10.88.0.0/16";
  std::string cgroup_parent = "/skiff";
  // The endpoint serving container logs and exec to the API server; when taken, a free port
  // is used (the Node's daemonEndpoints say which).
  int port = 10250;
};

class LocalNode {
 public:
  // Opens the image store and the runtime (recovering what an earlier agent left).
  static absl::StatusOr<std::unique_ptr<LocalNode>> Open(client::Client* client,
                                                         LocalNodeOptions options);
  ~LocalNode();

  // Adds the pod handlers (the informer should list pods with spec.nodeName=<node>); call
  // before the informer starts. `synced` says when the informer holds a complete list
  // (housekeeping waits for it); null: it does by the time Start() is called.
  void Register(client::Informer* pods, std::function<bool()> synced = nullptr);
  void Start();
  void Stop();

  runtime::RuncRuntime& runtime() { return *runtime_; }
  const HostInfo& host() const { return host_; }

 private:
  LocalNode() = default;

  client::Client* client_ = nullptr;
  LocalNodeOptions options_;
  HostInfo host_;
  std::unique_ptr<images::ImageStore> images_;
  std::unique_ptr<runtime::RuncRuntime> runtime_;
  std::unique_ptr<VolumeMounter> volumes_;
  std::unique_ptr<Kubelet> kubelet_;
  std::unique_ptr<server::ContainerLocator> locator_;
  std::unique_ptr<server::AgentServer> server_;
  std::unique_ptr<NodeAgent> agent_;
};

// True when this process can run real containers: root, and runc present at `runc`.
bool CanRunContainers(const std::string& runc = "/usr/sbin/runc");

}  // namespace skiff::agent::kubelet
