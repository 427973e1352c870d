#include "skiff/controllers/statefulset/revisions.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"
#include "skiff/base/time.h"
#include "skiff/controllers/history/history.h"
#include "skiff/controllers/statefulset/identity.h"

namespace skiff::controllers::statefulset {
namespace {

namespace json = boost::json;

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

json::value Set(std::string_view image) {
  json::value set = json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet",
      "metadata":{"name":"web","namespace":"default","uid":"sts-1","generation":4,
                  "annotations":{"kubernetes.io/change-cause":"v1"}},
      "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
        "updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0}},
        "template":{"metadata":{"labels":{"app":"web"}},
                    "spec":{"containers":[{"name":"web","image":"x"}]}}}})");
  set.at("spec").at("template").at("spec").at("containers").at(0).as_object()["image"] = image;
  return set;
}

client::ObjPtr Pod(std::string_view name, std::string_view revision, bool ready,
                   bool terminating = false, std::string_view phase = "Running") {
  json::value pod = json::parse(R"({"metadata":{"labels":{}},"status":{}})");
  pod.at("metadata").as_object()["name"] = name;
  pod.at("metadata").at("labels").as_object()["controller-revision-hash"] = revision;
  if (terminating) pod.at("metadata").as_object()["deletionTimestamp"] = "2030-01-01T00:00:00Z";
  if (!phase.empty()) pod.at("status").as_object()["phase"] = phase;
  pod.at("status").as_object()["conditions"] = json::array{
      json::object{{"type", "Ready"},
                   {"status", ready ? "True" : "False"},
                   {"lastTransitionTime", base::FormatRfc3339(kNow - absl::Seconds(5))}}};
  return std::make_shared<const json::value>(std::move(pod));
}

TEST(RevisionsTest, NewRevisionRecordsTheTemplateAsAReplacePatch) {
  json::object rev = NewRevision(Set("nginx:1"), 2, 0);
  std::string raw =
      R"({"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"web"}},)"
      R"("spec":{"containers":[{"image":"nginx:1","name":"web"}]}}}})";
  EXPECT_EQ(history::RawData(rev), raw);
  std::string hash = history::HashControllerRevision(raw, 0);
  EXPECT_EQ(api::GetString(json::value(rev), {"metadata", "name"}), "web-" + hash);
  EXPECT_EQ(
      api::GetString(json::value(rev), {"metadata", "labels", "controller.kubernetes.io/hash"}),
      hash);
  EXPECT_EQ(api::GetString(json::value(rev), {"metadata", "labels", "app"}), "web");
  EXPECT_EQ(
      api::GetString(json::value(rev), {"metadata", "annotations", "kubernetes.io/change-cause"}),
      "v1");
  EXPECT_EQ(history::RevisionNumber(rev), 2);
  // Same template, same name; another template or collision count, another name.
  EXPECT_EQ(json::serialize(NewRevision(Set("nginx:1"), 7, 0).at("metadata").at("name")),
            json::serialize(rev.at("metadata").at("name")));
  EXPECT_NE(json::serialize(NewRevision(Set("nginx:2"), 2, 0).at("metadata").at("name")),
            json::serialize(rev.at("metadata").at("name")));
  EXPECT_NE(json::serialize(NewRevision(Set("nginx:1"), 2, 1).at("metadata").at("name")),
            json::serialize(rev.at("metadata").at("name")));
}

TEST(RevisionsTest, ApplyRevisionRestoresTheTemplate) {
  json::value v1 = Set("nginx:1");
  json::value v2 = Set("nginx:2");
  v2.at("spec").at("template").at("metadata").as_object()["annotations"] =
      json::object{{"restarted", "now"}};
  auto restored = ApplyRevision(v2, NewRevision(v1, 1, 0));
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->at("spec").at("template"), v1.at("spec").at("template"))
      << json::serialize(restored->at("spec").at("template"));
  EXPECT_EQ(api::GetInt(*restored, {"spec", "replicas"}), 3);
}

TEST(RevisionsTest, NextRevision) {
  json::object a = NewRevision(Set("a"), 3, 0);
  json::object b = NewRevision(Set("b"), 8, 0);
  EXPECT_EQ(NextRevision({}), 1);
  EXPECT_EQ(NextRevision({&a, &b}), 9);
}

TEST(RevisionsTest, ReplicaCounts) {
  SetStatus status;
  status.current_revision = "web-1";
  status.update_revision = "web-2";
  std::vector<client::ObjPtr> pods = {
      Pod("web-0", "web-1", true),
      Pod("web-1", "web-2", true),
      Pod("web-2", "web-2", false),
      Pod("web-3", "web-2", true, /*terminating=*/true),
      Pod("web-4", "web-2", false, false, /*phase=*/""),  // not created yet
  };
  AddReplicaCounts(pods, 0, kNow, status);
  EXPECT_EQ(status.replicas, 4);
  EXPECT_EQ(status.ready_replicas, 3);  // terminating but Running and Ready counts
  EXPECT_EQ(status.available_replicas, 3);
  EXPECT_EQ(status.current_replicas, 1);
  EXPECT_EQ(status.updated_replicas, 2);
  // Ready for 5s: not available with minReadySeconds 10.
  RecountStatus({&pods}, 10, kNow, status);
  EXPECT_EQ(status.ready_replicas, 3);
  EXPECT_EQ(status.available_replicas, 0);
}

TEST(RevisionsTest, CompleteRollingUpdateAndStatusWrites) {
  json::value set = Set("x");
  SetStatus status;
  status.observed_generation = 4;
  status.replicas = status.ready_replicas = status.updated_replicas = 3;
  status.current_replicas = 1;
  status.current_revision = "web-1";
  status.update_revision = "web-2";
  CompleteRollingUpdate(set, status);
  EXPECT_EQ(status.current_revision, "web-2");
  EXPECT_EQ(status.current_replicas, 3);

  SetStatus partial = status;
  partial.current_revision = "web-1";
  partial.ready_replicas = 2;
  CompleteRollingUpdate(set, partial);
  EXPECT_EQ(partial.current_revision, "web-1");
  json::value on_delete = set;
  on_delete.at("spec").at("updateStrategy") = json::parse(R"({"type":"OnDelete"})");
  SetStatus od = status;
  od.current_revision = "web-1";
  CompleteRollingUpdate(on_delete, od);
  EXPECT_EQ(od.current_revision, "web-1");  // OnDelete never advances it

  status.available_replicas = 3;
  status.collision_count = 0;
  EXPECT_EQ(json::serialize(StatusJson(status)),
            R"({"observedGeneration":4,"replicas":3,"readyReplicas":3,"currentReplicas":3,)"
            R"("updatedReplicas":3,"currentRevision":"web-2","updateRevision":"web-2",)"
            R"("collisionCount":0,"availableReplicas":3})");
  EXPECT_TRUE(InconsistentStatus(set, status));
  set.as_object()["status"] = StatusJson(status);
  EXPECT_FALSE(InconsistentStatus(set, status));
  SetStatus older = status;
  older.observed_generation = 3;
  EXPECT_FALSE(InconsistentStatus(set, older));
  SetStatus fewer = status;
  fewer.available_replicas = 2;
  EXPECT_TRUE(InconsistentStatus(set, fewer));
  EXPECT_EQ(json::serialize(StatusJson(SetStatus{})),
            R"({"replicas":0,"collisionCount":0,"availableReplicas":0})");
}

}  // namespace
}  // namespace skiff::controllers::statefulset
