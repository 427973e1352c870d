// pods/log and pods/exec: the API server finds the pod's node agent (the Node's InternalIP and
// status.daemonEndpoints.kubeletEndpoint.Port), checks the request as Kubernetes does, and
// relays the connection to the agent's /containerLogs or /exec (a WebSocket or SPDY/3.1 upgrade
// passes through unchanged, its protocol headers with it). Called from ApiServer's connection
// threads; no shared state.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "skiff/apiserver/http/http_server.h"

namespace skiff::apiserver {

struct AgentTarget {
  std::string host;
  int port = 0;
  std::string target;  // path and query on the agent
};

// `node` is null when the pod's node does not exist. Errors are Kubernetes Status errors.
absl::StatusOr<AgentTarget> PodLogTarget(const boost::json::value& pod,
                                         const boost::json::value* node, const http::Request& req);
absl::StatusOr<AgentTarget> PodExecTarget(const boost::json::value& pod,
                                          const boost::json::value* node, const http::Request& req);

// Connects to the agent, takes the client's connection over and relays bytes both ways until
// either side closes. Answers an error itself when the agent cannot be reached.
void ProxyToAgent(const http::Request& req, http::ResponseWriter& w, const AgentTarget& target);

}  // namespace skiff::apiserver
