#include "skiff/controllers/statefulset/identity.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"
#include "skiff/base/time.h"

namespace skiff::controllers::statefulset {
namespace {

namespace json = boost::json;

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

json::value Set(std::string_view extra_spec = "") {
  std::string spec = R"("replicas":3,"serviceName":"counter",
      "selector":{"matchLabels":{"app":"counter"}},
      "updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0}},
      "template":{"metadata":{"labels":{"app":"counter"},"annotations":{"a":"b"}},
        "spec":{"containers":[{"name":"c","image":"busybox"}],
                "volumes":[{"name":"data","emptyDir":{}},{"name":"cfg","emptyDir":{}}]}},
      "volumeClaimTemplates":[{"metadata":{"name":"data"},
        "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}])";
  if (!extra_spec.empty()) spec += std::string(",") + std::string(extra_spec);
  return json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"counter",
      "namespace":"default","uid":"sts-uid"},"spec":{)" +
                     spec + "}}");
}

json::value PodNamed(std::string_view name, std::string_view phase = "Running", bool ready = true) {
  json::value pod = json::parse(R"({"metadata":{"namespace":"default"},"status":{}})");
  pod.as_object()["metadata"].as_object()["name"] = name;
  if (!phase.empty()) pod.as_object()["status"].as_object()["phase"] = phase;
  json::object cond{{"type", "Ready"},
                    {"status", ready ? "True" : "False"},
                    {"lastTransitionTime", base::FormatRfc3339(kNow - absl::Seconds(10))}};
  pod.as_object()["status"].as_object()["conditions"] = json::array{cond};
  return pod;
}

TEST(IdentityTest, ParsesParentAndOrdinalAsTheUpstreamRegexp) {
  struct Case {
    std::string name;
    std::string parent;
    int ordinal;
  };
  const Case cases[] = {
      {"web-0", "web", 0},
      {"web-12", "web", 12},
      {"my-web-3", "my-web", 3},
      {"web-01", "web", 1},  // parses; IdentityMatches rejects it
      {"web-2147483647", "web", 2147483647},
      {"web-2147483648", "web", -1},  // not an int32
      {"web-", "", -1},
      {"web", "", -1},
      {"web-1a", "", -1},
      {"web--1", "web-", 1},
      {"-5", "", 5},
  };
  for (const auto& c : cases) {
    ParentAndOrdinal po = ParseParentAndOrdinal(c.name);
    EXPECT_EQ(po.parent, c.parent) << c.name;
    EXPECT_EQ(po.ordinal, c.ordinal) << c.name;
  }
}

TEST(IdentityTest, OrdinalRangeFollowsOrdinalsStart) {
  json::value set = Set(R"("ordinals":{"start":5})");
  EXPECT_EQ(StartOrdinal(set), 5);
  EXPECT_EQ(EndOrdinal(set), 7);
  const std::pair<std::string, bool> cases[] = {
      {"counter-4", false}, {"counter-5", true}, {"counter-7", true}, {"counter-8", false}};
  for (const auto& [name, want] : cases) {
    EXPECT_EQ(PodInOrdinalRange(PodNamed(name), set), want) << name;
  }
  json::value plain = Set();
  EXPECT_EQ(StartOrdinal(plain), 0);
  EXPECT_EQ(EndOrdinal(plain), 2);
  EXPECT_EQ(Replicas(json::parse(R"({"spec":{}})")), 1);
}

TEST(IdentityTest, Names) {
  EXPECT_EQ(PodName("counter", 0), "counter-0");
  EXPECT_EQ(ClaimName("data", "counter", 2), "data-counter-2");
  EXPECT_TRUE(IsMemberOf(Set(), PodNamed("counter-9")));
  EXPECT_FALSE(IsMemberOf(Set(), PodNamed("counter2-1")));
  EXPECT_FALSE(IsMemberOf(Set(), PodNamed("counter-x")));
}

TEST(IdentityTest, NewPodHasIdentityStorageOwnerAndTemplate) {
  json::value pod = NewStatefulSetPod(Set(), 1);
  // Compared as values: key order is not part of the contract.
  EXPECT_EQ(
      pod,
      json::parse(
          R"({"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"app":"counter",)"
          R"("statefulset.kubernetes.io/pod-name":"counter-1","apps.kubernetes.io/pod-index":"1"},)"
          R"("annotations":{"a":"b"},"ownerReferences":[{"apiVersion":"apps/v1",)"
          R"("kind":"StatefulSet","name":"counter","uid":"sts-uid","controller":true,)"
          R"("blockOwnerDeletion":true}],"name":"counter-1","namespace":"default"},)"
          R"("spec":{"containers":[{"name":"c","image":"busybox"}],"volumes":[{"name":"data",)"
          R"("persistentVolumeClaim":{"claimName":"data-counter-1"}},{"name":"cfg",)"
          R"("emptyDir":{}}],"hostname":"counter-1","subdomain":"counter"}})"))
      << json::serialize(pod);
  EXPECT_TRUE(IdentityMatches(Set(), pod));
  EXPECT_TRUE(StorageMatches(Set(), pod));
  EXPECT_FALSE(IsCreated(pod));
}

TEST(IdentityTest, IdentityAndStorageMismatchesAreRepaired) {
  json::value set = Set();
  struct Case {
    const char* what;
    std::function<void(json::value&)> change;
    bool identity, storage;
  };
  const Case cases[] = {
      {"intact", [](json::value&) {}, true, true},
      {"pod-name label removed",
       [](json::value& p) {
         p.at("metadata").at("labels").as_object().erase("statefulset.kubernetes.io/pod-name");
       },
       false, true},
      {"other namespace",
       [](json::value& p) { p.at("metadata").as_object()["namespace"] = "other"; }, false, true},
      {"claim volume replaced",
       [](json::value& p) {
         p.at("spec").at("volumes").at(0).as_object() =
             json::object{{"name", "data"}, {"emptyDir", json::object()}};
       },
       true, false},
      {"claim volume names another claim",
       [](json::value& p) {
         p.at("spec").at("volumes").at(0).at("persistentVolumeClaim").as_object()["claimName"] =
             "data-counter-9";
       },
       true, false},
  };
  for (const auto& c : cases) {
    json::value pod = NewStatefulSetPod(set, 2);
    c.change(pod);
    EXPECT_EQ(IdentityMatches(set, pod), c.identity) << c.what;
    EXPECT_EQ(StorageMatches(set, pod), c.storage) << c.what;
    UpdateIdentity(set, pod);
    UpdateStorage(set, pod);
    EXPECT_TRUE(IdentityMatches(set, pod)) << c.what;
    EXPECT_TRUE(StorageMatches(set, pod)) << c.what;
    EXPECT_EQ(pod.at("spec").at("volumes").as_array().size(), 2u) << c.what;
  }
}

TEST(IdentityTest, NoServiceNameMeansNoSubdomain) {
  json::value set = Set();
  set.at("spec").as_object().erase("serviceName");
  json::value pod = NewStatefulSetPod(set, 0);
  EXPECT_EQ(api::GetString(pod, {"spec", "hostname"}), "counter-0");
  EXPECT_EQ(api::Find(pod, {"spec", "subdomain"}), nullptr);
}

TEST(IdentityTest, VersionedPodFollowsThePartition) {
  json::value current = Set(R"("ordinals":{"start":10})");
  json::value update = current;
  update.at("spec").at("template").at("spec").at("containers").at(0).as_object()["image"] = "v2";
  current.at("spec").at("updateStrategy").at("rollingUpdate").as_object()["partition"] = 2;
  struct Case {
    int ordinal;
    std::string revision, image;
  };
  // Ordinals below start + partition (12) keep the current revision.
  const Case cases[] = {{10, "r1", "busybox"}, {11, "r1", "busybox"}, {12, "r2", "v2"}};
  for (const auto& c : cases) {
    json::value pod = NewVersionedStatefulSetPod(current, update, "r1", "r2", c.ordinal);
    EXPECT_EQ(PodRevision(pod), c.revision) << c.ordinal;
    EXPECT_EQ(api::GetString(pod.at("spec").at("containers").at(0), {"image"}), c.image);
  }
  // OnDelete (no rollingUpdate): always the update revision.
  json::value on_delete = Set(R"("ordinals":{"start":10})");
  on_delete.at("spec").at("updateStrategy") = json::parse(R"({"type":"OnDelete"})");
  EXPECT_EQ(PodRevision(NewVersionedStatefulSetPod(on_delete, update, "r1", "r2", 10)), "r2");
  // RollingUpdate without rollingUpdate: below start + status.currentReplicas stays current.
  json::value bare = on_delete;
  bare.at("spec").at("updateStrategy") = json::parse(R"({"type":"RollingUpdate"})");
  bare.as_object()["status"] = json::parse(R"({"currentReplicas":1})");
  EXPECT_EQ(PodRevision(NewVersionedStatefulSetPod(bare, update, "r1", "r2", 10)), "r1");
  EXPECT_EQ(PodRevision(NewVersionedStatefulSetPod(bare, update, "r1", "r2", 11)), "r2");
}

TEST(IdentityTest, Health) {
  struct Case {
    const char* what;
    json::value pod;
    int64_t min_ready;
    bool created, running_ready, available, unavailable;
  };
  json::value terminating = PodNamed("counter-0");
  terminating.at("metadata").as_object()["deletionTimestamp"] = "2030-01-01T00:00:00Z";
  const Case cases[] = {
      {"running ready", PodNamed("counter-0"), 0, true, true, true, false},
      {"ready 10s, minReady 5", PodNamed("counter-0"), 5, true, true, true, false},
      {"ready 10s, minReady 30", PodNamed("counter-0"), 30, true, true, false, true},
      {"running unready", PodNamed("counter-0", "Running", false), 0, true, false, false, true},
      {"pending", PodNamed("counter-0", "Pending", false), 0, true, false, false, true},
      {"not created", PodNamed("counter-0", "", false), 0, false, false, false, true},
      {"terminating", terminating, 0, true, true, true, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsCreated(c.pod), c.created) << c.what;
    EXPECT_EQ(IsRunningAndReady(c.pod), c.running_ready) << c.what;
    EXPECT_EQ(IsRunningAndAvailable(c.pod, c.min_ready, kNow), c.available) << c.what;
    EXPECT_EQ(IsUnavailable(c.pod, c.min_ready, kNow), c.unavailable) << c.what;
  }
  EXPECT_TRUE(IsFailed(PodNamed("x-0", "Failed", false)));
  EXPECT_TRUE(IsSucceeded(PodNamed("x-0", "Succeeded", false)));
  EXPECT_TRUE(AllowsBurst(Set(R"("podManagementPolicy":"Parallel")")));
  EXPECT_FALSE(AllowsBurst(Set(R"("podManagementPolicy":"OrderedReady")")));
}

}  // namespace
}  // namespace skiff::controllers::statefulset
