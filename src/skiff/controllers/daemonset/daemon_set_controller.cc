#include "skiff/controllers/daemonset/daemon_set_controller.h"

#include <chrono>

#include "spdlog/spdlog.h"

namespace skiff::controllers::daemonset {

template <typename... Args>
auto DaemonSetController::Gated(void (DaemonSetController::*method)(Args...)) {
  return [gate = gate_, this, method](Args... args) {
    std::shared_lock<std::shared_mutex> lock(gate->mu);
    if (gate->open) (this->*method)(args...);
  };
}

DaemonSetController::DaemonSetController(client::Client* client, client::InformerFactory& informers,
                                         DaemonSetControllerOptions options)
    : client_(client),
      options_(options),
      clock_(*options.clock),
      daemonsets_(informers.For(client::DaemonSets())),
      revisions_(informers.For(client::ControllerRevisions())),
      pods_(informers.For(client::Pods())),
      nodes_(informers.For(client::Nodes())),
      history_(client, revisions_),
      expectations_(*options.clock, options.expectations_ttl),
      recorder_(client, "daemonset-controller", "", *options.clock) {
  auto enqueue = [gate = gate_, this](const client::ObjPtr& ds) {
    std::shared_lock<std::shared_mutex> lock(gate->mu);
    if (gate->open) Enqueue(*ds);
  };
  daemonsets_.AddHandlers({.on_add = enqueue,
                           .on_update = Gated(&DaemonSetController::OnDaemonSetUpdate),
                           .on_delete = Gated(&DaemonSetController::OnDaemonSetDelete)});
  revisions_.AddHandlers({.on_add = Gated(&DaemonSetController::OnRevisionAdd),
                          .on_update = Gated(&DaemonSetController::OnRevisionUpdate),
                          .on_delete = Gated(&DaemonSetController::OnRevisionDelete)});
  pods_.AddHandlers({.on_add = Gated(&DaemonSetController::OnPodAdd),
                     .on_update = Gated(&DaemonSetController::OnPodUpdate),
                     .on_delete = Gated(&DaemonSetController::OnPodDelete)});
  // A deleted node's pods are the pod garbage collector's; the DaemonSet hears of them then.
  nodes_.AddHandlers({.on_add = Gated(&DaemonSetController::OnNodeAdd),
                      .on_update = Gated(&DaemonSetController::OnNodeUpdate),
                      .on_delete = nullptr});
}

DaemonSetController::~DaemonSetController() {
  {
    std::unique_lock<std::shared_mutex> lock(gate_->mu);
    gate_->open = false;
  }
  Stop();
}

void DaemonSetController::Start() {
  if (!workers_.empty()) return;
  spdlog::info("starting daemonset-controller with {} workers", options_.workers);
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { Work(); });
}

void DaemonSetController::Stop() {
  queue_.ShutDown();
  workers_.clear();  // joins
}

void DaemonSetController::Work() {
  while (auto key = queue_.Get()) {
    absl::Status s = Sync(*key);
    if (s.ok()) {
      backoff_.Forget(*key);
    } else {
      absl::Duration delay = backoff_.Next(*key);
      spdlog::info("daemonset-controller: sync {} failed (retry in {}): {}", *key,
                   absl::FormatDuration(delay), std::string(s.message()));
      queue_.AddAfter(*key, std::chrono::milliseconds(absl::ToInt64Milliseconds(delay)));
    }
    queue_.Done(*key);
    // Forget failed-pod backoffs nobody touched for long (client-go collects every minute).
    failed_pods_.Collect(clock_.Now());
  }
}

void DaemonSetController::EnqueueAfter(const std::string& key, absl::Duration after) {
  queue_.AddAfter(
      key, std::chrono::milliseconds(std::max<int64_t>(0, absl::ToInt64Milliseconds(after))));
}

}  // namespace skiff::controllers::daemonset
