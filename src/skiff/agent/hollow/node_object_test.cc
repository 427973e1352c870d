#include "skiff/agent/hollow/node_object.h"

#include <gtest/gtest.h>

#include "skiff/agent/runtime/hollow/hollow_runtime.h"

namespace skiff::agent::hollow {
namespace {

namespace json = boost::json;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

TEST(NodeObjectTest, Addresses) {
  EXPECT_EQ(NodeIp(0), "10.255.0.2");
  EXPECT_EQ(NodeIp(258), "10.255.1.10");
  EXPECT_EQ(NodeIp(kMaxSlots - 1), "10.255.255.251");
  EXPECT_EQ(PodSubnet(258), "10.1.2");
  EXPECT_EQ(PodSubnet(kMaxSlots - 1), "10.249.255");
}

TEST(NodeObjectTest, BuildNodeExactFields) {
  HollowNodeSpec spec;
  spec.name = "hollow-1";
  spec.slot = 258;
  spec.labels = {{"tier", "edge"}, {"node.kubernetes.io/instance-type", "big"}};
  spec.taints = {json::object{{"key", "dedicated"}, {"value", "x"}, {"effect", "NoSchedule"}}};
  spec.boot_id = "b0";
  spec.kernel_version = "6.1.0";
  json::value node = BuildNode(spec, kT0);
  std::string machine = runtime::HollowDigest("machine/hollow-1").substr(0, 32);
  std::string uuid = HollowUuid("uuid/hollow-1");
  json::value want = json::parse(R"({
    "apiVersion":"v1","kind":"Node",
    "metadata":{"name":"hollow-1",
      "labels":{"beta.kubernetes.io/arch":"amd64","beta.kubernetes.io/os":"linux",
                "kubernetes.io/arch":"amd64","kubernetes.io/hostname":"hollow-1",
                "kubernetes.io/os":"linux","node.kubernetes.io/instance-type":"big",
                "tier":"edge"},
      "annotations":{"node.alpha.kubernetes.io/ttl":"0",
                     "volumes.kubernetes.io/controller-managed-attach-detach":"true"}},
    "spec":{"podCIDR":"10.1.2.0/24","podCIDRs":["10.1.2.0/24"],"providerID":"hollow://hollow-1",
            "taints":[{"key":"dedicated","value":"x","effect":"NoSchedule"}]},
    "status":{
      "capacity":{"cpu":"32","ephemeral-storage":"1Ti","hugepages-1Gi":"0","hugepages-2Mi":"0",
                  "memory":"256Gi","pods":"110"},
      "allocatable":{"cpu":"32","ephemeral-storage":"1Ti","hugepages-1Gi":"0",
                     "hugepages-2Mi":"0","memory":"256Gi","pods":"110"},
      "conditions":[
        {"type":"MemoryPressure","status":"False","lastHeartbeatTime":"2026-01-01T00:00:00Z",
         "lastTransitionTime":"2026-01-01T00:00:00Z","reason":"KubeletHasSufficientMemory",
         "message":"kubelet has sufficient memory available"},
        {"type":"DiskPressure","status":"False","lastHeartbeatTime":"2026-01-01T00:00:00Z",
         "lastTransitionTime":"2026-01-01T00:00:00Z","reason":"KubeletHasNoDiskPressure",
         "message":"kubelet has no disk pressure"},
        {"type":"PIDPressure","status":"False","lastHeartbeatTime":"2026-01-01T00:00:00Z",
         "lastTransitionTime":"2026-01-01T00:00:00Z","reason":"KubeletHasSufficientPID",
         "message":"kubelet has sufficient PID available"},
        {"type":"Ready","status":"True","lastHeartbeatTime":"2026-01-01T00:00:00Z",
         "lastTransitionTime":"2026-01-01T00:00:00Z","reason":"KubeletReady",
         "message":"kubelet is posting ready status"}],
      "addresses":[{"type":"InternalIP","address":"10.255.1.10"},
                   {"type":"Hostname","address":"hollow-1"}],
      "daemonEndpoints":{"kubeletEndpoint":{"Port":10250}},
      "nodeInfo":{"architecture":"amd64","bootID":"b0","containerRuntimeVersion":"hollow://1.0",
                  "kernelVersion":"6.1.0","kubeProxyVersion":"v1.32.0-skiff",
                  "kubeletVersion":"v1.32.0-skiff","machineID":"MACHINE",
                  "operatingSystem":"linux","osImage":"Skiff hollow node",
                  "systemUUID":"UUID"}}})");
  auto& info = want.at("status").at("nodeInfo").as_object();
  info["machineID"] = machine;
  info["systemUUID"] = uuid;
  EXPECT_EQ(node, want) << json::serialize(node);
  EXPECT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[8], '-');
}

TEST(NodeObjectTest, ConditionsKeepTransitionTimes) {
  HollowNodeSpec spec;
  spec.name = "n";
  json::value node = BuildNode(spec, kT0);
  // Ready went Unknown meanwhile (node lifecycle controller); MemoryPressure stayed False.
  json::array& conds = node.at("status").at("conditions").as_array();
  conds[3].as_object()["status"] = "Unknown";
  json::array next = NodeConditions(&node, kT0 + absl::Seconds(60));
  EXPECT_EQ(next[0].at("lastTransitionTime"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(next[0].at("lastHeartbeatTime"), "2026-01-01T00:01:00Z");
  EXPECT_EQ(next[3].at("status"), "True");
  EXPECT_EQ(next[3].at("lastTransitionTime"), "2026-01-01T00:01:00Z");
}

TEST(NodeObjectTest, Lease) {
  EXPECT_EQ(BuildLease("n1", "uid-1", 40, kT0 + absl::Milliseconds(5)), json::parse(R"({
    "apiVersion":"coordination.k8s.io/v1","kind":"Lease",
    "metadata":{"name":"n1","namespace":"kube-node-lease",
      "ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"n1","uid":"uid-1"}]},
    "spec":{"holderIdentity":"n1","leaseDurationSeconds":40,
            "renewTime":"2026-01-01T00:00:00.005000Z"}})"));
  EXPECT_FALSE(
      BuildLease("n1", "", 40, kT0).at("metadata").as_object().contains("ownerReferences"));
}

TEST(NodeObjectTest, ParseTaintAndLabel) {
  EXPECT_EQ(*ParseTaint("gpu=yes:NoSchedule"),
            (json::object{{"key", "gpu"}, {"value", "yes"}, {"effect", "NoSchedule"}}));
  EXPECT_EQ(*ParseTaint("example.com/x:NoExecute"),
            (json::object{{"key", "example.com/x"}, {"effect", "NoExecute"}}));
  EXPECT_FALSE(ParseTaint("gpu=yes").ok());
  EXPECT_FALSE(ParseTaint("gpu:Sometimes").ok());
  EXPECT_FALSE(ParseTaint(":NoSchedule").ok());
  EXPECT_EQ(*ParseLabel("zone=a"), std::make_pair(std::string("zone"), std::string("a")));
  EXPECT_EQ(*ParseLabel("empty="), std::make_pair(std::string("empty"), std::string()));
  EXPECT_FALSE(ParseLabel("novalue").ok());
}

}  // namespace
}  // namespace skiff::agent::hollow
