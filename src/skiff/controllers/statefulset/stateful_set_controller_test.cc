// The StatefulSet controller against a real in-process API server (memory store, registry, watch
// cache, informers), one Sync() at a time with a fake clock. A stand-in kubelet binds pods to a
// node, reports them Running and Ready (unless their image is "broken") and finishes graceful
// deletions, so each test walks a set through its states and checks exact pods, claims,
// revisions, status and events.
#include "skiff/controllers/statefulset/stateful_set_controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "skiff/api/object.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/controllers/history/history.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::controllers::statefulset {
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

// The tutorial's counter set: a claim template, a headless service name.
json::value Counter(int replicas, std::string_view extra_spec = "") {
  std::string spec = R"("replicas":)" + std::to_string(replicas) + R"(,"serviceName":"counter",
      "selector":{"matchLabels":{"app":"counter"}},
      "template":{"metadata":{"labels":{"app":"counter"}},
        "spec":{"containers":[{"name":"counter","image":"counter:v1",
                               "volumeMounts":[{"name":"data","mountPath":"/data"}]}]}},
      "volumeClaimTemplates":[{"metadata":{"name":"data"},
        "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}])";
  if (!extra_spec.empty()) spec += "," + std::string(extra_spec);
  return json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet",
      "metadata":{"name":"counter","namespace":"default"},"spec":{)" +
                     spec + "}}");
}

class StatefulSetControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<apiserver::ApiServer>(
        &store_, apiserver::ApiServerOptions{.bind = "127.0.0.1", .port = 0}, clock_);
    informers_ = std::make_unique<client::InformerFactory>(&server_->cache());
    events_ = &informers_->For(client::Events());
    server_->cache().AddListener([this](const api::ResourceInfo&, const apiserver::WatchEvent& ev) {
      int64_t cur = seen_.load();
      while (ev.rv > cur && !seen_.compare_exchange_weak(cur, ev.rv)) {
      }
    });
    client_ = std::make_unique<client::InProcessClient>(&server_->registry(), "test");
    ssc_ = std::make_unique<StatefulSetController>(
        client_.get(), *informers_, StatefulSetControllerOptions{.workers = 1, .clock = &clock_});
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    ssc_.reset();
    server_->Stop();
  }

  void Settle() {
    server_->cache().WaitForRevision(store_.CurrentRevision());
    for (int i = 0; i < 2000 && seen_.load() < server_->cache().Revision(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  void Create(json::value obj) {
    auto res = client_->Create(client::StatefulSets(), "default", std::move(obj));
    ASSERT_TRUE(res.ok()) << res.status();
  }
  template <typename F>
  void Edit(F change) {
    Settle();
    auto cur = client_->Get(client::StatefulSets(), "default", "counter");
    ASSERT_TRUE(cur.ok()) << cur.status();
    change(*cur);
    auto res = client_->Update(client::StatefulSets(), std::move(*cur), "");
    ASSERT_TRUE(res.ok()) << res.status();
  }
  void SetImage(std::string_view image) {
    Edit([&](json::value& s) {
      s.at("spec").at("template").at("spec").at("containers").at(0).as_object()["image"] = image;
    });
  }
  void Scale(int replicas) {
    Edit([&](json::value& s) { s.at("spec").as_object()["replicas"] = replicas; });
  }

  void Sync() {
    clock_.Advance(absl::Seconds(1));
    Settle();
    absl::Status s = ssc_->Sync("default/counter");
    ASSERT_TRUE(s.ok()) << s;
    Settle();
  }

  // Binds new pods, makes them Running (and Ready unless the image is "broken"), and finishes
  // graceful deletions.
  void Kubelet() {
    Settle();
    for (const auto& p : informers_->For(client::Pods()).List("default")) {
      std::string name(api::GetString(*p, {"metadata", "name"}));
      if (api::Find(*p, {"metadata", "deletionTimestamp"}) != nullptr) {
        client::DeleteOptions opts;
        opts.grace_period_seconds = 0;
        ASSERT_TRUE(client_->Delete(client::Pods(), "default", name, opts).ok());
        continue;
      }
      if (api::GetString(*p, {"spec", "nodeName"}).empty()) {
        ASSERT_TRUE(client_
                        ->Bind("default", name,
                               std::string(api::GetString(*p, {"metadata", "uid"})), "node-1")
                        .ok());
      }
      if (api::GetString(*p, {"status", "phase"}) != "Pending") continue;
      auto cur = client_->Get(client::Pods(), "default", name);
      ASSERT_TRUE(cur.ok());
      bool ready = api::GetString(cur->at("spec").at("containers").at(0), {"image"}) != "broken";
      json::object& status = cur->as_object()["status"].as_object();
      status["phase"] = "Running";
      status["conditions"] =
          json::array{json::object{{"type", "Ready"},
                                   {"status", ready ? "True" : "False"},
                                   {"lastTransitionTime", base::FormatRfc3339(clock_.Now())}}};
      auto res = client_->Update(client::Pods(), std::move(*cur), "status");
      ASSERT_TRUE(res.ok()) << res.status();
    }
    Settle();
  }
  // Finishes graceful deletions only.
  void Reap() {
    Settle();
    for (const auto& p : informers_->For(client::Pods()).List("default")) {
      if (api::Find(*p, {"metadata", "deletionTimestamp"}) == nullptr) continue;
      client::DeleteOptions opts;
      opts.grace_period_seconds = 0;
      ASSERT_TRUE(
          client_->Delete(client::Pods(), "default", api::GetString(*p, {"metadata", "name"}), opts)
              .ok());
    }
    Settle();
  }

  // Revision names to their numbers.
  std::map<std::string, int64_t> RevisionNumbers() {
    Settle();
    std::map<std::string, int64_t> out;
    for (const auto& r : informers_->For(client::ControllerRevisions()).List("default")) {
      out[std::string(api::GetString(*r, {"metadata", "name"}))] = api::GetInt(*r, {"revision"});
    }
    return out;
  }

  // "counter-0:1" (pod name and the number of its revision), "+T" when terminating, "+U" when
  // not ready, sorted by name.
  std::vector<std::string> Pods() {
    Settle();
    auto numbers = RevisionNumbers();
    std::vector<std::string> out;
    for (const auto& p : informers_->For(client::Pods()).List("default")) {
      std::string rev(api::GetString(*p, {"metadata", "labels", "controller-revision-hash"}));
      std::string s = std::string(api::GetString(*p, {"metadata", "name"})) + ":" +
                      (numbers.count(rev) ? std::to_string(numbers[rev]) : "?");
      if (api::Find(*p, {"metadata", "deletionTimestamp"}) != nullptr) s += "+T";
      if (api::GetString(*p, {"status", "phase"}) == "Running" && !IsReady(*p)) s += "+U";
      out.push_back(s);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static bool IsReady(const json::value& pod) {
    if (const json::array* conds = api::GetArray(pod, {"status", "conditions"}))
      for (const auto& c : *conds)
        if (api::GetString(c, {"type"}) == "Ready") return api::GetString(c, {"status"}) == "True";
    return false;
  }

  std::vector<std::string> Claims() {
    Settle();
    std::vector<std::string> out;
    for (const auto& c : informers_->For(client::PersistentVolumeClaims()).List("default")) {
      std::string s(api::GetString(*c, {"metadata", "name"}));
      if (const json::array* refs = api::GetArray(*c, {"metadata", "ownerReferences"}))
        for (const auto& r : *refs) s += "<" + std::string(api::GetString(r, {"kind"}));
      out.push_back(s);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  json::value StatefulSet() {
    Settle();
    auto s = client_->Get(client::StatefulSets(), "default", "counter");
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : json::value();
  }
  json::value Status() { return StatefulSet().at("status"); }

  std::vector<std::string> EventMessages() {
    ssc_->FlushEvents();
    Settle();
    std::vector<std::pair<std::string, std::string>> events;
    for (const auto& e : events_->List("default")) {
      events.emplace_back(std::string(api::GetString(*e, {"metadata", "creationTimestamp"})) +
                              std::string(api::GetString(*e, {"metadata", "name"})),
                          std::string(api::GetString(*e, {"reason"})) + " " +
                              std::string(api::GetString(*e, {"message"})));
    }
    std::sort(events.begin(), events.end());
    std::vector<std::string> out;
    for (const auto& [k, m] : events) out.push_back(m);
    return out;
  }

  // Sync and Kubelet in turn until nothing changes any more (at most `rounds`).
  void Converge(int rounds = 40) {
    for (int i = 0; i < rounds; ++i) {
      auto before = Pods();
      auto status_before = json::serialize(Status());
      Sync();
      Kubelet();
      if (Pods() == before && json::serialize(Status()) == status_before) return;
    }
    ADD_FAILURE() << "no convergence";
  }

  store::MemoryStore store_;
  FakeClock clock_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<client::InformerFactory> informers_;
  client::Informer* events_ = nullptr;
  std::atomic<int64_t> seen_{0};
  std::unique_ptr<client::Client> client_;
  std::unique_ptr<StatefulSetController> ssc_;
};

using Strings = std::vector<std::string>;

TEST_F(StatefulSetControllerTest, OrderedReadyCreatesOnePodAtATimeAfterItsClaim) {
  Create(Counter(3));
  Sync();
  EXPECT_EQ(Pods(), Strings{"counter-0:1"});
  EXPECT_EQ(Claims(), Strings{"data-counter-0"});
  // counter-0 is Pending: nothing more happens.
  Sync();
  EXPECT_EQ(Pods(), Strings{"counter-0:1"});
  Kubelet();
  Sync();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1"}));
  Kubelet();
  Sync();
  Kubelet();
  Sync();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1", "counter-2:1"}));
  EXPECT_EQ(Claims(), (Strings{"data-counter-0", "data-counter-1", "data-counter-2"}));

  auto pod = client_->Get(client::Pods(), "default", "counter-1");
  ASSERT_TRUE(pod.ok());
  std::string rev = RevisionNumbers().begin()->first;
  EXPECT_EQ(pod->at("metadata").at("labels"),
            json::parse(R"({"app":"counter","statefulset.kubernetes.io/pod-name":"counter-1",
                            "apps.kubernetes.io/pod-index":"1","controller-revision-hash":")" +
                        rev + R"("})"));
  EXPECT_EQ(api::GetString(*pod, {"spec", "hostname"}), "counter-1");
  EXPECT_EQ(api::GetString(*pod, {"spec", "subdomain"}), "counter");
  EXPECT_EQ(
      pod->at("spec").at("volumes").at(0),
      json::parse(R"({"name":"data","persistentVolumeClaim":{"claimName":"data-counter-1"}})"));
  EXPECT_EQ(api::GetString(pod->at("metadata").at("ownerReferences").at(0), {"kind"}),
            "StatefulSet");
  auto claim = client_->Get(client::PersistentVolumeClaims(), "default", "data-counter-1");
  ASSERT_TRUE(claim.ok());
  EXPECT_EQ(claim->at("metadata").at("labels"), json::parse(R"({"app":"counter"})"));

  Sync();
  json::value status = Status();
  EXPECT_EQ(status, json::parse(R"({"observedGeneration":1,"replicas":3,"readyReplicas":3,
      "currentReplicas":3,"updatedReplicas":3,"currentRevision":")" +
                                rev + R"(","updateRevision":")" + rev +
                                R"(","collisionCount":0,"availableReplicas":3})"))
      << json::serialize(status);
  EXPECT_EQ(EventMessages(),
            (Strings{"SuccessfulCreate create Claim data-counter-0 Pod counter-0 in StatefulSet "
                     "counter success",
                     "SuccessfulCreate create Pod counter-0 in StatefulSet counter successful",
                     "SuccessfulCreate create Claim data-counter-1 Pod counter-1 in StatefulSet "
                     "counter success",
                     "SuccessfulCreate create Pod counter-1 in StatefulSet counter successful",
                     "SuccessfulCreate create Claim data-counter-2 Pod counter-2 in StatefulSet "
                     "counter success",
                     "SuccessfulCreate create Pod counter-2 in StatefulSet counter successful"}));
}

TEST_F(StatefulSetControllerTest, ParallelCreatesEveryPodInOneSync) {
  Create(Counter(5, R"("podManagementPolicy":"Parallel","ordinals":{"start":3})"));
  Sync();
  EXPECT_EQ(Pods(),
            (Strings{"counter-3:1", "counter-4:1", "counter-5:1", "counter-6:1", "counter-7:1"}));
  EXPECT_EQ(Claims().size(), 5u);
  // Scaling down deletes all condemned pods at once, even though none is ready.
  Scale(2);
  Sync();
  EXPECT_EQ(Pods(), (Strings{"counter-3:1", "counter-4:1"}));
}

TEST_F(StatefulSetControllerTest, ScaleDownRemovesTheHighestFirstAndRetainsClaims) {
  Create(Counter(3));
  Converge();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1", "counter-2:1"}));
  Scale(1);
  Sync();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1", "counter-2:1+T"}));
  // Waits for the terminating pod before the next one.
  Sync();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1", "counter-2:1+T"}));
  Reap();
  Sync();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1+T"}));
  Reap();
  Sync();
  EXPECT_EQ(Pods(), Strings{"counter-0:1"});
  EXPECT_EQ(Claims(), (Strings{"data-counter-0", "data-counter-1", "data-counter-2"}));
  // Scaling up again reuses the claims.
  Scale(3);
  Converge();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1", "counter-2:1"}));
  EXPECT_EQ(Claims(), (Strings{"data-counter-0", "data-counter-1", "data-counter-2"}));
  auto events = EventMessages();
  EXPECT_EQ(std::count(events.begin(), events.end(),
                       "SuccessfulDelete delete Pod counter-2 in StatefulSet counter successful"),
            1);
  EXPECT_EQ(std::count(events.begin(), events.end(),
                       "SuccessfulCreate create Claim data-counter-2 Pod counter-2 in StatefulSet "
                       "counter success"),
            1);
}

TEST_F(StatefulSetControllerTest, OrderedReadyScaleDownStopsWhileAPodIsUnhealthy) {
  Create(Counter(3));
  Converge();
  // counter-0 becomes unready: counter-2 must not go.
  auto pod = client_->Get(client::Pods(), "default", "counter-0");
  ASSERT_TRUE(pod.ok());
  pod->at("status").at("conditions").at(0).as_object()["status"] = "False";
  ASSERT_TRUE(client_->Update(client::Pods(), std::move(*pod), "status").ok());
  Scale(2);
  Sync();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1+U", "counter-1:1", "counter-2:1"}));
}

TEST_F(StatefulSetControllerTest, RetentionPolicyReferencesAndDeletesClaims) {
  Create(Counter(3, R"("persistentVolumeClaimRetentionPolicy":
                        {"whenDeleted":"Delete","whenScaled":"Delete"})"));
  Converge();
  // In range: the set owns the claims (the garbage collector deletes them with it).
  EXPECT_EQ(Claims(), (Strings{"data-counter-0<StatefulSet", "data-counter-1<StatefulSet",
                               "data-counter-2<StatefulSet"}));
  Scale(2);
  Sync();
  // Condemned: its claim moves to the pod before the pod is deleted.
  EXPECT_EQ(Claims(), (Strings{"data-counter-0<StatefulSet", "data-counter-1<StatefulSet",
                               "data-counter-2<Pod"}));
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1", "counter-2:1+T"}));
  auto claim = client_->Get(client::PersistentVolumeClaims(), "default", "data-counter-2");
  ASSERT_TRUE(claim.ok());
  const json::value& ref = claim->at("metadata").at("ownerReferences").at(0);
  EXPECT_EQ(api::GetString(ref, {"name"}), "counter-2");
  EXPECT_TRUE(api::GetBool(ref, {"controller"}));
  EXPECT_TRUE(api::GetBool(ref, {"blockOwnerDeletion"}));
}

TEST_F(StatefulSetControllerTest, StaleClaimOfAnEarlierPodBlocksCreation) {
  Create(Counter(1, R"("persistentVolumeClaimRetentionPolicy":
                        {"whenDeleted":"Retain","whenScaled":"Delete"})"));
  json::value claim = json::parse(R"({"apiVersion":"v1","kind":"PersistentVolumeClaim",
      "metadata":{"name":"data-counter-0","ownerReferences":[{"apiVersion":"v1","kind":"Pod",
        "name":"counter-0","uid":"gone-pod","controller":true}]},
      "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}})");
  ASSERT_TRUE(client_->Create(client::PersistentVolumeClaims(), "default", claim).ok());
  Sync();
  EXPECT_EQ(Pods(), Strings{});
  // Gone (past the protection finalizer the API server may have added).
  ASSERT_TRUE(client_->Delete(client::PersistentVolumeClaims(), "default", "data-counter-0").ok());
  auto res = client_->Patch(client::PersistentVolumeClaims(), "default", "data-counter-0",
                            "application/merge-patch+json", R"({"metadata":{"finalizers":null}})");
  ASSERT_TRUE(res.ok() || client::IsNotFoundError(res.status())) << res.status();
  Sync();
  EXPECT_EQ(Pods(), Strings{"counter-0:1"});
  EXPECT_EQ(Claims(), Strings{"data-counter-0"});
}

TEST_F(StatefulSetControllerTest, RollingUpdateGoesFromTheHighestOrdinalAndWaitsForReady) {
  Create(Counter(3));
  Converge();
  std::string r1 = api::GetString(Status(), {"updateRevision"}).data();
  SetImage("counter:v2");
  Sync();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1", "counter-2:1+T"}));
  json::value status = Status();
  EXPECT_EQ(api::GetString(status, {"currentRevision"}), r1);
  EXPECT_NE(api::GetString(status, {"updateRevision"}), r1);
  EXPECT_EQ(api::GetInt(status, {"observedGeneration"}), 2);
  Reap();
  Sync();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1", "counter-2:2"}));
  // The new counter-2 is not ready yet: counter-1 stays.
  Sync();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1", "counter-2:2"}));
  Kubelet();
  Sync();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1+T", "counter-2:2"}));
  Converge();
  EXPECT_EQ(Pods(), (Strings{"counter-0:2", "counter-1:2", "counter-2:2"}));
  status = Status();
  EXPECT_EQ(api::GetString(status, {"currentRevision"}),
            api::GetString(status, {"updateRevision"}));
  EXPECT_EQ(api::GetInt(status, {"currentReplicas"}), 3);
  EXPECT_EQ(api::GetInt(status, {"updatedReplicas"}), 3);
  // The claims were kept across the replacements.
  EXPECT_EQ(Claims(), (Strings{"data-counter-0", "data-counter-1", "data-counter-2"}));
}

TEST_F(StatefulSetControllerTest, ABrokenImageStopsTheRolloutAfterTheFirstPod) {
  Create(Counter(3));
  Converge();
  SetImage("broken");
  Converge();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1", "counter-2:2+U"}));
  json::value status = Status();
  EXPECT_EQ(api::GetInt(status, {"readyReplicas"}), 2);
  EXPECT_EQ(api::GetInt(status, {"updatedReplicas"}), 1);
  EXPECT_EQ(api::GetInt(status, {"currentReplicas"}), 2);
}

TEST_F(StatefulSetControllerTest, PartitionKeepsLowerOrdinalsAtTheCurrentRevision) {
  Create(
      Counter(3, R"("updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}})"));
  Converge();
  SetImage("counter:v2");
  Converge();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1", "counter-2:2"}));
  json::value status = Status();
  EXPECT_NE(api::GetString(status, {"currentRevision"}),
            api::GetString(status, {"updateRevision"}));
  EXPECT_EQ(api::GetInt(status, {"currentReplicas"}), 2);
  EXPECT_EQ(api::GetInt(status, {"updatedReplicas"}), 1);
  // A pod below the partition deleted by hand comes back at the current revision.
  ASSERT_TRUE(client_->Delete(client::Pods(), "default", "counter-0").ok());
  Converge();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1", "counter-2:2"}));
  // Lowering the partition continues the rollout.
  Edit([](json::value& s) {
    s.at("spec").at("updateStrategy").at("rollingUpdate").as_object()["partition"] = 0;
  });
  Converge();
  EXPECT_EQ(Pods(), (Strings{"counter-0:2", "counter-1:2", "counter-2:2"}));
  status = Status();
  EXPECT_EQ(api::GetString(status, {"currentRevision"}),
            api::GetString(status, {"updateRevision"}));
}

TEST_F(StatefulSetControllerTest, OnDeleteReplacesOnlyDeletedPodsAndKeepsTheCurrentRevision) {
  Create(Counter(2, R"("updateStrategy":{"type":"OnDelete"})"));
  Converge();
  SetImage("counter:v2");
  Converge();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1"}));
  ASSERT_TRUE(client_->Delete(client::Pods(), "default", "counter-1").ok());
  Converge();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:2"}));
  ASSERT_TRUE(client_->Delete(client::Pods(), "default", "counter-0").ok());
  Converge();
  EXPECT_EQ(Pods(), (Strings{"counter-0:2", "counter-1:2"}));
  json::value status = Status();
  EXPECT_NE(api::GetString(status, {"currentRevision"}),
            api::GetString(status, {"updateRevision"}));
  EXPECT_EQ(api::GetInt(status, {"updatedReplicas"}), 2);
}

TEST_F(StatefulSetControllerTest, FailedAndDeletedPodsComeBackWithTheSameNameAndClaim) {
  Create(Counter(2));
  Converge();
  auto old = client_->Get(client::Pods(), "default", "counter-1");
  ASSERT_TRUE(old.ok());
  std::string old_uid(api::GetString(*old, {"metadata", "uid"}));
  old->at("status").as_object()["phase"] = "Failed";
  ASSERT_TRUE(client_->Update(client::Pods(), std::move(*old), "status").ok());
  Converge();
  auto recreated = client_->Get(client::Pods(), "default", "counter-1");
  ASSERT_TRUE(recreated.ok());
  EXPECT_NE(api::GetString(*recreated, {"metadata", "uid"}), old_uid);
  EXPECT_EQ(api::GetString(recreated->at("spec").at("volumes").at(0),
                           {"persistentVolumeClaim", "claimName"}),
            "data-counter-1");
  // A plain delete too.
  ASSERT_TRUE(client_->Delete(client::Pods(), "default", "counter-0").ok());
  Reap();
  Converge();
  EXPECT_EQ(Pods(), (Strings{"counter-0:1", "counter-1:1"}));
  EXPECT_EQ(Claims(), (Strings{"data-counter-0", "data-counter-1"}));
  auto events = EventMessages();
  EXPECT_EQ(std::count(events.begin(), events.end(),
                       "SuccessfulDelete delete Pod counter-1 in StatefulSet counter successful"),
            1);
}

TEST_F(StatefulSetControllerTest, RollbackRenumbersTheEarlierRevisionAndHistoryIsLimited) {
  Create(Counter(1, R"("revisionHistoryLimit":2)"));
  Converge();
  std::string r1(api::GetString(Status(), {"updateRevision"}));
  SetImage("counter:v2");
  Converge();
  std::string r2(api::GetString(Status(), {"updateRevision"}));
  EXPECT_EQ(RevisionNumbers(), (std::map<std::string, int64_t>{{r1, 1}, {r2, 2}}));
  // Back to v1 (what `kubectl rollout undo` does): the first revision becomes number 3.
  SetImage("counter:v1");
  Converge();
  EXPECT_EQ(api::GetString(Status(), {"updateRevision"}), r1);
  EXPECT_EQ(RevisionNumbers(), (std::map<std::string, int64_t>{{r1, 3}, {r2, 2}}));
  EXPECT_EQ(Pods(), Strings{"counter-0:3"});
  // More templates than the limit: the oldest non-live revisions go.
  for (std::string image : {"counter:v3", "counter:v4", "counter:v5"}) {
    SetImage(image);
    Converge();
  }
  auto numbers = RevisionNumbers();
  std::vector<int64_t> kept;
  for (const auto& [name, n] : numbers) kept.push_back(n);
  std::sort(kept.begin(), kept.end());
  // Live: the current one (6); history: at most 2 more.
  EXPECT_EQ(kept, (std::vector<int64_t>{4, 5, 6}));
}

TEST_F(StatefulSetControllerTest, AdoptsOrphanPodsAndRevisionsAndReleasesStrangers) {
  Create(Counter(1));
  Settle();
  // An orphan named like a member, and an orphan with another name: only the first is adopted.
  for (std::string name : {"counter-0", "counter-x"}) {
    json::value pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{
        "labels":{"app":"counter"}},"spec":{"containers":[{"name":"c","image":"i"}]}})");
    pod.at("metadata").as_object()["name"] = name;
    ASSERT_TRUE(client_->Create(client::Pods(), "default", pod).ok());
  }
  Sync();
  auto adopted = client_->Get(client::Pods(), "default", "counter-0");
  ASSERT_TRUE(adopted.ok());
  EXPECT_EQ(api::GetString(adopted->at("metadata").at("ownerReferences").at(0), {"kind"}),
            "StatefulSet");
  auto stranger = client_->Get(client::Pods(), "default", "counter-x");
  ASSERT_TRUE(stranger.ok());
  EXPECT_EQ(api::Find(*stranger, {"metadata", "ownerReferences"}), nullptr);
}

}  // namespace
}  // namespace skiff::controllers::statefulset
