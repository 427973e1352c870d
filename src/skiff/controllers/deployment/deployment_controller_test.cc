// The Deployment controller against a real in-process API server (memory store, registry,
// watch cache, informers), one Sync() at a time with a fake clock. A stand-in for the
// ReplicaSet controller and kubelets reports every set's pods as created and (unless the image
// is "broken") available, so each test walks a rollout step by step and checks exact sizes.
#include "skiff/controllers/deployment/deployment_controller.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "skiff/api/object.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/controllers/deployment/util/hash.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::controllers::deployment {
namespace {

namespace json = boost::json;

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

json::value DeploymentManifest(int replicas, std::string_view image) {
  return json::value{
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata",
       {{"name", "web"},
        {"labels", {{"app", "web"}}},
        {"annotations",
         {{"kubernetes.io/change-cause", "create"},
          {"kubectl.kubernetes.io/last-applied-configuration", "{}"}}}}},
      {"spec",
       {{"replicas", replicas},
        {"selector", {{"matchLabels", {{"app", "web"}}}}},
        {"template",
         {{"metadata", {{"labels", {{"app", "web"}}}}},
          {"spec", {{"containers", json::array{{{"name", "web"}, {"image", image}}}}}}}}}}};
}

// The state of one set, as the tests compare it.
struct SetState {
  std::string name;
  int64_t replicas;
  std::string revision;
  bool operator==(const SetState&) const = default;
};
std::ostream& operator<<(std::ostream& os, const SetState& s) {
  return os << "{" << s.name << " " << s.replicas << " rev " << s.revision << "}";
}

class DeploymentControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<apiserver::ApiServer>(
        &store_, apiserver::ApiServerOptions{.bind = "127.0.0.1", .port = 0}, clock_);
    informers_ = std::make_unique<client::InformerFactory>(&server_->cache());
    events_ = &informers_->For(client::Events());
    // Registered after the informers' listener: once it saw a revision, so did they.
    server_->cache().AddListener([this](const api::ResourceInfo&, const apiserver::WatchEvent& ev) {
      int64_t cur = seen_.load();
      while (ev.rv > cur && !seen_.compare_exchange_weak(cur, ev.rv)) {
      }
    });
    client_ = std::make_unique<client::InProcessClient>(&server_->registry(), "test");
    dc_ = std::make_unique<DeploymentController>(
        client_.get(), informers_.get(),
        DeploymentControllerOptions{.workers = 1, .clock = &clock_});
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    dc_.reset();
    server_->Stop();
  }

  // Waits until the informers have seen every write so far.
  void Settle() {
    server_->cache().WaitForRevision(store_.CurrentRevision());
    for (int i = 0; i < 2000 && seen_.load() < server_->cache().Revision(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  void Create(json::value obj) {
    auto res = client_->Create(client::Deployments(), "default", std::move(obj));
    ASSERT_TRUE(res.ok()) << res.status();
  }

  // Applies `change` to the stored Deployment (a kubectl edit).
  template <typename F>
  void Edit(F change) {
    Settle();
    auto cur = client_->Get(client::Deployments(), "default", "web");
    ASSERT_TRUE(cur.ok()) << cur.status();
    change(*cur);
    auto res = client_->Update(client::Deployments(), std::move(*cur), "");
    ASSERT_TRUE(res.ok()) << res.status();
  }
  void SetImage(std::string_view image) {
    Edit([&](json::value& d) {
      d.at("spec").at("template").at("spec").at("containers").at(0).as_object()["image"] = image;
    });
  }

  // One sync, one second later than the last (so sets get distinct creation times).
  void Sync() {
    clock_.Advance(absl::Seconds(1));
    Settle();
    absl::Status s = dc_->Sync("default/web");
    ASSERT_TRUE(s.ok()) << s;
    Settle();
  }

  // Every set's pods exist; those of healthy images are ready and available at once.
  void Kubelet() {
    Settle();
    for (const auto& rs : informers_->For(client::ReplicaSets()).List("default")) {
      int64_t want = api::GetInt(*rs, {"spec", "replicas"});
      std::string_view image = api::GetString(
          rs->at("spec").at("template").at("spec").at("containers").at(0), {"image"});
      int64_t ok = image == "broken" ? 0 : want;
      json::object status{{"replicas", want},
                          {"fullyLabeledReplicas", want},
                          {"readyReplicas", ok},
                          {"availableReplicas", ok},
                          {"observedGeneration", api::GetInt(*rs, {"metadata", "generation"})}};
      const json::value* cur = api::Find(*rs, {"status"});
      if (cur != nullptr && *cur == json::value(status)) continue;
      json::value obj = *rs;
      obj.as_object()["status"] = std::move(status);
      auto res = client_->Update(client::ReplicaSets(), std::move(obj), "status");
      ASSERT_TRUE(res.ok()) << res.status();
    }
    Settle();
  }

  // Sync and Kubelet in turn until the rollout completes (or `max_steps`), checking the
  // rolling-update invariants Kubernetes' e2e suite checks after every step.
  int Converge(int max_surge, int max_unavailable, int max_steps = 40) {
    for (int step = 1; step <= max_steps; ++step) {
      Sync();
      Kubelet();
      clock_.Advance(absl::Seconds(1));
      json::value d = Deployment();
      int64_t replicas = api::GetInt(d, {"spec", "replicas"});
      int64_t total = 0, available = 0;
      for (const auto& rs : informers_->For(client::ReplicaSets()).List("default")) {
        total += api::GetInt(*rs, {"spec", "replicas"});
        available += api::GetInt(*rs, {"status", "availableReplicas"});
        EXPECT_TRUE(api::Find(*rs, {"spec", "selector", "matchLabels", "pod-template-hash"}))
            << json::serialize(*rs);
      }
      EXPECT_LE(total, replicas + max_surge) << "step " << step;
      EXPECT_GE(available, replicas - max_unavailable) << "step " << step;
      if (Reason(d, "Progressing") == "NewReplicaSetAvailable" &&
          api::GetInt(d, {"status", "updatedReplicas"}) == replicas &&
          api::GetInt(d, {"status", "replicas"}) == replicas) {
        return step;
      }
    }
    ADD_FAILURE() << "no convergence: " << json::serialize(Deployment());
    return -1;
  }

  json::value Deployment() {
    Settle();
    auto d = client_->Get(client::Deployments(), "default", "web");
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? *d : json::value();
  }

  static std::string Reason(const json::value& d, std::string_view type) {
    if (const json::array* conds = api::GetArray(d, {"status", "conditions"}))
      for (const auto& c : *conds)
        if (api::GetString(c, {"type"}) == type) return std::string(api::GetString(c, {"reason"}));
    return "";
  }
  static const json::value* Cond(const json::value& d, std::string_view type) {
    if (const json::array* conds = api::GetArray(d, {"status", "conditions"}))
      for (const auto& c : *conds)
        if (api::GetString(c, {"type"}) == type) return &c;
    return nullptr;
  }

  // Sets by creation time (then name), as "name replicas revision".
  std::vector<SetState> Sets() {
    Settle();
    auto list = informers_->For(client::ReplicaSets()).List("default");
    std::sort(list.begin(), list.end(), [](const client::ObjPtr& a, const client::ObjPtr& b) {
      auto ka = std::make_pair(api::GetString(*a, {"metadata", "creationTimestamp"}),
                               api::GetString(*a, {"metadata", "name"}));
      auto kb = std::make_pair(api::GetString(*b, {"metadata", "creationTimestamp"}),
                               api::GetString(*b, {"metadata", "name"}));
      return ka < kb;
    });
    std::vector<SetState> out;
    for (const auto& rs : list) {
      out.push_back({std::string(api::GetString(*rs, {"metadata", "name"})),
                     api::GetInt(*rs, {"spec", "replicas"}),
                     std::string(api::GetString(
                         *rs, {"metadata", "annotations", "deployment.kubernetes.io/revision"}))});
    }
    return out;
  }
  client::ObjPtr Set(const std::string& name) {
    Settle();
    return informers_->For(client::ReplicaSets()).Get("default", name);
  }

  std::vector<std::string> EventMessages() {
    dc_->FlushEvents();
    Settle();
    std::vector<std::pair<std::string, std::string>> events;
    for (const auto& e : events_->List("default")) {
      events.emplace_back(std::string(api::GetString(*e, {"metadata", "creationTimestamp"})) +
                              std::string(api::GetString(*e, {"metadata", "name"})),
                          std::string(api::GetString(*e, {"message"})));
    }
    std::sort(events.begin(), events.end());
    std::vector<std::string> out;
    for (const auto& [k, m] : events) out.push_back(m);
    return out;
  }

  std::string NewSetName() {
    for (const auto& rs : informers_->For(client::ReplicaSets()).List("default")) {
      json::value d = Deployment();
      if (api::GetString(*rs, {"metadata", "annotations", "deployment.kubernetes.io/revision"}) ==
          api::GetString(d, {"metadata", "annotations", "deployment.kubernetes.io/revision"})) {
        return std::string(api::GetString(*rs, {"metadata", "name"}));
      }
    }
    return "";
  }

  store::MemoryStore store_;
  FakeClock clock_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<client::InformerFactory> informers_;
  client::Informer* events_ = nullptr;
  std::atomic<int64_t> seen_{0};
  std::unique_ptr<client::InProcessClient> client_;
  std::unique_ptr<DeploymentController> dc_;
};

TEST_F(DeploymentControllerTest, CreatesTheFirstReplicaSetWithHashRevisionAndAnnotations) {
  Create(DeploymentManifest(3, "nginx:1.27"));
  Sync();
  auto sets = Sets();
  ASSERT_EQ(sets.size(), 1u);
  const std::string name = sets[0].name;
  ASSERT_EQ(name.rfind("web-", 0), 0u) << name;
  std::string hash = name.substr(4);
  EXPECT_TRUE(hash.find_first_not_of("456789bcdf") == std::string::npos) << hash;
  EXPECT_EQ(sets[0], (SetState{name, 3, "1"}));

  client::ObjPtr rs = Set(name);
  ASSERT_NE(rs, nullptr);
  EXPECT_EQ(rs->at("metadata").at("labels"),
            json::parse(R"({"app":"web","pod-template-hash":")" + hash + R"("})"));
  EXPECT_EQ(api::GetString(*rs, {"spec", "selector", "matchLabels", "pod-template-hash"}), hash);
  EXPECT_EQ(api::GetString(*rs, {"spec", "template", "metadata", "labels", "pod-template-hash"}),
            hash);
  EXPECT_EQ(rs->at("metadata").at("annotations"),
            json::parse(R"({"kubernetes.io/change-cause":"create",
                            "deployment.kubernetes.io/revision":"1",
                            "deployment.kubernetes.io/desired-replicas":"3",
                            "deployment.kubernetes.io/max-replicas":"4"})"));
  const json::value& ref = rs->at("metadata").at("ownerReferences").at(0);
  EXPECT_EQ(api::GetString(ref, {"kind"}), "Deployment");
  EXPECT_EQ(api::GetString(ref, {"name"}), "web");
  EXPECT_TRUE(api::GetBool(ref, {"controller"}));
  EXPECT_TRUE(api::GetBool(ref, {"blockOwnerDeletion"}));

  json::value d = Deployment();
  EXPECT_EQ(api::GetString(d, {"metadata", "annotations", "deployment.kubernetes.io/revision"}),
            "1");
  EXPECT_EQ(api::GetInt(d, {"metadata", "generation"}), 1);  // status writes do not bump it
  const json::value* progressing = Cond(d, "Progressing");
  ASSERT_NE(progressing, nullptr) << json::serialize(d);
  EXPECT_EQ(api::GetString(*progressing, {"reason"}), "NewReplicaSetCreated");
  EXPECT_EQ(api::GetString(*progressing, {"message"}), "Created new replica set \"" + name + "\"");
  EXPECT_EQ(Reason(d, "Available"), "MinimumReplicasUnavailable");
  EXPECT_EQ(api::GetInt(d, {"status", "observedGeneration"}), 1);
  EXPECT_EQ(EventMessages(),
            std::vector<std::string>{"Scaled up replica set " + name + " from 0 to 3"});

  // Pods come up: the rollout completes.
  Kubelet();
  Sync();
  d = Deployment();
  for (const char* field : {"replicas", "updatedReplicas", "readyReplicas", "availableReplicas"})
    EXPECT_EQ(api::GetInt(d, {"status", field}), 3) << field;
  EXPECT_EQ(api::GetInt(d, {"status", "unavailableReplicas"}), 0);
  EXPECT_EQ(Reason(d, "Available"), "MinimumReplicasAvailable");
  EXPECT_EQ(Reason(d, "Progressing"), "NewReplicaSetAvailable");
  EXPECT_EQ(api::GetString(*Cond(d, "Progressing"), {"message"}),
            "ReplicaSet \"" + name + "\" has successfully progressed.");
}

TEST_F(DeploymentControllerTest, RollingUpdateStepsWithinSurgeAndUnavailable) {
  Create(DeploymentManifest(3, "nginx:1.27"));
  Converge(1, 0);
  std::string first = Sets()[0].name;
  Edit([](json::value& d) {
    d.at("metadata").at("annotations").as_object()["kubernetes.io/change-cause"] = "v2";
    d.at("spec").at("template").at("spec").at("containers").at(0).as_object()["image"] =
        "nginx:1.28";
  });
  Converge(1, 0);  // 25%/25% of 3: surge 1, unavailable 0
  auto sets = Sets();
  ASSERT_EQ(sets.size(), 2u);
  std::string second = sets[1].name;
  EXPECT_EQ(sets, (std::vector<SetState>{{first, 0, "1"}, {second, 3, "2"}}));
  EXPECT_EQ(api::GetString(*Set(second), {"metadata", "annotations", "kubernetes.io/change-cause"}),
            "v2");
  EXPECT_EQ(api::GetString(*Set(first), {"metadata", "annotations", "kubernetes.io/change-cause"}),
            "create");
  EXPECT_EQ(EventMessages(), (std::vector<std::string>{
                                 "Scaled up replica set " + first + " from 0 to 3",
                                 "Scaled up replica set " + second + " from 0 to 1",
                                 "Scaled down replica set " + first + " from 3 to 2",
                                 "Scaled up replica set " + second + " from 1 to 2",
                                 "Scaled down replica set " + first + " from 2 to 1",
                                 "Scaled up replica set " + second + " from 2 to 3",
                                 "Scaled down replica set " + first + " from 1 to 0",
                             }));
  json::value d = Deployment();
  EXPECT_EQ(api::GetString(d, {"metadata", "annotations", "deployment.kubernetes.io/revision"}),
            "2");
}

TEST_F(DeploymentControllerTest, RollingUpdateOfTenWithSurgeThreeUnavailableTwo) {
  json::value m = DeploymentManifest(10, "nginx:1.27");
  m.at("spec").as_object()["strategy"] =
      json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":3,"maxUnavailable":2}})");
  Create(m);
  Converge(3, 2);
  SetImage("nginx:1.28");
  int steps = Converge(3, 2);
  EXPECT_GT(steps, 2);
  auto sets = Sets();
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].replicas, 0);
  EXPECT_EQ(sets[1].replicas, 10);
}

TEST_F(DeploymentControllerTest, FailingNewReplicaSetKeepsOldPodsThenTimesOut) {
  json::value m = DeploymentManifest(3, "nginx:1.27");
  m.at("spec").as_object()["progressDeadlineSeconds"] = 30;
  Create(m);
  Converge(1, 0);
  std::string first = Sets()[0].name;
  SetImage("broken");
  for (int i = 0; i < 10; ++i) {
    Sync();
    Kubelet();
  }
  auto sets = Sets();
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0], (SetState{first, 3, "1"}));  // the old pods stay
  EXPECT_EQ(sets[1].replicas, 1);                 // one surge pod, never available
  json::value d = Deployment();
  EXPECT_EQ(Reason(d, "Progressing"), "ReplicaSetUpdated");
  EXPECT_EQ(Reason(d, "Available"), "MinimumReplicasAvailable");
  EXPECT_EQ(api::GetInt(d, {"status", "unavailableReplicas"}), 1);

  clock_.Advance(absl::Seconds(31));
  Sync();
  d = Deployment();
  const json::value* progressing = Cond(d, "Progressing");
  ASSERT_NE(progressing, nullptr);
  EXPECT_EQ(api::GetString(*progressing, {"status"}), "False");
  EXPECT_EQ(api::GetString(*progressing, {"reason"}), "ProgressDeadlineExceeded");
  EXPECT_EQ(api::GetString(*progressing, {"message"}),
            "ReplicaSet \"" + sets[1].name + "\" has timed out progressing.");
  // Timing out only reports: nothing was scaled.
  EXPECT_EQ(Sets(), sets);
}

TEST_F(DeploymentControllerTest, ScalingAStuckRolloutIsProportional) {
  json::value m = DeploymentManifest(10, "nginx:1.27");
  m.at("spec").as_object()["strategy"] =
      json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":3,"maxUnavailable":2}})");
  Create(m);
  Converge(3, 2);
  SetImage("broken");
  for (int i = 0; i < 8; ++i) {
    Sync();
    Kubelet();
  }
  auto sets = Sets();
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].replicas, 8);
  EXPECT_EQ(sets[1].replicas, 5);

  Edit([](json::value& d) { d.at("spec").as_object()["replicas"] = 30; });
  Sync();
  sets = Sets();
  EXPECT_EQ(sets[0].replicas, 20);
  EXPECT_EQ(sets[1].replicas, 13);
  for (const auto& s : sets) {
    auto rs = Set(s.name);
    EXPECT_EQ(api::GetString(
                  *rs, {"metadata", "annotations", "deployment.kubernetes.io/desired-replicas"}),
              "30");
    EXPECT_EQ(
        api::GetString(*rs, {"metadata", "annotations", "deployment.kubernetes.io/max-replicas"}),
        "33");
  }
}

TEST_F(DeploymentControllerTest, PausedDeploymentScalesButDoesNotRollOut) {
  Create(DeploymentManifest(3, "nginx:1.27"));
  Converge(1, 0);
  Edit([](json::value& d) { d.at("spec").as_object()["paused"] = true; });
  Sync();
  EXPECT_EQ(Reason(Deployment(), "Progressing"), "DeploymentPaused");
  SetImage("nginx:1.28");
  Edit([](json::value& d) { d.at("spec").as_object()["replicas"] = 5; });
  Sync();
  Kubelet();
  Sync();
  auto sets = Sets();
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].replicas, 5);

  Edit([](json::value& d) { d.at("spec").as_object()["paused"] = false; });
  Sync();  // DeploymentResumed, and in the same sync the rollout starts
  EXPECT_EQ(Reason(Deployment(), "Progressing"), "NewReplicaSetCreated");
  EXPECT_EQ(Sets().size(), 2u);
  Converge(2, 1);  // 25% of 5: surge 2, unavailable 1
  sets = Sets();
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[1].replicas, 5);
}

TEST_F(DeploymentControllerTest, RecreateScalesDownBeforeCreatingTheNewSet) {
  json::value m = DeploymentManifest(2, "nginx:1.27");
  m.at("spec").as_object()["strategy"] = json::parse(R"({"type":"Recreate"})");
  Create(m);
  Sync();
  Kubelet();
  Sync();
  std::string first = Sets()[0].name;
  SetImage("nginx:1.28");
  Sync();  // old set to 0, no new set while its pods exist
  EXPECT_EQ(Sets(), (std::vector<SetState>{{first, 0, "1"}}));
  Sync();
  EXPECT_EQ(Sets().size(), 1u);
  Kubelet();  // the old pods are gone
  Sync();
  auto sets = Sets();
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[1].replicas, 2);
  EXPECT_EQ(sets[1].revision, "2");
}

TEST_F(DeploymentControllerTest, RollingBackRenumbersTheOldSet) {
  Create(DeploymentManifest(2, "nginx:1.27"));
  Converge(1, 0);
  std::string first = Sets()[0].name;
  SetImage("nginx:1.28");
  Converge(1, 0);
  SetImage("nginx:1.27");  // what `kubectl rollout undo` sends, minus the annotations
  Converge(1, 0);
  auto sets = Sets();
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0], (SetState{first, 2, "3"}));
  EXPECT_EQ(sets[1].revision, "2");
  EXPECT_EQ(sets[1].replicas, 0);
  EXPECT_EQ(api::GetString(*Set(first), {"metadata", "annotations",
                                         "deployment.kubernetes.io/revision-history"}),
            "1");
  EXPECT_EQ(api::GetString(Deployment(),
                           {"metadata", "annotations", "deployment.kubernetes.io/revision"}),
            "3");
}

TEST_F(DeploymentControllerTest, LegacyRollbackAnnotationRestoresTheTemplate) {
  Create(DeploymentManifest(2, "nginx:1.27"));
  Converge(1, 0);
  SetImage("nginx:1.28");
  Converge(1, 0);
  Edit([](json::value& d) {
    d.at("metadata").at("annotations").as_object()["deprecated.deployment.rollback.to"] = "1";
  });
  Sync();
  json::value d = Deployment();
  EXPECT_EQ(
      api::GetString(d.at("spec").at("template").at("spec").at("containers").at(0), {"image"}),
      "nginx:1.27");
  EXPECT_EQ(api::Find(d, {"metadata", "annotations", "deprecated.deployment.rollback.to"}),
            nullptr);
  EXPECT_EQ(api::Find(d, {"spec", "template", "metadata", "labels", "pod-template-hash"}), nullptr);
  auto events = EventMessages();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "Rolled back deployment \"web\" to revision 1");
  Converge(1, 0);
  EXPECT_EQ(Sets().size(), 2u);  // the first set came back as revision 3
}

TEST_F(DeploymentControllerTest, RevisionHistoryLimitDeletesIdleOldSets) {
  json::value m = DeploymentManifest(1, "nginx:1");
  m.at("spec").as_object()["revisionHistoryLimit"] = 1;
  Create(m);
  Converge(1, 0);
  for (std::string image : {"nginx:2", "nginx:3", "nginx:4"}) {
    SetImage(image);
    Converge(1, 0);
    Sync();  // the completed rollout cleans up
  }
  auto sets = Sets();
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].revision, "3");
  EXPECT_EQ(sets[1].revision, "4");
}

TEST_F(DeploymentControllerTest, AdoptsMatchingOrphansAndReleasesMismatches) {
  auto orphan = client_->Create(client::ReplicaSets(), "default", json::parse(R"({
    "apiVersion":"apps/v1","kind":"ReplicaSet",
    "metadata":{"name":"stray","labels":{"app":"web","extra":"x"}},
    "spec":{"replicas":0,"selector":{"matchLabels":{"app":"web","extra":"x"}},
            "template":{"metadata":{"labels":{"app":"web","extra":"x"}},
                        "spec":{"containers":[{"name":"c","image":"old"}]}}}})"));
  ASSERT_TRUE(orphan.ok()) << orphan.status();
  Create(DeploymentManifest(1, "nginx:1.27"));
  Sync();
  json::value d = Deployment();
  std::string uid(api::GetString(d, {"metadata", "uid"}));
  client::ObjPtr stray = Set("stray");
  ASSERT_NE(stray, nullptr);
  const json::value* ref = api::Find(*stray, {"metadata", "ownerReferences"});
  ASSERT_NE(ref, nullptr) << json::serialize(*stray);
  EXPECT_EQ(api::GetString(ref->at(0), {"uid"}), uid);
  EXPECT_EQ(Sets().size(), 2u);

  // Its labels change: it no longer matches and is let go.
  auto cur = client_->Get(client::ReplicaSets(), "default", "stray");
  ASSERT_TRUE(cur.ok());
  cur->at("metadata").at("labels").as_object()["app"] = "other";
  ASSERT_TRUE(client_->Update(client::ReplicaSets(), *cur, "").ok());
  Sync();
  EXPECT_EQ(api::Find(*Set("stray"), {"metadata", "ownerReferences"}), nullptr);
}

TEST_F(DeploymentControllerTest, HashCollisionBumpsCollisionCount) {
  Create(DeploymentManifest(1, "nginx:1.27"));
  // Someone else's set already has the name the template hashes to.
  std::string hash = ComputeHash(Deployment().at("spec").at("template"), std::nullopt);
  auto squatter = client_->Create(client::ReplicaSets(), "default",
                                  json::parse(R"({
    "apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web-)" +
                                              hash + R"("},
    "spec":{"replicas":0,"selector":{"matchLabels":{"x":"y"}},
            "template":{"metadata":{"labels":{"x":"y"}},
                        "spec":{"containers":[{"name":"c","image":"other"}]}}}})"));
  ASSERT_TRUE(squatter.ok()) << squatter.status();
  Settle();
  EXPECT_FALSE(dc_->Sync("default/web").ok());
  Settle();
  EXPECT_EQ(api::GetInt(Deployment(), {"status", "collisionCount"}, -1), 1);
  Sync();
  std::string mine = NewSetName();
  EXPECT_EQ(mine, "web-" + ComputeHash(Deployment().at("spec").at("template"), 1));
}

}  // namespace
}  // namespace skiff::controllers::deployment
