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

json::value Defaulted(std::string_view group, std::string_view kind, std::string_view text) {
  json::value v = json::parse(text);
  Default(R(group, kind), v);
  return v;
}

// The document `kubectl get deploy nginx -o json` shows for `kubectl create deployment nginx
// --image=nginx` on Kubernetes 1.32 (minus server-set metadata and status).
TEST(DefaultTest, MinimalDeploymentMatchesKubernetes) {
  json::value got = Defaulted("apps", "Deployment", R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}},
    "spec": {"selector": {"matchLabels": {"app": "nginx"}},
             "template": {"metadata": {"labels": {"app": "nginx"}},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}})");
  json::value want = json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}},
    "spec": {
      "progressDeadlineSeconds": 600,
      "replicas": 1,
      "revisionHistoryLimit": 10,
      "selector": {"matchLabels": {"app": "nginx"}},
      "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                   "type": "RollingUpdate"},
      "template": {
        "metadata": {"creationTimestamp": null, "labels": {"app": "nginx"}},
        "spec": {
          "containers": [{"image": "nginx", "imagePullPolicy": "Always", "name": "nginx",
                          "resources": {}, "terminationMessagePath": "/dev/termination-log",
                          "terminationMessagePolicy": "File"}],
          "dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
          "schedulerName": "default-scheduler", "securityContext": {},
          "terminationGracePeriodSeconds": 30}}}})");
  EXPECT_EQ(got, want) << json::serialize(got);
}

TEST(DefaultTest, IsIdempotentAndKeepsUserValues) {
  const char* text = R"({"metadata": {"name": "d"},
    "spec": {"replicas": 0, "revisionHistoryLimit": 0, "strategy": {"type": "Recreate"},
             "template": {"spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 5,
                                   "containers": [{"name": "c", "image": "busybox:1.36",
                                                   "imagePullPolicy": "Never"}]}}}})";
  json::value once = Defaulted("apps", "Deployment", text);
  json::value twice = once;
  Default(R("apps", "Deployment"), twice);
  EXPECT_EQ(once, twice);
  EXPECT_EQ(GetInt(once, {"spec", "replicas"}, -1), 0);
  EXPECT_EQ(GetInt(once, {"spec", "revisionHistoryLimit"}, -1), 0);
  EXPECT_EQ(Find(once, {"spec", "strategy", "rollingUpdate"}), nullptr);  // only for RollingUpdate
  EXPECT_EQ(GetString(once, {"spec", "template", "spec", "restartPolicy"}), "Never");
  EXPECT_EQ(GetInt(once, {"spec", "template", "spec", "terminationGracePeriodSeconds"}), 5);
  const json::array* cs = GetArray(once, {"spec", "template", "spec", "containers"});
  EXPECT_EQ(GetString((*cs)[0], {"imagePullPolicy"}), "Never");
}

TEST(DefaultTest, ImagePullPolicyFollowsTheTag) {
  const std::pair<std::string, std::string> cases[] = {
      {"nginx", "Always"},
      {"nginx:latest", "Always"},
      {"nginx:1.25", "IfNotPresent"},
      {"registry.example.com:5000/team/app", "Always"},
      {"registry.example.com:5000/team/app:v1", "IfNotPresent"},
      {"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
       "IfNotPresent"},
      {"nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
       "Always"},
      {"NGINX", "IfNotPresent"},
      {"", "IfNotPresent"},
  };
  for (const auto& [image, policy] : cases) {
    json::value pod = {{"spec", {{"containers", json::array{{{"name", "c"}, {"image", image}}}}}}};
    Default(R("", "Pod"), pod);
    EXPECT_EQ(GetString(pod.at("spec").at("containers").at(0), {"imagePullPolicy"}), policy)
        << image;
  }
}

TEST(DefaultTest, PodDefaultsContainersVolumesAndProbes) {
  json::value got = Defaulted("", "Pod", R"({"metadata": {"name": "p", "namespace": "default"},
    "spec": {
      "hostNetwork": true,
      "containers": [{
        "name": "app", "image": "app:v1",
        "ports": [{"containerPort": 8080}],
        "env": [{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
        "resources": {"limits": {"cpu": "0.5", "memory": "128Mi"}, "requests": {"cpu": 0.25}},
        "livenessProbe": {"httpGet": {"port": 8080}},
        "readinessProbe": {"grpc": {"port": 9090}, "periodSeconds": 5},
        "lifecycle": {"preStop": {"httpGet": {"port": 80, "path": "/quit"}}}}],
      "volumes": [{"name": "scratch"}, {"name": "cfg", "configMap": {"name": "cfg"}},
                  {"name": "sec", "secret": {"secretName": "s", "defaultMode": 256}},
                  {"name": "host", "hostPath": {"path": "/var/log"}},
                  {"name": "api", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}},
                      {"downwardAPI": {"items": [{"path": "n",
                           "fieldRef": {"fieldPath": "metadata.name"}}]}}]}}]}})");
  json::value want_container = json::parse(R"({
    "name": "app", "image": "app:v1", "imagePullPolicy": "IfNotPresent",
    "ports": [{"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"}],
    "env": [{"name": "NODE",
             "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
    "resources": {"limits": {"cpu": "500m", "memory": "128Mi"},
                  "requests": {"cpu": "250m", "memory": "128Mi"}},
    "livenessProbe": {"httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
                      "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
    "readinessProbe": {"grpc": {"port": 9090, "service": ""}, "timeoutSeconds": 1,
                       "periodSeconds": 5, "successThreshold": 1, "failureThreshold": 3},
    "lifecycle": {"preStop": {"httpGet": {"port": 80, "path": "/quit", "scheme": "HTTP"}}},
    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"})");
  EXPECT_EQ(got.at("spec").at("containers").at(0), want_container)
      << json::serialize(got.at("spec").at("containers").at(0));
  json::value want_volumes = json::parse(R"([
    {"name": "scratch", "emptyDir": {}},
    {"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420}},
    {"name": "sec", "secret": {"secretName": "s", "defaultMode": 256}},
    {"name": "host", "hostPath": {"path": "/var/log", "type": ""}},
    {"name": "api", "projected": {"defaultMode": 420, "sources": [
       {"serviceAccountToken": {"path": "t", "expirationSeconds": 3600}},
       {"downwardAPI": {"items": [{"path": "n",
           "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}]}}]}}])");
  EXPECT_EQ(got.at("spec").at("volumes"), want_volumes)
      << json::serialize(got.at("spec").at("volumes"));
  EXPECT_EQ(GetBool(got, {"spec", "enableServiceLinks"}), true);
  EXPECT_EQ(GetString(got, {"spec", "dnsPolicy"}), "ClusterFirst");
}

TEST(DefaultTest, TemplatesDoNotGetPodOnlyDefaults) {
  json::value rs = Defaulted("apps", "ReplicaSet", R"({"spec": {"template": {"spec": {
    "containers": [{"name": "c", "image": "i", "resources": {"limits": {"cpu": "1"}}}]}}}})");
  EXPECT_EQ(Find(rs, {"spec", "template", "spec", "enableServiceLinks"}), nullptr);
  EXPECT_EQ(Find(rs.at("spec").at("template").at("spec").at("containers").at(0),
                 {"resources", "requests"}),
            nullptr);
  EXPECT_EQ(GetInt(rs, {"spec", "replicas"}), 1);
}

TEST(DefaultTest, StatefulSetDaemonSetAndReplicationController) {
  json::value sts = Defaulted("apps", "StatefulSet", R"({"spec": {"serviceName": "web",
    "template": {"spec": {"containers": [{"name": "c", "image": "i:1"}]}},
    "volumeClaimTemplates": [{"metadata": {"name": "www"},
      "spec": {"accessModes": ["ReadWriteOnce"],
               "resources": {"requests": {"storage": "1024Mi"}}}}]}})");
  json::value want_sts = json::parse(R"({
    "podManagementPolicy": "OrderedReady", "replicas": 1, "revisionHistoryLimit": 10,
    "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
    "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
    "serviceName": "web",
    "volumeClaimTemplates": [{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
      "metadata": {"name": "www", "creationTimestamp": null},
      "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
               "volumeMode": "Filesystem"},
      "status": {"phase": "Pending"}}]})");
  sts.at("spec").as_object().erase("template");
  EXPECT_EQ(sts.at("spec"), want_sts) << json::serialize(sts.at("spec"));

  json::value on_delete =
      Defaulted("apps", "StatefulSet", R"({"spec": {"updateStrategy": {"type": "OnDelete"}}})");
  EXPECT_EQ(Find(on_delete, {"spec", "updateStrategy", "rollingUpdate"}), nullptr);

  json::value ds = Defaulted("apps", "DaemonSet", R"({"spec": {}})");
  EXPECT_EQ(
      ds.at("spec").at("updateStrategy"),
      json::parse(
          R"({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})"));
  EXPECT_EQ(GetInt(ds, {"spec", "revisionHistoryLimit"}), 10);

  json::value rc = Defaulted("", "ReplicationController", R"({"metadata": {"name": "rc"},
    "spec": {"template": {"metadata": {"labels": {"app": "x"}},
                          "spec": {"containers": [{"name": "c", "image": "i"}]}}}})");
  EXPECT_EQ(rc.at("spec").at("selector"), json::parse(R"({"app": "x"})"));
  EXPECT_EQ(rc.at("metadata").at("labels"), json::parse(R"({"app": "x"})"));
  EXPECT_EQ(GetInt(rc, {"spec", "replicas"}), 1);
}

TEST(DefaultTest, ServiceDefaults) {
  json::value svc = Defaulted("", "Service", R"({"spec": {"selector": {"app": "web"},
    "ports": [{"port": 80}, {"port": 443, "targetPort": "https", "protocol": "TCP"}]}})");
  EXPECT_EQ(svc.at("spec"), json::parse(R"({
    "selector": {"app": "web"}, "type": "ClusterIP", "sessionAffinity": "None",
    "internalTrafficPolicy": "Cluster", "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"],
    "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80},
              {"port": 443, "targetPort": "https", "protocol": "TCP"}]})"))
      << json::serialize(svc.at("spec"));

  json::value lb =
      Defaulted("", "Service", R"({"spec": {"type": "LoadBalancer", "ports": [{"port": 80}],
    "sessionAffinity": "ClientIP"}})");
  EXPECT_EQ(GetString(lb, {"spec", "externalTrafficPolicy"}), "Cluster");
  EXPECT_EQ(GetBool(lb, {"spec", "allocateLoadBalancerNodePorts"}), true);
  EXPECT_EQ(GetInt(lb, {"spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"}), 10800);

  json::value headless = Defaulted("", "Service", R"({"spec": {"clusterIP": "None"}})");
  EXPECT_EQ(GetString(headless, {"spec", "ipFamilyPolicy"}), "RequireDualStack");
  EXPECT_EQ(headless.at("spec").at("ipFamilies"), json::parse(R"(["IPv4", "IPv6"])"));
  EXPECT_EQ(headless.at("spec").at("clusterIPs"), json::parse(R"(["None"])"));

  json::value external = Defaulted(
      "", "Service", R"({"spec": {"type": "ExternalName", "externalName": "example.com"}})");
  EXPECT_EQ(Find(external, {"spec", "ipFamilyPolicy"}), nullptr);
  EXPECT_EQ(Find(external, {"spec", "internalTrafficPolicy"}), nullptr);
}

TEST(DefaultTest, StorageSecretsAndNamespaces) {
  json::value pvc =
      Defaulted("", "PersistentVolumeClaim", R"({"spec": {"accessModes": ["ReadWriteOnce"],
    "resources": {"requests": {"storage": "0.5Gi"}}}})");
  EXPECT_EQ(pvc, json::parse(R"({"spec": {"accessModes": ["ReadWriteOnce"],
    "resources": {"requests": {"storage": "512Mi"}}, "volumeMode": "Filesystem"},
    "status": {"phase": "Pending"}})"));

  json::value pv = Defaulted("", "PersistentVolume", R"({"spec": {"capacity": {"storage": "10Gi"},
    "hostPath": {"path": "/data"}}})");
  EXPECT_EQ(pv, json::parse(R"({"spec": {"capacity": {"storage": "10Gi"},
    "hostPath": {"path": "/data", "type": ""}, "persistentVolumeReclaimPolicy": "Retain",
    "volumeMode": "Filesystem"}, "status": {"phase": "Pending"}})"));

  json::value secret =
      Defaulted("", "Secret", R"({"stringData": {"user": "admin"}, "data": {"x": "eQ=="}})");
  EXPECT_EQ(secret,
            json::parse(R"({"type": "Opaque", "data": {"x": "eQ==", "user": "YWRtaW4="}})"));

  json::value sc =
      Defaulted("storage.k8s.io", "StorageClass", R"({"provisioner": "example.com/p"})");
  EXPECT_EQ(GetString(sc, {"reclaimPolicy"}), "Delete");
  EXPECT_EQ(GetString(sc, {"volumeBindingMode"}), "Immediate");

  json::value ns = json::parse(R"({"metadata": {"name": "team-a"}})");
  PrepareForCreate(R("", "Namespace"), ns);
  EXPECT_EQ(ns, json::parse(R"({"metadata": {"name": "team-a",
    "labels": {"kubernetes.io/metadata.name": "team-a"}},
    "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})"));
}

TEST(PrepareTest, AdmitPodAddsAdmissionDefaults) {
  json::value pod = json::parse(R"({"spec": {"containers": [{"name": "c", "image": "i"}],
    "tolerations": [{"key": "node.kubernetes.io/unreachable", "operator": "Exists"}]}})");
  Default(R("", "Pod"), pod);
  AdmitPod(pod);
  EXPECT_EQ(GetString(pod, {"spec", "serviceAccountName"}), "default");
  EXPECT_EQ(GetString(pod, {"spec", "serviceAccount"}), "default");
  EXPECT_EQ(GetInt(pod, {"spec", "priority"}, -1), 0);
  EXPECT_EQ(GetString(pod, {"spec", "preemptionPolicy"}), "PreemptLowerPriority");
  EXPECT_EQ(pod.at("spec").at("tolerations"), json::parse(R"([
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists"},
    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
     "tolerationSeconds": 300}])"));
  EXPECT_TRUE(Validate(R("", "Pod"),
                       json::parse(R"({"metadata": {"name": "p", "namespace": "d"}})"), nullptr)
                  .size() > 0);
}

TEST(PrepareTest, AdmitPodUsesConfiguredDefaultTolerationSeconds) {
  json::value pod = json::parse(R"({"spec": {"containers": [{"name": "c", "image": "i"}]}})");
  Default(R("", "Pod"), pod);
  AdmitPod(pod, PodAdmissionOptions{.not_ready_toleration_seconds = 20,
                                    .unreachable_toleration_seconds = 8});
  EXPECT_EQ(pod.at("spec").at("tolerations"), json::parse(R"([
    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
     "tolerationSeconds": 20},
    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
     "tolerationSeconds": 8}])"));
}

TEST(PrepareTest, PodStatusAndQOSClass) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({})", "BestEffort"},
      {R"({"limits": {"cpu": "1", "memory": "1Gi"}})", "Guaranteed"},
      {R"({"limits": {"cpu": "1", "memory": "1Gi"},
           "requests": {"cpu": "1000m", "memory": "1Gi"}})",
       "Guaranteed"},
      {R"({"limits": {"cpu": "1"}})", "Burstable"},
      {R"({"requests": {"memory": "64Mi"}})", "Burstable"},
      {R"({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}})", "Burstable"},
  };
  for (const auto& [resources, qos] : cases) {
    json::value pod = {
        {"metadata", {{"name", "p"}}},
        {"spec",
         {{"containers",
           json::array{{{"name", "c"}, {"image", "i"}, {"resources", json::parse(resources)}}}}}},
        {"status", {{"phase", "Running"}}}};
    PrepareForCreate(R("", "Pod"), pod);
    EXPECT_EQ(pod.at("status"), (json::value{{"phase", "Pending"}, {"qosClass", qos}}))
        << resources;
  }
  json::value gated = json::parse(R"({"spec": {"schedulingGates": [{"name": "example.com/wait"}],
    "containers": [{"name": "c", "image": "i"}]}})");
  PrepareForCreate(R("", "Pod"), gated);
  EXPECT_EQ(GetString(gated.at("status").at("conditions").at(0), {"reason"}), "SchedulingGated");
}

TEST(PrepareTest, WorkloadStatusAndGeneration) {
  json::value d = json::parse(R"({"metadata": {"name": "d", "generation": 7},
    "spec": {"template": {}}, "status": {"replicas": 3}})");
  PrepareForCreate(R("apps", "Deployment"), d);
  EXPECT_EQ(GetInt(d, {"metadata", "generation"}), 1);
  EXPECT_EQ(d.at("status"), json::object());

  json::value sts = json::parse(R"({"spec": {}})");
  PrepareForCreate(R("apps", "StatefulSet"), sts);
  EXPECT_EQ(sts.at("status"), json::parse(R"({"availableReplicas": 0, "replicas": 0})"));

  json::value ds = json::parse(R"({"spec": {}})");
  PrepareForCreate(R("apps", "DaemonSet"), ds);
  EXPECT_EQ(GetString(ds, {"metadata", "annotations", "deprecated.daemonset.template.generation"}),
            "1");

  json::value svc = json::parse(R"({"spec": {"ports": [{"port": 80}]}})");
  PrepareForCreate(R("", "Service"), svc);
  EXPECT_EQ(svc.at("status"), json::parse(R"({"loadBalancer": {}})"));
}

TEST(PrepareTest, UpdateTracksGenerationAndKeepsStatus) {
  const ResourceInfo& deploy = R("apps", "Deployment");
  json::value old = json::parse(R"({"metadata": {"name": "d", "generation": 3},
    "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "c", "image": "a"}]}}},
    "status": {"observedGeneration": 3, "replicas": 2}})");
  Default(deploy, old);

  json::value same = old;
  same.at("status") = json::parse(R"({"replicas": 99})");
  PrepareForUpdate(deploy, same, old);
  EXPECT_EQ(GetInt(same, {"metadata", "generation"}), 3);
  EXPECT_EQ(GetInt(same, {"status", "replicas"}), 2);  // status comes from the stored object

  json::value scaled = old;
  scaled.at("spec").at("replicas") = 5;
  PrepareForUpdate(deploy, scaled, old);
  EXPECT_EQ(GetInt(scaled, {"metadata", "generation"}), 4);

  json::value annotated = old;
  annotated.at("metadata").as_object()["annotations"] = {{"kubernetes.io/change-cause", "x"}};
  PrepareForUpdate(deploy, annotated, old);
  EXPECT_EQ(GetInt(annotated, {"metadata", "generation"}), 4);

  json::value status_write = old;
  status_write.at("spec").at("replicas") = 9;
  status_write.at("status") = json::parse(R"({"observedGeneration": 3, "replicas": 1})");
  PrepareForUpdate(deploy, status_write, old, /*status_subresource=*/true);
  EXPECT_EQ(GetInt(status_write, {"spec", "replicas"}), 2);
  EXPECT_EQ(GetInt(status_write, {"status", "replicas"}), 1);
  EXPECT_EQ(GetInt(status_write, {"metadata", "generation"}), 3);

  const ResourceInfo& ds = R("apps", "DaemonSet");
  json::value ds_old = json::parse(R"({"metadata": {"generation": 1,
    "annotations": {"deprecated.daemonset.template.generation": "1"}},
    "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "a"}]}}}})");
  Default(ds, ds_old);
  json::value ds_new = ds_old;
  ds_new.at("spec").at("template").at("spec").at("containers").at(0).at("image") = "b";
  PrepareForUpdate(ds, ds_new, ds_old);
  EXPECT_EQ(GetInt(ds_new, {"metadata", "generation"}), 2);
  EXPECT_EQ(
      GetString(ds_new, {"metadata", "annotations", "deprecated.daemonset.template.generation"}),
      "2");

  const ResourceInfo& svc = R("", "Service");
  json::value svc_old = json::parse(R"({"spec": {"type": "NodePort", "clusterIP": "10.96.0.10",
    "clusterIPs": ["10.96.0.10"],
    "ports": [{"port": 80, "protocol": "TCP", "nodePort": 30080}]}})");
  json::value svc_new = json::parse(R"({"spec": {"type": "NodePort", "ports": [{"port": 80}]}})");
  PrepareForUpdate(svc, svc_new, svc_old);
  EXPECT_EQ(GetString(svc_new, {"spec", "clusterIP"}), "10.96.0.10");
  EXPECT_EQ(GetInt(svc_new.at("spec").at("ports").at(0), {"nodePort"}), 30080);
}

// Regression: apps/v1 defaulting gave ControllerRevisions a top-level "spec", which strict field
// validation then rejected as an unknown field.
TEST(DefaultTest, ControllerRevisionGetsNoSpec) {
  json::value cr =
      json::parse(R"({"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"r"},)"
                  R"("revision":1,"data":{"spec":{"template":{"$patch":"replace"}}}})");
  json::value before = cr;
  Default(*FindKind("apps", "ControllerRevision"), cr);
  EXPECT_EQ(cr, before);
}

}  // namespace
}  // namespace skiff::api::kinds
