// `kubectl exec` over SPDY/3.1, as kubectl up to 1.29 asks for it (and newer ones when WebSocket
// is refused): the protocol negotiation of the HTTP upgrade, then the session on the upgraded
// connection. The client opens a stream per standard stream (header `streamtype`: error, stdin,
// stdout, stderr, resize), the agent replies to each, runs the command once all are there,
// copies the streams and ends with the command's status on the error stream, as the kubelet
// does. Called on the agent server's connection thread, which it keeps until the session ends.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "skiff/agent/server/exec_process.h"

namespace skiff::agent::server {

// The remote command protocols spoken over SPDY, as the kubelet lists them. Over SPDY v5 is
// v4: it adds nothing SPDY's own half-close does not already give.
inline constexpr std::string_view kSpdyExecProtocols[] = {"v5.channel.k8s.io", "v4.channel.k8s.io",
                                                          "v3.channel.k8s.io", "v2.channel.k8s.io",
                                                          "channel.k8s.io"};

// The client's most preferred protocol that the agent speaks; `offered` holds the values of
// every X-Stream-Protocol-Version header (each may be a comma-separated list). InvalidArgument
// when nothing is offered, PermissionDenied when nothing matches, with the kubelet's messages.
absl::StatusOr<std::string> NegotiateSpdyExecProtocol(const std::vector<std::string_view>& offered);

struct SpdyExecOptions {
  std::string protocol;  // as negotiated
  bool want_stdin = false;
  bool want_stdout = false;
  bool want_stderr = false;  // ignored with a TTY
  bool tty = false;
  // How long the client has to open its streams after the upgrade (the kubelet's default).
  absl::Duration stream_creation_timeout = absl::Seconds(30);
  // How long the agent waits, after its last frame, for the client to close the connection.
  absl::Duration linger = absl::Seconds(10);
  // Called with each terminal size the client sends (TTY sessions with v3 and up). Unset: the
  // sizes are read and dropped.
  std::function<void(uint16_t width, uint16_t height)> resize = nullptr;
};

// Serves one command on `sock`, a connection that has just answered 101 Switching Protocols:
// `run` runs the command once the client's streams are open. Returns when the session is over;
// the caller closes the socket.
void ServeSpdyExec(int sock, const SpdyExecOptions& options,
                   const std::vector<std::string>& command, ExecProcess::Runner run);

}  // namespace skiff::agent::server
