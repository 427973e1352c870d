#include "skiff/scheduler/types.h"

#include <gtest/gtest.h>

#include "skiff/scheduler/testing.h"

namespace skiff::scheduler {
namespace {

using testing::NodeBuilder;
using testing::PodBuilder;

TEST(PodInfoTest, RequestsTable) {
  struct Case {
    const char* name;
    const char* spec;  // JSON spec fields merged over one container without requests
    int64_t cpu, mem, nz_cpu, nz_mem;
  };
  constexpr int64_t G = 1000 * 1000 * 1000;
  constexpr int64_t Mi = 1024 * 1024;
  const Case cases[] = {
      {"no requests", R"({"containers":[{"name":"a"}]})", 0, 0, 100, 200 * Mi},
      {"containers add up",
       R"({"containers":[{"name":"a","resources":{"requests":{"cpu":"100m","memory":"1Gi"}}},
                         {"name":"b","resources":{"requests":{"cpu":"200m"}}}]})",
       300, 1024 * Mi, 300, 1024 * Mi + 200 * Mi},
      {"init containers take the max (kube-scheduler's doc example)",
       R"({"initContainers":[{"name":"i1","resources":{"requests":{"cpu":"2","memory":"1G"}}},
                             {"name":"i2","resources":{"requests":{"cpu":"2","memory":"3G"}}}],
           "containers":[{"name":"c1","resources":{"requests":{"cpu":"2","memory":"1G"}}},
                         {"name":"c2","resources":{"requests":{"cpu":"1","memory":"1G"}}}]})",
       3000, 3 * G, 3000, 3 * G},
      {"sidecars add to containers and to later init containers",
       R"({"initContainers":[
             {"name":"s","restartPolicy":"Always","resources":{"requests":{"cpu":"1"}}},
             {"name":"i","resources":{"requests":{"cpu":"2"}}}],
           "containers":[{"name":"c","resources":{"requests":{"cpu":"1"}}}]})",
       3000, 0, 3000, 400 * Mi},
      {"overhead is added",
       R"({"containers":[{"name":"a","resources":{"requests":{"cpu":"1"}}}],
           "overhead":{"cpu":"250m","memory":"120Mi"}})",
       1250, 120 * Mi, 1250, 320 * Mi},
      {"numbers and extended resources",
       R"({"containers":[{"name":"a","resources":{"requests":{"cpu":2,"example.com/gpu":"1"}}}]})",
       2000, 0, 2000, 200 * Mi},
  };
  for (const Case& c : cases) {
    PodBuilder b("p");
    json::value spec = json::parse(c.spec);
    for (const auto& [k, v] : spec.as_object()) b.Set({"spec", k}, v);
    PodInfoPtr p = b.Info();
    EXPECT_EQ(p->requests.milli_cpu, c.cpu) << c.name;
    EXPECT_EQ(p->requests.memory, c.mem) << c.name;
    EXPECT_EQ(p->non_zero_milli_cpu, c.nz_cpu) << c.name;
    EXPECT_EQ(p->non_zero_memory, c.nz_mem) << c.name;
  }
  PodBuilder gpu("g");
  gpu.Set({"spec", "containers"},
          json::parse(R"([{"name":"a","resources":{"requests":{"example.com/gpu":"2"}}}])"));
  EXPECT_EQ(gpu.Info()->requests.Scalar("example.com/gpu"), 2);
}

TEST(PodInfoTest, ParsesSchedulingFields) {
  PodInfoPtr p =
      PodBuilder("web", "shop")
          .Label("app", "web")
          .Priority(7)
          .HostPort(8080)
          .HostPort(53, "UDP", "10.0.0.1")
          .Spec("tolerations", R"([{"key":"k","operator":"Exists"}])")
          .Spec("nodeSelector", R"({"disk":"ssd"})")
          .Spec("preemptionPolicy", R"("Never")")
          .Spec("volumes", R"([{"name":"d","persistentVolumeClaim":{"claimName":"data"}}])")
          .Spec("affinity", R"({"podAntiAffinity":{
                         "requiredDuringSchedulingIgnoredDuringExecution":[
                           {"labelSelector":{"matchLabels":{"app":"web"}},
                            "topologyKey":"kubernetes.io/hostname"}],
                         "preferredDuringSchedulingIgnoredDuringExecution":[
                           {"weight":5,"podAffinityTerm":{"labelSelector":{},
                            "namespaces":["a","b"],"topologyKey":"zone"}}]}})")
          .Spec("topologySpreadConstraints", R"([{"maxSkew":2,"topologyKey":"zone",
                         "whenUnsatisfiable":"ScheduleAnyway","labelSelector":{},
                         "matchLabelKeys":["app"],"nodeTaintsPolicy":"Honor"}])")
          .Info();
  EXPECT_EQ(p->Key(), "shop/web");
  EXPECT_EQ(p->uid, "uid-shop-web");
  EXPECT_EQ(p->priority, 7);
  EXPECT_TRUE(p->preempt_never);
  EXPECT_EQ(p->scheduler_name, "default-scheduler");
  ASSERT_EQ(p->host_ports.size(), 2u);
  EXPECT_EQ(p->host_ports[0], (HostPort{"TCP", "0.0.0.0", 8080}));
  EXPECT_EQ(p->host_ports[1], (HostPort{"UDP", "10.0.0.1", 53}));
  ASSERT_EQ(p->tolerations.size(), 1u);
  EXPECT_FALSE(p->required_node_affinity.Empty());
  EXPECT_EQ(p->pvc_names, std::vector<std::string>{"data"});
  ASSERT_EQ(p->required_anti_affinity.size(), 1u);
  EXPECT_EQ(p->required_anti_affinity[0].namespaces, std::vector<std::string>{"shop"});
  EXPECT_EQ(p->required_anti_affinity[0].topology_key, "kubernetes.io/hostname");
  ASSERT_EQ(p->preferred_anti_affinity.size(), 1u);
  EXPECT_EQ(p->preferred_anti_affinity[0].weight, 5);
  EXPECT_EQ(p->preferred_anti_affinity[0].namespaces, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(p->HasAffinity());
  EXPECT_TRUE(p->HasRequiredAntiAffinity());
  ASSERT_EQ(p->spread_constraints.size(), 1u);
  const SpreadConstraint& c = p->spread_constraints[0];
  EXPECT_EQ(c.max_skew, 2);
  EXPECT_FALSE(c.do_not_schedule);
  EXPECT_TRUE(c.honor_node_affinity);
  EXPECT_TRUE(c.honor_node_taints);
  EXPECT_EQ(c.selector.String(), "app in (web)");  // matchLabelKeys merged in
}

TEST(PodInfoTest, AffinityTermMatchesNamespacesAndSelector) {
  PodInfoPtr p = PodBuilder("a", "ns1").Label("app", "x").Info();
  AffinityTerm t;
  t.selector = *api::LabelSelector::Parse("app=x");
  t.namespaces = {"ns1"};
  EXPECT_TRUE(t.Matches(*p, nullptr));
  t.namespaces = {"ns2"};
  EXPECT_FALSE(t.Matches(*p, nullptr));
  t.namespace_selector = api::LabelSelector::Everything();
  EXPECT_TRUE(t.Matches(*p, nullptr));
  t.namespace_selector = *api::LabelSelector::Parse("team=blue");
  json::object blue{{"team", "blue"}};
  EXPECT_TRUE(t.Matches(*p, &blue));
  EXPECT_FALSE(t.Matches(*p, nullptr));
}

TEST(HostPortTest, ConflictTable) {
  struct Case {
    HostPort a, b;
    bool want;
  };
  const Case cases[] = {
      {{"TCP", "0.0.0.0", 80}, {"TCP", "0.0.0.0", 80}, true},
      {{"TCP", "0.0.0.0", 80}, {"TCP", "10.0.0.1", 80}, true},
      {{"TCP", "10.0.0.2", 80}, {"TCP", "0.0.0.0", 80}, true},
      {{"TCP", "10.0.0.1", 80}, {"TCP", "10.0.0.2", 80}, false},
      {{"TCP", "10.0.0.1", 80}, {"TCP", "10.0.0.1", 80}, true},
      {{"TCP", "0.0.0.0", 80}, {"UDP", "0.0.0.0", 80}, false},
      {{"TCP", "0.0.0.0", 80}, {"TCP", "0.0.0.0", 81}, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(HostPortsConflict(c.a, c.b), c.want)
        << c.a.protocol << c.a.ip << c.a.port << " vs " << c.b.protocol << c.b.ip << c.b.port;
  }
}

TEST(NodeInfoTest, AddAndRemovePodsKeepSums) {
  auto info = testing::MakeNodeInfo(NodeBuilder("n1", "2", "4Gi", "10"));
  EXPECT_EQ(info->node->allocatable.milli_cpu, 2000);
  EXPECT_EQ(info->node->allocatable.memory, 4LL << 30);
  EXPECT_EQ(info->node->allocatable.allowed_pods, 10);
  PodInfoPtr a = PodBuilder("a").Req("500m", "1Gi").HostPort(80).Node("n1").Info();
  PodInfoPtr b = PodBuilder("b").Req("", "").Node("n1").Info();
  info->AddPod(a);
  info->AddPod(b);
  EXPECT_EQ(info->requested.milli_cpu, 500);
  EXPECT_EQ(info->non_zero_milli_cpu, 600);
  EXPECT_EQ(info->non_zero_memory, (1LL << 30) + 200 * 1024 * 1024);
  EXPECT_TRUE(info->PortConflicts({"TCP", "0.0.0.0", 80}));
  EXPECT_TRUE(info->RemovePod(a->uid));
  EXPECT_FALSE(info->RemovePod(a->uid));
  EXPECT_EQ(info->requested.milli_cpu, 0);
  EXPECT_EQ(info->non_zero_milli_cpu, 100);
  EXPECT_FALSE(info->PortConflicts({"TCP", "0.0.0.0", 80}));
  EXPECT_EQ(info->pods.size(), 1u);
}

TEST(NodeSpecTest, ParsesNode) {
  NodeSpecPtr n = NodeBuilder("n1")
                      .Label("zone", "a")
                      .Taint("dedicated", "gpu", "NoSchedule")
                      .Unschedulable()
                      .Allocatable("example.com/gpu", "4")
                      .Spec();
  EXPECT_EQ(n->name, "n1");
  ASSERT_NE(n->Label("zone"), nullptr);
  EXPECT_EQ(std::string_view(*n->Label("zone")), "a");
  EXPECT_EQ(n->Label("missing"), nullptr);
  ASSERT_EQ(n->taints.size(), 1u);
  EXPECT_EQ(n->taints[0].ToString(), "dedicated=gpu:NoSchedule");
  EXPECT_TRUE(n->unschedulable);
  EXPECT_EQ(n->allocatable.Scalar("example.com/gpu"), 4);
}

}  // namespace
}  // namespace skiff::scheduler
