// HollowRuntime: a Runtime that runs nothing. Sandboxes get IPs from the node's pod subnet and
// containers change state instantly by fixed rules (below), so thousands of simulated nodes fit
// in one process (like KWOK / kubemark). One instance per hollow node; thread-safe.
//
// Rules (deterministic, tests rely on them):
//  - PullImage fails with NotFound for an image reference ending in "-broken"; every other
//    image "pulls" instantly and resolves to "<image without tag>@sha256:<sha256 of image>".
//  - A started container runs until stopped, unless its program (command then args) is finite:
//    "true" exits 0, "false" exits 1, "sh|bash -c 'exit N'" exits N (any path to the shell).
//    A finite container exits the moment it starts: reason "Completed" for 0, else "Error".
//  - An init container (ContainerConfig::init) with a non-finite program completes with 0 at
//    once.
//  - A stopped container exits 0 ("Completed"): hollow processes honour SIGTERM.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "skiff/agent/runtime/runtime.h"
#include "skiff/base/time.h"

namespace skiff::agent::runtime {

struct HollowRuntimeOptions {
  std::string node_ip;     // host-network pods report it
  std::string pod_subnet;  // first three octets, "10.3.7": pods get 10.3.7.2 ... 10.3.7.254
  const base::Clock* clock = &base::Clock::Real();
};

class HollowRuntime : public Runtime {
 public:
  explicit HollowRuntime(HollowRuntimeOptions options) : options_(std::move(options)) {}

  std::string Type() const override { return "hollow"; }
  std::string Version() const override { return "1.0"; }

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
  std::vector<SandboxStatus> ListPodSandboxes() const override;
  std::vector<std::string> ListContainers(std::string_view sandbox_id) const override;

  size_t SandboxCount() const;

 private:
  struct Sandbox {
    SandboxStatus status;
    int ip_host = 0;  // last octet held in used_hosts_, 0 for host network
    std::vector<std::string> containers;
  };
  struct Container {
    ContainerStatus status;
    std::string sandbox_id;
    std::optional<int> exit_on_start;
  };
  void ExitLocked(Container& c, int code, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const HollowRuntimeOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Sandbox> sandboxes_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Container> containers_ ABSL_GUARDED_BY(mu_);
  std::bitset<256> used_hosts_ ABSL_GUARDED_BY(mu_);
};

// The exit code of a container whose program is finite by the rule above, else nullopt.
std::optional<int> FiniteExitCode(const std::vector<std::string>& command,
                                  const std::vector<std::string>& args);
// True when pulling `image` fails by the rule above.
bool ImagePullFails(std::string_view image);
// 64 lowercase hex digits: the SHA-256 of `seed` (hollow IDs and digests).
std::string HollowDigest(std::string_view seed);

}  // namespace skiff::agent::runtime
