#include "skiff/agent/kubelet/prober.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>

#include "skiff/agent/kubelet/kubelet.h"
#include "skiff/agent/runtime/hollow/hollow_runtime.h"
#include "skiff/api/text.h"
#include "skiff/base/files.h"

namespace skiff::agent::kubelet {
namespace {

namespace json = boost::json;
using api::Cat;

class FakeClock : public base::Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
};

// The hollow runtime, plus commands run in containers that answer as scripted (exit code 0 and
// no output unless told otherwise), and a record of the grace periods containers were stopped
// with.
class ScriptedRuntime : public runtime::HollowRuntime {
 public:
  explicit ScriptedRuntime(const base::Clock* clock)
      : HollowRuntime(runtime::HollowRuntimeOptions{"192.168.5.5", "10.0.7", clock}) {}

  void Answer(const std::string& command, int code, std::string output = "") {
    answers_[command] = {code, std::move(output)};
  }
  int Calls(const std::string& command) const {
    auto it = calls_.find(command);
    return it == calls_.end() ? 0 : it->second;
  }
  absl::StatusOr<int> Exec(std::string_view, const std::vector<std::string>& command,
                           const runtime::ExecStreams& streams) override {
    std::string key = api::Join(command, " ");
    ++calls_[key];
    auto it = answers_.find(key);
    if (it == answers_.end()) return 0;
    const std::string& out = it->second.second;
    if (!out.empty()) (void)!::write(streams.stdout_fd, out.data(), out.size());
    return it->second.first;
  }
  absl::Status StopContainer(std::string_view id, absl::Duration timeout) override {
    stops.push_back(timeout);
    return HollowRuntime::StopContainer(id, timeout);
  }

  std::vector<absl::Duration> stops;

 private:
  std::map<std::string, std::pair<int, std::string>> answers_;
  std::map<std::string, int> calls_;
};

std::vector<std::string> Messages(const std::vector<KubeletEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(Cat(e.type, " ", e.reason, " ", e.message));
  return out;
}

TEST(ParseProbeTest, DefaultsForUnsetAndZeroFields) {
  struct Case {
    std::string container;
    ProbeType type;
    bool present;
    int delay, period, timeout, success, failure;
    std::optional<int64_t> grace;
  } cases[] = {
      {R"({})", ProbeType::kReadiness, false, 0, 0, 0, 0, 0, {}},
      {R"({"readinessProbe":{"exec":{"command":["true"]}}})",
       ProbeType::kReadiness,
       true,
       0,
       10,
       1,
       1,
       3,
       {}},
      {R"({"readinessProbe":{"exec":{"command":["true"]}}})",
       ProbeType::kLiveness,
       false,
       0,
       0,
       0,
       0,
       0,
       {}},
      {R"({"livenessProbe":{"tcpSocket":{"port":80},"initialDelaySeconds":5,"periodSeconds":3,
           "timeoutSeconds":2,"successThreshold":1,"failureThreshold":4,
           "terminationGracePeriodSeconds":7}})",
       ProbeType::kLiveness, true, 5, 3, 2, 1, 4, 7},
      {R"({"startupProbe":{"httpGet":{"port":80},"periodSeconds":0,"timeoutSeconds":0,
           "successThreshold":0,"failureThreshold":0,"terminationGracePeriodSeconds":0}})",
       ProbeType::kStartup, true, 0, 10, 1, 1, 3, 0},
  };
  for (const auto& c : cases) {
    std::optional<ProbeSpec> p = ParseProbe(json::parse(c.container), c.type);
    ASSERT_EQ(p.has_value(), c.present) << c.container;
    if (!p) continue;
    EXPECT_EQ(p->initial_delay_seconds, c.delay) << c.container;
    EXPECT_EQ(p->period_seconds, c.period) << c.container;
    EXPECT_EQ(p->timeout_seconds, c.timeout) << c.container;
    EXPECT_EQ(p->success_threshold, c.success) << c.container;
    EXPECT_EQ(p->failure_threshold, c.failure) << c.container;
    EXPECT_EQ(p->termination_grace_period_seconds, c.grace) << c.container;
  }
}

TEST(ResolveContainerPortTest, NumbersAndNames) {
  json::value container = json::parse(
      R"({"ports":[{"name":"web","containerPort":8080},{"name":"admin","containerPort":9090}]})");
  struct Case {
    std::string port;
    int want;
    std::string error;
  } cases[] = {
      {"80", 80, ""},
      {R"("web")", 8080, ""},
      {R"("admin")", 9090, ""},
      {R"("8080")", 0, "port \"8080\" not found"},
      {R"("metrics")", 0, "port \"metrics\" not found"},
      {"0", 0, "invalid port number: 0"},
      {"65536", 0, "invalid port number: 65536"},
      {"null", 0, "intOrString had no kind: null"},
  };
  for (const auto& c : cases) {
    auto port = ResolveContainerPort(json::parse(c.port), container);
    if (c.error.empty()) {
      ASSERT_TRUE(port.ok()) << c.port << ": " << port.status();
      EXPECT_EQ(*port, c.want);
    } else {
      EXPECT_EQ(std::string(port.status().message()), c.error) << c.port;
    }
  }
}

class ProberTest : public ::testing::Test {
 protected:
  ProberTest() : runtime_(&clock_), prober_(&runtime_, /*inline_runs=*/true) {}

  ProbeVerdict Probe(const std::string& container_id = "c1") {
    ProbeTarget t;
    t.pod_key = "default/p";
    t.pod_ip = "127.0.0.1";
    t.container = &spec_;
    t.container_id = container_id;
    t.started_at = started_;
    events_.clear();
    return prober_.Probe(state_, t, clock_.now, events_);
  }

  FakeClock clock_;
  ScriptedRuntime runtime_;
  Prober prober_;
  ProbeState state_;
  json::value spec_;
  absl::Time started_ = clock_.now;
  std::vector<KubeletEvent> events_;
};

TEST_F(ProberTest, ReadinessNeedsSuccessThresholdRunsAndNeverKills) {
  spec_ = json::parse(R"({"name":"web","readinessProbe":{"exec":{"command":["check"]},
      "periodSeconds":10,"successThreshold":2,"failureThreshold":2}})");
  struct Step {
    int code;
    bool ready;
    std::vector<std::string> events;
  } steps[] = {
      {0, false, {}},
      {0, true, {}},
      {1, true, {"Warning Unhealthy Readiness probe failed: not yet\n"}},
      {1, false, {"Warning Unhealthy Readiness probe failed: not yet\n"}},
      {0, false, {}},
      {1, false, {"Warning Unhealthy Readiness probe failed: not yet\n"}},
      {0, false, {}},
      {0, true, {}},
  };
  int n = 0;
  for (const auto& s : steps) {
    runtime_.Answer("check", s.code, s.code == 0 ? "" : "not yet\n");
    ProbeVerdict v = Probe();
    ++n;
    EXPECT_EQ(runtime_.Calls("check"), n);
    EXPECT_EQ(v.ready, s.ready) << "run " << n;
    EXPECT_TRUE(v.started);
    EXPECT_FALSE(v.failed.has_value()) << "readiness never kills";
    EXPECT_EQ(Messages(events_), s.events) << "run " << n;
    ASSERT_TRUE(v.next_due.has_value());
    EXPECT_EQ(*v.next_due, clock_.now + absl::Seconds(10));
    // Between periods nothing runs.
    clock_.now += absl::Seconds(9);
    EXPECT_EQ(Probe().ready, s.ready);
    EXPECT_EQ(runtime_.Calls("check"), n);
    clock_.now += absl::Seconds(1);
  }
}

TEST_F(ProberTest, LivenessFailsAfterThresholdThenHoldsUntilTheNextAttempt) {
  spec_ = json::parse(R"({"name":"web","livenessProbe":{"exec":{"command":["alive"]},
      "periodSeconds":5,"failureThreshold":3}})");
  runtime_.Answer("alive", 1, "dead\n");
  // The first run comes one period after the start.
  EXPECT_EQ(*Probe().next_due, started_ + absl::Seconds(5));
  EXPECT_EQ(runtime_.Calls("alive"), 0);
  for (int i = 1; i <= 3; ++i) {
    clock_.now += absl::Seconds(5);
    ProbeVerdict v = Probe();
    EXPECT_TRUE(v.ready) << "no readiness probe";
    EXPECT_EQ(v.failed.has_value(), i == 3) << "run " << i;
    EXPECT_EQ(Messages(events_),
              std::vector<std::string>{"Warning Unhealthy Liveness probe failed: dead\n"});
  }
  clock_.now += absl::Seconds(5);
  EXPECT_EQ(*Probe().failed, ProbeType::kLiveness);
  EXPECT_EQ(runtime_.Calls("alive"), 3) << "on hold after the failure";
  // The next attempt starts over; a success in between resets the count.
  started_ = clock_.now;
  runtime_.Answer("alive", 0);
  ProbeVerdict v = Probe("c2");
  EXPECT_FALSE(v.failed.has_value());
  EXPECT_EQ(runtime_.Calls("alive"), 3);
  for (int code : {0, 1, 1, 0, 1, 1}) {
    runtime_.Answer("alive", code, "dead\n");
    clock_.now += absl::Seconds(5);
    EXPECT_FALSE(Probe("c2").failed.has_value());
  }
  clock_.now += absl::Seconds(5);
  EXPECT_TRUE(Probe("c2").failed.has_value());
  EXPECT_EQ(runtime_.Calls("alive"), 10);
}

TEST_F(ProberTest, StartupProbeGatesLivenessAndReadiness) {
  spec_ = json::parse(R"({"name":"web",
      "startupProbe":{"exec":{"command":["booted"]},"periodSeconds":2,"failureThreshold":3},
      "livenessProbe":{"exec":{"command":["alive"]},"periodSeconds":10},
      "readinessProbe":{"exec":{"command":["serving"]},"periodSeconds":10}})");
  runtime_.Answer("booted", 1);
  // Syncs every 2 s from the start: the startup probe runs from the first period on; once it
  // passes, readiness runs at once and liveness (due one period after the start) with it.
  struct Step {
    int booted_code;
    bool started, ready;
    int booted_calls, alive_calls, serving_calls;
  } steps[] = {
      {1, false, false, 0, 0, 0},  // t=0
      {1, false, false, 1, 0, 0},  // t=2
      {1, false, false, 2, 0, 0},  // t=4
      {0, true, true, 3, 0, 1},    // t=6
      {0, true, true, 3, 0, 1},    // t=8: the startup probe is done
      {0, true, true, 3, 1, 1},    // t=10: liveness's first period
      {0, true, true, 3, 1, 1},    // t=12
  };
  for (const auto& s : steps) {
    runtime_.Answer("booted", s.booted_code);
    ProbeVerdict v = Probe();
    EXPECT_EQ(v.started, s.started);
    EXPECT_EQ(v.ready, s.ready);
    EXPECT_FALSE(v.failed.has_value());
    EXPECT_EQ(runtime_.Calls("booted"), s.booted_calls);
    EXPECT_EQ(runtime_.Calls("alive"), s.alive_calls);
    EXPECT_EQ(runtime_.Calls("serving"), s.serving_calls);
    clock_.now += absl::Seconds(2);
  }
}

TEST_F(ProberTest, StartupProbeFailureKills) {
  spec_ = json::parse(R"({"name":"web",
      "startupProbe":{"exec":{"command":["booted"]},"periodSeconds":1,"failureThreshold":2}})");
  runtime_.Answer("booted", 3, "still booting");
  clock_.now += absl::Seconds(1);
  EXPECT_FALSE(Probe().failed.has_value());
  clock_.now += absl::Seconds(1);
  ProbeVerdict v = Probe();
  EXPECT_EQ(*v.failed, ProbeType::kStartup);
  EXPECT_FALSE(v.started);
  EXPECT_EQ(Messages(events_),
            std::vector<std::string>{"Warning Unhealthy Startup probe failed: still booting"});
}

TEST_F(ProberTest, InitialDelayPostponesTheFirstRun) {
  spec_ = json::parse(R"({"name":"web","readinessProbe":{"exec":{"command":["check"]},
      "initialDelaySeconds":5,"periodSeconds":3}})");
  ProbeVerdict v = Probe();
  EXPECT_FALSE(v.ready);
  EXPECT_EQ(runtime_.Calls("check"), 0);
  EXPECT_EQ(*v.next_due, started_ + absl::Seconds(5));
  clock_.now += absl::Seconds(5);
  v = Probe();
  EXPECT_TRUE(v.ready);
  EXPECT_EQ(runtime_.Calls("check"), 1);
  EXPECT_EQ(*v.next_due, clock_.now + absl::Seconds(3));
}

TEST_F(ProberTest, ErrorsAreReportedButNotCounted) {
  struct Case {
    std::string probe;
    std::string event;
  } cases[] = {
      {R"({"grpc":{"port":9000}})",
       "Warning Unhealthy Readiness probe errored and resulted in unknown state: gRPC probes are "
       "not supported on this node"},
      {R"({"httpGet":{"port":"web"}})",
       "Warning Unhealthy Readiness probe errored and resulted in unknown state: port \"web\" not "
       "found"},
      {R"({"tcpSocket":{"port":0}})",
       "Warning Unhealthy Readiness probe errored and resulted in unknown state: invalid port "
       "number: 0"},
  };
  for (const auto& c : cases) {
    spec_ = json::parse(R"({"name":"web","readinessProbe":)" + c.probe + "}");
    state_ = ProbeState{};
    ProbeVerdict v = Probe();
    EXPECT_FALSE(v.ready) << c.probe;
    EXPECT_EQ(Messages(events_), std::vector<std::string>{c.event});
    EXPECT_EQ(state_.workers[static_cast<size_t>(ProbeType::kReadiness)].run, 0);
  }
}

TEST_F(ProberTest, TcpProbeByPortNameAgainstALoopbackListener) {
  base::UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener.get(), 16), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  spec_ = json::parse(Cat(R"({"name":"web","ports":[{"name":"web","containerPort":)", port,
                          R"(}],"readinessProbe":{"tcpSocket":{"port":"web"}}})"));
  EXPECT_TRUE(Probe().ready);
  listener.Reset();  // nothing listens any more
  clock_.now += absl::Seconds(10);
  for (int i = 0; i < 3; ++i) {
    Probe();
    EXPECT_EQ(Messages(events_),
              std::vector<std::string>{Cat("Warning Unhealthy Readiness probe failed: dial tcp "
                                           "127.0.0.1:",
                                           port, ": connect: connection refused")});
    clock_.now += absl::Seconds(10);
  }
  EXPECT_FALSE(Probe().ready);
}

// The kubelet with probes: status, events, restarts.
class KubeletProbeTest : public ::testing::Test {
 protected:
  KubeletProbeTest() : runtime_(&clock_), kubelet_(&runtime_, Options()) {}
  KubeletOptions Options() {
    KubeletOptions o;
    o.node_name = "node-1";
    o.node_ip = "192.168.5.5";
    o.clock = &clock_;
    o.inline_probes = true;
    o.lookup = [](std::string_view, std::string_view,
                  std::string_view) -> absl::StatusOr<json::value> {
      return absl::NotFoundError("no");
    };
    return o;
  }
  static json::value Pod(std::string_view spec) {
    return json::parse(Cat(R"({"metadata":{"name":"p","namespace":"default","uid":"uid-p"},
                               "spec":)",
                           spec, R"(,"status":{"phase":"Pending"}})"));
  }
  // Syncs and, like the API server, stores a returned status into the pod.
  PodSyncResult Sync() {
    PodSyncResult r = kubelet_.SyncPod(pod_);
    if (r.status) {
      json::object& st = pod_.as_object()["status"].as_object();
      for (const auto& [k, v] : *r.status) st[k] = v;
    }
    return r;
  }
  const json::value& Status() const { return pod_.at("status").at("containerStatuses").at(0); }
  std::string Condition(std::string_view type) const {
    for (const auto& c : pod_.at("status").at("conditions").as_array()) {
      if (c.at("type").as_string() == type) {
        std::string out(c.at("status").as_string());
        if (const json::value* r = c.as_object().if_contains("reason"); r && r->is_string()) {
          out += Cat(" ", std::string(r->as_string()));
        }
        if (const json::value* m = c.as_object().if_contains("message"); m && m->is_string()) {
          out += Cat(" ", std::string(m->as_string()));
        }
        return out;
      }
    }
    return "";
  }
  static std::vector<std::string> ProbeEvents(const PodSyncResult& r) {
    std::vector<std::string> out;
    for (const auto& e : r.events) {
      if (e.reason == "Unhealthy" || e.reason == "Killing" || e.reason == "ProbeWarning") {
        out.push_back(Cat(e.type, " ", e.reason, " ", e.message));
      }
    }
    return out;
  }

  FakeClock clock_;
  ScriptedRuntime runtime_;
  Kubelet kubelet_;
  json::value pod_;
};

TEST_F(KubeletProbeTest, ReadinessProbeDecidesReadyWithoutRestarts) {
  pod_ = Pod(R"({"containers":[{"name":"web","image":"busybox:1",
      "readinessProbe":{"exec":{"command":["cat","/tmp/ready"]},"periodSeconds":1,
                        "failureThreshold":1}}]})");
  runtime_.Answer("cat /tmp/ready", 1, "cat: can't open '/tmp/ready': No such file or directory\n");
  PodSyncResult r = Sync();
  EXPECT_EQ(ProbeEvents(r),
            std::vector<std::string>{"Warning Unhealthy Readiness probe failed: cat: can't open "
                                     "'/tmp/ready': No such file or directory\n"});
  EXPECT_FALSE(Status().at("ready").as_bool());
  EXPECT_TRUE(Status().at("started").as_bool());
  EXPECT_EQ(Condition("Ready"), "False ContainersNotReady containers with unready status: [web]");
  EXPECT_EQ(Condition("ContainersReady"),
            "False ContainersNotReady containers with unready status: [web]");
  EXPECT_EQ(pod_.at("status").at("phase").as_string(), "Running");
  ASSERT_TRUE(r.resync_at.has_value());
  EXPECT_EQ(*r.resync_at, clock_.now + absl::Seconds(1));
  for (int i = 0; i < 5; ++i) {  // failing readiness never restarts the container
    clock_.now += absl::Seconds(1);
    Sync();
  }
  EXPECT_EQ(Status().at("restartCount").as_int64(), 0);
  EXPECT_EQ(runtime_.Calls("cat /tmp/ready"), 6);
  runtime_.Answer("cat /tmp/ready", 0);
  clock_.now += absl::Seconds(1);
  r = Sync();
  EXPECT_TRUE(ProbeEvents(r).empty());
  EXPECT_TRUE(Status().at("ready").as_bool());
  EXPECT_EQ(Condition("Ready"), "True");
  EXPECT_EQ(Condition("ContainersReady"), "True");
  runtime_.Answer("cat /tmp/ready", 1, "gone\n");
  clock_.now += absl::Seconds(1);
  Sync();
  EXPECT_FALSE(Status().at("ready").as_bool());
  EXPECT_EQ(Status().at("restartCount").as_int64(), 0);
}

TEST_F(KubeletProbeTest, LivenessFailureKillsAndRestarts) {
  pod_ = Pod(R"({"terminationGracePeriodSeconds":3,"containers":[{"name":"web","image":"busybox:1",
      "livenessProbe":{"httpGet":{"host":"127.0.0.1","port":1,"path":"/healthz"},
                       "periodSeconds":1,"failureThreshold":2}}]})");
  // Nothing listens on 127.0.0.1:1: every run fails at once.
  PodSyncResult r = Sync();
  EXPECT_TRUE(ProbeEvents(r).empty()) << "the first run comes one period after the start";
  std::string first_id(Status().at("containerID").as_string());
  clock_.now += absl::Seconds(1);
  r = Sync();
  const std::string refused =
      "Warning Unhealthy Liveness probe failed: Get \"http://127.0.0.1:1/healthz\": dial tcp "
      "127.0.0.1:1: connect: connection refused";
  EXPECT_EQ(ProbeEvents(r), std::vector<std::string>{refused});
  EXPECT_TRUE(Status().at("ready").as_bool()) << "liveness says nothing about readiness";
  clock_.now += absl::Seconds(1);
  r = Sync();
  EXPECT_EQ(ProbeEvents(r),
            (std::vector<std::string>{
                refused, "Normal Killing Container web failed liveness probe, will be restarted"}));
  EXPECT_EQ(runtime_.stops, std::vector<absl::Duration>{absl::Seconds(3)});
  // Killed and started again at once (the first restart has no back-off).
  EXPECT_EQ(Status().at("restartCount").as_int64(), 1);
  EXPECT_TRUE(Status().at("state").as_object().contains("running"));
  EXPECT_NE(Status().at("containerID").as_string(), first_id);
  const json::value& last = Status().at("lastState").at("terminated");
  EXPECT_EQ(last.at("containerID").as_string(), first_id);
  EXPECT_EQ(last.at("exitCode").as_int64(), 0);  // hollow processes honour SIGTERM
  EXPECT_EQ(last.at("reason").as_string(), "Completed");
  // The new attempt is probed afresh: one failure is below the threshold again.
  clock_.now += absl::Seconds(1);
  r = Sync();
  EXPECT_EQ(ProbeEvents(r), std::vector<std::string>{refused});
  EXPECT_EQ(Status().at("restartCount").as_int64(), 1);
  // Killed again: now the restart waits out the CrashLoopBackOff delay.
  clock_.now += absl::Seconds(1);
  Sync();
  EXPECT_EQ(Status().at("restartCount").as_int64(), 1);
  EXPECT_EQ(Status().at("state").at("waiting").at("reason").as_string(), "CrashLoopBackOff");
  clock_.now += absl::Seconds(10);
  Sync();
  EXPECT_EQ(Status().at("restartCount").as_int64(), 2);
  EXPECT_TRUE(Status().at("state").as_object().contains("running"));
}

TEST_F(KubeletProbeTest, ProbeKillsNeverRestartUnderPolicyNever) {
  pod_ = Pod(R"({"restartPolicy":"Never","containers":[{"name":"web","image":"busybox:1",
      "startupProbe":{"exec":{"command":["booted"]},"periodSeconds":1,"failureThreshold":1}}]})");
  runtime_.Answer("booted", 1);
  Sync();
  clock_.now += absl::Seconds(1);
  PodSyncResult r = Sync();
  EXPECT_EQ(ProbeEvents(r), (std::vector<std::string>{
                                "Warning Unhealthy Startup probe failed: ",
                                "Normal Killing Container web failed startup probe",
                            }));
  EXPECT_EQ(Status().at("restartCount").as_int64(), 0);
  EXPECT_TRUE(Status().at("state").as_object().contains("terminated"));
  EXPECT_FALSE(Status().at("started").as_bool());
  EXPECT_EQ(pod_.at("status").at("phase").as_string(), "Succeeded");
}

TEST_F(KubeletProbeTest, StartupProbeKeepsTheContainerUnstartedUntilItPasses) {
  pod_ = Pod(R"({"containers":[{"name":"web","image":"busybox:1",
      "startupProbe":{"exec":{"command":["booted"]},"periodSeconds":1,"failureThreshold":5}}]})");
  runtime_.Answer("booted", 1);
  Sync();
  clock_.now += absl::Seconds(1);
  Sync();
  EXPECT_FALSE(Status().at("started").as_bool());
  EXPECT_FALSE(Status().at("ready").as_bool());
  EXPECT_EQ(Condition("Ready"), "False ContainersNotReady containers with unready status: [web]");
  runtime_.Answer("booted", 0);
  clock_.now += absl::Seconds(1);
  Sync();
  EXPECT_TRUE(Status().at("started").as_bool());
  EXPECT_TRUE(Status().at("ready").as_bool());
  EXPECT_EQ(Condition("Ready"), "True");
}

TEST_F(KubeletProbeTest, KillGracePeriods) {
  struct Case {
    std::string pod_grace, probe_grace;
    absl::Duration want;
  } cases[] = {
      {"", "", absl::Seconds(30)},
      {R"("terminationGracePeriodSeconds":20,)", "", absl::Seconds(20)},
      {R"("terminationGracePeriodSeconds":20,)", R"(,"terminationGracePeriodSeconds":5)",
       absl::Seconds(5)},
      {R"("terminationGracePeriodSeconds":0,)", "", absl::Seconds(2)},
  };
  runtime_.Answer("alive", 1);
  for (const auto& c : cases) {
    kubelet_.ForgetPod("default/p");
    runtime_.stops.clear();
    pod_ = Pod(Cat("{", c.pod_grace, R"("containers":[{"name":"web","image":"busybox:1",
        "livenessProbe":{"exec":{"command":["alive"]},"failureThreshold":1)",
                   c.probe_grace, "}}]}"));
    Sync();
    clock_.now += absl::Seconds(10);  // the first run, one period after the start
    Sync();
    ASSERT_EQ(runtime_.stops.size(), 1u) << c.pod_grace << c.probe_grace;
    EXPECT_EQ(runtime_.stops[0], c.want) << c.pod_grace << c.probe_grace;
  }
}

}  // namespace
}  // namespace skiff::agent::kubelet
