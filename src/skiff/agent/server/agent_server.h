// The node agent's HTTP endpoint, the part of the kubelet's server the API server proxies to:
//
//   GET /containerLogs/<ns>/<pod>/<container>?follow=&tailLines=&limitBytes=&sinceSeconds=
//       &sinceTime=&timestamps=&previous=          -> text/plain, streamed while following
//   GET|POST /exec/<ns>/<pod>/<container>?command=..&command=..&stdin=&stdout=&stderr=&tty=
//       (Upgrade: websocket, Sec-WebSocket-Protocol v5.channel.k8s.io or v4; or
//        Upgrade: SPDY/3.1, X-Stream-Protocol-Version v5 to v1, see spdy_session.h)
//                                                  -> the command run through Runtime::Exec
//
// Which container a name means comes from a ContainerLocator (the kubelet knows its pods).
// Requests are served on the HTTP server's connection threads; the server is thread-safe as
// long as the locator and the runtime are.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "skiff/agent/logs/cri_log_reader.h"
#include "skiff/agent/runtime/runtime.h"
#include "skiff/agent/server/exec_process.h"
#include "skiff/apiserver/http/http_server.h"
#include "skiff/base/time.h"

namespace skiff::agent::server {

// One attempt of a pod's container, as the kubelet knows it.
struct ContainerLocation {
  std::string container_id;  // the runtime's ID; empty when there is no container (yet)
  std::string log_path;      // its CRI log file
};

class ContainerLocator {
 public:
  virtual ~ContainerLocator() = default;
  // The current attempt (previous = false) or the one before it. NotFound (message shown to
  // the user) when there is no such pod, container or attempt.
  virtual absl::StatusOr<ContainerLocation> Locate(std::string_view ns, std::string_view pod,
                                                   std::string_view container, bool previous) = 0;
};

// The kubelet's log layout: <root>/pods/<ns>_<pod>_<uid>/<container>/<restartCount>.log.
std::string PodLogDir(std::string_view root, std::string_view ns, std::string_view pod,
                      std::string_view uid);
std::string ContainerLogPath(std::string_view root, std::string_view ns, std::string_view pod,
                             std::string_view uid, std::string_view container, int restart_count);

// PodLogOptions from the query (names as the kubelet reads them). InvalidArgument names the
// parameter.
absl::StatusOr<logs::LogReadOptions> ParseLogQuery(const apiserver::http::Request& req,
                                                   absl::Time now, bool* previous);

struct AgentServerOptions {
  // The endpoint runs commands in containers without authentication (no TLS or client
  // certificates yet), so it stays on loopback unless told otherwise.
  std::string bind = "127.0.0.1";
  int port = 10250;  // 0 picks a free port
};

class AgentServer {
 public:
  // Neither is owned; both outlive the server.
  AgentServer(runtime::Runtime* runtime, ContainerLocator* locator,
              const base::Clock& clock = base::Clock::Real());
  ~AgentServer();

  absl::Status Start(const AgentServerOptions& options);
  int port() const;
  void Stop();

  // Serves one request (exposed so an embedding process can mount it on its own server).
  void Handle(const apiserver::http::Request& req, apiserver::http::ResponseWriter& w);

 private:
  void ServeLogs(const apiserver::http::Request& req, apiserver::http::ResponseWriter& w,
                 const std::vector<std::string>& parts);
  void ServeExec(const apiserver::http::Request& req, apiserver::http::ResponseWriter& w,
                 const std::vector<std::string>& parts);

  // What an exec request asks for, checked.
  struct ExecRequest {
    std::vector<std::string> command;
    bool want_stdin = false;
    bool want_stdout = false;
    bool want_stderr = false;  // false with a TTY
    bool tty = false;
  };
  void ExecOverWebSocket(const apiserver::http::Request& req, apiserver::http::ResponseWriter& w,
                         const std::vector<std::string>& parts, const ExecRequest& exec);
  void ExecOverSpdy(const apiserver::http::Request& req, apiserver::http::ResponseWriter& w,
                    const std::vector<std::string>& parts, const ExecRequest& exec);
  // The ID of the running container the path names.
  absl::StatusOr<std::string> LocateRunning(const std::vector<std::string>& parts);
  ExecProcess::Runner ExecRunner(std::string container_id, std::vector<std::string> command);

  runtime::Runtime* runtime_;
  ContainerLocator* locator_;
  const base::Clock& clock_;
  std::unique_ptr<apiserver::http::HttpServer> http_;
};

}  // namespace skiff::agent::server
