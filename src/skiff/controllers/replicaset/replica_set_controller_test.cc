// The controller against a real in-process API server (memory store, registry, watch cache,
// informers): what it creates, adopts, releases, deletes and reports.
#include "skiff/controllers/replicaset/replica_set_controller.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "skiff/api/object.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/apiserver/errors.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::controllers::replicaset {
namespace {

namespace json = boost::json;

// Delegates to the in-process client; pod creations fail while `fail_creates` is set.
class FlakyClient : public client::InProcessClient {
 public:
  using InProcessClient::InProcessClient;
  absl::StatusOr<json::value> Create(const api::ResourceInfo& r, std::string_view ns,
                                     json::value obj) override {
    if (r.kind == "Pod") {
      ++pod_creates;
      if (fail_after >= 0 && pod_creates > fail_after) {
        return apiserver::ApiError(403, "Forbidden",
                                   "pods \"web-\" is forbidden: exceeded quota: compute");
      }
    }
    return InProcessClient::Create(r, ns, std::move(obj));
  }
  std::atomic<int> pod_creates{0};
  std::atomic<int> fail_after{-1};  // -1: never fail
};

class ReplicaSetControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<apiserver::ApiServer>(
        &store_, apiserver::ApiServerOptions{.bind = "127.0.0.1", .port = 0});
    informers_ = std::make_unique<client::InformerFactory>(&server_->cache());
    client_ = std::make_unique<FlakyClient>(&server_->registry(), "test");
    rs_ = std::make_unique<ReplicaSetController>(client_.get(), *informers_, ReplicaSetKind());
    rc_ = std::make_unique<ReplicaSetController>(client_.get(), *informers_,
                                                 ReplicationControllerKind());
    ASSERT_TRUE(server_->Start().ok());
    rs_->Start();
    rc_->Start();
  }
  void TearDown() override {
    rc_.reset();
    rs_.reset();
    server_.reset();  // the watch cache feeds the informers until it goes
  }

  // A merge patch, retried on 409: the registry pins the read resourceVersion of a patch, so a
  // patch racing a controller's status write can conflict.
  absl::StatusOr<json::value> MergePatch(const api::ResourceInfo& r, std::string_view name,
                                         std::string_view patch) {
    absl::StatusOr<json::value> res;
    for (int attempt = 0; attempt < 10; ++attempt) {
      res = api_().Patch(r, "default", name, "application/merge-patch+json", patch);
      if (res.ok() || !client::IsConflictError(res.status())) break;
    }
    return res;
  }

  json::value Create(const api::ResourceInfo& r, std::string_view manifest) {
    auto res = client_->Create(r, "default", json::parse(manifest));
    EXPECT_TRUE(res.ok()) << res.status();
    return res.ok() ? *res : json::value();
  }

  std::vector<client::ObjPtr> PodsOwnedBy(std::string_view uid) {
    std::vector<client::ObjPtr> out;
    for (const auto& p : informers_->For(client::Pods()).List("default")) {
      if (const json::array* refs = api::GetArray(*p, {"metadata", "ownerReferences"})) {
        for (const auto& ref : *refs)
          if (api::GetString(ref, {"uid"}) == uid) out.push_back(p);
      }
    }
    return out;
  }

  template <typename Pred>
  bool WaitFor(Pred pred, std::chrono::seconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
  }

  json::value Get(const api::ResourceInfo& r, std::string_view name) {
    auto res = client_->Get(r, "default", name);
    return res.ok() ? *res : json::value();
  }

  // Through the interface, whose methods carry the default arguments.
  client::Client& api_() { return *client_; }

  store::MemoryStore store_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<client::InformerFactory> informers_;
  std::unique_ptr<FlakyClient> client_;
  std::unique_ptr<ReplicaSetController> rs_, rc_;
};

constexpr std::string_view kReplicaSet = R"({
  "apiVersion": "apps/v1", "kind": "ReplicaSet",
  "metadata": {"name": "web"},
  "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
           "template": {"metadata": {"labels": {"app": "web"}, "annotations": {"note": "x"}},
                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})";

TEST_F(ReplicaSetControllerTest, CreatesOwnedPodsAndReportsStatus) {
  json::value rs = Create(client::ReplicaSets(), kReplicaSet);
  std::string uid(api::GetString(rs, {"metadata", "uid"}));
  ASSERT_TRUE(WaitFor([&] { return PodsOwnedBy(uid).size() == 3; }));
  for (const auto& p : PodsOwnedBy(uid)) {
    std::string_view name = api::GetString(*p, {"metadata", "name"});
    ASSERT_EQ(name.size(), 9u) << name;
    EXPECT_EQ(name.substr(0, 4), "web-");
    EXPECT_EQ(name.substr(4).find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), name.npos) << name;
    EXPECT_EQ(api::GetString(*p, {"metadata", "generateName"}), "web-");
    EXPECT_EQ(api::GetString(*p, {"metadata", "annotations", "note"}), "x");
    const json::array& refs = *api::GetArray(*p, {"metadata", "ownerReferences"});
    EXPECT_EQ(json::value(refs),
              json::parse(R"([{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web","uid":")" +
                          uid + R"(","controller":true,"blockOwnerDeletion":true}])"));
  }
  ASSERT_TRUE(WaitFor([&] {
    json::value cur = Get(client::ReplicaSets(), "web");
    return api::GetInt(cur, {"status", "replicas"}) == 3 &&
           api::GetInt(cur, {"status", "fullyLabeledReplicas"}) == 3 &&
           api::GetInt(cur, {"status", "observedGeneration"}) == 1;
  }));
  // Nothing is ready: those counts are omitted; and no more pods appear.
  json::value cur = Get(client::ReplicaSets(), "web");
  EXPECT_EQ(api::Find(cur, {"status", "readyReplicas"}), nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(PodsOwnedBy(uid).size(), 3u);
  EXPECT_EQ(client_->pod_creates.load(), 3);
}

TEST_F(ReplicaSetControllerTest, ReplacesDeletedPodsAndScalesDown) {
  json::value rs = Create(client::ReplicaSets(), kReplicaSet);
  std::string uid(api::GetString(rs, {"metadata", "uid"}));
  ASSERT_TRUE(WaitFor([&] { return PodsOwnedBy(uid).size() == 3; }));
  std::string victim(api::GetString(*PodsOwnedBy(uid)[0], {"metadata", "name"}));
  ASSERT_TRUE(api_().Delete(client::Pods(), "default", victim).ok());
  ASSERT_TRUE(WaitFor([&] { return client_->pod_creates.load() == 4; }));
  ASSERT_TRUE(WaitFor([&] { return PodsOwnedBy(uid).size() == 3; }));

  auto scaled = MergePatch(client::ReplicaSets(), "web", R"({"spec":{"replicas":1}})");
  ASSERT_TRUE(scaled.ok()) << scaled.status();
  ASSERT_TRUE(WaitFor([&] { return PodsOwnedBy(uid).size() == 1; }));
  ASSERT_TRUE(WaitFor([&] {
    json::value cur = Get(client::ReplicaSets(), "web");
    return api::GetInt(cur, {"status", "replicas"}) == 1 &&
           api::GetInt(cur, {"status", "observedGeneration"}) == 2;
  }));
  EXPECT_EQ(client_->pod_creates.load(), 4);
}

// Regression: ranking a Deployment-owned ReplicaSet's pods read the controller's uid through a
// temporary copy of the ownerReference (use after free).
TEST_F(ReplicaSetControllerTest, ScalesDownAReplicaSetOwnedByADeployment) {
  std::string manifest(kReplicaSet);
  const std::string plain = R"("metadata": {"name": "web"})";
  manifest.replace(manifest.find(plain), plain.size(),
                   R"("metadata": {"name": "web", "ownerReferences": [{"apiVersion": "apps/v1",
                     "kind": "Deployment", "name": "d", "uid": "dep-1", "controller": true}]})");
  json::value rs = Create(client::ReplicaSets(), manifest);
  std::string uid(api::GetString(rs, {"metadata", "uid"}));
  ASSERT_TRUE(WaitFor([&] { return PodsOwnedBy(uid).size() == 3; }));
  auto scaled = MergePatch(client::ReplicaSets(), "web", R"({"spec":{"replicas":1}})");
  ASSERT_TRUE(scaled.ok()) << scaled.status();
  ASSERT_TRUE(WaitFor([&] { return PodsOwnedBy(uid).size() == 1; }));
}

TEST_F(ReplicaSetControllerTest, AdoptsOrphansAndReleasesRelabeledPods) {
  json::value rs = Create(client::ReplicaSets(), kReplicaSet);
  std::string uid(api::GetString(rs, {"metadata", "uid"}));
  ASSERT_TRUE(WaitFor([&] { return PodsOwnedBy(uid).size() == 3; }));

  Create(client::Pods(), R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"stray","labels":{"app":"web"}},
    "spec":{"containers":[{"name":"c","image":"nginx"}]}})");
  // Adopted, then one of the four deleted: three remain, all ours.
  ASSERT_TRUE(WaitFor([&] {
    auto pods = informers_->For(client::Pods()).List("default");
    return pods.size() == 3 && PodsOwnedBy(uid).size() == 3;
  }));

  std::string relabeled(api::GetString(*PodsOwnedBy(uid)[0], {"metadata", "name"}));
  auto res = MergePatch(client::Pods(), relabeled, R"({"metadata":{"labels":{"app":"other"}}})");
  ASSERT_TRUE(res.ok()) << res.status();
  ASSERT_TRUE(WaitFor([&] {
    json::value pod = Get(client::Pods(), relabeled);
    return api::Find(pod, {"metadata", "ownerReferences"}) == nullptr ||
           api::GetArray(pod, {"metadata", "ownerReferences"})->empty();
  }));
  ASSERT_TRUE(WaitFor([&] { return PodsOwnedBy(uid).size() == 3; }));
  EXPECT_EQ(informers_->For(client::Pods()).List("default").size(), 4u);
}

TEST_F(ReplicaSetControllerTest, ReplicationControllerUsesTheSameEngine) {
  json::value rc = Create(client::ReplicationControllers(), R"({
    "apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "db"},
    "spec": {"replicas": 2, "selector": {"app": "db"},
             "template": {"metadata": {"labels": {"app": "db"}},
                          "spec": {"containers": [{"name": "c", "image": "redis"}]}}}})");
  std::string uid(api::GetString(rc, {"metadata", "uid"}));
  ASSERT_TRUE(WaitFor([&] { return PodsOwnedBy(uid).size() == 2; }));
  for (const auto& p : PodsOwnedBy(uid)) {
    const json::value& ref = api::GetArray(*p, {"metadata", "ownerReferences"})->at(0);
    EXPECT_EQ(api::GetString(ref, {"apiVersion"}), "v1");
    EXPECT_EQ(api::GetString(ref, {"kind"}), "ReplicationController");
  }
  ASSERT_TRUE(WaitFor([&] {
    return api::GetInt(Get(client::ReplicationControllers(), "db"), {"status", "replicas"}) == 2;
  }));
  // The ReplicaSet controller leaves them alone.
  EXPECT_EQ(client_->pod_creates.load(), 2);
}

TEST_F(ReplicaSetControllerTest, FailedCreatesSlowStartAndSetReplicaFailure) {
  client_->fail_after = 3;
  std::string manifest(kReplicaSet);
  manifest.replace(manifest.find("\"replicas\": 3"), 13, "\"replicas\": 10");
  json::value rs = Create(client::ReplicaSets(), manifest);
  std::string uid(api::GetString(rs, {"metadata", "uid"}));
  ASSERT_TRUE(WaitFor([&] {
    json::value cur = Get(client::ReplicaSets(), "web");
    const json::array* conds = api::GetArray(cur, {"status", "conditions"});
    return conds != nullptr && conds->size() == 1;
  }));
  json::value cond =
      api::GetArray(Get(client::ReplicaSets(), "web"), {"status", "conditions"})->at(0);
  EXPECT_EQ(api::GetString(cond, {"type"}), "ReplicaFailure");
  EXPECT_EQ(api::GetString(cond, {"status"}), "True");
  EXPECT_EQ(api::GetString(cond, {"reason"}), "FailedCreate");
  EXPECT_EQ(api::GetString(cond, {"message"}),
            "pods \"web-\" is forbidden: exceeded quota: compute");
  // Batches of 1 and 2 went through; the batch of 4 failed and nothing more was tried then.
  EXPECT_EQ(PodsOwnedBy(uid).size(), 3u);
  EXPECT_GE(client_->pod_creates.load(), 7);

  client_->fail_after = -1;
  ASSERT_TRUE(WaitFor([&] { return PodsOwnedBy(uid).size() == 10; }, std::chrono::seconds(20)));
  ASSERT_TRUE(WaitFor([&] {
    json::value cur = Get(client::ReplicaSets(), "web");
    return api::Find(cur, {"status", "conditions"}) == nullptr &&
           api::GetInt(cur, {"status", "replicas"}) == 10;
  }));
}

TEST_F(ReplicaSetControllerTest, SyncOfAMissingOwnerForgetsItsExpectations) {
  rs_->expectations().ExpectCreations("default/gone", 3);
  EXPECT_TRUE(rs_->Sync("default/gone").ok());
  EXPECT_TRUE(rs_->expectations().Satisfied("default/gone"));
}

}  // namespace
}  // namespace skiff::controllers::replicaset
