#include "skiff/controllers/replicaset/replica_set_controller.h"

#include <chrono>

#include "spdlog/spdlog.h"

namespace skiff::controllers::replicaset {

template <typename... Args>
auto ReplicaSetController::Gated(void (ReplicaSetController::*method)(Args...)) {
  return [gate = gate_, this, method](Args... args) {
    std::shared_lock<std::shared_mutex> lock(gate->mu);
    if (gate->open) (this->*method)(args...);
  };
}

ReplicaSetController::ReplicaSetController(client::Client* client,
                                           client::InformerFactory& informers,
                                           const OwnerKind& kind,
                                           ReplicaSetControllerOptions options)
    : client_(client),
      kind_(kind),
      options_(options),
      clock_(*options.clock),
      owners_(informers.For(*kind.resource)),
      pods_(informers.For(client::Pods())),
      expectations_(*options.clock, options.expectations_ttl),
      recorder_(client, std::string(kind.component), "", *options.clock) {
  owners_.AddHandlers({.on_add = Gated(&ReplicaSetController::OnOwnerAdd),
                       .on_update = Gated(&ReplicaSetController::OnOwnerUpdate),
                       .on_delete = Gated(&ReplicaSetController::OnOwnerDelete)});
  pods_.AddHandlers({.on_add = Gated(&ReplicaSetController::OnPodAdd),
                     .on_update = Gated(&ReplicaSetController::OnPodUpdate),
                     .on_delete = Gated(&ReplicaSetController::OnPodDelete)});
}

ReplicaSetController::~ReplicaSetController() {
  {
    std::unique_lock<std::shared_mutex> lock(gate_->mu);
    gate_->open = false;
  }
  Stop();
}

void ReplicaSetController::Start() {
  if (!workers_.empty()) return;
  spdlog::info("starting {} with {} workers", kind_.component, options_.workers);
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { Work(); });
}

void ReplicaSetController::Stop() {
  queue_.ShutDown();
  workers_.clear();  // joins
}

void ReplicaSetController::Work() {
  while (auto key = queue_.Get()) {
    absl::Status s = Sync(*key);
    if (s.ok()) {
      backoff_.Forget(*key);
    } else {
      absl::Duration delay = backoff_.Next(*key);
      spdlog::info("{}: sync {} failed (retry in {}): {}", kind_.component, *key,
                   absl::FormatDuration(delay), std::string(s.message()));
      queue_.AddAfter(*key, std::chrono::milliseconds(absl::ToInt64Milliseconds(delay)));
    }
    queue_.Done(*key);
  }
}

}  // namespace skiff::controllers::replicaset
