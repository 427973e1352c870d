// The hollow prober: a fixed, documented rule deciding when a simulated container is started
// and ready, standing in for the kubelet's probe workers. Pure functions; thread-safe.
//
// The rule, for a container (or sidecar) that is running since `started_at`:
//  - A probe "fails" when it is an exec probe whose command is finite and exits non-zero by the
//    hollow runtime's rule (["false"], ["/bin/false"], ["sh", "-c", "exit 3"], ...). Every other
//    probe (httpGet, tcpSocket, grpc, other exec commands) succeeds.
//  - startupProbe: a failing one leaves the container started=false and unready for good (no
//    restart is simulated); a passing one marks it started at started_at + initialDelaySeconds.
//    Without a startup probe the container is started at once.
//  - readinessProbe: a failing one keeps the container unready for good; a passing one makes it
//    ready at started_at + initialDelaySeconds, but not before it is started. Without one it is
//    ready once started.
//  - An image ending in ":broken" runs but is never ready (as if its readiness probe failed).
//  - livenessProbe is ignored (it always succeeds).
#pragma once

#include <boost/json.hpp>
#include <optional>

#include "absl/time/time.h"

namespace skiff::agent::hollow {

struct ProbeVerdict {
  bool started = false;
  bool ready = false;
  // When `started` or `ready` will next change, if ever.
  std::optional<absl::Time> next_change;
};

// `container` is the container's spec from the pod.
ProbeVerdict HollowProbe(const boost::json::value& container, absl::Time started_at,
                         absl::Time now);

}  // namespace skiff::agent::hollow
