#include "skiff/controllers/daemonset/node_eligibility.h"

#include <gtest/gtest.h>

namespace skiff::controllers::daemonset {
namespace {

namespace json = boost::json;

json::value DaemonSet(std::string_view template_spec) {
  return json::value{
      {"spec",
       {{"template",
         {{"metadata", {{"labels", {{"app", "d"}}}}}, {"spec", json::parse(template_spec)}}}}}};
}

json::value Node(std::string_view name, std::string_view labels, std::string_view taints) {
  return json::value{{"metadata", {{"name", name}, {"labels", json::parse(labels)}}},
                     {"spec", {{"taints", json::parse(taints)}}}};
}

TEST(NodeEligibilityTest, Table) {
  const char* kControlPlane =
      R"([{"key":"node-role.kubernetes.io/control-plane","effect":"NoSchedule"}])";
  struct Case {
    const char* name;
    const char* template_spec;
    const char* labels;
    const char* taints;
    NodeFit want;
  };
  const Case cases[] = {
      {"plain node", R"({})", R"({})", R"([])", {true, true}},
      {"control-plane taint without a toleration", R"({})", R"({})", kControlPlane, {false, true}},
      {"control-plane taint tolerated by key",
       R"({"tolerations":[{"key":"node-role.kubernetes.io/control-plane","operator":"Exists",
                           "effect":"NoSchedule"}]})",
       R"({})",
       kControlPlane,
       {true, true}},
      {"operator Exists with no key tolerates every taint",
       R"({"tolerations":[{"operator":"Exists"}]})",
       R"({})",
       R"([{"key":"a","value":"b","effect":"NoExecute"},{"key":"c","effect":"NoSchedule"}])",
       {true, true}},
      {"Equal needs the value",
       R"({"tolerations":[{"key":"dedicated","operator":"Equal","value":"gpu"}]})",
       R"({})",
       R"([{"key":"dedicated","value":"db","effect":"NoSchedule"}])",
       {false, true}},
      {"Equal with the value, empty effect matches NoExecute",
       R"({"tolerations":[{"key":"dedicated","value":"gpu"}]})",
       R"({})",
       R"([{"key":"dedicated","value":"gpu","effect":"NoExecute"}])",
       {true, true}},
      {"untolerated NoExecute evicts",
       R"({})",
       R"({})",
       R"([{"key":"dedicated","effect":"NoExecute"}])",
       {false, false}},
      {"toleration of the wrong effect",
       R"({"tolerations":[{"key":"dedicated","operator":"Exists","effect":"NoSchedule"}]})",
       R"({})",
       R"([{"key":"dedicated","effect":"NoExecute"}])",
       {false, false}},
      {"PreferNoSchedule is ignored",
       R"({})",
       R"({})",
       R"([{"key":"soft","effect":"PreferNoSchedule"}])",
       {true, true}},
      {"cordoned node: unschedulable is tolerated by default",
       R"({})",
       R"({})",
       R"([{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule"}])",
       {true, true}},
      {"not-ready NoExecute is tolerated by default",
       R"({})",
       R"({})",
       R"([{"key":"node.kubernetes.io/not-ready","effect":"NoExecute"},
           {"key":"node.kubernetes.io/unreachable","effect":"NoExecute"}])",
       {true, true}},
      {"not-ready NoSchedule is not",
       R"({})",
       R"({})",
       R"([{"key":"node.kubernetes.io/not-ready","effect":"NoSchedule"}])",
       {false, true}},
      {"network-unavailable without host network",
       R"({})",
       R"({})",
       R"([{"key":"node.kubernetes.io/network-unavailable","effect":"NoSchedule"}])",
       {false, true}},
      {"network-unavailable with host network",
       R"({"hostNetwork":true})",
       R"({})",
       R"([{"key":"node.kubernetes.io/network-unavailable","effect":"NoSchedule"}])",
       {true, true}},
      {"nodeSelector matches",
       R"({"nodeSelector":{"role":"edge"}})",
       R"({"role":"edge"})",
       R"([])",
       {true, true}},
      {"nodeSelector does not match",
       R"({"nodeSelector":{"role":"edge"}})",
       R"({"role":"core"})",
       R"([])",
       {false, false}},
      {"nodeSelector mismatch beats taints",
       R"({"nodeSelector":{"role":"edge"},"tolerations":[{"operator":"Exists"}]})",
       R"({})",
       kControlPlane,
       {false, false}},
      {"required affinity matches",
       R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
           {"nodeSelectorTerms":[{"matchExpressions":[
             {"key":"zone","operator":"In","values":["a","b"]}]}]}}}})",
       R"({"zone":"b"})",
       R"([])",
       {true, true}},
      {"required affinity does not match",
       R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
           {"nodeSelectorTerms":[{"matchExpressions":[
             {"key":"zone","operator":"NotIn","values":["a"]}]}]}}}})",
       R"({"zone":"a"})",
       R"([])",
       {false, false}},
      {"template nodeName of another node",
       R"({"nodeName":"other"})",
       R"({})",
       R"([])",
       {false, false}},
      {"template nodeName of this node", R"({"nodeName":"n1"})", R"({})", R"([])", {true, true}},
  };
  for (const Case& c : cases) {
    DaemonPlacement p = DaemonPlacement::FromDaemonSet(DaemonSet(c.template_spec));
    NodeFit got = p.Evaluate(Node("n1", c.labels, c.taints));
    EXPECT_EQ(got.should_run, c.want.should_run) << c.name;
    EXPECT_EQ(got.should_continue_running, c.want.should_continue_running) << c.name;
  }
}

TEST(NodeEligibilityTest, TolerationsIncludeTheDefaults) {
  DaemonPlacement p = DaemonPlacement::FromDaemonSet(
      DaemonSet(R"({"tolerations":[{"key":"x","operator":"Exists"}]})"));
  ASSERT_EQ(p.tolerations().size(), 7u);
  EXPECT_EQ(p.tolerations()[0].key, "x");
  EXPECT_EQ(p.tolerations()[1].key, "node.kubernetes.io/not-ready");
  EXPECT_EQ(p.tolerations()[6].key, "node.kubernetes.io/unschedulable");
}

}  // namespace
}  // namespace skiff::controllers::daemonset
