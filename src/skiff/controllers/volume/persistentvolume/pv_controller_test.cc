// The PV binder against a real in-process API server, one SyncClaim / SyncVolume at a time.
#include "skiff/controllers/volume/persistentvolume/pv_controller.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"
#include "skiff/controllers/volume/binding.h"
#include "skiff/controllers/volume/testing.h"

namespace skiff::controllers::volume {
namespace {

namespace json = boost::json;
using testing::ClaimManifest;

constexpr std::string_view kVolume = R"({"apiVersion": "v1", "kind": "PersistentVolume",
  "metadata": {"name": "pv1"}, "spec": {"capacity": {"storage": "2Gi"},
  "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Retain",
  "storageClassName": "", "hostPath": {"path": "/srv/pv1"}}})";

class PersistentVolumeControllerTest : public testing::VolumeTestEnv {
 protected:
  void SetUp() override {
    VolumeTestEnv::SetUp();
    controller_ = std::make_unique<PersistentVolumeController>(
        &api(), &informers(),
        PersistentVolumeControllerOptions{.resync_period = absl::ZeroDuration()});
    StartServer();
  }
  void TearDown() override {
    controller_.reset();
    VolumeTestEnv::TearDown();
  }

  json::value Claim(std::string_view name) {
    return Get(client::PersistentVolumeClaims(), "default", name);
  }
  json::value Volume(std::string_view name) { return Get(client::PersistentVolumes(), "", name); }
  void SyncedClaim(std::string name) {
    WaitSynced(client::PersistentVolumeClaims(), "default", std::move(name));
  }
  void SyncedVolume(std::string name) {
    WaitSynced(client::PersistentVolumes(), "", std::move(name));
  }
  std::vector<std::string> Events(std::string_view name, size_t n) {
    controller_->FlushEvents();
    return WaitForEvents(name, n);
  }

  std::unique_ptr<PersistentVolumeController> controller_;
};

TEST_F(PersistentVolumeControllerTest, BindsAClaimToTheVolumeThatFits) {
  Create(client::PersistentVolumes(), kVolume);
  Create(client::PersistentVolumeClaims(),
         ClaimManifest("data", "1Gi", R"("ReadWriteOnce")", R"(, "storageClassName": "")"),
         "default");
  SyncedVolume("pv1");
  ASSERT_TRUE(controller_->SyncVolume("pv1").ok());
  EXPECT_EQ(api::GetString(Volume("pv1"), {"status", "phase"}), "Available");
  SyncedVolume("pv1");
  SyncedClaim("data");
  ASSERT_TRUE(controller_->SyncClaim("default/data").ok());

  json::value pv = Volume("pv1");
  json::value pvc = Claim("data");
  EXPECT_EQ(api::GetString(pv, {"status", "phase"}), "Bound");
  EXPECT_EQ(AnnotationValue(pv, kAnnBoundByController), "yes");
  EXPECT_EQ(api::GetString(pv, {"spec", "claimRef", "name"}), "data");
  EXPECT_EQ(api::GetString(pv, {"spec", "claimRef", "namespace"}), "default");
  EXPECT_EQ(api::GetString(pv, {"spec", "claimRef", "uid"}), Uid(pvc));
  EXPECT_EQ(api::GetString(pv, {"spec", "claimRef", "kind"}), "PersistentVolumeClaim");
  EXPECT_EQ(api::GetString(pvc, {"spec", "volumeName"}), "pv1");
  EXPECT_EQ(AnnotationValue(pvc, kAnnBindCompleted), "yes");
  EXPECT_EQ(AnnotationValue(pvc, kAnnBoundByController), "yes");
  EXPECT_EQ(pvc.at("status"), json::parse(R"({"phase": "Bound",
    "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "2Gi"}})"));

  // A second sync of either finds nothing to do.
  SyncedClaim("data");
  SyncedVolume("pv1");
  std::string rv_claim(api::GetString(Claim("data"), {"metadata", "resourceVersion"}));
  std::string rv_volume(api::GetString(Volume("pv1"), {"metadata", "resourceVersion"}));
  ASSERT_TRUE(controller_->SyncClaim("default/data").ok());
  ASSERT_TRUE(controller_->SyncVolume("pv1").ok());
  EXPECT_EQ(api::GetString(Claim("data"), {"metadata", "resourceVersion"}), rv_claim);
  EXPECT_EQ(api::GetString(Volume("pv1"), {"metadata", "resourceVersion"}), rv_volume);
}

TEST_F(PersistentVolumeControllerTest, AVolumePreBoundByItsCreatorStaysTheUsersBinding) {
  Create(client::PersistentVolumes(), R"({"apiVersion": "v1", "kind": "PersistentVolume",
    "metadata": {"name": "reserved"}, "spec": {"capacity": {"storage": "5Gi"},
    "accessModes": ["ReadWriteOnce"], "storageClassName": "", "hostPath": {"path": "/r"},
    "claimRef": {"namespace": "default", "name": "data"}}})");
  Create(client::PersistentVolumes(), kVolume);  // a better fit, but not reserved for the claim
  Create(client::PersistentVolumeClaims(),
         ClaimManifest("data", "1Gi", R"("ReadWriteOnce")", R"(, "storageClassName": "")"),
         "default");
  SyncedVolume("reserved");
  SyncedVolume("pv1");
  ASSERT_TRUE(controller_->SyncVolume("pv1").ok());  // Available, and smaller
  SyncedVolume("pv1");
  SyncedClaim("data");
  ASSERT_TRUE(controller_->SyncClaim("default/data").ok());
  json::value pv = Volume("reserved");
  EXPECT_EQ(api::GetString(pv, {"spec", "claimRef", "uid"}), Uid(Claim("data")));
  EXPECT_FALSE(HasAnnotation(pv, kAnnBoundByController));
  EXPECT_EQ(api::GetString(Claim("data"), {"spec", "volumeName"}), "reserved");
  EXPECT_EQ(api::GetString(Volume("pv1"), {"spec", "claimRef", "name"}), "");
}

TEST_F(PersistentVolumeControllerTest, AClaimNamingATooSmallVolumeWaits) {
  Create(client::PersistentVolumes(), kVolume);
  Create(client::PersistentVolumeClaims(),
         ClaimManifest("big", "10Gi", R"("ReadWriteOnce")",
                       R"(, "storageClassName": "", "volumeName": "pv1")"),
         "default");
  SyncedVolume("pv1");
  SyncedClaim("big");
  ASSERT_TRUE(controller_->SyncClaim("default/big").ok());
  EXPECT_EQ(Events("big", 1),
            std::vector<std::string>{"VolumeMismatch: Cannot bind to requested volume \"pv1\": "
                                     "requested PV is too small"});
  EXPECT_EQ(api::GetString(Claim("big"), {"status", "phase"}), "Pending");
  EXPECT_EQ(api::Find(Volume("pv1"), {"spec", "claimRef"}), nullptr);
}

TEST_F(PersistentVolumeControllerTest, WaitForFirstConsumerClaimsWaitForTheScheduler) {
  Create(client::StorageClasses(), testing::kLocalPathClass);
  WaitSynced(client::StorageClasses(), "", "local-path");
  Create(client::PersistentVolumeClaims(), ClaimManifest("data", "1Gi", R"("ReadWriteOnce")"),
         "default");
  EXPECT_EQ(api::GetString(Claim("data"), {"spec", "storageClassName"}), "local-path");
  SyncedClaim("data");
  ASSERT_TRUE(controller_->SyncClaim("default/data").ok());
  EXPECT_EQ(Events("data", 1),
            std::vector<std::string>{
                "WaitForFirstConsumer: waiting for first consumer to be created before binding"});
  EXPECT_FALSE(HasAnnotation(Claim("data"), kAnnStorageProvisioner));

  // A pod uses it but is not scheduled yet.
  Create(client::Pods(), testing::PodManifest("web", "data"), "default");
  WaitSynced(client::Pods(), "default", "web");
  ASSERT_TRUE(controller_->SyncClaim("default/data").ok());
  EXPECT_EQ(Events("data", 2)[1], "WaitForPodScheduled: waiting for pod web to be scheduled");

  // The scheduler picked a node: the external provisioner is asked for a volume.
  MergePatch(client::PersistentVolumeClaims(), "default", "data",
             R"({"metadata": {"annotations": {"volume.kubernetes.io/selected-node": "n1"}}})");
  SyncedClaim("data");
  ASSERT_TRUE(controller_->SyncClaim("default/data").ok());
  json::value pvc = Claim("data");
  EXPECT_EQ(AnnotationValue(pvc, kAnnStorageProvisioner), "rancher.io/local-path");
  EXPECT_EQ(AnnotationValue(pvc, kAnnBetaStorageProvisioner), "rancher.io/local-path");
  EXPECT_EQ(Events("data", 3)[2],
            "ExternalProvisioning: Waiting for a volume to be created either by the external "
            "provisioner 'rancher.io/local-path' or manually by the system administrator. If "
            "volume creation is delayed, please verify that the provisioner is running and "
            "correctly registered.");

  // The provisioner's volume, pre-bound to the claim, gets bound.
  Create(client::PersistentVolumes(), R"({"apiVersion": "v1", "kind": "PersistentVolume",
    "metadata": {"name": "pvc-x", "annotations": {"pv.kubernetes.io/provisioned-by":
    "rancher.io/local-path"}}, "spec": {"capacity": {"storage": "1Gi"},
    "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Delete",
    "storageClassName": "local-path", "hostPath": {"path": "/x"},
    "claimRef": {"namespace": "default", "name": "data", "uid": ")" +
                                          Uid(pvc) + R"("}}})");
  SyncedVolume("pvc-x");
  SyncedClaim("data");
  ASSERT_TRUE(controller_->SyncClaim("default/data").ok());
  EXPECT_EQ(api::GetString(Claim("data"), {"status", "phase"}), "Bound");
  EXPECT_EQ(api::GetString(Claim("data"), {"spec", "volumeName"}), "pvc-x");
  EXPECT_EQ(api::GetString(Volume("pvc-x"), {"status", "phase"}), "Bound");
  // The provisioner bound it, not the controller.
  EXPECT_FALSE(HasAnnotation(Volume("pvc-x"), kAnnBoundByController));
}

TEST_F(PersistentVolumeControllerTest, AReleasedVolumeFollowsItsReclaimPolicy) {
  Create(client::PersistentVolumes(), kVolume);
  Create(client::PersistentVolumes(), R"({"apiVersion": "v1", "kind": "PersistentVolume",
    "metadata": {"name": "pv-delete"}, "spec": {"capacity": {"storage": "2Gi"},
    "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Delete",
    "storageClassName": "manual", "hostPath": {"path": "/srv/d"}}})");
  Create(client::PersistentVolumeClaims(),
         ClaimManifest("keep", "1Gi", R"("ReadWriteOnce")", R"(, "storageClassName": "")"),
         "default");
  Create(client::PersistentVolumeClaims(),
         ClaimManifest("drop", "1Gi", R"("ReadWriteOnce")", R"(, "storageClassName": "manual")"),
         "default");
  for (const char* v : {"pv1", "pv-delete"}) {
    SyncedVolume(v);
    ASSERT_TRUE(controller_->SyncVolume(v).ok());
  }
  for (const char* v : {"pv1", "pv-delete"}) SyncedVolume(v);
  for (const char* c : {"keep", "drop"}) {
    SyncedClaim(c);
    ASSERT_TRUE(controller_->SyncClaim(std::string("default/") + c).ok());
  }
  ASSERT_EQ(api::GetString(Volume("pv-delete"), {"status", "phase"}), "Bound");
  for (const char* c : {"keep", "drop"}) {
    ASSERT_TRUE(api().Delete(client::PersistentVolumeClaims(), "default", c).ok());
    // No protection controller here: drop the finalizer admission added.
    MergePatch(client::PersistentVolumeClaims(), "default", c,
               R"({"metadata": {"finalizers": null}})");
    SyncedClaim(c);
  }
  ASSERT_TRUE(controller_->SyncVolume("pv1").ok());
  EXPECT_EQ(api::GetString(Volume("pv1"), {"status", "phase"}), "Released");
  EXPECT_EQ(api::GetString(Volume("pv1"), {"spec", "claimRef", "name"}), "keep");
  ASSERT_TRUE(controller_->SyncVolume("pv-delete").ok());
  // Nothing in Skiff deletes storage it did not provision.
  json::value failed = Volume("pv-delete");
  EXPECT_EQ(api::GetString(failed, {"status", "phase"}), "Failed");
  EXPECT_EQ(api::GetString(failed, {"status", "message"}),
            "error getting deleter volume plugin for volume \"pv-delete\": no deletable volume "
            "plugin matched");
  EXPECT_EQ(Events("pv-delete", 1),
            std::vector<std::string>{"VolumeFailedDelete: error getting deleter volume plugin for "
                                     "volume \"pv-delete\": no deletable volume plugin matched"});
}

TEST_F(PersistentVolumeControllerTest, AClaimWithoutAClassGetsTheDefaultClassLater) {
  Create(client::PersistentVolumeClaims(), ClaimManifest("data", "1Gi", R"("ReadWriteOnce")"),
         "default");
  EXPECT_EQ(api::Find(Claim("data"), {"spec", "storageClassName"}), nullptr);
  SyncedClaim("data");
  ASSERT_TRUE(controller_->SyncClaim("default/data").ok());
  EXPECT_EQ(Events("data", 1),
            std::vector<std::string>{"FailedBinding: no persistent volumes available for this "
                                     "claim and no storage class is set"});
  Create(client::StorageClasses(), testing::kLocalPathClass);
  WaitSynced(client::StorageClasses(), "", "local-path");
  ASSERT_TRUE(controller_->SyncClaim("default/data").ok());
  EXPECT_EQ(api::GetString(Claim("data"), {"spec", "storageClassName"}), "local-path");
}

TEST_F(PersistentVolumeControllerTest, ABoundClaimWhoseVolumeVanishedIsLost) {
  Create(client::PersistentVolumes(), kVolume);
  Create(client::PersistentVolumeClaims(),
         ClaimManifest("data", "1Gi", R"("ReadWriteOnce")", R"(, "storageClassName": "")"),
         "default");
  SyncedVolume("pv1");
  ASSERT_TRUE(controller_->SyncVolume("pv1").ok());  // Available
  SyncedVolume("pv1");
  SyncedClaim("data");
  ASSERT_TRUE(controller_->SyncClaim("default/data").ok());
  ASSERT_EQ(api::GetString(Claim("data"), {"status", "phase"}), "Bound");
  ASSERT_TRUE(api().Delete(client::PersistentVolumes(), "", "pv1").ok());
  MergePatch(client::PersistentVolumes(), "", "pv1", R"({"metadata": {"finalizers": null}})");
  SyncedVolume("pv1");
  SyncedClaim("data");
  ASSERT_TRUE(controller_->SyncClaim("default/data").ok());
  EXPECT_EQ(api::GetString(Claim("data"), {"status", "phase"}), "Lost");
  EXPECT_EQ(Events("data", 1),
            std::vector<std::string>{"ClaimLost: Bound claim has lost its PersistentVolume. Data "
                                     "on the volume is lost!"});
}

}  // namespace
}  // namespace skiff::controllers::volume
