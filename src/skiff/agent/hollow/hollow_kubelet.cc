#include "skiff/agent/hollow/hollow_kubelet.h"

#include <functional>

#include "skiff/agent/hollow/probe_rule.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"

namespace skiff::agent::hollow {

namespace json = boost::json;
using api::GetString;
using State = ContainerObservation::State;

namespace {

std::vector<std::string> Strings(const json::value& container, std::string_view field) {
  std::vector<std::string> out;
  if (const json::array* a = api::GetArray(container, {field})) {
    for (const auto& v : *a)
      if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

ContainerObservation Waiting(const json::value& spec, std::string_view reason,
                             std::string message = {}) {
  ContainerObservation o;
  o.name = std::string(GetString(spec, {"name"}));
  o.image = std::string(GetString(spec, {"image"}));
  o.reason = std::string(reason);
  o.message = std::move(message);
  return o;
}

bool MustRestart(std::string_view policy, bool init, bool sidecar, int exit_code) {
  if (sidecar) return true;
  if (init) return policy != "Never" && exit_code != 0;
  return policy == "Always" || (policy == "OnFailure" && exit_code != 0);
}

}  // namespace

HollowKubelet::HollowKubelet(HollowKubeletOptions options)
    : options_(std::move(options)),
      runtime_(
          runtime::HollowRuntimeOptions{options_.node_ip, options_.pod_subnet, options_.clock}) {}

void HollowKubelet::ResyncAt(PodSyncResult& r, absl::Time t) {
  if (!r.resync_at || t < *r.resync_at) r.resync_at = t;
}

HollowKubelet::PodRecord* HollowKubelet::RecordFor(const std::string& key, const std::string& uid) {
  std::unique_ptr<PodRecord> stale;
  PodRecord* rec = nullptr;
  {
    absl::MutexLock lock(&mu_);
    auto& slot = pods_[key];
    if (slot != nullptr && slot->uid != uid) stale = std::move(slot);
    if (slot == nullptr) {
      slot = std::make_unique<PodRecord>();
      slot->uid = uid;
    }
    rec = slot.get();
  }
  if (stale != nullptr) Teardown(*stale);  // a pod of the same name was replaced
  return rec;
}

void HollowKubelet::Teardown(PodRecord& rec) {
  if (rec.sandbox_id.empty()) return;
  (void)runtime_.StopPodSandbox(rec.sandbox_id);
  (void)runtime_.RemovePodSandbox(rec.sandbox_id);
  rec.sandbox_id.clear();
}

void HollowKubelet::ForgetPod(const std::string& key) {
  std::unique_ptr<PodRecord> rec;
  {
    absl::MutexLock lock(&mu_);
    auto it = pods_.find(key);
    if (it == pods_.end()) return;
    rec = std::move(it->second);
    pods_.erase(it);
  }
  Teardown(*rec);
}

void HollowKubelet::StatusWriteFailed(const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(key);
  if (it != pods_.end()) it->second->last_written = 0;
}

size_t HollowKubelet::PodCount() const {
  absl::MutexLock lock(&mu_);
  return pods_.size();
}

PodSyncResult HollowKubelet::Terminate(const std::string& key, PodRecord& rec,
                                       const json::value& pod, absl::Time now) {
  PodSyncResult out;
  int64_t grace =
      std::max<int64_t>(0, api::GetInt(pod, {"metadata", "deletionGracePeriodSeconds"}));
  absl::Time deadline = now;
  if (auto ts = base::ParseRfc3339(GetString(pod, {"metadata", "deletionTimestamp"}))) {
    // The API server set deletionTimestamp = request time + grace.
    absl::Time requested = *ts - absl::Seconds(grace);
    deadline = requested + std::min(absl::Seconds(grace), options_.max_grace);
  }
  if (now < deadline) {
    out.resync_at = deadline;
    return out;
  }
  Teardown(rec);
  {
    absl::MutexLock lock(&mu_);
    pods_.erase(key);
  }
  out.delete_pod = true;
  return out;
}

ContainerObservation HollowKubelet::Step(StepContext& ctx, ContainerRecord& crec,
                                         const json::value& spec, bool init, bool sidecar) {
  ContainerObservation o = Waiting(spec, "ContainerCreating");
  if (crec.image != o.image) {
    // A new image (or the first sync): the kubelet replaces the container.
    if (!crec.id.empty()) {
      (void)runtime_.StopContainer(crec.id, absl::ZeroDuration());
      (void)runtime_.RemoveContainer(crec.id);
      crec.id.clear();
      ++crec.attempt;
    }
    crec.image = o.image;
    crec.pull_failed = false;
  }
  o.restart_count = crec.attempt;
  if (crec.id.empty() && !crec.pull_failed) {
    auto ref = runtime_.PullImage(o.image);
    if (!ref.ok()) {
      crec.pull_failed = true;
      crec.pull_failed_at = ctx.now;
      crec.pull_message = std::string(ref.status().message());
    } else {
      runtime::ContainerConfig cfg{
          o.name,       o.image,         Strings(spec, "command"), Strings(spec, "args"),
          crec.attempt, init && !sidecar};
      auto id = runtime_.CreateContainer(ctx.rec.sandbox_id, cfg);
      absl::Status started = id.ok() ? runtime_.StartContainer(*id) : id.status();
      if (!started.ok()) {
        o.reason = "CreateContainerError";
        o.message = std::string(started.message());
        ResyncAt(ctx.result, ctx.now + absl::Seconds(10));
        return o;
      }
      crec.id = *id;
    }
  }
  if (crec.pull_failed) {
    absl::Time backoff_at = crec.pull_failed_at + options_.image_pull_backoff;
    if (ctx.now < backoff_at) {
      o.reason = "ErrImagePull";
      o.message = crec.pull_message;
      ResyncAt(ctx.result, backoff_at);
    } else {
      o.reason = "ImagePullBackOff";
      o.message = api::Cat("Back-off pulling image \"", o.image, "\"");
    }
    return o;
  }
  auto st = runtime_.InspectContainer(crec.id);
  if (!st.ok()) return o;
  o.image_id = st->image_ref;
  o.container_id = api::Cat(runtime_.Type(), "://", st->id);
  if (st->state == runtime::ContainerState::kRunning) {
    o.state = State::kRunning;
    o.started_at = st->started_at;
    if (init && !sidecar) return o;  // a running init container is neither started nor ready
    // The container may have started after `now` was read: probe no earlier than its start.
    ProbeVerdict v = HollowProbe(spec, st->started_at, std::max(ctx.now, st->started_at));
    o.started = v.started;
    o.ready = v.ready;
    if (v.next_change) ResyncAt(ctx.result, *v.next_change);
    return o;
  }
  if (st->state != runtime::ContainerState::kExited) return o;
  std::string_view policy = GetString(ctx.pod, {"spec", "restartPolicy"}, "Always");
  if (!MustRestart(policy, init, sidecar, st->exit_code)) {
    o.state = State::kTerminated;
    o.exit_code = st->exit_code;
    o.reason = st->reason;
    o.message = st->message;
    o.started_at = st->started_at;
    o.finished_at = st->finished_at;
    o.ready = init && st->exit_code == 0;  // a completed init container counts as ready
    return o;
  }
  o.reason = "CrashLoopBackOff";
  o.message = api::Cat("back-off 10s restarting failed container=", o.name,
                       " pod=", GetString(ctx.pod, {"metadata", "name"}), "_",
                       GetString(ctx.pod, {"metadata", "namespace"}), "(", ctx.rec.uid, ")");
  o.restart_count = crec.attempt + 1;
  o.last_termination = Termination{st->exit_code,  st->reason,      st->message,
                                   st->started_at, st->finished_at, o.container_id};
  return o;
}

PodSyncResult HollowKubelet::SyncPod(const json::value& pod) {
  absl::Time now = options_.clock->Now();
  std::string key = api::Cat(GetString(pod, {"metadata", "namespace"}), "/",
                             GetString(pod, {"metadata", "name"}));
  PodRecord& rec = *RecordFor(key, std::string(GetString(pod, {"metadata", "uid"})));
  if (!GetString(pod, {"metadata", "deletionTimestamp"}).empty()) {
    return Terminate(key, rec, pod, now);
  }
  PodSyncResult out;
  PodObservation obs;
  obs.host_ip = options_.node_ip;
  const json::array empty;
  const json::array* inits = api::GetArray(pod, {"spec", "initContainers"});
  const json::array* containers = api::GetArray(pod, {"spec", "containers"});
  if (inits == nullptr) inits = &empty;
  if (containers == nullptr) containers = &empty;
  rec.init.resize(inits->size());
  rec.regular.resize(containers->size());

  std::string sandbox_error;
  if (rec.sandbox_id.empty()) {
    runtime::SandboxConfig cfg;
    cfg.pod_uid = rec.uid;
    cfg.pod_namespace = std::string(GetString(pod, {"metadata", "namespace"}));
    cfg.pod_name = std::string(GetString(pod, {"metadata", "name"}));
    cfg.host_network = api::GetBool(pod, {"spec", "hostNetwork"});
    if (GetString(pod, {"status", "hostIP"}) == options_.node_ip) {
      cfg.preferred_ip = std::string(GetString(pod, {"status", "podIP"}));
    }
    auto id = runtime_.RunPodSandbox(cfg);
    if (id.ok()) {
      rec.sandbox_id = *id;
    } else {
      sandbox_error = std::string(id.status().message());
      ResyncAt(out, now + absl::Seconds(10));
    }
  }
  bool blocked = !sandbox_error.empty();
  if (!blocked) {
    auto sb = runtime_.InspectSandbox(rec.sandbox_id);
    if (sb.ok()) {
      obs.sandbox_ready = sb->ready;
      obs.pod_ip = sb->ip;
    }
  }
  StepContext ctx{pod, rec, now, out};
  for (size_t i = 0; i < inits->size(); ++i) {
    const json::value& spec = (*inits)[i];
    if (blocked) {
      obs.init_containers.push_back(
          Waiting(spec, sandbox_error.empty() ? "PodInitializing" : "ContainerCreating"));
      continue;
    }
    bool sidecar = GetString(spec, {"restartPolicy"}) == "Always";
    ContainerObservation o = Step(ctx, rec.init[i], spec, /*init=*/true, sidecar);
    blocked = sidecar ? !o.started : !(o.state == State::kTerminated && o.exit_code == 0);
    obs.init_containers.push_back(std::move(o));
  }
  for (size_t i = 0; i < containers->size(); ++i) {
    const json::value& spec = (*containers)[i];
    if (blocked) {
      obs.containers.push_back(
          Waiting(spec, sandbox_error.empty() ? "PodInitializing" : "ContainerCreating"));
    } else {
      obs.containers.push_back(Step(ctx, rec.regular[i], spec, /*init=*/false, false));
    }
  }
  std::string phase = PodPhase(pod, obs);
  if (phase == "Succeeded" || phase == "Failed") obs.sandbox_ready = false;

  json::object status = BuildPodStatus(pod, obs, now);
  if (!StatusDiffers(pod, status)) return out;
  size_t hash = std::hash<std::string>{}(json::serialize(status));
  if (hash == rec.last_written) return out;  // already written; the informer has not caught up
  rec.last_written = hash;
  out.status = std::move(status);
  ClearDroppedConditionFields(*out.status);
  return out;
}

}  // namespace skiff::agent::hollow
