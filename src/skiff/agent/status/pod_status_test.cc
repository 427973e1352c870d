#include "skiff/agent/status/pod_status.h"

#include <gtest/gtest.h>

namespace skiff::agent {
namespace {

namespace json = boost::json;
using State = ContainerObservation::State;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
const absl::Time kT1 = kT0 + absl::Seconds(7);

json::value Pod(std::string_view extra_spec = "") {
  std::string spec = R"({"containers":[{"name":"web","image":"nginx:1.27"}]})";
  if (!extra_spec.empty())
    spec = spec.substr(0, spec.size() - 1) + "," + std::string(extra_spec) + "}";
  return json::parse(R"({"metadata":{"name":"p","namespace":"default","uid":"u1"},"spec":)" + spec +
                     R"(,"status":{"phase":"Pending","qosClass":"BestEffort"}})");
}

ContainerObservation Running(std::string name, bool ready) {
  ContainerObservation c;
  c.name = std::move(name);
  c.image = "nginx:1.27";
  c.image_id = "nginx@sha256:abc";
  c.container_id = "hollow://c1";
  c.state = State::kRunning;
  c.started_at = kT0;
  c.started = true;
  c.ready = ready;
  return c;
}

TEST(PodStatusTest, RunningPodExactStatus) {
  PodObservation obs;
  obs.sandbox_ready = true;
  obs.pod_ip = "10.0.1.2";
  obs.host_ip = "10.255.0.1";
  obs.containers.push_back(Running("web", true));
  json::object got = BuildPodStatus(Pod(), obs, kT1);
  json::value want = json::parse(R"({
    "phase": "Running",
    "conditions": [
      {"type":"PodReadyToStartContainers","status":"True","lastProbeTime":null,
       "lastTransitionTime":"2026-01-01T00:00:07Z"},
      {"type":"Initialized","status":"True","lastProbeTime":null,
       "lastTransitionTime":"2026-01-01T00:00:07Z"},
      {"type":"Ready","status":"True","lastProbeTime":null,
       "lastTransitionTime":"2026-01-01T00:00:07Z"},
      {"type":"ContainersReady","status":"True","lastProbeTime":null,
       "lastTransitionTime":"2026-01-01T00:00:07Z"},
      {"type":"PodScheduled","status":"True","lastProbeTime":null,
       "lastTransitionTime":"2026-01-01T00:00:07Z"}],
    "hostIP": "10.255.0.1", "hostIPs": [{"ip":"10.255.0.1"}],
    "podIP": "10.0.1.2", "podIPs": [{"ip":"10.0.1.2"}],
    "startTime": "2026-01-01T00:00:07Z",
    "containerStatuses": [
      {"name":"web","state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}},"lastState":{},
       "ready":true,"restartCount":0,"image":"nginx:1.27","imageID":"nginx@sha256:abc",
       "containerID":"hollow://c1","started":true}]
  })");
  EXPECT_EQ(json::value(got), want) << json::serialize(got);
}

TEST(PodStatusTest, StableWhenRebuiltLater) {
  PodObservation obs;
  obs.sandbox_ready = true;
  obs.containers.push_back(Running("web", false));
  json::value pod = Pod();
  json::object first = BuildPodStatus(pod, obs, kT0);
  pod.as_object()["status"] = first;
  EXPECT_FALSE(StatusDiffers(pod, BuildPodStatus(pod, obs, kT1)));
  // Becoming ready moves only Ready/ContainersReady transition times.
  obs.containers[0].ready = true;
  json::object second = BuildPodStatus(pod, obs, kT1);
  EXPECT_TRUE(StatusDiffers(pod, second));
  for (const auto& c : second.at("conditions").as_array()) {
    std::string type(c.at("type").as_string());
    std::string want = (type == "Ready" || type == "ContainersReady") ? "2026-01-01T00:00:07Z"
                                                                      : "2026-01-01T00:00:00Z";
    EXPECT_EQ(c.at("lastTransitionTime"), json::value(want)) << type;
  }
  EXPECT_EQ(second.at("startTime"), "2026-01-01T00:00:00Z");
}

TEST(PodStatusTest, UnreadyConditionsAndGates) {
  PodObservation obs;
  obs.sandbox_ready = true;
  obs.containers.push_back(Running("web", false));
  json::object st = BuildPodStatus(Pod(), obs, kT0);
  const json::array& conds = st.at("conditions").as_array();
  EXPECT_EQ(conds[2].at("type"), "Ready");
  EXPECT_EQ(conds[2].at("status"), "False");
  EXPECT_EQ(conds[2].at("reason"), "ContainersNotReady");
  EXPECT_EQ(conds[2].at("message"), "containers with unready status: [web]");
  EXPECT_EQ(conds[3].at("reason"), "ContainersNotReady");

  obs.containers[0].ready = true;
  json::value gated = Pod(R"("readinessGates":[{"conditionType":"example.com/lb"}])");
  st = BuildPodStatus(gated, obs, kT0);
  EXPECT_EQ(st.at("conditions").as_array()[2].at("reason"), "ReadinessGatesNotReady");
  EXPECT_EQ(st.at("conditions").as_array()[2].at("message"),
            "corresponding condition of pod readiness gate \"example.com/lb\" does not exist.");
  EXPECT_EQ(st.at("conditions").as_array()[3].at("status"), "True");
  gated.as_object()["status"].as_object()["conditions"] =
      json::array{json::object{{"type", "example.com/lb"}, {"status", "True"}}};
  st = BuildPodStatus(gated, obs, kT0);
  EXPECT_EQ(st.at("conditions").as_array()[2].at("status"), "True");
}

TEST(PodStatusTest, Phases) {
  auto obs_of = [](std::vector<ContainerObservation> cs) {
    PodObservation o;
    o.containers = std::move(cs);
    return o;
  };
  ContainerObservation waiting;
  waiting.name = "w";
  ContainerObservation ok;
  ok.name = "ok";
  ok.state = State::kTerminated;
  ContainerObservation bad = ok;
  bad.exit_code = 1;
  ContainerObservation crash;
  crash.name = "c";
  crash.last_termination = Termination();
  crash.last_termination->exit_code = 1;
  struct Case {
    std::string policy;
    std::vector<ContainerObservation> cs;
    std::string want;
  };
  std::vector<Case> cases = {
      {"Always", {waiting}, "Pending"},
      {"Always", {Running("a", true), waiting}, "Pending"},
      {"Always", {Running("a", true), ok}, "Running"},
      {"Always", {ok}, "Running"},
      {"Never", {ok}, "Succeeded"},
      {"Never", {ok, bad}, "Failed"},
      {"OnFailure", {ok}, "Succeeded"},
      {"OnFailure", {bad}, "Running"},
      {"Always", {crash}, "Running"},
  };
  for (const auto& c : cases) {
    json::value pod = Pod(R"("restartPolicy":")" + c.policy + R"(")");
    EXPECT_EQ(PodPhase(pod, obs_of(c.cs)), c.want) << c.policy << " " << c.cs.size();
  }
  // A failed init container under Never fails the pod; a running one keeps it Pending.
  PodObservation init_obs;
  init_obs.init_containers.push_back(bad);
  init_obs.containers.push_back(waiting);
  EXPECT_EQ(PodPhase(Pod(R"("restartPolicy":"Never")"), init_obs), "Failed");
  init_obs.init_containers[0] = Running("i", false);
  EXPECT_EQ(PodPhase(Pod(), init_obs), "Pending");
}

TEST(PodStatusTest, TerminalAndInitContainers) {
  PodObservation obs;
  ContainerObservation init;
  init.name = "setup";
  init.image = "busybox";
  init.state = State::kTerminated;
  init.reason = "Completed";
  init.started_at = init.finished_at = kT0;
  init.ready = true;
  init.container_id = "hollow://i1";
  obs.init_containers.push_back(init);
  ContainerObservation done = init;
  done.name = "web";
  done.ready = false;
  obs.containers.push_back(done);
  json::value pod =
      Pod(R"("restartPolicy":"Never","initContainers":[{"name":"setup","image":"busybox"}])");
  json::object st = BuildPodStatus(pod, obs, kT0);
  EXPECT_EQ(st.at("phase"), "Succeeded");
  const json::array& conds = st.at("conditions").as_array();
  EXPECT_EQ(conds[1].at("status"), "True");  // Initialized
  EXPECT_EQ(conds[2].at("reason"), "PodCompleted");
  EXPECT_EQ(conds[3].at("reason"), "PodCompleted");
  EXPECT_EQ(st.at("initContainerStatuses").as_array()[0],
            json::parse(R"({"name":"setup","state":{"terminated":{"exitCode":0,
              "reason":"Completed","startedAt":"2026-01-01T00:00:00Z",
              "finishedAt":"2026-01-01T00:00:00Z","containerID":"hollow://i1"}},
              "lastState":{},"ready":true,"restartCount":0,"image":"busybox","imageID":"",
              "containerID":"hollow://i1","started":false})"));
  // Pending init: Initialized False with the incomplete names.
  obs.init_containers[0].state = State::kWaiting;
  obs.init_containers[0].reason = "ErrImagePull";
  st = BuildPodStatus(pod, obs, kT0);
  EXPECT_EQ(st.at("conditions").as_array()[1].at("message"),
            "containers with incomplete status: [setup]");
}

}  // namespace
}  // namespace skiff::agent
