// A container's environment as the kubelet computes it (pkg/kubelet/kubelet_pods.go
// makeEnvironmentVariables): envFrom sources in order (a prefix each, invalid names skipped),
// then env entries in order, each value expanded with $(VAR) against what came before, valueFrom
// resolved from the pod (fieldRef), the container's resources (resourceFieldRef, node
// allocatable standing in for an unset limit), ConfigMaps and Secrets. Also the $(VAR)
// expansion of command and args. Pure functions over a lookup; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace skiff::agent::kubelet {

// Returns the object (ConfigMap or Secret) or NotFound. `resource` is "configmaps" or "secrets".
using ObjectLookup = std::function<absl::StatusOr<boost::json::value>(
    std::string_view resource, std::string_view ns, std::string_view name)>;

struct NodeAllocatable {
  int64_t cpu_millis = 0;
  int64_t memory_bytes = 0;
  int64_t ephemeral_storage_bytes = 0;
};

using EnvList = std::vector<std::pair<std::string, std::string>>;

// The resolved environment of `container` (its JSON spec) in `pod`. A missing ConfigMap, Secret
// or key that is not optional is an error (the kubelet's CreateContainerConfigError) whose
// message is Kubernetes': `configmap "x" not found`, `couldn't find key k in ConfigMap ns/x`.
absl::StatusOr<EnvList> ResolveEnv(const boost::json::value& pod,
                                   const boost::json::value& container, const ObjectLookup& lookup,
                                   const NodeAllocatable& node);

// Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion): $(NAME) becomes the value
// of NAME when defined (else stays as written), $$ becomes $.
std::string Expand(std::string_view in, const EnvList& env);

// The value of a downward API field path (metadata.name, metadata.labels['k'], status.podIP,
// ...), or InvalidArgument for an unsupported one.
absl::StatusOr<std::string> PodFieldValue(const boost::json::value& pod, std::string_view path);

// The value of a resourceFieldRef (limits.cpu, requests.memory, ...) in units of `divisor`
// (default "1"), rounded up, as a decimal string.
absl::StatusOr<std::string> ResourceFieldValue(const boost::json::value& container,
                                               std::string_view resource,
                                               const boost::json::value* divisor,
                                               const NodeAllocatable& node);

}  // namespace skiff::agent::kubelet
