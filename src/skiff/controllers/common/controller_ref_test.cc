#include "skiff/controllers/common/controller_ref.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"

namespace skiff::controllers {
namespace {

namespace json = boost::json;

// A pod controlled by `controller_uid` (an orphan when it is null).
json::value Pod(const json::value& controller_uid, bool deleting) {
  json::object meta{{"name", "p"}, {"namespace", "default"}, {"uid", "uid-p"}};
  if (deleting) meta["deletionTimestamp"] = "2030-01-01T00:00:00Z";
  if (controller_uid.is_string()) {
    meta["ownerReferences"] = json::array{json::object{{"apiVersion", "apps/v1"},
                                                       {"kind", "ReplicaSet"},
                                                       {"name", "web"},
                                                       {"uid", controller_uid},
                                                       {"controller", true}}};
  }
  return json::object{{"metadata", std::move(meta)}};
}

TEST(ControllerRefTest, DecideClaimAsControllerRefManager) {
  struct Case {
    const char* what;
    json::value controller_uid;  // the pod's controller, null for an orphan
    bool pod_deleting;
    bool matches;
    bool owner_deleting;
    ClaimAction want;
  };
  const Case cases[] = {
      {"ours and matching", "rs-1", false, true, false, ClaimAction::kKeep},
      {"ours and matching, owner deleting", "rs-1", false, true, true, ClaimAction::kKeep},
      {"ours, labels changed", "rs-1", false, false, false, ClaimAction::kRelease},
      {"ours, labels changed, owner deleting", "rs-1", false, false, true, ClaimAction::kIgnore},
      {"someone else's", "rs-2", false, true, false, ClaimAction::kIgnore},
      {"orphan matching", nullptr, false, true, false, ClaimAction::kAdopt},
      {"orphan not matching", nullptr, false, false, false, ClaimAction::kIgnore},
      {"orphan matching, owner deleting", nullptr, false, true, true, ClaimAction::kIgnore},
      {"orphan matching, being deleted", nullptr, true, true, false, ClaimAction::kIgnore},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(
        DecideClaim(Pod(c.controller_uid, c.pod_deleting), "rs-1", c.matches, c.owner_deleting),
        c.want)
        << c.what;
  }
}

TEST(ControllerRefTest, ControllerRefOfFindsTheControllingReference) {
  json::value pod = Pod("rs-uid", false);
  ASSERT_NE(ControllerRefOf(pod), nullptr);
  EXPECT_EQ(api::GetString(*ControllerRefOf(pod), {"uid"}), "rs-uid");
  EXPECT_EQ(ControllerRefOf(Pod(nullptr, false)), nullptr);
}

TEST(ControllerRefTest, ANonControllerReferenceLeavesThePodAnOrphan) {
  json::value pod = json::parse(
      R"({"metadata":{"name":"p","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap",
          "name":"c","uid":"cm-1"},{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web",
          "uid":"rs-1","controller":false}]}})");
  EXPECT_EQ(DecideClaim(pod, "rs-1", true, false), ClaimAction::kAdopt);
}

TEST(ControllerRefTest, Patches) {
  json::object ref = NewControllerRef("apps/v1", "ReplicaSet", "web", "rs-1");
  EXPECT_EQ(json::serialize(ref),
            R"({"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web","uid":"rs-1",)"
            R"("controller":true,"blockOwnerDeletion":true})");
  EXPECT_EQ(AdoptPatch(ref, "pod-1"),
            R"({"metadata":{"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet",)"
            R"("name":"web","uid":"rs-1","controller":true,"blockOwnerDeletion":true}],)"
            R"("uid":"pod-1"}})");
  EXPECT_EQ(ReleasePatch("rs-1", "pod-1"),
            R"({"metadata":{"ownerReferences":[{"$patch":"delete","uid":"rs-1"}],"uid":"pod-1"}})");
}

}  // namespace
}  // namespace skiff::controllers
