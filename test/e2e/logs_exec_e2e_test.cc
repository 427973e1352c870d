// `kubectl logs` and `kubectl exec` end to end: a container run by RuncRuntime (real runc, the
// busybox image) writes its CRI log through skiff-shim; the agent's HTTP endpoint serves it;
// a real `skiff server` holds a Node pointing at that endpoint and a Pod bound to the Node, and
// the real kubectl reads logs and runs commands through the API server. Root only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>

#include "skiff/agent/images/image_store.h"
#include "skiff/agent/runtime/runc/process.h"
#include "skiff/agent/runtime/runc/runc_runtime.h"
#include "skiff/agent/server/agent_server.h"
#include "skiff/api/resources.h"
#include "skiff/base/files.h"
#include "skiff/client/http/http_client.h"

namespace skiff::agent {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using runtime::ContainerConfig;
using runtime::ContainerState;
using runtime::ProcessOptions;
using runtime::RunProcess;

constexpr char kBridge[] = "skiff-e2e1";
constexpr char kSubnet[] = "10.89.254.0/24";
constexpr char kCgroupParent[] = "/skiff-e2e-logs";
constexpr char kNeedsRoot[] = "needs root and runc (runc, overlayfs, network namespaces)";
constexpr char kNode[] = "e2e-logs-node";

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// The container each name means: the kubelet's view, kept by the test as it runs attempts.
class TestLocator : public server::ContainerLocator {
 public:
  absl::StatusOr<server::ContainerLocation> Locate(std::string_view ns, std::string_view pod,
                                                   std::string_view container,
                                                   bool previous) override {
    absl::MutexLock lock(&mu_);
    if (ns != "default" || pod != "logger" || container != "app" || attempts_.empty()) {
      return absl::NotFoundError("container not found");
    }
    if (previous) {
      if (attempts_.size() < 2) {
        return absl::NotFoundError(
            "previous terminated container \"app\" in pod \"logger\" not found");
      }
      return attempts_[attempts_.size() - 2];
    }
    return attempts_.back();
  }
  void Add(server::ContainerLocation l) {
    absl::MutexLock lock(&mu_);
    attempts_.push_back(std::move(l));
  }

 private:
  absl::Mutex mu_;
  std::vector<server::ContainerLocation> attempts_;
};

struct Result {
  int code = -1;
  std::string out, err;
};

class LogsExecE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0 || ::access("/usr/sbin/runc", X_OK) != 0) GTEST_SKIP() << kNeedsRoot;
    char tmpl[] = "/tmp/skiff-e2e-logs-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::string tar = dir_ + "/busybox.tar";
    auto made = RunProcess({"/bin/bash", SKIFF_SOURCE_DIR "/scripts/make-busybox-image.sh",
                            "--no-import", "--output", tar});
    ASSERT_TRUE(made.ok() && made->exit_code == 0) << (made.ok() ? made->err : "");
    auto store = images::ImageStore::Open(dir_ + "/images");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Import(tar, "busybox:latest").ok());
    runtime::RuncRuntimeOptions o;
    o.root = dir_ + "/runtime";
    o.images = store_.get();
    o.shim = SKIFF_HELPER_DIR "/skiff-shim";
    o.network.bridge = kBridge;
    o.network.subnet = kSubnet;
    o.cgroup_parent = kCgroupParent;
    auto rt = runtime::RuncRuntime::Open(o);
    ASSERT_TRUE(rt.ok()) << rt.status();
    rt_ = std::move(*rt);
    agent_ = std::make_unique<server::AgentServer>(rt_.get(), &locator_);
    ASSERT_TRUE(agent_->Start({.bind = "127.0.0.1", .port = 0}).ok());
    StartServer();
  }

  void TearDown() override {
    if (server_pid_ > 0) {
      ::kill(server_pid_, SIGTERM);
      int st;
      ::waitpid(server_pid_, &st, 0);
    }
    if (agent_) agent_->Stop();
    if (rt_) {
      for (const std::string& id : rt_->ListSandboxes()) rt_->RemovePodSandbox(id).IgnoreError();
    }
    rt_.reset();
    if (!dir_.empty()) {
      RunProcess({"/usr/sbin/ip", "link", "del", kBridge}).IgnoreError();
      fs::remove_all(dir_);
    }
  }

  void StartServer() {
    std::string skiff = SKIFF_HELPER_DIR "/skiff";
    port_ = FreePort();
    std::vector<std::string> argv = {
        skiff,    "server",   "--data-dir", dir_ + "/server", "--port", std::to_string(port_),
        "--bind", "127.0.0.1"};
    // No embedded node agent where the server has one: this test brings its own.
    auto help = RunProcess({skiff, "server", "--help"});
    if (help.ok() && help->out.find("--agent") != std::string::npos) {
      argv.push_back("--agent=false");
    }
    server_pid_ = ::fork();
    if (server_pid_ == 0) {
      int log = ::open((dir_ + "/server.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(log, 1);
      ::dup2(log, 2);
      ::setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    client::http::HttpClientOptions co;
    co.server = "http://127.0.0.1:" + std::to_string(port_);
    auto c = client::http::HttpClient::New(co);
    ASSERT_TRUE(c.ok());
    client_ = std::move(*c);
    for (int i = 0; i < 300; ++i) {
      auto r = client_->Request("GET", "/readyz");
      if (r.ok() && r->status == 200) return;
      absl::SleepFor(absl::Milliseconds(100));
    }
    FAIL() << "skiff server did not become ready: "
           << base::ReadFile(dir_ + "/server.log").value_or("");
  }

  Result Kubectl(std::vector<std::string> args, std::string stdin_data = "") {
    return KubectlAt("/usr/bin/kubectl", std::move(args), std::move(stdin_data));
  }

  // kubectl.<version> beside the real file /usr/bin/kubectl points to (the Cloud SDK's layout).
  static std::string KubectlPath(const std::string& version) {
    return fs::canonical("/usr/bin/kubectl").parent_path() / ("kubectl." + version);
  }

  Result KubectlAt(const std::string& kubectl, std::vector<std::string> args,
                   std::string stdin_data = "", std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {kubectl, "--kubeconfig", dir_ + "/server/kubeconfig"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions o;
    o.stdin_data = std::move(stdin_data);
    o.env = std::move(env);
    o.timeout = absl::Seconds(60);
    auto r = RunProcess(argv, o);
    if (!r.ok()) return {-1, "", std::string(r.status().message())};
    return {r->exit_code, r->out, r->err};
  }

  // `kubectl exec -it` on a terminal: script(1) gives it a pty, fed `input` once kubectl has put
  // the terminal in raw mode (so nothing is echoed back).
  Result KubectlTty(const std::string& kubectl, const std::string& input,
                    std::vector<std::string> env = {}) {
    std::string cmd =
        kubectl + " --kubeconfig " + dir_ + "/server/kubeconfig exec -it logger -- sh";
    std::string feed = "{ sleep 2; printf '" + input + "'; sleep 3; } | /usr/bin/script -qec '" +
                       cmd + "' /dev/null";
    ProcessOptions o;
    o.env = std::move(env);
    o.timeout = absl::Seconds(60);
    auto r = RunProcess({"/bin/sh", "-c", feed}, o);
    if (!r.ok()) return {-1, "", std::string(r.status().message())};
    return {r->exit_code, r->out, r->err};
  }

  // The exec checks every kubectl version must pass: the transport it asked for (a request
  // header it logs at -v=7) without falling back, output on both streams and the exit code,
  // stdin, and a terminal session.
  void ExpectExecWorks(const std::string& version, const std::string& transport_header,
                       std::vector<std::string> env = {}) {
    SCOPED_TRACE("kubectl " + version);
    std::string kubectl = KubectlPath(version);
    Result r = KubectlAt(kubectl, {"exec", "-v=7", "logger", "--", "true"}, "", env);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find(transport_header), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("fallback"), std::string::npos) << r.err;
    r = KubectlAt(kubectl, {"exec", "logger", "--", "sh", "-c", "echo out; echo err >&2; exit 3"},
                  "", env);
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_EQ(r.out, "out\n");
    EXPECT_EQ(r.err, "err\ncommand terminated with exit code 3\n");
    r = KubectlAt(kubectl, {"exec", "-i", "logger", "--", "sh", "-c", "tr a-z A-Z"},
                  "hello stdin\n", env);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "HELLO STDIN\n");
    EXPECT_EQ(r.err, "");
    r = KubectlAt(kubectl, {"exec", "logger", "-c", "app", "--", "cat", "/etc/hostname"}, "", env);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "logger\n");
    // The container's sh has no terminal of its own (Runtime::Exec gives it pipes), so it reads
    // the typed line as a script would.
    r = KubectlTty(kubectl, "echo tty-$((6*7)); exit 5\\n", env);
    EXPECT_EQ(r.code, 5) << r.out << r.err;
    EXPECT_NE(r.out.find("tty-42"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("command terminated with exit code 5"), std::string::npos) << r.out;
  }

  // The Node (its agent at our endpoint) and the Pod bound to it; returns the pod's UID.
  std::string CreateNodeAndPod() {
    const api::ResourceInfo& nodes = *api::FindResource("", "v1", "nodes");
    const api::ResourceInfo& pods = *api::FindResource("", "v1", "pods");
    auto node = client_->Create(
        nodes, "",
        json::object{
            {"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", json::object{{"name", kNode}}}});
    EXPECT_TRUE(node.ok()) << node.status();
    json::object status{
        {"status",
         json::object{
             {"addresses",
              json::array{json::object{{"type", "InternalIP"}, {"address", "127.0.0.1"}}}},
             {"daemonEndpoints",
              json::object{{"kubeletEndpoint", json::object{{"Port", agent_->port()}}}}}}}};
    auto patched = client_->Patch(nodes, "", kNode, "application/merge-patch+json",
                                  json::serialize(status), "status");
    EXPECT_TRUE(patched.ok()) << patched.status();
    auto pod = client_->Create(
        pods, "default",
        json::object{
            {"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", json::object{{"name", "logger"}}},
            {"spec", json::object{{"nodeName", kNode},
                                  {"containers", json::array{json::object{
                                                     {"name", "app"}, {"image", "busybox"}}}}}}});
    EXPECT_TRUE(pod.ok()) << pod.status();
    return pod.ok() ? std::string(pod->at("metadata").at("uid").as_string()) : "";
  }

  // Writes the pod's status as the kubelet would: container "app" in `state`, its last
  // attempt terminated with `last_id` (none when empty).
  void SetStatus(const std::string& state, const std::string& last_id) {
    json::object cs{{"name", "app"},
                    {"image", "busybox"},
                    {"imageID", ""},
                    {"ready", false},
                    {"restartCount", last_id.empty() ? 0 : 1},
                    {"state", json::parse(state)}};
    if (!last_id.empty()) {
      cs["lastState"] = json::object{
          {"terminated",
           json::object{{"exitCode", 0}, {"reason", "Completed"}, {"containerID", last_id}}}};
    }
    json::object patch{{"status", json::object{{"containerStatuses", json::array{cs}}}}};
    auto r = client_->Patch(*api::FindResource("", "v1", "pods"), "default", "logger",
                            "application/merge-patch+json", json::serialize(patch), "status");
    ASSERT_TRUE(r.ok()) << r.status();
  }

  // Runs attempt `attempt` of the pod's container "app" with its CRI log where the kubelet
  // puts it.
  std::string RunAttempt(const std::string& sandbox, const std::string& uid, int attempt,
                         const std::string& script) {
    ContainerConfig c;
    c.name = "app";
    c.image = "busybox";
    c.command = {"sh", "-c", script};
    c.attempt = attempt;
    c.log_path = server::ContainerLogPath(dir_ + "/logs", "default", "logger", uid, "app", attempt);
    auto id = rt_->CreateContainer(sandbox, c);
    EXPECT_TRUE(id.ok()) << id.status();
    if (!id.ok()) return "";
    auto started = rt_->StartContainer(*id);
    EXPECT_TRUE(started.ok()) << started;
    locator_.Add({*id, c.log_path});
    return *id;
  }

  void WaitExited(const std::string& id) {
    for (int i = 0; i < 500; ++i) {
      auto st = rt_->InspectContainer(id);
      if (st.ok() && st->state == ContainerState::kExited) return;
      absl::SleepFor(absl::Milliseconds(20));
    }
    FAIL() << "container " << id << " did not exit";
  }

  std::string dir_;
  std::unique_ptr<images::ImageStore> store_;
  std::unique_ptr<runtime::RuncRuntime> rt_;
  TestLocator locator_;
  std::unique_ptr<server::AgentServer> agent_;
  pid_t server_pid_ = -1;
  int port_ = 0;
  std::unique_ptr<client::http::HttpClient> client_;
};

TEST_F(LogsExecE2ETest, KubectlLogsAndExecThroughTheApiServer) {
  // Before the pod is bound anywhere, Kubernetes' errors.
  Result r = Kubectl({"run", "loose", "--image=busybox", "--restart=Never"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Kubectl({"logs", "loose"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error from server (BadRequest): pod loose does not have a host assigned\n");

  std::string uid = CreateNodeAndPod();
  ASSERT_FALSE(uid.empty());
  // No container status yet (the kubelet has not reported one): nothing to read.
  r = Kubectl({"logs", "logger"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "Error from server (BadRequest): container \"app\" in pod \"logger\" is not "
            "available\n");
  SetStatus(R"({"waiting":{"reason":"ContainerCreating"}})", "");
  r = Kubectl({"logs", "logger"});
  EXPECT_EQ(r.err,
            "Error from server (BadRequest): container \"app\" in pod \"logger\" is waiting "
            "to start: ContainerCreating\n");
  runtime::SandboxConfig sc;
  sc.pod_uid = uid;
  sc.pod_namespace = "default";
  sc.pod_name = "logger";
  auto sandbox = rt_->RunPodSandbox(sc);
  ASSERT_TRUE(sandbox.ok()) << sandbox.status();

  // Attempt 0 exits at once; attempt 1 writes a line every 0.3 s for 1.5 s.
  std::string first = RunAttempt(*sandbox, uid, 0,
                                 "echo one; echo two; sleep 0.2; echo err >&2; sleep 0.2; "
                                 "echo three");
  WaitExited(first);
  EXPECT_EQ(base::ReadFile(dir_ + "/logs/pods/default_logger_" + uid + "/app/0.log").ok(), true);
  std::string second =
      RunAttempt(*sandbox, uid, 1, "for i in 1 2 3 4 5; do echo line$i; sleep 0.3; done");
  SetStatus(R"({"running":{"startedAt":"2026-11-28T00:00:00Z"}})", "runc://" + first);
  absl::Time start = absl::Now();
  r = Kubectl({"logs", "-f", "logger"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "line1\nline2\nline3\nline4\nline5\n");
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(900));  // it followed, then ended
  EXPECT_EQ(rt_->InspectContainer(second)->state, ContainerState::kExited);

  r = Kubectl({"logs", "logger", "--tail=2"});
  EXPECT_EQ(r.out, "line4\nline5\n");
  r = Kubectl({"logs", "logger", "-c", "app", "--tail=1", "--timestamps"});
  EXPECT_TRUE(
      std::regex_match(r.out, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line5\n)")))
      << r.out;
  r = Kubectl({"logs", "logger", "--previous"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "one\ntwo\nerr\nthree\n");
  r = Kubectl({"logs", "logger", "--limit-bytes=6"});
  EXPECT_EQ(r.out, "line1\n");
  r = Kubectl({"logs", "logger", "-c", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: container nope is not valid for pod logger\n");  // kubectl's check
  auto raw = client_->Request("GET", "/api/v1/namespaces/default/pods/logger/log?container=nope");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->status, 400);
  EXPECT_EQ(json::parse(raw->body).at("message").as_string(),
            "container nope is not valid for pod logger");

  // Exec needs a running container: attempt 2 sleeps.
  std::string third = RunAttempt(*sandbox, uid, 2, "echo ready; exec sleep 300");
  r = Kubectl({"exec", "logger", "--", "cat", "/etc/hostname"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "logger\n");
  r = Kubectl({"exec", "logger", "--", "sh", "-c", "exit 3"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(r.err, "command terminated with exit code 3\n");
  r = Kubectl({"exec", "logger", "--", "sh", "-c", "echo to-err >&2; echo to-out"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "to-out\n");
  EXPECT_EQ(r.err, "to-err\n");
  r = Kubectl({"exec", "-i", "logger", "--", "sh", "-c", "tr a-z A-Z"}, "hello stdin\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "HELLO STDIN\n");

  // kubectl up to 1.29 speaks SPDY/3.1 only (1.29 offers v5 first, 1.27 and 1.28 v4); 1.30 and
  // newer WebSocket, and SPDY again when told to.
  const std::string spdy_v4 = "X-Stream-Protocol-Version: v4.channel.k8s.io";
  const std::string spdy_v5 = "X-Stream-Protocol-Version: v5.channel.k8s.io";
  ExpectExecWorks("1.27", spdy_v4);
  ExpectExecWorks("1.28", spdy_v4);
  ExpectExecWorks("1.29", spdy_v5);
  ExpectExecWorks("1.32", "Sec-Websocket-Protocol: v5.channel.k8s.io");
  ExpectExecWorks("1.32", spdy_v5, {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false"});
  EXPECT_TRUE(rt_->StopContainer(third, absl::Seconds(1)).ok());
}

}  // namespace
}  // namespace skiff::agent
