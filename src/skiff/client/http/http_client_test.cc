#include "skiff/client/http/http_client.h"

#include <gtest/gtest.h>

#include <thread>

#include "skiff/api/object.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/apiserver/errors.h"
#include "skiff/client/http/remote_informer.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::client::http {
namespace {

namespace json = boost::json;

const api::ResourceInfo& ConfigMaps() { return *api::FindResource("", "v1", "configmaps"); }

json::value ConfigMap(std::string_view name, std::string_view value) {
  return json::object{{"apiVersion", "v1"},
                      {"kind", "ConfigMap"},
                      {"metadata", json::object{{"name", name}, {"namespace", "default"}}},
                      {"data", json::object{{"k", value}}}};
}

template <typename F>
bool WaitFor(F pred, absl::Duration timeout = absl::Seconds(10)) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    apiserver::ApiServerOptions o;
    o.port = 0;
    server_ = std::make_unique<apiserver::ApiServer>(&store_, o);
    ASSERT_TRUE(server_->Start().ok());
    HttpClientOptions h;
    h.server = "http://127.0.0.1:" + std::to_string(server_->port());
    h.field_manager = "http-client-test";
    auto c = HttpClient::New(h);
    ASSERT_TRUE(c.ok()) << c.status();
    client_ = std::move(*c);
  }
  void TearDown() override { server_->Stop(); }

  store::MemoryStore store_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST(HttpClientPathTest, Paths) {
  EXPECT_EQ(ResourcePath(Pods(), "default", "p", "status"),
            "/api/v1/namespaces/default/pods/p/status");
  EXPECT_EQ(ResourcePath(Nodes(), "ignored", "n1"), "/api/v1/nodes/n1");
  EXPECT_EQ(ResourcePath(Leases(), "kube-node-lease"),
            "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases");
  EXPECT_EQ(ResourcePath(Pods(), ""), "/api/v1/pods");
  EXPECT_EQ(QueryEscape("spec.nodeName!=,a=b c"), "spec.nodeName%21%3D%2Ca%3Db%20c");
  HttpClientOptions bad;
  bad.server = "https://x";
  EXPECT_FALSE(HttpClient::New(bad).ok());
  bad.server = "not a url";
  EXPECT_FALSE(HttpClient::New(bad).ok());
}

TEST(HttpClientPathTest, StatusFromResponse) {
  absl::Status nf = apiserver::NotFound(Pods(), "p");
  absl::Status back = StatusFromResponse(404, apiserver::ToStatusResponse(nf).body);
  EXPECT_EQ(apiserver::ToStatusResponse(back).body, apiserver::ToStatusResponse(nf).body);
  EXPECT_EQ(back.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(IsNotFoundError(back));
  absl::Status plain = StatusFromResponse(503, "overloaded\n");
  EXPECT_EQ(apiserver::HttpCode(plain), 503);
  EXPECT_EQ(std::string(plain.message()), "overloaded");
}

TEST_F(HttpClientTest, CrudAndErrors) {
  auto created = client_->Create(ConfigMaps(), "default", ConfigMap("a", "1"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_FALSE(api::GetString(*created, {"metadata", "uid"}).empty());
  auto again = client_->Create(ConfigMaps(), "default", ConfigMap("a", "1"));
  EXPECT_TRUE(IsAlreadyExistsError(again.status())) << again.status();
  EXPECT_FALSE(IsConflictError(again.status()));

  auto got = client_->Get(ConfigMaps(), "default", "a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->at("data").at("k"), "1");
  EXPECT_TRUE(IsNotFoundError(client_->Get(ConfigMaps(), "default", "zz").status()));

  json::value stale = *got;
  got->at("data").as_object()["k"] = "2";
  auto updated = client_->Update(ConfigMaps(), *got);
  ASSERT_TRUE(updated.ok()) << updated.status();
  stale.at("data").as_object()["k"] = "3";
  auto conflict = client_->Update(ConfigMaps(), stale);
  EXPECT_TRUE(IsConflictError(conflict.status())) << conflict.status();
  // Same payload as the in-process client would give.
  InProcessClient local(&server_->registry(), "t");
  auto local_conflict = static_cast<Client&>(local).Update(ConfigMaps(), stale);
  EXPECT_EQ(apiserver::ToStatusResponse(conflict.status()).body,
            apiserver::ToStatusResponse(local_conflict.status()).body);

  auto patched = client_->Patch(ConfigMaps(), "default", "a", "application/merge-patch+json",
                                R"({"data":{"x":"y"}})");
  ASSERT_TRUE(patched.ok()) << patched.status();
  EXPECT_EQ(patched->at("data").at("x"), "y");
  auto invalid = client_->Patch(ConfigMaps(), "default", "a", "application/merge-patch+json",
                                R"({"metadata":{"name":"Bad_Name"}})");
  EXPECT_FALSE(invalid.ok());

  ASSERT_TRUE(client_->Create(ConfigMaps(), "default", ConfigMap("b", "1")).ok());
  auto list = client_->List(ConfigMaps(), "default");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->at("items").as_array().size(), 2u);
  ListOptions one;
  one.limit = 1;
  auto page = client_->List(ConfigMaps(), "default", one);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->at("items").as_array().size(), 1u);
  EXPECT_FALSE(api::GetString(*page, {"metadata", "continue"}).empty());
  auto empty = client_->List(ConfigMaps(), "kube-public");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->at("items").as_array().empty());

  DeleteOptions pre;
  pre.precondition_uid = "wrong";
  EXPECT_TRUE(IsConflictError(client_->Delete(ConfigMaps(), "default", "a", pre)));
  EXPECT_TRUE(client_->Delete(ConfigMaps(), "default", "a").ok());
  EXPECT_TRUE(IsNotFoundError(client_->Delete(ConfigMaps(), "default", "a")));
  // Many calls reuse the pooled connections.
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(client_->Get(ConfigMaps(), "default", "b").ok());
}

TEST_F(HttpClientTest, BindAndStatus) {
  json::value pod = json::parse(R"({"apiVersion":"v1","kind":"Pod",
      "metadata":{"name":"p","namespace":"default"},
      "spec":{"containers":[{"name":"c","image":"busybox"}]}})");
  auto created = client_->Create(Pods(), "default", pod);
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_TRUE(
      client_->Bind("default", "p", api::GetString(*created, {"metadata", "uid"}), "n1").ok());
  EXPECT_TRUE(IsConflictError(client_->Bind("default", "p", "", "n2")));
  auto st = client_->Patch(Pods(), "default", "p", "application/strategic-merge-patch+json",
                           R"({"status":{"phase":"Running"}})", "status");
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->at("status").at("phase"), "Running");
  EXPECT_EQ(st->at("spec").at("nodeName"), "n1");
}

TEST_F(HttpClientTest, WatchStreamsAndStops) {
  ASSERT_TRUE(client_->Create(ConfigMaps(), "default", ConfigMap("w0", "0")).ok());
  std::vector<std::string> seen;
  std::stop_source stop;
  std::jthread watcher([&] {
    absl::Status s = client_->Watch(
        ConfigMaps(), "default", {},
        [&](WatchEvent ev) {
          seen.push_back(ev.type + " " +
                         std::string(api::GetString(ev.object, {"metadata", "name"})));
          if (seen.size() == 3) stop.request_stop();
        },
        stop.get_token());
    EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << s;
  });
  ASSERT_TRUE(WaitFor([&] { return !seen.empty(); }));
  ASSERT_TRUE(client_->Create(ConfigMaps(), "default", ConfigMap("w1", "1")).ok());
  ASSERT_TRUE(client_->Delete(ConfigMaps(), "default", "w0").ok());
  watcher.join();
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED w0", "ADDED w1", "DELETED w0"}));

  // A watch the server ends by itself returns OK; a bad selector is a 400.
  WatchOptions short_watch;
  short_watch.timeout_seconds = 1;
  short_watch.resource_version = "1";
  EXPECT_TRUE(client_->Watch(ConfigMaps(), "default", short_watch, [](WatchEvent) {}, {}).ok());
  WatchOptions bad;
  bad.field_selector = "spec.nope=1";
  absl::Status s = client_->Watch(ConfigMaps(), "default", bad, [](WatchEvent) {}, {});
  EXPECT_EQ(apiserver::HttpCode(s), 400) << s;
}

TEST_F(HttpClientTest, RemoteInformer) {
  ASSERT_TRUE(client_->Create(ConfigMaps(), "default", ConfigMap("r0", "0")).ok());
  RemoteInformerOptions o;
  o.ns = "default";
  o.page_size = 1;              // exercises continue tokens
  o.watch_timeout_seconds = 1;  // exercises resuming
  RemoteInformer inf(client_.get(), ConfigMaps(), o);
  std::atomic<int> adds{0}, deletes{0};
  EventHandlers h;
  h.on_add = [&](const ObjPtr&) { ++adds; };
  h.on_delete = [&](const ObjPtr&) { ++deletes; };
  inf.AddHandlers(h);
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(absl::Seconds(10)));
  ASSERT_TRUE(client_->Create(ConfigMaps(), "default", ConfigMap("r1", "1")).ok());
  ASSERT_TRUE(WaitFor([&] { return inf.Size() == 2; }));
  EXPECT_EQ(inf.Get("default", "r1")->at("kind"), "ConfigMap");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // a watch or two ends
  ASSERT_TRUE(client_->Delete(ConfigMaps(), "default", "r0").ok());
  ASSERT_TRUE(WaitFor([&] { return inf.Size() == 1 && deletes == 1; }));
  EXPECT_EQ(adds.load(), 2);
  EXPECT_EQ(inf.ListCount(), 1);
  EXPECT_EQ(inf.List("default").size(), 1u);
  EXPECT_EQ(inf.Get("default", "r0"), nullptr);
  inf.Stop();
}

}  // namespace
}  // namespace skiff::client::http
