// The DaemonSet controller against a real in-process API server (memory store, registry, watch
// cache, informers), one Sync() at a time with a fake clock. A stand-in for the scheduler and
// kubelets binds each daemon pod to the node its affinity term names, reports it Running and
// Ready (unless its image is "broken") and finishes graceful deletions, so each test walks
// nodes coming and going and rollouts step by step and checks exact pods, revisions and status.
#include "skiff/controllers/daemonset/daemon_set_controller.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "skiff/api/object.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/controllers/daemonset/daemon_pod.h"
#include "skiff/controllers/replicaset/pod_state.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::controllers::daemonset {
namespace {

namespace json = boost::json;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

// Moves on by a nanosecond at every reading, as a real clock would between two events (the
// event recorder names events by their time).
class FakeClock : public base::Clock {
 public:
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    now_ += absl::Nanoseconds(1);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  mutable absl::Time now_ ABSL_GUARDED_BY(mu_) = kT0;
};

// The tutorial's DaemonSet (the counter app), with `extra_spec` merged into the pod spec and
// `strategy` as spec.updateStrategy.
json::value DaemonSetManifest(std::string_view image, std::string_view extra_spec = "{}",
                              std::string_view strategy = "") {
  json::object pod_spec{
      {"containers",
       json::array{{{"name", "counter"},
                    {"image", image},
                    {"command", json::array{"/bin/sh", "-c", "while true; do sleep 1; done"}}}}}};
  json::value extra = json::parse(extra_spec);
  for (const auto& kv : extra.as_object()) pod_spec[kv.key()] = kv.value();
  json::object spec{
      {"selector", {{"matchLabels", {{"app", "counter"}}}}},
      {"template",
       {{"metadata", {{"labels", {{"app", "counter"}}}}}, {"spec", std::move(pod_spec)}}}};
  if (!strategy.empty()) spec["updateStrategy"] = json::parse(strategy);
  return json::value{{"apiVersion", "apps/v1"},
                     {"kind", "DaemonSet"},
                     {"metadata", {{"name", "counter"}, {"labels", {{"app", "counter"}}}}},
                     {"spec", std::move(spec)}};
}

constexpr std::string_view kControlPlaneTaint =
    R"([{"key":"node-role.kubernetes.io/control-plane","effect":"NoSchedule"}])";

class DaemonSetControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<apiserver::ApiServer>(
        &store_, apiserver::ApiServerOptions{.bind = "127.0.0.1", .port = 0}, clock_);
    informers_ = std::make_unique<client::InformerFactory>(&server_->cache());
    events_ = &informers_->For(client::Events());
    pods_ = &informers_->For(client::Pods());
    revisions_ = &informers_->For(client::ControllerRevisions());
    // Registered after the informers' listener: once it saw a revision, so did they.
    server_->cache().AddListener([this](const api::ResourceInfo&, const apiserver::WatchEvent& ev) {
      int64_t cur = seen_.load();
      while (ev.rv > cur && !seen_.compare_exchange_weak(cur, ev.rv)) {
      }
    });
    client_ = std::make_unique<client::InProcessClient>(&server_->registry(), "test");
    dsc_ = std::make_unique<DaemonSetController>(
        client_.get(), *informers_, DaemonSetControllerOptions{.workers = 1, .clock = &clock_});
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    dsc_.reset();
    server_->Stop();
  }

  // Waits until the informers have seen every write so far.
  void Settle() {
    server_->cache().WaitForRevision(store_.CurrentRevision());
    for (int i = 0; i < 2000 && seen_.load() < server_->cache().Revision(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  void AddNode(std::string_view name, std::string_view labels = "{}",
               std::string_view taints = "[]") {
    json::object meta{{"name", name}, {"labels", json::parse(labels)}};
    meta["labels"].as_object()["kubernetes.io/hostname"] = name;
    json::value node{{"apiVersion", "v1"},
                     {"kind", "Node"},
                     {"metadata", std::move(meta)},
                     {"spec", {{"taints", json::parse(taints)}}}};
    auto res = client_->Create(client::Nodes(), "", std::move(node));
    ASSERT_TRUE(res.ok()) << res.status();
  }
  // Applies `change` to the stored object (a kubectl edit).
  template <typename F>
  void Edit(const api::ResourceInfo& r, std::string_view ns, std::string_view name, F change) {
    Settle();
    auto cur = client_->Get(r, ns, name);
    ASSERT_TRUE(cur.ok()) << cur.status();
    change(*cur);
    auto res = client_->Update(r, std::move(*cur), "");
    ASSERT_TRUE(res.ok()) << res.status();
  }
  void EditNode(std::string_view name, std::function<void(json::value&)> change) {
    Edit(client::Nodes(), "", name, change);
  }
  void EditDaemonSet(std::function<void(json::value&)> change) {
    Edit(client::DaemonSets(), "default", "counter", change);
  }
  void SetImage(std::string_view image) {
    EditDaemonSet([&](json::value& ds) {
      ds.at("spec").at("template").at("spec").at("containers").at(0).as_object()["image"] = image;
    });
  }
  void Create(json::value ds) {
    auto res = client_->Create(client::DaemonSets(), "default", std::move(ds));
    ASSERT_TRUE(res.ok()) << res.status();
  }

  void Sync() {
    clock_.Advance(absl::Seconds(1));
    Settle();
    absl::Status s = dsc_->Sync("default/counter");
    ASSERT_TRUE(s.ok()) << s;
    Settle();
  }

  // The scheduler and kubelets: bind, run (and make ready), finish deletions.
  void Kubelet() {
    Settle();
    for (const client::ObjPtr& p : pods_->List("default")) {
      std::string name(api::GetString(*p, {"metadata", "name"}));
      if (IsDeleting(*p)) {
        client::DeleteOptions now;
        now.grace_period_seconds = 0;
        ASSERT_TRUE(client_->Delete(client::Pods(), "default", name, now).ok());
        continue;
      }
      if (api::GetString(*p, {"spec", "nodeName"}).empty()) {
        std::optional<std::string> node = TargetNodeName(*p);
        ASSERT_TRUE(node.has_value()) << json::serialize(*p);
        ASSERT_TRUE(
            client_->Bind("default", name, api::GetString(*p, {"metadata", "uid"}), *node).ok());
        continue;
      }
      std::string_view phase = api::GetString(*p, {"status", "phase"});
      if (!phase.empty() && phase != "Pending") continue;
      bool ready = api::GetString(p->at("spec").at("containers").at(0), {"image"}) != "broken";
      auto fresh = client_->Get(client::Pods(), "default", name);
      ASSERT_TRUE(fresh.ok());
      fresh->as_object()["status"] = json::object{
          {"phase", "Running"},
          {"conditions",
           json::array{json::object{{"type", "Ready"},
                                    {"status", ready ? "True" : "False"},
                                    {"lastTransitionTime", base::FormatRfc3339(clock_.Now())}}}}};
      auto res = client_->Update(client::Pods(), std::move(*fresh), "status");
      ASSERT_TRUE(res.ok()) << res.status();
    }
    Settle();
  }
  // Sync and kubelet until nothing changes.
  void Converge(int rounds = 6) {
    for (int i = 0; i < rounds; ++i) {
      Sync();
      Kubelet();
      Kubelet();
      Kubelet();
    }
    Sync();
  }
  void SetPodPhase(const std::string& name, std::string_view phase) {
    auto pod = client_->Get(client::Pods(), "default", name);
    ASSERT_TRUE(pod.ok());
    pod->as_object()["status"].as_object()["phase"] = phase;
    ASSERT_TRUE(client_->Update(client::Pods(), std::move(*pod), "status").ok());
    Settle();
  }

  json::value DaemonSet() {
    Settle();
    auto ds = client_->Get(client::DaemonSets(), "default", "counter");
    EXPECT_TRUE(ds.ok()) << ds.status();
    return ds.ok() ? *ds : json::value();
  }
  // Live pods as node -> "name image hash generation" (terminating ones marked).
  std::map<std::string, std::vector<std::string>> PodsByNode() {
    Settle();
    std::map<std::string, std::vector<std::string>> out;
    for (const client::ObjPtr& p : pods_->List("default")) {
      std::string node = TargetNodeName(*p).value_or("?");
      std::string image(api::GetString(p->at("spec").at("containers").at(0), {"image"}));
      out[node].push_back(image + (IsDeleting(*p) ? " (terminating)" : ""));
    }
    for (auto& [n, v] : out) std::sort(v.begin(), v.end());
    return out;
  }
  // Revisions as number -> the image of their template.
  std::map<int64_t, std::string> Revisions() {
    Settle();
    std::map<int64_t, std::string> out;
    for (const client::ObjPtr& r : revisions_->List("default")) {
      const json::value* c = api::Find(*r, {"data", "spec", "template", "spec", "containers"});
      out[api::GetInt(*r, {"revision"})] =
          c ? std::string(api::GetString(c->at(0), {"image"})) : "?";
    }
    return out;
  }
  std::string Status() {
    json::value ds = DaemonSet();
    auto f = [&](const char* k) { return std::to_string(api::GetInt(ds, {"status", k})); };
    return "desired=" + f("desiredNumberScheduled") + " current=" + f("currentNumberScheduled") +
           " misscheduled=" + f("numberMisscheduled") + " ready=" + f("numberReady") +
           " updated=" + f("updatedNumberScheduled") + " available=" + f("numberAvailable") +
           " unavailable=" + f("numberUnavailable") + " observed=" + f("observedGeneration");
  }
  std::vector<std::string> EventsWithReason(std::string_view reason) {
    dsc_->FlushEvents();
    Settle();
    std::vector<std::string> out;
    for (const client::ObjPtr& e : events_->List("default")) {
      if (api::GetString(*e, {"reason"}) == reason) {
        out.emplace_back(api::GetString(*e, {"message"}));
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  store::MemoryStore store_;
  FakeClock clock_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<client::InformerFactory> informers_;
  client::Informer* events_ = nullptr;
  client::Informer* pods_ = nullptr;
  client::Informer* revisions_ = nullptr;
  std::atomic<int64_t> seen_{0};
  std::unique_ptr<client::InProcessClient> client_;
  std::unique_ptr<DaemonSetController> dsc_;
};

using Placement = std::map<std::string, std::vector<std::string>>;

TEST_F(DaemonSetControllerTest, OnePodPerNodeButNotOnTheTaintedControlPlane) {
  AddNode("cp", "{}", kControlPlaneTaint);
  AddNode("w1");
  AddNode("w2");
  Create(DaemonSetManifest("busybox:1.36"));
  Sync();

  std::vector<client::ObjPtr> pods = pods_->List("default");
  ASSERT_EQ(pods.size(), 2u);
  auto revs = revisions_->List("default");
  ASSERT_EQ(revs.size(), 1u);
  std::string hash(api::GetString(*revs[0], {"metadata", "labels", "controller-revision-hash"}));
  EXPECT_EQ(api::GetString(*revs[0], {"metadata", "name"}), "counter-" + hash);
  EXPECT_EQ(api::GetInt(*revs[0], {"revision"}), 1);
  EXPECT_TRUE(hash.find_first_not_of("456789bcdf") == std::string::npos) << hash;
  std::set<std::string> nodes;
  for (const client::ObjPtr& p : pods) {
    const json::value& meta = p->at("metadata");
    EXPECT_EQ(api::GetString(meta, {"generateName"}), "counter-");
    EXPECT_EQ(meta.at("labels"), json::parse(R"({"app":"counter","pod-template-generation":"1",)"
                                             R"("controller-revision-hash":")" +
                                             hash + R"("})"));
    const json::value& ref = meta.at("ownerReferences").at(0);
    EXPECT_EQ(api::GetString(ref, {"kind"}), "DaemonSet");
    EXPECT_TRUE(api::GetBool(ref, {"controller"}));
    // Unbound, pinned to its node by affinity, tolerating what every daemon pod tolerates.
    EXPECT_EQ(api::GetString(*p, {"spec", "nodeName"}), "");
    nodes.insert(TargetNodeName(*p).value_or("?"));
    EXPECT_EQ(p->at("spec").at("tolerations").as_array().size(), 6u);
  }
  EXPECT_EQ(nodes, (std::set<std::string>{"w1", "w2"}));
  Sync();  // the status of the first sync may predate the informer seeing its pods
  EXPECT_EQ(Status(),
            "desired=2 current=2 misscheduled=0 ready=0 updated=2 available=0 "
            "unavailable=2 observed=1");
  EXPECT_EQ(EventsWithReason("SuccessfulCreate").size(), 2u);

  Converge();
  EXPECT_EQ(PodsByNode(), (Placement{{"w1", {"busybox:1.36"}}, {"w2", {"busybox:1.36"}}}));
  EXPECT_EQ(Status(),
            "desired=2 current=2 misscheduled=0 ready=2 updated=2 available=2 "
            "unavailable=0 observed=1");
}

TEST_F(DaemonSetControllerTest, ToleratingEverythingRunsOnTheControlPlaneToo) {
  AddNode("cp", "{}", kControlPlaneTaint);
  AddNode("w1");
  AddNode("w2");
  Create(DaemonSetManifest("busybox:1.36", R"({"tolerations":[{"operator":"Exists"}]})"));
  Converge();
  EXPECT_EQ(
      PodsByNode(),
      (Placement{{"cp", {"busybox:1.36"}}, {"w1", {"busybox:1.36"}}, {"w2", {"busybox:1.36"}}}));
  EXPECT_EQ(Status(),
            "desired=3 current=3 misscheduled=0 ready=3 updated=3 available=3 "
            "unavailable=0 observed=1");
}

TEST_F(DaemonSetControllerTest, PodsFollowNodes) {
  AddNode("a", R"({"tier":"edge"})");
  AddNode("b", R"({"tier":"edge"})");
  Create(DaemonSetManifest("busybox:1.36", R"({"nodeSelector":{"tier":"edge"}})"));
  Converge();
  EXPECT_EQ(PodsByNode(), (Placement{{"a", {"busybox:1.36"}}, {"b", {"busybox:1.36"}}}));

  // A new matching node gets a pod; a new other node does not.
  AddNode("c", R"({"tier":"edge"})");
  AddNode("d", R"({"tier":"core"})");
  Converge();
  EXPECT_EQ(PodsByNode(),
            (Placement{{"a", {"busybox:1.36"}}, {"b", {"busybox:1.36"}}, {"c", {"busybox:1.36"}}}));

  // Relabelled away: its pod goes. Relabelled in: it gets one.
  EditNode("a", [](json::value& n) { n.at("metadata").at("labels").as_object()["tier"] = "core"; });
  EditNode("d", [](json::value& n) { n.at("metadata").at("labels").as_object()["tier"] = "edge"; });
  Converge();
  EXPECT_EQ(PodsByNode(),
            (Placement{{"b", {"busybox:1.36"}}, {"c", {"busybox:1.36"}}, {"d", {"busybox:1.36"}}}));

  // NoSchedule keeps the running pod (it counts as misscheduled); NoExecute removes it.
  EditNode("b", [](json::value& n) {
    n.as_object()["spec"].as_object()["taints"] =
        json::parse(R"([{"key":"maintenance","effect":"NoSchedule"}])");
  });
  Converge();
  EXPECT_EQ(PodsByNode(),
            (Placement{{"b", {"busybox:1.36"}}, {"c", {"busybox:1.36"}}, {"d", {"busybox:1.36"}}}));
  EXPECT_EQ(Status(),
            "desired=2 current=2 misscheduled=1 ready=2 updated=2 available=2 "
            "unavailable=0 observed=1");
  EditNode("c", [](json::value& n) {
    n.as_object()["spec"].as_object()["taints"] =
        json::parse(R"([{"key":"maintenance","effect":"NoExecute"}])");
  });
  Converge();
  EXPECT_EQ(PodsByNode(), (Placement{{"b", {"busybox:1.36"}}, {"d", {"busybox:1.36"}}}));

  // A deleted node's bound pod is the pod garbage collector's; an unbound one is ours.
  ASSERT_TRUE(client_->Delete(client::Nodes(), "", "d", {}).ok());
  EXPECT_EQ(Status(),
            "desired=1 current=1 misscheduled=1 ready=1 updated=1 available=1 "
            "unavailable=0 observed=1");
  // Nothing reacts to the deletion itself; the next sync recounts.
  Sync();
  EXPECT_EQ(Status(),
            "desired=0 current=0 misscheduled=1 ready=0 updated=0 available=0 "
            "unavailable=0 observed=1");
  AddNode("e", R"({"tier":"edge"})");
  Sync();  // creates the pod for "e", unbound
  ASSERT_TRUE(client_->Delete(client::Nodes(), "", "e", {}).ok());
  Sync();
  Sync();
  EXPECT_EQ(PodsByNode(), (Placement{{"b", {"busybox:1.36"}}, {"d", {"busybox:1.36"}}}));
}

TEST_F(DaemonSetControllerTest, RollingUpdateReplacesOnePodAtATimeAndRollsBack) {
  for (std::string n : {"n1", "n2", "n3", "n4"}) AddNode(n);
  Create(DaemonSetManifest("busybox:1.36"));
  Converge();
  EXPECT_EQ(Revisions(), (std::map<int64_t, std::string>{{1, "busybox:1.36"}}));

  SetImage("busybox:1.37");
  EXPECT_EQ(api::GetString(DaemonSet(),
                           {"metadata", "annotations", "deprecated.daemonset.template.generation"}),
            "2");
  int max_unavailable_seen = 0;
  for (int step = 0; step < 40; ++step) {
    Sync();
    Kubelet();
    Kubelet();
    // Nodes without a ready pod of either revision.
    std::set<std::string> ready_nodes;
    for (const client::ObjPtr& p : pods_->List("default")) {
      if (!IsDeleting(*p) && replicaset::IsPodReady(*p)) {
        ready_nodes.insert(std::string(api::GetString(*p, {"spec", "nodeName"})));
      }
    }
    int unavailable = 4 - static_cast<int>(ready_nodes.size());
    max_unavailable_seen = std::max(max_unavailable_seen, unavailable);
  }
  EXPECT_EQ(max_unavailable_seen, 1);
  Placement all_new;
  for (std::string n : {"n1", "n2", "n3", "n4"}) all_new[n] = {"busybox:1.37"};
  EXPECT_EQ(PodsByNode(), all_new);
  EXPECT_EQ(Revisions(),
            (std::map<int64_t, std::string>{{1, "busybox:1.36"}, {2, "busybox:1.37"}}));
  EXPECT_EQ(Status(),
            "desired=4 current=4 misscheduled=0 ready=4 updated=4 available=4 "
            "unavailable=0 observed=2");
  for (const client::ObjPtr& p : pods_->List("default")) {
    EXPECT_EQ(api::GetString(*p, {"metadata", "labels", "pod-template-generation"}), "2");
  }

  // kubectl rollout undo: the strategic-merge patch is revision 1's data, sent back as is.
  client::ObjPtr rev1;
  for (const client::ObjPtr& r : revisions_->List("default")) {
    if (api::GetInt(*r, {"revision"}) == 1) rev1 = r;
  }
  ASSERT_NE(rev1, nullptr);
  std::string rev1_name(api::GetString(*rev1, {"metadata", "name"}));
  auto undone = client_->Patch(client::DaemonSets(), "default", "counter",
                               "application/strategic-merge-patch+json",
                               json::serialize(rev1->at("data")), "");
  ASSERT_TRUE(undone.ok()) << undone.status();
  Converge(8);
  Placement all_old;
  for (std::string n : {"n1", "n2", "n3", "n4"}) all_old[n] = {"busybox:1.36"};
  EXPECT_EQ(PodsByNode(), all_old);
  // The old revision is renumbered, not copied.
  EXPECT_EQ(Revisions(),
            (std::map<int64_t, std::string>{{2, "busybox:1.37"}, {3, "busybox:1.36"}}));
  Settle();
  EXPECT_NE(revisions_->Get("default", rev1_name), nullptr);
  EXPECT_EQ(Status(),
            "desired=4 current=4 misscheduled=0 ready=4 updated=4 available=4 "
            "unavailable=0 observed=3");
}

TEST_F(DaemonSetControllerTest, BrokenImageStopsAfterMaxUnavailable) {
  for (std::string n : {"n1", "n2", "n3"}) AddNode(n);
  Create(DaemonSetManifest("busybox:1.36"));
  Converge();
  SetImage("broken");
  Converge(8);
  // One node got the broken pod; it never becomes ready, so the others keep the old one.
  int broken = 0, old = 0;
  for (const auto& [node, images] : PodsByNode()) {
    ASSERT_EQ(images.size(), 1u) << node;
    broken += images[0] == "broken";
    old += images[0] == "busybox:1.36";
  }
  EXPECT_EQ(broken, 1);
  EXPECT_EQ(old, 2);
  EXPECT_EQ(Status(),
            "desired=3 current=3 misscheduled=0 ready=2 updated=1 available=2 "
            "unavailable=1 observed=2");
}

TEST_F(DaemonSetControllerTest, SurgeCreatesBesideTheOldPodFirst) {
  for (std::string n : {"n1", "n2"}) AddNode(n);
  Create(DaemonSetManifest(
      "busybox:1.36", "{}",
      R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}})"));
  Converge();
  SetImage("busybox:1.37");
  Sync();
  Placement p = PodsByNode();
  // One node runs both for a while; no node is ever without a pod.
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p["n1"], (std::vector<std::string>{"busybox:1.36", "busybox:1.37"}));
  EXPECT_EQ(p["n2"], (std::vector<std::string>{"busybox:1.36"}));
  Converge(8);
  EXPECT_EQ(PodsByNode(), (Placement{{"n1", {"busybox:1.37"}}, {"n2", {"busybox:1.37"}}}));
}

TEST_F(DaemonSetControllerTest, OnDeleteRecordsTheRevisionButLeavesPods) {
  AddNode("n1");
  AddNode("n2");
  Create(DaemonSetManifest("busybox:1.36", "{}", R"({"type":"OnDelete"})"));
  Converge();
  SetImage("busybox:1.37");
  Converge();
  EXPECT_EQ(PodsByNode(), (Placement{{"n1", {"busybox:1.36"}}, {"n2", {"busybox:1.36"}}}));
  EXPECT_EQ(Revisions(),
            (std::map<int64_t, std::string>{{1, "busybox:1.36"}, {2, "busybox:1.37"}}));
  EXPECT_EQ(Status(),
            "desired=2 current=2 misscheduled=0 ready=2 updated=0 available=2 "
            "unavailable=0 observed=2");
  // A pod deleted by hand comes back with the new template.
  for (const client::ObjPtr& pod : pods_->List("default")) {
    if (TargetNodeName(*pod) == "n1") {
      ASSERT_TRUE(
          client_->Delete(client::Pods(), "default", api::GetString(*pod, {"metadata", "name"}), {})
              .ok());
    }
  }
  Converge();
  EXPECT_EQ(PodsByNode(), (Placement{{"n1", {"busybox:1.37"}}, {"n2", {"busybox:1.36"}}}));
}

TEST_F(DaemonSetControllerTest, FailedAndSucceededPodsAreReplaced) {
  AddNode("n1");
  AddNode("n2");
  Create(DaemonSetManifest("busybox:1.36"));
  Converge();
  std::map<std::string, std::string> by_node;
  for (const client::ObjPtr& p : pods_->List("default")) {
    by_node[TargetNodeName(*p).value_or("?")] =
        std::string(api::GetString(*p, {"metadata", "name"}));
  }
  SetPodPhase(by_node["n1"], "Failed");
  SetPodPhase(by_node["n2"], "Succeeded");
  Converge();
  EXPECT_EQ(PodsByNode(), (Placement{{"n1", {"busybox:1.36"}}, {"n2", {"busybox:1.36"}}}));
  Settle();
  for (const client::ObjPtr& p : pods_->List("default")) {
    std::string name(api::GetString(*p, {"metadata", "name"}));
    EXPECT_NE(name, by_node["n1"]);
    EXPECT_NE(name, by_node["n2"]);
  }
  EXPECT_EQ(EventsWithReason("FailedDaemonPod"),
            std::vector<std::string>{"Found failed daemon pod default/" + by_node["n1"] +
                                     " on node n1, will try to kill it"});
  EXPECT_EQ(EventsWithReason("SucceededDaemonPod"),
            std::vector<std::string>{"Found succeeded daemon pod default/" + by_node["n2"] +
                                     " on node n2, will try to delete it"});
}

TEST_F(DaemonSetControllerTest, RevisionHistoryLimitDropsTheOldest) {
  AddNode("n1");
  json::value ds = DaemonSetManifest("busybox:1.0");
  ds.at("spec").as_object()["revisionHistoryLimit"] = 2;
  Create(std::move(ds));
  Converge();
  for (std::string v : {"busybox:1.1", "busybox:1.2", "busybox:1.3", "busybox:1.4"}) {
    SetImage(v);
    Converge();
  }
  // The current revision plus the two newest old ones.
  EXPECT_EQ(Revisions(), (std::map<int64_t, std::string>{
                             {3, "busybox:1.2"}, {4, "busybox:1.3"}, {5, "busybox:1.4"}}));
}

TEST_F(DaemonSetControllerTest, ExpectationsHoldBackTheNextSync) {
  AddNode("n1");
  AddNode("n2");
  Create(DaemonSetManifest("busybox:1.36"));
  Settle();
  ASSERT_TRUE(dsc_->Sync("default/counter").ok());
  // Both creations were observed through the informer before the sync returned or soon after.
  Settle();
  EXPECT_EQ(dsc_->expectations().Pending("default/counter"), (std::pair<int, int>{0, 0}));
  // A second sync on the same cache creates nothing more.
  ASSERT_TRUE(dsc_->Sync("default/counter").ok());
  Settle();
  EXPECT_EQ(pods_->List("default").size(), 2u);
}

}  // namespace
}  // namespace skiff::controllers::daemonset
