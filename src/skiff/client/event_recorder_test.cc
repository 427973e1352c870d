// The event recorder against a real in-process API server (memory store).
#include "skiff/client/event_recorder.h"

#include <gtest/gtest.h>

#include "skiff/api/object.h"
#include "skiff/apiserver/api_server.h"
#include "skiff/client/inprocess_client.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::client {
namespace {

namespace json = boost::json;

class FixedClock : public base::Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1800000000);
};

class EventRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<apiserver::ApiServer>(
        &store_, apiserver::ApiServerOptions{.bind = "127.0.0.1", .port = 0});
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<InProcessClient>(&server_->registry(), "test");
    json::value pod = json::parse(R"({"apiVersion": "v1", "kind": "Pod",
      "metadata": {"name": "web"}, "spec": {"containers": [{"name": "c", "image": "x"}]}})");
    auto created = client_->Create(Pods(), "default", pod);
    ASSERT_TRUE(created.ok()) << created.status();
    pod_ = *created;
  }

  // name -> (reason, count, source component), every Event in "default".
  std::map<std::string, std::tuple<std::string, int64_t, std::string>> Events() {
    auto list = store_.List(client::Events().Key("default", ""));
    EXPECT_TRUE(list.ok()) << list.status();
    std::map<std::string, std::tuple<std::string, int64_t, std::string>> out;
    for (const store::KeyValue& kv : list->items) {
      json::value e = json::parse(kv.value);
      out[std::string(api::GetString(e, {"metadata", "name"}))] = {
          std::string(api::GetString(e, {"reason"})), api::GetInt(e, {"count"}),
          std::string(api::GetString(e, {"source", "component"}))};
    }
    return out;
  }

  store::MemoryStore store_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<InProcessClient> client_;
  json::value pod_;
  FixedClock clock_;
};

TEST_F(EventRecorderTest, RepeatsCountOnOneEvent) {
  EventRecorder rec(client_.get(), "kubelet", "node-a", clock_);
  rec.Record(pod_, "Warning", "BackOff", "Back-off restarting failed container");
  rec.Flush();
  clock_.now += absl::Seconds(10);
  rec.Record(pod_, "Warning", "BackOff", "Back-off restarting failed container");
  rec.Flush();
  // 1800000000 s in nanoseconds, in hex.
  EXPECT_EQ(Events(), (std::map<std::string, std::tuple<std::string, int64_t, std::string>>{
                          {"web.18fae27693b40000", {"BackOff", 2, "kubelet"}}}));
}

TEST_F(EventRecorderTest, EventsAtTheSameInstantGetTheirOwnNames) {
  // Two components (and one component with two reasons) writing about one object in the same
  // nanosecond: nothing is lost.
  EventRecorder kubelet(client_.get(), "kubelet", "node-a", clock_);
  EventRecorder scheduler(client_.get(), "default-scheduler", "", clock_);
  kubelet.Record(pod_, "Normal", "Pulled", "Container image \"x\" already present on machine");
  kubelet.Record(pod_, "Normal", "Created", "Created container c");
  kubelet.Flush();
  scheduler.Record(pod_, "Normal", "Scheduled", "Successfully assigned default/web to node-a");
  scheduler.Flush();
  EXPECT_EQ(Events(), (std::map<std::string, std::tuple<std::string, int64_t, std::string>>{
                          {"web.18fae27693b40000", {"Pulled", 1, "kubelet"}},
                          {"web.18fae27693b40001", {"Created", 1, "kubelet"}},
                          {"web.18fae27693b40002", {"Scheduled", 1, "default-scheduler"}}}));
}

}  // namespace
}  // namespace skiff::client
