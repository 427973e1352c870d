#include "skiff/agent/hollow/hollow_nodes.h"

#include <gtest/gtest.h>

#include <thread>

#include "skiff/api/object.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/client/http/http_client.h"
#include "skiff/client/http/remote_informer.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::agent::hollow {
namespace {

namespace json = boost::json;
using api::GetString;

template <typename F>
bool WaitFor(F pred, absl::Duration timeout = absl::Seconds(15)) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

HollowNodesOptions FastOptions(int count, std::string prefix) {
  HollowNodesOptions o;
  o.count = count;
  o.name_prefix = std::move(prefix);
  o.lease_renew_interval = absl::Milliseconds(200);
  o.status_report_interval = absl::Milliseconds(500);
  o.max_grace = absl::Milliseconds(200);
  return o;
}

json::value Pod(std::string_view name, std::string_view node) {
  return json::object{
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", json::object{{"name", name}, {"namespace", "default"}}},
      {"spec", json::object{{"nodeName", node},
                            {"containers", json::array{json::object{{"name", "web"},
                                                                    {"image", "nginx:1.27"}}}}}}};
}

std::string Phase(client::Client& c, std::string_view name) {
  auto pod = c.Get(client::Pods(), "default", name);
  return pod.ok() ? std::string(GetString(*pod, {"status", "phase"})) : "<gone>";
}

std::string RenewTime(client::Client& c, std::string_view node) {
  auto lease = c.Get(client::Leases(), "kube-node-lease", node);
  return lease.ok() ? std::string(GetString(*lease, {"spec", "renewTime"})) : "";
}

class HollowNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    apiserver::ApiServerOptions o;
    o.port = 0;
    server_ = std::make_unique<apiserver::ApiServer>(&store_, o);
    informers_ = std::make_unique<client::InformerFactory>(&server_->cache());
    local_ = std::make_unique<client::InProcessClient>(&server_->registry(), "hollow-test");
    client_ = local_.get();
  }
  void TearDown() override { server_->Stop(); }

  store::MemoryStore store_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<client::InformerFactory> informers_;
  std::unique_ptr<client::InProcessClient> local_;
  client::Client* client_ = nullptr;  // the interface, with its default arguments
};

TEST_F(HollowNodesTest, InProcessLifecycle) {
  HollowNodes hollow(client_, &informers_->For(client::Pods()), &informers_->For(client::Nodes()),
                     FastOptions(3, "hollow-"));
  hollow.Register();
  ASSERT_TRUE(server_->Start().ok());
  hollow.Start();
  ASSERT_TRUE(WaitFor([&] { return hollow.RegisteredCount() == 3; }));
  EXPECT_EQ(hollow.NodeNames(), (std::vector<std::string>{"hollow-0", "hollow-1", "hollow-2"}));
  auto node = client_->Get(client::Nodes(), "", "hollow-1");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(GetString(*node, {"status", "nodeInfo", "kubeletVersion"}), "v1.32.0-skiff");
  EXPECT_EQ(GetString(*node, {"metadata", "labels", "kubernetes.io/hostname"}), "hollow-1");

  // Leases: held by the node, owned by it, renewed.
  ASSERT_TRUE(WaitFor([&] { return !RenewTime(*client_, "hollow-0").empty(); }));
  auto lease = client_->Get(client::Leases(), "kube-node-lease", "hollow-0");
  EXPECT_EQ(GetString(*lease, {"spec", "holderIdentity"}), "hollow-0");
  EXPECT_EQ(api::GetInt(*lease, {"spec", "leaseDurationSeconds"}), 40);
  EXPECT_EQ(GetString(*lease->at("metadata").at("ownerReferences").as_array().begin(), {"uid"}),
            GetString(*client_->Get(client::Nodes(), "", "hollow-0"), {"metadata", "uid"}));
  std::string first = RenewTime(*client_, "hollow-0");
  ASSERT_TRUE(WaitFor([&] { return RenewTime(*client_, "hollow-0") != first; }));

  // A bound pod runs; deleting it completes.
  ASSERT_TRUE(client_->Create(client::Pods(), "default", Pod("p", "hollow-1")).ok());
  ASSERT_TRUE(WaitFor([&] { return Phase(*client_, "p") == "Running"; }));
  auto pod = client_->Get(client::Pods(), "default", "p");
  EXPECT_EQ(GetString(*pod, {"status", "hostIP"}),
            GetString(node->at("status").at("addresses").as_array()[0], {"address"}));
  EXPECT_TRUE(api::GetBool(pod->at("status").at("containerStatuses").as_array()[0], {"ready"}));
  ASSERT_TRUE(client_->Delete(client::Pods(), "default", "p").ok());
  ASSERT_TRUE(WaitFor([&] { return Phase(*client_, "p") == "<gone>"; }, absl::Seconds(5)));
  EXPECT_TRUE(WaitFor([&] { return hollow.PodCount() == 0; }));

  // Stopped heartbeats leave the Lease stale; resuming renews it.
  hollow.StopHeartbeats("hollow-2");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::string frozen = RenewTime(*client_, "hollow-2");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_EQ(RenewTime(*client_, "hollow-2"), frozen);
  EXPECT_NE(RenewTime(*client_, "hollow-0"), first);
  hollow.ResumeHeartbeats("hollow-2");
  EXPECT_TRUE(WaitFor([&] { return RenewTime(*client_, "hollow-2") != frozen; }));

  // The label does the same from outside.
  ASSERT_TRUE(client_
                  ->Patch(client::Nodes(), "", "hollow-0", "application/merge-patch+json",
                          R"({"metadata":{"labels":{"skiff.dev/hollow-heartbeat":"stop"}}})")
                  .ok());
  EXPECT_TRUE(WaitFor([&] { return hollow.HeartbeatsStopped("hollow-0"); }));
  ASSERT_TRUE(client_
                  ->Patch(client::Nodes(), "", "hollow-0", "application/merge-patch+json",
                          R"({"metadata":{"labels":{"skiff.dev/hollow-heartbeat":null}}})")
                  .ok());
  EXPECT_TRUE(WaitFor([&] { return !hollow.HeartbeatsStopped("hollow-0"); }));

  // A node marked NotReady from outside reports Ready again at once.
  ASSERT_TRUE(client_
                  ->Patch(client::Nodes(), "", "hollow-1", "application/strategic-merge-patch+json",
                          R"({"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})",
                          "status")
                  .ok());
  EXPECT_TRUE(WaitFor([&] {
    auto n = client_->Get(client::Nodes(), "", "hollow-1");
    for (const auto& c : n->at("status").at("conditions").as_array())
      if (GetString(c, {"type"}) == "Ready") return GetString(c, {"status"}) == "True";
    return false;
  }));
  hollow.Stop();
}

// A node whose heartbeats stopped is a dead kubelet for its pods too: it neither writes their
// status nor confirms their deletion, so a deleted pod stays Terminating (as on Kubernetes)
// until the node is back, the pod is force-deleted, or pod GC removes it.
TEST_F(HollowNodesTest, StoppedNodeLeavesDeletedPodsTerminating) {
  HollowNodes hollow(client_, &informers_->For(client::Pods()), &informers_->For(client::Nodes()),
                     FastOptions(1, "dead-"));
  hollow.Register();
  ASSERT_TRUE(server_->Start().ok());
  hollow.Start();
  ASSERT_TRUE(WaitFor([&] { return hollow.RegisteredCount() == 1; }));
  ASSERT_TRUE(client_->Create(client::Pods(), "default", Pod("kept", "dead-0")).ok());
  ASSERT_TRUE(client_->Create(client::Pods(), "default", Pod("forced", "dead-0")).ok());
  ASSERT_TRUE(WaitFor([&] { return Phase(*client_, "kept") == "Running"; }));
  ASSERT_TRUE(WaitFor([&] { return Phase(*client_, "forced") == "Running"; }));

  ASSERT_TRUE(client_
                  ->Patch(client::Nodes(), "", "dead-0", "application/merge-patch+json",
                          R"({"metadata":{"labels":{"skiff.dev/hollow-heartbeat":"stop"}}})")
                  .ok());
  ASSERT_TRUE(WaitFor([&] { return hollow.HeartbeatsStopped("dead-0"); }));
  ASSERT_TRUE(client_->Delete(client::Pods(), "default", "kept").ok());  // grace 30 s
  // Well past the hollow kubelet's grace (200 ms here): still there, still Running.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto kept = client_->Get(client::Pods(), "default", "kept");
  ASSERT_TRUE(kept.ok());
  EXPECT_FALSE(GetString(*kept, {"metadata", "deletionTimestamp"}).empty());
  EXPECT_EQ(GetString(*kept, {"status", "phase"}), "Running");
  // A status change from outside is not overwritten either.
  ASSERT_TRUE(
      client_
          ->Patch(client::Pods(), "default", "forced", "application/strategic-merge-patch+json",
                  R"({"status":{"conditions":[{"type":"Ready","status":"False"}]}})", "status")
          .ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto forced = client_->Get(client::Pods(), "default", "forced");
  ASSERT_TRUE(forced.ok());
  for (const auto& c : forced->at("status").at("conditions").as_array())
    if (GetString(c, {"type"}) == "Ready") EXPECT_EQ(GetString(c, {"status"}), "False");
  // Force deletion removes a pod at once.
  client::DeleteOptions force;
  force.grace_period_seconds = 0;
  ASSERT_TRUE(client_->Delete(client::Pods(), "default", "forced", force).ok());
  EXPECT_EQ(Phase(*client_, "forced"), "<gone>");

  // Back alive: the kubelet finishes the deletion it missed.
  ASSERT_TRUE(client_
                  ->Patch(client::Nodes(), "", "dead-0", "application/merge-patch+json",
                          R"({"metadata":{"labels":{"skiff.dev/hollow-heartbeat":null}}})")
                  .ok());
  EXPECT_TRUE(WaitFor([&] { return Phase(*client_, "kept") == "<gone>"; }));
  EXPECT_TRUE(WaitFor([&] { return hollow.PodCount() == 0; }));
  hollow.Stop();
}

TEST_F(HollowNodesTest, RestartReusesExistingNodes) {
  ASSERT_TRUE(server_->Start().ok());
  // An earlier run registered the node (with an old label).
  HollowNodeSpec spec;
  spec.name = "again-0";
  spec.labels = {{"old", "x"}};
  ASSERT_TRUE(client_->Create(client::Nodes(), "", BuildNode(spec, absl::Now())).ok());
  client::Informer pods(client::Pods()), nodes(client::Nodes());
  auto o = FastOptions(1, "again-");
  o.labels = {{"new", "y"}};
  HollowNodes hollow(client_, &pods, &nodes, o);
  hollow.Register();
  hollow.Start();
  ASSERT_TRUE(WaitFor([&] { return hollow.RegisteredCount() == 1; }));
  auto node = client_->Get(client::Nodes(), "", "again-0");
  EXPECT_EQ(GetString(*node, {"metadata", "labels", "new"}), "y");
  EXPECT_EQ(GetString(*node, {"metadata", "labels", "old"}), "x");
  hollow.Stop();
}

TEST_F(HollowNodesTest, OverHttp) {
  ASSERT_TRUE(server_->Start().ok());
  client::http::HttpClientOptions h;
  h.server = "http://127.0.0.1:" + std::to_string(server_->port());
  auto http = client::http::HttpClient::New(h);
  ASSERT_TRUE(http.ok());
  client::http::RemoteInformerOptions po;
  po.field_selector = "spec.nodeName!=";
  client::http::RemoteInformer pods(http->get(), client::Pods(), po);
  client::http::RemoteInformer nodes(http->get(), client::Nodes());
  auto o = FastOptions(2, "remote-");
  o.taints = {*ParseTaint("dedicated=remote:NoSchedule")};
  HollowNodes hollow(http->get(), &pods.informer(), &nodes.informer(), o);
  hollow.Register();
  pods.Start();
  nodes.Start();
  ASSERT_TRUE(pods.WaitForSync(absl::Seconds(10)));
  hollow.Start();
  ASSERT_TRUE(WaitFor([&] { return hollow.RegisteredCount() == 2; }));
  auto node = client_->Get(client::Nodes(), "", "remote-1");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(GetString(node->at("spec").at("taints").as_array()[0], {"key"}), "dedicated");
  ASSERT_TRUE(WaitFor([&] { return !RenewTime(*client_, "remote-1").empty(); }));
  ASSERT_TRUE(client_->Create(client::Pods(), "default", Pod("hp", "remote-0")).ok());
  ASSERT_TRUE(WaitFor([&] { return Phase(*client_, "hp") == "Running"; }));
  ASSERT_TRUE(client_->Delete(client::Pods(), "default", "hp").ok());
  ASSERT_TRUE(WaitFor([&] { return Phase(*client_, "hp") == "<gone>"; }, absl::Seconds(5)));
  hollow.Stop();
  pods.Stop();
  nodes.Stop();
}

}  // namespace
}  // namespace skiff::agent::hollow
