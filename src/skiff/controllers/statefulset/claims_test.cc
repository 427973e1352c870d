#include "skiff/controllers/statefulset/claims.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"

namespace skiff::controllers::statefulset {
namespace {

namespace json = boost::json;

json::value Set(std::string_view when_deleted, std::string_view when_scaled) {
  json::value set = json::parse(R"({"metadata":{"name":"web","namespace":"ns","uid":"set-uid"},
      "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
        "volumeClaimTemplates":[
          {"metadata":{"name":"www","labels":{"tier":"db"}},"spec":{"accessModes":["ReadWriteOnce"]},
           "status":{"phase":"Pending"}},
          {"metadata":{"name":"logs"},"spec":{"accessModes":["ReadWriteOnce"]}}]}})");
  if (!when_deleted.empty()) {
    set.at("spec").as_object()["persistentVolumeClaimRetentionPolicy"] =
        json::object{{"whenDeleted", when_deleted}, {"whenScaled", when_scaled}};
  }
  return set;
}

json::value Pod(int ordinal, std::string_view uid) {
  json::value pod = json::parse(R"({"metadata":{"namespace":"ns"}})");
  pod.at("metadata").as_object()["name"] = "web-" + std::to_string(ordinal);
  pod.at("metadata").as_object()["uid"] = uid;
  return pod;
}

json::object Ref(std::string_view api_version, std::string_view kind, std::string_view name,
                 std::string_view uid, bool controller = true) {
  json::object ref{{"apiVersion", api_version}, {"kind", kind}, {"name", name}, {"uid", uid}};
  if (controller) {
    ref["controller"] = true;
    ref["blockOwnerDeletion"] = true;
  }
  return ref;
}

json::value Claim(json::array refs) {
  json::value claim = json::parse(R"({"metadata":{"name":"www-web-1","namespace":"ns"}})");
  if (!refs.empty()) claim.at("metadata").as_object()["ownerReferences"] = std::move(refs);
  return claim;
}

// "set", "pod", "set+pod" or "" for the references of a claim, by uid.
std::string Owners(const json::array& refs) {
  std::string out;
  for (const auto& r : refs) {
    if (!out.empty()) out += "+";
    std::string_view uid = api::GetString(r, {"uid"});
    out += uid == "set-uid" ? "set" : uid == "pod-uid" ? "pod" : std::string(uid);
  }
  return out;
}

TEST(ClaimsTest, ClaimsForOrdinalMergeSelectorLabels) {
  auto claims = ClaimsForOrdinal(Set("", ""), 3);
  ASSERT_EQ(claims.size(), 2u);
  EXPECT_EQ(
      json::value(claims[0]),
      json::parse(R"({"metadata":{"name":"www-web-3","labels":{"tier":"db","app":"web"},)"
                  R"("namespace":"ns"},"spec":{"accessModes":["ReadWriteOnce"]},"apiVersion":"v1",)"
                  R"("kind":"PersistentVolumeClaim"})"));
  EXPECT_EQ(
      json::value(claims[1]),
      json::parse(R"({"metadata":{"name":"logs-web-3","namespace":"ns","labels":{"app":"web"}},)"
                  R"("spec":{"accessModes":["ReadWriteOnce"]},"apiVersion":"v1",)"
                  R"("kind":"PersistentVolumeClaim"})"));
}

TEST(ClaimsTest, RetentionPolicyTable) {
  struct Case {
    std::string when_deleted, when_scaled;
    int ordinal;       // 1 is in range (replicas 2), 2 is condemned
    std::string want;  // the owners the policy puts on the claim
  };
  const Case cases[] = {
      {"Retain", "Retain", 1, ""},
      {"Retain", "Retain", 2, ""},
      {"Delete", "Retain", 1, "set"},
      {"Delete", "Retain", 2, "set"},
      {"Retain", "Delete", 1, ""},
      {"Retain", "Delete", 2, "pod"},
      {"Delete", "Delete", 1, "set"},
      {"Delete", "Delete", 2, "pod"},
      {"", "", 2, ""},  // no policy: Retain/Retain
  };
  for (const auto& c : cases) {
    std::string what =
        c.when_deleted + "/" + c.when_scaled + " ordinal " + std::to_string(c.ordinal);
    json::value set = Set(c.when_deleted, c.when_scaled);
    json::value pod = Pod(c.ordinal, "pod-uid");
    json::value bare = Claim({});
    json::array refs = ClaimOwnerRefsForPolicy(bare, set, pod);
    EXPECT_EQ(Owners(refs), c.want) << what;
    EXPECT_EQ(IsClaimOwnerUpToDate(bare, set, pod), c.want.empty()) << what;
    json::value fixed = Claim(refs);
    EXPECT_TRUE(IsClaimOwnerUpToDate(fixed, set, pod)) << what;
    for (const auto& r : refs) {
      EXPECT_TRUE(api::GetBool(r, {"controller"})) << what;
      EXPECT_TRUE(api::GetBool(r, {"blockOwnerDeletion"})) << what;
    }
    // Both references at once is never right for a single pod.
    json::value both = Claim({Ref("apps/v1", "StatefulSet", "web", "set-uid"),
                              Ref("v1", "Pod", "web-" + std::to_string(c.ordinal), "pod-uid")});
    EXPECT_FALSE(IsClaimOwnerUpToDate(both, set, pod)) << what;
    EXPECT_EQ(Owners(ClaimOwnerRefsForPolicy(both, set, pod)), c.want) << what;
  }
}

TEST(ClaimsTest, StaleAndForeignReferencesAreLeftAlone) {
  json::value set = Set("Delete", "Delete");
  json::value pod = Pod(2, "pod-uid");
  // A reference to an earlier pod of the same name: not ours to touch.
  json::value stale = Claim({Ref("v1", "Pod", "web-2", "old-pod-uid")});
  EXPECT_TRUE(HasStaleOwnerRef(stale, "v1", "Pod", "web-2", "pod-uid"));
  EXPECT_FALSE(HasStaleOwnerRef(stale, "v1", "Pod", "web-2", "old-pod-uid"));
  EXPECT_TRUE(IsClaimOwnerUpToDate(stale, set, pod));
  // Another controller: no references of ours are added ...
  json::value foreign = Claim({Ref("apps/v1", "ReplicaSet", "rs", "rs-uid")});
  EXPECT_TRUE(HasUnexpectedController(foreign, set, pod));
  EXPECT_TRUE(IsClaimOwnerUpToDate(foreign, set, pod));
  EXPECT_EQ(Owners(ClaimOwnerRefsForPolicy(foreign, set, pod)), "rs-uid");
  // ... and ours are removed from beside it.
  json::value mixed = Claim({Ref("apps/v1", "ReplicaSet", "rs", "rs-uid"),
                             Ref("apps/v1", "StatefulSet", "web", "set-uid")});
  EXPECT_FALSE(IsClaimOwnerUpToDate(mixed, set, pod));
  EXPECT_EQ(Owners(ClaimOwnerRefsForPolicy(mixed, set, pod)), "rs-uid");
  // Under Retain/Retain another controller is no concern.
  EXPECT_FALSE(HasUnexpectedController(foreign, Set("Retain", "Retain"), pod));
  // A plain (non-controller) reference of ours is upgraded.
  json::value plain = Claim({Ref("v1", "Pod", "web-2", "pod-uid", /*controller=*/false)});
  EXPECT_FALSE(IsClaimOwnerUpToDate(plain, set, pod));
  EXPECT_EQ(Owners(ClaimOwnerRefsForPolicy(plain, set, pod)), "pod");
}

TEST(ClaimsTest, RetentionPolicyOf) {
  RetentionPolicy p = RetentionPolicyOf(Set("Delete", "Retain"));
  EXPECT_TRUE(p.delete_when_deleted);
  EXPECT_FALSE(p.delete_when_scaled);
  p = RetentionPolicyOf(Set("", ""));
  EXPECT_FALSE(p.delete_when_deleted || p.delete_when_scaled);
}

}  // namespace
}  // namespace skiff::controllers::statefulset
