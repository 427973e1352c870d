#include "skiff/api/patch/strategic_merge.h"

#include <ostream>
#include <string>

#include "gtest/gtest.h"
#include "skiff/api/patch/test_util.h"

namespace skiff::api::patch {
namespace {

using testing::Canon;
using testing::J;

struct Case {
  std::string name;
  std::string kind;  // "group/Kind" or "Kind" for core; "" for no schema
  std::string doc;
  std::string patch;
  std::string want;  // empty: an InvalidArgument error containing `error`
  std::string error = "";
};

const SchemaNode* SchemaOf(const std::string& kind) {
  if (kind.empty()) return nullptr;
  auto slash = kind.find('/');
  if (slash == std::string::npos) return StrategicSchemaFor("", kind);
  return StrategicSchemaFor(kind.substr(0, slash), kind.substr(slash + 1));
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class StrategicMergeTest : public ::testing::TestWithParam<Case> {};

TEST_P(StrategicMergeTest, Applies) {
  const Case& c = GetParam();
  const SchemaNode* schema = SchemaOf(c.kind);
  if (!c.kind.empty()) {
    ASSERT_NE(schema, nullptr) << c.kind;
  }
  auto got = ApplyStrategicMergePatch(J(c.doc), J(c.patch), schema);
  if (c.want.empty()) {
    ASSERT_FALSE(got.ok()) << boost::json::serialize(*got);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(got.status().message()).find(c.error), std::string::npos)
        << got.status().message();
    return;
  }
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(boost::json::serialize(*got), Canon(c.want));
}

constexpr char kTwoContainers[] = R"({"spec":{"template":{"spec":{"containers":[
    {"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}}})";

INSTANTIATE_TEST_SUITE_P(
    Kubectl, StrategicMergeTest,
    ::testing::Values(
        Case{
            "ApplyWithSetElementOrder", "apps/Deployment",
            R"({"metadata":{"name":"web","annotations":{"a":"1"}},"spec":{"replicas":1,
                 "template":{"spec":{"containers":[{"name":"web","image":"nginx:1.25",
                 "ports":[{"containerPort":80}]}]}}}})",
            R"({"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
                 "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],
                 "containers":[{"image":"nginx:1.27","name":"web"}]}}}})",
            R"({"metadata":{"name":"web","annotations":{"a":"1",
                 "kubectl.kubernetes.io/last-applied-configuration":"{}"}},"spec":{"replicas":1,
                 "template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27",
                 "ports":[{"containerPort":80}]}]}}}})"},
        Case{
            "TaintsAreReplacedWhole", "Node",
            R"({"spec":{"taints":[{"key":"a","effect":"NoSchedule"},{"key":"b","effect":"NoExecute"}]}})",
            R"({"spec":{"taints":[{"key":"b","effect":"NoExecute"},{"key":"c","value":"1","effect":"NoSchedule"}]}})",
            R"({"spec":{"taints":[{"key":"b","effect":"NoExecute"},{"key":"c","value":"1","effect":"NoSchedule"}]}})"},
        Case{"TaintsNullRemoves", "Node",
             R"({"spec":{"podCIDR":"10.0.0.0/24","taints":[{"key":"a","effect":"NoSchedule"}]}})",
             R"({"spec":{"taints":null}})", R"({"spec":{"podCIDR":"10.0.0.0/24"}})"},
        Case{"Cordon", "Node", R"({"spec":{}})", R"({"spec":{"unschedulable":true}})",
             R"({"spec":{"unschedulable":true}})"},
        Case{"Uncordon", "Node", R"({"spec":{"unschedulable":true}})",
             R"({"spec":{"unschedulable":null}})", R"({"spec":{}})"},
        Case{"StatefulSetUndoReplacesTemplate", "apps/StatefulSet",
             R"({"spec":{"replicas":3,"template":{"metadata":{"labels":{"app":"db"},
                 "annotations":{"x":"1"}},"spec":{"containers":[{"name":"db","image":"pg:16"},
                 {"name":"exporter","image":"e:1"}]}}}})",
             R"({"spec":{"template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[
                 {"name":"db","image":"pg:15"}]},"$patch":"replace"}}})",
             R"({"spec":{"replicas":3,"template":{"metadata":{"labels":{"app":"db"}},
                 "spec":{"containers":[{"name":"db","image":"pg:15"}]}}}})"},
        Case{"RolloutRestart", "apps/Deployment",
             R"({"spec":{"template":{"metadata":{"labels":{"app":"web"}},"spec":{}}}})",
             R"({"spec":{"template":{"metadata":{"annotations":{
                 "kubectl.kubernetes.io/restartedAt":"2024-05-01T10:00:00Z"}}}}})",
             R"({"spec":{"template":{"metadata":{"labels":{"app":"web"},"annotations":{
                 "kubectl.kubernetes.io/restartedAt":"2024-05-01T10:00:00Z"}},"spec":{}}}})"},
        Case{"SetImage", "apps/Deployment", kTwoContainers,
             R"({"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b:2"}]}}}})",
             R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},
                 {"name":"b","image":"b:2"}]}}}})"},
        Case{"ScaleThroughPatch", "apps/Deployment", R"({"spec":{"replicas":1,"paused":true}})",
             R"({"spec":{"replicas":5}})", R"({"spec":{"replicas":5,"paused":true}})"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Lists, StrategicMergeTest,
    ::testing::Values(
        // Upstream places new items before live-only ones unless $setElementOrder says otherwise.
        Case{"NewItemGoesFirstWithoutOrder", "apps/Deployment", kTwoContainers,
             R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"c:1"}]}}}})",
             R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"c:1"},
                 {"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}}})"},
        Case{"NewItemAppendedPerSetElementOrder", "apps/Deployment", kTwoContainers,
             R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"a"},
                 {"name":"b"},{"name":"c"}],"containers":[{"name":"c","image":"c:1"}]}}}})",
             R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},
                 {"name":"b","image":"b:1"},{"name":"c","image":"c:1"}]}}}})"},
        Case{"SetElementOrderReordersWithoutList", "apps/Deployment", kTwoContainers,
             R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"b"},
                 {"name":"a"}]}}}})",
             R"({"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b:1"},
                 {"name":"a","image":"a:1"}]}}}})"},
        Case{
            "ServerOnlyItemKeepsItsPlace", "Pod",
            R"({"spec":{"containers":[{"name":"istio-proxy","image":"p"},{"name":"web","image":"w:1"}]}})",
            R"({"spec":{"$setElementOrder/containers":[{"name":"web"}],
                 "containers":[{"name":"web","image":"w:2"}]}})",
            R"({"spec":{"containers":[{"name":"istio-proxy","image":"p"},{"name":"web","image":"w:2"}]}})"},
        Case{"DeleteItemByKey", "apps/Deployment", kTwoContainers,
             R"({"spec":{"template":{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}}})",
             R"({"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b:1"}]}}}})"},
        Case{"ReplaceListDirective", "apps/Deployment", kTwoContainers,
             R"({"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},
                 {"name":"z","image":"z:1","env":null}]}}}})",
             R"({"spec":{"template":{"spec":{"containers":[{"name":"z","image":"z:1"}]}}}})"},
        Case{"MergeDirectiveOnItemIsDefault", "apps/Deployment", kTwoContainers,
             R"({"spec":{"template":{"spec":{"containers":[{"name":"a","$patch":"merge",
                 "image":"a:2"}]}}}})",
             R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:2"},
                 {"name":"b","image":"b:1"}]}}}})"},
        Case{"EnvMergesByName", "Pod",
             R"({"spec":{"containers":[{"name":"c","env":[{"name":"A","value":"1"},
                 {"name":"B","value":"2"}]}]}})",
             R"({"spec":{"containers":[{"name":"c","env":[{"name":"B","value":"3"},
                 {"name":"C","value":"4"}]}]}})",
             R"({"spec":{"containers":[{"name":"c","env":[{"name":"A","value":"1"},
                 {"name":"B","value":"3"},{"name":"C","value":"4"}]}]}})"},
        Case{
            "EnvValueFromNullRemovesField", "Pod",
            R"({"spec":{"containers":[{"name":"c","env":[{"name":"A","valueFrom":{"x":1}}]}]}})",
            R"({"spec":{"containers":[{"name":"c","env":[{"name":"A","value":"v","valueFrom":null}]}]}})",
            R"({"spec":{"containers":[{"name":"c","env":[{"name":"A","value":"v"}]}]}})"},
        Case{
            "ContainerPortsByContainerPort", "Pod",
            R"({"spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"name":"http"},
                 {"containerPort":443}]}]}})",
            R"({"spec":{"containers":[{"name":"c","ports":[{"containerPort":443,"protocol":"TCP"}]}]}})",
            R"({"spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"name":"http"},
                 {"containerPort":443,"protocol":"TCP"}]}]}})"},
        Case{
            "VolumeMountDeleteByMountPath", "Pod",
            R"({"spec":{"containers":[{"name":"c","volumeMounts":[{"name":"a","mountPath":"/a"},
                 {"name":"b","mountPath":"/b"}]}]}})",
            R"({"spec":{"containers":[{"name":"c","volumeMounts":[{"mountPath":"/a","$patch":"delete"}]}]}})",
            R"({"spec":{"containers":[{"name":"c","volumeMounts":[{"name":"b","mountPath":"/b"}]}]}})"},
        Case{"ServicePortsByPort", "Service",
             R"({"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}})",
             R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})",
             R"({"spec":{"ports":[{"port":80,"targetPort":9090},{"port":443}]}})"},
        Case{"ImagePullSecretsByName", "Pod", R"({"spec":{"imagePullSecrets":[{"name":"a"}]}})",
             R"({"spec":{"imagePullSecrets":[{"name":"b"}]}})",
             R"({"spec":{"imagePullSecrets":[{"name":"b"},{"name":"a"}]}})"},
        Case{"TolerationsAreAtomic", "Pod",
             R"({"spec":{"tolerations":[{"key":"a","operator":"Exists"}]}})",
             R"({"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}})",
             R"({"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}})"},
        Case{"PodConditionsByType", "Pod",
             R"({"status":{"conditions":[{"type":"Ready","status":"False"},
                 {"type":"PodScheduled","status":"True"}]}})",
             R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})",
             R"({"status":{"conditions":[{"type":"Ready","status":"True"},
                 {"type":"PodScheduled","status":"True"}]}})"},
        Case{"NodeAddressesByType", "Node",
             R"({"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.1"},
                 {"type":"Hostname","address":"n1"}]}})",
             R"({"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.2"}]}})",
             R"({"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.2"},
                 {"type":"Hostname","address":"n1"}]}})"},
        Case{
            "OwnerReferencesByUid", "ConfigMap",
            R"({"metadata":{"ownerReferences":[{"uid":"1","name":"a"}]}})",
            R"({"metadata":{"ownerReferences":[{"uid":"1","$patch":"delete"},{"uid":"2","name":"b"}]}})",
            R"({"metadata":{"ownerReferences":[{"uid":"2","name":"b"}]}})"},
        Case{"FinalizersUnion", "ConfigMap", R"({"metadata":{"finalizers":["a","b"]}})",
             R"({"metadata":{"finalizers":["b","c"]}})",
             R"({"metadata":{"finalizers":["a","b","c"]}})"},
        Case{"FinalizersNewOnlyGoesFirst", "ConfigMap", R"({"metadata":{"finalizers":["a","b"]}})",
             R"({"metadata":{"finalizers":["c"]}})",
             R"({"metadata":{"finalizers":["c","a","b"]}})"},
        Case{"FinalizersSetElementOrder", "ConfigMap", R"({"metadata":{"finalizers":["a","b"]}})",
             R"({"metadata":{"$setElementOrder/finalizers":["a","b","c"],"finalizers":["c"]}})",
             R"({"metadata":{"finalizers":["a","b","c"]}})"},
        Case{"DeleteFromPrimitiveList", "ConfigMap", R"({"metadata":{"finalizers":["a","b","c"]}})",
             R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a","c","zz"]}})",
             R"({"metadata":{"finalizers":["b"]}})"},
        Case{"DeleteFromPrimitiveListWithOrder", "ConfigMap",
             R"({"metadata":{"finalizers":["a","b"]}})",
             R"({"metadata":{"$setElementOrder/finalizers":["b","c"],"finalizers":["c"],
                 "$deleteFromPrimitiveList/finalizers":["a"]}})",
             R"({"metadata":{"finalizers":["b","c"]}})"},
        Case{"DeleteFromMissingListIsNoop", "ConfigMap", R"({"metadata":{}})",
             R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})", R"({"metadata":{}})"},
        Case{"PatchOrderWinsForNamedItems", "apps/Deployment",
             R"({"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b","image":"b"},
                 {"name":"c"}]}}}})",
             R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"c"},
                 {"name":"a","image":"a"}]}}}})",
             R"({"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b"},
                 {"name":"c","image":"c"},{"name":"a","image":"a"}]}}}})"},
        Case{"PatchOrderWinsForScalars", "ConfigMap",
             R"({"metadata":{"finalizers":["a","b","c"]}})",
             R"({"metadata":{"finalizers":["c","a"]}})",
             R"({"metadata":{"finalizers":["b","c","a"]}})"},
        Case{"DeleteRemovesEveryDuplicate", "Pod",
             R"({"spec":{"containers":[{"name":"a"},{"name":"a"},{"name":"b"}]}})",
             R"({"spec":{"containers":[{"name":"a","$patch":"delete"}]}})",
             R"({"spec":{"containers":[{"name":"b"}]}})"},
        Case{"ReplaceWithNothingEmptiesList", "Pod", R"({"spec":{"containers":[{"name":"a"}]}})",
             R"({"spec":{"containers":[{"$patch":"replace"}]}})", R"({"spec":{"containers":[]}})"},
        Case{"SetElementOrderMayNameAbsentItems", "Pod",
             R"({"spec":{"containers":[{"name":"a"},{"name":"c"}]}})",
             R"({"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"b"},{"name":"a"}],
                 "containers":[{"name":"c","image":"c"},{"name":"a","image":"a"}]}})",
             R"({"spec":{"containers":[{"name":"c","image":"c"},{"name":"a","image":"a"}]}})"},
        Case{"NodePodCIDRsUnion", "Node", R"({"spec":{"podCIDRs":["10.0.0.0/24"]}})",
             R"({"spec":{"podCIDRs":["10.0.0.0/24","fd00::/64"]}})",
             R"({"spec":{"podCIDRs":["10.0.0.0/24","fd00::/64"]}})"},
        Case{"NewMergeListIsCleaned", "Pod", R"({"spec":{}})",
             R"({"spec":{"containers":[{"name":"a","image":"a","$patch":"delete"},
                 {"name":"b","image":"b","env":null}]}})",
             R"({"spec":{"containers":[{"name":"b","image":"b"}]}})"},
        Case{"NoSchemaReplacesLists", "", R"({"spec":{"items":[{"name":"a"}],"x":1}})",
             R"({"spec":{"items":[{"name":"b"}]}})", R"({"spec":{"items":[{"name":"b"}],"x":1}})"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Maps, StrategicMergeTest,
    ::testing::Values(
        Case{"NullDeletesAndNestedMerge", "apps/Deployment",
             R"({"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"paused":true}})",
             R"({"metadata":{"labels":{"a":null,"c":"3"}},"spec":{"paused":null}})",
             R"({"metadata":{"labels":{"b":"2","c":"3"}},"spec":{}})"},
        Case{"NullsInNewSubtreeAreDropped", "apps/Deployment", R"({"spec":{}})",
             R"({"spec":{"template":{"metadata":{"labels":{"a":null,"b":"1"}}}}})",
             R"({"spec":{"template":{"metadata":{"labels":{"b":"1"}}}}})"},
        Case{"PatchReplaceOnMap", "apps/Deployment", R"({"metadata":{"labels":{"a":"1","b":"2"}}})",
             R"({"metadata":{"labels":{"$patch":"replace","c":"3"}}})",
             R"({"metadata":{"labels":{"c":"3"}}})"},
        Case{"PatchDeleteOnMapEmptiesIt", "apps/Deployment",
             R"({"metadata":{"name":"x","labels":{"a":"1"}}})",
             R"({"metadata":{"labels":{"$patch":"delete"}}})",
             R"({"metadata":{"name":"x","labels":{}}})"},
        Case{"PatchMergeOnMapIsDefault", "apps/Deployment", R"({"metadata":{"labels":{"a":"1"}}})",
             R"({"metadata":{"labels":{"$patch":"merge","b":"2"}}})",
             R"({"metadata":{"labels":{"a":"1","b":"2"}}})"},
        Case{"RetainKeysOnStrategy", "apps/Deployment",
             R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})",
             R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})",
             R"({"spec":{"strategy":{"type":"Recreate"}}})"},
        Case{
            "RetainKeysOnVolume", "Pod",
            R"({"spec":{"volumes":[{"name":"v","emptyDir":{}},{"name":"w","emptyDir":{}}]}})",
            R"({"spec":{"volumes":[{"$retainKeys":["configMap","name"],"name":"v",
                 "configMap":{"name":"cm"}}]}})",
            R"({"spec":{"volumes":[{"name":"v","configMap":{"name":"cm"}},{"name":"w","emptyDir":{}}]}})"},
        Case{"PatchReplaceOnWholeDocument", "ConfigMap",
             R"({"metadata":{"name":"a"},"data":{"x":"1"}})",
             R"({"$patch":"replace","metadata":{"name":"a"},"data":{"y":"2"}})",
             R"({"metadata":{"name":"a"},"data":{"y":"2"}})"},
        Case{"EmptyObjectPatchChangesNothing", "apps/Deployment",
             R"({"spec":{"strategy":{"type":"Recreate"}}})", R"({"spec":{"strategy":{}}})",
             R"({"spec":{"strategy":{"type":"Recreate"}}})"},
        Case{"ScalarBecomesObject", "", R"({"a":1})", R"({"a":{"b":2}})", R"({"a":{"b":2}})"},
        Case{"ObjectBecomesScalar", "", R"({"a":{"b":2}})", R"({"a":"x"})", R"({"a":"x"})"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Errors, StrategicMergeTest,
    ::testing::Values(
        Case{"PatchNotObject", "Pod", R"({})", R"([1])", "", "must be a JSON object, got array"},
        Case{"DocNotObject", "Pod", R"([])", R"({})", "", "applies to a JSON object"},
        Case{"UnknownDirective", "Pod", R"({})", R"({"spec":{"$frob":1}})", "",
             ".spec: unknown directive \"$frob\""},
        Case{"UnknownPatchValue", "Pod", R"({"metadata":{}})", R"({"metadata":{"$patch":"frob"}})",
             "", "unknown $patch directive \"frob\""},
        Case{"PatchValueNotString", "Pod", R"({})", R"({"metadata":{"$patch":1}})", "",
             "$patch must be a string"},
        Case{"PatchOnNonObject", "apps/Deployment", R"({"spec":{"replicas":1}})",
             R"({"spec":{"replicas":{"$patch":"delete"}}})", "",
             ".spec.replicas: $patch directive applies only to objects; the live value is of type "
             "number"},
        Case{"PatchOnList", "Pod", R"({"spec":{"containers":[]}})",
             R"({"spec":{"containers":{"$patch":"replace"}}})", "",
             "the live value is of type array"},
        Case{"UnknownListItemDirective", "Pod", R"({"spec":{"containers":[{"name":"a"}]}})",
             R"({"spec":{"containers":[{"name":"a","$patch":"frob"}]}})", "",
             "unknown $patch directive \"frob\" in list item"},
        Case{"MissingMergeKey", "Pod", R"({"spec":{"containers":[{"name":"a"}]}})",
             R"({"spec":{"containers":[{"image":"x"}]}})", "", "lacks merge key \"name\""},
        Case{"DeleteWithoutMergeKey", "Pod", R"({"spec":{"containers":[{"name":"a"}]}})",
             R"({"spec":{"containers":[{"$patch":"delete"}]}})", "",
             "$patch: delete item lacks merge key \"name\""},
        Case{"MixedItemKinds", "ConfigMap", R"({"metadata":{"finalizers":["a"]}})",
             R"({"metadata":{"finalizers":[1]}})", "", "list items mix string and number"},
        Case{"ListOfLists", "ConfigMap", R"({"metadata":{"finalizers":["a"]}})",
             R"({"metadata":{"finalizers":[["b"]]}})", "", "lists of lists"},
        Case{"SetElementOrderNotList", "Pod", R"({"spec":{}})",
             R"({"spec":{"$setElementOrder/containers":{}}})", "", "must be a list"},
        Case{
            "SetElementOrderMismatch", "apps/Deployment", kTwoContainers,
            R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],
                 "containers":[{"name":"b","image":"x"},{"name":"a","image":"y"}]}}}})",
            "", "does not match its $setElementOrder list"},
        Case{"SetElementOrderItemWithoutKey", "Pod", R"({"spec":{"containers":[]}})",
             R"({"spec":{"$setElementOrder/containers":[{"image":"x"}]}})", "",
             "lacks merge key \"name\""},
        Case{"DeleteFromPrimitiveListNotList", "ConfigMap", R"({"metadata":{}})",
             R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}})", "", "must be a list"},
        Case{"DeleteFromPrimitiveListObjects", "ConfigMap", R"({"metadata":{}})",
             R"({"metadata":{"$deleteFromPrimitiveList/finalizers":[{}]}})", "",
             "may only list scalars"},
        Case{"RetainKeysMissesPatchedKey", "apps/Deployment", R"({"spec":{"strategy":{}}})",
             R"({"spec":{"strategy":{"$retainKeys":["rollingUpdate"],"type":"Recreate"}}})", "",
             "$retainKeys does not list \"type\""},
        Case{"RetainKeysNotList", "apps/Deployment", R"({"spec":{"strategy":{}}})",
             R"({"spec":{"strategy":{"$retainKeys":"type"}}})", "",
             "$retainKeys must be a list of field names"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(StrategicSchemaTest, KnowsEveryServedBuiltinKind) {
  for (const char* kind :
       {"Namespace", "Node", "Pod", "PersistentVolume", "PersistentVolumeClaim", "ConfigMap",
        "Secret", "Event", "ServiceAccount", "Service", "Endpoints", "ReplicationController"}) {
    EXPECT_NE(StrategicSchemaFor("", kind), nullptr) << kind;
  }
  for (const char* kind :
       {"ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"}) {
    EXPECT_NE(StrategicSchemaFor("apps", kind), nullptr) << kind;
  }
  EXPECT_NE(StrategicSchemaFor("coordination.k8s.io", "Lease"), nullptr);
  EXPECT_NE(StrategicSchemaFor("events.k8s.io", "Event"), nullptr);
  EXPECT_NE(StrategicSchemaFor("policy", "PodDisruptionBudget"), nullptr);
  EXPECT_NE(StrategicSchemaFor("storage.k8s.io", "StorageClass"), nullptr);
  EXPECT_EQ(StrategicSchemaFor("example.com", "Widget"), nullptr);
  EXPECT_EQ(StrategicSchemaFor("", "Deployment"), nullptr);
}

TEST(StrategicSchemaTest, PodTemplateSharesPodSpec) {
  const SchemaNode* deploy = StrategicSchemaFor("apps", "Deployment");
  const SchemaNode* pod = StrategicSchemaFor("", "Pod");
  const SchemaNode* containers =
      ChildOf(ChildOf(ChildOf(ChildOf(deploy, "spec"), "template"), "spec"), "containers");
  ASSERT_NE(containers, nullptr);
  EXPECT_EQ(containers, ChildOf(ChildOf(pod, "spec"), "containers"));
  EXPECT_EQ(containers->patch_merge_key, "name");
  const SchemaNode* ports = ChildOf(containers->items, "ports");
  ASSERT_NE(ports, nullptr);
  EXPECT_EQ(ports->patch_merge_key, "containerPort");
  ASSERT_EQ(ports->list_keys.size(), 2u);
  EXPECT_EQ(ports->list_keys[0].name, "containerPort");
  EXPECT_EQ(ports->list_keys[1].name, "protocol");
  EXPECT_EQ(ports->list_keys[1].default_value, boost::json::value("TCP"));
}

}  // namespace
}  // namespace skiff::api::patch
