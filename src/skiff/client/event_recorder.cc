#include "skiff/client/event_recorder.h"

#include <cstdio>

#include "skiff/api/object.h"

namespace skiff::client {

namespace json = boost::json;

EventRecorder::EventRecorder(Client* client, std::string component, std::string host,
                             const base::Clock& clock)
    : client_(client), component_(std::move(component)), host_(std::move(host)), clock_(clock) {
  worker_ = std::jthread([this](std::stop_token st) { Run(st); });
}

EventRecorder::~EventRecorder() {
  worker_.request_stop();
  cv_.notify_all();
}

void EventRecorder::Record(const json::value& object, std::string_view type,
                           std::string_view reason, std::string message) {
  Pending p;
  p.involved["kind"] = api::GetString(object, {"kind"});
  p.involved["namespace"] = api::GetString(object, {"metadata", "namespace"});
  p.involved["name"] = api::GetString(object, {"metadata", "name"});
  p.involved["uid"] = api::GetString(object, {"metadata", "uid"});
  p.involved["apiVersion"] = api::GetString(object, {"apiVersion"});
  p.involved["resourceVersion"] = api::GetString(object, {"metadata", "resourceVersion"});
  p.ns = std::string(api::GetString(object, {"metadata", "namespace"}));
  if (p.ns.empty()) p.ns = "default";
  p.type = std::string(type);
  p.reason = std::string(reason);
  p.message = std::move(message);
  p.when = clock_.Now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() > 10000) return;  // shed load rather than grow without bound
    queue_.push_back(std::move(p));
  }
  cv_.notify_one();
}

void EventRecorder::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::seconds(10), [&] { return queue_.empty() && in_flight_ == 0; });
}

void EventRecorder::Run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    Pending p;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, stop, [&] { return !queue_.empty(); });
      if (queue_.empty()) continue;
      p = std::move(queue_.front());
      queue_.pop_front();
      ++in_flight_;
    }
    Write(p);
    {
      std::lock_guard<std::mutex> lock(mu_);
      --in_flight_;
    }
    cv_.notify_all();
  }
}

void EventRecorder::Write(const Pending& p) {
  std::string ts = base::FormatRfc3339(p.when);
  std::string key = std::string(p.involved.at("uid").as_string()) + "\x1f" + p.type + "\x1f" +
                    p.reason + "\x1f" + p.message;
  auto it = seen_.find(key);
  if (it != seen_.end()) {
    int64_t count = it->second.second + 1;
    json::object patch{{"count", count}, {"lastTimestamp", ts}};
    auto res = client_->Patch(Events(), p.ns, it->second.first, "application/merge-patch+json",
                              json::serialize(patch));
    if (res.ok()) {
      it->second.second = count;
      return;
    }
    seen_.erase(it);  // expired or deleted: record afresh
  }
  json::object source;
  source["component"] = component_;
  if (!host_.empty()) source["host"] = host_;
  json::object ev{{"apiVersion", "v1"},
                  {"kind", "Event"},
                  {"metadata", json::object{{"namespace", p.ns}}},
                  {"involvedObject", p.involved},
                  {"reason", p.reason},
                  {"message", p.message},
                  {"source", source},
                  {"firstTimestamp", ts},
                  {"lastTimestamp", ts},
                  {"count", 1},
                  {"type", p.type},
                  {"eventTime", nullptr},
                  {"reportingComponent", component_},
                  {"reportingInstance", host_}};
  // Named <object>.<unix nanos in hex> as Kubernetes names them. Two events about one object at
  // the same instant (another component, a coarse clock) take the next free nanosecond.
  std::string name;
  absl::StatusOr<json::value> res = absl::UnknownError("not written");
  const uint64_t nanos = static_cast<uint64_t>(absl::ToUnixNanos(p.when));
  for (uint64_t bump = 0; bump < 8; ++bump) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".%016llx", static_cast<unsigned long long>(nanos + bump));
    name = std::string(p.involved.at("name").as_string()) + suffix;
    ev["metadata"].as_object()["name"] = name;
    res = client_->Create(Events(), p.ns, ev);
    if (res.ok() || !IsAlreadyExistsError(res.status())) break;
  }
  if (res.ok()) seen_[key] = {name, 1};
  if (seen_.size() > 4096) seen_.erase(seen_.begin());
}

}  // namespace skiff::client
