// The httpGet probe (pkg/probe/http): one GET with "Connection: close", success when the final
// status is 200..399. Redirects are followed while they stay on the original host (at most 10
// requests); a redirect elsewhere ends the probe with that 3xx response, a Warning. HTTPS does
// not verify the server's certificate, as the kubelet does not. Thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "skiff/agent/probe/probe.h"

namespace skiff::agent::probe {

struct HttpGet {
  std::string scheme = "http";  // "http" or "https", any case
  std::string host;
  int port = 80;
  std::string path;  // path and query as written in the spec; empty asks for "/"
  // httpHeaders in order; a "Host" header replaces the Host, a "User-Agent" or "Accept" one the
  // default (an empty Accept removes it).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string user_agent = "kube-probe";
};

// Outputs: the body (success), "Probe terminated redirects, Response body: <body>" (warning),
// "HTTP probe failed with statuscode: 503" or Go's client error text such as
// `Get "http://10.0.0.5:80/": dial tcp 10.0.0.5:80: connect: connection refused` (failure).
// Bodies are read up to kMaxOutputBytes. An error: the body could not be read in time.
absl::StatusOr<Outcome> HttpProbe(const HttpGet& get, absl::Duration timeout);

}  // namespace skiff::agent::probe
