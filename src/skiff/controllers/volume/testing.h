// Test fixture for the volume controllers and the scheduler's volume binder: a real in-process
// API server (memory store, registry with admission, watch cache), shared informers and an
// in-process client, with helpers to create objects and wait until the informers show a state.
// Header-only; used from one test thread (controllers may run their own).
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "skiff/api/object.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::controllers::volume::testing {

namespace json = boost::json;

class VolumeTestEnv : public ::testing::Test {
 protected:
  // Builds the server and informers; a test constructs its controllers, then calls StartServer().
  void SetUp() override {
    server_ = std::make_unique<apiserver::ApiServer>(
        &store_, apiserver::ApiServerOptions{.bind = "127.0.0.1", .port = 0});
    informers_ = std::make_unique<client::InformerFactory>(&server_->cache());
    client_ = std::make_unique<client::InProcessClient>(&server_->registry(), "test");
    for (const api::ResourceInfo* r :
         {&client::PersistentVolumes(), &client::PersistentVolumeClaims(),
          &client::StorageClasses(), &client::Pods(), &client::Nodes(), &client::Events()}) {
      informers_->For(*r);
    }
  }
  void StartServer() { ASSERT_TRUE(server_->Start().ok()); }
  // Controllers go first: the watch cache feeds their informers until the server stops.
  void TearDown() override { server_.reset(); }

  client::Client& api() { return *client_; }
  client::InformerFactory& informers() { return *informers_; }

  json::value Create(const api::ResourceInfo& r, std::string_view text, std::string ns = "") {
    auto res = api().Create(r, ns, json::parse(text));
    EXPECT_TRUE(res.ok()) << res.status();
    return res.ok() ? *res : json::value();
  }
  json::value Get(const api::ResourceInfo& r, std::string_view ns, std::string_view name) {
    auto res = api().Get(r, ns, name);
    EXPECT_TRUE(res.ok()) << res.status();
    return res.ok() ? *res : json::value();
  }
  bool Exists(const api::ResourceInfo& r, std::string_view ns, std::string_view name) {
    return api().Get(r, ns, name).ok();
  }
  void MergePatch(const api::ResourceInfo& r, std::string_view ns, std::string_view name,
                  std::string_view patch, std::string_view subresource = "") {
    auto res = api().Patch(r, ns, name, "application/merge-patch+json", patch, subresource);
    ASSERT_TRUE(res.ok()) << res.status();
  }

  // Polls `pred` (up to 10 s); fails the test with `what` if it never holds.
  void WaitFor(const std::string& what, const std::function<bool()>& pred) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    FAIL() << "timed out waiting for " << what;
  }
  // Waits until the informer of `r` holds `name` at the store's current revision of it.
  void WaitSynced(const api::ResourceInfo& r, std::string ns, std::string name) {
    auto res = api().Get(r, ns, name);
    std::string rv = res.ok() ? std::string(api::GetString(*res, {"metadata", "resourceVersion"}))
                              : std::string();
    WaitFor("informer copy of " + name, [&] {
      client::ObjPtr o = informers_->For(r).Get(ns, name);
      if (rv.empty()) return o == nullptr;
      return o != nullptr && api::GetString(*o, {"metadata", "resourceVersion"}) == rv;
    });
  }

  // "reason: message" of the events about the object named `name`, in creation order.
  std::vector<std::string> EventsFor(std::string_view name) {
    std::vector<std::pair<std::string, std::string>> found;
    for (const client::ObjPtr& e : informers_->For(client::Events()).List()) {
      if (api::GetString(*e, {"involvedObject", "name"}) != name) continue;
      // The recorder names events <object>.<creation time in hex nanoseconds>.
      found.emplace_back(std::string(api::GetString(*e, {"metadata", "name"})),
                         std::string(api::GetString(*e, {"reason"})) + ": " +
                             std::string(api::GetString(*e, {"message"})));
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (auto& f : found) out.push_back(std::move(f.second));
    return out;
  }
  // Waits until `name` has at least `n` events and returns them.
  std::vector<std::string> WaitForEvents(std::string_view name, size_t n) {
    WaitFor("events of " + std::string(name), [&] { return EventsFor(name).size() >= n; });
    return EventsFor(name);
  }

  store::MemoryStore store_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<client::InformerFactory> informers_;
  std::unique_ptr<client::InProcessClient> client_;
};

// Manifests the tests share.
inline std::string ClaimManifest(std::string_view name, std::string_view size,
                                 std::string_view modes, std::string_view extra_spec = "") {
  return std::string(R"({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata":
    {"name": ")") +
         std::string(name) + R"("}, "spec": {"accessModes": [)" + std::string(modes) +
         R"(], "resources": {"requests": {"storage": ")" + std::string(size) + R"("}})" +
         std::string(extra_spec) + "}}";
}

inline std::string NodeManifest(std::string_view name) {
  return std::string(R"({"apiVersion": "v1", "kind": "Node", "metadata": {"name": ")") +
         std::string(name) + R"(", "labels": {"kubernetes.io/hostname": ")" + std::string(name) +
         R"("}}})";
}

inline std::string PodManifest(std::string_view name, std::string_view claim,
                               std::string_view node = "") {
  std::string spec = R"({"containers": [{"name": "c", "image": "busybox"}], "volumes": [
      {"name": "data", "persistentVolumeClaim": {"claimName": ")" +
                     std::string(claim) + R"("}}])";
  if (!node.empty()) spec += R"(, "nodeName": ")" + std::string(node) + "\"";
  return std::string(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": ")") +
         std::string(name) + R"("}, "spec": )" + spec + "}}";
}

inline constexpr std::string_view kLocalPathClass = R"({"apiVersion": "storage.k8s.io/v1",
  "kind": "StorageClass", "metadata": {"name": "local-path", "annotations":
    {"storageclass.kubernetes.io/is-default-class": "true"}},
  "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
  "volumeBindingMode": "WaitForFirstConsumer"})";

}  // namespace skiff::controllers::volume::testing
