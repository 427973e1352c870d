// Scale check of HollowNodes alone: 1,000 nodes and 10,000 pods against an in-memory fake API
// (no API server), so the figures are the hollow nodes' own cost. Prints rates and memory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "skiff/agent/hollow/hollow_nodes.h"
#include "skiff/api/object.h"
#include "skiff/apiserver/errors.h"
#include "skiff/base/time.h"

namespace skiff::agent::hollow {
namespace {

namespace json = boost::json;
using api::GetString;

// A thread-safe in-memory API with just what hollow nodes call; it feeds two informers, under
// its lock so that they see changes in resourceVersion order (handlers only enqueue).
class FakeApi : public client::Client {
 public:
  FakeApi(client::Informer* pods, client::Informer* nodes) : pods_(pods), nodes_(nodes) {}

  absl::StatusOr<json::value> Get(const api::ResourceInfo& r, std::string_view ns,
                                  std::string_view name) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(Key(r, ns, name));
    if (it == objects_.end()) return apiserver::NotFound(r, name);
    return it->second;
  }
  absl::StatusOr<json::value> Create(const api::ResourceInfo& r, std::string_view ns,
                                     json::value obj) override {
    std::string name(GetString(obj, {"metadata", "name"}));
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::string key = Key(r, ns, name);
      if (objects_.contains(key)) return apiserver::AlreadyExists(r, name);
      json::object& meta = api::EnsureObject(obj, {"metadata"});
      if (!ns.empty()) meta["namespace"] = ns;
      meta["uid"] = "uid-" + std::to_string(++uid_);
      meta["resourceVersion"] = std::to_string(++rv_);
      objects_[key] = obj;
      Feed(r, obj, false);
    }
    return obj;
  }
  absl::StatusOr<json::value> Update(const api::ResourceInfo& r, json::value obj,
                                     std::string_view) override {
    std::string ns(GetString(obj, {"metadata", "namespace"}));
    std::string name(GetString(obj, {"metadata", "name"}));
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = objects_.find(Key(r, ns, name));
      if (it == objects_.end()) return apiserver::NotFound(r, name);
      if (GetString(it->second, {"metadata", "resourceVersion"}) !=
          GetString(obj, {"metadata", "resourceVersion"}))
        return apiserver::Conflict(r, name);
      obj.as_object()["metadata"].as_object()["resourceVersion"] = std::to_string(++rv_);
      it->second = obj;
      Feed(r, obj, false);
    }
    return obj;
  }
  // Status patches merge status keys (conditions by type); others merge labels.
  absl::StatusOr<json::value> Patch(const api::ResourceInfo& r, std::string_view ns,
                                    std::string_view name, std::string_view, std::string_view patch,
                                    std::string_view sub) override {
    json::value p = json::parse(patch);
    json::value obj;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = objects_.find(Key(r, ns, name));
      if (it == objects_.end()) return apiserver::NotFound(r, name);
      obj = it->second;
      if (sub == "status") {
        json::object& st = api::EnsureObject(obj, {"status"});
        for (const auto& [k, v] : p.at("status").as_object()) {
          if (k != "conditions" || !st.contains("conditions")) {
            st[k] = v;
            continue;
          }
          json::array& conds = st["conditions"].as_array();
          for (const auto& c : v.as_array()) {
            bool found = false;
            for (auto& old : conds)
              if (old.at("type") == c.at("type")) old = c, found = true;
            if (!found) conds.push_back(c);
          }
        }
        if (r.kind == "Pod" && GetString(obj, {"status", "phase"}) == "Running" &&
            GetString(it->second, {"status", "phase"}) != "Running") {
          ++running_;
        }
      } else if (const json::object* labels = api::GetObject(p, {"metadata", "labels"})) {
        for (const auto& [k, v] : *labels) api::EnsureObject(obj, {"metadata", "labels"})[k] = v;
      }
      obj.as_object()["metadata"].as_object()["resourceVersion"] = std::to_string(++rv_);
      it->second = obj;
      Feed(r, obj, false);
    }
    return obj;
  }
  absl::Status Delete(const api::ResourceInfo& r, std::string_view ns, std::string_view name,
                      const client::DeleteOptions&) override {
    json::value obj;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = objects_.find(Key(r, ns, name));
      if (it == objects_.end()) return apiserver::NotFound(r, name);
      obj = std::move(it->second);
      objects_.erase(it);
      Feed(r, obj, true);
    }
    return absl::OkStatus();
  }
  absl::Status Bind(std::string_view, std::string_view, std::string_view,
                    std::string_view) override {
    return absl::UnimplementedError("bind");
  }

  // What a graceful DELETE does to a bound pod: set deletionTimestamp and keep it.
  void MarkDeleting(std::string_view name, absl::Time now) {
    json::value obj;
    {
      std::lock_guard<std::mutex> lock(mu_);
      json::value& o = objects_.at(Key(client::Pods(), "default", name));
      json::object& meta = o.as_object()["metadata"].as_object();
      meta["deletionTimestamp"] = base::FormatRfc3339(now + absl::Seconds(30));
      meta["deletionGracePeriodSeconds"] = 30;
      meta["resourceVersion"] = std::to_string(++rv_);
      obj = o;
      Feed(client::Pods(), obj, false);
    }
  }
  int running() const { return running_.load(); }
  size_t Count(const api::ResourceInfo& r) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string prefix = std::string(r.plural) + "/";
    size_t n = 0;
    for (const auto& [k, v] : objects_) n += k.starts_with(prefix);
    return n;
  }

 private:
  static std::string Key(const api::ResourceInfo& r, std::string_view ns, std::string_view name) {
    return std::string(r.plural) + "/" + (r.namespaced ? std::string(ns) : "") + "/" +
           std::string(name);
  }
  void Feed(const api::ResourceInfo& r, const json::value& obj, bool deleted) {
    client::Informer* inf = &r == &client::Pods()    ? pods_
                            : &r == &client::Nodes() ? nodes_
                                                     : nullptr;
    if (inf == nullptr) return;
    auto ptr = std::make_shared<const json::value>(obj);
    if (deleted) {
      inf->Remove(ptr);
    } else {
      inf->Upsert(ptr);
    }
  }

  client::Informer* pods_;
  client::Informer* nodes_;
  std::mutex mu_;
  std::map<std::string, json::value> objects_;
  int64_t rv_ = 0, uid_ = 0;
  std::atomic<int> running_{0};
};

long RssKb() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, rss = 0;
  f >> pages >> rss;
  return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

template <typename F>
double TimeUntil(F pred, absl::Duration timeout) {
  absl::Time start = absl::Now(), deadline = start + timeout;
  while (!pred() && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return absl::ToDoubleSeconds(absl::Now() - start);
}

TEST(HollowNodesScaleTest, ThousandNodesTenThousandPods) {
  constexpr int kNodes = 1000, kPods = 10000;
  client::Informer pods(client::Pods()), nodes(client::Nodes());
  FakeApi api(&pods, &nodes);
  HollowNodesOptions o;
  o.count = kNodes;
  o.workers = 2;
  o.max_grace = absl::ZeroDuration();
  HollowNodes hollow(&api, &pods, &nodes, o);
  hollow.Register();
  long rss0 = RssKb();
  hollow.Start();
  double reg = TimeUntil([&] { return hollow.RegisteredCount() == kNodes; }, absl::Seconds(120));
  ASSERT_EQ(hollow.RegisteredCount(), kNodes);
  EXPECT_TRUE(TimeUntil([&] { return api.Count(client::Leases()) == kNodes; }, absl::Seconds(60)) <
              60);
  absl::Time t0 = absl::Now();
  for (int i = 0; i < kPods; ++i) {
    json::value pod = json::object{
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", json::object{{"name", "p" + std::to_string(i)}}},
        {"spec", json::object{{"nodeName", "hollow-" + std::to_string(i % kNodes)},
                              {"containers",
                               json::array{json::object{{"name", "c"}, {"image", "nginx"}}}}}},
        {"status", json::object{{"phase", "Pending"}}}};
    ASSERT_TRUE(api.Create(client::Pods(), "default", std::move(pod)).ok());
  }
  double created = absl::ToDoubleSeconds(absl::Now() - t0);
  double run = TimeUntil([&] { return api.running() == kPods; }, absl::Seconds(300));
  ASSERT_EQ(api.running(), kPods);
  long rss1 = RssKb();
  absl::Time t1 = absl::Now();
  for (int i = 0; i < kPods; ++i) api.MarkDeleting("p" + std::to_string(i), absl::Now());
  double gone = TimeUntil([&] { return api.Count(client::Pods()) == 0; }, absl::Seconds(300));
  ASSERT_EQ(api.Count(client::Pods()), 0u);
  EXPECT_TRUE(TimeUntil([&] { return hollow.PodCount() == 0; }, absl::Seconds(10)) < 10);
  double deleted = absl::ToDoubleSeconds(absl::Now() - t1);
  hollow.Stop();
  std::printf(
      "hollow scale: %d nodes registered in %.2f s; %d pods created in %.2f s, all Running "
      "%.2f s after the first (%.0f pods/s); deleted in %.2f s (%.0f pods/s); RSS +%ld KiB "
      "(%.1f KiB per pod incl. the fake API and informers)\n",
      kNodes, reg, kPods, created, run + created, kPods / (run + created), deleted, kPods / deleted,
      rss1 - rss0, double(rss1 - rss0) / kPods);
  (void)gone;
}

}  // namespace
}  // namespace skiff::agent::hollow
