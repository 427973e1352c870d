// The scheduler's volume binder against a real in-process API server: its PreFilter and Filter
// decisions, and Reserve + PreBind with the real PV binder and local-path provisioner running.
#include "skiff/scheduler/plugins/volumebinding/binder.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"
#include "skiff/controllers/volume/binding.h"
#include "skiff/controllers/volume/localpath/local_path_provisioner.h"
#include "skiff/controllers/volume/persistentvolume/pv_controller.h"
#include "skiff/controllers/volume/testing.h"

namespace skiff::scheduler::plugins {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
namespace vol = controllers::volume;
using vol::testing::ClaimManifest;
using vol::testing::PodManifest;

constexpr std::string_view kStaticClass = R"({"apiVersion": "storage.k8s.io/v1",
  "kind": "StorageClass", "metadata": {"name": "local-static"},
  "provisioner": "kubernetes.io/no-provisioner", "volumeBindingMode": "WaitForFirstConsumer"})";

std::string LocalVolume(std::string_view name, std::string_view node, std::string_view cls,
                        std::string_view claim_ref = "") {
  std::string spec = std::string(R"({"capacity": {"storage": "5Gi"},
    "accessModes": ["ReadWriteOnce"], "storageClassName": ")") +
                     std::string(cls) +
                     R"(", "local": {"path": "/mnt/disk"}, "nodeAffinity": {"required":
    {"nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/hostname",
    "operator": "In", "values": [")" +
                     std::string(node) + R"("]}]}]}})";
  if (!claim_ref.empty()) spec += R"(, "claimRef": )" + std::string(claim_ref);
  return std::string(R"({"apiVersion": "v1", "kind": "PersistentVolume", "metadata":
    {"name": ")") +
         std::string(name) + R"("}, "spec": )" + spec + "}}";
}

class SchedulerVolumeBinderTest : public vol::testing::VolumeTestEnv {
 protected:
  void SetUp() override {
    VolumeTestEnv::SetUp();
    root_ = fs::temp_directory_path() /
            ("skiff-binder-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    binder_ = std::make_unique<SchedulerVolumeBinder>(
        &api(), &informers(),
        SchedulerVolumeBinderOptions{.bind_timeout = absl::Seconds(10),
                                     .poll_interval = absl::Milliseconds(5)});
    pv_controller_ = std::make_unique<vol::PersistentVolumeController>(&api(), &informers());
    provisioner_ = std::make_unique<vol::LocalPathProvisioner>(
        &api(), &informers(), vol::LocalPathProvisionerOptions{.root = root_});
    StartServer();
    for (const char* n : {"node-a", "node-b"}) {
      Create(client::Nodes(), vol::testing::NodeManifest(n));
      WaitSynced(client::Nodes(), "", n);
      nodes_[n] = std::make_shared<NodeInfo>();
      nodes_[n]->node = MakeNodeSpec(informers().For(client::Nodes()).Get("", n));
    }
    Create(client::StorageClasses(), vol::testing::kLocalPathClass);
    Create(client::StorageClasses(), kStaticClass);
    WaitSynced(client::StorageClasses(), "", "local-path");
    WaitSynced(client::StorageClasses(), "", "local-static");
  }
  void TearDown() override {
    binder_->Stop();
    provisioner_.reset();
    pv_controller_.reset();
    VolumeTestEnv::TearDown();
    fs::remove_all(root_);
  }

  void StartControllers() {
    pv_controller_->Start();
    provisioner_->Start();
  }
  void Claim(std::string_view name, std::string_view extra_spec = "") {
    Create(client::PersistentVolumeClaims(),
           ClaimManifest(name, "1Gi", R"("ReadWriteOnce")", extra_spec), "default");
    WaitSynced(client::PersistentVolumeClaims(), "default", std::string(name));
  }
  void Volume(const std::string& manifest, const std::string& name) {
    Create(client::PersistentVolumes(), manifest);
    WaitSynced(client::PersistentVolumes(), "", name);
  }
  PodInfoPtr Pod(std::string_view name, std::string_view claim) {
    Create(client::Pods(), PodManifest(name, claim), "default");
    WaitSynced(client::Pods(), "default", std::string(name));
    return MakePodInfo(informers().For(client::Pods()).Get("default", std::string(name)));
  }
  // "ok" or the status's reasons.
  static std::string Result(const Status& s) { return s.ok() ? "ok" : s.Message(); }
  std::string Filter(const PodInfo& pod, const std::string& node) {
    return Result(binder_->Filter(pod, *nodes_[node]));
  }
  json::value ClaimNow(std::string_view name) {
    return Get(client::PersistentVolumeClaims(), "default", name);
  }

  fs::path root_;
  std::map<std::string, std::shared_ptr<NodeInfo>> nodes_;
  std::unique_ptr<SchedulerVolumeBinder> binder_;
  std::unique_ptr<vol::PersistentVolumeController> pv_controller_;
  std::unique_ptr<vol::LocalPathProvisioner> provisioner_;
};

TEST_F(SchedulerVolumeBinderTest, PreFilterRejectsClaimsNoNodeCanFix) {
  PodInfoPtr missing = Pod("missing", "nope");
  Status s = binder_->PreFilter(*missing);
  EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable);
  EXPECT_EQ(s.Message(), "persistentvolumeclaim \"nope\" not found");

  Claim("immediate", R"(, "storageClassName": "")");
  EXPECT_EQ(Result(binder_->PreFilter(*Pod("waits", "immediate"))),
            "pod has unbound immediate PersistentVolumeClaims");

  Claim("going");
  ASSERT_TRUE(api().Delete(client::PersistentVolumeClaims(), "default", "going").ok());
  WaitSynced(client::PersistentVolumeClaims(), "default", "going");
  EXPECT_EQ(Result(binder_->PreFilter(*Pod("late", "going"))),
            "persistentvolumeclaim \"going\" is being deleted");

  Claim("fresh");  // local-path: WaitForFirstConsumer
  EXPECT_EQ(Result(binder_->PreFilter(*Pod("first", "fresh"))), "ok");
}

TEST_F(SchedulerVolumeBinderTest, BoundVolumesMustAdmitTheNode) {
  Volume(LocalVolume("disk-a", "node-a", "",
                     R"({"namespace": "default", "name": "data", "uid": "x"})"),
         "disk-a");
  Claim("data", R"(, "storageClassName": "", "volumeName": "disk-a")");
  MergePatch(client::PersistentVolumeClaims(), "default", "data",
             R"({"metadata": {"annotations": {"pv.kubernetes.io/bind-completed": "yes"}}})");
  WaitSynced(client::PersistentVolumeClaims(), "default", "data");
  PodInfoPtr pod = Pod("user", "data");
  ASSERT_TRUE(binder_->PreFilter(*pod).ok());
  EXPECT_EQ(Filter(*pod, "node-a"), "ok");
  EXPECT_EQ(Filter(*pod, "node-b"), "node(s) had volume node affinity conflict");
  EXPECT_EQ(binder_->Filter(*pod, *nodes_["node-b"]).code(), Code::kUnschedulableAndUnresolvable);

  Claim("orphan", R"(, "storageClassName": "", "volumeName": "gone")");
  MergePatch(client::PersistentVolumeClaims(), "default", "orphan",
             R"({"metadata": {"annotations": {"pv.kubernetes.io/bind-completed": "yes"}}})");
  WaitSynced(client::PersistentVolumeClaims(), "default", "orphan");
  PodInfoPtr stray = Pod("stray", "orphan");
  ASSERT_TRUE(binder_->PreFilter(*stray).ok());
  EXPECT_EQ(Filter(*stray, "node-a"),
            "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)");
}

TEST_F(SchedulerVolumeBinderTest, EveryConflictOfANodeIsReported) {
  Volume(LocalVolume("disk-a", "node-a", "",
                     R"({"namespace": "default", "name": "data", "uid": "x"})"),
         "disk-a");
  Claim("data", R"(, "storageClassName": "", "volumeName": "disk-a")");
  MergePatch(client::PersistentVolumeClaims(), "default", "data",
             R"({"metadata": {"annotations": {"pv.kubernetes.io/bind-completed": "yes"}}})");
  WaitSynced(client::PersistentVolumeClaims(), "default", "data");
  Claim("scratch", R"(, "storageClassName": "local-static")");  // no volume anywhere
  Create(client::Pods(), R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "both"},
    "spec": {"containers": [{"name": "c", "image": "busybox"}], "volumes": [
      {"name": "a", "persistentVolumeClaim": {"claimName": "data"}},
      {"name": "b", "persistentVolumeClaim": {"claimName": "scratch"}}]}})",
         "default");
  WaitSynced(client::Pods(), "default", "both");
  PodInfoPtr pod = MakePodInfo(informers().For(client::Pods()).Get("default", "both"));
  ASSERT_TRUE(binder_->PreFilter(*pod).ok());
  EXPECT_EQ(Filter(*pod, "node-a"), "node(s) didn't find available persistent volumes to bind");
  Status b = binder_->Filter(*pod, *nodes_["node-b"]);
  EXPECT_EQ(b.reasons(),
            (std::vector<std::string>{"node(s) had volume node affinity conflict",
                                      "node(s) didn't find available persistent volumes to bind"}));
}

TEST_F(SchedulerVolumeBinderTest, WaitingClaimsNeedAVolumeOrAProvisionerOnTheNode) {
  Claim("dynamic");
  PodInfoPtr dynamic = Pod("dynamic-user", "dynamic");
  ASSERT_TRUE(binder_->PreFilter(*dynamic).ok());
  EXPECT_EQ(Filter(*dynamic, "node-a"), "ok");
  EXPECT_EQ(Filter(*dynamic, "node-b"), "ok");

  Volume(LocalVolume("disk-a", "node-a", "local-static"), "disk-a");
  MergePatch(client::PersistentVolumes(), "", "disk-a", R"({"status": {"phase": "Available"}})",
             "status");
  WaitSynced(client::PersistentVolumes(), "", "disk-a");
  Claim("static", R"(, "storageClassName": "local-static")");
  PodInfoPtr pod = Pod("static-user", "static");
  ASSERT_TRUE(binder_->PreFilter(*pod).ok());
  EXPECT_EQ(Filter(*pod, "node-a"), "ok");
  EXPECT_EQ(Filter(*pod, "node-b"), "node(s) didn't find available persistent volumes to bind");
}

TEST_F(SchedulerVolumeBinderTest, ReserveAndPreBindProvisionOnTheChosenNode) {
  StartControllers();
  Claim("data");
  PodInfoPtr first = Pod("first", "data");
  ASSERT_TRUE(binder_->PreFilter(*first).ok());
  ASSERT_EQ(Filter(*first, "node-b"), "ok");
  ASSERT_TRUE(binder_->Reserve(*first, "node-b").ok());

  // Another pod of the same claim now has to follow the first one.
  PodInfoPtr second = Pod("second", "data");
  ASSERT_TRUE(binder_->PreFilter(*second).ok());
  EXPECT_EQ(Filter(*second, "node-a"), "node(s) didn't find available persistent volumes to bind");
  EXPECT_EQ(Filter(*second, "node-b"), "ok");

  ASSERT_EQ(Result(binder_->PreBind(*first, "node-b")), "ok");
  // PreBind returns once the claim names its volume with bind-completed, as upstream's
  // checkBindings does; the Bound phase is the binder's next (status) write.
  json::value claim = ClaimNow("data");
  EXPECT_EQ(vol::AnnotationValue(claim, vol::kAnnSelectedNode), "node-b");
  WaitFor("claim data Bound", [&] {
    return api::GetString(ClaimNow("data"), {"status", "phase"}) == "Bound";
  });
  claim = ClaimNow("data");
  std::string pv_name = "pvc-" + vol::Uid(claim);
  EXPECT_EQ(api::GetString(claim, {"spec", "volumeName"}), pv_name);
  json::value pv = Get(client::PersistentVolumes(), "", pv_name);
  EXPECT_EQ(pv.at("spec").at("nodeAffinity"), json::parse(R"({"required": {"nodeSelectorTerms":
    [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In",
      "values": ["node-b"]}]}]}})"));
  EXPECT_TRUE(fs::is_directory(root_ / pv_name));

  // Bound now: the second pod may go only where the volume is.
  WaitSynced(client::PersistentVolumeClaims(), "default", "data");
  ASSERT_TRUE(binder_->PreFilter(*second).ok());
  EXPECT_EQ(Filter(*second, "node-a"), "node(s) had volume node affinity conflict");
  EXPECT_EQ(Filter(*second, "node-b"), "ok");
  EXPECT_TRUE(binder_->Reserve(*second, "node-b").ok());
  EXPECT_EQ(Result(binder_->PreBind(*second, "node-b")), "ok");
}

TEST_F(SchedulerVolumeBinderTest, ReserveAndPreBindBindAStaticVolume) {
  StartControllers();
  Volume(LocalVolume("disk-a", "node-a", "local-static"), "disk-a");
  WaitFor("disk-a Available", [&] {
    client::ObjPtr pv = informers().For(client::PersistentVolumes()).Get("", "disk-a");
    return pv != nullptr && api::GetString(*pv, {"status", "phase"}) == "Available";
  });
  Claim("data", R"(, "storageClassName": "local-static")");
  PodInfoPtr pod = Pod("user", "data");
  ASSERT_TRUE(binder_->PreFilter(*pod).ok());
  ASSERT_TRUE(binder_->Reserve(*pod, "node-a").ok());
  ASSERT_EQ(Result(binder_->PreBind(*pod, "node-a")), "ok");
  json::value pv = Get(client::PersistentVolumes(), "", "disk-a");
  EXPECT_EQ(api::GetString(pv, {"spec", "claimRef", "name"}), "data");
  EXPECT_EQ(vol::AnnotationValue(pv, vol::kAnnBoundByController), "yes");
  EXPECT_EQ(api::GetString(ClaimNow("data"), {"spec", "volumeName"}), "disk-a");
  EXPECT_FALSE(vol::HasAnnotation(ClaimNow("data"), vol::kAnnSelectedNode));
}

TEST_F(SchedulerVolumeBinderTest, PreBindGivesUpAfterTheBindTimeout) {
  // Nobody provisions: the PV binder and the provisioner are not running.
  binder_ = std::make_unique<SchedulerVolumeBinder>(
      &api(), &informers(),
      SchedulerVolumeBinderOptions{.bind_timeout = absl::Milliseconds(100),
                                   .poll_interval = absl::Milliseconds(5)});
  Claim("data");
  PodInfoPtr pod = Pod("user", "data");
  ASSERT_TRUE(binder_->PreFilter(*pod).ok());
  ASSERT_TRUE(binder_->Reserve(*pod, "node-a").ok());
  Status s = binder_->PreBind(*pod, "node-a");
  EXPECT_EQ(s.code(), Code::kError);
  EXPECT_EQ(s.Message(), "binding volumes: timed out waiting for the condition");
  // The claim keeps the node; the assumption is gone (other nodes are still open to others).
  EXPECT_EQ(vol::AnnotationValue(ClaimNow("data"), vol::kAnnSelectedNode), "node-a");
}

}  // namespace
}  // namespace skiff::scheduler::plugins
