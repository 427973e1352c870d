#include "skiff/agent/probe/tcp.h"

#include "skiff/agent/probe/dial.h"

namespace skiff::agent::probe {

Outcome TcpProbe(std::string_view host, int port, absl::Duration timeout) {
  auto fd = Dial(host, port, absl::Now() + timeout);
  if (!fd.ok()) return {Result::kFailure, std::string(fd.status().message())};
  return {Result::kSuccess, ""};
}

}  // namespace skiff::agent::probe
