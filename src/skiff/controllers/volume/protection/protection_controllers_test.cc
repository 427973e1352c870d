// The PVC and PV protection controllers against a real in-process API server.
#include <gtest/gtest.h>

#include "skiff/api/object.h"
#include "skiff/controllers/volume/binding.h"
#include "skiff/controllers/volume/protection/pv_protection_controller.h"
#include "skiff/controllers/volume/protection/pvc_protection_controller.h"
#include "skiff/controllers/volume/testing.h"

namespace skiff::controllers::volume {
namespace {

namespace json = boost::json;
using testing::ClaimManifest;
using testing::PodManifest;

class ProtectionControllersTest : public testing::VolumeTestEnv {
 protected:
  void SetUp() override {
    VolumeTestEnv::SetUp();
    pvc_ = std::make_unique<PvcProtectionController>(&api(), &informers());
    pv_ = std::make_unique<PvProtectionController>(&api(), &informers());
    StartServer();
  }
  void TearDown() override {
    pvc_.reset();
    pv_.reset();
    VolumeTestEnv::TearDown();
  }
  void SyncedClaim(std::string name) {
    WaitSynced(client::PersistentVolumeClaims(), "default", std::move(name));
  }
  void SyncedPod(std::string name) { WaitSynced(client::Pods(), "default", std::move(name)); }
  bool ClaimExists(std::string_view name) {
    return Exists(client::PersistentVolumeClaims(), "default", name);
  }

  std::unique_ptr<PvcProtectionController> pvc_;
  std::unique_ptr<PvProtectionController> pv_;
};

TEST_F(ProtectionControllersTest, AClaimInUseStaysUntilItsPodsAreGone) {
  Create(client::PersistentVolumeClaims(), ClaimManifest("data", "1Gi", R"("ReadWriteOnce")"),
         "default");
  Create(client::Pods(), PodManifest("user", "data", "node-a"), "default");
  Create(client::Pods(), PodManifest("pending", "data"), "default");
  ASSERT_TRUE(api().Delete(client::PersistentVolumeClaims(), "default", "data").ok());
  SyncedClaim("data");
  SyncedPod("user");
  SyncedPod("pending");
  ASSERT_TRUE(pvc_->Sync("default/data").ok());
  json::value claim = Get(client::PersistentVolumeClaims(), "default", "data");
  EXPECT_TRUE(IsDeleting(claim));
  EXPECT_TRUE(HasFinalizer(claim, kPvcProtectionFinalizer));

  // Only the scheduled pod holds the claim: kubelets never start the unscheduled one with it.
  client::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(api().Delete(client::Pods(), "default", "user", now).ok());
  SyncedPod("user");
  ASSERT_TRUE(pvc_->Sync("default/data").ok());
  EXPECT_FALSE(ClaimExists("data"));
}

TEST_F(ProtectionControllersTest, AFinishedPodStillHoldsItsClaim) {
  Create(client::PersistentVolumeClaims(), ClaimManifest("data", "1Gi", R"("ReadWriteOnce")"),
         "default");
  Create(client::Pods(), PodManifest("job", "data", "node-a"), "default");
  MergePatch(client::Pods(), "default", "job", R"({"status": {"phase": "Succeeded"}})", "status");
  ASSERT_TRUE(api().Delete(client::PersistentVolumeClaims(), "default", "data").ok());
  SyncedClaim("data");
  SyncedPod("job");
  ASSERT_TRUE(pvc_->Sync("default/data").ok());
  EXPECT_TRUE(ClaimExists("data"));
}

TEST_F(ProtectionControllersTest, TheControllersRunOnTheirOwn) {
  pvc_->Start();
  pv_->Start();
  Create(client::PersistentVolumeClaims(), ClaimManifest("data", "1Gi", R"("ReadWriteOnce")"),
         "default");
  Create(client::Pods(), PodManifest("user", "data", "node-a"), "default");
  SyncedPod("user");
  ASSERT_TRUE(api().Delete(client::PersistentVolumeClaims(), "default", "data").ok());
  // A claim that lost its finalizer gets it back.
  Create(client::PersistentVolumeClaims(), ClaimManifest("bare", "1Gi", R"("ReadWriteOnce")"),
         "default");
  MergePatch(client::PersistentVolumeClaims(), "default", "bare",
             R"({"metadata": {"finalizers": null}})");
  WaitFor("the finalizer back on bare", [&] {
    return HasFinalizer(Get(client::PersistentVolumeClaims(), "default", "bare"),
                        kPvcProtectionFinalizer);
  });
  EXPECT_TRUE(ClaimExists("data"));
  client::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(api().Delete(client::Pods(), "default", "user", now).ok());
  WaitFor("the claim to go", [&] { return !ClaimExists("data"); });
}

TEST_F(ProtectionControllersTest, ABoundVolumeIsKeptUntilReleased) {
  Create(client::PersistentVolumes(), R"({"apiVersion": "v1", "kind": "PersistentVolume",
    "metadata": {"name": "pv1"}, "spec": {"capacity": {"storage": "1Gi"},
    "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/srv"}}})");
  json::value pv = Get(client::PersistentVolumes(), "", "pv1");
  EXPECT_EQ(pv.at("metadata").at("finalizers"), json::parse(R"(["kubernetes.io/pv-protection"])"));
  MergePatch(client::PersistentVolumes(), "", "pv1", R"({"status": {"phase": "Bound"}})", "status");
  ASSERT_TRUE(api().Delete(client::PersistentVolumes(), "", "pv1").ok());
  WaitSynced(client::PersistentVolumes(), "", "pv1");
  ASSERT_TRUE(pv_->Sync("pv1").ok());
  EXPECT_TRUE(Exists(client::PersistentVolumes(), "", "pv1"));
  MergePatch(client::PersistentVolumes(), "", "pv1", R"({"status": {"phase": "Released"}})",
             "status");
  WaitSynced(client::PersistentVolumes(), "", "pv1");
  ASSERT_TRUE(pv_->Sync("pv1").ok());
  EXPECT_FALSE(Exists(client::PersistentVolumes(), "", "pv1"));
}

}  // namespace
}  // namespace skiff::controllers::volume
