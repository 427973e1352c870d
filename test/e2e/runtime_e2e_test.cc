// RuncRuntime end to end: real runc, overlayfs, network namespaces and CNI, the busybox image
// built from Debian's busybox-static. Root only (skipped otherwise). The runtime uses its own
// bridge, subnet and cgroup parent so it never meets a node agent running on the same machine.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "skiff/agent/images/digest.h"
#include "skiff/agent/images/image_store.h"
#include "skiff/agent/runtime/runc/process.h"
#include "skiff/agent/runtime/runc/runc_runtime.h"
#include "skiff/api/text.h"
#include "skiff/base/files.h"

namespace skiff::agent::runtime {
namespace {

namespace fs = std::filesystem;

constexpr char kBridge[] = "skiff-e2e0";
constexpr char kSubnet[] = "10.89.255.0/24";
constexpr char kCgroupParent[] = "/skiff-e2e";
constexpr char kNeedsRoot[] = "needs root (runc, overlayfs, network namespaces)";

std::string DataDir() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/skiff-e2e-XXXXXX";
    return std::string(::mkdtemp(tmpl));
  }();
  return dir;
}

class RuntimeE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) return;
    std::string tar = DataDir() + "/busybox.tar";
    auto made = RunProcess({"/bin/bash", SKIFF_SOURCE_DIR "/scripts/make-busybox-image.sh",
                            "--no-import", "--output", tar});
    ASSERT_TRUE(made.ok() && made->exit_code == 0) << (made.ok() ? made->err : "");
    auto store = images::ImageStore::Open(DataDir() + "/images");
    ASSERT_TRUE(store.ok());
    store_ = store->release();
    auto names = store_->Import(tar, "busybox:latest");
    ASSERT_TRUE(names.ok()) << names.status();
  }
  static void TearDownTestSuite() {
    if (::geteuid() != 0) return;
    RunProcess({"/usr/sbin/ip", "link", "del", kBridge}).IgnoreError();
    delete store_;
    store_ = nullptr;
    fs::remove_all(DataDir());
  }

  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << kNeedsRoot;
    ASSERT_NE(store_, nullptr);
    Reopen();
  }
  void TearDown() override {
    if (rt_ == nullptr) return;
    for (const std::string& id : rt_->ListSandboxes()) {
      EXPECT_TRUE(rt_->RemovePodSandbox(id).ok());
    }
    EXPECT_EQ(rt_->ListSandboxes().size(), 0u);
  }

  // A new runtime object on the same state, as after an agent restart.
  void Reopen() {
    rt_.reset();
    RuncRuntimeOptions o;
    o.root = DataDir() + "/runtime";
    o.images = store_;
    o.shim = SKIFF_HELPER_DIR "/skiff-shim";
    o.network.bridge = kBridge;
    o.network.subnet = kSubnet;
    o.cgroup_parent = kCgroupParent;
    o.node_ip = "127.0.0.1";
    auto rt = RuncRuntime::Open(o);
    ASSERT_TRUE(rt.ok()) << rt.status();
    rt_ = std::move(*rt);
  }

  std::string Sandbox(const std::string& name, bool host_network = false) {
    SandboxConfig c;
    c.pod_uid = "uid-" + name;
    c.pod_namespace = "e2e";
    c.pod_name = name;
    c.host_network = host_network;
    auto id = rt_->RunPodSandbox(c);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : "";
  }

  std::string Run(const std::string& sandbox, const std::string& name,
                  std::vector<std::string> command, ContainerResources resources = {}) {
    ContainerConfig c;
    c.name = name;
    c.image = "busybox";
    c.command = std::move(command);
    c.resources = resources;
    auto id = rt_->CreateContainer(sandbox, c);
    EXPECT_TRUE(id.ok()) << id.status();
    if (!id.ok()) return "";
    auto started = rt_->StartContainer(*id);
    EXPECT_TRUE(started.ok()) << started;
    return *id;
  }

  ContainerStatus WaitExited(const std::string& id, absl::Duration timeout = absl::Seconds(10)) {
    absl::Time deadline = absl::Now() + timeout;
    while (true) {
      auto st = rt_->InspectContainer(id);
      EXPECT_TRUE(st.ok()) << st.status();
      if (!st.ok() || st->state == ContainerState::kExited || absl::Now() > deadline) {
        return st.ok() ? *st : ContainerStatus{};
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  std::string Output(const std::string& id) {
    return base::ReadFile(rt_->ContainerDir(id) + "/output.log").value_or("<no output>");
  }

  static images::ImageStore* store_;
  std::unique_ptr<RuncRuntime> rt_;
};

images::ImageStore* RuntimeE2ETest::store_ = nullptr;

// An HTTP GET over plain TCP; empty when nothing answers before the deadline.
std::string HttpGet(const std::string& ip, int port, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
    // Connect without blocking past the deadline (an absent address waits for ARP).
    int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p = {fd, POLLOUT, 0};
      int ms =
          static_cast<int>(std::max<int64_t>(1, absl::ToInt64Milliseconds(deadline - absl::Now())));
      int err = 0;
      socklen_t len = sizeof err;
      rc = ::poll(&p, 1, ms) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
                   err == 0
               ? 0
               : -1;
    }
    if (rc == 0) {
      ::fcntl(fd, F_SETFL, 0);
      std::string req = "GET / HTTP/1.0\r\n\r\n";
      (void)!::write(fd, req.data(), req.size());
      std::string resp;
      char buf[4096];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<size_t>(n));
      ::close(fd);
      return resp;
    }
    ::close(fd);
    absl::SleepFor(absl::Milliseconds(50));
  }
  return "";
}

const std::vector<std::string> kWebServer = {
    "sh", "-c", "mkdir -p /www && echo pong > /www/index.html && exec httpd -f -p 8080 -h /www"};

TEST_F(RuntimeE2ETest, ImportedBusyboxResolves) {
  auto ref = rt_->PullImage("busybox");
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto img = store_->Resolve("docker.io/library/busybox:latest");
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(*ref, "docker.io/library/busybox@" + img->manifest_digest);
  EXPECT_EQ(rt_->PullImage("nginx").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(rt_->Type(), "runc");
  EXPECT_TRUE(rt_->Version().starts_with("1.")) << rt_->Version();
}

TEST_F(RuntimeE2ETest, ContainerWritesFileAndExitCodesAreSeen) {
  std::string sb = Sandbox("writer");
  auto sandbox = rt_->InspectSandbox(sb);
  ASSERT_TRUE(sandbox.ok());
  EXPECT_TRUE(sandbox->ready);
  EXPECT_TRUE(sandbox->ip.starts_with("10.89.255.")) << sandbox->ip;

  std::string ok = Run(sb, "ok", {"sh", "-c", "echo hello > /tmp/out && hostname && exit 0"});
  ContainerStatus st = WaitExited(ok);
  EXPECT_EQ(st.state, ContainerState::kExited);
  EXPECT_EQ(st.exit_code, 0);
  EXPECT_EQ(st.reason, "Completed");
  EXPECT_GE(st.finished_at, st.started_at);
  EXPECT_EQ(Output(ok), "writer\n");
  // The write landed in the container's own upper layer, not in the image.
  EXPECT_EQ(*base::ReadFile(rt_->ContainerDir(ok) + "/upper/tmp/out"), "hello\n");

  std::string bad = Run(sb, "bad", {"sh", "-c", "exit 7"});
  st = WaitExited(bad);
  EXPECT_EQ(st.exit_code, 7);
  EXPECT_EQ(st.reason, "Error");
  EXPECT_EQ(st.name, "bad");
  EXPECT_EQ(st.image, "busybox");
  EXPECT_TRUE(st.image_ref.starts_with("docker.io/library/busybox@sha256:")) << st.image_ref;

  // A program that is not there: the start fails and says why, as containerd reports it.
  ContainerConfig missing;
  missing.name = "missing";
  missing.image = "busybox";
  missing.command = {"/no/such/program"};
  auto mid = rt_->CreateContainer(sb, missing);
  ASSERT_TRUE(mid.ok()) << mid.status();
  EXPECT_EQ(rt_->InspectContainer(*mid)->state, ContainerState::kCreated);
  absl::Status start = rt_->StartContainer(*mid);
  EXPECT_FALSE(start.ok());
  st = *rt_->InspectContainer(*mid);
  EXPECT_EQ(st.state, ContainerState::kExited);
  EXPECT_EQ(st.exit_code, 128);
  EXPECT_EQ(st.reason, "StartError");
  EXPECT_NE(st.message.find("/no/such/program"), std::string::npos) << st.message;

  // The same name and attempt cannot be created twice.
  ContainerConfig again;
  again.name = "bad";
  again.image = "busybox";
  EXPECT_EQ(rt_->CreateContainer(sb, again).status().code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(rt_->RemoveContainer(bad).ok());
  EXPECT_FALSE(fs::exists(rt_->ContainerDir(bad)));
  EXPECT_EQ(rt_->InspectContainer(bad).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RuntimeE2ETest, StopSendsSigtermThenSigkillAfterTheGracePeriod) {
  std::string sb = Sandbox("stopper");
  std::string polite =
      Run(sb, "polite", {"sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.05; done"});
  // PID 1 without a handler ignores SIGTERM: only SIGKILL ends it.
  std::string stubborn = Run(sb, "stubborn", {"sleep", "1000"});
  absl::SleepFor(absl::Milliseconds(200));  // let the shell install its trap
  EXPECT_EQ(rt_->InspectContainer(polite)->state, ContainerState::kRunning);

  absl::Time t0 = absl::Now();
  ASSERT_TRUE(rt_->StopContainer(polite, absl::Seconds(10)).ok());
  absl::Duration polite_took = absl::Now() - t0;
  ContainerStatus st = WaitExited(polite, absl::Seconds(1));
  EXPECT_EQ(st.exit_code, 3);
  EXPECT_LT(polite_took, absl::Seconds(2));

  t0 = absl::Now();
  ASSERT_TRUE(rt_->StopContainer(stubborn, absl::Milliseconds(700)).ok());
  absl::Duration stubborn_took = absl::Now() - t0;
  st = WaitExited(stubborn, absl::Seconds(1));
  EXPECT_EQ(st.exit_code, 137);
  EXPECT_EQ(st.reason, "Error");
  EXPECT_GE(stubborn_took, absl::Milliseconds(700));
  EXPECT_LT(stubborn_took, absl::Seconds(3));
  EXPECT_TRUE(rt_->StopContainer(stubborn, absl::Seconds(1)).ok());  // already stopped
}

TEST_F(RuntimeE2ETest, ContainersOfAPodShareLocalhostAndHostname) {
  std::string sb = Sandbox("duo");
  std::string server = Run(sb, "server", kWebServer);
  std::string client = Run(sb, "client",
                           {"sh", "-c",
                            "for i in $(seq 100); do "
                            "wget -q -O- http://127.0.0.1:8080/ && hostname && "
                            "exit 0; sleep 0.05; done; exit 1"});
  ContainerStatus st = WaitExited(client);
  EXPECT_EQ(st.exit_code, 0) << Output(client);
  EXPECT_EQ(Output(client), "pong\nduo\n");
  EXPECT_EQ(rt_->InspectContainer(server)->state, ContainerState::kRunning);
  // And one IPC namespace, the pod's, which is not the host's.
  std::string a = Run(sb, "ipc-a", {"readlink", "/proc/self/ns/ipc"});
  std::string b = Run(sb, "ipc-b", {"readlink", "/proc/self/ns/ipc"});
  ASSERT_EQ(WaitExited(a).exit_code, 0);
  ASSERT_EQ(WaitExited(b).exit_code, 0);
  EXPECT_TRUE(Output(a).starts_with("ipc:[")) << Output(a);
  EXPECT_EQ(Output(a), Output(b));
  char host[64] = {};
  ASSERT_GT(::readlink("/proc/self/ns/ipc", host, sizeof host - 1), 0);
  EXPECT_NE(Output(a), std::string(host) + "\n");
}

TEST_F(RuntimeE2ETest, PodIpIsReachableFromTheHost) {
  std::string sb = Sandbox("web");
  std::string ip = rt_->InspectSandbox(sb)->ip;
  Run(sb, "server", kWebServer);
  std::string resp = HttpGet(ip, 8080, absl::Seconds(5));
  EXPECT_TRUE(resp.starts_with("HTTP/1.")) << resp;
  EXPECT_TRUE(resp.ends_with("pong\n")) << resp;

  // A second pod gets another address on the same bridge.
  std::string other = Sandbox("web2");
  EXPECT_NE(rt_->InspectSandbox(other)->ip, ip);
  // Removing the pod releases its address and namespace.
  ASSERT_TRUE(rt_->RemovePodSandbox(sb).ok());
  EXPECT_EQ(HttpGet(ip, 8080, absl::Milliseconds(300)), "");
  EXPECT_EQ(rt_->InspectSandbox(sb).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RuntimeE2ETest, RunningContainersSurviveARuntimeRestart) {
  std::string sb = Sandbox("survivor");
  std::string ip = rt_->InspectSandbox(sb)->ip;
  std::string server = Run(sb, "server", kWebServer);
  std::string done = Run(sb, "done", {"sh", "-c", "exit 0"});
  std::string later = Run(sb, "later", {"sh", "-c", "sleep 0.6; exit 5"});
  ASSERT_EQ(WaitExited(done).exit_code, 0);
  std::string pid = *base::ReadFile(rt_->ContainerDir(server) + "/pid");
  absl::Time started = rt_->InspectContainer(server)->started_at;

  rt_.reset();  // the agent goes away; its containers do not
  absl::SleepFor(absl::Milliseconds(900));
  Reopen();

  auto sandbox = rt_->InspectSandbox(sb);
  ASSERT_TRUE(sandbox.ok()) << sandbox.status();
  EXPECT_TRUE(sandbox->ready);
  EXPECT_EQ(sandbox->ip, ip);
  auto st = rt_->InspectContainer(server);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, ContainerState::kRunning);
  EXPECT_EQ(st->started_at, started);
  EXPECT_EQ(*base::ReadFile(rt_->ContainerDir(server) + "/pid"), pid);
  EXPECT_TRUE(HttpGet(ip, 8080, absl::Seconds(3)).ends_with("pong\n"));
  EXPECT_EQ(rt_->InspectContainer(done)->exit_code, 0);
  // It exited while nobody watched; the shim kept its status.
  ContainerStatus l = WaitExited(later, absl::Seconds(2));
  EXPECT_EQ(l.exit_code, 5);
  EXPECT_EQ(l.reason, "Error");
  EXPECT_EQ(rt_->RunPodSandbox({"uid-survivor", "e2e", "survivor", false, ""}).value_or(""), sb);

  ASSERT_TRUE(rt_->StopContainer(server, absl::Seconds(2)).ok());
  EXPECT_EQ(WaitExited(server).state, ContainerState::kExited);
  ASSERT_TRUE(rt_->StopPodSandbox(sb).ok());
  EXPECT_FALSE(rt_->InspectSandbox(sb)->ready);
  ContainerConfig late;
  late.name = "late";
  late.image = "busybox";
  late.command = {"true"};
  EXPECT_EQ(rt_->CreateContainer(sb, late).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(RuntimeE2ETest, HostNetworkPodUsesTheNodeNetworkAndHostname) {
  std::string sb = Sandbox("hostnet", /*host_network=*/true);
  EXPECT_EQ(rt_->InspectSandbox(sb)->ip, "127.0.0.1");
  std::string c = Run(sb, "c", {"sh", "-c", "hostname; ip -o link | grep -c lo:"});
  EXPECT_EQ(WaitExited(c).exit_code, 0);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  EXPECT_EQ(Output(c), std::string(host) + "\n1\n");
}

TEST_F(RuntimeE2ETest, SecurityDefaultsAndCgroupLimits) {
  std::string sb = Sandbox("limits");
  ContainerResources r;
  r.cpu_request_millis = 250;
  r.cpu_limit_millis = 500;
  r.memory_limit_bytes = 64 << 20;
  std::string c = Run(sb, "c",
                      {"sh", "-c",
                       "grep -E '^(NoNewPrivs|CapEff|CapBnd|CapAmb)' /proc/self/status; id -u; "
                       "exec sleep 1000"},
                      r);
  absl::SleepFor(absl::Milliseconds(300));
  // containerd's default set: chown dac_override fowner fsetid kill setgid setuid setpcap
  // net_bind_service net_raw sys_chroot mknod audit_write setfcap.
  EXPECT_EQ(Output(c),
            "CapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nCapAmb:\t0000000000000000\n"
            "NoNewPrivs:\t1\n0\n");
  std::string cg = api::Cat(kCgroupParent, "/poduid-limits/", c);
  EXPECT_EQ(base::ReadFile("/sys/fs/cgroup/memory" + cg + "/memory.limit_in_bytes").value_or(""),
            "67108864\n");
  EXPECT_EQ(base::ReadFile("/sys/fs/cgroup/cpu" + cg + "/cpu.shares").value_or(""), "256\n");
  EXPECT_EQ(base::ReadFile("/sys/fs/cgroup/cpu" + cg + "/cpu.cfs_quota_us").value_or(""),
            "50000\n");
}

TEST_F(RuntimeE2ETest, ImageCommandsImportListAndRemove) {
  std::string dir = DataDir() + "/cli";
  std::string skiff = SKIFF_HELPER_DIR "/skiff";
  ProcessOptions with_skiff;
  with_skiff.env = {"SKIFF_BIN=" + skiff};
  auto made =
      RunProcess({"/bin/bash", SKIFF_SOURCE_DIR "/scripts/make-busybox-image.sh", "--data-dir", dir,
                  "--name", "busybox:latest", "--name", "busybox:1.35.0"},
                 with_skiff);
  ASSERT_TRUE(made.ok());
  ASSERT_EQ(made->exit_code, 0) << made->err;
  auto img = store_->Resolve("busybox");
  ASSERT_TRUE(img.ok());
  std::string id(images::DigestHex(img->config_digest).substr(0, 13));
  auto ls = RunProcess({skiff, "image", "--data-dir", dir, "ls"});
  ASSERT_TRUE(ls.ok());
  EXPECT_EQ(
      ls->out,
      api::Cat("IMAGE                                              TAG          IMAGE ID       "
               "SIZE\n",
               "docker.io/library/busybox                          1.35.0       ", id, "  1.03MB\n",
               "docker.io/library/busybox                          latest       ", id,
               "  1.03MB\n"));
  auto rm = RunProcess({skiff, "image", "--data-dir", dir, "rm", "busybox", "nosuch:1"});
  ASSERT_TRUE(rm.ok());
  EXPECT_EQ(rm->exit_code, 1);
  EXPECT_EQ(rm->out, "Deleted: docker.io/library/busybox:latest\n");
  EXPECT_EQ(rm->err, "skiff image: image \"docker.io/library/nosuch:1\" not found\n");
  auto left = RunProcess({skiff, "image", "--data-dir", dir, "ls", "-q"});
  EXPECT_EQ(left->out, id + "\n");
}

}  // namespace
}  // namespace skiff::agent::runtime
