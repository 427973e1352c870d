// The node lifecycle controller against a real in-process API server (memory store, registry,
// watch cache, informers), one pass at a time with a fake clock. Nodes and Leases are written
// as a kubelet would; the tests play its heartbeats.
#include "skiff/controllers/nodelifecycle/node_lifecycle_controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::controllers::nodelifecycle {
namespace {

namespace json = boost::json;
using api::GetString;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

class FakeClock : public base::Clock {
 public:
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Duration since_t0) {
    absl::MutexLock lock(&mu_);
    now_ = kT0 + since_t0;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = kT0;
};

std::string Ts(absl::Duration since_t0) { return base::FormatRfc3339(kT0 + since_t0); }

template <typename F>
bool WaitFor(F pred, absl::Duration timeout = absl::Seconds(10)) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (static_cast<bool>(pred())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return static_cast<bool>(pred());
}

json::array KubeletConditions(absl::Duration heartbeat) {
  json::array out;
  for (auto [type, status, reason] :
       {std::tuple{"MemoryPressure", "False", "KubeletHasSufficientMemory"},
        std::tuple{"DiskPressure", "False", "KubeletHasNoDiskPressure"},
        std::tuple{"PIDPressure", "False", "KubeletHasSufficientPID"},
        std::tuple{"Ready", "True", "KubeletReady"}}) {
    out.push_back(json::object{{"type", type},
                               {"status", status},
                               {"lastHeartbeatTime", Ts(heartbeat)},
                               {"lastTransitionTime", Ts({})},
                               {"reason", reason},
                               {"message", "ok"}});
  }
  return out;
}

class NodeLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<apiserver::ApiServer>(
        &store_, apiserver::ApiServerOptions{.bind = "127.0.0.1", .port = 0});
    informers_ = std::make_unique<client::InformerFactory>(&server_->cache());
    client_ = std::make_unique<client::InProcessClient>(&server_->registry(), "test");
    events_ = &informers_->For(client::Events());
    NodeLifecycleOptions o;
    o.clock = &clock_;
    controller_ = std::make_unique<NodeLifecycleController>(client_.get(), *informers_, o);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    controller_.reset();
    server_.reset();
  }

  client::Client& api() { return *client_; }
  client::Informer& nodes() { return informers_->For(client::Nodes()); }

  // Waits until the informers hold what the API holds now.
  void Settle(const api::ResourceInfo& r, const std::string& ns, const std::string& name) {
    auto live = api().Get(r, ns, name);
    ASSERT_TRUE(live.ok()) << live.status();
    std::string rv(GetString(*live, {"metadata", "resourceVersion"}));
    ASSERT_TRUE(WaitFor([&] {
      auto cached = informers_->For(r).Get(ns, name);
      return cached && GetString(*cached, {"metadata", "resourceVersion"}) == rv;
    }));
  }

  void CreateNode(const std::string& name, json::object spec = {}, json::object labels = {}) {
    json::object meta{{"name", name}};
    if (!labels.empty()) meta["labels"] = std::move(labels);
    auto res = api().Create(client::Nodes(), "",
                            json::object{{"apiVersion", "v1"},
                                         {"kind", "Node"},
                                         {"metadata", std::move(meta)},
                                         {"spec", std::move(spec)}});
    ASSERT_TRUE(res.ok()) << res.status();
    Heartbeat(name, absl::ZeroDuration());
    RenewLease(name, absl::ZeroDuration());
  }

  // The kubelet posts its conditions (all healthy) with heartbeat `at`.
  void Heartbeat(const std::string& node, absl::Duration at) {
    json::object patch{{"status", json::object{{"conditions", KubeletConditions(at)}}}};
    auto res = api().Patch(client::Nodes(), "", node, "application/strategic-merge-patch+json",
                           json::serialize(patch), "status");
    ASSERT_TRUE(res.ok()) << res.status();
    Settle(client::Nodes(), "", node);
  }

  void RenewLease(const std::string& node, absl::Duration at) {
    json::value lease =
        json::object{{"apiVersion", "coordination.k8s.io/v1"},
                     {"kind", "Lease"},
                     {"metadata", json::object{{"name", node}, {"namespace", "kube-node-lease"}}},
                     {"spec", json::object{{"holderIdentity", node},
                                           {"leaseDurationSeconds", 40},
                                           {"renewTime", base::FormatRfc3339Micro(kT0 + at)}}}};
    auto cur = api().Get(client::Leases(), "kube-node-lease", node);
    if (cur.ok()) {
      api::EnsureObject(lease, {"metadata"})["resourceVersion"] =
          GetString(*cur, {"metadata", "resourceVersion"});
      ASSERT_TRUE(api().Update(client::Leases(), lease).ok());
    } else {
      ASSERT_TRUE(api().Create(client::Leases(), "kube-node-lease", lease).ok());
    }
    Settle(client::Leases(), "kube-node-lease", node);
  }

  void CreateReadyPod(const std::string& name, const std::string& node) {
    json::object spec{{"nodeName", node},
                      {"containers", json::array{json::object{{"name", "c"}, {"image", "x"}}}}};
    auto res = api().Create(client::Pods(), "default",
                            json::object{{"apiVersion", "v1"},
                                         {"kind", "Pod"},
                                         {"metadata", json::object{{"name", name}}},
                                         {"spec", spec}});
    ASSERT_TRUE(res.ok()) << res.status();
    json::object status{{"phase", "Running"},
                        {"conditions", json::array{json::object{{"type", "Ready"},
                                                                {"status", "True"},
                                                                {"lastTransitionTime", Ts({})},
                                                                {"reason", ""},
                                                                {"message", ""}}}}};
    ASSERT_TRUE(api()
                    .Patch(client::Pods(), "default", name, "application/merge-patch+json",
                           json::serialize(json::object{{"status", status}}), "status")
                    .ok());
    Settle(client::Pods(), "default", name);
  }

  json::value Get(const api::ResourceInfo& r, const std::string& ns, const std::string& name) {
    auto obj = api().Get(r, ns, name);
    EXPECT_TRUE(obj.ok()) << obj.status();
    return obj.ok() ? *obj : json::value();
  }

  std::string ConditionOf(const json::value& obj, std::string_view type,
                          std::string_view field = "status") {
    if (const json::array* conds = api::GetArray(obj, {"status", "conditions"})) {
      for (const auto& c : *conds)
        if (GetString(c, {"type"}) == type) return std::string(GetString(c, {field}));
    }
    return "<none>";
  }

  // spec.taints as "key:effect@timeAdded".
  std::vector<std::string> Taints(const std::string& node) {
    std::vector<std::string> out;
    for (const auto& t :
         api::ParseTaints(api::Find(Get(client::Nodes(), "", node), {"spec", "taints"})))
      out.push_back(t.ToString() + "@" + t.time_added);
    return out;
  }

  // "reason: message" of the events about `name`, sorted, once at least `expected` arrived.
  std::vector<std::string> Events(const std::string& name, size_t expected) {
    controller_->recorder().Flush();
    std::vector<std::string> found;
    WaitFor(
        [&] {
          found.clear();
          for (const auto& e : events_->List("default")) {
            if (GetString(*e, {"involvedObject", "name"}) != name) continue;
            EXPECT_EQ(GetString(*e, {"source", "component"}), "node-controller");
            found.push_back(api::Cat(GetString(*e, {"involvedObject", "kind"}), " ",
                                     GetString(*e, {"type"}), " ", GetString(*e, {"reason"}), ": ",
                                     GetString(*e, {"message"})));
          }
          return found.size() >= expected;
        },
        absl::Seconds(5));
    std::sort(found.begin(), found.end());
    return found;
  }

  store::MemoryStore store_;
  FakeClock clock_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<client::InformerFactory> informers_;
  std::unique_ptr<client::InProcessClient> client_;
  client::Informer* events_ = nullptr;
  std::unique_ptr<NodeLifecycleController> controller_;
};

TEST_F(NodeLifecycleTest, SilentNodeGoesUnknownGetsTaintedAndComesBack) {
  CreateNode("n1");
  CreateNode("n2");
  CreateReadyPod("p1", "n1");
  CreateReadyPod("p2", "n2");
  controller_->MonitorNodeHealth();  // first sight at 0 s
  EXPECT_EQ(controller_->zone_state(""), ZoneState::kNormal);
  EXPECT_EQ(controller_->zone_rate(""), 0.1);

  // n2 keeps renewing its Lease; n1 falls silent. At 50 s it is still within the grace period.
  RenewLease("n2", absl::Seconds(30));
  clock_.Set(absl::Seconds(50));
  controller_->MonitorNodeHealth();
  EXPECT_EQ(ConditionOf(Get(client::Nodes(), "", "n1"), "Ready"), "True");

  clock_.Set(absl::Seconds(51));
  controller_->MonitorNodeHealth();
  json::value n1 = Get(client::Nodes(), "", "n1");
  for (std::string_view type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    EXPECT_EQ(ConditionOf(n1, type), "Unknown") << type;
    EXPECT_EQ(ConditionOf(n1, type, "reason"), "NodeStatusUnknown") << type;
    EXPECT_EQ(ConditionOf(n1, type, "message"), "Kubelet stopped posting node status.") << type;
    EXPECT_EQ(ConditionOf(n1, type, "lastTransitionTime"), Ts(absl::Seconds(51))) << type;
    EXPECT_EQ(ConditionOf(n1, type, "lastHeartbeatTime"), Ts({})) << type;
  }
  EXPECT_EQ(ConditionOf(Get(client::Nodes(), "", "n2"), "Ready"), "True");
  json::value p1 = Get(client::Pods(), "default", "p1");
  EXPECT_EQ(ConditionOf(p1, "Ready"), "False");
  EXPECT_EQ(ConditionOf(p1, "Ready", "lastTransitionTime"), Ts(absl::Seconds(51)));
  EXPECT_EQ(ConditionOf(Get(client::Pods(), "default", "p2"), "Ready"), "True");
  EXPECT_EQ(Events("n1", 2),
            (std::vector<std::string>{
                "Node Normal NodeNotReady: Node n1 status is now: NodeNotReady",
                "Node Normal RegisteredNode: Node n1 event: Registered Node n1 in Controller"}));
  EXPECT_EQ(Events("p1", 1),
            (std::vector<std::string>{"Pod Warning NodeNotReady: Node is not ready"}));

  // The node change brings the NoSchedule taint for Ready=Unknown.
  Settle(client::Nodes(), "", "n1");
  ASSERT_TRUE(controller_->SyncNode("n1").ok());
  EXPECT_EQ(Taints("n1"), (std::vector<std::string>{"node.kubernetes.io/unreachable:NoSchedule@" +
                                                    Ts(absl::Seconds(51))}));
  // The next pass queues it for the NoExecute taint, which the tainting pass adds.
  Settle(client::Nodes(), "", "n1");
  clock_.Set(absl::Seconds(56));
  controller_->MonitorNodeHealth();
  controller_->DoNoExecuteTaintingPass();
  EXPECT_EQ(Taints("n1"),
            (std::vector<std::string>{
                "node.kubernetes.io/unreachable:NoSchedule@" + Ts(absl::Seconds(51)),
                "node.kubernetes.io/unreachable:NoExecute@" + Ts(absl::Seconds(56))}));
  EXPECT_EQ(Taints("n2"), std::vector<std::string>{});

  // A pod bound to n1 now is marked not ready on arrival.
  CreateReadyPod("p3", "n1");
  ASSERT_TRUE(controller_->SyncPod("default/p3").ok());
  EXPECT_EQ(ConditionOf(Get(client::Pods(), "default", "p3"), "Ready"), "False");

  // The kubelet is back: the taints go.
  clock_.Set(absl::Seconds(70));
  Heartbeat("n1", absl::Seconds(70));
  RenewLease("n1", absl::Seconds(70));
  RenewLease("n2", absl::Seconds(70));
  controller_->MonitorNodeHealth();
  EXPECT_EQ(Taints("n1"), (std::vector<std::string>{"node.kubernetes.io/unreachable:NoSchedule@" +
                                                    Ts(absl::Seconds(51))}));
  Settle(client::Nodes(), "", "n1");
  ASSERT_TRUE(controller_->SyncNode("n1").ok());
  EXPECT_EQ(Taints("n1"), std::vector<std::string>{});
  EXPECT_EQ(controller_->zone_state(""), ZoneState::kNormal);
}

TEST_F(NodeLifecycleTest, NotReadySwapsTheUnreachableTaintAtOnce) {
  CreateNode("n1");
  CreateNode("n2");
  controller_->MonitorNodeHealth();
  clock_.Set(absl::Seconds(51));
  RenewLease("n2", absl::Seconds(51));
  controller_->MonitorNodeHealth();
  Settle(client::Nodes(), "", "n1");
  clock_.Set(absl::Seconds(52));
  controller_->MonitorNodeHealth();
  controller_->DoNoExecuteTaintingPass();
  EXPECT_EQ(Taints("n1"), (std::vector<std::string>{"node.kubernetes.io/unreachable:NoExecute@" +
                                                    Ts(absl::Seconds(52))}));
  // The kubelet reports NotReady: the NoExecute taint switches on the next pass.
  json::array conds = KubeletConditions(absl::Seconds(60));
  conds[3].as_object()["status"] = "False";
  conds[3].as_object()["lastTransitionTime"] = Ts(absl::Seconds(60));
  ASSERT_TRUE(api()
                  .Patch(client::Nodes(), "", "n1", "application/strategic-merge-patch+json",
                         json::serialize(json::object{
                             {"status", json::object{{"conditions", std::move(conds)}}}}),
                         "status")
                  .ok());
  Settle(client::Nodes(), "", "n1");
  clock_.Set(absl::Seconds(61));
  RenewLease("n2", absl::Seconds(61));
  controller_->MonitorNodeHealth();
  EXPECT_EQ(Taints("n1"), (std::vector<std::string>{"node.kubernetes.io/not-ready:NoExecute@" +
                                                    Ts(absl::Seconds(61))}));
  Settle(client::Nodes(), "", "n1");
  ASSERT_TRUE(controller_->SyncNode("n1").ok());
  EXPECT_EQ(Taints("n1"), (std::vector<std::string>{
                              "node.kubernetes.io/not-ready:NoExecute@" + Ts(absl::Seconds(61)),
                              "node.kubernetes.io/not-ready:NoSchedule@" + Ts(absl::Seconds(61))}));
}

TEST_F(NodeLifecycleTest, EveryNodeDownStopsNoExecuteTainting) {
  CreateNode("n1");
  CreateNode("n2");
  controller_->MonitorNodeHealth();
  clock_.Set(absl::Seconds(51));
  controller_->MonitorNodeHealth();
  EXPECT_EQ(ConditionOf(Get(client::Nodes(), "", "n1"), "Ready"), "Unknown");
  EXPECT_EQ(ConditionOf(Get(client::Nodes(), "", "n2"), "Ready"), "Unknown");
  EXPECT_EQ(controller_->zone_state(""), ZoneState::kFullDisruption);
  EXPECT_EQ(controller_->zone_rate(""), 0);
  Settle(client::Nodes(), "", "n1");
  Settle(client::Nodes(), "", "n2");
  clock_.Set(absl::Seconds(60));
  controller_->MonitorNodeHealth();
  controller_->DoNoExecuteTaintingPass();
  EXPECT_EQ(Taints("n1"), std::vector<std::string>{});
  EXPECT_EQ(Taints("n2"), std::vector<std::string>{});
  // One node back: the zone is back to normal and tainting resumes for the other.
  clock_.Set(absl::Seconds(70));
  Heartbeat("n2", absl::Seconds(70));
  controller_->MonitorNodeHealth();
  EXPECT_EQ(controller_->zone_state(""), ZoneState::kNormal);
  EXPECT_EQ(controller_->zone_rate(""), 0.1);
  // The new limiter starts drained (the stopped one had no token): the next token comes 10 s
  // later at 0.1 per second.
  clock_.Set(absl::Seconds(79));
  controller_->MonitorNodeHealth();
  controller_->DoNoExecuteTaintingPass();
  EXPECT_EQ(Taints("n1"), std::vector<std::string>{});
  clock_.Set(absl::Seconds(80));
  controller_->DoNoExecuteTaintingPass();
  EXPECT_EQ(Taints("n1"), (std::vector<std::string>{"node.kubernetes.io/unreachable:NoExecute@" +
                                                    Ts(absl::Seconds(80))}));
}

TEST_F(NodeLifecycleTest, CordonTaintAndBetaLabels) {
  CreateNode("n1", json::object{{"unschedulable", true}},
             json::object{{"kubernetes.io/os", "linux"},
                          {"kubernetes.io/arch", "amd64"},
                          {"beta.kubernetes.io/arch", "arm64"}});
  ASSERT_TRUE(controller_->SyncNode("n1").ok());
  EXPECT_EQ(Taints("n1"),
            (std::vector<std::string>{"node.kubernetes.io/unschedulable:NoSchedule@" + Ts({})}));
  json::value n1 = Get(client::Nodes(), "", "n1");
  EXPECT_EQ(GetString(n1, {"metadata", "labels", "beta.kubernetes.io/os"}), "linux");
  EXPECT_EQ(GetString(n1, {"metadata", "labels", "beta.kubernetes.io/arch"}), "amd64");
  // Uncordoned: the taint goes; other taints stay.
  ASSERT_TRUE(api()
                  .Patch(client::Nodes(), "", "n1", "application/strategic-merge-patch+json",
                         R"({"spec":{"unschedulable":null,"taints":[
                              {"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule"},
                              {"key":"dedicated","value":"db","effect":"NoSchedule"}]}})")
                  .ok());
  Settle(client::Nodes(), "", "n1");
  ASSERT_TRUE(controller_->SyncNode("n1").ok());
  EXPECT_EQ(Taints("n1"), (std::vector<std::string>{"dedicated=db:NoSchedule@"}));
}

TEST_F(NodeLifecycleTest, NeverReportedNodeGetsTheStartupGrace) {
  auto res = api().Create(
      client::Nodes(), "",
      json::object{
          {"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", json::object{{"name", "quiet"}}}});
  ASSERT_TRUE(res.ok()) << res.status();
  Settle(client::Nodes(), "", "quiet");
  absl::Time created = *base::ParseRfc3339(GetString(*res, {"metadata", "creationTimestamp"}));
  clock_.Set(created - kT0 + absl::Seconds(60));
  controller_->MonitorNodeHealth();
  EXPECT_EQ(ConditionOf(Get(client::Nodes(), "", "quiet"), "Ready"), "<none>");
  clock_.Set(created - kT0 + absl::Seconds(61));
  controller_->MonitorNodeHealth();
  json::value quiet = Get(client::Nodes(), "", "quiet");
  EXPECT_EQ(ConditionOf(quiet, "Ready"), "Unknown");
  EXPECT_EQ(ConditionOf(quiet, "Ready", "reason"), "NodeStatusNeverUpdated");
  EXPECT_EQ(ConditionOf(quiet, "PIDPressure", "message"), "Kubelet never posted node status.");
}

}  // namespace
}  // namespace skiff::controllers::nodelifecycle
