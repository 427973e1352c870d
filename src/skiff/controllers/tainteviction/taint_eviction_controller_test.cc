// The taint eviction controller against a real in-process API server (memory store, registry,
// watch cache, informers): decisions one HandleNode/HandlePod at a time with a fake clock,
// and one run of the started controller on the real clock.
#include "skiff/controllers/tainteviction/taint_eviction_controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "skiff/api/object.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::controllers::tainteviction {
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
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = kT0;
};

template <typename F>
bool WaitFor(F pred, absl::Duration timeout = absl::Seconds(10)) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (static_cast<bool>(pred())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return static_cast<bool>(pred());
}

json::value Toleration(std::string_view key, std::optional<int64_t> seconds) {
  json::object t{{"key", key}, {"operator", "Exists"}, {"effect", "NoExecute"}};
  if (seconds) t["tolerationSeconds"] = *seconds;
  return t;
}

class TaintEvictionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<apiserver::ApiServer>(
        &store_, apiserver::ApiServerOptions{.bind = "127.0.0.1", .port = 0});
    informers_ = std::make_unique<client::InformerFactory>(&server_->cache());
    client_ = std::make_unique<client::InProcessClient>(&server_->registry(), "test");
    events_ = &informers_->For(client::Events());
    controller_ = std::make_unique<TaintEvictionController>(client_.get(), *informers_,
                                                            TaintEvictionOptions{.clock = &clock_});
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    controller_.reset();
    server_.reset();
  }

  client::Client& api() { return *client_; }

  void CreateNode(const std::string& name, json::array taints = {}) {
    json::object spec;
    if (!taints.empty()) spec["taints"] = std::move(taints);
    auto res = api().Create(client::Nodes(), "",
                            json::object{{"apiVersion", "v1"},
                                         {"kind", "Node"},
                                         {"metadata", json::object{{"name", name}}},
                                         {"spec", spec}});
    ASSERT_TRUE(res.ok()) << res.status();
  }

  void SetTaints(const std::string& node, json::array taints) {
    json::object patch{{"spec", json::object{{"taints", std::move(taints)}}}};
    auto res = api().Patch(client::Nodes(), "", node, "application/merge-patch+json",
                           json::serialize(patch));
    ASSERT_TRUE(res.ok()) << res.status();
    std::string rv(GetString(*res, {"metadata", "resourceVersion"}));
    ASSERT_TRUE(WaitFor([&] {
      auto n = informers_->For(client::Nodes()).Get("", node);
      return n && GetString(*n, {"metadata", "resourceVersion"}) == rv;
    }));
  }

  void CreatePod(const std::string& name, const std::string& node, json::array tolerations = {}) {
    json::object spec{{"nodeName", node},
                      {"containers", json::array{json::object{{"name", "c"}, {"image", "x"}}}}};
    if (!tolerations.empty()) spec["tolerations"] = std::move(tolerations);
    auto res = api().Create(client::Pods(), "default",
                            json::object{{"apiVersion", "v1"},
                                         {"kind", "Pod"},
                                         {"metadata", json::object{{"name", name}}},
                                         {"spec", spec}});
    ASSERT_TRUE(res.ok()) << res.status();
    ASSERT_TRUE(
        WaitFor([&] { return informers_->For(client::Pods()).Get("default", name) != nullptr; }));
  }

  bool Terminating(const std::string& name) {
    auto pod = api().Get(client::Pods(), "default", name);
    return pod.ok() && !GetString(*pod, {"metadata", "deletionTimestamp"}).empty();
  }

  // Messages of the TaintManagerEviction events about pod `name`, oldest first, once at least
  // `expected` arrived (the recorder writes asynchronously).
  std::vector<std::string> EvictionEvents(const std::string& name, size_t expected) {
    controller_->recorder().Flush();
    std::vector<std::pair<int64_t, std::string>> found;
    auto collect = [&] {
      found.clear();
      for (const auto& e : events_->List("default")) {
        if (GetString(*e, {"involvedObject", "name"}) != name) continue;
        EXPECT_EQ(GetString(*e, {"reason"}), "TaintManagerEviction");
        EXPECT_EQ(GetString(*e, {"source", "component"}), "taint-eviction-controller");
        found.emplace_back(std::stoll(std::string(GetString(*e, {"metadata", "resourceVersion"}))),
                           std::string(GetString(*e, {"message"})));
      }
      return found.size() >= expected;
    };
    if (expected == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    WaitFor(collect, absl::Seconds(5));
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (auto& [rv, msg] : found) out.push_back(std::move(msg));
    return out;
  }

  store::MemoryStore store_;
  FakeClock clock_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<client::InformerFactory> informers_;
  std::unique_ptr<client::InProcessClient> client_;
  client::Informer* events_ = nullptr;
  std::unique_ptr<TaintEvictionController> controller_;
};

const json::object kUnreachable{{"key", "node.kubernetes.io/unreachable"},
                                {"effect", "NoExecute"},
                                {"timeAdded", "2026-01-01T00:00:00Z"}};
const json::object kNotReady{{"key", "node.kubernetes.io/not-ready"}, {"effect", "NoExecute"}};
const json::object kDedicated{{"key", "dedicated"}, {"value", "db"}, {"effect", "NoExecute"}};

TEST_F(TaintEvictionTest, EvictsAfterTheShortestTolerationAndCancelsWhenTheTaintGoes) {
  CreateNode("n1");
  // Admission gives p-default the 300 s not-ready/unreachable tolerations.
  CreatePod("p-default", "n1");
  CreatePod("p-long", "n1", json::array{Toleration("node.kubernetes.io/unreachable", 3600)});
  CreatePod("p-forever", "n1",
            json::array{Toleration("node.kubernetes.io/unreachable", std::nullopt),
                        Toleration("node.kubernetes.io/not-ready", std::nullopt)});
  controller_->HandleNode("n1");
  EXPECT_EQ(controller_->ScheduledEviction("default/p-default"), std::nullopt);

  SetTaints("n1", json::array{kUnreachable});
  controller_->HandleNode("n1");
  EXPECT_EQ(controller_->ScheduledEviction("default/p-default"), kT0 + absl::Seconds(300));
  EXPECT_EQ(controller_->ScheduledEviction("default/p-long"), kT0 + absl::Seconds(3600));
  EXPECT_EQ(controller_->ScheduledEviction("default/p-forever"), std::nullopt);

  // A second tolerated taint later does not restart the count.
  clock_.Advance(absl::Seconds(100));
  SetTaints("n1", json::array{kUnreachable, kNotReady});
  controller_->HandleNode("n1");
  EXPECT_EQ(controller_->ScheduledEviction("default/p-default"), kT0 + absl::Seconds(300));

  clock_.Advance(absl::Seconds(199));
  EXPECT_EQ(controller_->EvictDue(), 0);
  EXPECT_FALSE(Terminating("p-default"));
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(controller_->EvictDue(), 1);
  EXPECT_TRUE(Terminating("p-default"));
  EXPECT_FALSE(Terminating("p-long"));
  auto pod = api().Get(client::Pods(), "default", "p-default");
  ASSERT_TRUE(pod.ok());
  const json::value* target = nullptr;
  for (const auto& c : pod->at("status").at("conditions").as_array())
    if (GetString(c, {"type"}) == "DisruptionTarget") target = &c;
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(GetString(*target, {"status"}), "True");
  EXPECT_EQ(GetString(*target, {"reason"}), "DeletionByTaintManager");
  EXPECT_EQ(GetString(*target, {"message"}), "Taint manager: deleting due to NoExecute taint");
  EXPECT_EQ(GetString(*target, {"lastTransitionTime"}), "2026-01-01T00:05:00Z");
  EXPECT_EQ(EvictionEvents("p-default", 1),
            (std::vector<std::string>{"Marking for deletion Pod default/p-default"}));

  // The evicted pod is remembered: more taint changes do not delete it again.
  SetTaints("n1", json::array{kUnreachable});
  controller_->HandleNode("n1");
  EXPECT_EQ(controller_->ScheduledEviction("default/p-default"), std::nullopt);
  EXPECT_EQ(controller_->EvictDue(), 0);

  // The taints go: the pending eviction is cancelled.
  SetTaints("n1", json::array{});
  controller_->HandleNode("n1");
  EXPECT_EQ(controller_->ScheduledEviction("default/p-long"), std::nullopt);
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(controller_->EvictDue(), 0);
  EXPECT_FALSE(Terminating("p-long"));
  EXPECT_EQ(EvictionEvents("p-long", 1),
            (std::vector<std::string>{"Cancelling deletion of Pod default/p-long"}));
  EXPECT_TRUE(EvictionEvents("p-forever", 0).empty());
}

TEST_F(TaintEvictionTest, UntoleratedTaintEvictsAtOnceAndNewPodsAreJudgedOnArrival) {
  CreateNode("n2", json::array{kDedicated});
  CreateNode("n3");
  CreatePod("web", "n2");
  CreatePod(
      "db", "n2",
      json::array{json::object{{"key", "dedicated"}, {"operator", "Equal"}, {"value", "db"}}});
  CreatePod("elsewhere", "n3");
  controller_->HandleNode("n2");
  controller_->HandleNode("n3");
  EXPECT_EQ(controller_->ScheduledEviction("default/web"), kT0);
  EXPECT_EQ(controller_->ScheduledEviction("default/db"), std::nullopt);
  EXPECT_EQ(controller_->ScheduledEviction("default/elsewhere"), std::nullopt);
  EXPECT_EQ(controller_->EvictDue(), 1);
  EXPECT_TRUE(Terminating("web"));
  EXPECT_FALSE(Terminating("db"));
  EXPECT_FALSE(Terminating("elsewhere"));

  // A pod bound later to the tainted node is judged by its own event.
  clock_.Advance(absl::Seconds(3));
  CreatePod("late", "n2",
            json::array{json::object{{"key", "dedicated"},
                                     {"operator", "Exists"},
                                     {"effect", "NoExecute"},
                                     {"tolerationSeconds", 20}}});
  controller_->HandlePod("default/late");
  EXPECT_EQ(controller_->ScheduledEviction("default/late"), kT0 + absl::Seconds(23));
  // Deleting it cancels the eviction.
  client::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(api().Delete(client::Pods(), "default", "late", now).ok());
  ASSERT_TRUE(WaitFor([&] { return !informers_->For(client::Pods()).Get("default", "late"); }));
  controller_->HandlePod("default/late");
  EXPECT_EQ(controller_->ScheduledEviction("default/late"), std::nullopt);
  EXPECT_EQ(EvictionEvents("late", 1),
            (std::vector<std::string>{"Cancelling deletion of Pod default/late"}));
}

// The started controller: informer events, the timer thread and the deletion workers.
class StartedTaintEvictionTest : public TaintEvictionTest {
 protected:
  void SetUp() override {
    server_ = std::make_unique<apiserver::ApiServer>(
        &store_, apiserver::ApiServerOptions{.bind = "127.0.0.1", .port = 0});
    informers_ = std::make_unique<client::InformerFactory>(&server_->cache());
    client_ = std::make_unique<client::InProcessClient>(&server_->registry(), "test");
    events_ = &informers_->For(client::Events());
    controller_ = std::make_unique<TaintEvictionController>(client_.get(), *informers_);
    ASSERT_TRUE(server_->Start().ok());
    controller_->Start();
  }
};

TEST_F(StartedTaintEvictionTest, EvictsOnItsOwn) {
  CreateNode("n1");
  CreatePod("short", "n1", json::array{Toleration("node.kubernetes.io/unreachable", 1)});
  CreatePod("long", "n1", json::array{Toleration("node.kubernetes.io/unreachable", 3600)});
  absl::Time tainted = absl::Now();
  SetTaints("n1", json::array{kUnreachable});
  ASSERT_TRUE(WaitFor([&] { return Terminating("short"); }, absl::Seconds(10)));
  EXPECT_GE(absl::Now() - tainted, absl::Milliseconds(900));
  EXPECT_FALSE(Terminating("long"));
  SetTaints("n1", json::array{});
  ASSERT_TRUE(WaitFor([&] { return !controller_->ScheduledEviction("default/long"); }));
  EXPECT_FALSE(Terminating("long"));
}

}  // namespace
}  // namespace skiff::controllers::tainteviction
