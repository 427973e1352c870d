#include "skiff/apiserver/pod_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "gtest/gtest.h"
#include "skiff/apiserver/errors.h"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

json::value Pod(std::string node, std::vector<std::string> containers,
                std::vector<std::string> init = {}, json::object first_status = {}) {
  json::array cs, is, statuses;
  for (const auto& c : containers) {
    cs.push_back(json::object{{"name", c}});
    json::object st = statuses.empty() && !first_status.empty()
                          ? first_status
                          : json::object{{"state", json::object{{"running", json::object{}}}}};
    st["name"] = c;
    statuses.push_back(st);
  }
  for (const auto& c : init) is.push_back(json::object{{"name", c}});
  json::object spec{{"containers", cs}};
  if (!init.empty()) spec["initContainers"] = is;
  if (!node.empty()) spec["nodeName"] = node;
  return json::object{{"metadata", json::object{{"name", "web"}, {"namespace", "ns1"}}},
                      {"spec", spec},
                      {"status", json::object{{"containerStatuses", statuses}}}};
}

json::value Node(int port) {
  json::object status{
      {"addresses", json::array{json::object{{"type", "Hostname"}, {"address", "n1"}},
                                json::object{{"type", "InternalIP"}, {"address", "10.1.2.3"}}}}};
  if (port > 0) {
    status["daemonEndpoints"] = json::object{{"kubeletEndpoint", json::object{{"Port", port}}}};
  }
  return json::object{{"metadata", json::object{{"name", "n1"}}}, {"status", status}};
}

http::Request Req(std::vector<std::pair<std::string, std::string>> q, bool websocket = false) {
  http::Request r;
  r.query = std::move(q);
  if (websocket) r.headers = {{"upgrade", "websocket"}};
  return r;
}

std::string Message(const absl::Status& s) {
  auto r = ToStatusResponse(s);
  return std::to_string(r.code) + " " + std::string(json::parse(r.body).at("message").as_string());
}

TEST(PodLogTargetTest, PicksContainerAndNode) {
  json::value node = Node(10255);
  auto t = PodLogTarget(Pod("n1", {"app"}), &node,
                        Req({{"follow", "true"}, {"tailLines", "2"}, {"pretty", "x"}}));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->host, "10.1.2.3");
  EXPECT_EQ(t->port, 10255);
  EXPECT_EQ(t->target, "/containerLogs/ns1/web/app?follow=true&tailLines=2");
  node = Node(0);
  t = PodLogTarget(Pod("n1", {"a", "b"}), &node,
                   Req({{"container", "b"}, {"sinceTime", "2026-11-28T01:02:03Z"}}));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->port, 10250);
  EXPECT_EQ(t->target, "/containerLogs/ns1/web/b?sinceTime=2026-11-28T01%3A02%3A03Z");
}

TEST(PodLogTargetTest, ErrorsAsKubernetesGivesThem) {
  json::value node = Node(1);
  struct Case {
    json::value pod;
    const json::value* node;
    http::Request req;
    std::string want;
  } cases[] = {
      {Pod("", {"app"}), nullptr, Req({}), "400 pod web does not have a host assigned"},
      {Pod("n1", {"a", "b"}), &node, Req({}),
       "400 a container name must be specified for pod web, choose one of: [a b]"},
      {Pod("n1", {"a", "b"}, {"init"}), &node, Req({}),
       "400 a container name must be specified for pod web, choose one of: [a b] or one of the "
       "init containers: [init]"},
      {Pod("n1", {"a"}), &node, Req({{"container", "zz"}}),
       "400 container zz is not valid for pod web"},
      {Pod("gone", {"a"}), nullptr, Req({}), "404 nodes \"gone\" not found"},
  };
  for (const auto& c : cases) {
    auto t = PodLogTarget(c.pod, c.node, c.req);
    ASSERT_FALSE(t.ok()) << c.want;
    EXPECT_EQ(Message(t.status()), c.want);
  }
}

TEST(PodLogTargetTest, ContainerStatusChecks) {
  json::value node = Node(1);
  json::object waiting{
      {"state", json::object{{"waiting", json::object{{"reason", "ContainerCreating"}}}}}};
  json::object pull{{"state", json::object{{"waiting", json::object{{"reason", "ErrImagePull"}}}}}};
  json::object restarted{
      {"state", json::object{{"waiting", json::object{{"reason", "CrashLoopBackOff"}}}}},
      {"lastState", json::object{{"terminated", json::object{{"containerID", "runc://1"}}}}}};
  json::value no_status = Pod("n1", {"app"});
  no_status.as_object()["status"] = json::object{};
  struct Case {
    json::value pod;
    http::Request req;
    std::string want;  // "" when allowed
  } cases[] = {
      {Pod("n1", {"app"}), Req({}), ""},
      {Pod("n1", {"app"}), Req({{"previous", "true"}}),
       "400 previous terminated container \"app\" in pod \"web\" not found"},
      {Pod("n1", {"app"}, {}, waiting), Req({}),
       "400 container \"app\" in pod \"web\" is waiting to start: ContainerCreating"},
      {Pod("n1", {"app"}, {}, pull), Req({}),
       "400 container \"app\" in pod \"web\" is waiting to start: image can't be pulled"},
      {Pod("n1", {"app"}, {}, restarted), Req({}), ""},
      {Pod("n1", {"app"}, {}, restarted), Req({{"previous", "true"}}), ""},
      {no_status, Req({}), "400 container \"app\" in pod \"web\" is not available"},
  };
  for (const auto& c : cases) {
    auto t = PodLogTarget(c.pod, &node, c.req);
    if (c.want.empty()) {
      EXPECT_TRUE(t.ok()) << t.status();
      continue;
    }
    ASSERT_FALSE(t.ok()) << c.want;
    EXPECT_EQ(Message(t.status()), c.want);
  }
}

TEST(PodExecTargetTest, UpgradesOnly) {
  json::value node = Node(4000);
  auto t = PodExecTarget(Pod("n1", {"app"}), &node,
                         Req({{"command", "sh"},
                              {"command", "-c"},
                              {"command", "exit 3"},
                              {"container", "app"},
                              {"stdout", "true"}},
                             true));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->target, "/exec/ns1/web/app?command=sh&command=-c&command=exit%203&stdout=true");
  // kubectl up to 1.29 asks for SPDY/3.1: the same target, the agent negotiates.
  http::Request spdy =
      Req({{"command", "ls"}, {"stdin", "true"}, {"stdout", "true"}, {"tty", "true"}});
  spdy.headers = {{"connection", "Upgrade"},
                  {"upgrade", "SPDY/3.1"},
                  {"x-stream-protocol-version", "v4.channel.k8s.io"}};
  t = PodExecTarget(Pod("n1", {"app"}), &node, spdy);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->target, "/exec/ns1/web/app?command=ls&stdin=true&stdout=true&tty=true");
  spdy.headers = {{"upgrade", "SPDY/2"}};
  EXPECT_EQ(Message(PodExecTarget(Pod("n1", {"app"}), &node, spdy).status()),
            "400 Upgrade request required");
  EXPECT_EQ(Message(PodExecTarget(Pod("n1", {"app"}), &node, Req({})).status()),
            "400 Upgrade request required");
}

// A writer whose connection the proxy takes over: one end of a socket pair.
class HijackedWriter : public http::ResponseWriter {
 public:
  explicit HijackedWriter(int fd) : fd_(fd) {}
  void Send(int status, std::string_view, std::string body, const http::Headers&) override {
    sent = std::to_string(status) + " " + body;
  }
  bool BeginStream(int, std::string_view, const http::Headers&) override { return false; }
  bool WriteChunk(std::string_view) override { return false; }
  void EndStream() override {}
  bool PeerClosed() override { return false; }
  int Hijack() override { return fd_; }
  std::string sent;

 private:
  int fd_;
};

TEST(ProxyToAgentTest, SpdyUpgradePassesThrough) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
  ASSERT_EQ(::listen(listener, 1), 0);
  // The agent: reads the request, switches protocols, echoes the first bytes back reversed.
  std::string agent_saw;
  std::jthread agent([&] {
    int c = ::accept(listener, nullptr, nullptr);
    char buf[4096];
    while (agent_saw.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      agent_saw.append(buf, static_cast<size_t>(n));
    }
    std::string reply =
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
        "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n";
    ::write(c, reply.data(), reply.size());
    // The client's first frame may have come in the same segment as the request.
    size_t end = agent_saw.find("\r\n\r\n") + 4;
    std::string frame = agent_saw.substr(end);
    agent_saw.resize(end);
    while (frame.size() < 4) {
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      frame.append(buf, static_cast<size_t>(n));
    }
    std::reverse(frame.begin(), frame.end());
    ::write(c, frame.data(), frame.size());
    ::close(c);
  });
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  http::Request req;
  req.method = "POST";
  req.headers = {{"connection", "Upgrade"},
                 {"upgrade", "SPDY/3.1"},
                 {"x-stream-protocol-version", "v5.channel.k8s.io"},
                 {"x-stream-protocol-version", "v4.channel.k8s.io"},
                 {"authorization", "Bearer secret"}};
  HijackedWriter w(pair[1]);
  AgentTarget target{"127.0.0.1", ntohs(a.sin_port), "/exec/ns1/web/app?command=ls&stdout=true"};
  std::jthread proxy([&] { ProxyToAgent(req, w, target); });
  ::write(pair[0], "\x80\x03\x00\x06", 4);
  std::string got;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pair[0], buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
  proxy.join();
  agent.join();
  ::close(pair[0]);
  ::close(pair[1]);
  ::close(listener);
  EXPECT_EQ(w.sent, "");
  EXPECT_EQ(agent_saw, "GET /exec/ns1/web/app?command=ls&stdout=true HTTP/1.1\r\nHost: 127.0.0.1:" +
                           std::to_string(target.port) +
                           "\r\nConnection: Upgrade\r\nupgrade: SPDY/3.1\r\n"
                           "x-stream-protocol-version: v5.channel.k8s.io\r\n"
                           "x-stream-protocol-version: v4.channel.k8s.io\r\n\r\n");
  EXPECT_EQ(got,
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
            "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n" +
                std::string("\x06\x00\x03\x80", 4));
}

}  // namespace
}  // namespace skiff::apiserver
