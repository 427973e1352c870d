// The tcpSocket probe (pkg/probe/tcp): success when a TCP connection to host:port opens within
// the timeout; the connection is closed at once. Thread-safe.
#pragma once

#include <string_view>

#include "absl/time/time.h"
#include "skiff/agent/probe/probe.h"

namespace skiff::agent::probe {

// Failure output is the dial error ("dial tcp 10.0.0.5:80: connect: connection refused").
Outcome TcpProbe(std::string_view host, int port, absl::Duration timeout);

}  // namespace skiff::agent::probe
