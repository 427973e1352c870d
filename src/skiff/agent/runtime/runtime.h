// The container runtime the node agent drives: pod sandboxes (network namespace and IP) and the
// containers inside them, shaped after Kubernetes' CRI but reduced to what the agent needs.
// Implemented by HollowRuntime (simulated, runtime/hollow/) and RuncRuntime (runtime/runc/).
// Implementations are thread-safe; calls may block on the runtime (never on the API).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace skiff::agent::runtime {

struct SandboxConfig {
  std::string pod_uid;
  std::string pod_namespace;
  std::string pod_name;
  bool host_network = false;  // share the node's network namespace (and IP)
  // An IP the pod reported before (an agent restart); runtimes that allocate IPs keep it when
  // it is still free.
  std::string preferred_ip;
};

struct SandboxStatus {
  std::string id;
  std::string pod_uid;  // the pod it was made for (SandboxConfig)
  std::string pod_namespace;
  std::string pod_name;
  bool ready = false;  // false once stopped
  std::string ip;
  absl::Time created_at;
};

// What a container may use, in Kubernetes' units (0: not set). Runtimes turn these into cgroup
// limits as the kubelet does (CPU shares from the request, CFS quota from the limit).
struct ContainerResources {
  int64_t cpu_request_millis = 0;
  int64_t cpu_limit_millis = 0;
  int64_t memory_limit_bytes = 0;
};

// A host path bind-mounted into a container (volumes, subPaths); the kubelet resolved and
// checked `host_path` already.
struct Mount {
  std::string container_path;
  std::string host_path;
  bool read_only = false;
};

struct ContainerConfig {
  std::string name;
  std::string image;  // as written in the pod spec
  std::vector<std::string> command;
  std::vector<std::string> args;
  int attempt = 0;  // the restart count: part of the container's identity
  // An init container, run to completion before the regular ones. Real runtimes ignore it;
  // the hollow runtime completes such a container at once.
  bool init = false;
  // Resolved environment (valueFrom already applied), in order; added to the image's, a
  // name given here replaces the image's value.
  std::vector<std::pair<std::string, std::string>> env;
  std::string working_dir;  // empty: the image's, else "/"
  // Where the container's stdout and stderr go, in the CRI log format: the kubelet's
  // <root>/pods/<ns>_<pod>_<uid>/<container>/<attempt>.log. Empty: nowhere.
  std::string log_path;
  ContainerResources resources;
  std::vector<Mount> mounts;  // in order; later ones may mount inside earlier ones
};

enum class ContainerState { kCreated, kRunning, kExited };

struct ContainerStatus {
  std::string id;
  std::string name;
  std::string image;
  std::string image_ref;  // resolved image, reported as imageID
  ContainerState state = ContainerState::kCreated;
  absl::Time created_at;
  absl::Time started_at;   // set once running
  absl::Time finished_at;  // set once exited
  int exit_code = 0;
  std::string reason;  // when exited: "Completed", "Error", "OOMKilled", ...
  std::string message;
  int attempt = 0;
};

// The standard streams of a command run in a container (Runtime::Exec); -1: /dev/null. And how
// long the command may run: past `timeout` it is killed and Exec returns DeadlineExceeded (exec
// probes' timeoutSeconds).
struct ExecStreams {
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  absl::Duration timeout = absl::InfiniteDuration();
};

class Runtime {
 public:
  virtual ~Runtime() = default;

  // The runtime's name and version, reported as "<type>://<version>" (containerRuntimeVersion)
  // and used as the scheme of container IDs ("<type>://<id>").
  virtual std::string Type() const = 0;
  virtual std::string Version() const = 0;

  // Makes `image` available; returns the resolved reference (imageID).
  virtual absl::StatusOr<std::string> PullImage(std::string_view image) = 0;

  // Creates and starts a sandbox; returns its ID. Idempotent per pod UID.
  virtual absl::StatusOr<std::string> RunPodSandbox(const SandboxConfig& config) = 0;
  // Stops every container of the sandbox and the sandbox itself (its IP stays reserved).
  virtual absl::Status StopPodSandbox(std::string_view sandbox_id) = 0;
  // Removes a stopped sandbox and its containers, releasing its IP. NotFound is not an error.
  virtual absl::Status RemovePodSandbox(std::string_view sandbox_id) = 0;
  virtual absl::StatusOr<SandboxStatus> InspectSandbox(std::string_view sandbox_id) = 0;

  virtual absl::StatusOr<std::string> CreateContainer(std::string_view sandbox_id,
                                                      const ContainerConfig& config) = 0;
  virtual absl::Status StartContainer(std::string_view container_id) = 0;
  // Asks the container to stop, killing it after `timeout`.
  virtual absl::Status StopContainer(std::string_view container_id, absl::Duration timeout) = 0;
  virtual absl::Status RemoveContainer(std::string_view container_id) = 0;
  virtual absl::StatusOr<ContainerStatus> InspectContainer(std::string_view container_id) = 0;
  // Runs `command` inside the running container, as `kubectl exec` does, with the given
  // streams, and waits for it; returns its exit code (128+N when killed by signal N).
  virtual absl::StatusOr<int> Exec(std::string_view container_id,
                                   const std::vector<std::string>& command,
                                   const ExecStreams& streams) {
    return absl::UnimplementedError("this runtime cannot run commands in containers");
  }
  // Every sandbox, ready or stopped (an agent that comes back removes those of pods deleted
  // while it was away).
  virtual std::vector<SandboxStatus> ListPodSandboxes() const = 0;
  // The IDs of the sandbox's containers, exited ones included (an agent restart rebuilds its
  // records from them).
  virtual std::vector<std::string> ListContainers(std::string_view sandbox_id) const = 0;
};

}  // namespace skiff::agent::runtime
