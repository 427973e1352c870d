// The binding rules: which volume a claim gets, and how a volume is bound to it.
#include "skiff/controllers/volume/binding.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"

namespace skiff::controllers::volume {
namespace {

namespace json = boost::json;

// A volume: name, size, access modes, class; `extra` is merged into spec, `status` is its phase.
ObjPtr Pv(std::string_view name, std::string_view size, std::vector<std::string> modes,
          std::string_view cls = "", std::string_view phase = "Available",
          std::string_view extra_spec = "{}", std::string_view labels = "{}") {
  json::array m;
  for (const auto& s : modes) m.emplace_back(s);
  json::value pv = {{"apiVersion", "v1"},
                    {"kind", "PersistentVolume"},
                    {"metadata", {{"name", name}, {"resourceVersion", "5"}}},
                    {"spec",
                     {{"capacity", {{"storage", size}}},
                      {"accessModes", m},
                      {"storageClassName", cls},
                      {"hostPath", {{"path", "/data"}}}}},
                    {"status", {{"phase", phase}}}};
  json::value extra = json::parse(extra_spec);
  for (const auto& kv : extra.as_object()) pv.at("spec").as_object()[kv.key()] = kv.value();
  json::value l = json::parse(labels);
  if (!l.as_object().empty()) pv.at("metadata").as_object()["labels"] = l;
  return std::make_shared<const json::value>(std::move(pv));
}

json::value Pvc(std::string_view size, std::vector<std::string> modes, std::string_view cls = "",
                std::string_view extra_spec = "{}") {
  json::array m;
  for (const auto& s : modes) m.emplace_back(s);
  json::value pvc = {{"apiVersion", "v1"},
                     {"kind", "PersistentVolumeClaim"},
                     {"metadata",
                      {{"name", "data"},
                       {"namespace", "default"},
                       {"uid", "claim-uid"},
                       {"resourceVersion", "7"}}},
                     {"spec",
                      {{"accessModes", m},
                       {"resources", {{"requests", {{"storage", size}}}}},
                       {"storageClassName", cls}}}};
  json::value extra = json::parse(extra_spec);
  for (const auto& kv : extra.as_object()) pvc.at("spec").as_object()[kv.key()] = kv.value();
  return pvc;
}

std::string NameOr(const absl::StatusOr<ObjPtr>& v) {
  if (!v.ok()) return "error: " + std::string(v.status().message());
  return *v == nullptr ? "<none>" : Name(**v);
}

const std::vector<std::string> kRWO = {"ReadWriteOnce"};
const std::vector<std::string> kRWX = {"ReadWriteMany"};
const std::vector<std::string> kROX = {"ReadOnlyMany"};
constexpr std::string_view kBoundElsewhere =
    R"({"claimRef": {"namespace": "default", "name": "other", "uid": "u2"}})";
constexpr std::string_view kPreBound = R"({"claimRef": {"namespace": "default", "name": "data"}})";
constexpr std::string_view kNodeA = R"({"nodeAffinity": {"required": {"nodeSelectorTerms": [
    {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In",
                           "values": ["node-a"]}]}]}}})";

TEST(BindingTest, TheBinderPicksTheSmallestVolumeThatFits) {
  struct Case {
    const char* name;
    json::value claim;
    std::vector<ObjPtr> volumes;
    bool delay = false;
    std::string want;
  };
  const Case cases[] = {
      {"smallest that fits",
       Pvc("1Gi", kRWO),
       {Pv("big", "5Gi", kRWO), Pv("fits", "2Gi", kRWO), Pv("small", "500Mi", kRWO)},
       false,
       "fits"},
      {"exact size fits", Pvc("1Gi", kRWO), {Pv("exact", "1024Mi", kRWO)}, false, "exact"},
      {"nothing big enough", Pvc("10Gi", kRWO), {Pv("small", "5Gi", kRWO)}, false, "<none>"},
      {"class must match",
       Pvc("1Gi", kRWO, "fast"),
       {Pv("slow", "1Gi", kRWO, "slow"), Pv("fast", "3Gi", kRWO, "fast")},
       false,
       "fast"},
      {"no class only takes classless volumes",
       Pvc("1Gi", kRWO),
       {Pv("classy", "1Gi", kRWO, "fast")},
       false,
       "<none>"},
      {"only Available volumes",
       Pvc("1Gi", kRWO),
       {Pv("pending", "1Gi", kRWO, "", "Pending"), Pv("released", "1Gi", kRWO, "", "Released"),
        Pv("available", "9Gi", kRWO)},
       false,
       "available"},
      {"volumes bound elsewhere are taken",
       Pvc("1Gi", kRWO),
       {Pv("taken", "1Gi", kRWO, "", "Available", kBoundElsewhere)},
       false,
       "<none>"},
      {"a volume pre-bound to the claim wins over a better fit",
       Pvc("1Gi", kRWO),
       {Pv("fits", "1Gi", kRWO), Pv("mine", "50Gi", kRWO, "", "Pending", kPreBound)},
       false,
       "mine"},
      {"the narrowest access-mode set first",
       Pvc("1Gi", kRWO),
       {Pv("both", "1Gi", {"ReadWriteMany", "ReadWriteOnce"}), Pv("rwo", "8Gi", kRWO)},
       false,
       "rwo"},
      {"modes must all be offered",
       Pvc("1Gi", kRWX),
       {Pv("rwo", "1Gi", kRWO), Pv("rox", "1Gi", kROX),
        Pv("both", "2Gi", {"ReadWriteMany", "ReadWriteOnce"})},
       false,
       "both"},
      {"selector",
       Pvc("1Gi", kRWO, "", R"({"selector": {"matchLabels": {"tier": "gold"}}})"),
       {Pv("plain", "1Gi", kRWO),
        Pv("gold", "2Gi", kRWO, "", "Available", "{}", R"({"tier": "gold"})")},
       false,
       "gold"},
      {"volume modes must agree",
       Pvc("1Gi", kRWO),
       {Pv("block", "1Gi", kRWO, "", "Available", R"({"volumeMode": "Block"})")},
       false,
       "<none>"},
      {"volumes being deleted are skipped",
       Pvc("1Gi", kRWO),
       {[] {
         json::value v = *Pv("going", "1Gi", kRWO);
         v.at("metadata").as_object()["deletionTimestamp"] = "2024-01-01T00:00:00Z";
         return std::make_shared<const json::value>(v);
       }()},
       false,
       "<none>"},
      {"WaitForFirstConsumer: the binder leaves free volumes to the scheduler",
       Pvc("1Gi", kRWO, "local"),
       {Pv("free", "1Gi", kRWO, "local")},
       true,
       "<none>"},
      {"WaitForFirstConsumer: a provisioned, pre-bound volume is bound",
       Pvc("1Gi", kRWO, "local"),
       {Pv("free", "1Gi", kRWO, "local"),
        Pv("pvc-claim-uid", "1Gi", kRWO, "local", "Pending",
           R"({"claimRef": {"namespace": "default", "name": "data", "uid": "claim-uid"}})")},
       true,
       "pvc-claim-uid"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NameOr(FindBestMatchForClaim(c.claim, c.volumes, c.delay)), c.want) << c.name;
  }
}

TEST(BindingTest, TheSchedulerMatchesVolumesOnANode) {
  json::object labels_a{{"kubernetes.io/hostname", "node-a"}};
  json::object labels_b{{"kubernetes.io/hostname", "node-b"}};
  NodeRef a{"node-a", &labels_a}, b{"node-b", &labels_b};
  json::value claim = Pvc("1Gi", kRWO, "local");
  std::vector<ObjPtr> volumes = {Pv("on-a", "1Gi", kRWO, "local", "Available", kNodeA),
                                 Pv("anywhere", "4Gi", kRWO, "local")};
  EXPECT_EQ(NameOr(FindMatchingVolume(claim, volumes, &a, {}, true)), "on-a");
  EXPECT_EQ(NameOr(FindMatchingVolume(claim, volumes, &b, {}, true)), "anywhere");
  EXPECT_EQ(NameOr(FindMatchingVolume(claim, volumes, &a, {"on-a"}, true)), "anywhere");
  // On a node the access modes are checked directly.
  EXPECT_EQ(NameOr(FindMatchingVolume(Pvc("1Gi", kRWX, "local"), volumes, &a, {}, true)), "<none>");
  // A pre-bound volume that does not admit the node means no volume on that node at all.
  std::vector<ObjPtr> prebound = {Pv("mine-on-a", "1Gi", kRWO, "local", "Available",
                                     R"({"claimRef": {"namespace": "default", "name": "data"},
             "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
               {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-a"]}]}]}}})"),
                                  Pv("anywhere", "1Gi", kRWO, "local")};
  EXPECT_EQ(NameOr(FindMatchingVolume(claim, prebound, &a, {}, true)), "mine-on-a");
  EXPECT_EQ(NameOr(FindMatchingVolume(claim, prebound, &b, {}, true)), "<none>");
  EXPECT_EQ(NameOr(FindMatchingVolume(
                Pvc("1Gi", kRWO, "", R"({"selector": {"matchLabels": {"a": "-bad-"}}})"), volumes,
                &a, {}, true)),
            "error: error creating internal label selector for claim: default/data: "
            "values[0][a]: Invalid value: \"-bad-\": a valid label must be an empty string or "
            "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
            "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
}

TEST(BindingTest, NodeAffinity) {
  json::object labels{{"kubernetes.io/hostname", "node-a"}};
  EXPECT_TRUE(CheckNodeAffinity(*Pv("free", "1Gi", kRWO), "node-b", &labels).ok());
  EXPECT_TRUE(
      CheckNodeAffinity(*Pv("a", "1Gi", kRWO, "", "Available", kNodeA), "node-a", &labels).ok());
  absl::Status s =
      CheckNodeAffinity(*Pv("a", "1Gi", kRWO, "", "Available", kNodeA), "node-b", nullptr);
  EXPECT_EQ(s.message(), "no matching NodeSelectorTerms");
}

TEST(BindingTest, BindingAVolumeToAClaim) {
  json::value claim = Pvc("1Gi", kRWO);
  const json::value want_ref = json::parse(R"({"kind": "PersistentVolumeClaim",
    "namespace": "default", "name": "data", "uid": "claim-uid", "apiVersion": "v1",
    "resourceVersion": "7"})");

  VolumeBinding free = BindVolumeToClaim(*Pv("free", "1Gi", kRWO), claim);
  EXPECT_TRUE(free.dirty);
  EXPECT_EQ(free.volume.at("spec").at("claimRef"), want_ref);
  EXPECT_EQ(AnnotationValue(free.volume, kAnnBoundByController), "yes");

  // Pre-bound by its creator: the uid is filled in, and the binding stays the user's.
  VolumeBinding user =
      BindVolumeToClaim(*Pv("user", "1Gi", kRWO, "", "Available", kPreBound), claim);
  EXPECT_TRUE(user.dirty);
  EXPECT_EQ(user.volume.at("spec").at("claimRef"), want_ref);
  EXPECT_FALSE(HasAnnotation(user.volume, kAnnBoundByController));

  VolumeBinding again = BindVolumeToClaim(free.volume, claim);
  EXPECT_FALSE(again.dirty);
  EXPECT_EQ(again.volume, free.volume);
}

TEST(BindingTest, WhyARequestedVolumeDoesNotFit) {
  json::value claim = Pvc("2Gi", kRWX, "fast");
  EXPECT_EQ(CheckVolumeSatisfiesClaim(*Pv("v", "1Gi", kRWX, "fast"), claim),
            "requested PV is too small");
  EXPECT_EQ(CheckVolumeSatisfiesClaim(*Pv("v", "2Gi", kRWX, "slow"), claim),
            "storageClassName does not match");
  EXPECT_EQ(CheckVolumeSatisfiesClaim(
                *Pv("v", "2Gi", kRWX, "fast", "Available", R"({"volumeMode": "Block"})"), claim),
            "incompatible volumeMode");
  EXPECT_EQ(CheckVolumeSatisfiesClaim(*Pv("v", "2Gi", kRWO, "fast"), claim),
            "incompatible accessMode");
  EXPECT_EQ(CheckVolumeSatisfiesClaim(*Pv("v", "3Gi", kRWX, "fast"), claim), "");
}

TEST(BindingTest, ClassesOfClaimsAndVolumes) {
  json::value none = json::parse(R"({"metadata": {}, "spec": {}})");
  json::value empty = json::parse(R"({"metadata": {}, "spec": {"storageClassName": ""}})");
  json::value beta = json::parse(R"({"metadata": {"annotations":
    {"volume.beta.kubernetes.io/storage-class": "old"}}, "spec": {"storageClassName": "new"}})");
  EXPECT_EQ(ClaimClass(none), "");
  EXPECT_FALSE(ClaimHasClass(none));
  EXPECT_EQ(ClaimClass(empty), "");
  EXPECT_TRUE(ClaimHasClass(empty));
  EXPECT_EQ(ClaimClass(beta), "old");
  EXPECT_EQ(VolumeClass(beta), "old");
  EXPECT_TRUE(ClaimHasClass(beta));
  json::value wffc = json::parse(R"({"volumeBindingMode": "WaitForFirstConsumer"})");
  json::value immediate = json::parse(R"({"volumeBindingMode": "Immediate"})");
  EXPECT_TRUE(IsDelayBindingMode(&wffc));
  EXPECT_FALSE(IsDelayBindingMode(&immediate));
  EXPECT_FALSE(IsDelayBindingMode(nullptr));
}

TEST(BindingTest, Finalizers) {
  json::value obj = json::parse(R"({"metadata": {"finalizers": ["a"]}})");
  AddFinalizer(obj, "b");
  AddFinalizer(obj, "b");
  EXPECT_EQ(obj.at("metadata").at("finalizers"), json::parse(R"(["a", "b"])"));
  RemoveFinalizer(obj, "a");
  EXPECT_EQ(obj.at("metadata").at("finalizers"), json::parse(R"(["b"])"));
  RemoveFinalizer(obj, "b");
  EXPECT_EQ(obj, json::parse(R"({"metadata": {}})"));
}

}  // namespace
}  // namespace skiff::controllers::volume
