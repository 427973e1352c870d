#include "skiff/agent/server/agent_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <thread>

#include "gtest/gtest.h"
#include "skiff/agent/logs/cri_log_writer.h"
#include "skiff/agent/runtime/hollow/hollow_runtime.h"
#include "skiff/agent/server/spdy_test_client.h"
#include "skiff/agent/server/websocket.h"
#include "skiff/base/files.h"

extern char** environ;

namespace skiff::agent::server {
namespace {

using apiserver::http::Request;

TEST(PathsTest, KubeletLayout) {
  EXPECT_EQ(PodLogDir("/var/lib/skiff", "default", "web", "u-1"),
            "/var/lib/skiff/pods/default_web_u-1");
  EXPECT_EQ(ContainerLogPath("/d", "ns", "p", "u", "app", 3), "/d/pods/ns_p_u/app/3.log");
}

Request Query(std::vector<std::pair<std::string, std::string>> q) {
  Request r;
  r.query = std::move(q);
  return r;
}

TEST(ParseLogQueryTest, Table) {
  absl::Time now = absl::FromUnixSeconds(1795827723);
  bool previous = false;
  auto o = ParseLogQuery(Query({{"follow", "true"},
                                {"tailLines", "5"},
                                {"limitBytes", "100"},
                                {"timestamps", "1"},
                                {"previous", "true"},
                                {"sinceSeconds", "60"}}),
                         now, &previous);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->follow);
  EXPECT_TRUE(o->timestamps);
  EXPECT_TRUE(previous);
  EXPECT_EQ(o->tail_lines, 5);
  EXPECT_EQ(o->limit_bytes, 100);
  EXPECT_EQ(o->since, now - absl::Seconds(60));
  // The later of sinceSeconds and sinceTime wins.
  o = ParseLogQuery(Query({{"sinceSeconds", "60"}, {"sinceTime", "2026-11-28T01:01:53Z"}}), now,
                    &previous);
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(previous);
  EXPECT_EQ(o->since, now - absl::Seconds(10));
  o = ParseLogQuery(Query({}), now, &previous);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->tail_lines, -1);
  EXPECT_EQ(o->limit_bytes, -1);
  EXPECT_EQ(o->since, absl::InfinitePast());
  struct Bad {
    std::string name, value, message;
  } bad[] = {
      {"tailLines", "x", "invalid value for tailLines: x"},
      {"follow", "maybe", "invalid value for follow: maybe"},
      {"sinceTime", "yesterday", "invalid value for sinceTime: yesterday"},
  };
  for (const auto& b : bad) {
    auto r = ParseLogQuery(Query({{b.name, b.value}}), now, &previous);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), b.message);
  }
}

TEST(ExecStatusJsonTest, AsTheKubeletReports) {
  EXPECT_EQ(ExecStatusJson({"cat", "/etc/hostname"}, 0), R"({"metadata":{},"status":"Success"})");
  EXPECT_EQ(
      ExecStatusJson({"sh", "-c", "exit 3"}, 3),
      R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero )"
      R"(exit code: error executing command [sh -c exit 3], exit code 3",)"
      R"("reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}})");
}

// A hollow runtime whose Exec runs the command on the host: enough to drive the stream.
class HostExecRuntime : public runtime::HollowRuntime {
 public:
  HostExecRuntime() : HollowRuntime({.node_ip = "127.0.0.1", .pod_subnet = "10.9.9"}) {}
  absl::StatusOr<int> Exec(std::string_view, const std::vector<std::string>& command,
                           const runtime::ExecStreams& s) override {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (s.stdin_fd >= 0) posix_spawn_file_actions_adddup2(&fa, s.stdin_fd, 0);
    if (s.stdout_fd >= 0) posix_spawn_file_actions_adddup2(&fa, s.stdout_fd, 1);
    if (s.stderr_fd >= 0) posix_spawn_file_actions_adddup2(&fa, s.stderr_fd, 2);
    std::vector<std::string> args = command;
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid;
    int err = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err != 0) return absl::InternalError("spawn failed");
    int st = 0;
    waitpid(pid, &st, 0);
    return WEXITSTATUS(st);
  }
};

class FixedLocator : public ContainerLocator {
 public:
  absl::StatusOr<ContainerLocation> Locate(std::string_view ns, std::string_view pod,
                                           std::string_view container, bool previous) override {
    if (ns != "default" || pod != "p" || container != "c") {
      return absl::NotFoundError(api_message);
    }
    return ContainerLocation{id, previous ? dir + "/0.log" : dir + "/1.log"};
  }
  std::string id, dir, api_message = "container \"x\" in pod \"p\" not found";
};

class AgentServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skiff-agent-server-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    runtime::SandboxConfig sandbox;
    sandbox.pod_uid = "u";
    sandbox.pod_namespace = "default";
    sandbox.pod_name = "p";
    auto sb = rt_.RunPodSandbox(sandbox);
    ASSERT_TRUE(sb.ok());
    runtime::ContainerConfig container;
    container.name = "c";
    container.image = "busybox";
    auto id = rt_.CreateContainer(*sb, container);
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(rt_.StartContainer(*id).ok());
    locator_.id = *id;
    locator_.dir = dir_;
    timespec t{1795827723, 0};
    std::string log = logs::FormatCriLine(t, logs::Stream::kStdout, false, "one") +
                      logs::FormatCriLine(t, logs::Stream::kStderr, false, "two");
    ASSERT_TRUE(base::WriteFileAtomic(dir_ + "/1.log", log).ok());
    ASSERT_TRUE(base::WriteFileAtomic(
                    dir_ + "/0.log", logs::FormatCriLine(t, logs::Stream::kStdout, false, "before"))
                    .ok());
    ASSERT_TRUE(server_.Start({.bind = "127.0.0.1", .port = 0}).ok());
  }
  void TearDown() override {
    server_.Stop();
    std::filesystem::remove_all(dir_);
  }

  int Connect() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(server_.port()));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
  }
  // Sends a request and reads until the server closes.
  std::string RoundTrip(const std::string& request) {
    int fd = Connect();
    EXPECT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
    std::string got;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return got;
  }
  std::string Get(const std::string& target) {
    std::string raw =
        RoundTrip("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    return raw;
  }

  std::string dir_;
  HostExecRuntime rt_;
  FixedLocator locator_;
  AgentServer server_{&rt_, &locator_};
};

// The body of a chunked response.
std::string Dechunk(const std::string& raw) {
  size_t at = raw.find("\r\n\r\n");
  if (at == std::string::npos) return "<no body>";
  std::string body, rest = raw.substr(at + 4);
  while (true) {
    size_t eol = rest.find("\r\n");
    if (eol == std::string::npos) break;
    size_t len = std::stoul(rest.substr(0, eol), nullptr, 16);
    if (len == 0) break;
    body += rest.substr(eol + 2, len);
    rest = rest.substr(eol + 2 + len + 2);
  }
  return body;
}

TEST_F(AgentServerTest, ContainerLogs) {
  std::string raw = Get("/containerLogs/default/p/c");
  EXPECT_EQ(raw.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_EQ(Dechunk(raw), "one\ntwo\n");
  EXPECT_EQ(Dechunk(Get("/containerLogs/default/p/c?tailLines=1&timestamps=true")),
            "2026-11-28T01:02:03.000000000Z two\n");
  EXPECT_EQ(Dechunk(Get("/containerLogs/default/p/c?previous=true")), "before\n");
  // The container is running, so a follower waits; it ends once the container stops.
  std::jthread stopper([&] {
    absl::SleepFor(absl::Milliseconds(300));
    ASSERT_TRUE(rt_.StopContainer(locator_.id, absl::Seconds(1)).ok());
  });
  absl::Time start = absl::Now();
  EXPECT_EQ(Dechunk(Get("/containerLogs/default/p/c?follow=true")), "one\ntwo\n");
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(250));
}

TEST_F(AgentServerTest, ContainerLogErrors) {
  std::string raw = Get("/containerLogs/default/p/x");
  EXPECT_EQ(raw.substr(0, 22), "HTTP/1.1 404 Not Found");
  EXPECT_NE(
      raw.find(
          R"("message":"container \"x\" in pod \"p\" not found","reason":"NotFound","code":404)"),
      std::string::npos)
      << raw;
  raw = Get("/containerLogs/default/p/c?tailLines=abc");
  EXPECT_EQ(raw.substr(0, 24), "HTTP/1.1 400 Bad Request");
  EXPECT_NE(raw.find("invalid value for tailLines: abc"), std::string::npos);
}

struct ExecResult {
  std::string head;
  std::map<int, std::string> channels;
  bool closed = false;
};

ExecResult RunExec(int fd, const std::string& query, const std::string& protocol,
                   const std::vector<std::string>& to_send) {
  std::string req = "GET /exec/default/p/c?" + query +
                    " HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    "Sec-WebSocket-Protocol: " +
                    protocol + "\r\n\r\n";
  EXPECT_EQ(::write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  ExecResult r;
  std::string buf;
  char chunk[4096];
  while (buf.find("\r\n\r\n") == std::string::npos) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return r;
    buf.append(chunk, static_cast<size_t>(n));
  }
  size_t end = buf.find("\r\n\r\n") + 4;
  r.head = buf.substr(0, end);
  if (r.head.find(" 101 ") == std::string::npos) return r;
  for (const auto& m : to_send) {
    std::string f = EncodeWsFrame(kWsBinary, m, 0x11223344);
    EXPECT_EQ(::write(fd, f.data(), f.size()), static_cast<ssize_t>(f.size()));
  }
  WsDecoder d;
  d.Feed(buf.substr(end));
  while (true) {
    while (auto m = d.Next()) {
      if (m->opcode == kWsClose) {
        r.closed = true;
        return r;
      }
      if (!m->payload.empty())
        r.channels[static_cast<uint8_t>(m->payload[0])] += m->payload.substr(1);
    }
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return r;
    d.Feed(std::string_view(chunk, static_cast<size_t>(n)));
  }
}

TEST_F(AgentServerTest, ExecStreamsAndExitCodes) {
  int fd = Connect();
  ExecResult r = RunExec(fd,
                         "command=sh&command=-c&command=echo+out%3B+echo+err+%3E%262%3B+exit+3"
                         "&stdout=true&stderr=true",
                         "v5.channel.k8s.io", {});
  ::close(fd);
  EXPECT_NE(r.head.find("HTTP/1.1 101 Switching Protocols"), std::string::npos) << r.head;
  EXPECT_NE(r.head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos);
  EXPECT_NE(r.head.find("Sec-WebSocket-Protocol: v5.channel.k8s.io"), std::string::npos);
  EXPECT_EQ(r.channels[1], "out\n");
  EXPECT_EQ(r.channels[2], "err\n");
  EXPECT_NE(
      r.channels[3].find(
          R"("reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]})"),
      std::string::npos)
      << r.channels[3];
  EXPECT_TRUE(r.closed);

  // stdin, closed by v5's channel-255 signal; v4 is accepted too.
  fd = Connect();
  r = RunExec(
      fd, "command=cat&stdin=true&stdout=true", "v4.channel.k8s.io, v5.channel.k8s.io",
      {std::string("\x00hello ", 7), std::string("\x00world", 6), std::string("\xff\x00", 2)});
  ::close(fd);
  EXPECT_NE(r.head.find("Sec-WebSocket-Protocol: v4.channel.k8s.io"), std::string::npos);
  EXPECT_EQ(r.channels[1], "hello world");
  EXPECT_EQ(r.channels[3], R"({"metadata":{},"status":"Success"})");
  EXPECT_EQ(r.channels.count(2), 0u);
}

// Sends an exec request upgrading to SPDY/3.1 and reads the response's head; the rest of what
// came is left in `rest`.
std::string UpgradeSpdy(int fd, const std::string& query, const std::string& protocol_headers,
                        std::string* rest) {
  std::string req = "POST /exec/default/p/c?" + query +
                    " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: Upgrade\r\n"
                    "Upgrade: SPDY/3.1\r\n" +
                    protocol_headers + "\r\n";
  EXPECT_EQ(::write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  std::string buf;
  char chunk[4096];
  while (buf.find("\r\n\r\n") == std::string::npos) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return buf;
    buf.append(chunk, static_cast<size_t>(n));
  }
  size_t end = buf.find("\r\n\r\n") + 4;
  *rest = buf.substr(end);
  return buf.substr(0, end);
}

TEST_F(AgentServerTest, ExecOverSpdy) {
  // kubectl 1.27 and 1.28: v4 down to v1, one header each.
  int fd = Connect();
  std::string rest;
  std::string head =
      UpgradeSpdy(fd,
                  "command=sh&command=-c&command=echo+out%3B+echo+err+%3E%262%3B+exit+3"
                  "&container=c&stdout=true&stderr=true",
                  "X-Stream-Protocol-Version: v4.channel.k8s.io\r\nX-Stream-Protocol-Version: "
                  "v3.channel.k8s.io\r\nX-Stream-Protocol-Version: v2.channel.k8s.io\r\n"
                  "X-Stream-Protocol-Version: channel.k8s.io\r\n",
                  &rest);
  EXPECT_EQ(head,
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
            "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n");
  {
    SpdyTestClient c(fd, rest);
    ASSERT_EQ(c.Open("error"), 1u);
    ASSERT_EQ(c.Open("stdout"), 3u);
    ASSERT_EQ(c.Open("stderr"), 5u);
    auto t = c.ReadUntilGoAway();
    EXPECT_EQ(t.data[3], "out\n");
    EXPECT_EQ(t.data[5], "err\n");
    EXPECT_EQ(t.data[1], ExecStatusJson({"sh", "-c", "echo out; echo err >&2; exit 3"}, 3));
  }
  ::close(fd);

  // kubectl 1.29 offers v5 first; stdin through cat.
  fd = Connect();
  head = UpgradeSpdy(fd, "command=cat&stdin=true&stdout=true",
                     "X-Stream-Protocol-Version: v5.channel.k8s.io\r\nX-Stream-Protocol-Version: "
                     "v4.channel.k8s.io\r\n",
                     &rest);
  EXPECT_NE(head.find("X-Stream-Protocol-Version: v5.channel.k8s.io\r\n"), std::string::npos);
  {
    SpdyTestClient c(fd, rest);
    ASSERT_EQ(c.Open("error"), 1u);
    ASSERT_EQ(c.Open("stdin"), 3u);
    ASSERT_EQ(c.Open("stdout"), 5u);
    c.Send(SpdyFrame::Data(3, "hello "));
    c.Send(SpdyFrame::Data(3, "world", true));
    auto t = c.ReadUntilGoAway();
    EXPECT_EQ(t.data[5], "hello world");
    EXPECT_EQ(t.data[1], R"({"metadata":{},"status":"Success"})");
  }
  ::close(fd);
}

TEST_F(AgentServerTest, ExecRefusals) {
  // SPDY without a protocol, or with none the agent speaks: the kubelet's plain-text errors.
  std::string raw = RoundTrip(
      "POST /exec/default/p/c?command=ls&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: "
      "Upgrade, close\r\nUpgrade: SPDY/3.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(raw.substr(0, 24), "HTTP/1.1 400 Bad Request");
  EXPECT_NE(raw.find("\r\n\r\nunable to upgrade: X-Stream-Protocol-Version is required\n"),
            std::string::npos)
      << raw;
  raw = RoundTrip(
      "POST /exec/default/p/c?command=ls&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: "
      "Upgrade, close\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v9.channel.k8s.io\r\n"
      "Content-Length: 0\r\n\r\n");
  EXPECT_EQ(raw.substr(0, 22), "HTTP/1.1 403 Forbidden");
  EXPECT_NE(raw.find("X-Accepted-Stream-Protocol-Versions: v4.channel.k8s.io\r\n"),
            std::string::npos)
      << raw;
  EXPECT_NE(raw.find("unable to upgrade: unable to negotiate protocol: client supports "
                     "[v9.channel.k8s.io]"),
            std::string::npos);
  raw = RoundTrip(
      "GET /exec/default/p/c?command=ls&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: "
      "close\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n");
  EXPECT_EQ(raw.substr(0, 24), "HTTP/1.1 400 Bad Request");
  EXPECT_NE(raw.find("unable to upgrade: missing upgrade headers in request"), std::string::npos);
  // Checked before the upgrade: the container.
  raw = RoundTrip(
      "POST /exec/default/p/x?command=ls&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: "
      "Upgrade, close\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n"
      "Content-Length: 0\r\n\r\n");
  EXPECT_EQ(raw.substr(0, 22), "HTTP/1.1 404 Not Found");

  int fd = Connect();
  ExecResult r = RunExec(fd, "stdout=true", "v5.channel.k8s.io", {});
  ::close(fd);
  EXPECT_NE(r.head.find("400 Bad Request"), std::string::npos);
  fd = Connect();
  r = RunExec(fd, "command=ls&stdout=true", "v3.channel.k8s.io", {});
  ::close(fd);
  EXPECT_NE(r.head.find("400 Bad Request"), std::string::npos);
}

}  // namespace
}  // namespace skiff::agent::server
