// The probe handlers the kubelet runs against a container (pkg/probe): exec (a command through
// the runtime), httpGet and tcpSocket (from the node to the pod's address). Each runs once,
// bounded by its timeout, and reports a Result with the output Kubernetes shows in events.
// Stateless functions; thread-safe; they block the calling thread for at most the timeout.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace skiff::agent::probe {

enum class Result {
  kSuccess,
  kWarning,  // counts as a success; the kubelet records a ProbeWarning event
  kFailure,
  kUnknown,
};

// probe.Result's String: "success", "warning", "failure", "unknown".
std::string_view ResultName(Result r);

struct Outcome {
  Result result = Result::kUnknown;
  // Command output (stdout then stderr), the response body, or what went wrong.
  std::string output;
};

// The kubelet reads at most this much of a command's output or a response body (10 KiB).
inline constexpr size_t kMaxOutputBytes = 10 * 1024;

}  // namespace skiff::agent::probe
