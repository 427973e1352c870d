#include "skiff/controllers/replicaset/status.h"

#include <gtest/gtest.h>

#include "skiff/controllers/replicaset/test_pods.h"

namespace skiff::controllers::replicaset {
namespace {

namespace json = boost::json;
using testing::kNow;
using testing::Pod;
using testing::PodSpec;

json::value Owner(int64_t replicas, int64_t min_ready, json::value status = nullptr) {
  json::object rs{
      {"metadata", json::object{{"name", "web"}, {"namespace", "default"}, {"generation", 4}}},
      {"spec",
       json::object{
           {"replicas", replicas},
           {"minReadySeconds", min_ready},
           {"template",
            json::object{{"metadata", json::object{{"labels", json::object{{"app", "web"},
                                                                           {"tier", "f"}}}}}}}}}};
  if (!status.is_null()) rs["status"] = status;
  return rs;
}

std::vector<client::ObjPtr> FourPods() {
  PodSpec labeled_ready_long;
  labeled_ready_long.name = "a";
  labeled_ready_long.labels = {{"app", "web"}, {"tier", "f"}, {"extra", "1"}};
  labeled_ready_long.ready_since = kNow - absl::Seconds(60);
  PodSpec labeled_ready_recent = labeled_ready_long;
  labeled_ready_recent.name = "b";
  labeled_ready_recent.ready_since = kNow - absl::Seconds(3);
  PodSpec partly_labeled_ready;
  partly_labeled_ready.name = "c";
  partly_labeled_ready.labels = {{"app", "web"}};
  partly_labeled_ready.ready_since = kNow - absl::Seconds(60);
  PodSpec wrong_value_not_ready;
  wrong_value_not_ready.name = "d";
  wrong_value_not_ready.labels = {{"app", "web"}, {"tier", "g"}};
  return {Pod(labeled_ready_long), Pod(labeled_ready_recent), Pod(partly_labeled_ready),
          Pod(wrong_value_not_ready)};
}

TEST(StatusTest, CountsReplicas) {
  struct Case {
    int64_t min_ready;
    const char* want;
  };
  const Case cases[] = {
      {0, R"({"replicas":4,"fullyLabeledReplicas":2,"readyReplicas":3,"availableReplicas":3,)"
          R"("observedGeneration":4})"},
      {10, R"({"replicas":4,"fullyLabeledReplicas":2,"readyReplicas":3,"availableReplicas":2,)"
           R"("observedGeneration":4})"},
      {100, R"({"replicas":4,"fullyLabeledReplicas":2,"readyReplicas":3,)"
            R"("observedGeneration":4})"},
  };
  for (const auto& c : cases) {
    json::object st = CalculateStatus(Owner(4, c.min_ready), FourPods(), absl::OkStatus(), kNow);
    EXPECT_EQ(json::value(st), json::parse(c.want)) << c.min_ready << ": " << json::serialize(st);
  }
}

TEST(StatusTest, NoPodsStillReportsReplicas) {
  json::value owner =
      Owner(0, 0, json::parse(R"({"replicas":2,"readyReplicas":1,"observedGeneration":3})"));
  json::object st = CalculateStatus(owner, {}, absl::OkStatus(), kNow);
  EXPECT_EQ(json::value(st), json::parse(R"({"replicas":0,"observedGeneration":4})"));
}

TEST(StatusTest, ReplicaFailureComesAndGoes) {
  absl::Status quota = absl::PermissionDeniedError("pods \"web-x\" is forbidden: exceeded quota");
  json::object failing = CalculateStatus(Owner(3, 0), {}, quota, kNow);
  EXPECT_EQ(json::value(failing["conditions"]),
            json::parse(R"([{"type":"ReplicaFailure","status":"True",)"
                        R"("lastTransitionTime":"2027-01-15T08:00:00Z","reason":"FailedCreate",)"
                        R"("message":"pods \"web-x\" is forbidden: exceeded quota"}])"));

  // Still failing later: the condition (and its transition time) stays as it was.
  json::object again = CalculateStatus(Owner(3, 0, failing), {}, absl::UnknownError("other"),
                                       kNow + absl::Minutes(1));
  EXPECT_EQ(again["conditions"], failing["conditions"]);
  EXPECT_FALSE(StatusChanged(Owner(3, 0, failing), again));

  // Too many pods and a failing delete: FailedDelete.
  std::vector<client::ObjPtr> pods = FourPods();
  json::object del = CalculateStatus(Owner(1, 0), pods, absl::UnknownError("boom"), kNow);
  EXPECT_EQ(del["conditions"].as_array()[0].as_object().at("reason").as_string(), "FailedDelete");

  // A clean sync removes it, keeping other conditions.
  json::object mixed = failing;
  mixed["conditions"].as_array().push_back(json::object{{"type", "Other"}, {"status", "True"}});
  json::object ok = CalculateStatus(Owner(3, 0, mixed), {}, absl::OkStatus(), kNow);
  EXPECT_EQ(json::value(ok["conditions"]), json::parse(R"([{"type":"Other","status":"True"}])"));
  json::object clean = CalculateStatus(Owner(3, 0, failing), {}, absl::OkStatus(), kNow);
  EXPECT_FALSE(clean.contains("conditions"));
}

TEST(StatusTest, ChangedOnlyWhenDifferent) {
  json::object st = CalculateStatus(Owner(4, 0), FourPods(), absl::OkStatus(), kNow);
  EXPECT_TRUE(StatusChanged(Owner(4, 0), st));  // no status yet
  EXPECT_FALSE(StatusChanged(Owner(4, 0, st), st));
  json::object stale = st;
  stale["observedGeneration"] = 3;
  EXPECT_TRUE(StatusChanged(Owner(4, 0, stale), st));
}

TEST(StatusTest, NextAvailableIn) {
  std::vector<client::ObjPtr> pods = FourPods();  // ready 60s, 3s, 60s ago; one not ready
  EXPECT_EQ(NextAvailableIn(pods, 0, kNow), std::nullopt);
  EXPECT_EQ(NextAvailableIn(pods, 10, kNow), absl::Seconds(7));
  EXPECT_EQ(NextAvailableIn(pods, 100, kNow), absl::Seconds(40));
  EXPECT_EQ(NextAvailableIn(pods, 2, kNow), std::nullopt);  // all ready pods are available
}

}  // namespace
}  // namespace skiff::controllers::replicaset
