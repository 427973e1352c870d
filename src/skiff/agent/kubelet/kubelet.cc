#include "skiff/agent/kubelet/kubelet.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <thread>

#include "skiff/agent/kubelet/volumes.h"
#include "skiff/api/object.h"
#include "skiff/api/quantity.h"
#include "skiff/api/text.h"

namespace skiff::agent::kubelet {

namespace json = boost::json;
namespace fs = std::filesystem;
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

std::string FormatSeconds(absl::Duration d) {
  // Go's time.Duration String for whole seconds and minutes: "10s", "1m20s", "5m0s".
  int64_t s = absl::ToInt64Seconds(d);
  if (s < 60) return api::Cat(s, "s");
  return api::Cat(s / 60, "m", s % 60, "s");
}

runtime::ContainerResources Resources(const json::value& spec) {
  runtime::ContainerResources r;
  auto milli = [&](std::string_view kind, std::string_view name) -> int64_t {
    const json::value* v = api::Find(spec, {"resources", kind, name});
    if (v == nullptr) return 0;
    auto q = api::Quantity::FromJson(*v);
    return q.ok() ? q->MilliValue() : 0;
  };
  r.cpu_request_millis = milli("requests", "cpu");
  r.cpu_limit_millis = milli("limits", "cpu");
  r.memory_limit_bytes = milli("limits", "memory") / 1000;
  return r;
}

// The kubelet's layout: <root>/pods/<ns>_<pod>_<uid>/<container>/<attempt>.log.
std::string LogDir(std::string_view root, std::string_view ns, std::string_view pod,
                   std::string_view uid) {
  return api::Cat(root, "/pods/", ns, "_", pod, "_", uid);
}

std::string LogPath(std::string_view root, std::string_view ns, std::string_view pod,
                    std::string_view uid, std::string_view container, int attempt) {
  if (root.empty()) return "";
  return api::Cat(LogDir(root, ns, pod, uid), "/", container, "/", attempt, ".log");
}

struct LogDirName {
  std::string name, ns, pod, uid;
};

// The log directories under <root>/pods (names of three parts joined by '_': namespaces, pod
// names and UIDs never contain one).
std::vector<LogDirName> ListLogDirs(const std::string& root) {
  std::vector<LogDirName> out;
  if (root.empty()) return out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root + "/pods", ec)) {
    std::string name = e.path().filename().string();
    size_t a = name.find('_');
    size_t b = a == std::string::npos ? a : name.find('_', a + 1);
    if (b == std::string::npos || name.find('_', b + 1) != std::string::npos) continue;
    LogDirName d{name, name.substr(0, a), name.substr(a + 1, b - a - 1), name.substr(b + 1)};
    if (d.ns.empty() || d.pod.empty() || !IsPodDirName(d.uid)) continue;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

std::string PullPolicy(const json::value& container) {
  std::string_view policy = GetString(container, {"imagePullPolicy"});
  if (!policy.empty()) return std::string(policy);
  std::string_view image = GetString(container, {"image"});
  if (image.find('@') != std::string_view::npos) return "IfNotPresent";
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  bool tagged =
      colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash);
  if (!tagged || image.substr(colon + 1) == "latest") return "Always";
  return "IfNotPresent";
}

Kubelet::Kubelet(runtime::Runtime* runtime, KubeletOptions options)
    : runtime_(runtime), options_(std::move(options)), prober_(runtime, options_.inline_probes) {}

void Kubelet::SetProbeListener(std::function<void(const std::string& key)> listener) {
  prober_.SetListener(std::move(listener));
}

void Kubelet::ResyncAt(PodSyncResult& r, absl::Time t) {
  if (!r.resync_at || t < *r.resync_at) r.resync_at = t;
}

Kubelet::PodRecord* Kubelet::RecordFor(const std::string& key, const std::string& uid) {
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
    if (stale != nullptr) ++releasing_[stale->uid];
  }
  if (stale != nullptr) Release(std::move(stale));  // a pod of the same name was replaced
  return rec;
}

void Kubelet::Teardown(PodRecord& rec) {
  if (!rec.sandbox_id.empty()) {
    (void)runtime_->StopPodSandbox(rec.sandbox_id);
    (void)runtime_->RemovePodSandbox(rec.sandbox_id);
    rec.sandbox_id.clear();
  }
  if (options_.volumes != nullptr) (void)options_.volumes->TearDownPod(rec.uid);
  // Nobody reads the logs of a pod that is going away (Locate knows it no more).
  if (!options_.log_root.empty() && !rec.ns.empty()) {
    (void)RemoveUnlessMounted(LogDir(options_.log_root, rec.ns, rec.name, rec.uid));
  }
}

void Kubelet::Release(std::unique_ptr<PodRecord> rec) {
  Teardown(*rec);
  absl::MutexLock lock(&mu_);
  auto it = releasing_.find(rec->uid);
  if (it != releasing_.end() && --it->second <= 0) releasing_.erase(it);
}

void Kubelet::ForgetPod(const std::string& key) {
  std::unique_ptr<PodRecord> rec;
  {
    absl::MutexLock lock(&mu_);
    auto it = pods_.find(key);
    if (it == pods_.end()) return;
    rec = std::move(it->second);
    pods_.erase(it);
    ++releasing_[rec->uid];
  }
  Release(std::move(rec));
}

std::vector<std::pair<std::string, std::string>> Kubelet::RecordedPods() const {
  std::vector<std::pair<std::string, std::string>> out;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [key, rec] : pods_) out.emplace_back(key, rec->uid);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<OrphanCleanup> Kubelet::CleanUpOrphans(
    const std::function<absl::flat_hash_set<std::string>()>& known_uids) {
  // What is on the node, by pod UID; listed before the known pods are read.
  std::map<std::string, Leftovers> found;
  for (const runtime::SandboxStatus& sb : runtime_->ListPodSandboxes()) {
    Leftovers& l = found[sb.pod_uid];
    l.sandboxes.push_back(sb.id);
    if (l.pod.empty() && !sb.pod_name.empty()) l.pod = api::Cat(sb.pod_namespace, "/", sb.pod_name);
  }
  if (options_.volumes != nullptr) {
    for (const std::string& uid : options_.volumes->ListPodDirs()) found[uid].pod_dir = true;
  }
  for (LogDirName& d : ListLogDirs(options_.log_root)) {
    Leftovers& l = found[d.uid];
    l.log_dirs.push_back(std::move(d.name));
    if (l.pod.empty()) l.pod = api::Cat(d.ns, "/", d.pod);
  }
  // A sandbox made for no pod in particular is nobody's to remove.
  std::erase_if(found, [](const auto& entry) { return !IsPodDirName(entry.first); });
  if (found.empty()) return {};

  const absl::flat_hash_set<std::string> known = known_uids();
  std::vector<std::pair<std::string, Leftovers>> orphans;
  {
    absl::MutexLock lock(&mu_);
    absl::flat_hash_set<std::string> held;
    for (const auto& [key, rec] : pods_) held.insert(rec->uid);
    for (auto& [uid, left] : found) {
      if (known.contains(uid) || held.contains(uid) || releasing_.contains(uid)) continue;
      ++releasing_[uid];  // a concurrent pass leaves it to this one
      orphans.emplace_back(uid, std::move(left));
    }
  }
  std::vector<OrphanCleanup> out;
  for (const auto& [uid, left] : orphans) {
    out.push_back(RemoveOrphan(uid, left));
    absl::MutexLock lock(&mu_);
    auto it = releasing_.find(uid);
    if (it != releasing_.end() && --it->second <= 0) releasing_.erase(it);
  }
  return out;
}

OrphanCleanup Kubelet::RemoveOrphan(const std::string& uid, const Leftovers& left) {
  OrphanCleanup out;
  out.pod_uid = uid;
  out.pod = left.pod;
  std::vector<std::string> errors;
  // The kubelet kills orphaned pods with a 1 s grace period override.
  const absl::Duration grace = std::min(absl::Seconds(1), options_.max_grace);
  for (const std::string& id : left.sandboxes) {
    {
      std::vector<std::jthread> stops;  // in parallel; joined at the end of the block
      for (const std::string& cid : runtime_->ListContainers(id)) {
        auto st = runtime_->InspectContainer(cid);
        if (!st.ok() || st->state != runtime::ContainerState::kRunning) continue;
        stops.emplace_back([this, cid, grace] { (void)runtime_->StopContainer(cid, grace); });
      }
    }
    absl::Status stopped = runtime_->StopPodSandbox(id);
    absl::Status removed = runtime_->RemovePodSandbox(id);
    if (!stopped.ok() && !absl::IsNotFound(stopped)) {
      errors.push_back(api::Cat("stop sandbox ", id, ": ", std::string(stopped.message())));
    }
    if (removed.ok()) {
      ++out.sandboxes;
    } else {
      errors.push_back(api::Cat("remove sandbox ", id, ": ", std::string(removed.message())));
    }
  }
  // Volumes and logs only once no container can use them any more.
  if (out.sandboxes == static_cast<int>(left.sandboxes.size())) {
    if (left.pod_dir && options_.volumes != nullptr) {
      absl::Status s = options_.volumes->TearDownPod(uid);
      if (s.ok()) {
        out.pod_dir = true;
      } else {
        errors.push_back(std::string(s.message()));
      }
    }
    for (const std::string& name : left.log_dirs) {
      absl::Status s = RemoveUnlessMounted(api::Cat(options_.log_root, "/pods/", name));
      if (s.ok()) {
        ++out.log_dirs;
      } else {
        errors.push_back(std::string(s.message()));
      }
    }
  }
  for (const std::string& e : errors) out.error += (out.error.empty() ? "" : "; ") + e;
  return out;
}

void Kubelet::StatusWriteFailed(const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(key);
  if (it != pods_.end()) it->second->last_written = 0;
}

absl::StatusOr<Kubelet::Location> Kubelet::Locate(std::string_view ns, std::string_view pod,
                                                  std::string_view container, bool previous) const {
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(api::Cat(ns, "/", pod));
  if (it == pods_.end()) {
    return absl::NotFoundError(
        api::Cat("pod \"", pod, "\" in namespace \"", ns, "\" is not running on this node"));
  }
  const PodRecord& rec = *it->second;
  const ContainerRecord* c = nullptr;
  for (size_t i = 0; i < rec.init_names.size() && i < rec.init.size(); ++i)
    if (rec.init_names[i] == container) c = &rec.init[i];
  for (size_t i = 0; i < rec.regular_names.size() && i < rec.regular.size(); ++i)
    if (rec.regular_names[i] == container) c = &rec.regular[i];
  if (c == nullptr) {
    return absl::NotFoundError(api::Cat("container ", container, " is not valid for pod ", pod));
  }
  Location loc;
  int attempt = c->attempt;
  if (previous) {
    if (c->previous_id.empty()) {
      return absl::NotFoundError(api::Cat("previous terminated container \"", container,
                                          "\" in pod \"", pod, "\" not found"));
    }
    loc.container_id = c->previous_id;
    attempt = c->attempt - 1;
  } else {
    loc.container_id = c->id.empty() ? c->previous_id : c->id;
    if (c->id.empty() && attempt > 0) --attempt;
  }
  if (loc.container_id.empty()) {
    return absl::NotFoundError(api::Cat("container \"", container, "\" in pod \"", pod,
                                        "\" is waiting to start: ContainerCreating"));
  }
  loc.log_path = LogPath(options_.log_root, ns, pod, rec.uid, container, attempt);
  return loc;
}

size_t Kubelet::PodCount() const {
  absl::MutexLock lock(&mu_);
  return pods_.size();
}

void Kubelet::Recover(PodRecord& rec, const json::value& pod) {
  rec.recovered = true;
  // The containers an earlier agent left in this sandbox: the highest attempt of each name is
  // the current one, the one before it the previous.
  struct Found {
    std::string id;
    int attempt;
  };
  absl::flat_hash_map<std::string, std::vector<Found>> by_name;
  for (const std::string& id : runtime_->ListContainers(rec.sandbox_id)) {
    auto st = runtime_->InspectContainer(id);
    if (st.ok()) by_name[st->name].push_back({id, st->attempt});
  }
  auto adopt = [&](std::string_view list, std::vector<ContainerRecord>& recs) {
    const json::array* specs = api::GetArray(pod, {"spec", list});
    if (specs == nullptr) return;
    for (size_t i = 0; i < specs->size() && i < recs.size(); ++i) {
      auto it = by_name.find(std::string(GetString((*specs)[i], {"name"})));
      if (it == by_name.end()) continue;
      auto& found = it->second;
      std::sort(found.begin(), found.end(),
                [](const Found& a, const Found& b) { return a.attempt > b.attempt; });
      ContainerRecord& c = recs[i];
      c.id = found[0].id;
      c.attempt = found[0].attempt;
      auto st = runtime_->InspectContainer(c.id);
      if (st.ok()) {
        c.image = st->image;
        c.pulled_image = st->image;
        c.image_ref = st->image_ref;
      }
      if (found.size() > 1) {
        c.previous_id = found[1].id;
        auto prev = runtime_->InspectContainer(c.previous_id);
        if (prev.ok() && prev->state == runtime::ContainerState::kExited) {
          c.last_termination = Termination{
              prev->exit_code,  prev->reason,      prev->message,
              prev->started_at, prev->finished_at, api::Cat(runtime_->Type(), "://", prev->id)};
        }
      }
    }
  };
  adopt("initContainers", rec.init);
  adopt("containers", rec.regular);
}

namespace {

// The container's lifecycle.preStop handler, or null.
const json::value* FindPreStop(const json::value& pod, std::string_view container) {
  for (std::string_view list : {"containers", "initContainers"}) {
    if (const json::array* cs = api::GetArray(pod, {"spec", list})) {
      for (const auto& c : *cs)
        if (GetString(c, {"name"}) == container) return api::Find(c, {"lifecycle", "preStop"});
    }
  }
  return nullptr;
}

// Runs an exec (or sleep) preStop handler, waiting at most `limit`.
void RunPreStop(runtime::Runtime& rt, const std::string& id, const json::value& hook,
                absl::Duration limit) {
  if (const json::value* sleep = api::Find(hook, {"sleep", "seconds"})) {
    absl::SleepFor(std::min(absl::Seconds(sleep->is_int64() ? sleep->as_int64() : 0), limit));
    return;
  }
  std::vector<std::string> command =
      Strings(api::Find(hook, {"exec"}) ? *api::Find(hook, {"exec"}) : json::value(), "command");
  if (command.empty()) return;
  struct Done {
    absl::Mutex mu;
    bool done = false;
  };
  auto done = std::make_shared<Done>();
  std::thread([&rt, id, command, done] {
    (void)rt.Exec(id, command, runtime::ExecStreams{});
    absl::MutexLock lock(&done->mu);
    done->done = true;
  }).detach();
  absl::MutexLock lock(&done->mu);
  done->mu.AwaitWithTimeout(absl::Condition(&done->done), limit);
}

// Stops a container within `timeout`: its preStop hook first (counting against the grace
// period), then the stop signal with what is left (at least 2 s), then SIGKILL. A hook still
// running then dies with the container.
void StopWithPreStop(runtime::Runtime& rt, const std::string& id, const json::value* hook,
                     absl::Duration timeout) {
  absl::Duration left = timeout;
  if (hook != nullptr) {
    absl::Time began = absl::Now();
    RunPreStop(rt, id, *hook, timeout);
    left = std::max(timeout - (absl::Now() - began), std::min(timeout, absl::Seconds(2)));
  }
  (void)rt.StopContainer(id, left);
}

// Kubernetes' minimumGracePeriodInSeconds: a kill gets at least 2 s (unless tests cap it).
absl::Duration KillGrace(int64_t seconds, absl::Duration max_grace) {
  absl::Duration grace = std::min(absl::Seconds(std::max<int64_t>(seconds, 0)), max_grace);
  if (grace < absl::Seconds(2) && max_grace >= absl::Seconds(2)) grace = absl::Seconds(2);
  return grace;
}

}  // namespace

PodSyncResult Kubelet::Terminate(const std::string& key, PodRecord& rec, const json::value& pod) {
  PodSyncResult out;
  int64_t grace =
      std::max<int64_t>(0, api::GetInt(pod, {"metadata", "deletionGracePeriodSeconds"}));
  absl::Duration timeout = std::min(absl::Seconds(grace), options_.max_grace);
  // Kubernetes' minimumGracePeriodInSeconds: a positive grace under 2 s becomes 2 s.
  if (grace > 0 && timeout < absl::Seconds(2) && options_.max_grace >= absl::Seconds(2)) {
    timeout = absl::Seconds(2);
  }
  // Regular containers first (in parallel, each with the whole grace period), then sidecars.
  std::vector<std::pair<std::string, std::string>> running;  // (id, name)
  auto collect = [&](const std::vector<ContainerRecord>& recs, std::string_view list) {
    const json::array* specs = api::GetArray(pod, {"spec", list});
    for (size_t i = 0; i < recs.size(); ++i) {
      if (recs[i].id.empty()) continue;
      auto st = runtime_->InspectContainer(recs[i].id);
      if (!st.ok() || st->state != runtime::ContainerState::kRunning) continue;
      std::string name = specs != nullptr && i < specs->size()
                             ? std::string(GetString((*specs)[i], {"name"}))
                             : "";
      running.emplace_back(recs[i].id, name);
    }
  };
  collect(rec.regular, "containers");
  size_t regular = running.size();
  collect(rec.init, "initContainers");
  auto stop = [&](size_t from, size_t to) {
    std::vector<std::jthread> threads;
    for (size_t i = from; i < to; ++i) {
      out.events.push_back(
          {"Normal", "Killing", api::Cat("Stopping container ", running[i].second)});
      const json::value* hook = FindPreStop(pod, running[i].second);
      threads.emplace_back([this, id = running[i].first, timeout, hook] {
        StopWithPreStop(*runtime_, id, hook, timeout);
      });
    }
  };
  stop(0, regular);
  stop(regular, running.size());
  Teardown(rec);
  {
    absl::MutexLock lock(&mu_);
    pods_.erase(key);
  }
  out.delete_pod = true;
  return out;
}

bool Kubelet::StartContainer(StepContext& ctx, ContainerRecord& crec, const json::value& spec,
                             bool init, ContainerObservation& o) {
  const std::string& image = o.image;
  std::string policy = PullPolicy(spec);
  bool need_pull = policy == "Always" || crec.pulled_image != image;
  if (need_pull) {
    if (!crec.pull_error.empty() && ctx.now < crec.pull_retry_at) {
      o.reason = "ImagePullBackOff";
      o.message = api::Cat("Back-off pulling image \"", image, "\"");
      ResyncAt(ctx.result, crec.pull_retry_at);
      return false;
    }
    if (policy == "Always") {
      ctx.result.events.push_back({"Normal", "Pulling", api::Cat("Pulling image \"", image, "\"")});
    }
    absl::Time began = options_.clock->Now();
    auto ref = runtime_->PullImage(image);
    if (!ref.ok()) {
      if (policy == "Never") {
        o.reason = "ErrImageNeverPull";
        o.message =
            api::Cat("Container image \"", image, "\" is not present with pull policy of Never");
        ctx.result.events.push_back({"Warning", "ErrImageNeverPull", o.message});
        ResyncAt(ctx.result, ctx.now + options_.backoff_initial);
        return false;
      }
      crec.pull_backoff = crec.pull_backoff == absl::ZeroDuration()
                              ? options_.backoff_initial
                              : std::min(crec.pull_backoff * 2, options_.backoff_max);
      crec.pull_retry_at = ctx.now + crec.pull_backoff;
      crec.pull_error = std::string(ref.status().message());
      o.reason = "ErrImagePull";
      o.message = crec.pull_error;
      ctx.result.events.push_back(
          {"Warning", "Failed", api::Cat("Failed to pull image \"", image, "\": ", o.message)});
      ctx.result.events.push_back({"Warning", "Failed", "Error: ErrImagePull"});
      ResyncAt(ctx.result, crec.pull_retry_at);
      return false;
    }
    if (policy == "Always") {
      ctx.result.events.push_back({"Normal", "Pulled",
                                   api::Cat("Successfully pulled image \"", image, "\" in ",
                                            absl::FormatDuration(options_.clock->Now() - began))});
    } else {
      ctx.result.events.push_back(
          {"Normal", "Pulled",
           api::Cat("Container image \"", image, "\" already present on machine")});
    }
    crec.pulled_image = image;
    crec.image_ref = *ref;
    crec.pull_error.clear();
    crec.pull_backoff = absl::ZeroDuration();
  }

  // The pod as the container sees it: its IPs are known now.
  json::value view = ctx.pod;
  json::object& st = api::EnsureObject(view, {"status"});
  st["podIP"] = ctx.obs.pod_ip;
  st["hostIP"] = ctx.obs.host_ip;
  if (!ctx.obs.pod_ip.empty()) st["podIPs"] = json::array{json::object{{"ip", ctx.obs.pod_ip}}};
  st["hostIPs"] = json::array{json::object{{"ip", ctx.obs.host_ip}}};
  auto env = ResolveEnv(view, spec, options_.lookup, options_.allocatable);
  absl::StatusOr<std::vector<runtime::Mount>> mounts = std::vector<runtime::Mount>{};
  if (env.ok() && api::GetArray(spec, {"volumeMounts"}) != nullptr &&
      !api::GetArray(spec, {"volumeMounts"})->empty()) {
    if (options_.volumes == nullptr) {
      mounts = absl::UnimplementedError("this node mounts no volumes");
    } else {
      mounts = options_.volumes->MountsFor(view, spec);
    }
  }
  absl::Status config = !env.ok() ? env.status() : mounts.status();
  if (!config.ok()) {
    o.reason = "CreateContainerConfigError";
    o.message = std::string(config.message());
    ctx.result.events.push_back({"Warning", "Failed", api::Cat("Error: ", o.message)});
    ResyncAt(ctx.result, ctx.now + absl::Seconds(5));
    return false;
  }
  runtime::ContainerConfig cfg;
  cfg.name = o.name;
  cfg.image = image;
  for (std::string& c : Strings(spec, "command")) cfg.command.push_back(Expand(c, *env));
  for (std::string& a : Strings(spec, "args")) cfg.args.push_back(Expand(a, *env));
  cfg.attempt = crec.attempt;
  cfg.init = init;
  cfg.env = std::move(*env);
  cfg.working_dir = std::string(GetString(spec, {"workingDir"}));
  cfg.resources = Resources(spec);
  cfg.mounts = std::move(*mounts);
  cfg.log_path =
      LogPath(options_.log_root, GetString(ctx.pod, {"metadata", "namespace"}),
              GetString(ctx.pod, {"metadata", "name"}), ctx.rec.uid, o.name, crec.attempt);
  auto id = runtime_->CreateContainer(ctx.rec.sandbox_id, cfg);
  if (!id.ok()) {
    o.reason = "CreateContainerError";
    o.message = std::string(id.status().message());
    ctx.result.events.push_back({"Warning", "Failed", api::Cat("Error: ", o.message)});
    ResyncAt(ctx.result, ctx.now + absl::Seconds(5));
    return false;
  }
  crec.id = *id;
  crec.image = image;
  crec.killed_by_probe = false;
  crec.probes.kill.reset();
  ctx.result.events.push_back({"Normal", "Created", api::Cat("Created container ", o.name)});
  absl::Status started = runtime_->StartContainer(*id);
  if (started.ok()) {
    ctx.result.events.push_back({"Normal", "Started", api::Cat("Started container ", o.name)});
  } else {
    ctx.result.events.push_back(
        {"Warning", "Failed", api::Cat("Error: ", std::string(started.message()))});
  }
  return true;
}

bool Kubelet::RunProbes(StepContext& ctx, ContainerRecord& crec, const json::value& spec,
                        const runtime::ContainerStatus& st, bool sidecar, ContainerObservation& o) {
  if (crec.probes.kill != nullptr) {
    if (!crec.probes.kill->Done()) {
      // Being killed: as started as it was, and not ready.
      o.started = crec.probes.started;
      o.ready = false;
      return false;
    }
    crec.probes.kill.reset();
    return true;
  }
  ProbeTarget target;
  target.pod_key = api::Cat(ctx.rec.ns, "/", ctx.rec.name);
  target.pod_ip = ctx.obs.pod_ip;
  target.container = &spec;
  target.container_id = crec.id;
  target.started_at = st.started_at;
  ProbeVerdict v = prober_.Probe(crec.probes, target, ctx.now, ctx.result.events);
  o.started = v.started;
  o.ready = v.ready;
  if (v.next_due) ResyncAt(ctx.result, *v.next_due);
  if (!v.failed) return false;

  // computePodActions: a container that failed its liveness or startup probe is killed (with
  // the probe's grace period if it has one, else the pod's) and restarted unless the policy
  // says Never.
  bool restart = sidecar || GetString(ctx.pod, {"spec", "restartPolicy"}, "Always") != "Never";
  ctx.result.events.push_back({"Normal", "Killing",
                               api::Cat("Container ", o.name, " failed ",
                                        *v.failed == ProbeType::kLiveness ? "liveness" : "startup",
                                        " probe", restart ? ", will be restarted" : "")});
  std::optional<ProbeSpec> failed = ParseProbe(spec, *v.failed);
  int64_t seconds = failed && failed->termination_grace_period_seconds
                        ? *failed->termination_grace_period_seconds
                        : api::GetInt(ctx.pod, {"spec", "terminationGracePeriodSeconds"}, 30);
  absl::Duration grace = KillGrace(seconds, options_.max_grace);
  std::optional<json::value> hook;
  if (const json::value* h = FindPreStop(ctx.pod, o.name)) hook = *h;
  crec.killed_by_probe = true;
  o.ready = false;
  crec.probes.kill = prober_.Start(target.pod_key,
                                   [rt = runtime_, id = crec.id, hook = std::move(hook),
                                    grace]() -> absl::StatusOr<probe::Outcome> {
                                     StopWithPreStop(*rt, id, hook ? &*hook : nullptr, grace);
                                     return probe::Outcome{};
                                   });
  if (!crec.probes.kill->Done()) return false;
  crec.probes.kill.reset();
  return true;
}

ContainerObservation Kubelet::Step(StepContext& ctx, ContainerRecord& crec, const json::value& spec,
                                   bool init, bool sidecar) {
  ContainerObservation o = Waiting(spec, "ContainerCreating");
  if (!crec.id.empty() && crec.image != o.image) {
    // The spec's image changed: the kubelet replaces the container.
    ctx.result.events.push_back(
        {"Normal", "Killing",
         api::Cat("Container ", o.name, " definition changed, will be restarted")});
    (void)runtime_->StopContainer(crec.id, absl::Seconds(30));
    if (!crec.previous_id.empty()) (void)runtime_->RemoveContainer(crec.previous_id);
    crec.previous_id = crec.id;
    crec.id.clear();
    ++crec.attempt;
  }
  std::string_view policy = GetString(ctx.pod, {"spec", "restartPolicy"}, "Always");
  for (int round = 0; round < 2; ++round) {
    o.restart_count = crec.attempt;
    o.last_termination = crec.last_termination;
    if (crec.id.empty()) {
      if (!StartContainer(ctx, crec, spec, init && !sidecar, o)) return o;
    }
    auto st = runtime_->InspectContainer(crec.id);
    if (!st.ok()) {
      crec.id.clear();  // gone from the runtime: create it again
      continue;
    }
    o.image_id = st->image_ref.empty() ? crec.image_ref : st->image_ref;
    o.container_id = api::Cat(runtime_->Type(), "://", st->id);
    if (st->state == runtime::ContainerState::kCreated) {
      // Created by an agent that died before starting it.
      (void)runtime_->StartContainer(crec.id);
      st = runtime_->InspectContainer(crec.id);
      if (!st.ok()) return o;
    }
    if (st->state == runtime::ContainerState::kRunning) {
      o.state = State::kRunning;
      o.reason.clear();
      o.started_at = st->started_at;
      if (init && !sidecar) return o;  // a running init container is neither started nor ready
      // Keep watching it: the runtime reports exits only when asked.
      ResyncAt(ctx.result, ctx.now + absl::Seconds(1));
      if (!RunProbes(ctx, crec, spec, *st, sidecar, o)) return o;
      // A failed probe killed it: handle the exit like any other.
      st = runtime_->InspectContainer(crec.id);
      if (!st.ok() || st->state != runtime::ContainerState::kExited) return o;
      o.state = State::kWaiting;
      o.started = o.ready = false;
      o.started_at = absl::Time();
    }
    if (st->state != runtime::ContainerState::kExited) return o;
    Termination exit{st->exit_code,  st->reason,      st->message,
                     st->started_at, st->finished_at, o.container_id};
    bool restart = MustRestart(policy, init, sidecar, st->exit_code) ||
                   (crec.killed_by_probe && policy != "Never");
    if (!restart) {
      o.state = State::kTerminated;
      o.exit_code = st->exit_code;
      o.reason = st->reason;
      o.message = st->message;
      o.started_at = st->started_at;
      o.finished_at = st->finished_at;
      o.ready = init && st->exit_code == 0;  // a completed init container counts as ready
      return o;
    }
    // flowcontrol.Backoff: the first restart is immediate; later exits wait the current delay
    // (from the exit), which doubles at every restart up to the maximum and starts again at
    // the initial delay when the last back-off is older than twice the maximum.
    if (crec.backoff > absl::ZeroDuration() &&
        st->finished_at - crec.backoff_updated <= 2 * options_.backoff_max &&
        ctx.now - st->finished_at < crec.backoff) {
      o.reason = "CrashLoopBackOff";
      o.message = api::Cat("back-off ", FormatSeconds(crec.backoff),
                           " restarting failed container=", o.name,
                           " pod=", GetString(ctx.pod, {"metadata", "name"}), "_",
                           GetString(ctx.pod, {"metadata", "namespace"}), "(", ctx.rec.uid, ")");
      o.last_termination = exit;
      if (crec.backoff_event_for != crec.id) {
        crec.backoff_event_for = crec.id;
        ctx.result.events.push_back(
            {"Warning", "BackOff",
             api::Cat("Back-off restarting failed container ", o.name, " in pod ",
                      GetString(ctx.pod, {"metadata", "name"}), "_",
                      GetString(ctx.pod, {"metadata", "namespace"}), "(", ctx.rec.uid, ")")});
      }
      ResyncAt(ctx.result, st->finished_at + crec.backoff);
      return o;
    }
    if (crec.backoff == absl::ZeroDuration() ||
        st->finished_at - crec.backoff_updated > 2 * options_.backoff_max) {
      crec.backoff = options_.backoff_initial;
    } else {
      crec.backoff = std::min(crec.backoff * 2, options_.backoff_max);
    }
    crec.backoff_updated = ctx.now;
    if (!crec.previous_id.empty()) (void)runtime_->RemoveContainer(crec.previous_id);
    crec.previous_id = crec.id;
    crec.last_termination = exit;
    crec.id.clear();
    ++crec.attempt;
  }
  return o;
}

PodSyncResult Kubelet::SyncPod(const json::value& pod) {
  absl::Time now = options_.clock->Now();
  std::string key = api::Cat(GetString(pod, {"metadata", "namespace"}), "/",
                             GetString(pod, {"metadata", "name"}));
  PodRecord& rec = *RecordFor(key, std::string(GetString(pod, {"metadata", "uid"})));
  const json::array empty;
  const json::array* inits = api::GetArray(pod, {"spec", "initContainers"});
  const json::array* containers = api::GetArray(pod, {"spec", "containers"});
  if (inits == nullptr) inits = &empty;
  if (containers == nullptr) containers = &empty;
  rec.init.resize(inits->size());
  rec.regular.resize(containers->size());
  {
    absl::MutexLock lock(&mu_);  // Locate reads these
    rec.ns = std::string(GetString(pod, {"metadata", "namespace"}));
    rec.name = std::string(GetString(pod, {"metadata", "name"}));
    rec.init_names.clear();
    for (const auto& c : *inits) rec.init_names.emplace_back(GetString(c, {"name"}));
    rec.regular_names.clear();
    for (const auto& c : *containers) rec.regular_names.emplace_back(GetString(c, {"name"}));
  }

  PodSyncResult out;
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
    bool terminating = !GetString(pod, {"metadata", "deletionTimestamp"}).empty();
    // A terminating pod this agent never ran (or ran before a restart): only adopt what exists.
    auto id = runtime_->RunPodSandbox(cfg);
    if (id.ok()) {
      rec.sandbox_id = *id;
      if (!rec.recovered) Recover(rec, pod);
    } else if (!terminating) {
      sandbox_error = std::string(id.status().message());
      out.events.push_back({"Warning", "FailedCreatePodSandBox",
                            api::Cat("Failed to create pod sandbox: ", sandbox_error)});
      ResyncAt(out, now + absl::Seconds(10));
    }
  }
  if (!GetString(pod, {"metadata", "deletionTimestamp"}).empty()) {
    PodSyncResult t = Terminate(key, rec, pod);
    for (auto& e : out.events) t.events.insert(t.events.begin(), e);
    return t;
  }

  PodObservation obs;
  obs.host_ip = options_.node_ip;
  bool blocked = !sandbox_error.empty();
  if (!blocked) {
    auto sb = runtime_->InspectSandbox(rec.sandbox_id);
    if (sb.ok()) {
      obs.sandbox_ready = sb->ready;
      obs.pod_ip = sb->ip;
    }
    if (options_.volumes != nullptr && !rec.sandbox_stopped) {
      if (absl::Status s = options_.volumes->SetUpPod(pod); !s.ok()) {
        out.events.push_back({"Warning", "FailedMount", std::string(s.message())});
        ResyncAt(out, now + absl::Seconds(5));
        blocked = true;
        sandbox_error = std::string(s.message());
      }
    }
  }
  StepContext ctx{pod, rec, now, out, obs};
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
  if (phase == "Succeeded" || phase == "Failed") {
    obs.sandbox_ready = false;
    if (!rec.sandbox_stopped && !rec.sandbox_id.empty()) {
      // A finished pod keeps its exited containers but not its sandbox (and IP).
      (void)runtime_->StopPodSandbox(rec.sandbox_id);
      rec.sandbox_stopped = true;
    }
    out.resync_at.reset();
  }

  json::object status = BuildPodStatus(pod, obs, now);
  if (!StatusDiffers(pod, status)) return out;
  size_t hash = std::hash<std::string>{}(json::serialize(status));
  if (hash == rec.last_written) return out;  // already written; the informer has not caught up
  rec.last_written = hash;
  out.status = std::move(status);
  ClearDroppedConditionFields(*out.status);
  return out;
}

}  // namespace skiff::agent::kubelet
