#include "skiff/agent/server/agent_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "skiff/agent/logs/cri_log_reader.h"
#include "skiff/agent/server/spdy_session.h"
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

bool ContainsIgnoreCase(std::string_view haystack, std::string_view lower_needle) {
  return absl::StrContains(absl::AsciiStrToLower(base::Absl(haystack)), base::Absl(lower_needle));
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
  ExecRequest exec;
  for (const auto& [k, v] : req.query) {
    if (k == "command") exec.command.push_back(v);
  }
  if (exec.command.empty()) {
    return SendStatus(w, absl::InvalidArgumentError("you must specify at least 1 command"));
  }
  bool want[4] = {};
  const char* names[] = {"stdin", "stdout", "stderr", "tty"};
  for (int i = 0; i < 4; ++i) {
    auto b = BoolParam(req, names[i]);
    if (!b.ok()) return SendStatus(w, b.status());
    want[i] = *b;
  }
  exec.want_stdin = want[0];
  exec.want_stdout = want[1];
  exec.tty = want[3];
  exec.want_stderr = want[2] && !exec.tty;  // a tty has one output stream
  if (!exec.want_stdin && !exec.want_stdout && !exec.want_stderr) {
    return SendStatus(
        w, absl::InvalidArgumentError("you must specify at least 1 of stdin, stdout, stderr"));
  }
  if (absl::EqualsIgnoreCase(base::Absl(req.Header("upgrade")), "websocket")) {
    return ExecOverWebSocket(req, w, parts, exec);
  }
  ExecOverSpdy(req, w, parts, exec);
}

absl::StatusOr<std::string> AgentServer::LocateRunning(const std::vector<std::string>& parts) {
  auto loc = locator_->Locate(parts[1], parts[2], parts[3], false);
  if (!loc.ok()) return loc.status();
  if (loc->container_id.empty()) {
    return absl::InvalidArgumentError(api::Cat("container ", parts[3], " is not running"));
  }
  return loc->container_id;
}

ExecProcess::Runner AgentServer::ExecRunner(std::string container_id,
                                            std::vector<std::string> command) {
  return [this, id = std::move(container_id), command = std::move(command)](
             const runtime::ExecStreams& streams) { return runtime_->Exec(id, command, streams); };
}

void AgentServer::ExecOverSpdy(const Request& req, ResponseWriter& w,
                               const std::vector<std::string>& parts, const ExecRequest& exec) {
  // The kubelet's handshake: the protocol first, then the upgrade headers; plain-text errors.
  std::vector<std::string_view> offered;
  for (const auto& [k, v] : req.headers) {
    if (k == "x-stream-protocol-version") offered.push_back(v);
  }
  auto protocol = NegotiateSpdyExecProtocol(offered);
  if (!protocol.ok()) {
    apiserver::http::Headers accepted;
    if (protocol.status().code() == absl::StatusCode::kPermissionDenied) {
      for (std::string_view p : kSpdyExecProtocols) {
        accepted.emplace_back("X-Accepted-Stream-Protocol-Versions", std::string(p));
      }
    }
    int code = accepted.empty() ? 400 : 403;
    return w.Send(code, "text/plain; charset=utf-8",
                  api::Cat(base::Std(protocol.status().message()), "\n"), accepted);
  }
  if (!ContainsIgnoreCase(req.Header("connection"), "upgrade") ||
      !ContainsIgnoreCase(req.Header("upgrade"), "spdy/3.1")) {
    return w.Send(400, "text/plain; charset=utf-8",
                  "unable to upgrade: missing upgrade headers in request (want Upgrade: "
                  "SPDY/3.1 or websocket)\n");
  }
  auto id = LocateRunning(parts);
  if (!id.ok()) return SendStatus(w, id.status());
  int sock = w.Hijack();
  if (sock < 0) return;
  WriteAll(sock, api::Cat("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                          "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ",
                          *protocol, "\r\n\r\n"));
  SpdyExecOptions options;
  options.protocol = *protocol;
  options.want_stdin = exec.want_stdin;
  options.want_stdout = exec.want_stdout;
  options.want_stderr = exec.want_stderr;
  options.tty = exec.tty;
  // Runtime::Exec runs commands without a terminal: the sizes have nothing to resize.
  ServeSpdyExec(sock, options, exec.command, ExecRunner(*id, exec.command));
}

void AgentServer::ExecOverWebSocket(const Request& req, ResponseWriter& w,
                                    const std::vector<std::string>& parts,
                                    const ExecRequest& exec) {
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
  auto id = LocateRunning(parts);
  if (!id.ok()) return SendStatus(w, id.status());
  ExecProcess process;
  if (auto s = process.Open(exec.want_stdin, exec.want_stdout, exec.want_stderr, exec.tty);
      !s.ok()) {
    return SendStatus(w, s);
  }

  int sock = w.Hijack();
  if (sock < 0) return;
  WriteAll(sock,
           api::Cat("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    "Connection: Upgrade\r\nSec-WebSocket-Accept: ",
                    WebSocketAccept(key), "\r\nSec-WebSocket-Protocol: ", protocol, "\r\n\r\n"));
  process.Start(ExecRunner(*id, exec.command));
  UniqueFd& in_w = process.stdin_writer();
  UniqueFd& out_r = process.stdout_reader();
  UniqueFd& err_r = process.stderr_reader();

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
              ssize_t wn = process.WriteStdin(rest);
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
  send_channel(3, ExecResultJson(exec.command, process.Wait()));
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
