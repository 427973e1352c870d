// Test helpers for the scheduler's unit tests: builders for Pod and Node objects, NodeInfos and
// snapshots, a settable clock and a fake Client that records binds, patches and events.
// Header-only; single-threaded use unless noted.
#pragma once

#include <boost/json.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "skiff/base/time.h"
#include "skiff/client/client.h"
#include "skiff/scheduler/cache.h"
#include "skiff/scheduler/types.h"

namespace skiff::scheduler::testing {

namespace json = boost::json;

class FakeClock : public base::Clock {
 public:
  absl::Time Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
};

inline ObjPtr Obj(const json::value& v) { return std::make_shared<const json::value>(v); }

// A Pod object; the setters take JSON text for the nested parts.
class PodBuilder {
 public:
  explicit PodBuilder(std::string name, std::string ns = "default") {
    pod_ = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{},"spec":{
        "schedulerName":"default-scheduler","containers":[{"name":"c","image":"busybox"}]},
        "status":{"phase":"Pending"}})");
    meta()["name"] = name;
    meta()["namespace"] = ns;
    meta()["uid"] = "uid-" + ns + "-" + name;
    meta()["resourceVersion"] = "1";
  }
  PodBuilder& Label(std::string_view k, std::string_view v) {
    json::value& l = meta()["labels"];
    if (!l.is_object()) l = json::object();
    l.as_object()[k] = v;
    return *this;
  }
  PodBuilder& Uid(std::string_view uid) {
    meta()["uid"] = uid;
    return *this;
  }
  // Requests of the (single) container, e.g. Req("500m", "1Gi"); empty strings are left out.
  PodBuilder& Req(std::string_view cpu, std::string_view mem = "") {
    json::object req;
    if (!cpu.empty()) req["cpu"] = cpu;
    if (!mem.empty()) req["memory"] = mem;
    container()["resources"] = json::object{{"requests", req}};
    return *this;
  }
  PodBuilder& Spec(std::string_view key, std::string_view json_text) {
    spec()[key] = json::parse(json_text);
    return *this;
  }
  PodBuilder& Node(std::string_view node) {
    spec()["nodeName"] = node;
    return *this;
  }
  PodBuilder& Priority(int p) {
    spec()["priority"] = p;
    return *this;
  }
  PodBuilder& HostPort(int port, std::string_view protocol = "TCP", std::string_view ip = "") {
    json::object p{{"containerPort", port}, {"hostPort", port}, {"protocol", protocol}};
    if (!ip.empty()) p["hostIP"] = ip;
    json::value& ports = container()["ports"];
    if (!ports.is_array()) ports = json::array();
    ports.as_array().push_back(p);
    return *this;
  }
  PodBuilder& Set(std::initializer_list<std::string_view> path, json::value v) {
    json::value* cur = &pod_;
    auto it = path.begin();
    for (size_t i = 0; i + 1 < path.size(); ++i, ++it) {
      json::value& next = cur->as_object()[*it];
      if (!next.is_object()) next = json::object();
      cur = &next;
    }
    cur->as_object()[*it] = std::move(v);
    return *this;
  }
  json::value Json() const { return pod_; }
  ObjPtr Obj() const { return testing::Obj(pod_); }
  PodInfoPtr Info() const { return MakePodInfo(Obj()); }

 private:
  json::object& meta() { return pod_.as_object()["metadata"].as_object(); }
  json::object& spec() { return pod_.as_object()["spec"].as_object(); }
  json::object& container() { return spec()["containers"].as_array()[0].as_object(); }
  json::value pod_;
};

// A Node object with allocatable cpu / memory / pods and kubernetes.io/hostname set.
class NodeBuilder {
 public:
  explicit NodeBuilder(std::string name, std::string_view cpu = "4", std::string_view mem = "8Gi",
                       std::string_view pods = "110") {
    node_ = json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"labels":{}},"spec":{},
        "status":{}})");
    node_.as_object()["metadata"].as_object()["name"] = name;
    labels()["kubernetes.io/hostname"] = name;
    json::object alloc{{"cpu", cpu}, {"memory", mem}, {"pods", pods}};
    node_.as_object()["status"].as_object()["allocatable"] = alloc;
    node_.as_object()["status"].as_object()["capacity"] = alloc;
  }
  NodeBuilder& Label(std::string_view k, std::string_view v) {
    labels()[k] = v;
    return *this;
  }
  NodeBuilder& Taint(std::string_view key, std::string_view value, std::string_view effect) {
    json::value& t = node_.as_object()["spec"].as_object()["taints"];
    if (!t.is_array()) t = json::array();
    json::object taint{{"key", key}, {"effect", effect}};
    if (!value.empty()) taint["value"] = value;
    t.as_array().push_back(taint);
    return *this;
  }
  NodeBuilder& Unschedulable() {
    node_.as_object()["spec"].as_object()["unschedulable"] = true;
    return *this;
  }
  NodeBuilder& Allocatable(std::string_view resource, std::string_view v) {
    node_.as_object()["status"].as_object()["allocatable"].as_object()[resource] = v;
    return *this;
  }
  json::value Json() const { return node_; }
  ObjPtr Obj() const { return testing::Obj(node_); }
  NodeSpecPtr Spec() const { return MakeNodeSpec(Obj()); }

 private:
  json::object& labels() { return node_.as_object()["metadata"].as_object()["labels"].as_object(); }
  json::value node_;
};

inline std::shared_ptr<NodeInfo> MakeNodeInfo(const NodeBuilder& node,
                                              std::vector<PodBuilder> pods = {}) {
  auto info = std::make_shared<NodeInfo>();
  info->node = node.Spec();
  for (auto& p : pods) {
    p.Node(info->node->name);
    info->AddPod(p.Info());
  }
  return info;
}

inline Snapshot SnapshotOf(const std::vector<NodeBuilder>& nodes,
                           std::vector<PodBuilder> pods = {}) {
  Cache cache;
  for (const NodeBuilder& n : nodes) cache.AddNode(n.Spec());
  for (const PodBuilder& p : pods) cache.AddPod(p.Info());
  Snapshot s;
  cache.UpdateSnapshot(&s);
  return s;
}

// A Client that records what the scheduler writes. Thread-safe.
class FakeClient : public client::Client {
 public:
  struct Binding {
    std::string ns, pod, uid, node;
  };
  struct PatchCall {
    std::string ns, name, type, patch, subresource;
  };

  absl::StatusOr<json::value> Get(const api::ResourceInfo&, std::string_view,
                                  std::string_view) override {
    return absl::UnimplementedError("fake");
  }
  absl::StatusOr<json::value> Create(const api::ResourceInfo& r, std::string_view,
                                     json::value obj) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (r.kind == "Event") events.push_back(obj);
    return obj;
  }
  absl::StatusOr<json::value> Update(const api::ResourceInfo&, json::value obj,
                                     std::string_view) override {
    return obj;
  }
  absl::StatusOr<json::value> Patch(const api::ResourceInfo& r, std::string_view ns,
                                    std::string_view name, std::string_view type,
                                    std::string_view patch, std::string_view sub) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (r.kind == "Pod") {
      patches.push_back({std::string(ns), std::string(name), std::string(type), std::string(patch),
                         std::string(sub)});
    }
    return json::value(json::object());
  }
  absl::Status Delete(const api::ResourceInfo&, std::string_view, std::string_view,
                      const client::DeleteOptions&) override {
    return absl::OkStatus();
  }
  absl::Status Bind(std::string_view ns, std::string_view pod, std::string_view uid,
                    std::string_view node) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!bind_error.ok()) return bind_error;
    bindings.push_back({std::string(ns), std::string(pod), std::string(uid), std::string(node)});
    return absl::OkStatus();
  }

  std::mutex mu_;
  std::vector<Binding> bindings;
  std::vector<PatchCall> patches;
  std::vector<json::value> events;
  absl::Status bind_error;
};

}  // namespace skiff::scheduler::testing
