#include "skiff/controllers/daemonset/revision.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"
#include "skiff/controllers/deployment/util/hash.h"

namespace skiff::controllers::daemonset {
namespace {

namespace json = boost::json;

json::value Ds(std::string_view image, std::string_view status = "{}") {
  return json::value{{"apiVersion", "apps/v1"},
                     {"kind", "DaemonSet"},
                     {"metadata",
                      {{"name", "counter"},
                       {"namespace", "default"},
                       {"uid", "u-1"},
                       {"annotations", {{"deprecated.daemonset.template.generation", "2"}}}}},
                     {"spec",
                      {{"selector", {{"matchLabels", {{"app", "counter"}}}}},
                       {"template",
                        {{"spec", {{"containers", json::array{{{"name", "c"}, {"image", image}}}}}},
                         {"metadata", {{"labels", {{"app", "counter"}}}}}}}}},
                     {"status", json::parse(status)}};
}

TEST(RevisionTest, DataIsAReplacePatchWithSortedKeys) {
  EXPECT_EQ(RevisionData(Ds("busybox:1.36")),
            R"({"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"counter"}},)"
            R"("spec":{"containers":[{"image":"busybox:1.36","name":"c"}]}}}})");
}

TEST(RevisionTest, HashIsThePodTemplateHashWithCollisionCount) {
  json::value ds = Ds("busybox:1.36");
  std::string hash = DaemonSetHash(ds);
  EXPECT_EQ(hash, deployment::ComputeHash(*api::Find(ds, {"spec", "template"}), std::nullopt));
  EXPECT_TRUE(hash.find_first_not_of("456789bcdf") == std::string::npos) << hash;
  EXPECT_NE(DaemonSetHash(Ds("busybox:1.36", R"({"collisionCount":1})")), hash);
  EXPECT_NE(DaemonSetHash(Ds("busybox:1.37")), hash);
}

TEST(RevisionTest, NewRevision) {
  json::value ds = Ds("busybox:1.36");
  json::object rev = NewDaemonSetRevision(ds, "5d7b9c", 3);
  EXPECT_EQ(json::serialize(rev["metadata"]),
            R"({"name":"counter-5d7b9c","namespace":"default",)"
            R"("labels":{"app":"counter","controller-revision-hash":"5d7b9c"},)"
            R"("annotations":{"deprecated.daemonset.template.generation":"2"},)"
            R"("ownerReferences":[{"apiVersion":"apps/v1","kind":"DaemonSet","name":"counter",)"
            R"("uid":"u-1","controller":true,"blockOwnerDeletion":true}]})");
  EXPECT_EQ(rev["revision"], 3);
  EXPECT_EQ(json::serialize(rev["data"]), RevisionData(ds));
}

TEST(RevisionTest, MatchesSemantically) {
  json::value ds = Ds("busybox:1.36");
  json::value rev = NewDaemonSetRevision(ds, "h", 1);
  EXPECT_TRUE(MatchesRevision(ds, rev));
  EXPECT_FALSE(MatchesRevision(Ds("busybox:1.37"), rev));
  // The same template with other key order and an empty member still matches.
  json::value reordered = Ds("busybox:1.36");
  json::object& tmpl = api::FindMutable(reordered, {"spec", "template"})->as_object();
  json::object swapped{{"metadata", tmpl["metadata"]}, {"spec", tmpl["spec"]}};
  swapped["spec"].as_object()["volumes"] = json::array();
  tmpl = swapped;
  EXPECT_TRUE(MatchesRevision(reordered, rev));
  EXPECT_FALSE(MatchesRevision(ds, json::parse(R"({"data":{"spec":{}}})")));
}

}  // namespace
}  // namespace skiff::controllers::daemonset
