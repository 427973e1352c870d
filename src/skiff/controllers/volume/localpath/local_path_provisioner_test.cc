// The local-path provisioner against a real in-process API server and a temporary directory.
#include "skiff/controllers/volume/localpath/local_path_provisioner.h"

#include <gtest/gtest.h>

#include <fstream>

#include "skiff/api/object.h"
#include "skiff/controllers/volume/binding.h"
#include "skiff/controllers/volume/testing.h"

namespace skiff::controllers::volume {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using testing::ClaimManifest;

class LocalPathProvisionerTest : public testing::VolumeTestEnv {
 protected:
  void SetUp() override {
    VolumeTestEnv::SetUp();
    root_ = fs::temp_directory_path() /
            ("skiff-local-path-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    provisioner_ = std::make_unique<LocalPathProvisioner>(
        &api(), &informers(), LocalPathProvisionerOptions{.root = root_ / "storage"});
    StartServer();
    ASSERT_TRUE(EnsureLocalPathStorageClass(&api()).ok());
    Create(client::Nodes(), testing::NodeManifest("node-a"));
    WaitSynced(client::StorageClasses(), "", "local-path");
    WaitSynced(client::Nodes(), "", "node-a");
  }
  void TearDown() override {
    provisioner_.reset();
    VolumeTestEnv::TearDown();
    fs::remove_all(root_);
  }

  // A claim as the binder and the scheduler leave it for the provisioner.
  json::value DueClaim(std::string_view name, std::string_view modes, std::string_view node) {
    Create(client::PersistentVolumeClaims(), ClaimManifest(name, "3Gi", modes), "default");
    std::string annotations = R"({"volume.kubernetes.io/storage-provisioner":
        "rancher.io/local-path", "volume.beta.kubernetes.io/storage-provisioner":
        "rancher.io/local-path")";
    if (!node.empty()) {
      annotations += R"(, "volume.kubernetes.io/selected-node": ")" + std::string(node) + "\"";
    }
    MergePatch(client::PersistentVolumeClaims(), "default", name,
               R"({"metadata": {"annotations": )" + annotations + "}}}");
    WaitSynced(client::PersistentVolumeClaims(), "default", std::string(name));
    return Get(client::PersistentVolumeClaims(), "default", name);
  }

  fs::path root_;
  std::unique_ptr<LocalPathProvisioner> provisioner_;
};

TEST_F(LocalPathProvisionerTest, TheDefaultClassIsCreatedOnceAndNeverOverwritten) {
  json::value sc = Get(client::StorageClasses(), "", "local-path");
  EXPECT_EQ(AnnotationValue(sc, "storageclass.kubernetes.io/is-default-class"), "true");
  EXPECT_EQ(api::GetString(sc, {"provisioner"}), "rancher.io/local-path");
  EXPECT_EQ(api::GetString(sc, {"reclaimPolicy"}), "Delete");
  EXPECT_EQ(api::GetString(sc, {"volumeBindingMode"}), "WaitForFirstConsumer");
  // The owner makes it non-default; a restart must not undo that.
  MergePatch(client::StorageClasses(), "", "local-path",
             R"({"metadata": {"annotations": {"storageclass.kubernetes.io/is-default-class":
                 "false"}}})");
  ASSERT_TRUE(EnsureLocalPathStorageClass(&api()).ok());
  EXPECT_EQ(AnnotationValue(Get(client::StorageClasses(), "", "local-path"),
                            "storageclass.kubernetes.io/is-default-class"),
            "false");
}

TEST_F(LocalPathProvisionerTest, ProvisionsAVolumeOnTheSelectedNode) {
  json::value claim = DueClaim("data", R"("ReadWriteOnce")", "node-a");
  ASSERT_TRUE(provisioner_->SyncClaim("default/data").ok());
  std::string pv_name = "pvc-" + Uid(claim);
  fs::path dir = root_ / "storage" / pv_name;
  EXPECT_TRUE(fs::is_directory(dir));
  json::value pv = Get(client::PersistentVolumes(), "", pv_name);
  EXPECT_EQ(AnnotationValue(pv, kAnnProvisionedBy), "rancher.io/local-path");
  json::value spec = pv.at("spec");
  EXPECT_EQ(spec.at("claimRef").at("uid"), json::value(Uid(claim)));
  spec.as_object().erase("claimRef");
  EXPECT_EQ(spec, json::parse(R"({"capacity": {"storage": "3Gi"},
    "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Delete",
    "storageClassName": "local-path", "volumeMode": "Filesystem",
    "hostPath": {"path": ")" + dir.string() +
                              R"(", "type": "DirectoryOrCreate"},
    "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
      {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-a"]}]}]}}})"));
  provisioner_->FlushEvents();
  EXPECT_EQ(WaitForEvents("data", 2),
            (std::vector<std::string>{
                "Provisioning: External provisioner is provisioning volume for claim "
                "\"default/data\"",
                "ProvisioningSucceeded: Successfully provisioned volume " + pv_name}));
  // Once is enough.
  WaitSynced(client::PersistentVolumes(), "", pv_name);
  ASSERT_TRUE(provisioner_->SyncClaim("default/data").ok());
  provisioner_->FlushEvents();
  EXPECT_EQ(EventsFor("data").size(), 2u);
}

TEST_F(LocalPathProvisionerTest, SharedClaimsLiveOnTheDataDirectoryWithoutNodeAffinity) {
  json::value claim = DueClaim("shared", R"("ReadWriteMany")", "node-a");
  ASSERT_TRUE(provisioner_->SyncClaim("default/shared").ok());
  json::value pv = Get(client::PersistentVolumes(), "", "pvc-" + Uid(claim));
  EXPECT_EQ(api::Find(pv, {"spec", "nodeAffinity"}), nullptr);
  EXPECT_EQ(pv.at("spec").at("accessModes"), json::parse(R"(["ReadWriteMany"])"));
}

TEST_F(LocalPathProvisionerTest, WaitsForTheSchedulerAndReschedulesFromAVanishedNode) {
  json::value waiting = DueClaim("waiting", R"("ReadWriteOnce")", "");
  ASSERT_TRUE(provisioner_->SyncClaim("default/waiting").ok());
  EXPECT_FALSE(Exists(client::PersistentVolumes(), "", "pvc-" + Uid(waiting)));

  json::value lost = DueClaim("lost", R"("ReadWriteOnce")", "node-gone");
  ASSERT_TRUE(provisioner_->SyncClaim("default/lost").ok());
  EXPECT_FALSE(Exists(client::PersistentVolumes(), "", "pvc-" + Uid(lost)));
  EXPECT_FALSE(
      HasAnnotation(Get(client::PersistentVolumeClaims(), "default", "lost"), kAnnSelectedNode));
  provisioner_->FlushEvents();
  EXPECT_EQ(WaitForEvents("lost", 1),
            std::vector<std::string>{"ProvisioningFailed: node \"node-gone\" not found"});
}

TEST_F(LocalPathProvisionerTest, DeletesReleasedVolumesItMadeAndNothingElse) {
  json::value claim = DueClaim("data", R"("ReadWriteOnce")", "node-a");
  ASSERT_TRUE(provisioner_->SyncClaim("default/data").ok());
  std::string pv_name = "pvc-" + Uid(claim);
  fs::path dir = root_ / "storage" / pv_name;
  std::ofstream(dir / "file.txt") << "data";
  MergePatch(client::PersistentVolumes(), "", pv_name, R"({"status": {"phase": "Released"}})",
             "status");
  WaitSynced(client::PersistentVolumes(), "", pv_name);
  ASSERT_TRUE(provisioner_->SyncVolume(pv_name).ok());
  EXPECT_FALSE(fs::exists(dir));
  // The pv-protection finalizer (no controller here) holds the object, being deleted.
  EXPECT_TRUE(IsDeleting(Get(client::PersistentVolumes(), "", pv_name)));

  // A volume claiming our name but pointing elsewhere is refused.
  fs::path outside = root_ / "precious";
  fs::create_directories(outside);
  Create(client::PersistentVolumes(), R"({"apiVersion": "v1", "kind": "PersistentVolume",
    "metadata": {"name": "foreign", "annotations": {"pv.kubernetes.io/provisioned-by":
    "rancher.io/local-path"}}, "spec": {"capacity": {"storage": "1Gi"},
    "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Delete",
    "hostPath": {"path": ")" + outside.string() +
                                          R"("}}})");
  MergePatch(client::PersistentVolumes(), "", "foreign", R"({"status": {"phase": "Released"}})",
             "status");
  WaitSynced(client::PersistentVolumes(), "", "foreign");
  ASSERT_TRUE(provisioner_->SyncVolume("foreign").ok());
  EXPECT_TRUE(fs::is_directory(outside));
  EXPECT_FALSE(IsDeleting(Get(client::PersistentVolumes(), "", "foreign")));
}

}  // namespace
}  // namespace skiff::controllers::volume
