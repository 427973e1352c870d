#include "skiff/agent/hollow/hollow_kubelet.h"

#include <gtest/gtest.h>

#include "skiff/agent/runtime/hollow/hollow_runtime.h"
#include "skiff/base/time.h"

namespace skiff::agent::hollow {
namespace {

namespace json = boost::json;

class FakeClock : public base::Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
};

class HollowKubeletTest : public ::testing::Test {
 protected:
  HollowKubeletTest() : kubelet_(Options()) {}
  HollowKubeletOptions Options() {
    HollowKubeletOptions o;
    o.node_name = "hollow-0";
    o.node_ip = "10.255.0.7";
    o.pod_subnet = "10.0.7";
    o.clock = &clock_;
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
    PodSyncResult r = kubelet_.SyncPod(pod);
    if (r.status) {
      json::object& st = pod.as_object()["status"].as_object();
      for (const auto& [k, v] : *r.status) st[k] = v;
    }
    return r;
  }
  static const json::value& Container(const json::value& pod, size_t i = 0) {
    return pod.at("status").at("containerStatuses").as_array()[i];
  }
  static std::string Cond(const json::value& pod, std::string_view type) {
    for (const auto& c : pod.at("status").at("conditions").as_array())
      if (c.at("type").as_string() == type) return std::string(c.at("status").as_string());
    return "";
  }

  FakeClock clock_;
  HollowKubelet kubelet_;
};

TEST_F(HollowKubeletTest, RunningPodHasCompleteStatus) {
  json::value pod = Pod(R"({"containers":[{"name":"web","image":"nginx:1.27"}]})");
  PodSyncResult r = Sync(pod);
  ASSERT_TRUE(r.status.has_value());
  EXPECT_FALSE(r.resync_at.has_value());
  const json::value& st = pod.at("status");
  EXPECT_EQ(st.at("phase"), "Running");
  EXPECT_EQ(st.at("podIP"), "10.0.7.2");
  EXPECT_EQ(st.at("hostIP"), "10.255.0.7");
  EXPECT_EQ(st.at("startTime"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(st.at("qosClass"), "BestEffort");  // untouched
  std::string sandbox = runtime::HollowDigest("sandbox/uid-p");
  std::string cid = runtime::HollowDigest(sandbox + "/web/0");
  EXPECT_EQ(Container(pod), json::parse(R"({"name":"web",
      "state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}},"lastState":{},"ready":true,
      "restartCount":0,"image":"nginx:1.27",
      "imageID":"nginx@sha256:)" + runtime::HollowDigest("nginx:1.27") +
                                        R"(",
      "containerID":"hollow://)" + cid + R"(","started":true})"));
  for (const char* type :
       {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    EXPECT_EQ(Cond(pod, type), "True") << type;
  }
  // Nothing changed: no second write, even later.
  clock_.now += absl::Minutes(5);
  EXPECT_FALSE(Sync(pod).status.has_value());
  EXPECT_EQ(kubelet_.PodCount(), 1u);
}

TEST_F(HollowKubeletTest, BrokenImagePullsBackOff) {
  json::value pod = Pod(R"({"containers":[{"name":"web","image":"nginx:1.27-broken"}]})");
  PodSyncResult r = Sync(pod);
  ASSERT_TRUE(r.status.has_value());
  EXPECT_EQ(pod.at("status").at("phase"), "Pending");
  EXPECT_EQ(Container(pod).at("state").at("waiting").at("reason"), "ErrImagePull");
  EXPECT_EQ(Container(pod).at("imageID"), "");
  EXPECT_EQ(Container(pod).at("ready"), false);
  ASSERT_TRUE(r.resync_at.has_value());
  EXPECT_EQ(*r.resync_at, clock_.now + absl::Seconds(10));
  clock_.now += absl::Seconds(10);
  r = Sync(pod);
  ASSERT_TRUE(r.status.has_value());
  EXPECT_EQ(Container(pod).at("state"), json::parse(R"({"waiting":{"reason":"ImagePullBackOff",
                            "message":"Back-off pulling image \"nginx:1.27-broken\""}})"));
  EXPECT_EQ(Cond(pod, "Ready"), "False");
  EXPECT_FALSE(r.resync_at.has_value());
}

TEST_F(HollowKubeletTest, ReadinessRule) {
  json::value pod = Pod(R"({"containers":[
      {"name":"a","image":"nginx:broken"},
      {"name":"b","image":"nginx","readinessProbe":{"exec":{"command":["false"]}}},
      {"name":"c","image":"nginx","readinessProbe":{"tcpSocket":{"port":80},
                                                     "initialDelaySeconds":3}}]})");
  PodSyncResult r = Sync(pod);
  EXPECT_EQ(pod.at("status").at("phase"), "Running");
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(Container(pod, i).at("ready"), false) << i;
    EXPECT_EQ(Container(pod, i).at("started"), true) << i;
  }
  EXPECT_EQ(*r.resync_at, clock_.now + absl::Seconds(3));
  clock_.now += absl::Seconds(3);
  r = Sync(pod);
  ASSERT_TRUE(r.status.has_value());
  EXPECT_EQ(Container(pod, 2).at("ready"), true);
  EXPECT_EQ(Container(pod, 0).at("ready"), false);
  for (const auto& c : pod.at("status").at("conditions").as_array()) {
    if (c.at("type") == "Ready") {
      EXPECT_EQ(c.at("message"), "containers with unready status: [a b]");
    }
  }
}

TEST_F(HollowKubeletTest, InitContainersCompleteAndJobsTerminate) {
  json::value pod = Pod(R"({"restartPolicy":"Never",
      "initContainers":[{"name":"setup","image":"busybox","command":["sleep","100"]}],
      "containers":[{"name":"job","image":"busybox","command":["sh","-c","exit 3"]},
                    {"name":"ok","image":"busybox","command":["true"]}]})");
  Sync(pod);
  const json::value& st = pod.at("status");
  EXPECT_EQ(st.at("phase"), "Failed");
  const json::value& init = st.at("initContainerStatuses").as_array()[0];
  EXPECT_EQ(init.at("state").at("terminated").at("reason"), "Completed");
  EXPECT_EQ(init.at("ready"), true);
  EXPECT_EQ(Container(pod, 0).at("state").at("terminated").at("exitCode"), 3);
  EXPECT_EQ(Container(pod, 0).at("state").at("terminated").at("reason"), "Error");
  EXPECT_EQ(Container(pod, 1).at("state").at("terminated").at("reason"), "Completed");
  EXPECT_EQ(Cond(pod, "PodReadyToStartContainers"), "False");
  EXPECT_EQ(Cond(pod, "Initialized"), "True");
}

TEST_F(HollowKubeletTest, RestartingContainerShowsCrashLoopBackOff) {
  json::value pod = Pod(R"({"containers":[{"name":"c","image":"busybox","command":["false"]}]})");
  Sync(pod);
  EXPECT_EQ(pod.at("status").at("phase"), "Running");
  const json::value& c = Container(pod);
  EXPECT_EQ(c.at("restartCount"), 1);
  EXPECT_EQ(c.at("state").at("waiting").at("reason"), "CrashLoopBackOff");
  EXPECT_EQ(c.at("state").at("waiting").at("message"),
            "back-off 10s restarting failed container=c pod=p_default(uid-p)");
  EXPECT_EQ(c.at("lastState").at("terminated").at("exitCode"), 1);
}

TEST_F(HollowKubeletTest, ImageChangeRestartsContainer) {
  json::value pod = Pod(R"({"containers":[{"name":"web","image":"nginx:1.26"}]})");
  Sync(pod);
  pod.at("spec").at("containers").as_array()[0].as_object()["image"] = "nginx:1.27";
  Sync(pod);
  EXPECT_EQ(Container(pod).at("restartCount"), 1);
  EXPECT_EQ(Container(pod).at("image"), "nginx:1.27");
  EXPECT_EQ(Container(pod).at("ready"), true);
}

TEST_F(HollowKubeletTest, DeletionWaitsForCappedGrace) {
  json::value pod = Pod(R"({"containers":[{"name":"web","image":"nginx"}]})");
  Sync(pod);
  EXPECT_EQ(kubelet_.runtime().SandboxCount(), 1u);
  // DELETE with a 30 s grace period at now: deletionTimestamp = now + 30 s.
  auto& meta = pod.as_object()["metadata"].as_object();
  meta["deletionTimestamp"] = base::FormatRfc3339(clock_.now + absl::Seconds(30));
  meta["deletionGracePeriodSeconds"] = 30;
  PodSyncResult r = Sync(pod);
  EXPECT_FALSE(r.delete_pod);
  EXPECT_FALSE(r.status.has_value());
  EXPECT_EQ(*r.resync_at, clock_.now + absl::Seconds(1));
  clock_.now += absl::Seconds(1);
  r = Sync(pod);
  EXPECT_TRUE(r.delete_pod);
  EXPECT_EQ(kubelet_.runtime().SandboxCount(), 0u);
  EXPECT_EQ(kubelet_.PodCount(), 0u);
}

TEST_F(HollowKubeletTest, ReplacedPodAndForget) {
  json::value pod = Pod(R"({"containers":[{"name":"web","image":"nginx"}]})");
  Sync(pod);
  json::value again = Pod(R"({"containers":[{"name":"web","image":"nginx"}]})");
  again.as_object()["metadata"].as_object()["uid"] = "uid-new";
  Sync(again);
  EXPECT_EQ(again.at("status").at("podIP"), "10.0.7.2");  // the old sandbox's IP was released
  EXPECT_EQ(kubelet_.runtime().SandboxCount(), 1u);
  kubelet_.ForgetPod("default/p");
  EXPECT_EQ(kubelet_.runtime().SandboxCount(), 0u);
}

TEST_F(HollowKubeletTest, HostNetworkAndKeptIp) {
  json::value pod = Pod(R"({"hostNetwork":true,"containers":[{"name":"web","image":"nginx"}]})");
  Sync(pod);
  EXPECT_EQ(pod.at("status").at("podIP"), "10.255.0.7");
  // After an agent restart the pod keeps the IP it reported.
  json::value seen = Pod(R"({"containers":[{"name":"web","image":"nginx"}]})", "q");
  auto& st = seen.as_object()["status"].as_object();
  st["hostIP"] = "10.255.0.7";
  st["podIP"] = "10.0.7.99";
  Sync(seen);
  EXPECT_EQ(seen.at("status").at("podIP"), "10.0.7.99");
}

// Regression: the runtime stamps startedAt after SyncPod read the time, so the first sync saw
// the container "not started yet", wrote an unready status and needed a second write.
TEST(HollowKubeletClockTest, FirstSyncIsReadyWhenTheClockMoves) {
  class TickingClock : public base::Clock {
   public:
    absl::Time Now() const override { return t_ += absl::Milliseconds(1); }

   private:
    mutable absl::Time t_ = absl::FromUnixSeconds(1767225600);
  } clock;
  HollowKubeletOptions o;
  o.node_name = "n";
  o.node_ip = "10.255.0.2";
  o.pod_subnet = "10.0.0";
  o.clock = &clock;
  HollowKubelet kubelet(o);
  json::value pod = json::parse(R"({"metadata":{"name":"p","namespace":"d","uid":"u"},
      "spec":{"containers":[{"name":"web","image":"nginx"}]},"status":{"phase":"Pending"}})");
  PodSyncResult r = kubelet.SyncPod(pod);
  ASSERT_TRUE(r.status.has_value());
  EXPECT_FALSE(r.resync_at.has_value());
  EXPECT_EQ(r.status->at("containerStatuses").as_array()[0].at("ready"), true);
  // Conditions carry explicit nulls so a strategic merge drops an old reason and message.
  for (const auto& c : r.status->at("conditions").as_array()) {
    if (c.at("type") == "Ready") {
      EXPECT_EQ(c.at("status"), "True");
      EXPECT_TRUE(c.at("reason").is_null());
      EXPECT_TRUE(c.at("message").is_null());
    }
  }
}

}  // namespace
}  // namespace skiff::agent::hollow
