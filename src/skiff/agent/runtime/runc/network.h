// Pod networking for RuncRuntime: a network namespace per sandbox (pinned by a bind mount so
// it outlives its processes, with lo brought up as the CNI loopback plugin would, in process),
// wired by the CNI bridge + host-local plugins from Debian's containernetworking-plugins. The
// bridge is Skiff's own (default skiff0) and carries the gateway address itself, so nothing on the
// host but that bridge and the pods' veths changes: no forwarding or masquerading is switched on.
// Thread-safe (no shared state).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace skiff::agent::runtime {

struct PodNetworkOptions {
  std::string cni_bin_dir = "/usr/lib/cni";
  std::string bridge = "skiff0";        // at most 15 characters
  std::string subnet = "10.88.0.0/16";  // pods get addresses from .2 on; .1 is the bridge
  // host-local's allocations live here; shared by every runtime using the bridge (default
  // /run/skiff/cni/<bridge>), so the nodes of one host never allocate the same address.
  std::string state_dir;
  std::string ip_binary = "/usr/sbin/ip";
};

// "10.88.0.0/16" -> {"10.88.0.1", 16}: the gateway (first host) and the prefix length.
struct Gateway {
  std::string address;
  int prefix = 0;
};
absl::StatusOr<Gateway> GatewayOf(std::string_view subnet);

// The CNI network configuration the runtime hands to the bridge plugin.
std::string BridgeConfig(const PodNetworkOptions& options);
// The first IPv4 address of a CNI ADD result ("10.88.0.5/16" -> "10.88.0.5").
absl::StatusOr<std::string> ResultIPv4(std::string_view result_json);

class PodNetwork {
 public:
  explicit PodNetwork(PodNetworkOptions options) : options_(std::move(options)) {}

  // Creates the bridge with its gateway address if it is missing, and brings it up.
  absl::Status EnsureBridge();
  // Creates a network namespace pinned at `path` (an absent file), its lo up.
  static absl::Status CreateNetns(const std::string& path);
  // Unpins and deletes it; absent is not an error.
  static absl::Status RemoveNetns(const std::string& path);

  // Connects the namespace (eth0 on the bridge); returns the pod IP. `preferred_ip` is
  // tried first when set.
  absl::StatusOr<std::string> Attach(const std::string& sandbox_id, const std::string& netns,
                                     const std::string& preferred_ip);
  // Releases the pod's address and veth. Idempotent.
  absl::Status Detach(const std::string& sandbox_id, const std::string& netns);

 private:
  absl::StatusOr<std::string> Invoke(const std::string& plugin, const std::string& command,
                                     const std::string& config, const std::string& sandbox_id,
                                     const std::string& netns, const std::string& ifname,
                                     const std::string& cni_args);

  const PodNetworkOptions options_;
};

}  // namespace skiff::agent::runtime
