// The DaemonSet controller's reconcile (Kubernetes' syncDaemonSet, manage, syncNodes,
// updateDaemonSetStatus): claim pods, create and delete pods node by node within the burst and
// expectations, run the update strategy, clean up history, then write status.
#include <atomic>
#include <mutex>
#include <optional>

#include "absl/strings/match.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/apiserver/errors.h"
#include "skiff/controllers/common/controller_ref.h"
#include "skiff/controllers/daemonset/daemon_pod.h"
#include "skiff/controllers/daemonset/daemon_set_controller.h"
#include "skiff/controllers/daemonset/node_pods.h"
#include "skiff/controllers/daemonset/status.h"
#include "skiff/controllers/replicaset/pod_template.h"
#include "skiff/controllers/replicaset/slow_start.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::daemonset {

namespace json = boost::json;

namespace {

constexpr std::string_view kStrategicMerge = "application/strategic-merge-patch+json";
// Deletions of one sync share at most this many threads.
constexpr int kMaxDeleteThreads = 64;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

absl::Status Wrap(const absl::Status& s, std::string_view context) {
  return absl::Status(s.code(), api::Cat(context, ": ", std::string(s.message())));
}

// Creating in a namespace being deleted fails for every pod; Kubernetes treats it as no error.
bool NamespaceTerminating(const absl::Status& s) {
  return apiserver::HttpCode(s) == 403 &&
         absl::StrContains(s.message(), "because it is being terminated");
}

std::string_view Name(const json::value& obj) { return api::GetString(obj, {"metadata", "name"}); }

}  // namespace

absl::Status DaemonSetController::Sync(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  client::ObjPtr ds = daemonsets_.Get(ns, name);
  if (ds == nullptr) {
    expectations_.Delete(key);
    return absl::OkStatus();
  }
  auto selector = api::LabelSelector::FromJson(api::Find(*ds, {"spec", "selector"}));
  if (!selector.ok()) {
    spdlog::warn("daemonset-controller: {} has an invalid selector: {}", key,
                 Message(selector.status()));
    return absl::OkStatus();
  }
  if (selector->Empty()) {
    recorder_.Record(*ds, "Warning", "SelectingAll",
                     "This daemon set is selecting all pods. A non-empty selector is required.");
    return absl::OkStatus();
  }
  // The history a DaemonSet being deleted owned may already be gone or orphaned: its status
  // cannot be computed reliably, so it is left alone.
  if (IsDeleting(*ds)) return absl::OkStatus();

  SyncState s{.ds = ds,
              .key = key,
              .ns = ns,
              .name = name,
              .uid = std::string(api::GetString(*ds, {"metadata", "uid"})),
              .selector = std::move(*selector),
              .nodes = nodes_.List(),
              .fits = {},
              .rev = {}};
  DaemonPlacement placement = DaemonPlacement::FromDaemonSet(*ds);
  for (const client::ObjPtr& node : s.nodes) {
    s.fits.emplace(std::string(Name(*node)), placement.Evaluate(*node));
  }
  s.rev.generation = TemplateGeneration(*ds);
  s.rev.min_ready_seconds = api::GetInt(*ds, {"spec", "minReadySeconds"});
  s.rev.now = clock_.Now();

  auto histories = ConstructHistory(s);
  if (!histories.ok()) {
    return Wrap(histories.status(), "failed to construct revisions of DaemonSet");
  }
  s.rev.hash = std::string(api::GetString(
      histories->current["metadata"], {"labels", std::string_view(kControllerRevisionHashLabel)}));

  if (!expectations_.Satisfied(key)) {
    // Nothing else would bring the key back if an event were lost: look again at expiry.
    if (std::optional<absl::Duration> wake = expectations_.TakeWakeUp(key)) {
      EnqueueAfter(key, *wake + absl::Milliseconds(1));
    }
    // Only status: the spec of this generation was not acted on yet.
    return UpdateStatus(s, /*observe_generation=*/false);
  }
  absl::Status err = UpdateDaemonSet(s, histories->old);
  absl::Status status_err = UpdateStatus(s, /*observe_generation=*/true);
  if (!err.ok()) {
    if (!status_err.ok()) {
      spdlog::warn("daemonset-controller: failed to update status of {}: {}", key,
                   Message(status_err));
    }
    return err;
  }
  return status_err;
}

absl::Status DaemonSetController::UpdateDaemonSet(const SyncState& s,
                                                  const std::vector<client::ObjPtr>& old) {
  if (absl::Status err = Manage(s); !err.ok()) return err;
  if (expectations_.Satisfied(s.key) &&
      api::GetString(*s.ds, {"spec", "updateStrategy", "type"}) == "RollingUpdate") {
    if (absl::Status err = RollingUpdate(s); !err.ok()) return err;
  }
  if (absl::Status err = CleanupHistory(s, old); !err.ok()) {
    return Wrap(err, "failed to clean up revisions of DaemonSet");
  }
  return absl::OkStatus();
}

absl::Status DaemonSetController::CanAdopt(const SyncState& s) {
  // A fresh read: the cache may not show a deletion that just started.
  auto fresh = client_->Get(client::DaemonSets(), s.ns, s.name);
  if (!fresh.ok()) {
    return absl::UnavailableError("can't recheck DeletionTimestamp: " + Message(fresh.status()));
  }
  std::string_view fresh_uid = api::GetString(*fresh, {"metadata", "uid"});
  if (fresh_uid != s.uid) {
    return absl::UnavailableError(api::Cat("original DaemonSet ", s.ns, "/", s.name,
                                           " is gone: got uid ", fresh_uid, ", wanted ", s.uid));
  }
  if (IsDeleting(*fresh)) {
    return absl::UnavailableError(
        api::Cat(s.ns, "/", s.name, " has just been deleted at ",
                 api::GetString(*fresh, {"metadata", "deletionTimestamp"})));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<client::ObjPtr>> DaemonSetController::ClaimPods(const SyncState& s) {
  json::object ref = NewControllerRef("apps/v1", "DaemonSet", s.name, s.uid);
  std::optional<absl::Status> can_adopt;  // checked once, at the first adoption
  std::vector<client::ObjPtr> claimed;
  std::vector<std::string> errors;
  // Every pod of the namespace: owned pods whose labels stopped matching must be released.
  for (const client::ObjPtr& pod : pods_.List(s.ns)) {
    bool matches = s.selector.MatchesObject(*pod);
    std::string_view name = Name(*pod);
    std::string_view uid = api::GetString(*pod, {"metadata", "uid"});
    switch (DecideClaim(*pod, s.uid, matches, /*owner_deleting=*/false)) {
      case ClaimAction::kIgnore:
        break;
      case ClaimAction::kKeep:
        claimed.push_back(pod);
        break;
      case ClaimAction::kAdopt: {
        if (!can_adopt) can_adopt = CanAdopt(s);
        if (!can_adopt->ok()) {
          errors.push_back(
              api::Cat("can't adopt Pod ", s.ns, "/", name, " (", uid, "): ", Message(*can_adopt)));
          break;
        }
        auto res =
            client_->Patch(client::Pods(), s.ns, name, kStrategicMerge, AdoptPatch(ref, uid));
        if (res.ok()) {
          claimed.push_back(std::make_shared<const json::value>(std::move(*res)));
        } else if (!client::IsNotFoundError(res.status())) {
          errors.push_back(Message(res.status()));
        }
        break;
      }
      case ClaimAction::kRelease: {
        auto res =
            client_->Patch(client::Pods(), s.ns, name, kStrategicMerge, ReleasePatch(s.uid, uid));
        // Gone, or no longer carrying our reference (422): nothing left to release.
        if (!res.ok() && !client::IsNotFoundError(res.status()) &&
            apiserver::HttpCode(res.status()) != 422) {
          errors.push_back(Message(res.status()));
        }
        break;
      }
    }
  }
  if (!errors.empty()) return absl::UnavailableError(api::Join(errors, "; "));
  return claimed;
}

absl::StatusOr<NodePods> DaemonSetController::NodesToDaemonPods(const SyncState& s,
                                                                bool include_deleted_terminal) {
  auto claimed = ClaimPods(s);
  if (!claimed.ok()) {
    return Wrap(
        claimed.status(),
        api::Cat("couldn't get node to daemon pod mapping for daemon set \"", s.name, "\""));
  }
  NodePods by_node;
  for (client::ObjPtr& pod : *claimed) {
    // A terminal pod being deleted waits for its finalizers or the kubelet: nothing to do.
    if (!include_deleted_terminal && IsPodTerminal(*pod) && IsDeleting(*pod)) continue;
    std::optional<std::string> node = TargetNodeName(*pod);
    if (!node) continue;
    by_node[*node].push_back(std::move(pod));
  }
  return by_node;
}

absl::Status DaemonSetController::Manage(const SyncState& s) {
  auto node_pods = NodesToDaemonPods(s, /*include_deleted_terminal=*/false);
  if (!node_pods.ok()) return node_pods.status();
  bool surge = AllowsSurge(*s.ds);
  int64_t observed = api::GetInt(*s.ds, {"status", "observedGeneration"});
  std::vector<std::string> to_create, to_delete;
  for (const auto& [node, fit] : s.fits) {
    auto it = node_pods->find(node);
    NodePodsDecision d =
        DecideNodePods(fit, it == node_pods->end() ? nullptr : &it->second, surge, s.rev);
    if (d.create) to_create.push_back(node);
    for (const client::ObjPtr& pod : d.failed) {
      // Kubelets that keep rejecting a pod must not make the controller hot-loop.
      std::string backoff_key = api::Cat(s.uid, "/", observed, "/", node);
      if (failed_pods_.InBackoff(backoff_key, s.rev.now)) {
        EnqueueAfter(s.key, failed_pods_.Delay(backoff_key));
        continue;
      }
      failed_pods_.Next(backoff_key, s.rev.now);
      recorder_.Record(*s.ds, "Warning", "FailedDaemonPod",
                       api::Cat("Found failed daemon pod ", s.ns, "/", Name(*pod), " on node ",
                                node, ", will try to kill it"));
      to_delete.emplace_back(Name(*pod));
    }
    for (const client::ObjPtr& pod : d.succeeded) {
      recorder_.Record(*s.ds, "Normal", "SucceededDaemonPod",
                       api::Cat("Found succeeded daemon pod ", s.ns, "/", Name(*pod), " on node ",
                                node, ", will try to delete it"));
      to_delete.emplace_back(Name(*pod));
    }
    for (const client::ObjPtr& pod : d.excess) to_delete.emplace_back(Name(*pod));
  }
  // Unscheduled pods meant for nodes that no longer exist: the scheduler never binds them and
  // the pod garbage collector only removes bound pods.
  for (const auto& [node, pods] : *node_pods) {
    if (s.fits.count(node)) continue;
    for (const client::ObjPtr& pod : pods) {
      if (api::GetString(*pod, {"spec", "nodeName"}).empty()) to_delete.emplace_back(Name(*pod));
    }
  }
  return SyncNodes(s, to_delete, to_create);
}

absl::Status DaemonSetController::SyncNodes(const SyncState& s,
                                            const std::vector<std::string>& pods_to_delete,
                                            const std::vector<std::string>& nodes_to_create) {
  int creates = std::min<int>(nodes_to_create.size(), options_.burst_replicas);
  int deletes = std::min<int>(pods_to_delete.size(), options_.burst_replicas);
  if (creates == 0 && deletes == 0) return absl::OkStatus();
  // Expect them all before the first write: its watch event may arrive before it returns.
  expectations_.Set(s.key, creates, deletes);

  std::mutex mu;
  absl::Status first_error;
  auto keep_error = [&](const absl::Status& e) {
    std::lock_guard<std::mutex> lock(mu);
    if (first_error.ok()) first_error = e;
  };

  if (creates > 0) {
    json::object pod_template =
        DaemonPodTemplate(*api::Find(*s.ds, {"spec", "template"}), s.rev.generation, s.rev.hash);
    json::value owner{{"metadata", {{"name", s.name}}},
                      {"spec", {{"template", std::move(pod_template)}}}};
    const json::value base_pod =
        replicaset::PodFromTemplate(owner, NewControllerRef("apps/v1", "DaemonSet", s.name, s.uid));
    std::atomic<int> next{0};
    replicaset::SlowStartResult result = replicaset::SlowStartBatch(
        creates, replicaset::kSlowStartInitialBatchSize, [&]() -> absl::Status {
          const std::string& node = nodes_to_create[next.fetch_add(1)];
          json::value pod = base_pod;
          // The scheduler binds it to exactly this node; the node's fit was checked above.
          PinToNode(pod.as_object()["spec"].as_object(), node);
          auto created = client_->Create(client::Pods(), s.ns, std::move(pod));
          if (!created.ok()) {
            if (NamespaceTerminating(created.status())) {
              expectations_.CreationObserved(s.key);
              return absl::OkStatus();
            }
            recorder_.Record(*s.ds, "Warning", "FailedCreate",
                             "Error creating: " + Message(created.status()));
            return created.status();
          }
          recorder_.Record(*s.ds, "Normal", "SuccessfulCreate",
                           api::Cat("Created pod: ", Name(*created)));
          return absl::OkStatus();
        });
    // Failed and skipped creations will never be observed.
    if (result.successes < creates) {
      expectations_.Lower(s.key, creates - result.successes, 0);
      spdlog::info("daemonset-controller: {} created {} of {} pods, skipping the rest: {}", s.key,
                   result.successes, creates, Message(result.first_error));
      keep_error(result.first_error);
    }
  }

  replicaset::RunConcurrently(deletes, kMaxDeleteThreads, [&](int i) {
    const std::string& name = pods_to_delete[i];
    absl::Status d = client_->Delete(client::Pods(), s.ns, name);
    if (d.ok()) {
      recorder_.Record(*s.ds, "Normal", "SuccessfulDelete", api::Cat("Deleted pod: ", name));
      return;
    }
    // This deletion will not be observed.
    expectations_.DeletionObserved(s.key);
    if (client::IsNotFoundError(d)) return;
    recorder_.Record(*s.ds, "Warning", "FailedDelete", "Error deleting: " + Message(d));
    keep_error(d);
  });
  return first_error;
}

absl::Status DaemonSetController::UpdateStatus(const SyncState& s, bool observe_generation) {
  auto node_pods = NodesToDaemonPods(s, /*include_deleted_terminal=*/false);
  if (!node_pods.ok()) return node_pods.status();
  DaemonSetCounts counts = CountDaemonPods(s.fits, *node_pods, s.rev);
  if (!StatusCurrent(*s.ds, counts)) {
    int64_t generation = api::GetInt(*s.ds, {"metadata", "generation"});
    json::value obj = *s.ds;
    // One retry with a fresh read, as Kubernetes' StatusUpdateRetries.
    for (int attempt = 0;; ++attempt) {
      json::object status = StatusWith(obj, counts, false);
      if (observe_generation) status["observedGeneration"] = generation;
      obj.as_object()["status"] = std::move(status);
      auto res = client_->Update(client::DaemonSets(), obj, "status");
      if (res.ok()) break;
      if (attempt >= 1) {
        return Wrap(res.status(), api::Cat("error storing status for daemon set ", s.key));
      }
      auto fresh = client_->Get(client::DaemonSets(), s.ns, s.name);
      if (!fresh.ok()) return fresh.status();
      obj = std::move(*fresh);
    }
  }
  // Availability is not an event of its own: look again when it may have changed.
  if (s.rev.min_ready_seconds > 0 && counts.ready != counts.available) {
    EnqueueAfter(s.key, absl::Seconds(s.rev.min_ready_seconds));
  }
  return absl::OkStatus();
}

}  // namespace skiff::controllers::daemonset
