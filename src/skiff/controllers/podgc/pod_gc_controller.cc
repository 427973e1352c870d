#include "skiff/controllers/podgc/pod_gc_controller.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <set>

#include "skiff/api/object.h"
#include "skiff/base/time.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::podgc {

namespace json = boost::json;

namespace {

// Deletions of one pass share at most this many threads.
constexpr int kMaxDeleteThreads = 32;

std::string NameOf(const json::value& pod) {
  return std::string(api::GetString(pod, {"metadata", "namespace"})) + "/" +
         std::string(api::GetString(pod, {"metadata", "name"}));
}

void RunConcurrently(int n, const std::function<void(int)>& fn) {
  std::atomic<int> next{0};
  auto loop = [&] {
    for (int i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::jthread> threads;
  for (int t = 1; t < std::min(n, kMaxDeleteThreads); ++t) threads.emplace_back(loop);
  loop();
}

}  // namespace

PodGcController::PodGcController(client::Client* client, client::InformerFactory& informers,
                                 PodGcOptions options)
    : client_(client),
      options_(options),
      clock_(*options.clock),
      pods_(informers.For(client::Pods())),
      nodes_(informers.For(client::Nodes())),
      quarantine_(options.quarantine) {}

PodGcController::~PodGcController() { Stop(); }

void PodGcController::Start() {
  if (loop_.joinable()) return;
  loop_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
}

void PodGcController::Stop() {
  if (!loop_.joinable()) return;
  loop_.request_stop();
  wake_.notify_all();
  loop_.join();
}

void PodGcController::Loop(std::stop_token stop) {
  auto period = std::chrono::milliseconds(absl::ToInt64Milliseconds(options_.gc_period));
  while (!stop.stop_requested()) {
    RunOnce();
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, stop, period, [] { return false; });
  }
}

int PodGcController::RunOnce() {
  std::vector<client::ObjPtr> pods = pods_.List();
  std::map<std::string, client::ObjPtr> nodes;
  for (auto& n : nodes_.List()) nodes[std::string(api::GetString(*n, {"metadata", "name"}))] = n;
  int deleted = 0;
  if (options_.terminated_pod_threshold > 0) deleted += GcTerminated(pods);
  deleted += GcTerminatingOutOfService(pods, nodes);
  deleted += GcOrphaned(pods, nodes);
  deleted += GcUnscheduledTerminating(pods);
  return deleted;
}

int PodGcController::DeleteAll(const std::vector<client::ObjPtr>& pods) {
  std::atomic<int> deleted{0};
  RunConcurrently(static_cast<int>(pods.size()), [&](int i) {
    if (MarkFailedAndDelete(*pods[i], nullptr)) ++deleted;
  });
  return deleted.load();
}

int PodGcController::GcTerminated(const std::vector<client::ObjPtr>& pods) {
  std::vector<client::ObjPtr> victims =
      TerminatedPodsToDelete(pods, options_.terminated_pod_threshold);
  if (victims.empty()) return 0;
  spdlog::info("pod gc: deleting {} terminated pods above the threshold of {}", victims.size(),
               options_.terminated_pod_threshold);
  return DeleteAll(victims);
}

int PodGcController::GcTerminatingOutOfService(const std::vector<client::ObjPtr>& pods,
                                               const std::map<std::string, client::ObjPtr>& nodes) {
  std::vector<client::ObjPtr> victims = TerminatingOutOfServicePods(pods, nodes);
  if (victims.empty()) return 0;
  spdlog::info("pod gc: deleting {} terminating pods on out-of-service nodes", victims.size());
  return DeleteAll(victims);
}

bool PodGcController::NodeGone(const std::string& name) {
  auto res = client_->Get(client::Nodes(), "", name);
  if (res.ok()) return false;
  if (client::IsNotFoundError(res.status())) return true;
  spdlog::warn("pod gc: cannot check node {}: {}", name, std::string(res.status().message()));
  return false;
}

int PodGcController::GcOrphaned(const std::vector<client::ObjPtr>& pods,
                                const std::map<std::string, client::ObjPtr>& nodes) {
  std::set<std::string> missing;
  for (const auto& p : pods) {
    std::string node(api::GetString(*p, {"spec", "nodeName"}));
    if (!node.empty() && !nodes.contains(node)) missing.insert(std::move(node));
  }
  std::set<std::string> gone;
  for (const auto& name : quarantine_.Due(missing, clock_.Now()))
    if (NodeGone(name)) gone.insert(name);
  if (gone.empty()) return 0;
  json::object condition{{"type", "DisruptionTarget"},
                         {"status", "True"},
                         {"reason", "DeletionByPodGC"},
                         {"message", "PodGC: node no longer exists"}};
  int deleted = 0;
  for (const auto& p : pods) {
    if (!gone.contains(std::string(api::GetString(*p, {"spec", "nodeName"})))) continue;
    spdlog::info("pod gc: deleting pod {} bound to missing node {}", NameOf(*p),
                 api::GetString(*p, {"spec", "nodeName"}));
    if (MarkFailedAndDelete(*p, &condition)) ++deleted;
  }
  return deleted;
}

int PodGcController::GcUnscheduledTerminating(const std::vector<client::ObjPtr>& pods) {
  int deleted = 0;
  for (const auto& p : UnscheduledTerminatingPods(pods)) {
    spdlog::info("pod gc: deleting unscheduled terminating pod {}", NameOf(*p));
    if (MarkFailedAndDelete(*p, nullptr)) ++deleted;
  }
  return deleted;
}

bool PodGcController::MarkFailedAndDelete(const json::value& pod, const json::object* condition) {
  std::string ns(api::GetString(pod, {"metadata", "namespace"}));
  std::string name(api::GetString(pod, {"metadata", "name"}));
  std::string_view phase = api::GetString(pod, {"status", "phase"});
  // An orphaned pod has no kubelet left to report it terminal; record it before it goes.
  if (phase != "Succeeded" && phase != "Failed") {
    json::object status{{"phase", "Failed"}};
    if (condition != nullptr) {
      json::object cond = *condition;
      std::string since = base::FormatRfc3339(clock_.Now());
      if (const json::array* conds = api::GetArray(pod, {"status", "conditions"})) {
        for (const auto& c : *conds) {
          if (api::GetString(c, {"type"}) == cond.at("type").as_string() &&
              api::GetString(c, {"status"}) == cond.at("status").as_string()) {
            since = std::string(api::GetString(c, {"lastTransitionTime"}, since));
          }
        }
      }
      cond["lastTransitionTime"] = since;
      status["conditions"] = json::array{std::move(cond)};
    }
    json::object patch{
        {"metadata", json::object{{"uid", api::GetString(pod, {"metadata", "uid"})}}},
        {"status", std::move(status)}};
    auto res = client_->Patch(client::Pods(), ns, name, "application/strategic-merge-patch+json",
                              json::serialize(patch), "status");
    if (!res.ok()) {
      if (!client::IsNotFoundError(res.status())) {
        spdlog::warn("pod gc: cannot mark {}/{} failed: {}", ns, name,
                     std::string(res.status().message()));
      }
      return false;
    }
  }
  client::DeleteOptions opts;
  opts.grace_period_seconds = 0;
  absl::Status s = client_->Delete(client::Pods(), ns, name, opts);
  if (!s.ok()) {
    if (!client::IsNotFoundError(s)) {
      spdlog::warn("pod gc: cannot delete {}/{}: {}", ns, name, std::string(s.message()));
    }
    return false;
  }
  return true;
}

}  // namespace skiff::controllers::podgc
