#include "skiff/apiserver/pod_proxy.h"

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

TEST(PodExecTargetTest, WebSocketOnly) {
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
  http::Request spdy = Req({{"command", "ls"}});
  spdy.headers = {{"upgrade", "SPDY/3.1"}};
  EXPECT_EQ(Message(PodExecTarget(Pod("n1", {"app"}), &node, spdy).status()),
            "400 SPDY/3.1 streaming is not supported by this server: exec is served over "
            "WebSocket (v5.channel.k8s.io, v4.channel.k8s.io); use kubectl 1.29 or newer");
  EXPECT_EQ(Message(PodExecTarget(Pod("n1", {"app"}), &node, Req({})).status()),
            "400 Upgrade request required");
}

}  // namespace
}  // namespace skiff::apiserver
