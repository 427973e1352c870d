// RuncRuntime: the Runtime that runs real containers with runc (Debian's), for `skiff agent`.
//
// A pod sandbox is a set of pinned namespaces (namespaces.h) that its containers join: network,
// wired by CNI (or the host's, for hostNetwork), IPC, and UTS with hostname = pod name. No pause
// process holds them (as CRI-O without an infra container), which saves one runc run per pod.
// Each container is an OCI bundle whose rootfs is an overlayfs of the image's unpacked
// layers with a per-container upper directory, joining the sandbox's namespaces.
// CreateContainer prepares the bundle (rootfs mounted, config.json written); StartContainer runs
// it with one `runc run --detach` through skiff-shim, which stays the container's parent, records
// its exit status in the container's directory and so lets the agent restart without losing
// anything.
//
// State lives under options.root:  runc/ (runc --root), sandboxes/<id>/, containers/<id>/;
// host-local's address allocations in options.network.state_dir. Open() reloads it, so a new
// RuncRuntime object (an agent restart, even after kill -9) sees the same sandboxes and containers.
//
// Thread-safe: records are guarded by mu_, which is never held across runc, CNI or file I/O.
#pragma once

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "skiff/agent/images/image_store.h"
#include "skiff/agent/runtime/runc/network.h"
#include "skiff/agent/runtime/runtime.h"
#include "skiff/base/time.h"

namespace skiff::agent::runtime {

struct RuncRuntimeOptions {
  std::string root;                      // e.g. <data-dir>/runtime
  images::ImageStore* images = nullptr;  // not owned; outlives the runtime
  std::string runc = "/usr/sbin/runc";
  // skiff-shim; empty: beside the running executable (/proc/self/exe).
  std::string shim;
  PodNetworkOptions network;             // state_dir defaults to /run/skiff/cni/<bridge>
  std::string node_ip = "127.0.0.1";     // what hostNetwork pods report
  std::string cgroup_parent = "/skiff";  // cgroupfs path under which pods get theirs
  const base::Clock* clock = &base::Clock::Real();
  // Containers' CRI logs (ContainerConfig::log_path) rotate past this size, keeping this many
  // files (the kubelet's containerLogMaxSize and containerLogMaxFiles).
  int64_t log_max_bytes = 10 * 1024 * 1024;
  int log_max_files = 5;
};

class RuncRuntime : public Runtime {
 public:
  // Checks runc, prepares the directories and the bridge and recovers the recorded sandboxes
  // and containers.
  static absl::StatusOr<std::unique_ptr<RuncRuntime>> Open(RuncRuntimeOptions options);

  std::string Type() const override { return "runc"; }
  std::string Version() const override { return version_; }

  absl::StatusOr<std::string> PullImage(std::string_view image) override;
  absl::StatusOr<std::string> RunPodSandbox(const SandboxConfig& config) override;
  absl::Status StopPodSandbox(std::string_view sandbox_id) override;
  absl::Status RemovePodSandbox(std::string_view sandbox_id) override;
  absl::StatusOr<SandboxStatus> InspectSandbox(std::string_view sandbox_id) override;
  absl::StatusOr<std::string> CreateContainer(std::string_view sandbox_id,
                                              const ContainerConfig& config) override;
  absl::Status StartContainer(std::string_view container_id) override;
  absl::Status StopContainer(std::string_view container_id, absl::Duration timeout) override;
  absl::Status RemoveContainer(std::string_view container_id) override;
  absl::StatusOr<ContainerStatus> InspectContainer(std::string_view container_id) override;
  // `runc exec` (runc_exec.cc).
  absl::StatusOr<int> Exec(std::string_view container_id, const std::vector<std::string>& command,
                           const ExecStreams& streams) override;

  std::vector<std::string> ListSandboxes() const;
  std::vector<SandboxStatus> ListPodSandboxes() const override;
  std::vector<std::string> ListContainers(std::string_view sandbox_id) const override;
  // The directory holding a container's bundle, output log ("output.log") and exit record.
  std::string ContainerDir(std::string_view container_id) const;

 private:
  struct Sandbox {
    SandboxConfig config;
    SandboxStatus status;
    std::string netns;  // empty for host network
    std::string ipcns;  // the pod's pinned IPC namespace
    std::string utsns;  // its UTS namespace (host name = pod name); empty for host network
    bool removing = false;
  };
  struct Container {
    ContainerConfig config;
    ContainerStatus status;
    std::string sandbox_id;
    std::string pod_uid;
    std::string stop_signal = "SIGTERM";
  };

  explicit RuncRuntime(RuncRuntimeOptions options) : options_(std::move(options)) {}
  absl::Status Recover();
  std::string SandboxDir(std::string_view id) const;

  // Runs `runc --root <root> args...`; errors carry runc's message.
  absl::StatusOr<std::string> Runc(const std::vector<std::string>& args,
                                   absl::Duration timeout = absl::Seconds(30)) const;
  // `runc run --detach` through skiff-shim; returns the container's pid.
  absl::StatusOr<int> RunWithShim(const std::string& id, const std::string& bundle,
                                  const std::string& state_dir, int output_fd) const;
  // The recorded exit of a container ("exit" in its state dir), if it has one.
  struct Exit {
    int code;
    absl::Time at;
  };
  std::optional<Exit> ReadExit(const std::string& state_dir) const;
  // Waits until the exit record appears or the timeout passes.
  std::optional<Exit> WaitExit(const std::string& state_dir, absl::Duration timeout) const;
  // Signals a container and waits for its exit; SIGKILL after `timeout`.
  absl::Status Kill(const std::string& id, const std::string& state_dir, const std::string& signal,
                    absl::Duration timeout) const;
  // Brings a record's state up to date with the exit record.
  void Refresh(Container& c, const std::string& id) const;

  absl::StatusOr<std::string> BuildContainerBundle(const std::string& id, const Sandbox& sb,
                                                   const ContainerConfig& config,
                                                   const images::Image& image,
                                                   std::string* stop_signal);
  absl::Status SaveSandbox(const std::string& id, const Sandbox& sb) const;
  absl::Status SaveContainer(const std::string& id, const Container& c) const;
  absl::Status DestroySandboxFiles(const std::string& id, const Sandbox& sb);
  absl::Status DestroyContainerFiles(const std::string& id);

  const RuncRuntimeOptions options_;
  std::unique_ptr<PodNetwork> network_;
  std::string version_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Sandbox> sandboxes_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Container> containers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> creating_pods_ ABSL_GUARDED_BY(mu_);  // pod UIDs
};

}  // namespace skiff::agent::runtime
