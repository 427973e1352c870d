// The OCI runtime configuration (config.json) RuncRuntime writes for a bundle, and the pure
// rules that fill it: the process from the image config and the container config (Kubernetes'
// command/args/env/workingDir rules), containerd's default capabilities, mounts, masked paths
// and no-new-privileges, and cgroup limits computed as the kubelet does. Pure; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "skiff/agent/runtime/runtime.h"

namespace skiff::agent::runtime {

struct OciMount {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;
};

// A namespace the bundle gets: a new one (empty path) or one to join.
struct OciNamespace {
  std::string type;  // pid, network, ipc, uts, mount, cgroup
  std::string path;
};

struct OciResources {
  uint64_t cpu_shares = 0;  // 0: not set
  int64_t cpu_quota = 0;    // 0: not set
  uint64_t cpu_period = 0;
  int64_t memory_limit = 0;  // 0: not set
};

struct OciProcess {
  std::vector<std::string> args;
  std::vector<std::string> env;  // NAME=value
  std::string cwd = "/";
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
  std::vector<std::string> capabilities;  // bounding, effective and permitted
};

struct OciSpec {
  std::string rootfs;
  bool readonly_rootfs = false;
  std::string hostname;  // set only with a new UTS namespace
  OciProcess process;
  std::vector<OciMount> mounts;
  std::vector<OciNamespace> namespaces;
  std::string cgroups_path;
  OciResources resources;
};

// config.json for the spec (OCI runtime spec 1.0.2).
boost::json::object ToOciConfig(const OciSpec& spec);

// The capabilities containerd grants a container by default.
const std::vector<std::string>& DefaultCapabilities();
// /proc, /dev, /dev/pts, /dev/mqueue, /sys, /sys/fs/cgroup as containerd mounts them.
std::vector<OciMount> DefaultMounts();

// The kubelet's CPU and memory arithmetic: shares = request*1024/1000 (at least 2), quota =
// limit*period/1000 with a 100 ms period (at least 1 ms), memory = the limit.
OciResources ResourcesFor(const ContainerResources& r);

// What to run, from the image config ("config": Entrypoint, Cmd, Env, WorkingDir) and the
// container's command/args/env/working_dir, as Kubernetes documents it: command replaces the
// entrypoint (and drops Cmd), args replace Cmd. InvalidArgument when nothing is left to run.
struct ProcessPlan {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd;
  std::string user;  // the image's User ("" = root)
};
absl::StatusOr<ProcessPlan> PlanProcess(const boost::json::value& image_config,
                                        const ContainerConfig& container);

// Resolves an image User ("1000", "1000:50", "app", "app:staff") against the rootfs's
// /etc/passwd and /etc/group contents. A numeric user absent from passwd gets group 0.
struct ResolvedUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
};
absl::StatusOr<ResolvedUser> ResolveUser(std::string_view user, std::string_view passwd,
                                         std::string_view group);

}  // namespace skiff::agent::runtime
