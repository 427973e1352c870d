#include "skiff/agent/kubelet/local_node.h"

#include <unistd.h>

#include <filesystem>

#include "skiff/agent/kubelet/volumes.h"
#include "skiff/api/resources.h"
#include "skiff/api/text.h"

namespace skiff::agent::kubelet {

namespace json = boost::json;

namespace {

class KubeletLocator : public server::ContainerLocator {
 public:
  explicit KubeletLocator(Kubelet* kubelet) : kubelet_(kubelet) {}
  absl::StatusOr<server::ContainerLocation> Locate(std::string_view ns, std::string_view pod,
                                                   std::string_view container,
                                                   bool previous) override {
    auto loc = kubelet_->Locate(ns, pod, container, previous);
    if (!loc.ok()) return loc.status();
    return server::ContainerLocation{loc->container_id, loc->log_path};
  }

 private:
  Kubelet* kubelet_;
};

}  // namespace

bool CanRunContainers(const std::string& runc) {
  return ::geteuid() == 0 && ::access(runc.c_str(), X_OK) == 0;
}

absl::StatusOr<std::unique_ptr<LocalNode>> LocalNode::Open(client::Client* client,
                                                           LocalNodeOptions options) {
  std::unique_ptr<LocalNode> n(new LocalNode());
  n->client_ = client;
  n->options_ = std::move(options);
  const std::string& dir = n->options_.data_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(api::Cat("create ", dir, ": ", ec.message()));
  n->host_ = ReadHostInfo(dir);
  auto store = images::ImageStore::Open(n->options_.images_dir.empty() ? dir + "/images"
                                                                       : n->options_.images_dir);
  if (!store.ok()) return store.status();
  n->images_ = std::move(*store);
  runtime::RuncRuntimeOptions ro;
  ro.root = dir + "/runtime";
  ro.images = n->images_.get();
  ro.runc = n->options_.runc;
  ro.network.bridge = n->options_.bridge;
  ro.network.subnet = n->options_.subnet;
  ro.node_ip = n->host_.node_ip;
  ro.cgroup_parent = n->options_.cgroup_parent;
  auto rt = runtime::RuncRuntime::Open(ro);
  if (!rt.ok()) return rt.status();
  n->runtime_ = std::move(*rt);
  n->host_.runtime_version = api::Cat(n->runtime_->Type(), "://", n->runtime_->Version());

  NodeAllocatable allocatable{n->host_.cpu_millis, n->host_.memory_bytes,
                              n->host_.ephemeral_storage_bytes};
  ObjectLookup lookup = [client](std::string_view resource, std::string_view ns,
                                 std::string_view name) -> absl::StatusOr<json::value> {
    const api::ResourceInfo* info = api::FindResource("", "v1", resource);
    if (info == nullptr) return absl::InvalidArgumentError(api::Cat("no resource ", resource));
    auto got = client->Get(*info, ns, name);
    if (client::IsNotFoundError(got.status())) {
      return absl::NotFoundError(std::string(got.status().message()));
    }
    return got;
  };
  n->volumes_ = std::make_unique<VolumeManager>(dir + "/pods", lookup, allocatable);
  KubeletOptions ko;
  ko.node_name = n->options_.node_name;
  ko.node_ip = n->host_.node_ip;
  ko.allocatable = allocatable;
  ko.lookup = lookup;
  ko.log_root = dir;
  ko.volumes = n->volumes_.get();
  n->kubelet_ = std::make_unique<Kubelet>(n->runtime_.get(), std::move(ko));
  n->locator_ = std::make_unique<KubeletLocator>(n->kubelet_.get());
  n->server_ = std::make_unique<server::AgentServer>(n->runtime_.get(), n->locator_.get());
  server::AgentServerOptions so;
  // Only on the address the API server proxies to (the node's InternalIP): logs and exec carry
  // no authentication of their own.
  so.bind = n->host_.node_ip;
  so.port = n->options_.port;
  absl::Status started = n->server_->Start(so);
  if (!started.ok() && so.port != 0) {
    so.port = 0;  // another agent on this host has it
    started = n->server_->Start(so);
  }
  if (!started.ok()) return started;
  n->host_.kubelet_port = n->server_->port();
  return n;
}

LocalNode::~LocalNode() { Stop(); }

void LocalNode::Register(client::Informer* pods, std::function<bool()> synced) {
  NodeAgentOptions ao;
  ao.pods_synced = std::move(synced);
  ao.node_name = options_.node_name;
  ao.host = host_;
  ao.labels = options_.labels;
  ao.taints = options_.taints;
  agent_ = std::make_unique<NodeAgent>(client_, pods, kubelet_.get(), std::move(ao));
  agent_->Register();
}

void LocalNode::Start() {
  if (agent_ != nullptr) agent_->Start();
}

void LocalNode::Stop() {
  if (agent_ != nullptr) agent_->Stop();
  if (server_ != nullptr) server_->Stop();
}

}  // namespace skiff::agent::kubelet
