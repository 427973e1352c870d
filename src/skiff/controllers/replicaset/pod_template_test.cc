#include "skiff/controllers/replicaset/pod_template.h"

#include <gtest/gtest.h>

#include "skiff/controllers/common/controller_ref.h"

namespace skiff::controllers::replicaset {
namespace {

namespace json = boost::json;

TEST(PodTemplateTest, CopiesTheTemplateAndOwnsThePod) {
  json::value rs = json::parse(R"({
    "apiVersion": "apps/v1", "kind": "ReplicaSet",
    "metadata": {"name": "web", "namespace": "default", "uid": "rs-1",
                 "labels": {"tier": "front"}, "annotations": {"rs-only": "x"}},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}, "annotations": {"a": "b"},
                                       "finalizers": ["example.com/keep"]},
                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})");
  json::value pod = PodFromTemplate(rs, NewControllerRef("apps/v1", "ReplicaSet", "web", "rs-1"));
  EXPECT_EQ(json::serialize(pod),
            R"({"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"web-",)"
            R"("labels":{"app":"web"},"annotations":{"a":"b"},)"
            R"("finalizers":["example.com/keep"],"ownerReferences":[{"apiVersion":"apps/v1",)"
            R"("kind":"ReplicaSet","name":"web","uid":"rs-1","controller":true,)"
            R"("blockOwnerDeletion":true}]},)"
            R"("spec":{"containers":[{"name":"c","image":"nginx"}]}})");
}

TEST(PodTemplateTest, EmptyFieldsAreLeftOut) {
  json::value rc = json::parse(R"({"metadata": {"name": "db"},
    "spec": {"template": {"metadata": {"labels": {}}, "spec": {"containers": []}}}})");
  json::value pod = PodFromTemplate(rc, NewControllerRef("v1", "ReplicationController", "db", "u"));
  EXPECT_EQ(json::serialize(pod),
            R"({"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"db-",)"
            R"("ownerReferences":[{"apiVersion":"v1","kind":"ReplicationController","name":"db",)"
            R"("uid":"u","controller":true,"blockOwnerDeletion":true}]},)"
            R"("spec":{"containers":[]}})");
}

TEST(PodTemplateTest, NamePrefix) {
  EXPECT_EQ(PodNamePrefix("web"), "web-");
  // Kubernetes masks the trailing dash together with the character before it, so even a
  // 253-character name keeps its dash (the server shortens generateName anyway).
  std::string longest(253, 'a');
  EXPECT_EQ(PodNamePrefix(longest), longest + "-");
  // A name that is no valid prefix with a dash is used as it is.
  EXPECT_EQ(PodNamePrefix("Web"), "Web");
}

}  // namespace
}  // namespace skiff::controllers::replicaset
