// TCP connections for the network probes: a non-blocking connect bounded by a deadline, with
// errors worded as Go's net.Dial words them (Kubernetes shows those texts in probe events).
// Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "skiff/base/files.h"

namespace skiff::agent::probe {

// "host:port", with brackets around an IPv6 host ("[::1]:80").
std::string JoinHostPort(std::string_view host, int port);

// A connected, non-blocking socket to host:port (an IP or a name to resolve). Errors:
// DeadlineExceeded "dial tcp 10.0.0.1:80: i/o timeout"; Unavailable
// "dial tcp 127.0.0.1:1: connect: connection refused", "dial tcp: lookup x: no such host".
absl::StatusOr<base::UniqueFd> Dial(std::string_view host, int port, absl::Time deadline);

// Waits until `fd` is readable (POLLIN) or writable (POLLOUT) or `deadline` passes; false on
// timeout.
bool WaitFd(int fd, short events, absl::Time deadline);

}  // namespace skiff::agent::probe
