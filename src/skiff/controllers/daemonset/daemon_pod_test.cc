#include "skiff/controllers/daemonset/daemon_pod.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"

namespace skiff::controllers::daemonset {
namespace {

namespace json = boost::json;

client::ObjPtr Obj(std::string_view text) {
  return std::make_shared<const json::value>(json::parse(text));
}

std::string Tolerations(const json::object& spec) {
  return json::serialize(spec.at("tolerations"));
}

TEST(DaemonPodTest, DefaultTolerations) {
  json::object spec;
  AddOrUpdateDaemonPodTolerations(spec);
  EXPECT_EQ(
      Tolerations(spec),
      R"([{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute"},)"
      R"({"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute"},)"
      R"({"key":"node.kubernetes.io/disk-pressure","operator":"Exists","effect":"NoSchedule"},)"
      R"({"key":"node.kubernetes.io/memory-pressure","operator":"Exists","effect":"NoSchedule"},)"
      R"({"key":"node.kubernetes.io/pid-pressure","operator":"Exists","effect":"NoSchedule"},)"
      R"({"key":"node.kubernetes.io/unschedulable","operator":"Exists","effect":"NoSchedule"}])");
}

TEST(DaemonPodTest, HostNetworkAlsoToleratesNetworkUnavailable) {
  json::object spec{{"hostNetwork", true}};
  AddOrUpdateDaemonPodTolerations(spec);
  const json::array& tols = spec.at("tolerations").as_array();
  ASSERT_EQ(tols.size(), 7u);
  EXPECT_EQ(
      json::serialize(tols.back()),
      R"({"key":"node.kubernetes.io/network-unavailable","operator":"Exists","effect":"NoSchedule"})");
}

TEST(DaemonPodTest, TemplateTolerationsStayFirstAndSameOnesAreReplaced) {
  json::object spec = json::parse(R"({"tolerations":[
      {"key":"node-role.kubernetes.io/control-plane","operator":"Exists","effect":"NoSchedule"},
      {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute",
       "tolerationSeconds":300},
      {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoSchedule"}]})")
                          .as_object();
  AddOrUpdateDaemonPodTolerations(spec);
  const json::array& tols = spec.at("tolerations").as_array();
  ASSERT_EQ(tols.size(), 8u);
  EXPECT_EQ(
      json::serialize(tols[0]),
      R"({"key":"node-role.kubernetes.io/control-plane","operator":"Exists","effect":"NoSchedule"})");
  // Same key, operator and effect: replaced in place, losing tolerationSeconds (never evicted).
  EXPECT_EQ(json::serialize(tols[1]),
            R"({"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute"})");
  // Another effect is another toleration: kept, and the NoExecute one appended.
  EXPECT_EQ(
      json::serialize(tols[2]),
      R"({"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoSchedule"})");
  EXPECT_EQ(json::serialize(tols[3]),
            R"({"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute"})");
  // Applying twice changes nothing.
  json::object again = spec;
  AddOrUpdateDaemonPodTolerations(again);
  EXPECT_EQ(again, spec);
}

TEST(DaemonPodTest, PodTemplateGetsLabels) {
  json::value tmpl = json::parse(
      R"({"metadata":{"labels":{"app":"counter"}},"spec":{"containers":[{"name":"c","image":"i"}]}})");
  json::object out = DaemonPodTemplate(tmpl, 3, "6d4b9c7f8");
  EXPECT_EQ(
      json::serialize(out.at("metadata")),
      R"({"labels":{"app":"counter","pod-template-generation":"3","controller-revision-hash":"6d4b9c7f8"}})");
  EXPECT_EQ(out.at("spec").at("tolerations").as_array().size(), 6u);
  // Unknown generation and hash add no labels.
  json::object bare = DaemonPodTemplate(tmpl, std::nullopt, "");
  EXPECT_EQ(json::serialize(bare.at("metadata")), R"({"labels":{"app":"counter"}})");
}

TEST(DaemonPodTest, PinToNodeReplacesRequiredTermsOnly) {
  json::object spec = json::parse(R"({"affinity":{
      "nodeAffinity":{
        "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
          {"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]},
        "preferredDuringSchedulingIgnoredDuringExecution":[
          {"weight":1,"preference":{"matchExpressions":[{"key":"ssd","operator":"Exists"}]}}]},
      "podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[]}}})")
                          .as_object();
  PinToNode(spec, "node-7");
  EXPECT_EQ(
      json::serialize(spec.at("affinity")),
      R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[)"
      R"({"matchFields":[{"key":"metadata.name","operator":"In","values":["node-7"]}]}]},)"
      R"("preferredDuringSchedulingIgnoredDuringExecution":[{"weight":1,"preference":)"
      R"({"matchExpressions":[{"key":"ssd","operator":"Exists"}]}}]},)"
      R"("podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[]}})");
  json::object empty;
  PinToNode(empty, "n1");
  EXPECT_EQ(json::serialize(empty),
            R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":)"
            R"({"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In",)"
            R"("values":["n1"]}]}]}}}})");
}

TEST(DaemonPodTest, TargetNodeName) {
  struct Case {
    const char* name;
    const char* pod;
    std::optional<std::string> want;
  };
  const Case cases[] = {
      {"bound", R"({"spec":{"nodeName":"n1"}})", "n1"},
      {"pinned",
       R"({"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
           {"nodeSelectorTerms":[{"matchFields":[
             {"key":"metadata.name","operator":"In","values":["n2"]}]}]}}}}})",
       "n2"},
      {"nodeName wins",
       R"({"spec":{"nodeName":"n1","affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
           {"nodeSelectorTerms":[{"matchFields":[
             {"key":"metadata.name","operator":"In","values":["n2"]}]}]}}}}})",
       "n1"},
      {"two values",
       R"({"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
           {"nodeSelectorTerms":[{"matchFields":[
             {"key":"metadata.name","operator":"In","values":["n1","n2"]}]}]}}}}})",
       std::nullopt},
      {"label terms only",
       R"({"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
           {"nodeSelectorTerms":[{"matchExpressions":[
             {"key":"kubernetes.io/hostname","operator":"In","values":["n1"]}]}]}}}}})",
       std::nullopt},
      {"nothing", R"({"spec":{}})", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(TargetNodeName(json::parse(c.pod)), c.want) << c.name;
  }
}

TEST(DaemonPodTest, IsPodUpdated) {
  struct Case {
    const char* labels;
    const char* hash;
    std::optional<int64_t> generation;
    bool want;
  };
  const Case cases[] = {
      {R"({"controller-revision-hash":"abc"})", "abc", std::nullopt, true},
      {R"({"controller-revision-hash":"abc"})", "xyz", std::nullopt, false},
      {R"({"controller-revision-hash":"abc","pod-template-generation":"2"})", "xyz", 2, true},
      {R"({"pod-template-generation":"2"})", "xyz", 3, false},
      {R"({})", "", std::nullopt, false},
      {R"({"controller-revision-hash":""})", "", std::nullopt, false},
  };
  for (const Case& c : cases) {
    json::value pod{{"metadata", {{"labels", json::parse(c.labels)}}}};
    EXPECT_EQ(IsPodUpdated(pod, c.hash, c.generation), c.want) << c.labels << " " << c.hash;
  }
}

TEST(DaemonPodTest, TemplateGenerationAnnotation) {
  EXPECT_EQ(
      TemplateGeneration(json::parse(
          R"({"metadata":{"annotations":{"deprecated.daemonset.template.generation":"4"}}})")),
      4);
  EXPECT_EQ(
      TemplateGeneration(json::parse(
          R"({"metadata":{"annotations":{"deprecated.daemonset.template.generation":"x"}}})")),
      std::nullopt);
  EXPECT_EQ(TemplateGeneration(json::parse(R"({"metadata":{}})")), std::nullopt);
}

TEST(DaemonPodTest, SortOldestFirstPutsScheduledPodsFirst) {
  std::vector<client::ObjPtr> pods = {
      Obj(R"({"metadata":{"name":"d","creationTimestamp":"2026-01-01T00:00:01Z"},"spec":{}})"),
      Obj(R"({"metadata":{"name":"c","creationTimestamp":"2026-01-01T00:00:05Z"},"spec":{"nodeName":"n"}})"),
      Obj(R"({"metadata":{"name":"b","creationTimestamp":"2026-01-01T00:00:02Z"},"spec":{"nodeName":"n"}})"),
      Obj(R"({"metadata":{"name":"a","creationTimestamp":"2026-01-01T00:00:02Z"},"spec":{"nodeName":"n"}})"),
  };
  SortOldestFirst(pods);
  std::vector<std::string> names;
  for (const auto& p : pods) names.emplace_back(api::GetString(*p, {"metadata", "name"}));
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d"}));
}

}  // namespace
}  // namespace skiff::controllers::daemonset
