#include "skiff/api/openapi/openapi.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <string>

#include "skiff/api/openapi/schema.h"
#include "skiff/api/openapi/strings.h"
#include "skiff/api/openapi/unknown_fields.h"
#include "skiff/api/resources.h"

namespace skiff::api::openapi {
namespace {

namespace json = boost::json;
using internal::Cat;
using internal::ConsumePrefix;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

json::value Parse(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  EXPECT_FALSE(ec) << ec.message() << " in " << text.substr(0, 200);
  return v;
}

std::string DocPath(const ResourceInfo& r) {
  return r.group.empty() ? Cat("api/", r.version) : Cat("apis/", r.group, "/", r.version);
}

json::value Doc(std::string_view path) {
  absl::StatusOr<std::string> body = GroupVersionDocument(path);
  EXPECT_TRUE(body.ok()) << body.status();
  return body.ok() ? Parse(*body) : json::value();
}

const json::object* Obj(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : it->value().if_object();
}

const json::object* Obj(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  return o == nullptr ? nullptr : Obj(*o, key);
}

// Follows "$ref" and single-element "allOf" wrappers the way kubectl does.
const json::object* Resolve(const json::value& doc, const json::object* s) {
  for (int guard = 0; s != nullptr && guard < 10; ++guard) {
    if (auto it = s->find("$ref"); it != s->end()) {
      std::string_view ref = it->value().as_string();
      EXPECT_TRUE(ConsumePrefix(&ref, "#/components/schemas/")) << ref;
      s = Obj(doc.at("components").at("schemas"), ref);
      continue;
    }
    if (auto it = s->find("allOf"); it != s->end() && !s->contains("properties")) {
      s = it->value().as_array()[0].if_object();
      continue;
    }
    return s;
  }
  return s;
}

// The schema reached by a kubectl-explain style field path from a top-level kind.
const json::object* Explain(const json::value& doc, const json::object* root,
                            std::initializer_list<std::string_view> path) {
  const json::object* s = Resolve(doc, root);
  size_t left = path.size();
  for (std::string_view step : path) {
    if (s == nullptr) return nullptr;
    if (auto it = s->find("items"); it != s->end() && !s->contains("properties")) {
      s = Resolve(doc, it->value().if_object());
    }
    const json::object* props = s == nullptr ? nullptr : Obj(*s, "properties");
    if (props == nullptr || !props->contains(step)) return nullptr;
    const json::object* field = props->at(step).if_object();
    s = field;
    if (--left > 0) s = Resolve(doc, s);
  }
  return s;
}

const json::object* KindSchema(const json::value& doc, std::string_view name) {
  return Obj(doc.at("components").at("schemas"), name);
}

TEST(SchemaTableTest, ParsesWithoutErrors) {
  EXPECT_TRUE(SchemaTableStatus().ok()) << SchemaTableStatus();
  EXPECT_GT(AllSchemas().size(), 200u);
}

TEST(SchemaTableTest, EveryServedResourceHasAKindAndListSchema) {
  for (const ResourceInfo& r : AllResources()) {
    const Schema* s = SchemaFor(r);
    ASSERT_NE(s, nullptr) << r.GroupResource();
    ASSERT_EQ(s->gvks.size(), 1u);
    EXPECT_EQ(s->gvks[0].kind, r.kind);
    for (std::string_view f : {"apiVersion", "kind", "metadata"}) {
      EXPECT_NE(s->FindField(f), nullptr) << r.kind << "." << f;
    }
    EXPECT_NE(FindSchema(Cat(s->name, "List")), nullptr) << r.kind;
    for (std::string_view sub : r.subresources) {
      if (sub == "status" || sub == "scale") {
        EXPECT_NE(SchemaFor(r, sub), nullptr) << sub;
      }
    }
  }
}

TEST(SchemaTableTest, KnowsListSemanticsUsedByStrategicMerge) {
  const Schema* spec = FindSchema("io.k8s.api.core.v1.PodSpec");
  ASSERT_NE(spec, nullptr);
  const Field* containers = spec->FindField("containers");
  ASSERT_NE(containers, nullptr);
  EXPECT_EQ(containers->patch_merge_key, "name");
  EXPECT_EQ(containers->patch_strategy, "merge");
  EXPECT_EQ(containers->list_type, "map");
  EXPECT_TRUE(containers->required);
  const Field* volumes = spec->FindField("volumes");
  EXPECT_EQ(volumes->patch_strategy, "merge,retainKeys");
  const Field* ports = FindSchema("io.k8s.api.core.v1.Container")->FindField("ports");
  EXPECT_EQ(ports->patch_merge_key, "containerPort");
  EXPECT_THAT(ports->list_map_keys, ElementsAre("containerPort", "protocol"));
  EXPECT_EQ(FindSchema("DeploymentSpec")->FindField("strategy")->patch_strategy, "retainKeys");
  EXPECT_EQ(FindSchema("ObjectMeta")->FindField("finalizers")->list_type, "set");
  EXPECT_EQ(FindSchema("Volume")->FindField("configMap")->ref->name,
            "io.k8s.api.core.v1.ConfigMapVolumeSource");
  // EphemeralContainer inlines every Container field.
  EXPECT_EQ(FindSchema("EphemeralContainer")->fields.size(),
            FindSchema("Container")->fields.size() + 1);
  EXPECT_EQ(FindSchema("Quantity")->kind, ValueKind::kQuantity);
  // Short names shared by two groups need the full name.
  EXPECT_EQ(FindSchema("Event"), nullptr);
  EXPECT_NE(FindSchema("io.k8s.api.events.v1.Event"), FindSchema("io.k8s.api.core.v1.Event"));
  const ResourceInfo* pods = FindKind("", "Pod");
  EXPECT_EQ(SchemaFor(*pods, "binding"), FindSchema("io.k8s.api.core.v1.Binding"));
  EXPECT_EQ(SchemaFor(*pods, "eviction"), FindSchema("io.k8s.api.policy.v1.Eviction"));
  EXPECT_EQ(SchemaFor(*pods, "exec"), nullptr);
}

TEST(OpenApiTest, IndexListsEveryGroupVersionWithItsHash) {
  absl::StatusOr<std::string> index = IndexDocument();
  ASSERT_TRUE(index.ok()) << index.status();
  json::value v = Parse(*index);
  const json::object* paths = Obj(v, "paths");
  ASSERT_NE(paths, nullptr);
  std::vector<std::string> want = DocumentPaths();
  EXPECT_EQ(paths->size(), want.size());
  EXPECT_EQ(want.front(), "api/v1");
  EXPECT_NE(std::find(want.begin(), want.end(), "apis/apps/v1"), want.end());
  for (const std::string& p : want) {
    ASSERT_TRUE(paths->contains(p)) << p;
    absl::StatusOr<std::string> hash = GroupVersionHash(p);
    ASSERT_TRUE(hash.ok());
    EXPECT_EQ(hash->size(), 32u);
    for (char c : *hash) EXPECT_TRUE(std::isdigit(c) || (c >= 'A' && c <= 'F')) << *hash;
    EXPECT_EQ(paths->at(p).at("serverRelativeURL").as_string(),
              Cat("/openapi/v3/", p, "?hash=", *hash));
  }
  // Cached and stable.
  EXPECT_EQ(*IndexDocument(), *index);
}

TEST(OpenApiTest, UnknownGroupVersionIsNotFound) {
  EXPECT_EQ(GroupVersionDocument("apis/nope/v1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(GroupVersionDocument("/openapi/v3/apis/apps/v1?hash=X").ok());
  EXPECT_TRUE(GroupVersionDocument("/api/v1").ok());
}

TEST(OpenApiTest, EveryResourceHasPatchWithFieldValidationAndGvk) {
  for (const ResourceInfo& r : AllResources()) {
    SCOPED_TRACE(r.GroupResource());
    json::value doc = Doc(DocPath(r));
    EXPECT_EQ(doc.at("openapi").as_string(), "3.0.0");
    std::string prefix = r.group.empty() ? "/api/v1" : Cat("/apis/", r.group, "/", r.version);
    std::string item = r.namespaced ? Cat(prefix, "/namespaces/{namespace}/", r.plural, "/{name}")
                                    : Cat(prefix, "/", r.plural, "/{name}");
    const json::object* path = Obj(doc.at("paths"), item);
    ASSERT_NE(path, nullptr) << item;
    const json::object* patch = Obj(*path, "patch");
    ASSERT_NE(patch, nullptr);
    const json::object& gvk = patch->at("x-kubernetes-group-version-kind").as_object();
    EXPECT_EQ(gvk.at("group").as_string(), r.group);
    EXPECT_EQ(gvk.at("version").as_string(), r.version);
    EXPECT_EQ(gvk.at("kind").as_string(), r.kind);
    EXPECT_EQ(patch->at("x-kubernetes-action").as_string(), "patch");
    std::vector<std::string> params;
    for (const json::value& p : patch->at("parameters").as_array()) {
      params.emplace_back(p.at("name").as_string());
    }
    EXPECT_THAT(params,
                ::testing::IsSupersetOf({"fieldValidation", "fieldManager", "dryRun", "force"}));
    const json::object& content = patch->at("requestBody").at("content").as_object();
    for (std::string_view t :
         {"application/json-patch+json", "application/merge-patch+json",
          "application/strategic-merge-patch+json", "application/apply-patch+yaml"}) {
      EXPECT_TRUE(content.contains(t)) << t;
    }
    // Every other operation carries the GVK and an action too.
    for (const auto& [p, ops] : doc.at("paths").as_object()) {
      for (const auto& [method, op] : ops.as_object()) {
        if (method == "parameters") continue;
        EXPECT_TRUE(op.as_object().contains("x-kubernetes-group-version-kind")) << p << method;
        EXPECT_TRUE(op.as_object().contains("x-kubernetes-action")) << p << method;
      }
    }
    // kubectl explain: the kind schema carries the same GVK object as the operations.
    const json::object* kind = nullptr;
    for (const auto& [name, s] : doc.at("components").at("schemas").as_object()) {
      auto it = s.as_object().find("x-kubernetes-group-version-kind");
      if (it == s.as_object().end()) continue;
      for (const json::value& g : it->value().as_array()) {
        if (g == json::value(gvk)) kind = &s.as_object();
      }
    }
    EXPECT_NE(kind, nullptr);
  }
}

TEST(OpenApiTest, CollectionAndSubresourcePaths) {
  json::value apps = Doc("apis/apps/v1");
  const json::object& paths = apps.at("paths").as_object();
  const json::object* coll = Obj(paths, "/apis/apps/v1/namespaces/{namespace}/deployments");
  ASSERT_NE(coll, nullptr);
  EXPECT_EQ(coll->at("get").at("x-kubernetes-action").as_string(), "list");
  EXPECT_EQ(coll->at("post").at("x-kubernetes-action").as_string(), "post");
  EXPECT_EQ(coll->at("delete").at("x-kubernetes-action").as_string(), "deletecollection");
  EXPECT_EQ(coll->at("get").at("operationId").as_string(), "listAppsV1NamespacedDeployment");
  EXPECT_TRUE(paths.contains("/apis/apps/v1/deployments"));
  const json::object* scale =
      Obj(paths, "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ(scale->at("patch").at("x-kubernetes-group-version-kind").at("kind").as_string(),
            "Scale");
  EXPECT_TRUE(paths.contains("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status"));
  EXPECT_TRUE(Obj(apps.at("components").at("schemas"), "io.k8s.api.autoscaling.v1.Scale"));

  json::value core = Doc("api/v1");
  const json::object& cpaths = core.at("paths").as_object();
  EXPECT_TRUE(cpaths.contains("/api/v1/nodes/{name}"));
  EXPECT_TRUE(cpaths.contains("/api/v1/namespaces/{namespace}/pods/{name}/log"));
  EXPECT_TRUE(cpaths.contains("/api/v1/namespaces/{namespace}/pods/{name}/binding"));
  EXPECT_TRUE(cpaths.contains("/api/v1/namespaces/{name}/finalize"));
  // Namespaces have no deletecollection verb.
  EXPECT_FALSE(Obj(cpaths, "/api/v1/namespaces")->contains("delete"));
}

TEST(OpenApiTest, EveryRefResolves) {
  for (const std::string& p : DocumentPaths()) {
    SCOPED_TRACE(p);
    json::value doc = Doc(p);
    const json::object& schemas = doc.at("components").at("schemas").as_object();
    int refs = 0;
    std::function<void(const json::value&)> walk = [&](const json::value& v) {
      if (const json::object* o = v.if_object()) {
        for (const auto& [k, child] : *o) {
          if (k == "$ref") {
            std::string_view ref = child.as_string();
            ASSERT_TRUE(ConsumePrefix(&ref, "#/components/schemas/"));
            EXPECT_TRUE(schemas.contains(ref)) << ref;
            ++refs;
          } else {
            walk(child);
          }
        }
      } else if (const json::array* a = v.if_array()) {
        for (const json::value& child : *a) walk(child);
      }
    };
    walk(doc);
    EXPECT_GT(refs, 10);
  }
}

TEST(OpenApiTest, ExplainDeploymentSpecStrategy) {
  json::value doc = Doc("apis/apps/v1");
  const json::object* dep = KindSchema(doc, "io.k8s.api.apps.v1.Deployment");
  ASSERT_NE(dep, nullptr);
  const json::object* strategy = Explain(doc, dep, {"spec", "strategy"});
  ASSERT_NE(strategy, nullptr);
  EXPECT_EQ(strategy->at("x-kubernetes-patch-strategy").as_string(), "retainKeys");
  EXPECT_EQ(strategy->at("allOf").at(0).at("$ref").as_string(),
            "#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy");
  const json::object* resolved = Resolve(doc, strategy);
  ASSERT_NE(resolved, nullptr);
  EXPECT_TRUE(resolved->at("properties").as_object().contains("rollingUpdate"));
  EXPECT_THAT(resolved->at("properties").at("type").at("enum").as_array(),
              ElementsAre("Recreate", "RollingUpdate"));
  const json::object* max_surge =
      Explain(doc, dep, {"spec", "strategy", "rollingUpdate", "maxSurge"});
  ASSERT_NE(max_surge, nullptr);
  const json::object* ios = Resolve(doc, max_surge);
  EXPECT_EQ(ios->at("format").as_string(), "int-or-string");
}

TEST(OpenApiTest, ExplainPodSpecContainers) {
  json::value doc = Doc("api/v1");
  const json::object* pod = KindSchema(doc, "io.k8s.api.core.v1.Pod");
  ASSERT_NE(pod, nullptr);
  const json::object* containers = Explain(doc, pod, {"spec", "containers"});
  ASSERT_NE(containers, nullptr);
  EXPECT_EQ(containers->at("type").as_string(), "array");
  EXPECT_EQ(containers->at("x-kubernetes-patch-merge-key").as_string(), "name");
  EXPECT_EQ(containers->at("x-kubernetes-patch-strategy").as_string(), "merge");
  EXPECT_EQ(containers->at("x-kubernetes-list-type").as_string(), "map");
  const json::object* image = Explain(doc, pod, {"spec", "containers", "image"});
  ASSERT_NE(image, nullptr);
  EXPECT_EQ(image->at("type").as_string(), "string");
  EXPECT_FALSE(image->at("description").as_string().empty());
  EXPECT_NE(Explain(doc, pod, {"spec", "containers", "livenessProbe", "httpGet", "port"}), nullptr);
  const json::object* required = Resolve(doc, Explain(doc, pod, {"spec"}));
  EXPECT_THAT(required->at("required").as_array(), ElementsAre("containers"));
  // Deployments reach the same PodSpec through the template.
  json::value apps = Doc("apis/apps/v1");
  EXPECT_NE(Explain(apps, KindSchema(apps, "io.k8s.api.apps.v1.Deployment"),
                    {"spec", "template", "spec", "containers", "resources", "limits"}),
            nullptr);
}

// ---------------------------------------------------------------------------------------------
// Unknown fields

TEST(UnknownFieldsTest, FindsTyposWithKubernetesPaths) {
  const ResourceInfo* deploy = FindKind("apps", "Deployment");
  ASSERT_NE(deploy, nullptr);
  json::value obj = Parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "labelz": {"a": "b"}},
    "spec": {"replicas": 2, "foo": 1,
      "selector": {"matchLabels": {"app": "web"}},
      "template": {"metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [
          {"name": "a", "image": "nginx"},
          {"name": "b", "image": "nginx", "imagePullPolicyy": "Always",
           "ports": [{"containerPort": 80, "protcol": "TCP"}]}]}}}})");
  EXPECT_THAT(UnknownFields(*deploy, obj),
              ElementsAre("metadata.labelz", "spec.foo",
                          "spec.template.spec.containers[1].imagePullPolicyy",
                          "spec.template.spec.containers[1].ports[0].protcol"));
  EXPECT_EQ(StrictDecodingMessage({"spec.foo", "spec.bar"}),
            R"(strict decoding error: unknown field "spec.foo", unknown field "spec.bar")");
  EXPECT_EQ(UnknownFieldWarning("spec.foo"), R"(unknown field "spec.foo")");
}

TEST(UnknownFieldsTest, FieldNamesAreCaseSensitive) {
  const ResourceInfo* pod = FindKind("", "Pod");
  json::value obj = Parse(R"({"spec": {"Containers": [], "nodeName": "n1"}})");
  EXPECT_THAT(UnknownFields(*pod, obj), ElementsAre("spec.Containers"));
}

TEST(UnknownFieldsTest, FreeFormSubtreesAreNotEntered) {
  const ResourceInfo* cr = FindKind("apps", "ControllerRevision");
  json::value obj = Parse(R"({
    "apiVersion": "apps/v1", "kind": "ControllerRevision",
    "metadata": {"name": "web-5d", "managedFields": [{"manager": "kube-controller-manager",
      "operation": "Update", "apiVersion": "apps/v1", "time": "2024-01-01T00:00:00Z",
      "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {".": {}, "f:spec": {}}}}]},
    "data": {"spec": {"template": {"$patch": "replace", "anything": [1, 2, {"x": 1}]}}},
    "revision": 3})");
  EXPECT_THAT(UnknownFields(*cr, obj), IsEmpty());
  // Type mismatches are validation errors, not unknown fields.
  const ResourceInfo* pod = FindKind("", "Pod");
  EXPECT_THAT(UnknownFields(*pod, Parse(R"({"spec": "oops", "status": null})")), IsEmpty());
  // Map values of free types and quantities are not walked.
  EXPECT_THAT(UnknownFields(*pod, Parse(R"({"spec": {"overhead": {"cpu": "1", "x": 2}}})")),
              IsEmpty());
}

TEST(UnknownFieldsTest, StopsAtOneHundred) {
  json::object spec;
  for (int i = 0; i < 150; ++i) spec[Cat("bogus", i)] = i;
  json::value obj = json::object{{"spec", spec}};
  EXPECT_EQ(UnknownFields(*FindKind("", "Pod"), obj).size(), 100u);
}

constexpr std::string_view kDeployment = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "namespace": "default", "uid": "0b6c0a8e-1111-2222-3333-444455556666",
    "resourceVersion": "1234", "generation": 3, "creationTimestamp": "2024-05-01T10:00:00Z",
    "labels": {"app": "web", "tier": "frontend"},
    "annotations": {"deployment.kubernetes.io/revision": "2",
      "kubectl.kubernetes.io/last-applied-configuration": "{}"},
    "finalizers": ["example.com/keep"],
    "ownerReferences": [{"apiVersion": "example.com/v1", "kind": "App", "name": "web",
      "uid": "9a1c2b3d-0000-0000-0000-000000000001", "controller": true,
      "blockOwnerDeletion": true}],
    "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update",
      "apiVersion": "apps/v1", "time": "2024-05-01T10:00:00Z", "fieldsType": "FieldsV1",
      "fieldsV1": {"f:spec": {"f:replicas": {}}}}]},
  "spec": {"replicas": 3, "revisionHistoryLimit": 5, "progressDeadlineSeconds": 600,
    "minReadySeconds": 5, "paused": false,
    "selector": {"matchLabels": {"app": "web"},
      "matchExpressions": [{"key": "tier", "operator": "In", "values": ["frontend"]}]},
    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
    "template": {
      "metadata": {"labels": {"app": "web", "tier": "frontend"},
        "annotations": {"prometheus.io/scrape": "true"}},
      "spec": {
        "serviceAccountName": "web", "automountServiceAccountToken": false,
        "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
        "schedulerName": "default-scheduler", "priorityClassName": "high", "enableServiceLinks": false,
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "imagePullSecrets": [{"name": "regcred"}],
        "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["db.local"]}],
        "dnsConfig": {"nameservers": ["1.1.1.1"], "searches": ["svc.cluster.local"],
          "options": [{"name": "ndots", "value": "2"}]},
        "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "runAsGroup": 3000,
          "fsGroup": 2000, "fsGroupChangePolicy": "OnRootMismatch",
          "supplementalGroups": [4000], "seccompProfile": {"type": "RuntimeDefault"},
          "sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}]},
        "affinity": {
          "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}]}]},
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 10, "preference": {
              "matchExpressions": [{"key": "disktype", "operator": "In", "values": ["ssd"]}]}}]},
          "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100,
            "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "web"}},
              "topologyKey": "kubernetes.io/hostname", "matchLabelKeys": ["pod-template-hash"]}}]},
          "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
            "labelSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]},
            "namespaceSelector": {}, "namespaces": ["cache"], "topologyKey": "topology.kubernetes.io/zone"}]}},
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"},
          {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
           "tolerationSeconds": 300}],
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
          "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "web"}},
          "minDomains": 2, "nodeAffinityPolicy": "Honor", "nodeTaintsPolicy": "Ignore",
          "matchLabelKeys": ["pod-template-hash"]}],
        "initContainers": [{"name": "migrate", "image": "web:1.2", "command": ["/migrate"],
          "args": ["--up"], "envFrom": [{"configMapRef": {"name": "web-config"}},
            {"secretRef": {"name": "web-secret", "optional": true}, "prefix": "SECRET_"}]},
          {"name": "proxy", "image": "envoy:1.30", "restartPolicy": "Always",
           "startupProbe": {"tcpSocket": {"port": 9901}, "failureThreshold": 30, "periodSeconds": 2}}],
        "containers": [{
          "name": "web", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
          "workingDir": "/srv", "command": ["nginx"], "args": ["-g", "daemon off;"],
          "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"},
            {"name": "metrics", "containerPort": 9113, "hostPort": 0, "hostIP": "0.0.0.0"}],
          "env": [{"name": "MODE", "value": "prod"},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {"name": "MEM", "valueFrom": {"resourceFieldRef": {"containerName": "web",
              "resource": "limits.memory", "divisor": "1Mi"}}},
            {"name": "DB", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
            {"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "web-config", "key": "level",
              "optional": true}}}],
          "resources": {"requests": {"cpu": "250m", "memory": "64Mi"},
            "limits": {"cpu": 1, "memory": "128Mi", "ephemeral-storage": "1Gi"}},
          "resizePolicy": [{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
          "volumeMounts": [{"name": "config", "mountPath": "/etc/nginx/conf.d", "readOnly": true},
            {"name": "cache", "mountPath": "/var/cache/nginx", "subPath": "nginx",
             "mountPropagation": "None"},
            {"name": "tls", "mountPath": "/tls", "readOnly": true, "recursiveReadOnly": "IfPossible"}],
          "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP",
            "httpHeaders": [{"name": "X-Probe", "value": "1"}]}, "initialDelaySeconds": 10,
            "periodSeconds": 10, "timeoutSeconds": 2, "failureThreshold": 3, "successThreshold": 1,
            "terminationGracePeriodSeconds": 20},
          "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]}},
          "startupProbe": {"grpc": {"port": 9090, "service": "health"}},
          "lifecycle": {"postStart": {"exec": {"command": ["/bin/true"]}},
            "preStop": {"sleep": {"seconds": 5}}},
          "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
            "privileged": false, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
            "seLinuxOptions": {"level": "s0:c123,c456"}, "procMount": "Default",
            "appArmorProfile": {"type": "RuntimeDefault"}},
          "terminationMessagePath": "/dev/termination-log",
          "terminationMessagePolicy": "FallbackToLogsOnError",
          "stdin": false, "stdinOnce": false, "tty": false}],
        "volumes": [
          {"name": "config", "configMap": {"name": "web-config", "defaultMode": 420,
            "items": [{"key": "default.conf", "path": "default.conf", "mode": 256}]}},
          {"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "256Mi"}},
          {"name": "tls", "secret": {"secretName": "web-tls", "optional": false}},
          {"name": "data", "persistentVolumeClaim": {"claimName": "web-data", "readOnly": true}},
          {"name": "host", "hostPath": {"path": "/var/log", "type": "Directory"}},
          {"name": "nfs", "nfs": {"server": "nfs.local", "path": "/exports", "readOnly": true}},
          {"name": "info", "downwardAPI": {"items": [{"path": "labels",
            "fieldRef": {"fieldPath": "metadata.labels"}}]}},
          {"name": "token", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"audience": "vault", "expirationSeconds": 3600, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
              "fieldPath": "metadata.namespace"}}]}},
            {"secret": {"name": "extra", "optional": true}}]}},
          {"name": "scratch", "ephemeral": {"volumeClaimTemplate": {
            "metadata": {"labels": {"type": "scratch"}},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "fast",
              "resources": {"requests": {"storage": "1Gi"}}}}}},
          {"name": "csi", "csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": true,
            "volumeAttributes": {"secretProviderClass": "vault"}}},
          {"name": "models", "image": {"reference": "registry.local/models:v1", "pullPolicy": "IfNotPresent"}}]}}},
  "status": {"observedGeneration": 3, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3,
    "availableReplicas": 3, "unavailableReplicas": 0, "collisionCount": 0,
    "conditions": [{"type": "Available", "status": "True", "lastUpdateTime": "2024-05-01T10:01:00Z",
      "lastTransitionTime": "2024-05-01T10:01:00Z", "reason": "MinimumReplicasAvailable",
      "message": "Deployment has minimum availability."}]}})";

constexpr std::string_view kStatefulSet = R"({
  "apiVersion": "apps/v1", "kind": "StatefulSet",
  "metadata": {"name": "db", "namespace": "data", "labels": {"app": "db"}},
  "spec": {"replicas": 3, "serviceName": "db", "podManagementPolicy": "Parallel",
    "minReadySeconds": 10, "revisionHistoryLimit": 3,
    "selector": {"matchLabels": {"app": "db"}},
    "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "maxUnavailable": 1}},
    "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Delete"},
    "ordinals": {"start": 1},
    "template": {"metadata": {"labels": {"app": "db"}},
      "spec": {"containers": [{"name": "postgres", "image": "postgres:16",
        "ports": [{"containerPort": 5432, "name": "pg"}],
        "env": [{"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"}],
        "volumeMounts": [{"name": "data", "mountPath": "/var/lib/postgresql/data"}],
        "readinessProbe": {"exec": {"command": ["pg_isready"]}, "periodSeconds": 5}}],
        "securityContext": {"fsGroup": 999}}},
    "volumeClaimTemplates": [{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
      "metadata": {"name": "data", "labels": {"app": "db"}},
      "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
        "volumeMode": "Filesystem", "resources": {"requests": {"storage": "10Gi"}}},
      "status": {"phase": "Pending"}}]},
  "status": {"observedGeneration": 1, "replicas": 3, "readyReplicas": 3, "currentReplicas": 3,
    "updatedReplicas": 3, "availableReplicas": 3, "currentRevision": "db-7c9f",
    "updateRevision": "db-7c9f", "collisionCount": 0, "conditions": []}})";

constexpr std::string_view kDaemonSet = R"({
  "apiVersion": "apps/v1", "kind": "DaemonSet",
  "metadata": {"name": "node-exporter", "namespace": "monitoring"},
  "spec": {"selector": {"matchLabels": {"app": "node-exporter"}}, "minReadySeconds": 0,
    "revisionHistoryLimit": 10,
    "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "10%", "maxSurge": 0}},
    "template": {"metadata": {"labels": {"app": "node-exporter"}},
      "spec": {"hostNetwork": true, "hostPID": true, "priorityClassName": "system-node-critical",
        "tolerations": [{"operator": "Exists"}],
        "containers": [{"name": "exporter", "image": "prom/node-exporter:v1.8.1",
          "args": ["--path.rootfs=/host"],
          "ports": [{"containerPort": 9100, "hostPort": 9100, "name": "metrics"}],
          "volumeMounts": [{"name": "root", "mountPath": "/host", "readOnly": true,
            "mountPropagation": "HostToContainer"}],
          "resources": {"limits": {"memory": "180Mi"}, "requests": {"cpu": "102m", "memory": "180Mi"}}}],
        "volumes": [{"name": "root", "hostPath": {"path": "/"}}]}}},
  "status": {"currentNumberScheduled": 2, "numberMisscheduled": 0, "desiredNumberScheduled": 2,
    "numberReady": 2, "observedGeneration": 1, "updatedNumberScheduled": 2, "numberAvailable": 2,
    "numberUnavailable": 0}})";

constexpr std::string_view kPod = R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "web-7d9c-abcde", "generateName": "web-7d9c-", "namespace": "default",
    "labels": {"app": "web", "pod-template-hash": "7d9c"},
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d9c",
      "uid": "1", "controller": true, "blockOwnerDeletion": true}],
    "deletionGracePeriodSeconds": 30, "deletionTimestamp": "2024-05-01T10:10:00Z"},
  "spec": {"nodeName": "n1", "hostname": "web", "subdomain": "web-headless",
    "shareProcessNamespace": true, "setHostnameAsFQDN": false, "hostUsers": true,
    "os": {"name": "linux"}, "runtimeClassName": "runc", "preemptionPolicy": "PreemptLowerPriority",
    "priority": 1000, "overhead": {"cpu": "10m"}, "readinessGates": [{"conditionType": "example.com/ready"}],
    "schedulingGates": [{"name": "example.com/quota"}],
    "resourceClaims": [{"name": "gpu", "resourceClaimTemplateName": "gpu-template"}],
    "containers": [{"name": "web", "image": "nginx", "resources": {"claims": [{"name": "gpu"}]},
      "volumeDevices": [{"name": "raw", "devicePath": "/dev/xvda"}]}],
    "ephemeralContainers": [{"name": "debugger", "image": "busybox", "targetContainerName": "web",
      "stdin": true, "tty": true}],
    "volumes": [{"name": "raw", "persistentVolumeClaim": {"claimName": "raw-block"}}]},
  "status": {"phase": "Running", "qosClass": "Burstable", "hostIP": "10.0.0.5",
    "hostIPs": [{"ip": "10.0.0.5"}], "podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}],
    "startTime": "2024-05-01T10:00:01Z", "nominatedNodeName": "", "message": "", "reason": "",
    "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": null,
      "lastTransitionTime": "2024-05-01T10:00:05Z"}],
    "containerStatuses": [{"name": "web", "ready": true, "started": true, "restartCount": 1,
      "image": "docker.io/library/nginx:latest", "imageID": "docker.io/library/nginx@sha256:abc",
      "containerID": "containerd://0123",
      "state": {"running": {"startedAt": "2024-05-01T10:00:04Z"}},
      "lastState": {"terminated": {"exitCode": 137, "signal": 9, "reason": "OOMKilled",
        "message": "", "startedAt": "2024-05-01T09:00:00Z", "finishedAt": "2024-05-01T10:00:00Z",
        "containerID": "containerd://0122"}},
      "allocatedResources": {"cpu": "250m"}, "resources": {"requests": {"cpu": "250m"}},
      "volumeMounts": [{"name": "kube-api-access", "mountPath": "/var/run/secrets", "readOnly": true,
        "recursiveReadOnly": "Disabled"}],
      "user": {"linux": {"uid": 101, "gid": 101, "supplementalGroups": [101]}}}],
    "initContainerStatuses": [{"name": "init", "ready": false, "restartCount": 0, "image": "busybox",
      "imageID": "", "state": {"waiting": {"reason": "PodInitializing", "message": "waiting"}}}],
    "resourceClaimStatuses": [{"name": "gpu", "resourceClaimName": "web-gpu-x7k"}]}})";

constexpr std::string_view kPvc = R"({
  "apiVersion": "v1", "kind": "PersistentVolumeClaim",
  "metadata": {"name": "data-db-0", "namespace": "data",
    "annotations": {"pv.kubernetes.io/bind-completed": "yes"}, "finalizers": ["kubernetes.io/pvc-protection"]},
  "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard", "volumeMode": "Filesystem",
    "volumeName": "pvc-123", "resources": {"requests": {"storage": "10Gi"}, "limits": {"storage": "20Gi"}},
    "selector": {"matchLabels": {"tier": "db"}},
    "dataSource": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": "snap-1"},
    "dataSourceRef": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": "snap-1"},
    "volumeAttributesClassName": "gold"},
  "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"},
    "allocatedResources": {"storage": "10Gi"}, "allocatedResourceStatuses": {"storage": "NodeResizePending"},
    "currentVolumeAttributesClassName": "gold",
    "modifyVolumeStatus": {"targetVolumeAttributesClassName": "silver", "status": "InProgress"},
    "conditions": [{"type": "Resizing", "status": "True", "lastProbeTime": null,
      "lastTransitionTime": "2024-05-01T10:00:00Z", "reason": "", "message": ""}]}})";

constexpr std::string_view kNode = R"({
  "apiVersion": "v1", "kind": "Node",
  "metadata": {"name": "n1", "labels": {"kubernetes.io/hostname": "n1", "kubernetes.io/os": "linux"},
    "annotations": {"node.alpha.kubernetes.io/ttl": "0"}},
  "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"], "providerID": "kind://n1",
    "unschedulable": true,
    "taints": [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule",
      "timeAdded": "2024-05-01T10:00:00Z"}]},
  "status": {
    "capacity": {"cpu": "8", "memory": "32863804Ki", "pods": "110", "ephemeral-storage": "100Gi",
      "hugepages-2Mi": "0"},
    "allocatable": {"cpu": "7800m", "memory": "32Gi", "pods": "110"},
    "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": "2024-05-01T10:00:00Z",
      "lastTransitionTime": "2024-05-01T09:00:00Z", "reason": "KubeletReady",
      "message": "kubelet is posting ready status"}],
    "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}, {"type": "Hostname", "address": "n1"}],
    "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
    "nodeInfo": {"machineID": "m", "systemUUID": "s", "bootID": "b", "kernelVersion": "6.1.0",
      "osImage": "Debian GNU/Linux 12 bookworm", "containerRuntimeVersion": "containerd://1.7.13",
      "kubeletVersion": "v1.32.0", "kubeProxyVersion": "v1.32.0", "operatingSystem": "linux",
      "architecture": "amd64"},
    "images": [{"names": ["docker.io/library/nginx@sha256:abc", "docker.io/library/nginx:1.27"],
      "sizeBytes": 71000000}],
    "volumesInUse": ["kubernetes.io/csi/pd.csi.storage.gke.io^vol"],
    "volumesAttached": [{"name": "kubernetes.io/csi/pd.csi.storage.gke.io^vol", "devicePath": ""}],
    "runtimeHandlers": [{"name": "runc", "features": {"recursiveReadOnlyMounts": true,
      "userNamespaces": false}}],
    "features": {"supplementalGroupsPolicy": true}}})";

constexpr std::string_view kService = R"({
  "apiVersion": "v1", "kind": "Service",
  "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
  "spec": {"type": "LoadBalancer", "selector": {"app": "web"},
    "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP",
      "appProtocol": "http", "nodePort": 30080},
      {"name": "https", "port": 443, "targetPort": 8443, "protocol": "TCP"}],
    "clusterIP": "10.96.0.15", "clusterIPs": ["10.96.0.15"], "ipFamilies": ["IPv4"],
    "ipFamilyPolicy": "SingleStack", "sessionAffinity": "ClientIP",
    "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
    "externalTrafficPolicy": "Local", "internalTrafficPolicy": "Cluster", "healthCheckNodePort": 32000,
    "externalIPs": ["192.0.2.10"], "loadBalancerSourceRanges": ["0.0.0.0/0"],
    "allocateLoadBalancerNodePorts": true, "loadBalancerClass": "example.com/lb",
    "publishNotReadyAddresses": false, "trafficDistribution": "PreferClose"},
  "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.1", "ipMode": "VIP",
    "ports": [{"port": 80, "protocol": "TCP"}]}]},
    "conditions": [{"type": "Ready", "status": "True", "observedGeneration": 1,
      "lastTransitionTime": "2024-05-01T10:00:00Z", "reason": "Ok", "message": ""}]}})";

constexpr std::string_view kMisc[] = {
    R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "immutable": true,
        "data": {"a": "b"}, "binaryData": {"bin": "AAEC"}})",
    R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": "kubernetes.io/tls",
        "data": {"tls.crt": "AAEC"}, "stringData": {"tls.key": "k"}})",
    R"({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns"},
        "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})",
    R"({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"},
        "automountServiceAccountToken": false, "imagePullSecrets": [{"name": "r"}],
        "secrets": [{"name": "t"}]})",
    R"({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "count": 2, "type": "Normal",
        "involvedObject": {"kind": "Pod", "name": "p", "namespace": "d", "uid": "u", "fieldPath": "spec.containers{web}"},
        "reason": "Pulled", "message": "ok", "source": {"component": "kubelet", "host": "n1"},
        "firstTimestamp": "2024-05-01T10:00:00Z", "lastTimestamp": "2024-05-01T10:00:00Z",
        "eventTime": null, "reportingComponent": "kubelet", "reportingInstance": "n1"})",
    R"({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e"},
        "eventTime": "2024-05-01T10:00:00.000000Z", "reportingController": "kubelet",
        "reportingInstance": "n1", "action": "Pulling", "reason": "Pulling", "type": "Normal",
        "regarding": {"kind": "Pod", "name": "p"}, "note": "pulling",
        "series": {"count": 2, "lastObservedTime": "2024-05-01T10:00:00.000000Z"}})",
    R"({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web"}, "subsets": [
        {"addresses": [{"ip": "10.244.1.7", "nodeName": "n1", "targetRef": {"kind": "Pod", "name": "p"}}],
         "notReadyAddresses": [], "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}]})",
    R"({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
        "spec": {"replicas": 1, "selector": {"app": "rc"}, "template": {"metadata": {"labels": {"app": "rc"}},
        "spec": {"containers": [{"name": "c", "image": "i"}]}}},
        "status": {"replicas": 1, "readyReplicas": 1}})",
    R"({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv"},
        "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "local", "volumeMode": "Filesystem",
        "local": {"path": "/mnt/disk"}, "mountOptions": ["noatime"],
        "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "d", "name": "c"},
        "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
          {"key": "kubernetes.io/hostname", "operator": "In", "values": ["n1"]}]}]}},
        "csi": {"driver": "d", "volumeHandle": "h", "nodeStageSecretRef": {"name": "s", "namespace": "n"}}},
        "status": {"phase": "Bound", "lastPhaseTransitionTime": "2024-05-01T10:00:00Z"}})",
    R"({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "n1",
        "namespace": "kube-node-lease"}, "spec": {"holderIdentity": "n1", "leaseDurationSeconds": 40,
        "renewTime": "2024-05-01T10:00:00.123456Z", "acquireTime": "2024-05-01T10:00:00.000000Z",
        "leaseTransitions": 0}})",
    R"({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "fast",
        "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": true,
        "parameters": {"type": "ssd"}, "mountOptions": ["discard"],
        "allowedTopologies": [{"matchLabelExpressions": [{"key": "topology.kubernetes.io/zone",
          "values": ["a"]}]}]})",
    R"({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
        "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}},
        "unhealthyPodEvictionPolicy": "AlwaysAllow"},
        "status": {"observedGeneration": 1, "disruptionsAllowed": 1, "currentHealthy": 3,
        "desiredHealthy": 2, "expectedPods": 3, "disruptedPods": {"web-1": "2024-05-01T10:00:00Z"},
        "conditions": [{"type": "DisruptionAllowed", "status": "True", "reason": "SufficientPods",
          "message": "", "lastTransitionTime": "2024-05-01T10:00:00Z", "observedGeneration": 1}]}})",
    R"({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-7d9c",
        "annotations": {"deployment.kubernetes.io/revision": "1"}},
        "spec": {"replicas": 1, "minReadySeconds": 0, "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}},
        "status": {"replicas": 1, "fullyLabeledReplicas": 1, "readyReplicas": 1, "availableReplicas": 1,
        "observedGeneration": 1}})",
};

TEST(UnknownFieldsTest, RealisticManifestsHaveNoFalsePositives) {
  const std::pair<const ResourceInfo*, std::string_view> cases[] = {
      {FindKind("apps", "Deployment"), kDeployment},
      {FindKind("apps", "StatefulSet"), kStatefulSet},
      {FindKind("apps", "DaemonSet"), kDaemonSet},
      {FindKind("", "Pod"), kPod},
      {FindKind("", "PersistentVolumeClaim"), kPvc},
      {FindKind("", "Node"), kNode},
      {FindKind("", "Service"), kService},
  };
  for (const auto& [r, text] : cases) {
    ASSERT_NE(r, nullptr);
    EXPECT_THAT(UnknownFields(*r, Parse(text)), IsEmpty()) << r->kind;
  }
  for (std::string_view text : kMisc) {
    json::value v = Parse(text);
    std::string_view api_version = v.at("apiVersion").as_string();
    std::string_view group;
    if (size_t slash = api_version.find('/'); slash != std::string_view::npos) {
      group = api_version.substr(0, slash);
    }
    const ResourceInfo* r = FindKind(group, v.at("kind").as_string());
    ASSERT_NE(r, nullptr) << text;
    EXPECT_THAT(UnknownFields(*r, v), IsEmpty()) << r->kind;
  }
}

TEST(UnknownFieldsTest, DuplicateFieldsInRawJson) {
  EXPECT_THAT(DuplicateFields(R"({"spec": {"replicas": 1, "paused": true, "replicas": 2,
      "template": {"spec": {"containers": [{"name": "a"}, {"name": "b", "image": "x",
      "name": "c"}]}}}, "kind": "Deployment", "kind": "Deployment"})"),
              ElementsAre("spec.replicas", "spec.template.spec.containers[1].name", "kind"));
  EXPECT_THAT(DuplicateFields(R"({"a": [1, {"b": 1}, [2, {"c": 1, "c": 2}]]})"),
              ElementsAre("a[2][1].c"));
  EXPECT_THAT(DuplicateFields(R"({"metadata": {"labels": {"x": "1", "y": "2"}}})"), IsEmpty());
  EXPECT_THAT(DuplicateFields("{not json"), IsEmpty());
  EXPECT_EQ(StrictDecodingMessage({"spec.foo"}, {"spec.replicas"}),
            R"(strict decoding error: unknown field "spec.foo", duplicate field "spec.replicas")");
}

TEST(UnknownFieldsTest, SubresourceBodies) {
  const ResourceInfo* deploy = FindKind("apps", "Deployment");
  const Schema* scale = SchemaFor(*deploy, "scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_THAT(UnknownFields(*scale, Parse(R"({"apiVersion": "autoscaling/v1", "kind": "Scale",
      "metadata": {"name": "web"}, "spec": {"replicas": 2, "replica": 1}})")),
              ElementsAre("spec.replica"));
}

}  // namespace
}  // namespace skiff::api::openapi
