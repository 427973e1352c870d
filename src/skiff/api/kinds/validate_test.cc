#include <gtest/gtest.h>

#include "skiff/api/kinds/kinds.h"
#include "skiff/api/object.h"

namespace skiff::api::kinds {
namespace {

namespace json = boost::json;

const ResourceInfo& R(std::string_view group, std::string_view kind) {
  const ResourceInfo* r = FindKind(group, kind);
  EXPECT_NE(r, nullptr) << group << "/" << kind;
  return *r;
}

std::vector<std::string> Strings(const FieldErrors& errs) {
  std::vector<std::string> out;
  for (const auto& e : errs) out.push_back(e.ToString());
  return out;
}

// Defaults `text` as the server would, then validates it (as a create, or an update of `old`).
std::vector<std::string> Check(std::string_view group, std::string_view kind, std::string_view text,
                               const char* old_text = nullptr) {
  const ResourceInfo& r = R(group, kind);
  json::value obj = json::parse(text);
  Default(r, obj);
  if (old_text == nullptr) return Strings(Validate(r, obj, nullptr));
  json::value old = json::parse(old_text);
  Default(r, old);
  return Strings(Validate(r, obj, &old));
}

const char kDeployment[] = R"({"metadata": {"name": "web", "namespace": "default"},
  "spec": {"selector": {"matchLabels": {"app": "web"}},
           "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}})";

json::value Deployment() { return json::parse(kDeployment); }

std::vector<std::string> CheckDeployment(const std::function<void(json::value&)>& edit) {
  json::value d = Deployment();
  edit(d);
  return Check("apps", "Deployment", json::serialize(d));
}

const char kLabelRegexMsg[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

TEST(ValidateDeploymentTest, ValidObjectHasNoErrors) {
  EXPECT_TRUE(Check("apps", "Deployment", kDeployment).empty());
}

TEST(ValidateDeploymentTest, SelectorErrors) {
  struct Case {
    std::string name;
    std::function<void(json::value&)> edit;
    std::vector<std::string> want;
  } cases[] = {
      {"missing selector",
       [](json::value& d) { d.at("spec").as_object().erase("selector"); },
       {"spec.selector: Required value",
        "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: "
        "`selector` does not match template `labels`"}},
      {"mismatch",
       [](json::value& d) { d.at("spec").at("selector").at("matchLabels").at("app") = "x"; },
       {"spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: "
        "`selector` does not match template `labels`"}},
      {"empty selector",
       [](json::value& d) { d.at("spec").at("selector") = json::object(); },
       {"spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for "
        "deployment"}},
      {"no template labels",
       [](json::value& d) {
         d.at("spec").at("template").at("metadata").as_object().erase("labels");
       },
       {"spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does "
        "not match template `labels`"}},
  };
  for (const auto& c : cases) EXPECT_EQ(CheckDeployment(c.edit), c.want) << c.name;
}

TEST(ValidateDeploymentTest, SpecErrors) {
  struct Case {
    std::string name;
    std::function<void(json::value&)> edit;
    std::vector<std::string> want;
  } cases[] = {
      {"negative replicas",
       [](json::value& d) { d.at("spec").as_object()["replicas"] = -1; },
       {"spec.replicas: Invalid value: -1: must be greater than or equal to 0"}},
      {"restartPolicy Never",
       [](json::value& d) {
         d.at("spec").at("template").at("spec").as_object()["restartPolicy"] = "Never";
       },
       {"spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: "
        "\"Always\""}},
      {"both zero",
       [](json::value& d) {
         d.at("spec").as_object()["strategy"] = {
             {"rollingUpdate", {{"maxSurge", 0}, {"maxUnavailable", 0}}}};
       },
       {"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, "
        "IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0"}},
      {"percent above 100",
       [](json::value& d) {
         d.at("spec").as_object()["strategy"] = {{"rollingUpdate", {{"maxUnavailable", "110%"}}}};
       },
       {"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, "
        "IntVal:0, StrVal:\"110%\"}: must not be greater than 100%"}},
      {"bad percent",
       [](json::value& d) {
         d.at("spec").as_object()["strategy"] = {{"rollingUpdate", {{"maxSurge", "abc"}}}};
       },
       {"spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, "
        "IntVal:0, StrVal:\"abc\"}: a valid percent string must be a numeric string followed by "
        "an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"}},
      {"recreate with rollingUpdate",
       [](json::value& d) {
         d.at("spec").as_object()["strategy"] = {{"type", "Recreate"},
                                                 {"rollingUpdate", json::object()}};
       },
       {"spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is "
        "'Recreate'"}},
      {"deadline below minReady",
       [](json::value& d) { d.at("spec").as_object()["minReadySeconds"] = 700; },
       {"spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"}},
      {"activeDeadlineSeconds in template",
       [](json::value& d) {
         d.at("spec").at("template").at("spec").as_object()["activeDeadlineSeconds"] = 10;
       },
       {"spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet "
        "is not Supported"}},
      {"bad template label",
       [](json::value& d) {
         d.at("spec").at("template").at("metadata").at("labels").as_object()["bad key!"] = "x";
       },
       {"spec.template.labels: Invalid value: \"bad key!\": name part must consist of "
        "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
        "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"}},
  };
  for (const auto& c : cases) EXPECT_EQ(CheckDeployment(c.edit), c.want) << c.name;
}

TEST(ValidateDeploymentTest, ContainerErrors) {
  auto with_containers = [](const char* containers, const char* volumes = "[]") {
    json::value d = Deployment();
    d.at("spec").at("template").at("spec").as_object()["containers"] = json::parse(containers);
    d.at("spec").at("template").at("spec").as_object()["volumes"] = json::parse(volumes);
    return Check("apps", "Deployment", json::serialize(d));
  };
  EXPECT_EQ(with_containers("[]"),
            std::vector<std::string>{"spec.template.spec.containers: Required value"});
  EXPECT_EQ(with_containers(R"([{"image": "nginx"}])"),
            std::vector<std::string>{"spec.template.spec.containers[0].name: Required value"});
  EXPECT_EQ(with_containers(R"([{"name": "web"}])"),
            std::vector<std::string>{"spec.template.spec.containers[0].image: Required value"});
  EXPECT_EQ(with_containers(R"([{"name": "Web", "image": "nginx"}])"),
            std::vector<std::string>{
                std::string("spec.template.spec.containers[0].name: Invalid value: \"Web\": ") +
                kLabelRegexMsg});
  EXPECT_EQ(
      with_containers(R"([{"name": "a", "image": "x"}, {"name": "a", "image": "y"}])"),
      std::vector<std::string>{"spec.template.spec.containers[1].name: Duplicate value: \"a\""});
  EXPECT_EQ(with_containers(
                R"([{"name": "a", "image": "x",
               "volumeMounts": [{"name": "data", "mountPath": "/d"}]}])"),
            std::vector<std::string>{
                "spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"data\""});
  EXPECT_EQ(
      with_containers(R"([{"name": "a", "image": "x"}])", R"([{"name": "v"}, {"name": "v"}])"),
      std::vector<std::string>{"spec.template.spec.volumes[1].name: Duplicate value: \"v\""});
  EXPECT_EQ(
      with_containers(R"([{"name": "a", "image": "x", "ports": [{"containerPort": 70000}]}])"),
      std::vector<std::string>{"spec.template.spec.containers[0].ports[0].containerPort: Invalid "
                               "value: 70000: must be between 1 and 65535, inclusive"});
  EXPECT_EQ(with_containers(
                R"([{"name": "a", "image": "x",
               "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "2"}}}])"),
            std::vector<std::string>{
                "spec.template.spec.containers[0].resources.requests: Invalid value: "
                "\"2\": must be less than or equal to cpu limit of 1"});
  EXPECT_EQ(
      with_containers(R"([{"name": "a", "image": "x", "resources": {"requests": {"cpu": "-1"}}}])"),
      std::vector<std::string>{"spec.template.spec.containers[0].resources.requests[cpu]: Invalid "
                               "value: \"-1\": must be greater than or equal to 0"});
  EXPECT_EQ(
      with_containers(R"([{"name": "a", "image": "x", "resources": {"limits": {"gpu": "1"}}}])"),
      (std::vector<std::string>{
          "spec.template.spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must "
          "be a standard resource type or fully qualified",
          "spec.template.spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must "
          "be a standard resource for containers"}));
  EXPECT_EQ(
      with_containers(
          R"([{"name": "a", "image": "x",
               "livenessProbe": {"exec": {"command": ["true"]}, "successThreshold": 2}}])"),
      std::vector<std::string>{"spec.template.spec.containers[0].livenessProbe.successThreshold: "
                               "Invalid value: 2: must be 1"});
  EXPECT_EQ(with_containers(R"([{"name": "a", "image": "x", "readinessProbe": {}}])"),
            std::vector<std::string>{
                "spec.template.spec.containers[0].readinessProbe: Required value: must "
                "specify a handler type"});
}

TEST(ValidateDeploymentTest, SelectorIsImmutable) {
  json::value changed = Deployment();
  changed.at("spec").at("selector").at("matchLabels").as_object()["tier"] = "x";
  changed.at("spec").at("template").at("metadata").at("labels").as_object()["tier"] = "x";
  EXPECT_EQ(
      Check("apps", "Deployment", json::serialize(changed), kDeployment),
      std::vector<std::string>{
          "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"
          "\"app\":\"web\", \"tier\":\"x\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: "
          "field is immutable"});
  json::value scaled = Deployment();
  scaled.at("spec").as_object()["replicas"] = 3;
  EXPECT_TRUE(Check("apps", "Deployment", json::serialize(scaled), kDeployment).empty());
  json::value renamed = Deployment();
  renamed.at("metadata").at("name") = "other";
  EXPECT_EQ(
      Check("apps", "Deployment", json::serialize(renamed), kDeployment),
      std::vector<std::string>{"metadata.name: Invalid value: \"other\": field is immutable"});
}

const char kStatefulSet[] = R"({"metadata": {"name": "web", "namespace": "default"},
  "spec": {"serviceName": "web", "selector": {"matchLabels": {"app": "web"}},
           "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}})";

TEST(ValidateStatefulSetTest, CreateAndUpdateRules) {
  EXPECT_TRUE(Check("apps", "StatefulSet", kStatefulSet).empty());
  json::value sts = json::parse(kStatefulSet);
  sts.at("spec").at("serviceName") = "other";
  EXPECT_EQ(Check("apps", "StatefulSet", json::serialize(sts), kStatefulSet),
            std::vector<std::string>{
                "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', "
                "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' "
                "and 'minReadySeconds' are forbidden"});
  json::value scaled = json::parse(kStatefulSet);
  scaled.at("spec").as_object()["replicas"] = 3;
  scaled.at("spec").at("template").at("spec").at("containers").at(0).at("image") = "nginx:2";
  EXPECT_TRUE(Check("apps", "StatefulSet", json::serialize(scaled), kStatefulSet).empty());
  json::value bad = json::parse(kStatefulSet);
  bad.at("spec").as_object()["podManagementPolicy"] = "Sometimes";
  bad.at("spec").at("template").at("spec").as_object()["restartPolicy"] = "OnFailure";
  EXPECT_EQ(
      Check("apps", "StatefulSet", json::serialize(bad)),
      (std::vector<std::string>{
          "spec.podManagementPolicy: Invalid value: \"Sometimes\": must be 'OrderedReady' or "
          "'Parallel'",
          "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: "
          "\"Always\""}));
  EXPECT_EQ(
      Check("apps", "StatefulSet", R"({"metadata": {"name": "web.x", "namespace": "d"},
      "spec": {"selector": {"matchLabels": {"a": "b"}},
               "template": {"metadata": {"labels": {"a": "b"}}}}})"),
      std::vector<std::string>{"metadata.name: Invalid value: \"web.x\": must not contain dots"});
}

TEST(ValidateDaemonSetTest, RollingUpdateRules) {
  const char* ds = R"({"metadata": {"name": "agent", "namespace": "kube-system"},
    "spec": {"selector": {"matchLabels": {"app": "agent"}},
             "updateStrategy": {"rollingUpdate": {"maxUnavailable": 0}},
             "template": {"metadata": {"labels": {"app": "agent"}},
                          "spec": {"containers": [{"name": "a", "image": "agent"}]}}}})";
  EXPECT_EQ(
      Check("apps", "DaemonSet", ds),
      std::vector<std::string>{"spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: "
                               "cannot be 0 when maxSurge is 0"});
}

const char kPod[] = R"({"metadata": {"name": "p", "namespace": "default"},
  "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "1"]}]}})";

TEST(ValidatePodTest, CreateRules) {
  EXPECT_TRUE(Check("", "Pod", kPod).empty());
  EXPECT_EQ(
      Check("", "Pod", R"({"metadata": {"name": "p", "namespace": "default"},
      "spec": {"restartPolicy": "Sometimes", "containers": [{"name": "c", "image": " busybox"}],
               "tolerations": [{"key": "k", "operator": "Exists", "value": "v"},
                               {"operator": "Equal"}]}})"),
      (std::vector<std::string>{
          "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
          "\"OnFailure\", \"Never\"",
          "spec.tolerations[0].operator: Invalid value: {\"key\":\"k\",\"operator\":\"Exists\","
          "\"value\":\"v\"}: value must be empty when `operator` is 'Exists'",
          "spec.tolerations[1].operator: Invalid value: \"Equal\": operator must be Exists when "
          "`key` is empty, which means \"match all values and all keys\"",
          "spec.containers[0].image: Invalid value: \" busybox\": must not have leading or "
          "trailing whitespace"}));
  EXPECT_EQ(
      Check("", "Pod", R"({"metadata": {"generateName": "p-", "namespace": "default"},
      "spec": {"containers": [{"name": "c", "image": "i"}]}})"),
      std::vector<std::string>{"metadata.name: Required value: name or generateName is required"});
}

TEST(ValidatePodTest, UpdateRules) {
  // Updates start from the stored (defaulted) object, as kubectl does.
  const ResourceInfo& pods = R("", "Pod");
  json::value stored = json::parse(kPod);
  PrepareForCreate(pods, stored);
  const std::string stored_text = json::serialize(stored);
  auto update = [&](const std::function<void(json::value&)>& edit) {
    json::value now = stored;
    edit(now);
    return Check("", "Pod", json::serialize(now), stored_text.c_str());
  };
  auto container = [](json::value& pod) -> json::object& {
    return pod.at("spec").at("containers").at(0).as_object();
  };
  EXPECT_TRUE(update([&](json::value& p) { container(p)["image"] = "busybox:2"; }).empty());
  EXPECT_TRUE(update([](json::value& p) {
                p.at("spec").as_object()["tolerations"] =
                    json::parse(R"([{"key": "k", "operator": "Exists"}])");
              }).empty());
  EXPECT_TRUE(update([](json::value& p) {
                p.at("spec").as_object()["activeDeadlineSeconds"] = 30;
              }).empty());

  std::vector<std::string> errs = update([&](json::value& p) {
    container(p)["command"] = json::array{"sleep", "2"};
  });
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(
      errs[0].substr(0, errs[0].find('\n')),
      "spec: Forbidden: pod updates may not change fields other than "
      "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
      "`spec.tolerations` (only additions to existing tolerations),"
      "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
      "negative)");
  EXPECT_NE(errs[0].find("command"), std::string::npos);

  EXPECT_EQ(update([](json::value& p) {
              p.at("spec")
                  .at("containers")
                  .as_array()
                  .push_back(json::parse(R"({"name": "d", "image": "i"})"));
            }),
            std::vector<std::string>{
                "spec.containers: Forbidden: pod updates may not add or remove containers"});
  EXPECT_EQ(update([&](json::value& p) { container(p)["image"] = ""; }),
            (std::vector<std::string>{"spec.containers[0].image: Required value",
                                      "spec.containers[0].image: Required value"}));
}

TEST(ValidateCoreTest, ServicesAndNames) {
  EXPECT_TRUE(Check("", "Service", R"({"metadata": {"name": "web", "namespace": "default"},
      "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})")
                  .empty());
  EXPECT_EQ(
      Check("", "Service", R"({"metadata": {"name": "1web", "namespace": "default"},
      "spec": {"type": "Magic"}})"),
      (std::vector<std::string>{
          "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case "
          "alphanumeric characters or '-', start with an alphabetic character, and end with an "
          "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
          "'[a-z]([-a-z0-9]*[a-z0-9])?')",
          "spec.ports: Required value",
          "spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", "
          "\"ExternalName\", \"LoadBalancer\", \"NodePort\""}));
  EXPECT_EQ(
      Check("", "Service", R"({"metadata": {"name": "web", "namespace": "default"},
      "spec": {"ports": [{"port": 80}, {"port": 80, "name": "b"}]}})"),
      (std::vector<std::string>{
          "spec.ports[0].name: Required value",
          "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
          "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
          "StrVal:\"\"}, NodePort:0}"}));
  const char* with_ip = R"({"metadata": {"name": "web", "namespace": "default"},
      "spec": {"clusterIP": "10.96.0.10", "ports": [{"port": 80}]}})";
  EXPECT_EQ(
      Check("", "Service", R"({"metadata": {"name": "web", "namespace": "default"},
      "spec": {"clusterIP": "10.96.0.11", "ports": [{"port": 80}]}})",
            with_ip),
      std::vector<std::string>{"spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.11\"}: may "
                               "not change once set"});
  EXPECT_EQ(Check("", "Namespace", R"({"metadata": {"name": "Team"}})"),
            std::vector<std::string>{std::string("metadata.name: Invalid value: \"Team\": ") +
                                     kLabelRegexMsg});
}

TEST(ValidateCoreTest, StorageNodesAndData) {
  EXPECT_EQ(Check("", "PersistentVolumeClaim",
                  R"({"metadata": {"name": "data", "namespace": "default"}, "spec": {}})"),
            (std::vector<std::string>{
                "spec.accessModes: Required value: at least 1 access mode is required",
                "spec.resources[storage]: Required value"}));
  EXPECT_EQ(
      Check("", "PersistentVolumeClaim", R"({"metadata": {"name": "data", "namespace": "default"},
      "spec": {"accessModes": ["ReadWriteSometimes"],
               "resources": {"requests": {"storage": "0"}}}})"),
      (std::vector<std::string>{
          "spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: "
          "\"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
          "spec.resources[storage]: Invalid value: \"0\": must be greater than zero"}));
  const char* pvc = R"({"metadata": {"name": "data", "namespace": "default"},
      "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})";
  std::vector<std::string> errs =
      Check("", "PersistentVolumeClaim", R"({"metadata": {"name": "data", "namespace": "default"},
      "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "1Gi"}}}})",
            pvc);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].substr(0, errs[0].find('\n')),
            "spec: Forbidden: spec is immutable after creation except resources.requests and "
            "volumeAttributesClassName for bound claims");
  EXPECT_EQ(Check("", "PersistentVolume", R"({"metadata": {"name": "pv1"}, "spec": {}})"),
            (std::vector<std::string>{
                "spec.accessModes: Required value", "spec.capacity: Required value",
                "spec.capacity: Unsupported value: {}: supported values: \"storage\"",
                "spec: Required value: must specify a volume type"}));
  EXPECT_EQ(
      Check("", "Node", R"({"metadata": {"name": "n1"},
      "spec": {"taints": [{"key": "k", "effect": "Sometimes"}, {"key": "a", "effect": "NoSchedule"},
                          {"key": "a", "effect": "NoSchedule"}]}})"),
      (std::vector<std::string>{
          "metadata.taints[0].effect: Unsupported value: \"Sometimes\": supported values: "
          "\"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
          "metadata.taints[2]: Duplicate value: core.Taint{Key:\"a\", Value:\"\", "
          "Effect:\"NoSchedule\", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and "
          "effect pair"}));
  EXPECT_EQ(
      Check("", "ConfigMap",
            R"({"metadata": {"name": "c", "namespace": "d"}, "data": {"a b": "x"}})"),
      std::vector<std::string>{
          "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric "
          "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex "
          "used for validation is '[-._a-zA-Z0-9]+')"});
  EXPECT_EQ(Check("", "Secret",
                  R"({"metadata": {"name": "tls", "namespace": "d"}, "type": "kubernetes.io/tls",
      "data": {"tls.crt": "eA=="}})"),
            std::vector<std::string>{"data[tls.key]: Required value"});
  EXPECT_EQ(Check("", "Secret", R"({"metadata": {"name": "s", "namespace": "d"}, "type": "x"})",
                  R"({"metadata": {"name": "s", "namespace": "d"}})"),
            std::vector<std::string>{"type: Invalid value: \"x\": field is immutable"});
}

TEST(ValidateCoreTest, EventsAndOtherGroups) {
  EXPECT_EQ(
      Check("", "Event", R"({"metadata": {"name": "e.1", "namespace": "default"},
      "involvedObject": {"kind": "Pod", "name": "p", "namespace": "other"}, "reason": "Started"})"),
      std::vector<std::string>{"involvedObject.namespace: Invalid value: \"other\": does not match "
                               "event.namespace"});
  EXPECT_TRUE(Check("", "Event", R"({"metadata": {"name": "n1.17a", "namespace": "default"},
      "involvedObject": {"kind": "Node", "name": "n1"}})")
                  .empty());
  EXPECT_EQ(Check("coordination.k8s.io", "Lease",
                  R"({"metadata": {"name": "n1", "namespace": "kube-node-lease"},
      "spec": {"leaseDurationSeconds": 0}})"),
            std::vector<std::string>{
                "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"});
  EXPECT_EQ(Check("storage.k8s.io", "StorageClass", R"({"metadata": {"name": "fast"}})"),
            std::vector<std::string>{"provisioner: Required value"});
  EXPECT_EQ(
      Check("policy", "PodDisruptionBudget", R"({"metadata": {"name": "p", "namespace": "d"},
      "spec": {"minAvailable": 1, "maxUnavailable": "200%"}})"),
      (std::vector<std::string>{
          "spec: Invalid value: {\"minAvailable\":1,\"maxUnavailable\":\"200%\"}: minAvailable and "
          "maxUnavailable cannot be both set",
          "spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, "
          "StrVal:\"200%\"}: must not be greater than 100%"}));
}

TEST(CheckDecodableTest, RejectsUnparseableQuantities) {
  json::value pod = json::parse(R"({"spec": {"containers": [{"name": "c", "image": "i",
      "resources": {"limits": {"cpu": "one"}}}]}})");
  absl::Status st = CheckDecodable(R("", "Pod"), pod);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "quantities must match the regular expression "
            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  EXPECT_TRUE(CheckDecodable(R("apps", "Deployment"), json::parse(kDeployment)).ok());
}

}  // namespace
}  // namespace skiff::api::kinds
