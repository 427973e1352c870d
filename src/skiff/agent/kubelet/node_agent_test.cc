#include "skiff/agent/kubelet/node_agent.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "skiff/agent/kubelet/volumes.h"
#include "skiff/agent/runtime/hollow/hollow_runtime.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::agent::kubelet {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using api::GetString;

constexpr char kNode[] = "node-a";

template <typename F>
bool WaitFor(F pred, absl::Duration timeout = absl::Seconds(15)) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

json::value Pod(std::string_view name) {
  return json::object{
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", json::object{{"name", name}, {"namespace", "default"}}},
      {"spec",
       json::object{
           {"nodeName", kNode},
           {"volumes",
            json::array{json::object{{"name", "scratch"}, {"emptyDir", json::object{}}}}},
           {"containers",
            json::array{json::object{
                {"name", "c"},
                {"image", "busybox:1"},
                {"volumeMounts",
                 json::array{json::object{{"name", "scratch"}, {"mountPath", "/scratch"}}}}}}}}}};
}

// The agent over an in-process API server and the hollow runtime, with the volume manager and
// logs in a temporary data directory. Housekeeping is driven by the tests (Housekeeping()) or
// runs every 100 ms once started.
class NodeAgentTest : public ::testing::Test {
 protected:
  NodeAgentTest() : runtime_(runtime::HollowRuntimeOptions{"192.168.9.9", "10.0.9"}) {
    char tmpl[] = "/tmp/skiff-node-agent-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    apiserver::ApiServerOptions so;
    so.port = 0;
    server_ = std::make_unique<apiserver::ApiServer>(&store_, so);
    informers_ = std::make_unique<client::InformerFactory>(&server_->cache());
    local_ = std::make_unique<client::InProcessClient>(&server_->registry(), "node-agent-test");
    client_ = local_.get();
    ObjectLookup lookup = [](std::string_view, std::string_view,
                             std::string_view) -> absl::StatusOr<json::value> {
      return absl::NotFoundError("none");
    };
    volumes_ = std::make_unique<VolumeManager>(dir_ + "/pods", lookup, NodeAllocatable{});
    KubeletOptions ko;
    ko.node_name = kNode;
    ko.node_ip = "192.168.9.9";
    ko.lookup = lookup;
    ko.volumes = volumes_.get();
    ko.log_root = dir_;
    ko.max_grace = absl::Milliseconds(100);
    kubelet_ = std::make_unique<Kubelet>(&runtime_, std::move(ko));
    NodeAgentOptions ao;
    ao.node_name = kNode;
    ao.host.node_ip = "192.168.9.9";
    ao.housekeeping_interval = absl::Milliseconds(100);
    ao.pods_synced = [this] { return synced_.load(); };
    agent_ = std::make_unique<NodeAgent>(client_, &informers_->For(client::Pods()), kubelet_.get(),
                                         std::move(ao));
    agent_->Register();
  }
  ~NodeAgentTest() override {
    agent_->Stop();
    server_->Stop();
    fs::remove_all(dir_);
  }

  // What an earlier agent left for a pod: a sandbox with a running container, an emptyDir
  // with a file in it and a log file.
  std::string Leave(std::string_view uid, std::string_view name) {
    runtime::SandboxConfig sc;
    sc.pod_uid = std::string(uid);
    sc.pod_namespace = "default";
    sc.pod_name = std::string(name);
    auto sandbox = runtime_.RunPodSandbox(sc);
    EXPECT_TRUE(sandbox.ok());
    runtime::ContainerConfig cc;
    cc.name = "c";
    cc.image = "busybox:1";
    cc.command = {"sleep", "3600"};
    auto id = runtime_.CreateContainer(*sandbox, cc);
    EXPECT_TRUE(id.ok());
    EXPECT_TRUE(runtime_.StartContainer(*id).ok());
    Touch(PodDir(uid) + "/volumes/scratch/data");
    Touch(LogDir(uid, name) + "/c/0.log");
    return *id;
  }
  std::string PodDir(std::string_view uid) { return api::Cat(dir_, "/pods/", uid); }
  std::string LogDir(std::string_view uid, std::string_view name) {
    return api::Cat(dir_, "/pods/default_", name, "_", uid);
  }
  static void Touch(const std::string& path) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << "x";
  }
  std::vector<std::string> SandboxUids() {
    std::vector<std::string> out;
    for (const auto& sb : runtime_.ListPodSandboxes()) out.push_back(sb.pod_uid);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string Uid(std::string_view name) {
    auto pod = client_->Get(client::Pods(), "default", name);
    return pod.ok() ? std::string(GetString(*pod, {"metadata", "uid"})) : "";
  }
  std::string Phase(std::string_view name) {
    auto pod = client_->Get(client::Pods(), "default", name);
    return pod.ok() ? std::string(GetString(*pod, {"status", "phase"})) : "<gone>";
  }

  std::string dir_;
  store::MemoryStore store_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<client::InformerFactory> informers_;
  std::unique_ptr<client::InProcessClient> local_;
  client::Client* client_ = nullptr;
  runtime::HollowRuntime runtime_;
  std::unique_ptr<VolumeManager> volumes_;
  std::unique_ptr<Kubelet> kubelet_;
  std::atomic<bool> synced_{true};
  std::unique_ptr<NodeAgent> agent_;
};

TEST_F(NodeAgentTest, NothingIsRemovedBeforeTheInformerHasSynced) {
  std::string container = Leave("gone-uid", "old");
  synced_ = false;
  ASSERT_TRUE(server_->Start().ok());
  agent_->Start();
  auto early = agent_->Housekeeping();
  EXPECT_TRUE(absl::IsFailedPrecondition(early.status())) << early.status();
  // The agent's own passes wait too: several intervals later everything is still there.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(SandboxUids(), std::vector<std::string>{"gone-uid"});
  EXPECT_EQ(runtime_.InspectContainer(container)->state, runtime::ContainerState::kRunning);
  EXPECT_TRUE(fs::exists(PodDir("gone-uid") + "/volumes/scratch/data"));
  EXPECT_TRUE(fs::exists(LogDir("gone-uid", "old") + "/c/0.log"));

  synced_ = true;
  ASSERT_TRUE(WaitFor([&] { return SandboxUids().empty(); }));
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(LogDir("gone-uid", "old")); }));
  EXPECT_FALSE(fs::exists(PodDir("gone-uid")));
}

TEST_F(NodeAgentTest, HousekeepingRemovesWhatAGonePodLeft) {
  std::string container = Leave("gone-uid", "old");
  ASSERT_TRUE(server_->Start().ok());
  auto cleaned = agent_->Housekeeping();
  ASSERT_TRUE(cleaned.ok()) << cleaned.status();
  ASSERT_EQ(cleaned->size(), 1u);
  const OrphanCleanup& c = (*cleaned)[0];
  EXPECT_EQ(c.pod_uid, "gone-uid");
  EXPECT_EQ(c.pod, "default/old");
  EXPECT_EQ(c.sandboxes, 1);
  EXPECT_TRUE(c.pod_dir);
  EXPECT_EQ(c.log_dirs, 1);
  EXPECT_EQ(c.error, "");
  EXPECT_TRUE(SandboxUids().empty());
  EXPECT_FALSE(runtime_.InspectContainer(container).ok());
  EXPECT_FALSE(fs::exists(PodDir("gone-uid")));
  EXPECT_FALSE(fs::exists(LogDir("gone-uid", "old")));
  EXPECT_TRUE(fs::is_directory(dir_ + "/pods"));
  // Nothing left: the next pass has nothing to do.
  EXPECT_TRUE(agent_->Housekeeping()->empty());
}

TEST_F(NodeAgentTest, KnownPodsAreUntouchedEvenTerminating) {
  // Pods of this node the agent has not synced yet (it is not started): one running, one
  // being deleted (a bound pod's graceful delete keeps it until the agent finalises it).
  ASSERT_TRUE(server_->Start().ok());
  ASSERT_TRUE(client_->Create(client::Pods(), "default", Pod("live")).ok());
  ASSERT_TRUE(client_->Create(client::Pods(), "default", Pod("leaving")).ok());
  ASSERT_TRUE(client_->Delete(client::Pods(), "default", "leaving").ok());
  auto leaving = client_->Get(client::Pods(), "default", "leaving");
  ASSERT_TRUE(leaving.ok());
  ASSERT_FALSE(GetString(*leaving, {"metadata", "deletionTimestamp"}).empty());
  std::string live = Uid("live"), terminating = Uid("leaving");
  Leave(live, "live");
  Leave(terminating, "leaving");
  ASSERT_TRUE(WaitFor([&] { return informers_->For(client::Pods()).Size() == 2; }));

  auto cleaned = agent_->Housekeeping();
  ASSERT_TRUE(cleaned.ok()) << cleaned.status();
  EXPECT_TRUE(cleaned->empty());
  std::vector<std::string> both{live, terminating};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(SandboxUids(), both);
  EXPECT_TRUE(fs::exists(PodDir(live) + "/volumes/scratch/data"));
  EXPECT_TRUE(fs::exists(LogDir(terminating, "leaving") + "/c/0.log"));
}

TEST_F(NodeAgentTest, PodRecreatedUnderTheSameNameLosesTheOldSandbox) {
  // Deleted and created again while the agent was away: same name, new UID.
  Leave("old-uid", "web");
  ASSERT_TRUE(server_->Start().ok());
  ASSERT_TRUE(client_->Create(client::Pods(), "default", Pod("web")).ok());
  std::string uid = Uid("web");
  ASSERT_TRUE(WaitFor([&] { return informers_->For(client::Pods()).Size() == 1; }));
  agent_->Start();
  ASSERT_TRUE(WaitFor([&] { return Phase("web") == "Running"; }));
  ASSERT_TRUE(WaitFor([&] { return SandboxUids() == std::vector<std::string>{uid}; }));
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(PodDir("old-uid")); }));
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(LogDir("old-uid", "web")); }));
  // The live pod keeps its volume through many passes.
  Touch(PodDir(uid) + "/volumes/scratch/data");
  Touch(LogDir(uid, "web") + "/c/0.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_TRUE(fs::exists(PodDir(uid) + "/volumes/scratch/data"));
  EXPECT_TRUE(fs::exists(LogDir(uid, "web") + "/c/0.log"));
  EXPECT_EQ(SandboxUids(), std::vector<std::string>{uid});
  EXPECT_EQ(Phase("web"), "Running");
}

TEST_F(NodeAgentTest, OrphanedDirectoriesGoAndLiveOnesStay) {
  ASSERT_TRUE(server_->Start().ok());
  ASSERT_TRUE(client_->Create(client::Pods(), "default", Pod("live")).ok());
  ASSERT_TRUE(WaitFor([&] { return informers_->For(client::Pods()).Size() == 1; }));
  std::string live = Uid("live");
  Touch(PodDir(live) + "/volumes/scratch/data");
  Touch(LogDir(live, "live") + "/c/0.log");
  // Directories of pods long gone, without sandboxes; and what is not a pod's.
  Touch(PodDir("gone-1") + "/volumes/scratch/data");
  Touch(LogDir("gone-2", "old") + "/c/3.log");
  fs::create_directories(dir_ + "/outside");
  Touch(dir_ + "/outside/keep");
  fs::create_directory_symlink(dir_ + "/outside", PodDir("gone-1") + "/volumes/link");
  fs::create_directory_symlink(dir_ + "/outside", PodDir("gone-3"));
  Touch(dir_ + "/pods/not_a_pod_dir_name/x");

  auto cleaned = agent_->Housekeeping();
  ASSERT_TRUE(cleaned.ok()) << cleaned.status();
  std::vector<std::string> uids;
  for (const OrphanCleanup& c : *cleaned) {
    EXPECT_EQ(c.error, "") << c.pod_uid;
    EXPECT_EQ(c.sandboxes, 0) << c.pod_uid;
    uids.push_back(c.pod_uid);
  }
  EXPECT_EQ(uids, (std::vector<std::string>{"gone-1", "gone-2", "gone-3"}));
  EXPECT_FALSE(fs::exists(PodDir("gone-1")));
  EXPECT_FALSE(fs::exists(LogDir("gone-2", "old")));
  EXPECT_FALSE(fs::exists(fs::symlink_status(PodDir("gone-3"))));
  EXPECT_TRUE(fs::exists(dir_ + "/outside/keep"));  // links were removed, not followed
  EXPECT_TRUE(fs::exists(dir_ + "/pods/not_a_pod_dir_name/x"));
  EXPECT_TRUE(fs::exists(PodDir(live) + "/volumes/scratch/data"));
  EXPECT_TRUE(fs::exists(LogDir(live, "live") + "/c/0.log"));
}

TEST_F(NodeAgentTest, RecordsOfVanishedPodsAreForgottenThroughTheQueue) {
  ASSERT_TRUE(server_->Start().ok());
  // A record the informer knows nothing of (its delete was never seen).
  json::value ghost = Pod("ghost");
  json::object& meta = ghost.as_object()["metadata"].as_object();
  meta["uid"] = "ghost-uid";
  ghost.as_object()["status"] = json::object{{"phase", "Pending"}};
  kubelet_->SyncPod(ghost);
  ASSERT_EQ(kubelet_->PodCount(), 1u);
  ASSERT_EQ(SandboxUids(), std::vector<std::string>{"ghost-uid"});
  // Housekeeping hands a recorded pod to the queue rather than removing it beside a sync.
  auto cleaned = agent_->Housekeeping();
  ASSERT_TRUE(cleaned.ok()) << cleaned.status();
  EXPECT_TRUE(cleaned->empty());
  EXPECT_EQ(SandboxUids(), std::vector<std::string>{"ghost-uid"});
  agent_->Start();
  ASSERT_TRUE(WaitFor([&] { return kubelet_->PodCount() == 0; }));
  EXPECT_TRUE(WaitFor([&] { return SandboxUids().empty(); }));
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(PodDir("ghost-uid")); }));
}

}  // namespace
}  // namespace skiff::agent::kubelet
