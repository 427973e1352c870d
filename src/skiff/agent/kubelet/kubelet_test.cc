#include "skiff/agent/kubelet/kubelet.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "skiff/agent/runtime/hollow/hollow_runtime.h"
#include "skiff/api/text.h"

namespace skiff::agent::kubelet {
namespace {

namespace json = boost::json;

class FakeClock : public base::Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
};

class KubeletTest : public ::testing::Test {
 protected:
  KubeletTest()
      : runtime_(runtime::HollowRuntimeOptions{"192.168.5.5", "10.0.7", &clock_}),
        kubelet_(std::make_unique<Kubelet>(&runtime_, Options())) {}
  KubeletOptions Options() {
    KubeletOptions o;
    o.node_name = "node-1";
    o.node_ip = "192.168.5.5";
    o.clock = &clock_;
    o.lookup = [](std::string_view, std::string_view,
                  std::string_view name) -> absl::StatusOr<json::value> {
      if (name == "cm") return json::parse(R"({"data":{"k":"v"}})");
      return absl::NotFoundError("no");
    };
    return o;
  }
  static json::value Pod(std::string_view spec, std::string_view name = "p") {
    return json::parse(std::string(R"({"metadata":{"name":")") + std::string(name) +
                       R"(","namespace":"default","uid":"uid-)" + std::string(name) +
                       R"("},"spec":)" + std::string(spec) +
                       R"(,"status":{"phase":"Pending","qosClass":"BestEffort"}})");
  }
  // Syncs and, like the API server, stores a returned status into the pod.
  PodSyncResult Sync(json::value& pod) {
    PodSyncResult r = kubelet_->SyncPod(pod);
    if (r.status) {
      json::object& st = pod.as_object()["status"].as_object();
      for (const auto& [k, v] : *r.status) st[k] = v;
    }
    return r;
  }
  static const json::value& Container(const json::value& pod, size_t i = 0,
                                      std::string_view list = "containerStatuses") {
    return pod.at("status").at(list).as_array()[i];
  }
  static std::string Waiting(const json::value& c) {
    const json::value* w = c.at("state").as_object().if_contains("waiting");
    return w == nullptr ? "" : std::string(w->at("reason").as_string());
  }
  static std::vector<std::string> Reasons(const PodSyncResult& r) {
    std::vector<std::string> out;
    for (const auto& e : r.events) out.push_back(e.reason);
    return out;
  }

  FakeClock clock_;
  runtime::HollowRuntime runtime_;
  std::unique_ptr<Kubelet> kubelet_;
};

TEST_F(KubeletTest, PullPolicyDefaults) {
  struct Case {
    std::string container, want;
  } cases[] = {
      {R"({"image":"busybox"})", "Always"},
      {R"({"image":"busybox:latest"})", "Always"},
      {R"({"image":"busybox:1.36"})", "IfNotPresent"},
      {R"({"image":"localhost:5000/busybox"})", "Always"},
      {R"({"image":"localhost:5000/busybox:1"})", "IfNotPresent"},
      {R"({"image":"busybox@sha256:abc"})", "IfNotPresent"},
      {R"({"image":"busybox","imagePullPolicy":"Never"})", "Never"},
  };
  for (const auto& c : cases) EXPECT_EQ(PullPolicy(json::parse(c.container)), c.want);
}

TEST_F(KubeletTest, RunningPodWithEvents) {
  json::value pod = Pod(R"js({"containers":[{"name":"web","image":"busybox:latest",
                                          "command":["sleep","$(T)"],
                                          "env":[{"name":"T","value":"99"}]}]})js");
  PodSyncResult r = Sync(pod);
  EXPECT_EQ(Reasons(r), (std::vector<std::string>{"Pulling", "Pulled", "Created", "Started"}));
  EXPECT_EQ(r.events[2].message, "Created container web");
  EXPECT_EQ(pod.at("status").at("phase").as_string(), "Running");
  EXPECT_EQ(pod.at("status").at("podIP").as_string(), "10.0.7.2");
  const json::value& c = Container(pod);
  EXPECT_TRUE(c.at("state").as_object().contains("running"));
  EXPECT_EQ(c.at("restartCount").as_int64(), 0);
  EXPECT_TRUE(c.at("ready").as_bool());
  // A second sync changes nothing and emits nothing.
  PodSyncResult again = Sync(pod);
  EXPECT_FALSE(again.status.has_value());
  EXPECT_TRUE(again.events.empty());
}

TEST_F(KubeletTest, CrashLoopBackOffDoublesToTheCapAndResets) {
  json::value pod = Pod(R"({"containers":[{"name":"c","image":"busybox:1",
                                          "command":["sh","-c","exit 3"]}]})");
  // First exit: restarted at once; the second exit waits 10 s.
  PodSyncResult r = Sync(pod);
  const json::value* c = &Container(pod);
  EXPECT_EQ(Waiting(*c), "CrashLoopBackOff");
  EXPECT_EQ(c->at("restartCount").as_int64(), 1);
  EXPECT_EQ(c->at("state").at("waiting").at("message").as_string(),
            "back-off 10s restarting failed container=c pod=p_default(uid-p)");
  EXPECT_EQ(c->at("lastState").at("terminated").at("exitCode").as_int64(), 3);
  EXPECT_EQ(c->at("lastState").at("terminated").at("reason").as_string(), "Error");
  EXPECT_EQ(pod.at("status").at("phase").as_string(), "Running");
  ASSERT_TRUE(r.resync_at.has_value());
  EXPECT_EQ(*r.resync_at, clock_.now + absl::Seconds(10));
  EXPECT_EQ(Reasons(r).back(), "BackOff");

  struct Step {
    absl::Duration wait;
    int restarts;
    std::string backoff;
  } steps[] = {{absl::Seconds(10), 2, "20s"},   {absl::Seconds(20), 3, "40s"},
               {absl::Seconds(40), 4, "1m20s"}, {absl::Seconds(80), 5, "2m40s"},
               {absl::Seconds(160), 6, "5m0s"}, {absl::Seconds(300), 7, "5m0s"}};
  for (const auto& s : steps) {
    clock_.now += s.wait - absl::Seconds(1);
    EXPECT_FALSE(Sync(pod).status.has_value()) << "still backing off";
    clock_.now += absl::Seconds(1);
    Sync(pod);
    c = &Container(pod);
    EXPECT_EQ(c->at("restartCount").as_int64(), s.restarts);
    EXPECT_EQ(c->at("state").at("waiting").at("message").as_string(),
              "back-off " + s.backoff + " restarting failed container=c pod=p_default(uid-p)");
  }
}

TEST_F(KubeletTest, BackOffResetsAfterTenMinutesRunning) {
  json::value pod = Pod(R"({"containers":[{"name":"c","image":"busybox:1"}]})");
  auto stop_current = [&] {
    std::string id(Container(pod).at("containerID").as_string());
    ASSERT_TRUE(runtime_.StopContainer(id.substr(id.find("://") + 3), absl::ZeroDuration()).ok());
  };
  Sync(pod);
  clock_.now += absl::Seconds(1);
  stop_current();
  Sync(pod);  // first exit: restarted at once
  EXPECT_EQ(Container(pod).at("restartCount").as_int64(), 1);
  EXPECT_TRUE(Container(pod).at("state").as_object().contains("running"));
  clock_.now += absl::Seconds(1);
  stop_current();
  Sync(pod);
  EXPECT_EQ(Container(pod).at("state").at("waiting").at("message").as_string(),
            "back-off 10s restarting failed container=c pod=p_default(uid-p)");
  clock_.now += absl::Seconds(10);
  Sync(pod);  // restarted; the next delay would be 20 s
  EXPECT_EQ(Container(pod).at("restartCount").as_int64(), 2);
  // It runs for 11 minutes, longer than twice the maximum delay: restarted at once.
  clock_.now += absl::Minutes(11);
  stop_current();
  Sync(pod);
  EXPECT_EQ(Container(pod).at("restartCount").as_int64(), 3);
  EXPECT_TRUE(Container(pod).at("state").as_object().contains("running"));
  clock_.now += absl::Seconds(1);
  stop_current();
  Sync(pod);
  EXPECT_EQ(Container(pod).at("state").at("waiting").at("message").as_string(),
            "back-off 10s restarting failed container=c pod=p_default(uid-p)");
}

TEST_F(KubeletTest, RestartPolicies) {
  struct Case {
    std::string policy, command, phase, waiting;
    int restarts;
  } cases[] = {
      {"Never", "exit 1", "Failed", "", 0},
      {"Never", "exit 0", "Succeeded", "", 0},
      {"OnFailure", "exit 0", "Succeeded", "", 0},
      {"OnFailure", "exit 2", "Running", "CrashLoopBackOff", 1},
      {"Always", "exit 0", "Running", "CrashLoopBackOff", 1},
  };
  int n = 0;
  for (const auto& c : cases) {
    json::value pod = Pod(R"({"restartPolicy":")" + c.policy +
                              R"(","containers":[{"name":"c","image":"busybox:1",
                                 "command":["sh","-c",")" +
                              c.command + R"("]}]})",
                          "p" + std::to_string(n++));
    Sync(pod);
    EXPECT_EQ(pod.at("status").at("phase").as_string(), c.phase) << c.policy << c.command;
    EXPECT_EQ(Waiting(Container(pod)), c.waiting) << c.policy << c.command;
    EXPECT_EQ(Container(pod).at("restartCount").as_int64(), c.restarts);
  }
}

TEST_F(KubeletTest, InitContainersRunInOrderFirst) {
  json::value pod = Pod(R"({"restartPolicy":"Never",
      "initContainers":[{"name":"i1","image":"busybox:1","command":["true"]},
                        {"name":"i2","image":"busybox:1","command":["false"]}],
      "containers":[{"name":"c","image":"busybox:1"}]})");
  PodSyncResult r = Sync(pod);
  const json::value& i1 = Container(pod, 0, "initContainerStatuses");
  const json::value& i2 = Container(pod, 1, "initContainerStatuses");
  EXPECT_EQ(i1.at("state").at("terminated").at("reason").as_string(), "Completed");
  EXPECT_EQ(i2.at("state").at("terminated").at("exitCode").as_int64(), 1);
  EXPECT_EQ(Waiting(Container(pod)), "PodInitializing");
  EXPECT_EQ(pod.at("status").at("phase").as_string(), "Failed");
  EXPECT_EQ(Reasons(r), (std::vector<std::string>{"Pulled", "Created", "Started", "Pulled",
                                                  "Created", "Started"}));
}

TEST_F(KubeletTest, ImagePullBackOffRetriesWithGrowingDelay) {
  json::value pod = Pod(R"({"containers":[{"name":"c","image":"nope:1-broken"}]})");
  PodSyncResult r = Sync(pod);
  EXPECT_EQ(Waiting(Container(pod)), "ErrImagePull");
  EXPECT_EQ(*r.resync_at, clock_.now + absl::Seconds(10));
  clock_.now += absl::Seconds(5);
  Sync(pod);
  EXPECT_EQ(Waiting(Container(pod)), "ImagePullBackOff");
  EXPECT_EQ(Container(pod).at("state").at("waiting").at("message").as_string(),
            "Back-off pulling image \"nope:1-broken\"");
  clock_.now += absl::Seconds(5);
  r = Sync(pod);
  EXPECT_EQ(Waiting(Container(pod)), "ErrImagePull");
  EXPECT_EQ(*r.resync_at, clock_.now + absl::Seconds(20));
}

TEST_F(KubeletTest, MissingConfigMapIsAConfigError) {
  json::value pod = Pod(R"({"containers":[{"name":"c","image":"busybox:1",
      "env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"absent","key":"k"}}}]}]})");
  Sync(pod);
  EXPECT_EQ(Waiting(Container(pod)), "CreateContainerConfigError");
  EXPECT_EQ(Container(pod).at("state").at("waiting").at("message").as_string(),
            "configmap \"absent\" not found");
}

TEST_F(KubeletTest, DeletionStopsContainersAndFinalises) {
  json::value pod = Pod(R"({"containers":[{"name":"c","image":"busybox:1"}]})");
  Sync(pod);
  EXPECT_EQ(runtime_.SandboxCount(), 1u);
  pod.as_object()["metadata"].as_object()["deletionTimestamp"] = "2026-01-01T00:00:30Z";
  pod.as_object()["metadata"].as_object()["deletionGracePeriodSeconds"] = 30;
  PodSyncResult r = Sync(pod);
  EXPECT_TRUE(r.delete_pod);
  EXPECT_EQ(Reasons(r), (std::vector<std::string>{"Killing"}));
  EXPECT_EQ(r.events[0].message, "Stopping container c");
  EXPECT_EQ(runtime_.SandboxCount(), 0u);
  EXPECT_EQ(kubelet_->PodCount(), 0u);
}

TEST_F(KubeletTest, NewKubeletAdoptsRunningContainers) {
  json::value pod = Pod(R"({"containers":[{"name":"c","image":"busybox:1"}]})");
  Sync(pod);
  std::string id(Container(pod).at("containerID").as_string());
  // An agent restart: a new kubelet over the same runtime state.
  kubelet_ = std::make_unique<Kubelet>(&runtime_, Options());
  PodSyncResult r = Sync(pod);
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(Container(pod).at("containerID").as_string(), id);
  EXPECT_EQ(Container(pod).at("restartCount").as_int64(), 0);
  EXPECT_EQ(runtime_.SandboxCount(), 1u);
}

}  // namespace
}  // namespace skiff::agent::kubelet

namespace skiff::agent::kubelet {
namespace {

TEST_F(KubeletTest, LocateGivesContainerAndLogOfEachAttempt) {
  KubeletOptions o = Options();
  o.log_root = "/var/lib/skiff";
  kubelet_ = std::make_unique<Kubelet>(&runtime_, o);
  json::value pod = Pod(R"({"containers":[{"name":"c","image":"busybox:1",
                                          "command":["sh","-c","exit 3"]}]})");
  Sync(pod);  // attempt 0 exited, attempt 1 exited and backing off
  std::string id(Container(pod).at("containerID").as_string());
  auto cur = kubelet_->Locate("default", "p", "c", false);
  ASSERT_TRUE(cur.ok()) << cur.status();
  EXPECT_EQ(cur->container_id, id.substr(id.find("://") + 3));
  EXPECT_EQ(cur->log_path, "/var/lib/skiff/pods/default_p_uid-p/c/1.log");
  auto prev = kubelet_->Locate("default", "p", "c", true);
  ASSERT_TRUE(prev.ok()) << prev.status();
  EXPECT_NE(prev->container_id, cur->container_id);
  EXPECT_EQ(prev->log_path, "/var/lib/skiff/pods/default_p_uid-p/c/0.log");
  EXPECT_EQ(std::string(kubelet_->Locate("default", "p", "x", false).status().message()),
            "container x is not valid for pod p");
  EXPECT_TRUE(absl::IsNotFound(kubelet_->Locate("default", "q", "c", false).status()));
}

TEST_F(KubeletTest, CleanUpOrphansSparesRecordedAndKnownPods) {
  char tmpl[] = "/tmp/skiff-kubelet-XXXXXX";
  std::string root = ::mkdtemp(tmpl);
  KubeletOptions o = Options();
  o.log_root = root;
  kubelet_ = std::make_unique<Kubelet>(&runtime_, o);
  auto log_dir = [&](std::string_view name) {
    return api::Cat(root, "/pods/default_", name, "_uid-", name);
  };
  // "mine" has a record here; "known" only exists in the API; "gone" in neither.
  json::value mine = Pod(R"({"containers":[{"name":"c","image":"busybox:1"}]})", "mine");
  Sync(mine);
  for (std::string_view name : {"known", "gone"}) {
    runtime::SandboxConfig sc;
    sc.pod_uid = api::Cat("uid-", name);
    sc.pod_namespace = "default";
    sc.pod_name = std::string(name);
    ASSERT_TRUE(runtime_.RunPodSandbox(sc).ok());
  }
  for (std::string_view name : {"mine", "known", "gone"}) {
    std::filesystem::create_directories(log_dir(name) + "/c");
  }
  int calls = 0;
  std::vector<OrphanCleanup> cleaned = kubelet_->CleanUpOrphans([&] {
    ++calls;
    return absl::flat_hash_set<std::string>{"uid-known"};
  });
  EXPECT_EQ(calls, 1);
  ASSERT_EQ(cleaned.size(), 1u);
  EXPECT_EQ(cleaned[0].pod_uid, "uid-gone");
  EXPECT_EQ(cleaned[0].pod, "default/gone");
  EXPECT_EQ(cleaned[0].sandboxes, 1);
  EXPECT_EQ(cleaned[0].log_dirs, 1);
  EXPECT_FALSE(cleaned[0].pod_dir);  // no volume manager
  EXPECT_EQ(runtime_.SandboxCount(), 2u);
  EXPECT_FALSE(std::filesystem::exists(log_dir("gone")));
  EXPECT_TRUE(std::filesystem::exists(log_dir("mine")));
  EXPECT_TRUE(std::filesystem::exists(log_dir("known")));
  EXPECT_EQ(kubelet_->RecordedPods(),
            (std::vector<std::pair<std::string, std::string>>{{"default/mine", "uid-mine"}}));

  // Forgetting a pod removes its sandbox and its logs.
  kubelet_->ForgetPod("default/mine");
  EXPECT_EQ(runtime_.SandboxCount(), 1u);
  EXPECT_FALSE(std::filesystem::exists(log_dir("mine")));
  EXPECT_TRUE(kubelet_->CleanUpOrphans([] { return absl::flat_hash_set<std::string>{"uid-known"}; })
                  .empty());
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace skiff::agent::kubelet
