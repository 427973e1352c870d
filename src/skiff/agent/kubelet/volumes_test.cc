#include "skiff/agent/kubelet/volumes.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "skiff/base/files.h"

namespace skiff::agent::kubelet {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

class VolumesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skiff-volumes-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    fs::create_directories(dir_ + "/vol/inside");
    fs::create_directories(dir_ + "/outside");
    fs::create_symlink(dir_ + "/outside", dir_ + "/vol/escape");  // absolute, out
    fs::create_symlink("../outside", dir_ + "/vol/up");           // relative, out
    fs::create_symlink("inside", dir_ + "/vol/ok");               // stays within
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Read(const std::string& path) { return base::ReadFile(path).value_or("<missing>"); }

  std::string dir_;
};

TEST_F(VolumesTest, ResolveBeneathRefusesEscapes) {
  std::string vol = dir_ + "/vol";
  struct Case {
    std::string relative;
    bool ok;
    std::string want;  // relative to vol when ok
  } cases[] = {
      {"inside", true, "/inside"},
      {"ok", true, "/inside"},
      {"new/deeper", true, "/new/deeper"},
      {"", true, ""},
      {"escape", false, ""},
      {"escape/x", false, ""},
      {"up", false, ""},
      {"../outside", false, ""},
      {"/etc", false, ""},
      {"inside/../../outside", false, ""},
  };
  for (const auto& c : cases) {
    auto r = ResolveBeneath(vol, c.relative, /*create_dirs=*/true);
    EXPECT_EQ(r.ok(), c.ok) << c.relative << ": " << r.status();
    if (r.ok() && c.ok) EXPECT_EQ(*r, vol + c.want) << c.relative;
  }
  EXPECT_TRUE(fs::is_empty(dir_ + "/outside"));
}

TEST_F(VolumesTest, WriteBeneathNeverWritesThroughLinks) {
  std::string vol = dir_ + "/vol";
  ASSERT_TRUE(WriteBeneath(vol, "a/b/file", "data", 0640).ok());
  EXPECT_EQ(Read(vol + "/a/b/file"), "data");
  struct stat st;
  ASSERT_EQ(::stat((vol + "/a/b/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_FALSE(WriteBeneath(vol, "escape/file", "x", 0644).ok());
  EXPECT_FALSE(WriteBeneath(vol, "up/file", "x", 0644).ok());
  // A link in the last position is replaced, not followed.
  fs::create_symlink(dir_ + "/outside/target", vol + "/link");
  ASSERT_TRUE(WriteBeneath(vol, "link", "y", 0644).ok());
  EXPECT_FALSE(fs::exists(dir_ + "/outside/target"));
  EXPECT_EQ(Read(vol + "/link"), "y");
}

ObjectLookup Objects(const std::string& pv_path) {
  return [pv_path](std::string_view resource, std::string_view ns,
                   std::string_view name) -> absl::StatusOr<json::value> {
    if (resource == "configmaps" && name == "cm")
      return json::parse(R"({"data":{"a":"1","b":"2"}})");
    if (resource == "secrets" && name == "s")
      return json::parse(R"({"data":{"pw":"aHVudGVyMg=="}})");
    if (resource == "persistentvolumeclaims" && name == "claim")
      return json::parse(R"({"spec":{"volumeName":"pv1"},"status":{"phase":"Bound"}})");
    if (resource == "persistentvolumes" && name == "pv1")
      return json::value{{"spec", {{"hostPath", {{"path", pv_path}}}}}};
    return absl::NotFoundError("not found");
  };
}

TEST_F(VolumesTest, SetUpAndMounts) {
  VolumeManager vm(dir_ + "/pods", Objects(dir_ + "/pv1"), NodeAllocatable{2000, 1 << 30, 0});
  json::value pod = json::parse(R"({
    "metadata":{"name":"p","namespace":"ns","uid":"u1","labels":{"b":"2","a":"1"}},
    "spec":{"volumes":[
      {"name":"scratch","emptyDir":{}},
      {"name":"cfg","configMap":{"name":"cm","items":[{"key":"b","path":"sub/bee","mode":384}]}},
      {"name":"sec","secret":{"secretName":"s","defaultMode":256}},
      {"name":"info","downwardAPI":{"items":[{"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}},
                                             {"path":"name","fieldRef":{"fieldPath":"metadata.name"}}]}},
      {"name":"proj","projected":{"sources":[{"configMap":{"name":"cm"}},{"secret":{"name":"s"}}]}},
      {"name":"host","hostPath":{"path":")" +
                                dir_ + R"(/hp","type":"DirectoryOrCreate"}},
      {"name":"data","persistentVolumeClaim":{"claimName":"claim"}},
      {"name":"opt","configMap":{"name":"absent","optional":true}}]}})");
  ASSERT_TRUE(vm.SetUpPod(pod).ok());
  std::string vols = dir_ + "/pods/u1/volumes";
  EXPECT_TRUE(fs::is_directory(vols + "/scratch"));
  EXPECT_EQ(Read(vols + "/cfg/sub/bee"), "2");
  EXPECT_FALSE(fs::exists(vols + "/cfg/a"));
  struct stat st;
  ASSERT_EQ(::stat((vols + "/cfg/sub/bee").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((vols + "/sec/pw").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0400u);
  EXPECT_EQ(Read(vols + "/sec/pw"), "hunter2");
  EXPECT_EQ(Read(vols + "/info/labels"), "a=\"1\"\nb=\"2\"");
  EXPECT_EQ(Read(vols + "/info/name"), "p");
  EXPECT_EQ(Read(vols + "/proj/a"), "1");
  EXPECT_EQ(Read(vols + "/proj/pw"), "hunter2");
  EXPECT_TRUE(fs::is_directory(dir_ + "/hp"));

  json::value container = json::parse(R"({"name":"c","volumeMounts":[
      {"name":"scratch","mountPath":"/scratch"},
      {"name":"cfg","mountPath":"/cfg"},
      {"name":"host","mountPath":"/host","readOnly":true},
      {"name":"data","mountPath":"/data","subPath":"logs/app"}]})");
  auto mounts = vm.MountsFor(pod, container);
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  ASSERT_EQ(mounts->size(), 4u);
  EXPECT_EQ((*mounts)[0].host_path, vols + "/scratch");
  EXPECT_FALSE((*mounts)[0].read_only);
  EXPECT_TRUE((*mounts)[1].read_only);  // configMap volumes are read-only
  EXPECT_EQ((*mounts)[2].host_path, dir_ + "/hp");
  EXPECT_TRUE((*mounts)[2].read_only);
  EXPECT_EQ((*mounts)[3].host_path, dir_ + "/pv1/logs/app");
  EXPECT_EQ((*mounts)[3].container_path, "/data");
  EXPECT_TRUE(fs::is_directory(dir_ + "/pv1/logs/app"));

  // A subPath through a link out of the volume is refused.
  fs::create_symlink(dir_ + "/outside", dir_ + "/pv1/evil");
  json::value bad = json::parse(
      R"({"name":"c","volumeMounts":[{"name":"data","mountPath":"/d","subPath":"evil"}]})");
  EXPECT_FALSE(vm.MountsFor(pod, bad).ok());

  EXPECT_TRUE(vm.TearDownPod("u1").ok());
  EXPECT_FALSE(fs::exists(dir_ + "/pods/u1"));
  EXPECT_TRUE(fs::is_directory(dir_ + "/hp"));  // hostPath content stays
}

TEST_F(VolumesTest, TearDownNeverFollowsLinks) {
  VolumeManager vm(dir_ + "/pods", Objects(dir_ + "/pv1"), NodeAllocatable{});
  std::ofstream(dir_ + "/outside/keep") << "x";
  fs::create_directories(dir_ + "/pods/u3/volumes/scratch");
  fs::create_directory_symlink(dir_ + "/outside", dir_ + "/pods/u3/volumes/scratch/out");
  fs::create_directory_symlink(dir_ + "/outside", dir_ + "/pods/u3/volumes/link");
  fs::create_directory_symlink(dir_ + "/outside", dir_ + "/pods/u4");  // the pod dir itself
  EXPECT_TRUE(vm.TearDownPod("u3").ok());
  EXPECT_TRUE(vm.TearDownPod("u4").ok());
  EXPECT_FALSE(fs::exists(dir_ + "/pods/u3"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir_ + "/pods/u4")));
  EXPECT_TRUE(vm.TearDownPod("absent").ok());
  for (std::string bad : {"", ".", "..", "../outside", "a/b", "default_p_u3"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(vm.TearDownPod(bad))) << bad;
  }
  EXPECT_EQ(Read(dir_ + "/outside/keep"), "x");
}

TEST_F(VolumesTest, TearDownLeavesWhatIsStillMounted) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting needs root";
  VolumeManager vm(dir_ + "/pods", Objects(dir_ + "/pv1"), NodeAllocatable{});
  // A memory-backed emptyDir is unmounted, then removed.
  json::value pod = json::parse(R"({"metadata":{"name":"p","namespace":"ns","uid":"u5"},
      "spec":{"volumes":[{"name":"mem","emptyDir":{"medium":"Memory"}}]}})");
  ASSERT_TRUE(vm.SetUpPod(pod).ok());
  std::ofstream(dir_ + "/pods/u5/volumes/mem/f") << "x";
  EXPECT_TRUE(vm.TearDownPod("u5").ok());
  EXPECT_FALSE(fs::exists(dir_ + "/pods/u5"));
  // A mount elsewhere in the pod's directory is not the manager's: nothing is removed.
  std::string other = dir_ + "/pods/u6/other";
  fs::create_directories(other);
  ASSERT_EQ(::mount("tmpfs", other.c_str(), "tmpfs", 0, "size=64k"), 0);
  std::ofstream(other + "/f") << "x";
  absl::Status s = vm.TearDownPod("u6");
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_EQ(Read(other + "/f"), "x");
  ASSERT_EQ(::umount2(other.c_str(), MNT_DETACH), 0);
  EXPECT_TRUE(vm.TearDownPod("u6").ok());
  EXPECT_FALSE(fs::exists(dir_ + "/pods/u6"));
}

TEST_F(VolumesTest, ListPodDirsNamesPodsOnly) {
  VolumeManager vm(dir_ + "/pods", Objects(dir_ + "/pv1"), NodeAllocatable{});
  EXPECT_TRUE(vm.ListPodDirs().empty());
  for (std::string d : {"u2", "u1", "default_p_u1", ".tmp"})
    fs::create_directories(dir_ + "/pods/" + d);
  EXPECT_EQ(vm.ListPodDirs(), (std::vector<std::string>{"u1", "u2"}));
}

TEST_F(VolumesTest, SetUpErrors) {
  VolumeManager vm(dir_ + "/pods", Objects(dir_ + "/pv1"), NodeAllocatable{});
  struct Case {
    std::string volume, message;
  } cases[] = {
      {R"({"name":"v","configMap":{"name":"absent"}})",
       "MountVolume.SetUp failed for volume \"v\" : configmap \"absent\" not found"},
      {R"({"name":"v","hostPath":{"path":"/nonexistent-skiff","type":"Directory"}})",
       "MountVolume.SetUp failed for volume \"v\" : hostPath type check failed: "
       "/nonexistent-skiff is not a Directory"},
      {R"({"name":"v","persistentVolumeClaim":{"claimName":"nope"}})",
       "MountVolume.SetUp failed for volume \"v\" : persistentvolumeclaim \"nope\" not found"},
  };
  for (const auto& c : cases) {
    json::value pod = json::parse(R"({"metadata":{"name":"p","namespace":"ns","uid":"u2"},
                                      "spec":{"volumes":[)" +
                                  c.volume + "]}}");
    absl::Status s = vm.SetUpPod(pod);
    EXPECT_EQ(std::string(s.message()), c.message);
  }
}

}  // namespace
}  // namespace skiff::agent::kubelet
