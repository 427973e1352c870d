#include "skiff/api/table/table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace skiff::api::table {
namespace {

namespace json = boost::json;

// 2024-06-01T12:00:00Z; object timestamps below are relative to it.
const absl::Time kNow = absl::FromUnixSeconds(1717243200);

const ResourceInfo& Resource(std::string_view group, std::string_view plural) {
  const ResourceInfo* r = FindResource(group, "v1", plural);
  if (r == nullptr) {
    ADD_FAILURE() << "no resource " << group << "/" << plural;
    static const ResourceInfo kNone;
    return kNone;
  }
  return *r;
}

struct RowCase {
  std::string name;
  std::string group;
  std::string plural;
  std::string object;  // JSON
  std::string cells;   // JSON array, the full (wide) row
};

void ExpectRows(const std::vector<RowCase>& cases) {
  for (const RowCase& c : cases) {
    const ResourceInfo& r = Resource(c.group, c.plural);
    json::array got = RowCells(r, json::parse(c.object), kNow);
    json::value want = json::parse(c.cells);
    EXPECT_EQ(json::value(got), want)
        << c.name << "\n  got:  " << json::serialize(got) << "\n  want: " << json::serialize(want);
    EXPECT_EQ(got.size(), ColumnsFor(r).size()) << c.name;
  }
}

// ---------------------------------------------------------------------------------------------
// Columns

struct ColumnCase {
  std::string group;
  std::string plural;
  std::vector<std::string> names;  // default columns, in order
  std::vector<std::string> wide;   // priority-1 columns, in order
};

TEST(ColumnsForTest, NamesAndPrioritiesMatchKubernetes) {
  const std::vector<ColumnCase> cases = {
      {"",
       "pods",
       {"Name", "Ready", "Status", "Restarts", "Age"},
       {"IP", "Node", "Nominated Node", "Readiness Gates"}},
      {"apps",
       "deployments",
       {"Name", "Ready", "Up-to-date", "Available", "Age"},
       {"Containers", "Images", "Selector"}},
      {"apps",
       "replicasets",
       {"Name", "Desired", "Current", "Ready", "Age"},
       {"Containers", "Images", "Selector"}},
      {"",
       "replicationcontrollers",
       {"Name", "Desired", "Current", "Ready", "Age"},
       {"Containers", "Images", "Selector"}},
      {"apps", "statefulsets", {"Name", "Ready", "Age"}, {"Containers", "Images"}},
      {"apps",
       "daemonsets",
       {"Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age"},
       {"Containers", "Images", "Selector"}},
      {"apps", "controllerrevisions", {"Name", "Controller", "Revision", "Age"}, {}},
      {"",
       "nodes",
       {"Name", "Status", "Roles", "Age", "Version"},
       {"Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"}},
      {"",
       "persistentvolumeclaims",
       {"Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass",
        "VolumeAttributesClass", "Age"},
       {"VolumeMode"}},
      {"",
       "persistentvolumes",
       {"Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass",
        "VolumeAttributesClass", "Reason", "Age"},
       {"VolumeMode"}},
      {"", "namespaces", {"Name", "Status", "Age"}, {}},
      {"", "configmaps", {"Name", "Data", "Age"}, {}},
      {"", "secrets", {"Name", "Type", "Data", "Age"}, {}},
      {"",
       "events",
       {"Last Seen", "Type", "Reason", "Object", "Message"},
       {"Subobject", "Source", "First Seen", "Count", "Name"}},
      {"events.k8s.io",
       "events",
       {"Last Seen", "Type", "Reason", "Object", "Message"},
       {"Subobject", "Source", "First Seen", "Count", "Name"}},
      {"", "serviceaccounts", {"Name", "Secrets", "Age"}, {}},
      {"",
       "services",
       {"Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age"},
       {"Selector"}},
      {"", "endpoints", {"Name", "Endpoints", "Age"}, {}},
      {"coordination.k8s.io", "leases", {"Name", "Holder", "Age"}, {}},
      {"storage.k8s.io",
       "storageclasses",
       {"Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"},
       {}},
      {"policy",
       "poddisruptionbudgets",
       {"Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"},
       {}},
  };
  for (const ColumnCase& c : cases) {
    std::vector<std::string> names;
    std::vector<std::string> wide;
    for (const Column& col : ColumnsFor(Resource(c.group, c.plural))) {
      (col.priority == 0 ? names : wide).push_back(col.name);
      EXPECT_FALSE(col.description.empty()) << c.plural << " " << col.name;
      EXPECT_EQ(col.format, col.name == "Name" ? "name" : "") << c.plural << " " << col.name;
    }
    EXPECT_EQ(names, c.names) << c.group << "/" << c.plural;
    EXPECT_EQ(wide, c.wide) << c.group << "/" << c.plural;
  }
}

TEST(ColumnsForTest, EveryServedResourceHasAPrinter) {
  for (const ResourceInfo& r : AllResources()) {
    const std::vector<Column>& cols = ColumnsFor(r);
    ASSERT_FALSE(cols.empty()) << r.plural;
    EXPECT_NE(cols[1].name, "Created At") << r.GroupResource() << " uses the default printer";
  }
}

TEST(ColumnsForTest, TypesMatchKubernetes) {
  auto type_of = [](std::string_view group, std::string_view plural, std::string_view name) {
    for (const Column& c : ColumnsFor(Resource(group, plural))) {
      if (c.name == name) return c.type;
    }
    return std::string("missing");
  };
  EXPECT_EQ(type_of("", "pods", "Restarts"), "string");
  EXPECT_EQ(type_of("apps", "replicasets", "Desired"), "integer");
  EXPECT_EQ(type_of("apps", "daemonsets", "Available"), "integer");
  EXPECT_EQ(type_of("apps", "deployments", "Up-to-date"), "string");
  EXPECT_EQ(type_of("policy", "poddisruptionbudgets", "Allowed Disruptions"), "integer");
  EXPECT_EQ(type_of("", "configmaps", "Data"), "string");
}

TEST(ColumnsForTest, UnknownResourceGetsDefaultColumns) {
  ResourceInfo widget;
  widget.group = "example.com";
  widget.version = "v1";
  widget.kind = "Widget";
  widget.plural = "widgets";
  const std::vector<Column>& cols = ColumnsFor(widget);
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[0].name, "Name");
  EXPECT_EQ(cols[1].name, "Created At");
  EXPECT_EQ(cols[1].type, "date");
  json::value obj =
      json::parse(R"j({"metadata":{"name":"w1","creationTimestamp":"2024-05-01T10:00:00.5Z"}})j");
  EXPECT_EQ(json::value(RowCells(widget, obj, kNow)),
            json::parse(R"j(["w1","2024-05-01T10:00:00Z"])j"));
}

// ---------------------------------------------------------------------------------------------
// Pods

TEST(RowCellsTest, Pods) {
  ExpectRows({
      {"running", "", "pods", R"j({
        "metadata":{"name":"web-1","creationTimestamp":"2024-06-01T11:55:00Z"},
        "spec":{"nodeName":"node-a","containers":[{"name":"app","image":"nginx"}]},
        "status":{"phase":"Running","podIP":"10.244.1.5","podIPs":[{"ip":"10.244.1.5"}],
          "conditions":[{"type":"Ready","status":"True"}],
          "containerStatuses":[{"name":"app","ready":true,"restartCount":0,
            "state":{"running":{"startedAt":"2024-06-01T11:55:03Z"}}}]}})j",
       R"j(["web-1","1/1","Running","0","5m","10.244.1.5","node-a","<none>","<none>"])j"},
      {"crash-looping", "", "pods", R"j({
        "metadata":{"name":"crash","creationTimestamp":"2024-06-01T11:00:00Z"},
        "spec":{"nodeName":"node-a","containers":[{"name":"app","image":"busybox"}]},
        "status":{"phase":"Running","podIPs":[{"ip":"10.244.1.6"}],
          "containerStatuses":[{"name":"app","ready":false,"restartCount":5,
            "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 2m40s"}},
            "lastState":{"terminated":{"exitCode":1,"reason":"Error",
              "finishedAt":"2024-06-01T11:58:00Z"}}}]}})j",
       R"j(["crash","0/1","CrashLoopBackOff","5 (2m ago)","60m","10.244.1.6","node-a","<none>",
           "<none>"])j"},
      {"terminating", "", "pods", R"j({
        "metadata":{"name":"old","creationTimestamp":"2024-05-29T12:00:00Z",
          "deletionTimestamp":"2024-06-01T12:00:30Z"},
        "spec":{"nodeName":"node-b","containers":[{"name":"app"}]},
        "status":{"phase":"Running","podIPs":[{"ip":"10.244.2.9"}],
          "containerStatuses":[{"name":"app","ready":true,"restartCount":0,
            "state":{"running":{}}}]}})j",
       R"j(["old","1/1","Terminating","0","3d","10.244.2.9","node-b","<none>","<none>"])j"},
      {"node lost", "", "pods", R"j({
        "metadata":{"name":"lost","creationTimestamp":"2024-05-29T12:00:00Z",
          "deletionTimestamp":"2024-06-01T11:00:00Z"},
        "spec":{"containers":[{"name":"app"}]},
        "status":{"phase":"Running","reason":"NodeLost"}})j",
       R"j(["lost","0/1","Unknown","0","3d","<none>","<none>","<none>","<none>"])j"},
      {"deleted after success stays Completed", "", "pods", R"j({
        "metadata":{"name":"job-x","creationTimestamp":"2024-06-01T11:00:00Z",
          "deletionTimestamp":"2024-06-01T11:59:00Z"},
        "spec":{"containers":[{"name":"main"}]},
        "status":{"phase":"Succeeded","containerStatuses":[{"name":"main","ready":false,
          "state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}})j",
       R"j(["job-x","0/1","Completed","0","60m","<none>","<none>","<none>","<none>"])j"},
      {"creating", "", "pods", R"j({
        "metadata":{"name":"new","creationTimestamp":"2024-06-01T11:59:50Z"},
        "spec":{"nodeName":"node-a","containers":[{"name":"a"},{"name":"b"}]},
        "status":{"phase":"Pending","containerStatuses":[
          {"name":"a","state":{"waiting":{"reason":"ContainerCreating"}}},
          {"name":"b","state":{"waiting":{"reason":"ContainerCreating"}}}]}})j",
       R"j(["new","0/2","ContainerCreating","0","10s","<none>","node-a","<none>","<none>"])j"},
      {"first container's reason wins", "", "pods", R"j({
        "metadata":{"name":"pull","creationTimestamp":"2024-06-01T11:59:00Z"},
        "spec":{"containers":[{"name":"a"},{"name":"b"}]},
        "status":{"phase":"Pending","containerStatuses":[
          {"name":"a","state":{"waiting":{"reason":"ErrImagePull"}}},
          {"name":"b","state":{"waiting":{"reason":"ImagePullBackOff"}}}]}})j",
       R"j(["pull","0/2","ErrImagePull","0","60s","<none>","<none>","<none>","<none>"])j"},
      {"unscheduled without phase", "", "pods", R"j({
        "metadata":{"name":"fresh","creationTimestamp":"2024-06-01T12:00:00Z"},
        "spec":{"containers":[{"name":"a"}]}})j",
       R"j(["fresh","0/1","Pending","0","0s","<none>","<none>","<none>","<none>"])j"},
      {"scheduling gated", "", "pods", R"j({
        "metadata":{"name":"gated","creationTimestamp":"2024-06-01T11:00:00Z"},
        "spec":{"schedulingGates":[{"name":"g"}],"containers":[{"name":"a"},{"name":"b"}]},
        "status":{"phase":"Pending","conditions":[
          {"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}})j",
       R"j(["gated","0/2","SchedulingGated","0","60m","<none>","<none>","<none>","<none>"])j"},
      {"evicted", "", "pods", R"j({
        "metadata":{"name":"ev","creationTimestamp":"2024-05-31T12:00:00Z"},
        "spec":{"containers":[{"name":"a"}]},
        "status":{"phase":"Failed","reason":"Evicted","message":"low on memory"}})j",
       R"j(["ev","0/1","Evicted","0","24h","<none>","<none>","<none>","<none>"])j"},
      {"killed by signal", "", "pods", R"j({
        "metadata":{"name":"sig","creationTimestamp":"2024-06-01T11:00:00Z"},
        "spec":{"containers":[{"name":"a"},{"name":"b"}]},
        "status":{"phase":"Failed","containerStatuses":[
          {"name":"a","state":{"terminated":{"exitCode":137,"signal":9}}},
          {"name":"b","state":{"terminated":{"exitCode":137}}}]}})j",
       R"j(["sig","0/2","Signal:9","0","60m","<none>","<none>","<none>","<none>"])j"},
      {"exit code without reason", "", "pods", R"j({
        "metadata":{"name":"ec","creationTimestamp":"2024-06-01T11:00:00Z"},
        "spec":{"containers":[{"name":"a"}]},
        "status":{"phase":"Failed","containerStatuses":[
          {"name":"a","state":{"terminated":{"exitCode":2}}}]}})j",
       R"j(["ec","0/1","ExitCode:2","0","60m","<none>","<none>","<none>","<none>"])j"},
      {"completed beside a running container, not ready", "", "pods", R"j({
        "metadata":{"name":"half","creationTimestamp":"2024-06-01T11:00:00Z"},
        "spec":{"containers":[{"name":"a"},{"name":"b"}]},
        "status":{"phase":"Running","conditions":[{"type":"Ready","status":"False"}],
          "containerStatuses":[
          {"name":"a","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
          {"name":"b","ready":true,"state":{"running":{}}}]}})j",
       R"j(["half","1/2","NotReady","0","60m","<none>","<none>","<none>","<none>"])j"},
      {"completed beside a running container, ready", "", "pods", R"j({
        "metadata":{"name":"half","creationTimestamp":"2024-06-01T11:00:00Z"},
        "spec":{"containers":[{"name":"a"},{"name":"b"}]},
        "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],
          "containerStatuses":[
          {"name":"a","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
          {"name":"b","ready":true,"state":{"running":{}}}]}})j",
       R"j(["half","1/2","Running","0","60m","<none>","<none>","<none>","<none>"])j"},
      {"waiting for the second init container", "", "pods", R"j({
        "metadata":{"name":"init","creationTimestamp":"2024-06-01T11:59:00Z"},
        "spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"a"}]},
        "status":{"phase":"Pending",
          "initContainerStatuses":[
            {"name":"i1","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
            {"name":"i2","state":{"running":{}}}],
          "containerStatuses":[{"name":"a","state":{"waiting":{"reason":"PodInitializing"}}}]}})j",
       R"j(["init","0/1","Init:1/2","0","60s","<none>","<none>","<none>","<none>"])j"},
      {"init container not started", "", "pods", R"j({
        "metadata":{"name":"init0","creationTimestamp":"2024-06-01T11:59:00Z"},
        "spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},
        "status":{"phase":"Pending","initContainerStatuses":[
          {"name":"i1","state":{"waiting":{"reason":"PodInitializing"}}}]}})j",
       R"j(["init0","0/1","Init:0/1","0","60s","<none>","<none>","<none>","<none>"])j"},
      {"init container crash-looping", "", "pods", R"j({
        "metadata":{"name":"initcrash","creationTimestamp":"2024-06-01T11:00:00Z"},
        "spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},
        "status":{"phase":"Pending",
          "initContainerStatuses":[{"name":"i1","restartCount":4,
            "state":{"waiting":{"reason":"CrashLoopBackOff"}},
            "lastState":{"terminated":{"exitCode":1,"finishedAt":"2024-06-01T11:50:00Z"}}}],
          "containerStatuses":[{"name":"a","restartCount":0,
            "state":{"waiting":{"reason":"PodInitializing"}}}]}})j",
       R"j(["initcrash","0/1","Init:CrashLoopBackOff","4 (10m ago)","60m","<none>","<none>",
           "<none>","<none>"])j"},
      {"init container failed with a signal", "", "pods", R"j({
        "metadata":{"name":"initsig","creationTimestamp":"2024-06-01T11:00:00Z"},
        "spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},
        "status":{"phase":"Pending","initContainerStatuses":[
          {"name":"i1","state":{"terminated":{"exitCode":143,"signal":15}}}]}})j",
       R"j(["initsig","0/1","Init:Signal:15","0","60m","<none>","<none>","<none>","<none>"])j"},
      {"init container failed with an exit code", "", "pods", R"j({
        "metadata":{"name":"initexit","creationTimestamp":"2024-06-01T11:00:00Z"},
        "spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},
        "status":{"phase":"Failed","initContainerStatuses":[
          {"name":"i1","state":{"terminated":{"exitCode":3}}}]}})j",
       R"j(["initexit","0/1","Init:ExitCode:3","0","60m","<none>","<none>","<none>","<none>"])j"},
      {"sidecar counts as a container", "", "pods", R"j({
        "metadata":{"name":"mesh","creationTimestamp":"2024-06-01T10:00:00Z"},
        "spec":{"nodeName":"node-a",
          "initContainers":[{"name":"setup"},{"name":"proxy","restartPolicy":"Always"}],
          "containers":[{"name":"app"}]},
        "status":{"phase":"Running","podIPs":[{"ip":"fd00::5"},{"ip":"10.0.0.5"}],
          "conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}],
          "initContainerStatuses":[
            {"name":"setup","restartCount":7,
             "state":{"terminated":{"exitCode":0,"reason":"Completed"}},
             "lastState":{"terminated":{"exitCode":1,"finishedAt":"2024-06-01T11:59:00Z"}}},
            {"name":"proxy","ready":true,"started":true,"restartCount":2,
             "state":{"running":{}},
             "lastState":{"terminated":{"exitCode":1,"finishedAt":"2024-06-01T11:50:00Z"}}}],
          "containerStatuses":[{"name":"app","ready":true,"restartCount":1,
            "state":{"running":{}},
            "lastState":{"terminated":{"exitCode":1,"finishedAt":"2024-06-01T11:57:00Z"}}}]}})j",
       R"j(["mesh","2/2","Running","3 (3m ago)","120m","fd00::5","node-a","<none>","<none>"])j"},
      {"readiness gates and nomination", "", "pods", R"j({
        "metadata":{"name":"gates","creationTimestamp":"2024-06-01T11:00:00Z"},
        "spec":{"containers":[{"name":"a"}],
          "readinessGates":[{"conditionType":"example.com/lb"},{"conditionType":"example.com/dns"}]},
        "status":{"phase":"Pending","nominatedNodeName":"node-c","conditions":[
          {"type":"example.com/lb","status":"True"},
          {"type":"example.com/dns","status":"False"}]}})j",
       R"j(["gates","0/1","Pending","0","60m","<none>","<none>","node-c","1/2"])j"},
      {"restarts without a termination time", "", "pods", R"j({
        "metadata":{"name":"r","creationTimestamp":"2024-06-01T11:00:00Z"},
        "spec":{"containers":[{"name":"a"}]},
        "status":{"phase":"Running","containerStatuses":[
          {"name":"a","ready":true,"restartCount":2,"state":{"running":{}}}]}})j",
       R"j(["r","1/1","Running","2","60m","<none>","<none>","<none>","<none>"])j"},
  });
}

TEST(RowConditionsTest, FinishedPodsAreCompleted) {
  const ResourceInfo& pods = Resource("", "pods");
  json::array ok = RowConditions(pods, json::parse(R"j({"status":{"phase":"Succeeded"}})j"));
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].at("type"), "Completed");
  EXPECT_EQ(ok[0].at("status"), "True");
  EXPECT_EQ(ok[0].at("reason"), "Succeeded");
  json::array failed = RowConditions(pods, json::parse(R"j({"status":{"phase":"Failed"}})j"));
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].at("reason"), "Failed");
  EXPECT_TRUE(RowConditions(pods, json::parse(R"j({"status":{"phase":"Running"}})j")).empty());
  EXPECT_TRUE(RowConditions(Resource("", "nodes"), json::parse(R"j({})j")).empty());
}

// ---------------------------------------------------------------------------------------------
// Workload controllers

TEST(RowCellsTest, Workloads) {
  ExpectRows({
      {"deployment mid-rollout", "apps", "deployments", R"j({
        "metadata":{"name":"web","creationTimestamp":"2024-05-29T12:00:00Z"},
        "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
          "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"},
                                            {"name":"log","image":"fluent-bit:3"}]}}},
        "status":{"replicas":4,"updatedReplicas":1,"readyReplicas":2,"availableReplicas":2}})j",
       R"j(["web","2/3",1,2,"3d","nginx,log","nginx:1.27,fluent-bit:3","app=web"])j"},
      {"deployment defaults", "apps", "deployments", R"j({
        "metadata":{"name":"bare","creationTimestamp":"2024-06-01T11:59:30Z"},
        "spec":{"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}})j",
       R"j(["bare","0/1",0,0,"30s","c","i",""])j"},
      {"deployment with a bad selector", "apps", "deployments", R"j({
        "metadata":{"name":"bad","creationTimestamp":"2024-06-01T11:00:00Z"},
        "spec":{"replicas":0,"selector":{"matchExpressions":[{"key":"a","operator":"Nope"}]}}})j",
       R"j(["bad","0/0",0,0,"60m","","","<invalid>"])j"},
      {"replica set", "apps", "replicasets", R"j({
        "metadata":{"name":"web-7d9f","creationTimestamp":"2024-05-29T12:00:00Z"},
        "spec":{"replicas":3,"selector":{"matchLabels":{"pod-template-hash":"7d9f","app":"web"}},
          "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}},
        "status":{"replicas":3,"readyReplicas":2}})j",
       R"j(["web-7d9f",3,3,2,"3d","nginx","nginx:1.27","app=web,pod-template-hash=7d9f"])j"},
      {"replica set scaled to zero", "apps", "replicasets", R"j({
        "metadata":{"name":"old","creationTimestamp":"2024-05-01T12:00:00Z"},
        "spec":{"replicas":0,"selector":{}},"status":{"replicas":0}})j",
       R"j(["old",0,0,0,"31d","","","<none>"])j"},
      {"replication controller", "", "replicationcontrollers", R"j({
        "metadata":{"name":"rc","creationTimestamp":"2024-06-01T09:00:00Z"},
        "spec":{"replicas":2,"selector":{"app":"rc"},
          "template":{"spec":{"containers":[{"name":"c","image":"busybox"}]}}},
        "status":{"replicas":2,"readyReplicas":2}})j",
       R"j(["rc",2,2,2,"3h","c","busybox","app=rc"])j"},
      {"stateful set", "apps", "statefulsets", R"j({
        "metadata":{"name":"db","creationTimestamp":"2024-05-31T12:00:00Z"},
        "spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"pg","image":"postgres:16"}]}}},
        "status":{"readyReplicas":1}})j",
       R"j(["db","1/3","24h","pg","postgres:16"])j"},
      {"daemon set", "apps", "daemonsets", R"j({
        "metadata":{"name":"fluentd","creationTimestamp":"2024-05-22T12:00:00Z"},
        "spec":{"selector":{"matchLabels":{"name":"fluentd"}},
          "template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"},
            "containers":[{"name":"fluentd","image":"fluentd:v1"}]}}},
        "status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":2,
          "updatedNumberScheduled":3,"numberAvailable":2}})j",
       R"j(["fluentd",3,3,2,3,2,"kubernetes.io/os=linux","10d","fluentd","fluentd:v1",
           "name=fluentd"])j"},
      {"controller revision", "apps", "controllerrevisions", R"j({
        "metadata":{"name":"db-5b7c","creationTimestamp":"2024-05-31T12:00:00Z",
          "ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"x"},
            {"apiVersion":"apps/v1","kind":"StatefulSet","name":"db","controller":true}]},
        "revision":2})j",
       R"j(["db-5b7c","statefulset.apps/db",2,"24h"])j"},
      {"controller revision of a core owner", "apps", "controllerrevisions", R"j({
        "metadata":{"name":"r","creationTimestamp":"2024-05-31T12:00:00Z",
          "ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"p","controller":true}]},
        "revision":1})j",
       R"j(["r","pod/p",1,"24h"])j"},
      {"orphan controller revision", "apps", "controllerrevisions", R"j({
        "metadata":{"name":"orphan","creationTimestamp":"2024-05-31T12:00:00Z"},"revision":7})j",
       R"j(["orphan","<none>",7,"24h"])j"},
      {"pod disruption budget", "policy", "poddisruptionbudgets", R"j({
        "metadata":{"name":"web-pdb","creationTimestamp":"2024-05-31T12:00:00Z"},
        "spec":{"minAvailable":2},"status":{"disruptionsAllowed":1}})j",
       R"j(["web-pdb","2","N/A",1,"24h"])j"},
      {"pod disruption budget by percent", "policy", "poddisruptionbudgets", R"j({
        "metadata":{"name":"pct","creationTimestamp":"2024-05-31T12:00:00Z"},
        "spec":{"maxUnavailable":"50%"}})j",
       R"j(["pct","N/A","50%",0,"24h"])j"},
  });
}

// ---------------------------------------------------------------------------------------------
// Nodes, namespaces, config, services, events, leases

TEST(RowCellsTest, Nodes) {
  ExpectRows({
      {"tainted cordoned control plane", "", "nodes", R"j({
        "metadata":{"name":"cp-1","creationTimestamp":"2024-05-25T12:00:00Z",
          "labels":{"node-role.kubernetes.io/control-plane":"","kubernetes.io/role":"master",
                    "node-role.kubernetes.io/":"","kubernetes.io/hostname":"cp-1"}},
        "spec":{"unschedulable":true,
          "taints":[{"key":"node-role.kubernetes.io/control-plane","effect":"NoSchedule"}]},
        "status":{"conditions":[{"type":"MemoryPressure","status":"False"},
                                {"type":"Ready","status":"True"}],
          "addresses":[{"type":"Hostname","address":"cp-1"},{"type":"InternalIP","address":"10.0.0.1"},
                       {"type":"InternalIP","address":"10.0.0.99"}],
          "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Debian GNU/Linux 12 (bookworm)",
            "kernelVersion":"6.1.0-18-amd64","containerRuntimeVersion":"containerd://1.7.13"}}})j",
       R"j(["cp-1","Ready,SchedulingDisabled","control-plane,master","7d","v1.32.0","10.0.0.1",
           "<none>","Debian GNU/Linux 12 (bookworm)","6.1.0-18-amd64","containerd://1.7.13"])j"},
      {"not ready worker", "", "nodes", R"j({
        "metadata":{"name":"w-1","creationTimestamp":"2024-05-25T12:00:00Z"},
        "status":{"conditions":[{"type":"Ready","status":"Unknown"}],
          "addresses":[{"type":"ExternalIP","address":"203.0.113.7"}],
          "nodeInfo":{"kubeletVersion":"v1.32.0"}}})j",
       R"j(["w-1","NotReady","<none>","7d","v1.32.0","<none>","203.0.113.7","<unknown>",
           "<unknown>","<unknown>"])j"},
      {"registered without conditions", "", "nodes", R"j({
        "metadata":{"name":"w-2","creationTimestamp":"2024-06-01T11:59:58Z"}})j",
       R"j(["w-2","Unknown","<none>","2s","","<none>","<none>","<unknown>","<unknown>",
           "<unknown>"])j"},
  });
}

TEST(RowCellsTest, ConfigAndNamespaces) {
  ExpectRows({
      {"namespace", "", "namespaces",
       R"j({"metadata":{"name":"kube-system","creationTimestamp":"2024-05-25T12:00:00Z"},
           "status":{"phase":"Active"}})j",
       R"j(["kube-system","Active","7d"])j"},
      {"terminating namespace", "", "namespaces",
       R"j({"metadata":{"name":"gone","creationTimestamp":"2024-05-25T12:00:00Z"},
           "status":{"phase":"Terminating"}})j",
       R"j(["gone","Terminating","7d"])j"},
      {"config map", "", "configmaps",
       R"j({"metadata":{"name":"cfg","creationTimestamp":"2024-06-01T11:00:00Z"},
           "data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}})j",
       R"j(["cfg",3,"60m"])j"},
      {"empty config map", "", "configmaps",
       R"j({"metadata":{"name":"empty","creationTimestamp":"2024-06-01T11:00:00Z"}})j",
       R"j(["empty",0,"60m"])j"},
      {"tls secret", "", "secrets",
       R"j({"metadata":{"name":"tls","creationTimestamp":"2024-06-01T11:00:00Z"},
           "type":"kubernetes.io/tls","data":{"tls.crt":"eA==","tls.key":"eQ=="}})j",
       R"j(["tls","kubernetes.io/tls",2,"60m"])j"},
      {"opaque secret with stringData", "", "secrets",
       R"j({"metadata":{"name":"s","creationTimestamp":"2024-06-01T11:00:00Z"},
           "data":{"a":"eA=="},"stringData":{"a":"x","b":"y"}})j",
       R"j(["s","Opaque",2,"60m"])j"},
      {"service account", "", "serviceaccounts",
       R"j({"metadata":{"name":"default","creationTimestamp":"2024-05-25T12:00:00Z"},
           "secrets":[{"name":"default-token"}]})j",
       R"j(["default",1,"7d"])j"},
      {"service account without secrets", "", "serviceaccounts",
       R"j({"metadata":{"name":"builder","creationTimestamp":"2024-05-25T12:00:00Z"}})j",
       R"j(["builder",0,"7d"])j"},
      {"lease", "coordination.k8s.io", "leases",
       R"j({"metadata":{"name":"kube-scheduler","creationTimestamp":"2024-05-25T12:00:00Z"},
           "spec":{"holderIdentity":"cp-1_5f2c","leaseDurationSeconds":15}})j",
       R"j(["kube-scheduler","cp-1_5f2c","7d"])j"},
      {"unheld lease", "coordination.k8s.io", "leases",
       R"j({"metadata":{"name":"free","creationTimestamp":"2024-05-25T12:00:00Z"},"spec":{}})j",
       R"j(["free","","7d"])j"},
  });
}

TEST(RowCellsTest, ServicesAndEndpoints) {
  ExpectRows({
      {"cluster ip", "", "services", R"j({
        "metadata":{"name":"kubernetes","creationTimestamp":"2024-05-25T12:00:00Z"},
        "spec":{"type":"ClusterIP","clusterIP":"10.96.0.1","clusterIPs":["10.96.0.1"],
          "ports":[{"name":"https","port":443,"protocol":"TCP","targetPort":6443}]}})j",
       R"j(["kubernetes","ClusterIP","10.96.0.1","<none>","443/TCP","7d","<none>"])j"},
      {"headless with selector", "", "services", R"j({
        "metadata":{"name":"db","creationTimestamp":"2024-05-25T12:00:00Z"},
        "spec":{"clusterIP":"None","clusterIPs":["None"],"selector":{"app":"db"},
          "ports":[{"port":5432}]}})j",
       R"j(["db","ClusterIP","None","<none>","5432/TCP","7d","app=db"])j"},
      {"node port with external ips", "", "services", R"j({
        "metadata":{"name":"np","creationTimestamp":"2024-05-25T12:00:00Z"},
        "spec":{"type":"NodePort","clusterIPs":["10.96.4.4"],"externalIPs":["1.2.3.4","5.6.7.8"],
          "ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},
                   {"port":53,"nodePort":30053,"protocol":"UDP"}]}})j",
       R"j(["np","NodePort","10.96.4.4","1.2.3.4,5.6.7.8","80:30080/TCP,53:30053/UDP","7d",
           "<none>"])j"},
      {"pending load balancer", "", "services", R"j({
        "metadata":{"name":"lb","creationTimestamp":"2024-05-25T12:00:00Z"},
        "spec":{"type":"LoadBalancer","clusterIPs":["10.96.5.5"],
          "ports":[{"port":80,"nodePort":31000,"protocol":"TCP"}]}})j",
       R"j(["lb","LoadBalancer","10.96.5.5","<pending>","80:31000/TCP","7d","<none>"])j"},
      {"provisioned load balancer", "", "services", R"j({
        "metadata":{"name":"lb2","creationTimestamp":"2024-05-25T12:00:00Z"},
        "spec":{"type":"LoadBalancer","clusterIPs":["10.96.5.6"],"externalIPs":["9.9.9.9"],
          "ports":[{"port":443,"nodePort":31443,"protocol":"TCP"}]},
        "status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.20"},
          {"hostname":"lb.example.com"},{"ip":"198.51.100.3"},{"ip":"203.0.113.20"}]}}})j",
       R"j(["lb2","LoadBalancer","10.96.5.6","198.51.100.3,203.0.113.20,lb.example.com,9.9.9.9",
           "443:31443/TCP","7d","<none>"])j"},
      {"external name", "", "services", R"j({
        "metadata":{"name":"ext","creationTimestamp":"2024-05-25T12:00:00Z"},
        "spec":{"type":"ExternalName","externalName":"db.example.com"}})j",
       R"j(["ext","ExternalName","<none>","db.example.com","<none>","7d","<none>"])j"},
      {"endpoints with more than three addresses", "", "endpoints", R"j({
        "metadata":{"name":"web","creationTimestamp":"2024-05-25T12:00:00Z"},
        "subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}],
                    "ports":[{"name":"http","port":80},{"name":"metrics","port":9090}]},
                   {"addresses":[{"ip":"fd00::1"}],"ports":[{"port":8080}]}]})j",
       R"j(["web","10.0.0.1:80,10.0.0.2:80,10.0.0.1:9090 + 2 more...","7d"])j"},
      {"endpoints without ports", "", "endpoints", R"j({
        "metadata":{"name":"headless","creationTimestamp":"2024-05-25T12:00:00Z"},
        "subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"fd00::2"}]}]})j",
       R"j(["headless","10.0.0.1,fd00::2","7d"])j"},
      {"ipv6 endpoints", "", "endpoints", R"j({
        "metadata":{"name":"v6","creationTimestamp":"2024-05-25T12:00:00Z"},
        "subsets":[{"addresses":[{"ip":"fd00::1"}],"ports":[{"port":8080}]}]})j",
       R"j(["v6","[fd00::1]:8080","7d"])j"},
      {"endpoints without subsets", "", "endpoints", R"j({
        "metadata":{"name":"none","creationTimestamp":"2024-05-25T12:00:00Z"}})j",
       R"j(["none","<none>","7d"])j"},
      {"endpoints with only unready addresses", "", "endpoints", R"j({
        "metadata":{"name":"unready","creationTimestamp":"2024-05-25T12:00:00Z"},
        "subsets":[{"notReadyAddresses":[{"ip":"10.0.0.9"}],"ports":[{"port":80}]}]})j",
       R"j(["unready","","7d"])j"},
  });
}

TEST(RowCellsTest, Events) {
  ExpectRows({
      {"core event", "", "events", R"j({
        "metadata":{"name":"crash.17d4","creationTimestamp":"2024-06-01T11:55:00Z"},
        "involvedObject":{"kind":"Pod","name":"crash","fieldPath":"spec.containers{app}"},
        "reason":"BackOff","message":"Back-off restarting failed container\n","type":"Warning",
        "source":{"component":"kubelet","host":"node-a"},
        "firstTimestamp":"2024-06-01T11:55:00Z","lastTimestamp":"2024-06-01T11:59:30Z",
        "count":12})j",
       R"j(["30s","Warning","BackOff","pod/crash","spec.containers{app}","kubelet, node-a",
           "Back-off restarting failed container","5m",12,"crash.17d4"])j"},
      {"new-style core event without timestamps or count", "", "events", R"j({
        "metadata":{"name":"e2","creationTimestamp":"2024-06-01T11:59:00Z"},
        "involvedObject":{"kind":"Node"},"reason":"Starting","type":"Normal",
        "eventTime":"2024-06-01T11:59:00.123456Z","reportingComponent":"kube-proxy",
        "reportingInstance":"kube-proxy-node-a","message":"Started"})j",
       R"j(["59s","Normal","Starting","node","","kube-proxy, kube-proxy-node-a","Started","59s",1,
           "e2"])j"},
      {"events.k8s.io event with a series", "events.k8s.io", "events", R"j({
        "metadata":{"name":"e3","creationTimestamp":"2024-06-01T11:00:00Z"},
        "regarding":{"kind":"Deployment","name":"web"},"reason":"ScalingReplicaSet",
        "note":"Scaled up replica set web-7d9f to 3","type":"Normal",
        "eventTime":"2024-06-01T11:00:00.000000Z","reportingController":"deployment-controller",
        "series":{"count":4,"lastObservedTime":"2024-06-01T11:58:00.000000Z"}})j",
       R"j(["2m","Normal","ScalingReplicaSet","deployment/web","","deployment-controller",
           "Scaled up replica set web-7d9f to 3","60m",4,"e3"])j"},
      {"events.k8s.io event with deprecated fields", "events.k8s.io", "events", R"j({
        "metadata":{"name":"e4","creationTimestamp":"2024-06-01T11:00:00Z"},
        "regarding":{"kind":"Pod","name":"p","fieldPath":"spec.containers{c}"},
        "reason":"Pulled","note":"pulled","type":"Normal",
        "deprecatedSource":{"component":"kubelet"},"deprecatedCount":2,
        "deprecatedFirstTimestamp":"2024-06-01T11:00:00Z",
        "deprecatedLastTimestamp":"2024-06-01T11:30:00Z"})j",
       R"j(["30m","Normal","Pulled","pod/p","spec.containers{c}","kubelet","pulled","60m",2,"e4"])j"},
  });
}

TEST(RowCellsTest, Storage) {
  ExpectRows({
      {"bound claim", "", "persistentvolumeclaims", R"j({
        "metadata":{"name":"data-db-0","creationTimestamp":"2024-05-30T12:00:00Z"},
        "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},
          "storageClassName":"standard","volumeName":"pvc-1f2e","volumeMode":"Filesystem"},
        "status":{"phase":"Bound","accessModes":["ReadWriteOnce"],
          "capacity":{"storage":"10240Mi"}}})j",
       R"j(["data-db-0","Bound","pvc-1f2e","10Gi","RWO","standard","<unset>","2d","Filesystem"])j"},
      {"pending claim", "", "persistentvolumeclaims", R"j({
        "metadata":{"name":"wait","creationTimestamp":"2024-06-01T11:59:00Z"},
        "spec":{"accessModes":["ReadWriteMany"],"resources":{"requests":{"storage":"5Gi"}},
          "volumeAttributesClassName":"gold","volumeMode":"Block"},
        "status":{"phase":"Pending"}})j",
       R"j(["wait","Pending","","","","","gold","60s","Block"])j"},
      {"terminating claim with the beta class annotation", "", "persistentvolumeclaims", R"j({
        "metadata":{"name":"old","creationTimestamp":"2024-06-01T11:00:00Z",
          "deletionTimestamp":"2024-06-01T11:59:00Z",
          "annotations":{"volume.beta.kubernetes.io/storage-class":"legacy"}},
        "spec":{"storageClassName":"standard","volumeName":"pv-9"},
        "status":{"phase":"Bound"}})j",
       R"j(["old","Terminating","pv-9","0","","legacy","<unset>","60m","Filesystem"])j"},
      {"bound volume", "", "persistentvolumes", R"j({
        "metadata":{"name":"pvc-1f2e","creationTimestamp":"2024-05-30T12:00:00Z"},
        "spec":{"capacity":{"storage":"10Gi"},"accessModes":["ReadWriteMany","ReadWriteOnce"],
          "persistentVolumeReclaimPolicy":"Delete","storageClassName":"standard",
          "claimRef":{"namespace":"default","name":"data-db-0"},"volumeMode":"Filesystem"},
        "status":{"phase":"Bound"}})j",
       R"j(["pvc-1f2e","10Gi","RWO,RWX","Delete","Bound","default/data-db-0","standard","<unset>",
           "","2d","Filesystem"])j"},
      {"failed volume", "", "persistentvolumes", R"j({
        "metadata":{"name":"pv-x","creationTimestamp":"2024-05-30T12:00:00Z"},
        "spec":{"capacity":{"storage":"500M"},"accessModes":["ReadOnlyMany"]},
        "status":{"phase":"Failed","reason":"VolumeFailedRecycle"}})j",
       R"j(["pv-x","500M","ROX","Retain","Failed","","","<unset>","VolumeFailedRecycle","2d",
           "Filesystem"])j"},
      {"default storage class", "storage.k8s.io", "storageclasses", R"j({
        "metadata":{"name":"standard","creationTimestamp":"2024-05-25T12:00:00Z",
          "annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},
        "provisioner":"rancher.io/local-path","reclaimPolicy":"Delete",
        "volumeBindingMode":"WaitForFirstConsumer"})j",
       R"j(["standard (default)","rancher.io/local-path","Delete","WaitForFirstConsumer",false,
           "7d"])j"},
      {"storage class defaults", "storage.k8s.io", "storageclasses", R"j({
        "metadata":{"name":"fast","creationTimestamp":"2024-05-25T12:00:00Z",
          "annotations":{"storageclass.beta.kubernetes.io/is-default-class":"false"}},
        "provisioner":"ebs.csi.aws.com","allowVolumeExpansion":true})j",
       R"j(["fast","ebs.csi.aws.com","Delete","Immediate",true,"7d"])j"},
  });
}

// ---------------------------------------------------------------------------------------------
// Whole tables

TableListMeta Meta(std::string rv = "", std::string cont = "",
                   std::optional<int64_t> remaining = std::nullopt) {
  TableListMeta m;
  m.resource_version = std::move(rv);
  m.continue_token = std::move(cont);
  m.remaining_item_count = remaining;
  return m;
}

const char* kPodA = R"j({"metadata":{"name":"a","namespace":"default","uid":"u-a",
    "resourceVersion":"11","creationTimestamp":"2024-06-01T11:00:00Z","labels":{"app":"x"}},
    "spec":{"containers":[{"name":"c"}]},"status":{"phase":"Succeeded"}})j";
const char* kPodB = R"j({"metadata":{"name":"b","namespace":"default","uid":"u-b",
    "resourceVersion":"12","creationTimestamp":"2024-06-01T11:30:00Z"},
    "spec":{"containers":[{"name":"c"}]},"status":{"phase":"Pending"}})j";

TEST(PartialObjectMetadataTest, KeepsAllMetadata) {
  json::value pod = json::parse(kPodA);
  EXPECT_EQ(json::value(PartialObjectMetadata(pod)),
            json::parse(R"j({"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
              "metadata":{"name":"a","namespace":"default","uid":"u-a","resourceVersion":"11",
              "creationTimestamp":"2024-06-01T11:00:00Z","labels":{"app":"x"}}})j"));
  EXPECT_EQ(json::value(PartialObjectMetadata(json::parse("{}"))),
            json::parse(R"j({"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
              "metadata":{}})j"));
}

TEST(ParseIncludeObjectTest, Values) {
  EXPECT_EQ(ParseIncludeObject("").value(), IncludeObject::kMetadata);
  EXPECT_EQ(ParseIncludeObject("Metadata").value(), IncludeObject::kMetadata);
  EXPECT_EQ(ParseIncludeObject("None").value(), IncludeObject::kNone);
  EXPECT_EQ(ParseIncludeObject("Object").value(), IncludeObject::kObject);
  absl::StatusOr<IncludeObject> bad = ParseIncludeObject("object");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BuildTableTest, ListWithMetadataRows) {
  std::vector<json::value> pods = {json::parse(kPodA), json::parse(kPodB)};
  json::object table = BuildTable(Resource("", "pods"), pods, IncludeObject::kMetadata,
                                  Meta("1020", "next-page", 5), kNow);
  EXPECT_EQ(table.at("kind"), "Table");
  EXPECT_EQ(table.at("apiVersion"), "meta.k8s.io/v1");
  EXPECT_EQ(table.at("metadata"), json::parse(R"j({"resourceVersion":"1020","continue":"next-page",
                            "remainingItemCount":5})j"));
  const json::array& cols = table.at("columnDefinitions").as_array();
  ASSERT_EQ(cols.size(), 9u);
  EXPECT_EQ(cols[0].at("name"), "Name");
  EXPECT_EQ(cols[0].at("type"), "string");
  EXPECT_EQ(cols[0].at("format"), "name");
  EXPECT_EQ(cols[0].at("priority"), 0);
  EXPECT_EQ(cols[5].at("name"), "IP");
  EXPECT_EQ(cols[5].at("format"), "");
  EXPECT_EQ(cols[5].at("priority"), 1);
  EXPECT_TRUE(cols[5].at("description").is_string());

  const json::array& rows = table.at("rows").as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(
      rows[0].at("cells"),
      json::parse(R"j(["a","0/1","Succeeded","0","60m","<none>","<none>","<none>","<none>"])j"));
  EXPECT_EQ(rows[0].at("conditions").as_array().size(), 1u);
  EXPECT_EQ(rows[0].at("object"), json::value(PartialObjectMetadata(pods[0])));
  EXPECT_EQ(rows[1].at("cells").at(2), "Pending");
  EXPECT_FALSE(rows[1].as_object().contains("conditions"));
  EXPECT_EQ(rows[1].at("object").at("metadata").at("uid"), "u-b");
}

TEST(BuildTableTest, IncludeObjectModes) {
  std::vector<json::value> pods = {json::parse(kPodB)};
  const ResourceInfo& r = Resource("", "pods");
  json::object none = BuildTable(r, pods, IncludeObject::kNone, Meta(), kNow);
  EXPECT_TRUE(none.at("rows").at(0).at("object").is_null());
  EXPECT_EQ(none.at("metadata"), json::object());

  json::object full = BuildTable(r, pods, IncludeObject::kObject, Meta("7"), kNow);
  const json::value& obj = full.at("rows").at(0).at("object");
  EXPECT_EQ(obj.at("kind"), "Pod");
  EXPECT_EQ(obj.at("apiVersion"), "v1");
  EXPECT_EQ(obj.at("spec"), pods[0].at("spec"));
  EXPECT_EQ(full.at("metadata"), json::parse(R"j({"resourceVersion":"7"})j"));

  json::value with_kind = json::parse(R"j({"kind":"Deployment","apiVersion":"apps/v1",
      "metadata":{"name":"d"}})j");
  json::object deploy = BuildTable(Resource("apps", "deployments"), std::span(&with_kind, 1),
                                   IncludeObject::kObject, Meta(), kNow);
  EXPECT_EQ(deploy.at("rows").at(0).at("object"), with_kind);
}

TEST(BuildTableTest, CallerChosenRowObjectsAndNoHeaders) {
  std::vector<json::value> pods = {json::parse(kPodA), json::parse(kPodB)};
  std::vector<json::value> row_objects = {json::parse(R"j({"marker":1})j")};
  json::object table =
      BuildTable(Resource("", "pods"), pods, row_objects, Meta("9"), kNow, /*with_headers=*/false);
  EXPECT_TRUE(table.at("columnDefinitions").as_array().empty());
  EXPECT_EQ(table.at("rows").at(0).at("object"), json::parse(R"j({"marker":1})j"));
  EXPECT_TRUE(table.at("rows").at(1).at("object").is_null());
}

TEST(BuildTableTest, EmptyListAndJsonArrayInput) {
  json::array items;
  json::object table =
      BuildTable(Resource("", "nodes"), items, IncludeObject::kMetadata, Meta("3"), kNow);
  EXPECT_TRUE(table.at("rows").as_array().empty());
  EXPECT_EQ(table.at("columnDefinitions").as_array().size(), 10u);
}

}  // namespace
}  // namespace skiff::api::table
