#include "skiff/agent/runtime/hollow/hollow_runtime.h"

#include <gtest/gtest.h>

namespace skiff::agent::runtime {
namespace {

class FakeClock : public base::Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1700000000);
};

HollowRuntimeOptions Opts(const base::Clock* clock = &base::Clock::Real()) {
  HollowRuntimeOptions o;
  o.node_ip = "10.255.0.1";
  o.pod_subnet = "10.0.1";
  o.clock = clock;
  return o;
}

SandboxConfig Cfg(std::string uid, bool host_network = false, std::string preferred = "") {
  SandboxConfig c;
  c.pod_uid = std::move(uid);
  c.pod_namespace = "default";
  c.pod_name = "p";
  c.host_network = host_network;
  c.preferred_ip = std::move(preferred);
  return c;
}

ContainerConfig Ctr(std::string name, std::string image, std::vector<std::string> command = {},
                    bool init = false) {
  ContainerConfig c;
  c.name = std::move(name);
  c.image = std::move(image);
  c.command = std::move(command);
  c.init = init;
  return c;
}

TEST(FiniteExitCodeTest, Table) {
  struct Case {
    std::vector<std::string> command, args;
    std::optional<int> want;
  };
  std::vector<Case> cases = {
      {{"true"}, {}, 0},
      {{"/bin/false"}, {}, 1},
      {{"sh", "-c", "exit 3"}, {}, 3},
      {{"/bin/sh"}, {"-c", " exit 0 "}, 0},
      {{"bash", "-c", "exit"}, {}, 0},
      {{"sh", "-c", "exit 256"}, {}, std::nullopt},
      {{"sh", "-c", "sleep 1; exit 0"}, {}, std::nullopt},
      {{"sleep", "3600"}, {}, std::nullopt},
      {{}, {}, std::nullopt},
      {{}, {"true"}, 0},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FiniteExitCode(c.command, c.args), c.want) << (c.command.empty() ? "" : c.command[0]);
  }
}

TEST(HollowRuntimeTest, PullImage) {
  HollowRuntime rt(Opts());
  EXPECT_EQ(*rt.PullImage("busybox:1.36"), "busybox@sha256:" + HollowDigest("busybox:1.36"));
  EXPECT_EQ(*rt.PullImage("localhost:5000/app"),
            "localhost:5000/app@sha256:" + HollowDigest("localhost:5000/app"));
  EXPECT_EQ(rt.PullImage("nginx:1.27-broken").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(rt.PullImage("nginx:broken").ok());  // ":broken" pulls; it only never gets ready
  EXPECT_EQ(HollowDigest("").size(), 64u);
  EXPECT_EQ(HollowDigest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HollowRuntimeTest, SandboxIps) {
  HollowRuntime rt(Opts());
  auto a = rt.RunPodSandbox(Cfg("uid-a"));
  auto b = rt.RunPodSandbox(Cfg("uid-b"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(rt.InspectSandbox(*a)->ip, "10.0.1.2");
  EXPECT_EQ(rt.InspectSandbox(*b)->ip, "10.0.1.3");
  EXPECT_EQ(*rt.RunPodSandbox(Cfg("uid-a")), *a);  // idempotent
  auto host = rt.RunPodSandbox(Cfg("uid-h", /*host_network=*/true));
  EXPECT_EQ(rt.InspectSandbox(*host)->ip, "10.255.0.1");
  auto pref = rt.RunPodSandbox(Cfg("uid-p", false, "10.0.1.77"));
  EXPECT_EQ(rt.InspectSandbox(*pref)->ip, "10.0.1.77");
  ASSERT_TRUE(rt.RemovePodSandbox(*a).ok());
  auto c = rt.RunPodSandbox(Cfg("uid-c"));
  EXPECT_EQ(rt.InspectSandbox(*c)->ip, "10.0.1.2");  // released and reused
  for (int i = 0; i < 250; ++i) (void)rt.RunPodSandbox(Cfg("fill-" + std::to_string(i)));
  EXPECT_EQ(rt.RunPodSandbox(Cfg("one-more")).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(HollowRuntimeTest, ContainerLifecycle) {
  FakeClock clock;
  HollowRuntime rt(Opts(&clock));
  std::string sb = *rt.RunPodSandbox(Cfg("uid"));
  std::string run = *rt.CreateContainer(sb, Ctr("web", "nginx:1.27", {"nginx"}));
  std::string fin = *rt.CreateContainer(sb, Ctr("job", "busybox", {"sh", "-c", "exit 2"}));
  std::string init = *rt.CreateContainer(sb, Ctr("init", "busybox", {"sleep", "9"}, true));
  EXPECT_EQ(rt.InspectContainer(run)->state, ContainerState::kCreated);
  EXPECT_EQ(rt.CreateContainer(sb, Ctr("web", "nginx:1.27")).status().code(),
            absl::StatusCode::kAlreadyExists);
  clock.now += absl::Seconds(5);
  for (const auto& id : {run, fin, init}) ASSERT_TRUE(rt.StartContainer(id).ok());
  auto r = *rt.InspectContainer(run);
  EXPECT_EQ(r.state, ContainerState::kRunning);
  EXPECT_EQ(r.started_at, clock.now);
  EXPECT_EQ(r.image_ref, "nginx@sha256:" + HollowDigest("nginx:1.27"));
  auto f = *rt.InspectContainer(fin);
  EXPECT_EQ(f.state, ContainerState::kExited);
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_EQ(f.reason, "Error");
  auto i = *rt.InspectContainer(init);
  EXPECT_EQ(i.state, ContainerState::kExited);
  EXPECT_EQ(i.exit_code, 0);
  EXPECT_EQ(i.reason, "Completed");
  ASSERT_TRUE(rt.StopPodSandbox(sb).ok());
  EXPECT_EQ(rt.InspectContainer(run)->state, ContainerState::kExited);
  EXPECT_FALSE(rt.InspectSandbox(sb)->ready);
  ASSERT_TRUE(rt.RemovePodSandbox(sb).ok());
  EXPECT_EQ(rt.InspectContainer(run).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(rt.SandboxCount(), 0u);
}

}  // namespace
}  // namespace skiff::agent::runtime
