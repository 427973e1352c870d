#include "skiff/agent/server/agent_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "skiff/agent/logs/cri_log_reader.h"
#include "skiff/agent/server/websocket.h"
#include "skiff/api/text.h"
#include "skiff/base/files.h"
#include "skiff/base/strings.h"
#include "spdlog/spdlog.h"

namespace skiff::agent::server {

namespace json = boost::json;
using apiserver::http::Request;
using apiserver::http::ResponseWriter;
using base::UniqueFd;

namespace {

std::string StatusJson(int code, std::string_view reason, std::string_view message) {
  return json::serialize(json::object{{"kind", "Status"},
                                      {"apiVersion", "v1"},
                                      {"metadata", json::object{}},
                                      {"status", "Failure"},
                                      {"message", message},
                                      {"reason", reason},
                                      {"code", code}});
}

void SendStatus(ResponseWriter& w, const absl::Status& s) {
  int code = 500;
  std::string_view reason = "InternalError";
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
      code = 404;
      reason = "NotFound";
      break;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
      code = 400;
      reason = "BadRequest";
      break;
    default:
      break;
  }
  w.Send(code, "application/json", StatusJson(code, reason, std::string(s.message())));
}

bool ParseBool(std::string_view v, bool* out) {
  if (v == "true" || v == "1" || v == "True" || v == "TRUE" || v == "t" || v == "T") {
    *out = true;
  } else if (v == "false" || v == "0" || v == "False" || v == "FALSE" || v == "f" || v == "F" ||
             v.empty()) {
    *out = false;
  } else {
    return false;
  }
  return true;
}

absl::StatusOr<bool> BoolParam(const Request& req, std::string_view name) {
  auto v = req.Query(name);
  if (!v) return false;
  bool b = false;
  if (!ParseBool(*v, &b)) {
    return absl::InvalidArgumentError(api::Cat("invalid value for ", name, ": ", *v));
  }
  return b;
}

void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  for (std::string_view p : api::Split(path, '/')) {
    if (!p.empty()) parts.emplace_back(p);
  }
  return parts;
}

}  // namespace

std::string PodLogDir(std::string_view root, std::string_view ns, std::string_view pod,
                      std::string_view uid) {
  return api::Cat(root, "/pods/", ns, "_", pod, "_", uid);
}

std::string ContainerLogPath(std::string_view root, std::string_view ns, std::string_view pod,
                             std::string_view uid, std::string_view container, int restart_count) {
  return api::Cat(PodLogDir(root, ns, pod, uid), "/", container, "/", restart_count, ".log");
}

absl::StatusOr<logs::LogReadOptions> ParseLogQuery(const Request& req, absl::Time now,
                                                   bool* previous) {
  logs::LogReadOptions o;
  auto follow = BoolParam(req, "follow");
  if (!follow.ok()) return follow.status();
  o.follow = *follow;
  auto ts = BoolParam(req, "timestamps");
  if (!ts.ok()) return ts.status();
  o.timestamps = *ts;
  auto prev = BoolParam(req, "previous");
  if (!prev.ok()) return prev.status();
  *previous = *prev;
  auto int_param = [&](std::string_view name, int64_t* out) -> absl::Status {
    auto v = req.Query(name);
    if (!v) return absl::OkStatus();
    if (!absl::SimpleAtoi(base::Absl(*v), out)) {
      return absl::InvalidArgumentError(api::Cat("invalid value for ", name, ": ", *v));
    }
    return absl::OkStatus();
  };
  if (auto s = int_param("tailLines", &o.tail_lines); !s.ok()) return s;
  if (auto s = int_param("limitBytes", &o.limit_bytes); !s.ok()) return s;
  int64_t since_seconds = 0;
  if (auto s = int_param("sinceSeconds", &since_seconds); !s.ok()) return s;
  if (req.Query("sinceSeconds")) o.since = now - absl::Seconds(since_seconds);
  if (auto v = req.Query("sinceTime")) {
    auto t = base::ParseRfc3339(*v);
    if (!t) return absl::InvalidArgumentError(api::Cat("invalid value for sinceTime: ", *v));
    if (*t > o.since) o.since = *t;
  }
  return o;
}

std::string ExecStatusJson(const std::vector<std::string>& command, int exit_code) {
  if (exit_code == 0) return R"({"metadata":{},"status":"Success"})";
  json::object causes{{"reason", "ExitCode"}, {"message", std::to_string(exit_code)}};
  std::string cmd = api::Join(command, " ");
  return json::serialize(json::object{
      {"metadata", json::object{}},
      {"status", "Failure"},
      {"message", api::Cat("command terminated with non-zero exit code: error executing command [",
                           cmd, "], exit code ", exit_code)},
      {"reason", "NonZeroExitCode"},
      {"details", json::object{{"causes", json::array{causes}}}}});
}

std::string ExecErrorJson(std::string_view message) {
  return json::serialize(json::object{{"metadata", json::object{}},
                                      {"status", "Failure"},
                                      {"message", message},
                                      {"reason", "InternalError"},
                                      {"code", 500}});
}

AgentServer::AgentServer(runtime::Runtime* runtime, ContainerLocator* locator,
                         const base::Clock& clock)
    : runtime_(runtime), locator_(locator), clock_(clock) {}

AgentServer::~AgentServer() { Stop(); }

absl::Status AgentServer::Start(const AgentServerOptions& options) {
  http_ = std::make_unique<apiserver::http::HttpServer>(
      [this](const Request& req, ResponseWriter& w) { Handle(req, w); });
  apiserver::http::HttpServerOptions http;
  http.bind = options.bind;
  http.port = options.port;
  return http_->Start(http);
}

int AgentServer::port() const { return http_ ? http_->port() : 0; }

void AgentServer::Stop() {
  if (http_) http_->Stop();
}

void AgentServer::Handle(const Request& req, ResponseWriter& w) {
  std::vector<std::string> parts = SplitPath(req.path);
  if (parts.size() == 4 && parts[0] == "containerLogs" && req.method == "GET") {
    ServeLogs(req, w, parts);
  } else if (parts.size() == 4 && parts[0] == "exec" &&
             (req.method == "GET" || req.method == "POST")) {
    ServeExec(req, w, parts);
  } else if (parts.size() == 1 && parts[0] == "healthz") {
    w.Send(200, "text/plain", "ok");
  } else {
    w.Send(404, "application/json",
           StatusJson(404, "NotFound", "the server could not find the requested resource"));
  }
}

void AgentServer::ServeLogs(const Request& req, ResponseWriter& w,
                            const std::vector<std::string>& parts) {
  bool previous = false;
  auto opts = ParseLogQuery(req, clock_.Now(), &previous);
  if (!opts.ok()) return SendStatus(w, opts.status());
  auto loc = locator_->Locate(parts[1], parts[2], parts[3], previous);
  if (!loc.ok()) return SendStatus(w, loc.status());
  // The file is opened by the reader; a missing file is the kubelet's "failed to open" error.
  if (::access(loc->log_path.c_str(), R_OK) != 0) {
    return SendStatus(w, absl::NotFoundError(api::Cat("failed to open log file \"", loc->log_path,
                                                      "\": no such file or directory")));
  }
  if (!w.BeginStream(200, "text/plain")) return;
  logs::LogFollow follow;
  std::string id = loc->container_id;
  follow.running = [this, id] {
    if (id.empty()) return false;
    auto st = runtime_->InspectContainer(id);
    return st.ok() && st->state != runtime::ContainerState::kExited;
  };
  follow.cancelled = [&w] { return w.PeerClosed(); };
  absl::Status s = logs::ReadCriLog(
      loc->log_path, *opts, [&w](std::string_view piece) { return w.WriteChunk(piece); }, follow);
  if (!s.ok()) spdlog::warn("logs of {}/{}/{}: {}", parts[1], parts[2], parts[3], s.ToString());
}

void AgentServer::ServeExec(const Request& req, ResponseWriter& w,
                            const std::vector<std::string>& parts) {
  std::vector<std::string> command;
  for (const auto& [k, v] : req.query) {
    if (k == "command") command.push_back(v);
  }
  if (!absl::EqualsIgnoreCase(base::Absl(req.Header("upgrade")), "websocket")) {
    // SPDY (kubectl before 1.29) is not spoken here.
    return SendStatus(
        w, absl::InvalidArgumentError(
               "this node agent streams exec over WebSocket (v5.channel.k8s.io or "
               "v4.channel.k8s.io) only; SPDY/3.1 is not supported: use kubectl 1.29 or newer"));
  }
  if (command.empty()) {
    return SendStatus(w, absl::InvalidArgumentError("you must specify at least 1 command"));
  }
  bool want[4] = {};
  const char* names[] = {"stdin", "stdout", "stderr", "tty"};
  for (int i = 0; i < 4; ++i) {
    auto b = BoolParam(req, names[i]);
    if (!b.ok()) return SendStatus(w, b.status());
    want[i] = *b;
  }
  const bool want_stdin = want[0], want_stdout = want[1], tty = want[3];
  const bool want_stderr = want[2] && !tty;  // a tty has one output stream
  if (!want_stdin && !want_stdout && !want_stderr) {
    return SendStatus(
        w, absl::InvalidArgumentError("you must specify at least 1 of stdin, stdout, stderr"));
  }
  std::string protocol;
  for (std::string_view offered : api::Split(req.Header("sec-websocket-protocol"), ',')) {
    offered = api::TrimAscii(offered);
    if (protocol.empty() && (offered == "v5.channel.k8s.io" || offered == "v4.channel.k8s.io")) {
      protocol = std::string(offered);
    }
  }
  if (protocol.empty()) {
    return SendStatus(
        w, absl::InvalidArgumentError("no supported subprotocol offered: want v5.channel.k8s.io or "
                                      "v4.channel.k8s.io"));
  }
  std::string_view key = req.Header("sec-websocket-key");
  if (key.empty()) return SendStatus(w, absl::InvalidArgumentError("missing Sec-WebSocket-Key"));
  auto loc = locator_->Locate(parts[1], parts[2], parts[3], false);
  if (!loc.ok()) return SendStatus(w, loc.status());
  if (loc->container_id.empty()) {
    return SendStatus(
        w, absl::InvalidArgumentError(api::Cat("container ", parts[3], " is not running")));
  }

  // Pipes for the command's streams: the agent keeps the far ends.
  UniqueFd in_r, in_w, out_r, out_w, err_r, err_w;
  auto make_pipe = [](UniqueFd& r, UniqueFd& wr) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return false;
    r.Reset(p[0]);
    wr.Reset(p[1]);
    return true;
  };
  if ((want_stdin && !make_pipe(in_r, in_w)) || (want_stdout && !make_pipe(out_r, out_w)) ||
      (want_stderr && !make_pipe(err_r, err_w))) {
    return SendStatus(w, base::ErrnoStatus(errno, "pipe"));
  }

  int sock = w.Hijack();
  if (sock < 0) return;
  WriteAll(sock,
           api::Cat("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    "Connection: Upgrade\r\nSec-WebSocket-Accept: ",
                    WebSocketAccept(key), "\r\nSec-WebSocket-Protocol: ", protocol, "\r\n\r\n"));

  runtime::ExecStreams streams;
  streams.stdin_fd = in_r.get();
  streams.stdout_fd = out_w.get();
  streams.stderr_fd = tty ? out_w.get() : err_w.get();
  absl::StatusOr<int> result = absl::UnknownError("not run");
  std::string id = loc->container_id;
  std::jthread runner([&, streams] {
    result = runtime_->Exec(id, command, streams);
    // The command is done: its ends of the pipes go, so the pump sees EOF once drained.
    in_r.Reset();
    out_w.Reset();
    err_w.Reset();
  });

  WsDecoder decoder;
  bool peer_open = true;
  auto send_channel = [&](uint8_t channel, std::string_view data) {
    std::string payload(1, static_cast<char>(channel));
    payload.append(data);
    WriteAll(sock, EncodeWsFrame(kWsBinary, payload));
  };
  while (out_r.ok() || err_r.ok()) {
    pollfd p[3] = {
        {out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}, {peer_open ? sock : -1, POLLIN, 0}};
    if (::poll(p, 3, -1) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      UniqueFd& fd = i == 0 ? out_r : err_r;
      if (!fd.ok() || p[i].revents == 0) continue;
      char buf[32 * 1024];
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        fd.Reset();
        continue;
      }
      send_channel(static_cast<uint8_t>(i + 1), std::string_view(buf, static_cast<size_t>(n)));
    }
    if (peer_open && p[2].revents != 0) {
      char buf[32 * 1024];
      ssize_t n = ::recv(sock, buf, sizeof buf, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        peer_open = false;
        in_w.Reset();
        continue;
      }
      decoder.Feed(std::string_view(buf, static_cast<size_t>(n)));
      while (auto m = decoder.Next()) {
        if (m->opcode == kWsPing) {
          WriteAll(sock, EncodeWsFrame(kWsPong, m->payload));
        } else if (m->opcode == kWsClose) {
          in_w.Reset();
        } else if ((m->opcode == kWsBinary || m->opcode == kWsText) && !m->payload.empty()) {
          uint8_t channel = static_cast<uint8_t>(m->payload[0]);
          std::string_view data = std::string_view(m->payload).substr(1);
          if (channel == 0 && in_w.ok()) {
            std::string_view rest = data;
            while (!rest.empty()) {
              ssize_t wn = ::write(in_w.get(), rest.data(), rest.size());
              if (wn < 0 && errno == EINTR) continue;
              if (wn <= 0) break;
              rest.remove_prefix(static_cast<size_t>(wn));
            }
          } else if (channel == 255 && !data.empty() && data[0] == 0) {
            in_w.Reset();  // v5: the client closed stdin
          }
          // Channel 4 (resize) has no terminal to act on.
        }
      }
      if (!decoder.error().empty()) {
        peer_open = false;
        in_w.Reset();
      }
    }
  }
  runner.join();
  std::string status = result.ok()
                           ? ExecStatusJson(command, *result)
                           : ExecErrorJson(api::Cat("error executing command in container: ",
                                                    std::string(result.status().message())));
  send_channel(3, status);
  std::string close_payload = "\x03\xe8";  // 1000, normal closure
  WriteAll(sock, EncodeWsFrame(kWsClose, close_payload));
  ::shutdown(sock, SHUT_WR);
  // Give the client a moment to read the end before the server closes the socket.
  pollfd pfd{sock, POLLIN, 0};
  for (int i = 0; i < 20 && ::poll(&pfd, 1, 100) > 0; ++i) {
    char buf[4096];
    if (::recv(sock, buf, sizeof buf, 0) <= 0) break;
  }
}

}  // namespace skiff::agent::server
