#include "skiff/agent/kubelet/env.h"

#include <gtest/gtest.h>

namespace skiff::agent::kubelet {
namespace {

namespace json = boost::json;

TEST(ExpandTest, Table) {
  EnvList env = {{"A", "x"}, {"B", "y z"}};
  struct Case {
    std::string in, want;
  } cases[] = {
      {"$(A)", "x"},    {"pre-$(A)-$(B)", "pre-x-y z"},
      {"$(C)", "$(C)"}, {"$$(A)", "$(A)"},
      {"$$", "$"},      {"a$b", "a$b"},
      {"$(A", "$(A"},   {"end$", "end$"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(Expand(c.in, env), c.want) << c.in;
}

json::value TestPod() {
  return json::parse(R"({
    "metadata":{"name":"p","namespace":"ns","uid":"u-1","labels":{"app":"web"},
                "annotations":{"a/b":"c"}},
    "spec":{"nodeName":"n1","serviceAccountName":"sa",
            "containers":[{"name":"c","image":"busybox",
              "resources":{"limits":{"cpu":"500m","memory":"64Mi"},
                           "requests":{"cpu":"250m","memory":"32Mi"}}},
                          {"name":"other","image":"busybox"}]},
    "status":{"podIP":"10.0.0.5","hostIP":"192.168.1.2"}})");
}

TEST(PodFieldValueTest, Table) {
  json::value pod = TestPod();
  struct Case {
    std::string path, want;
  } cases[] = {
      {"metadata.name", "p"},
      {"metadata.namespace", "ns"},
      {"metadata.uid", "u-1"},
      {"metadata.labels['app']", "web"},
      {"metadata.annotations['a/b']", "c"},
      {"metadata.labels['missing']", ""},
      {"spec.nodeName", "n1"},
      {"spec.serviceAccountName", "sa"},
      {"status.podIP", "10.0.0.5"},
      {"status.podIPs", "10.0.0.5"},
      {"status.hostIP", "192.168.1.2"},
  };
  for (const auto& c : cases) {
    auto v = PodFieldValue(pod, c.path);
    ASSERT_TRUE(v.ok()) << c.path;
    EXPECT_EQ(*v, c.want) << c.path;
  }
  EXPECT_FALSE(PodFieldValue(pod, "spec.bogus").ok());
}

TEST(ResourceFieldValueTest, Table) {
  json::value pod = TestPod();
  const json::value& c = pod.at("spec").at("containers").as_array()[0];
  const json::value& bare = pod.at("spec").at("containers").as_array()[1];
  NodeAllocatable node{4000, 8LL << 30, 0};
  struct Case {
    const json::value* container;
    std::string resource;
    std::optional<std::string> divisor;
    std::string want;
  } cases[] = {
      {&c, "limits.cpu", std::nullopt, "1"},  // 500m rounds up to 1 core
      {&c, "limits.cpu", "1m", "500"},
      {&c, "requests.cpu", "1m", "250"},
      {&c, "limits.memory", std::nullopt, "67108864"},
      {&c, "limits.memory", "1Mi", "64"},
      {&c, "requests.memory", "1Mi", "32"},
      {&bare, "limits.cpu", std::nullopt, "4"},  // node allocatable
      {&bare, "limits.memory", "1Gi", "8"},
      {&bare, "requests.cpu", std::nullopt, "0"},
  };
  for (const auto& k : cases) {
    json::value div = k.divisor ? json::value(*k.divisor) : json::value(nullptr);
    auto v = ResourceFieldValue(*k.container, k.resource, &div, node);
    ASSERT_TRUE(v.ok()) << k.resource;
    EXPECT_EQ(*v, k.want) << k.resource << " / " << k.divisor.value_or("1");
  }
  EXPECT_FALSE(ResourceFieldValue(c, "limits.gpu", nullptr, node).ok());
}

ObjectLookup Objects() {
  return [](std::string_view resource, std::string_view ns,
            std::string_view name) -> absl::StatusOr<json::value> {
    if (ns == "ns" && resource == "configmaps" && name == "cm") {
      return json::parse(R"({"data":{"color":"blue","size":"L","bad key":"x"}})");
    }
    if (ns == "ns" && resource == "secrets" && name == "s") {
      return json::parse(R"({"data":{"password":"aHVudGVyMg=="}})");  // hunter2
    }
    return absl::NotFoundError("not found");
  };
}

TEST(ResolveEnvTest, AllSources) {
  json::value pod = TestPod();
  json::value container = json::parse(R"js({"name":"c",
    "envFrom":[{"configMapRef":{"name":"cm"}},{"prefix":"S_","secretRef":{"name":"s"}},
               {"configMapRef":{"name":"absent","optional":true}}],
    "env":[{"name":"A","value":"a"},
           {"name":"B","value":"$(A)-$(color)-$(NOPE)"},
           {"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},
           {"name":"IP","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}},
           {"name":"PW","valueFrom":{"secretKeyRef":{"name":"s","key":"password"}}},
           {"name":"SZ","valueFrom":{"configMapKeyRef":{"name":"cm","key":"size"}}},
           {"name":"OPT","valueFrom":{"configMapKeyRef":{"name":"cm","key":"no","optional":true}}},
           {"name":"color","value":"red"}]})js");
  auto env = ResolveEnv(pod, container, Objects(), NodeAllocatable{});
  ASSERT_TRUE(env.ok()) << env.status();
  EnvList want = {{"color", "red"},   {"size", "L"},           {"S_password", "hunter2"},
                  {"A", "a"},         {"B", "a-blue-$(NOPE)"}, {"POD", "p"},
                  {"IP", "10.0.0.5"}, {"PW", "hunter2"},       {"SZ", "L"}};
  EXPECT_EQ(*env, want);
}

TEST(ResolveEnvTest, MissingSourcesAreErrors) {
  json::value pod = TestPod();
  struct Case {
    std::string container, message;
  } cases[] = {
      {R"({"env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"gone","key":"k"}}}]})",
       "configmap \"gone\" not found"},
      {R"({"env":[{"name":"X","valueFrom":{"secretKeyRef":{"name":"gone","key":"k"}}}]})",
       "secret \"gone\" not found"},
      {R"({"env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"cm","key":"k"}}}]})",
       "couldn't find key k in ConfigMap ns/cm"},
      {R"({"envFrom":[{"secretRef":{"name":"gone"}}]})", "secret \"gone\" not found"},
  };
  for (const auto& c : cases) {
    auto env = ResolveEnv(pod, json::parse(c.container), Objects(), NodeAllocatable{});
    ASSERT_FALSE(env.ok()) << c.container;
    EXPECT_EQ(std::string(env.status().message()), c.message);
  }
}

}  // namespace
}  // namespace skiff::agent::kubelet
