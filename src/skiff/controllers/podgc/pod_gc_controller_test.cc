// The pod garbage collector against a real in-process API server (memory store).
#include "skiff/controllers/podgc/pod_gc_controller.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "skiff/api/object.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::controllers::podgc {
namespace {

namespace json = boost::json;

class FakeClock : public base::Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1800000000);
};

class PodGcControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<apiserver::ApiServer>(
        &store_, apiserver::ApiServerOptions{.bind = "127.0.0.1", .port = 0});
    informers_ = std::make_unique<client::InformerFactory>(&server_->cache());
    client_ = std::make_unique<client::InProcessClient>(&server_->registry(), "test");
    gc_ = std::make_unique<PodGcController>(
        client_.get(), *informers_,
        PodGcOptions{
            .terminated_pod_threshold = 2, .quarantine = absl::Seconds(40), .clock = &clock_});
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    gc_.reset();
    server_.reset();  // the watch cache feeds the informers until it goes
  }

  client::Client& api() { return *client_; }

  void CreatePod(std::string name, std::string node) {
    json::object spec{{"containers", json::array{json::object{{"name", "c"}, {"image", "x"}}}}};
    if (!node.empty()) spec["nodeName"] = node;
    json::value pod = json::object{{"apiVersion", "v1"},
                                   {"kind", "Pod"},
                                   {"metadata", json::object{{"name", name}}},
                                   {"spec", spec}};
    auto res = api().Create(client::Pods(), "default", pod);
    ASSERT_TRUE(res.ok()) << res.status();
  }

  void SetPhase(std::string name, std::string phase, std::string reason = "") {
    json::object status{{"phase", phase}};
    if (!reason.empty()) status["reason"] = reason;
    auto res = api().Patch(client::Pods(), "default", name, "application/merge-patch+json",
                           json::serialize(json::object{{"status", status}}), "status");
    ASSERT_TRUE(res.ok()) << res.status();
  }

  // Waits until the pod informer shows `n` pods (writes reach informers asynchronously).
  void WaitForPods(size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (informers_->For(client::Pods()).Size() != n &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(informers_->For(client::Pods()).Size(), n);
  }

  // Waits until the informer's copy of pod `name` satisfies `pred`.
  template <typename Pred>
  void WaitForPod(std::string_view name, Pred pred) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      client::ObjPtr pod = informers_->For(client::Pods()).Get("default", std::string(name));
      if (pod != nullptr && pred(*pod)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    FAIL() << "pod " << name << " never reached the expected state";
  }

  std::vector<std::string> PodNames() {
    std::vector<std::string> out;
    for (const auto& p : informers_->For(client::Pods()).List("default"))
      out.emplace_back(api::GetString(*p, {"metadata", "name"}));
    return out;
  }

  FakeClock clock_;
  store::MemoryStore store_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<client::InformerFactory> informers_;
  std::unique_ptr<client::InProcessClient> client_;
  std::unique_ptr<PodGcController> gc_;
};

TEST_F(PodGcControllerTest, DeletesPodsOfMissingNodesAfterTheQuarantine) {
  auto node = api().Create(client::Nodes(), "", json::parse(R"({"apiVersion":"v1","kind":"Node",
                                           "metadata":{"name":"n1"}})"));
  ASSERT_TRUE(node.ok()) << node.status();
  CreatePod("on-n1", "n1");
  CreatePod("on-ghost", "ghost");
  CreatePod("unscheduled", "");
  WaitForPods(3);
  EXPECT_EQ(gc_->RunOnce(), 0);  // "ghost" enters quarantine
  clock_.now += absl::Seconds(39);
  EXPECT_EQ(gc_->RunOnce(), 0);
  clock_.now += absl::Seconds(1);
  EXPECT_EQ(gc_->RunOnce(), 1);
  WaitForPods(2);
  EXPECT_EQ(PodNames(), (std::vector<std::string>{"on-n1", "unscheduled"}));
}

TEST_F(PodGcControllerTest, KeepsTheNewestTerminatedPodsUpToTheThreshold) {
  for (const char* name : {"a", "b", "c", "d", "live"}) CreatePod(name, "");
  SetPhase("a", "Succeeded");
  SetPhase("b", "Failed");
  SetPhase("c", "Failed");
  SetPhase("d", "Failed", "Evicted");
  WaitForPods(5);
  WaitForPod("d", [](const json::value& p) {
    return api::GetString(p, {"status", "reason"}) == "Evicted";
  });
  // Four terminated, threshold two: the evicted pod, then the oldest ("a", first by name
  // among equals).
  EXPECT_EQ(gc_->RunOnce(), 2);
  WaitForPods(3);
  EXPECT_EQ(PodNames(), (std::vector<std::string>{"b", "c", "live"}));
}

TEST_F(PodGcControllerTest, ForceDeletesUnscheduledTerminatingPods) {
  json::value pod = json::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"stuck","finalizers":["example.com/hold"]},
    "spec":{"containers":[{"name":"c","image":"x"}]}})");
  ASSERT_TRUE(api().Create(client::Pods(), "default", pod).ok());
  ASSERT_TRUE(api().Delete(client::Pods(), "default", "stuck").ok());
  WaitForPod("stuck", [](const json::value& p) {
    return api::Find(p, {"metadata", "deletionTimestamp"}) != nullptr;
  });
  EXPECT_EQ(gc_->RunOnce(), 1);
  // The finalizer still holds it, but it is marked Failed.
  auto cur = api().Get(client::Pods(), "default", "stuck");
  ASSERT_TRUE(cur.ok());
  EXPECT_EQ(api::GetString(*cur, {"status", "phase"}), "Failed");
}

TEST_F(PodGcControllerTest, StartAndStop) {
  gc_->Start();
  gc_->Stop();
  gc_->Stop();
}

}  // namespace
}  // namespace skiff::controllers::podgc
