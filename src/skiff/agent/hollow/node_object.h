// The Node and Lease objects of a hollow node, as a kubelet registers and renews them: labels,
// taints, capacity, addresses, a complete nodeInfo (the python client rejects a partial one) and
// the four kubelet conditions. Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace skiff::agent::hollow {

inline constexpr std::string_view kKubeletVersion = "v1.32.0-skiff";
inline constexpr std::string_view kRuntimeVersion = "hollow://1.0";
inline constexpr std::string_view kOsImage = "Skiff hollow node";
inline constexpr std::string_view kLeaseNamespace = "kube-node-lease";
// Setting this label to "stop" on a hollow node stops its heartbeats (Lease and status);
// removing it (or any other value) resumes them.
inline constexpr std::string_view kHeartbeatLabel = "skiff.dev/hollow-heartbeat";

// Slots number the address blocks: 0 .. kMaxSlots-1.
inline constexpr int kMaxSlots = 250 * 256;

struct HollowNodeSpec {
  std::string name;
  // Node IP 10.255.<slot/250>.<slot%250+2>; pod CIDR 10.<slot/256>.<slot%256>.0/24.
  int slot = 0;
  std::map<std::string, std::string> labels;  // added to (and overriding) the default labels
  std::vector<boost::json::object> taints;    // {key, value?, effect}
  std::string boot_id;                        // new for every start of the process
  std::string kernel_version;                 // the host's, e.g. "6.1.0-18-amd64"
};

std::string NodeIp(int slot);
// The first three octets of the node's pod CIDR: "10.1.2".
std::string PodSubnet(int slot);

// The whole Node as registered: metadata, spec (podCIDR, providerID, taints) and status.
boost::json::value BuildNode(const HollowNodeSpec& spec, absl::Time now);

// MemoryPressure, DiskPressure, PIDPressure (False) and Ready (True), heartbeat `now`; each
// keeps its lastTransitionTime from `current` (the stored node) when its status is unchanged.
boost::json::array NodeConditions(const boost::json::value* current, absl::Time now);

// The node's Lease in kube-node-lease, owned by the Node when `node_uid` is known.
boost::json::value BuildLease(std::string_view node, std::string_view node_uid,
                              int duration_seconds, absl::Time now);

// A UUID-formatted string derived from `seed` (bootID, systemUUID).
std::string HollowUuid(std::string_view seed);

// "key[=value]:Effect" -> {"key", "value", "effect"}; Effect is NoSchedule, PreferNoSchedule
// or NoExecute.
absl::StatusOr<boost::json::object> ParseTaint(std::string_view text);
// "key=value" (value may be empty).
absl::StatusOr<std::pair<std::string, std::string>> ParseLabel(std::string_view text);

}  // namespace skiff::agent::hollow
