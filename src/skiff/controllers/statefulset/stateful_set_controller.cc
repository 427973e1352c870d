#include "skiff/controllers/statefulset/stateful_set_controller.h"

#include <chrono>

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/apiserver/errors.h"
#include "skiff/controllers/common/controller_ref.h"
#include "skiff/controllers/replicaset/pod_state.h"
#include "skiff/controllers/statefulset/identity.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::statefulset {

namespace json = boost::json;

namespace {

constexpr std::string_view kComponent = "statefulset-controller";
constexpr std::string_view kStrategicMerge = "application/strategic-merge-patch+json";

std::string Message(const absl::Status& s) { return std::string(s.message()); }

std::string_view Name(const json::value& obj) { return api::GetString(obj, {"metadata", "name"}); }
std::string Namespace(const json::value& obj) {
  return std::string(api::GetString(obj, {"metadata", "namespace"}));
}
std::string_view Uid(const json::value& obj) { return api::GetString(obj, {"metadata", "uid"}); }

bool Deleting(const json::value& obj) {
  const json::value* d = api::Find(obj, {"metadata", "deletionTimestamp"});
  return d != nullptr && !d->is_null();
}

std::chrono::milliseconds Millis(absl::Duration d) {
  return std::chrono::milliseconds(std::max<int64_t>(0, absl::ToInt64Milliseconds(d)));
}

absl::StatusOr<api::LabelSelector> SelectorOf(const json::value& set) {
  return api::LabelSelector::FromJson(api::Find(set, {"spec", "selector"}));
}

// Kubernetes never lets an empty or missing selector claim anything.
bool Usable(const api::LabelSelector& s) { return !s.Empty() && !s.MatchesNothing(); }

}  // namespace

template <typename... Args>
auto StatefulSetController::Gated(void (StatefulSetController::*method)(Args...)) {
  return [gate = gate_, this, method](Args... args) {
    std::shared_lock<std::shared_mutex> lock(gate->mu);
    if (gate->open) (this->*method)(args...);
  };
}

StatefulSetController::StatefulSetController(client::Client* client,
                                             client::InformerFactory& informers,
                                             StatefulSetControllerOptions options)
    : client_(client),
      options_(options),
      clock_(*options.clock),
      sets_(informers.For(client::StatefulSets())),
      pods_(informers.For(client::Pods())),
      claims_(informers.For(client::PersistentVolumeClaims())),
      revisions_(informers.For(client::ControllerRevisions())),
      history_(client, revisions_),
      recorder_(client, std::string(kComponent)),
      expectations_(*options.clock, options.expectations_ttl) {
  sets_.AddHandlers({.on_add = Gated(&StatefulSetController::OnSetAdd),
                     .on_update = Gated(&StatefulSetController::OnSetUpdate),
                     .on_delete = Gated(&StatefulSetController::OnSetDelete)});
  pods_.AddHandlers({.on_add = Gated(&StatefulSetController::OnPodAdd),
                     .on_update = Gated(&StatefulSetController::OnPodUpdate),
                     .on_delete = Gated(&StatefulSetController::OnPodDelete)});
}

StatefulSetController::~StatefulSetController() {
  {
    std::unique_lock<std::shared_mutex> lock(gate_->mu);
    gate_->open = false;
  }
  Stop();
}

void StatefulSetController::Start() {
  if (!workers_.empty()) return;
  spdlog::info("starting {} with {} workers", kComponent, options_.workers);
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { Work(); });
}

void StatefulSetController::Stop() {
  queue_.ShutDown();
  workers_.clear();  // joins
  recorder_.Flush();
}

void StatefulSetController::Work() {
  while (auto key = queue_.Get()) {
    absl::Status s = Sync(*key);
    if (s.ok()) {
      backoff_.Forget(*key);
    } else {
      absl::Duration delay = backoff_.Next(*key);
      spdlog::info("{}: error syncing StatefulSet {}, requeuing in {}: {}", kComponent, *key,
                   absl::FormatDuration(delay), Message(s));
      queue_.AddAfter(*key, Millis(delay));
    }
    queue_.Done(*key);
  }
}

// ---- handlers

void StatefulSetController::Enqueue(const json::value& set) { queue_.Add(client::KeyOf(set)); }

void StatefulSetController::EnqueueAfter(const json::value& set, absl::Duration after) {
  queue_.AddAfter(client::KeyOf(set), Millis(after));
}

void StatefulSetController::OnSetAdd(const client::ObjPtr& set) { Enqueue(*set); }

void StatefulSetController::OnSetUpdate(const client::ObjPtr& old_set, const client::ObjPtr& cur) {
  if (Uid(*old_set) != Uid(*cur)) expectations_.Forget(client::KeyOf(*old_set));
  Enqueue(*cur);
}

void StatefulSetController::OnSetDelete(const client::ObjPtr& set) {
  std::string key = client::KeyOf(*set);
  expectations_.Forget(key);
  queue_.Add(key);
}

client::ObjPtr StatefulSetController::ResolveControllerRef(const std::string& ns,
                                                           const json::value& ref) const {
  if (api::GetString(ref, {"kind"}) != "StatefulSet") return nullptr;
  client::ObjPtr set = sets_.Get(ns, std::string(api::GetString(ref, {"name"})));
  if (set == nullptr || Uid(*set) != api::GetString(ref, {"uid"})) return nullptr;
  return set;
}

std::vector<client::ObjPtr> StatefulSetController::SetsSelecting(const json::value& pod) const {
  std::vector<client::ObjPtr> out;
  const json::object* labels = api::GetObject(pod, {"metadata", "labels"});
  for (const auto& set : sets_.List(Namespace(pod))) {
    auto selector = SelectorOf(*set);
    if (selector.ok() && Usable(*selector) && selector->Matches(labels)) out.push_back(set);
  }
  return out;
}

void StatefulSetController::OnPodAdd(const client::ObjPtr& pod) {
  if (Deleting(*pod)) {
    // Seen for the first time already terminating (e.g. after a restart): not a creation.
    OnPodDelete(pod);
    return;
  }
  if (const json::value* ref = ControllerRefOf(*pod)) {
    if (client::ObjPtr set = ResolveControllerRef(Namespace(*pod), *ref)) {
      expectations_.Observed(client::KeyOf(*set), pod, /*deleted=*/false);
      Enqueue(*set);
    }
    return;
  }
  for (const auto& set : SetsSelecting(*pod)) Enqueue(*set);
}

void StatefulSetController::OnPodUpdate(const client::ObjPtr& old_pod, const client::ObjPtr& cur) {
  if (api::GetString(*old_pod, {"metadata", "resourceVersion"}) ==
      api::GetString(*cur, {"metadata", "resourceVersion"})) {
    return;
  }
  std::string ns = Namespace(*cur);
  const json::value* cur_ref = ControllerRefOf(*cur);
  const json::value* old_ref = ControllerRefOf(*old_pod);
  bool ref_changed =
      (cur_ref == nullptr) != (old_ref == nullptr) || (cur_ref != nullptr && *cur_ref != *old_ref);
  if (ref_changed && old_ref != nullptr) {
    if (client::ObjPtr set = ResolveControllerRef(ns, *old_ref)) Enqueue(*set);
  }
  if (cur_ref != nullptr) {
    client::ObjPtr set = ResolveControllerRef(ns, *cur_ref);
    if (set == nullptr) return;
    Enqueue(*set);
    // Availability is not an event of its own: look again once minReadySeconds have passed.
    int64_t min_ready = api::GetInt(*set, {"spec", "minReadySeconds"});
    if (min_ready > 0 && !replicaset::IsPodReady(*old_pod) && replicaset::IsPodReady(*cur)) {
      EnqueueAfter(*set, absl::Seconds(min_ready + 1));
    }
    return;
  }
  const json::value* old_labels = api::Find(*old_pod, {"metadata", "labels"});
  const json::value* cur_labels = api::Find(*cur, {"metadata", "labels"});
  bool labels_changed = (old_labels == nullptr) != (cur_labels == nullptr) ||
                        (old_labels != nullptr && *old_labels != *cur_labels);
  if (labels_changed || ref_changed) {
    for (const auto& set : SetsSelecting(*cur)) Enqueue(*set);
  }
}

void StatefulSetController::OnPodDelete(const client::ObjPtr& pod) {
  const json::value* ref = ControllerRefOf(*pod);
  if (ref == nullptr) return;
  client::ObjPtr set = ResolveControllerRef(Namespace(*pod), *ref);
  if (set == nullptr) return;
  expectations_.Observed(client::KeyOf(*set), pod, /*deleted=*/true);
  Enqueue(*set);
}

// ---- sync

absl::Status StatefulSetController::Sync(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  client::ObjPtr set = sets_.Get(ns, name);
  if (set == nullptr) {
    expectations_.Forget(key);
    return absl::OkStatus();
  }
  auto selector = SelectorOf(*set);
  if (!selector.ok()) {
    // Not transient: no retry.
    spdlog::warn("{}: error converting StatefulSet {} selector: {}", kComponent, key,
                 Message(selector.status()));
    return absl::OkStatus();
  }
  // Hold back until the informer shows this set's own pod writes.
  bool satisfied =
      expectations_.Satisfied(key, [&](const std::string& pod) { return pods_.Get(ns, pod); });
  if (!satisfied) {
    if (auto wait = expectations_.UntilExpiry(key)) {
      queue_.AddAfter(key, Millis(*wait + absl::Milliseconds(1)));
    }
    return absl::OkStatus();
  }
  if (absl::Status s = AdoptOrphanRevisions(*set, *selector); !s.ok()) return s;
  auto pods = ClaimPods(*set, *selector);
  if (!pods.ok()) return pods.status();
  auto status = UpdateStatefulSet(*set, *pods);
  if (!status.ok()) return status.status();
  // One more sync once pods may have become available.
  int64_t min_ready = api::GetInt(*set, {"spec", "minReadySeconds"});
  if (min_ready > 0 && status->available_replicas != Replicas(*set)) {
    EnqueueAfter(*set, absl::Seconds(min_ready));
  }
  return absl::OkStatus();
}

absl::Status StatefulSetController::CanAdopt(const json::value& set) {
  auto fresh = client_->Get(client::StatefulSets(), Namespace(set), Name(set));
  if (!fresh.ok()) return fresh.status();
  if (Uid(*fresh) != Uid(set)) {
    return absl::UnavailableError(api::Cat("original StatefulSet ", Namespace(set), "/", Name(set),
                                           " is gone: got uid ", Uid(*fresh), ", wanted ",
                                           Uid(set)));
  }
  if (Deleting(*fresh)) {
    return absl::UnavailableError(
        api::Cat(Namespace(set), "/", Name(set), " has just been deleted at ",
                 api::GetString(*fresh, {"metadata", "deletionTimestamp"})));
  }
  return absl::OkStatus();
}

absl::Status StatefulSetController::AdoptOrphanRevisions(const json::value& set,
                                                         const api::LabelSelector& selector) {
  std::vector<client::ObjPtr> orphans;
  for (auto& r : history_.ListControllerRevisions(set.get_object(), selector)) {
    if (ControllerRefOf(*r) == nullptr) orphans.push_back(std::move(r));
  }
  if (orphans.empty()) return absl::OkStatus();
  if (absl::Status s = CanAdopt(set); !s.ok()) {
    return absl::UnavailableError("can't adopt ControllerRevisions: " + Message(s));
  }
  for (const auto& r : orphans) {
    auto adopted = history_.AdoptControllerRevision(set.get_object(), "apps/v1", "StatefulSet",
                                                    r->get_object());
    if (!adopted.ok()) return adopted.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<StatefulSetController::Pods> StatefulSetController::ClaimPods(
    const json::value& set, const api::LabelSelector& selector) {
  std::string_view set_uid = Uid(set);
  bool set_deleting = Deleting(set);
  bool usable = Usable(selector);
  json::object ref = NewControllerRef("apps/v1", "StatefulSet", Name(set), set_uid);
  std::optional<absl::Status> can_adopt;  // checked once, at the first adoption
  Pods claimed;
  std::vector<std::string> errors;
  for (const auto& pod : pods_.List(Namespace(set))) {
    // Only pods named <set>-<n> are candidates: others are released or ignored.
    bool matches = usable && selector.MatchesObject(*pod) && IsMemberOf(set, *pod);
    std::string ns = Namespace(*pod);
    std::string_view name = Name(*pod);
    std::string_view uid = Uid(*pod);
    switch (DecideClaim(*pod, set_uid, matches, set_deleting)) {
      case ClaimAction::kIgnore:
        break;
      case ClaimAction::kKeep:
        claimed.push_back(pod);
        break;
      case ClaimAction::kAdopt: {
        if (!can_adopt) can_adopt = CanAdopt(set);
        if (!can_adopt->ok()) {
          errors.push_back(
              api::Cat("can't adopt Pod ", ns, "/", name, " (", uid, "): ", Message(*can_adopt)));
          break;
        }
        auto res = client_->Patch(client::Pods(), ns, name, kStrategicMerge, AdoptPatch(ref, uid));
        if (res.ok()) {
          claimed.push_back(std::make_shared<const json::value>(std::move(*res)));
        } else if (!client::IsNotFoundError(res.status())) {
          errors.push_back(Message(res.status()));
        }
        break;
      }
      case ClaimAction::kRelease: {
        auto res =
            client_->Patch(client::Pods(), ns, name, kStrategicMerge, ReleasePatch(set_uid, uid));
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

}  // namespace skiff::controllers::statefulset
