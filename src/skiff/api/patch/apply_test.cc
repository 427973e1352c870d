#include "skiff/api/patch/apply.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "skiff/api/object.h"
#include "skiff/api/patch/json_util.h"
#include "skiff/api/patch/test_util.h"

namespace skiff::api::patch {
namespace {

using testing::Canon;
using testing::J;
namespace json = boost::json;

constexpr char kT1[] = "2024-01-01T00:00:00Z";
constexpr char kT2[] = "2024-01-02T00:00:00Z";
constexpr char kT3[] = "2024-01-03T00:00:00Z";

const SchemaNode* Deployments() { return StrategicSchemaFor("apps", "Deployment"); }
const SchemaNode* ConfigMaps() { return StrategicSchemaFor("", "ConfigMap"); }

std::string Deployment(int replicas, const char* image, const char* extra_labels = "") {
  return Cat(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",)",
             R"("namespace":"default","labels":{"app":"web")", extra_labels, R"(}},)",
             R"("spec":{"replicas":)", replicas, R"(,"selector":{"matchLabels":{"app":"web"}},)",
             R"("template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[)",
             R"({"name":"web","image":")", image, R"(","ports":[{"containerPort":80}]}]}}}})");
}

std::string ManagedFields(const json::value& obj) {
  const json::value* mf = Find(obj, {"metadata", "managedFields"});
  return mf == nullptr ? "<none>" : json::serialize(*mf);
}

// `obj` without metadata.managedFields (and without metadata if nothing else is left).
json::value WithoutManagedFields(json::value obj) {
  if (json::value* meta = FindMutable(obj, {"metadata"}); meta && meta->is_object()) {
    meta->get_object().erase("managedFields");
    if (meta->get_object().empty()) obj.get_object().erase("metadata");
  }
  return obj;
}

// The Apply entry `kubectl apply --server-side` of Deployment(...) records.
constexpr char kDeploymentApplied[] =
    R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},
        "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{
        "k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{
        "k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})";

// The Update entry a create of Deployment(...) records.
constexpr char kDeploymentCreated[] =
    R"({"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},
        "f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{
        ".":{},"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},
        "k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})";

std::string Entry(const char* manager, const char* operation, const char* time,
                  const std::string& fields, const char* subresource = "") {
  std::string out = Cat(R"({"manager":")", manager, R"(","operation":")", operation,
                        R"(","apiVersion":"apps/v1","time":")", time,
                        R"(","fieldsType":"FieldsV1","fieldsV1":)", fields);
  if (*subresource != '\0') out += Cat(R"(,"subresource":")", subresource, R"(")");
  return out + "}";
}

json::value MustApply(const json::value* live, const std::string& applied, const char* manager,
                      const char* time, bool force = false, const SchemaNode* schema = nullptr) {
  auto got = ServerSideApply(live, J(applied), manager, force, "apps/v1", time,
                             schema != nullptr ? schema : Deployments());
  EXPECT_TRUE(got.ok()) << got.status();
  return got.ok() ? *got : json::value();
}

json::value Created(const std::string& obj, const char* manager) {
  json::value v = J(obj);
  UpdateManagedFields(nullptr, v, manager, "Update", "apps/v1", kT1, Deployments());
  return v;
}

TEST(ServerSideApplyTest, CreateRecordsAppliedFields) {
  json::value got = MustApply(nullptr, Deployment(2, "nginx:1.25"), "kubectl", kT1);
  EXPECT_EQ(json::serialize(WithoutManagedFields(got)), Canon(Deployment(2, "nginx:1.25")));
  EXPECT_EQ(ManagedFields(got),
            Canon("[" + Entry("kubectl", "Apply", kT1, kDeploymentApplied) + "]"));
  // managedFields goes last in metadata, as in Kubernetes' ObjectMeta.
  std::vector<std::string> keys;
  for (const auto& kv : Find(got, {"metadata"})->get_object()) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "namespace", "labels", "managedFields"}));
}

TEST(ServerSideApplyTest, ReapplyRemovesFieldsNoLongerApplied) {
  json::value v1 =
      MustApply(nullptr, Deployment(2, "nginx:1.25", R"(,"tier":"fe")"), "kubectl", kT1);
  ASSERT_EQ(GetString(v1, {"metadata", "labels", "tier"}), "fe");
  json::value v2 = MustApply(&v1, Deployment(2, "nginx:1.27"), "kubectl", kT2);
  EXPECT_EQ(json::serialize(WithoutManagedFields(v2)), Canon(Deployment(2, "nginx:1.27")));
  EXPECT_EQ(ManagedFields(v2),
            Canon("[" + Entry("kubectl", "Apply", kT2, kDeploymentApplied) + "]"));
}

TEST(ServerSideApplyTest, NoopReapplyKeepsTime) {
  json::value v1 = MustApply(nullptr, Deployment(2, "nginx:1.25"), "kubectl", kT1);
  json::value v2 = MustApply(&v1, Deployment(2, "nginx:1.25"), "kubectl", kT2);
  EXPECT_EQ(json::serialize(v2), json::serialize(v1));
}

TEST(ServerSideApplyTest, SameValueSharesOwnershipWithoutConflict) {
  json::value live = Created(Deployment(2, "nginx:1.25"), "kubectl-client-side-apply");
  json::value got = MustApply(&live, Deployment(2, "nginx:1.25"), "kubectl", kT2);
  EXPECT_EQ(json::serialize(WithoutManagedFields(got)), Canon(Deployment(2, "nginx:1.25")));
  EXPECT_EQ(ManagedFields(got),
            Canon("[" + Entry("kubectl", "Apply", kT2, kDeploymentApplied) + "," +
                  Entry("kubectl-client-side-apply", "Update", kT1, kDeploymentCreated) + "]"));
}

TEST(ServerSideApplyTest, ConflictWithClientSideApply) {
  json::value live = Created(Deployment(2, "nginx:1.25"), "kubectl-client-side-apply");
  auto got = ServerSideApply(&live, J(Deployment(3, "nginx:1.25")), "kubectl", false, "apps/v1",
                             kT2, Deployments());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(
      got.status().message(),
      R"(Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas)");
  auto causes = got.status().GetPayload(kApplyConflictCausesUrl);
  ASSERT_TRUE(causes.has_value());
  EXPECT_EQ(std::string(*causes), Canon(R"([{"type":"FieldManagerConflict",
                "message":"conflict with \"kubectl-client-side-apply\" using apps/v1",
                "field":".spec.replicas"}])"));
}

TEST(ServerSideApplyTest, SeveralConflictsAreListedPerManager) {
  json::value live = Created(Deployment(2, "nginx:1.25"), "kubectl-client-side-apply");
  auto got = ServerSideApply(&live, J(Deployment(3, "nginx:1.27")), "kubectl", false, "apps/v1",
                             kT2, Deployments());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(got.status().message(),
            "Apply failed with 2 conflicts: conflicts with \"kubectl-client-side-apply\" using "
            "apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name=\"web\"].image");
}

TEST(ServerSideApplyTest, ConflictsWithTwoManagersSortByManager) {
  json::value live = MustApply(nullptr, Deployment(2, "nginx:1.25"), "b-tool", kT1);
  // "a-tool" takes the image with an update.
  json::value next = live;
  (*FindMutable(next, {"spec", "template", "spec", "containers"}))
      .get_array()[0]
      .get_object()["image"] = "nginx:1.26";
  UpdateManagedFields(&live, next, "a-tool", "Update", "apps/v1", kT2, Deployments());
  auto got = ServerSideApply(&next, J(Deployment(3, "nginx:1.27")), "kubectl", false, "apps/v1",
                             kT3, Deployments());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(),
            "Apply failed with 2 conflicts: conflicts with \"a-tool\" using apps/v1:\n"
            "- .spec.template.spec.containers[name=\"web\"].image\n"
            "conflicts with \"b-tool\":\n- .spec.replicas");
}

TEST(ServerSideApplyTest, ForceTakesOwnership) {
  json::value live = Created(Deployment(2, "nginx:1.25"), "kubectl-client-side-apply");
  json::value got = MustApply(&live, Deployment(3, "nginx:1.27"), "kubectl", kT2, /*force=*/true);
  EXPECT_EQ(json::serialize(WithoutManagedFields(got)), Canon(Deployment(3, "nginx:1.27")));
  constexpr char kLeft[] =
      R"({"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:selector":{},
          "f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{
          ".":{},"k:{\"name\":\"web\"}":{".":{},"f:name":{},"f:ports":{".":{},
          "k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})";
  EXPECT_EQ(ManagedFields(got),
            Canon("[" + Entry("kubectl", "Apply", kT2, kDeploymentApplied) + "," +
                  Entry("kubectl-client-side-apply", "Update", kT1, kLeft) + "]"));
}

TEST(ServerSideApplyTest, ScaleThenApplyConflicts) {
  json::value v1 = MustApply(nullptr, Deployment(2, "nginx:1.25"), "kubectl", kT1);
  json::value scaled = v1;
  (*FindMutable(scaled, {"spec", "replicas"})) = 5;
  UpdateManagedFields(&v1, scaled, "kubectl", "Update", "apps/v1", kT2, Deployments(), "scale");
  constexpr char kWithoutReplicas[] =
      R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:selector":{},
          "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{
          "k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{
          "k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})";
  EXPECT_EQ(
      ManagedFields(scaled),
      Canon("[" + Entry("kubectl", "Apply", kT1, kWithoutReplicas) + "," +
            Entry("kubectl", "Update", kT2, R"({"f:spec":{"f:replicas":{}}})", "scale") + "]"));

  auto conflict = ServerSideApply(&scaled, J(Deployment(2, "nginx:1.25")), "kubectl", false,
                                  "apps/v1", kT3, Deployments());
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().message(),
            "Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" "
            "using apps/v1: .spec.replicas");

  // Applying without replicas leaves the scaled value alone.
  std::string no_replicas = Deployment(2, "nginx:1.25");
  no_replicas.replace(no_replicas.find(R"("replicas":2,)"), std::string(R"("replicas":2,)").size(),
                      "");
  json::value v3 = MustApply(&scaled, no_replicas, "kubectl", kT3);
  EXPECT_EQ(GetInt(v3, {"spec", "replicas"}), 5);
}

TEST(ServerSideApplyTest, FieldOwnedByAnotherApplierSurvivesRemoval) {
  const SchemaNode* cm = ConfigMaps();
  json::value v1 = MustApply(nullptr, R"({"metadata":{"name":"c"},"data":{"x":"1","y":"2"}})", "a",
                             kT1, false, cm);
  json::value v2 =
      MustApply(&v1, R"({"metadata":{"name":"c"},"data":{"x":"1"}})", "b", kT2, false, cm);
  json::value v3 =
      MustApply(&v2, R"({"metadata":{"name":"c"},"data":{"y":"2"}})", "a", kT3, false, cm);
  EXPECT_EQ(json::serialize(WithoutManagedFields(v3)),
            Canon(R"({"metadata":{"name":"c"},"data":{"x":"1","y":"2"}})"));
  json::value v4 = MustApply(&v3, R"({"metadata":{"name":"c"}})", "b", kT3, false, cm);
  EXPECT_EQ(json::serialize(WithoutManagedFields(v4)),
            Canon(R"({"metadata":{"name":"c"},"data":{"y":"2"}})"));
  EXPECT_EQ(ManagedFields(v4), Canon(R"([{"manager":"a","operation":"Apply","apiVersion":"apps/v1",
                "time":"2024-01-01T00:00:00Z","fieldsType":"FieldsV1",
                "fieldsV1":{"f:data":{"f:y":{}}}}])"));
}

TEST(ServerSideApplyTest, SetListsMergeByValueAndPruneByValue) {
  const SchemaNode* cm = ConfigMaps();
  json::value v1 =
      MustApply(nullptr, R"({"metadata":{"name":"c","finalizers":["x"]}})", "a", kT1, false, cm);
  json::value v2 =
      MustApply(&v1, R"({"metadata":{"name":"c","finalizers":["y"]}})", "b", kT2, false, cm);
  EXPECT_EQ(json::serialize(*Find(v2, {"metadata", "finalizers"})), R"(["x","y"])");
  json::value v3 = MustApply(&v2, R"({"metadata":{"name":"c"}})", "a", kT3, false, cm);
  EXPECT_EQ(json::serialize(*Find(v3, {"metadata", "finalizers"})), R"(["y"])");
  EXPECT_EQ(ManagedFields(v3), Canon(R"([{"manager":"b","operation":"Apply","apiVersion":"apps/v1",
                "time":"2024-01-02T00:00:00Z","fieldsType":"FieldsV1",
                "fieldsV1":{"f:metadata":{"f:finalizers":{"v:\"y\"":{}}}}}])"));
}

TEST(ServerSideApplyTest, KeyedListsKeepLiveOrderAroundAppliedItems) {
  json::value live = J(R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"1"},
      {"name":"b","image":"1"},{"name":"c","image":"1"}]}}}})");
  json::value got =
      MustApply(&live, R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"2"},
          {"name":"a","image":"2"}]}}}})",
                "kubectl", kT1);
  EXPECT_EQ(json::serialize(WithoutManagedFields(got)),
            Canon(R"({"spec":{"template":{"spec":{"containers":[{"name":"b","image":"1"},
                {"name":"c","image":"2"},{"name":"a","image":"2"}]}}}})"));
}

TEST(ServerSideApplyTest, AtomicListsObjectsAndNullsReplace) {
  json::value live = J(R"({"spec":{"paused":true,"selector":{"matchLabels":{"a":"1","b":"2"}},
      "template":{"spec":{"tolerations":[{"key":"a"}],"containers":[{"name":"w","args":["x","y"]}]}}}})");
  json::value got = MustApply(&live, R"({"spec":{"paused":null,"selector":{"matchLabels":{"a":"1"}},
      "template":{"spec":{"tolerations":[{"key":"b"}],"containers":[{"name":"w","args":["z"]}]}}}})",
                              "kubectl", kT1);
  EXPECT_EQ(json::serialize(WithoutManagedFields(got)),
            Canon(R"({"spec":{"selector":{"matchLabels":{"a":"1"}},"template":{"spec":{
                "tolerations":[{"key":"b"}],"containers":[{"name":"w","args":["z"]}]}}}})"));
  EXPECT_EQ(ManagedFields(got),
            Canon(Cat("[",
                      Entry("kubectl", "Apply", kT1,
                            R"({"f:spec":{"f:paused":{},"f:selector":{},"f:template":{"f:spec":{
                                "f:containers":{"k:{\"name\":\"w\"}":{".":{},"f:args":{},
                                "f:name":{}}},"f:tolerations":{}}}}})"),
                      "]")));
}

TEST(ServerSideApplyTest, RejectsBadConfigurations) {
  struct Case {
    const char* applied;
    const char* manager;
    const char* error;
  } cases[] = {
      {"[]", "m", "apply configuration must be a JSON object, got array"},
      {"{}", "", "fieldManager is required"},
      {R"({"metadata":{"managedFields":[]}})", "m", "metadata.managedFields must be nil"},
      {R"({"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}})", "m",
       R"(invalid apply configuration: .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name")"},
      {R"({"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"a"}]}}}})", "m",
       R"(duplicate entries for key [name="a"])"},
      {R"({"metadata":{"finalizers":[{}]}})", "m", "a set may only hold scalars"},
  };
  for (const auto& c : cases) {
    auto got =
        ServerSideApply(nullptr, J(c.applied), c.manager, false, "apps/v1", kT1, Deployments());
    ASSERT_FALSE(got.ok()) << c.applied;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.applied;
    EXPECT_NE(std::string(got.status().message()).find(c.error), std::string::npos)
        << got.status().message();
  }
}

TEST(ServerSideApplyTest, NullSchemaTreatsListsAsAtomic) {
  json::value live = J(R"({"spec":{"items":[{"name":"a"}],"x":1}})");
  auto got = ServerSideApply(&live, J(R"({"spec":{"items":[{"name":"b"}]}})"), "m", false,
                             "example.com/v1", kT1, nullptr);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(json::serialize(*got),
            Canon(R"({"spec":{"items":[{"name":"b"}],"x":1},"metadata":{"managedFields":[
                {"manager":"m","operation":"Apply","apiVersion":"example.com/v1",
                "time":"2024-01-01T00:00:00Z","fieldsType":"FieldsV1",
                "fieldsV1":{"f:spec":{"f:items":{}}}}]}})"));
}

TEST(UpdateManagedFieldsTest, CreateRecordsMapsAndItems) {
  json::value cm = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c",
      "namespace":"d","uid":"u","resourceVersion":"1","creationTimestamp":"t",
      "labels":{"a":"1"}},"data":{"k":"v"}})");
  UpdateManagedFields(nullptr, cm, "kubectl-create", "Update", "v1", kT1, ConfigMaps());
  EXPECT_EQ(ManagedFields(cm),
            Canon(R"([{"manager":"kubectl-create","operation":"Update","apiVersion":"v1",
                "time":"2024-01-01T00:00:00Z","fieldsType":"FieldsV1",
                "fieldsV1":{"f:data":{".":{},"f:k":{}},"f:metadata":{"f:labels":{".":{},
                "f:a":{}}}}}])"));
}

TEST(UpdateManagedFieldsTest, ChangedFieldsMoveAndRemovedFieldsLeave) {
  json::value v1 = J(R"({"metadata":{"name":"c","labels":{"a":"1"}},"data":{"k":"v"}})");
  UpdateManagedFields(nullptr, v1, "kubectl-create", "Update", "v1", kT1, ConfigMaps());
  json::value v2 = v1;
  (*FindMutable(v2, {"metadata", "labels", "a"})) = "2";
  v2.get_object().erase("data");
  UpdateManagedFields(&v1, v2, "kubectl-label", "Update", "v1", kT2, ConfigMaps());
  EXPECT_EQ(ManagedFields(v2),
            Canon(R"([{"manager":"kubectl-create","operation":"Update","apiVersion":"v1",
                "time":"2024-01-01T00:00:00Z","fieldsType":"FieldsV1",
                "fieldsV1":{"f:metadata":{"f:labels":{}}}},
                {"manager":"kubectl-label","operation":"Update","apiVersion":"v1",
                "time":"2024-01-02T00:00:00Z","fieldsType":"FieldsV1",
                "fieldsV1":{"f:metadata":{"f:labels":{"f:a":{}}}}}])"));
}

TEST(UpdateManagedFieldsTest, SameManagerAccumulatesAndBumpsTime) {
  json::value v1 = J(R"({"metadata":{"name":"c"},"data":{"a":"1"}})");
  UpdateManagedFields(nullptr, v1, "m", "Update", "v1", kT1, ConfigMaps());
  json::value v2 = v1;
  v2.get_object()["data"].get_object()["b"] = "2";
  UpdateManagedFields(&v1, v2, "m", "Update", "v1", kT2, ConfigMaps());
  EXPECT_EQ(ManagedFields(v2), Canon(R"([{"manager":"m","operation":"Update","apiVersion":"v1",
                "time":"2024-01-02T00:00:00Z","fieldsType":"FieldsV1",
                "fieldsV1":{"f:data":{".":{},"f:a":{},"f:b":{}}}}])"));
}

TEST(UpdateManagedFieldsTest, NoopWriteTouchesNothing) {
  json::value v1 = J(R"({"metadata":{"name":"c"},"data":{"a":"1"}})");
  UpdateManagedFields(nullptr, v1, "m", "Update", "v1", kT1, ConfigMaps());
  json::value v2 = v1;
  (*FindMutable(v2, {"metadata"})).get_object()["resourceVersion"] = "7";
  UpdateManagedFields(&v1, v2, "other", "Update", "v1", kT2, ConfigMaps());
  EXPECT_EQ(ManagedFields(v2), ManagedFields(v1));
}

TEST(UpdateManagedFieldsTest, ServerSetMetadataIsNeverTracked) {
  json::value v1 = J(R"({"metadata":{"name":"c"},"data":{"a":"1"}})");
  UpdateManagedFields(nullptr, v1, "m", "Update", "v1", kT1, ConfigMaps());
  json::value v2 = v1;
  json::object& meta = (*FindMutable(v2, {"metadata"})).get_object();
  meta["uid"] = "u";
  meta["generation"] = 2;
  meta["deletionTimestamp"] = kT2;
  meta["deletionGracePeriodSeconds"] = 0;
  UpdateManagedFields(&v1, v2, "deleter", "Update", "v1", kT2, ConfigMaps());
  EXPECT_EQ(ManagedFields(v2), ManagedFields(v1));
}

TEST(UpdateManagedFieldsTest, SubresourceIsRecorded) {
  json::value v1 = J(R"({"metadata":{"name":"p"},"status":{"phase":"Pending"}})");
  json::value v2 = J(R"({"metadata":{"name":"p"},"status":{"phase":"Running",
      "conditions":[{"type":"Ready","status":"True"}]}})");
  UpdateManagedFields(&v1, v2, "kubelet", "Update", "v1", kT1, StrategicSchemaFor("", "Pod"),
                      "status");
  EXPECT_EQ(ManagedFields(v2),
            Canon(R"([{"manager":"kubelet","operation":"Update","apiVersion":"v1",
                "time":"2024-01-01T00:00:00Z","fieldsType":"FieldsV1",
                "fieldsV1":{"f:status":{"f:conditions":{".":{},"k:{\"type\":\"Ready\"}":{".":{},
                "f:status":{},"f:type":{}}},"f:phase":{}}},"subresource":"status"}])"));
}

TEST(UpdateManagedFieldsTest, EmptyEntryResetsManagedFields) {
  json::value v1 = J(R"({"metadata":{"name":"c"},"data":{"a":"1"}})");
  UpdateManagedFields(nullptr, v1, "m", "Update", "v1", kT1, ConfigMaps());
  json::value v2 = v1;
  (*FindMutable(v2, {"metadata"})).get_object()["managedFields"] = J("[{}]");
  (*FindMutable(v2, {"data"})).get_object()["b"] = "2";
  UpdateManagedFields(&v1, v2, "m", "Update", "v1", kT2, ConfigMaps());
  EXPECT_EQ(json::serialize(v2), Canon(R"({"metadata":{"name":"c"},"data":{"a":"1","b":"2"}})"));
}

TEST(UpdateManagedFieldsTest, ClientMayReplaceManagedFields) {
  json::value v1 = J(R"({"metadata":{"name":"c"},"data":{"a":"1"}})");
  UpdateManagedFields(nullptr, v1, "m", "Update", "v1", kT1, ConfigMaps());
  json::value v2 = v1;
  (*FindMutable(v2, {"metadata"})).get_object()["managedFields"] =
      J(R"([{"manager":"x","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1",
            "fieldsV1":{"f:data":{"f:a":{}}}}])");
  UpdateManagedFields(&v1, v2, "m", "Update", "v1", kT2, ConfigMaps());
  EXPECT_EQ(ManagedFields(v2), Canon(R"([{"manager":"x","operation":"Apply","apiVersion":"v1",
                "fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:a":{}}}}])"));
}

TEST(UpdateManagedFieldsTest, UnreadableManagedFieldsFallBackToLive) {
  json::value v1 = J(R"({"metadata":{"name":"c"},"data":{"a":"1"}})");
  UpdateManagedFields(nullptr, v1, "m", "Update", "v1", kT1, ConfigMaps());
  json::value v2 = v1;
  (*FindMutable(v2, {"metadata"})).get_object()["managedFields"] = J(R"([{"fieldsV1":7}])");
  UpdateManagedFields(&v1, v2, "m", "Update", "v1", kT2, ConfigMaps());
  EXPECT_EQ(ManagedFields(v2), ManagedFields(v1));
}

}  // namespace
}  // namespace skiff::api::patch
