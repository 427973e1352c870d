#include "skiff/agent/status/pod_status.h"

#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/base/time.h"

namespace skiff::agent {

namespace json = boost::json;
using api::GetString;
using State = ContainerObservation::State;

namespace {

std::string Ts(absl::Time t) { return base::FormatRfc3339(t); }

bool IsSidecar(const json::value& pod, size_t init_index) {
  const json::array* inits = api::GetArray(pod, {"spec", "initContainers"});
  return inits != nullptr && init_index < inits->size() &&
         GetString((*inits)[init_index], {"restartPolicy"}) == "Always";
}

bool IsTerminalPhase(std::string_view phase) { return phase == "Succeeded" || phase == "Failed"; }

const json::value* OldCondition(const json::value& pod, std::string_view type) {
  const json::array* conds = api::GetArray(pod, {"status", "conditions"});
  if (conds == nullptr) return nullptr;
  for (const auto& c : *conds)
    if (GetString(c, {"type"}) == type) return &c;
  return nullptr;
}

json::object Condition(const json::value& pod, std::string_view type, bool ok,
                       std::string_view reason, std::string_view message, absl::Time now) {
  std::string_view status = ok ? "True" : "False";
  json::object c{{"type", type}, {"status", status}, {"lastProbeTime", nullptr}};
  const json::value* old = OldCondition(pod, type);
  const json::value* old_time = old ? api::Find(*old, {"lastTransitionTime"}) : nullptr;
  if (old != nullptr && GetString(*old, {"status"}) == status && old_time != nullptr &&
      old_time->is_string()) {
    c["lastTransitionTime"] = *old_time;
  } else {
    c["lastTransitionTime"] = Ts(now);
  }
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

json::object TerminatedJson(int exit_code, std::string_view reason, std::string_view message,
                            absl::Time started, absl::Time finished, std::string_view id) {
  json::object t{{"exitCode", exit_code}};
  if (!reason.empty()) t["reason"] = reason;
  if (!message.empty()) t["message"] = message;
  t["startedAt"] = Ts(started);
  t["finishedAt"] = Ts(finished);
  if (!id.empty()) t["containerID"] = id;
  return t;
}

// Keeps startedAt/finishedAt of the old state when it describes the same container in the same
// state (an agent restart must not move times).
void KeepOldTimes(const json::object* old_state, json::object& state) {
  if (old_state == nullptr || old_state->size() != 1 || state.size() != 1) return;
  const auto& [old_key, old_val] = *old_state->begin();
  auto& [key, val] = *state.begin();
  if (old_key != key || !old_val.is_object() || !val.is_object()) return;
  for (std::string_view f : {"startedAt", "finishedAt"}) {
    const json::value* o = old_val.get_object().if_contains(f);
    if (o != nullptr && o->is_string() && val.get_object().contains(f)) val.get_object()[f] = *o;
  }
}

json::object ContainerJson(const ContainerObservation& c, const json::value* old) {
  json::object s;
  s["name"] = c.name;
  json::object state = ContainerStateJson(c);
  json::object last;
  if (c.last_termination) {
    const Termination& t = *c.last_termination;
    last["terminated"] = TerminatedJson(t.exit_code, t.reason, t.message, t.started_at,
                                        t.finished_at, t.container_id);
  }
  if (old != nullptr && !c.container_id.empty() &&
      GetString(*old, {"containerID"}) == c.container_id) {
    KeepOldTimes(api::GetObject(*old, {"state"}), state);
    KeepOldTimes(api::GetObject(*old, {"lastState"}), last);
  }
  s["state"] = std::move(state);
  s["lastState"] = std::move(last);
  s["ready"] = c.ready;
  s["restartCount"] = c.restart_count;
  s["image"] = c.image;
  s["imageID"] = c.image_id;
  if (!c.container_id.empty()) s["containerID"] = c.container_id;
  s["started"] = c.started;
  return s;
}

json::array ContainerList(const std::vector<ContainerObservation>& cs, const json::value& pod,
                          std::string_view field) {
  const json::array* old = api::GetArray(pod, {"status", field});
  json::array out;
  for (const auto& c : cs) {
    const json::value* prev = nullptr;
    if (old != nullptr) {
      for (const auto& o : *old)
        if (GetString(o, {"name"}) == c.name) prev = &o;
    }
    out.push_back(ContainerJson(c, prev));
  }
  return out;
}

// Equality that treats a null member like a missing one (servers may drop nulls).
bool SameIgnoringNulls(const json::value& a, const json::value& b) {
  if (a.is_object() && b.is_object()) {
    const json::object& x = a.get_object();
    const json::object& y = b.get_object();
    for (const auto& [k, v] : x) {
      const json::value* w = y.if_contains(k);
      if (w == nullptr ? !v.is_null() : !SameIgnoringNulls(v, *w)) return false;
    }
    for (const auto& [k, w] : y)
      if (!x.contains(k) && !w.is_null()) return false;
    return true;
  }
  if (a.is_array() && b.is_array()) {
    const json::array& x = a.get_array();
    const json::array& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!SameIgnoringNulls(x[i], y[i])) return false;
    return true;
  }
  return a == b;
}

std::string NameList(const std::vector<std::string>& names) {
  return api::Cat("[", api::Join(names, " "), "]");
}

}  // namespace

json::object ContainerStateJson(const ContainerObservation& c) {
  switch (c.state) {
    case State::kRunning:
      return {{"running", json::object{{"startedAt", Ts(c.started_at)}}}};
    case State::kTerminated:
      return {{"terminated", TerminatedJson(c.exit_code, c.reason, c.message, c.started_at,
                                            c.finished_at, c.container_id)}};
    case State::kWaiting:
      break;
  }
  json::object w{{"reason", c.reason.empty() ? "ContainerCreating" : c.reason}};
  if (!c.message.empty()) w["message"] = c.message;
  return {{"waiting", std::move(w)}};
}

std::string PodPhase(const json::value& pod, const PodObservation& obs) {
  std::string_view policy = GetString(pod, {"spec", "restartPolicy"}, "Always");
  int pending_init = 0, failed_init = 0;
  for (size_t i = 0; i < obs.init_containers.size(); ++i) {
    if (IsSidecar(pod, i)) continue;
    const ContainerObservation& c = obs.init_containers[i];
    switch (c.state) {
      case State::kRunning:
        ++pending_init;
        break;
      case State::kTerminated:
        if (c.exit_code != 0) ++failed_init;
        break;
      case State::kWaiting:
        if (c.last_termination) {
          if (c.last_termination->exit_code != 0) ++failed_init;
        } else {
          ++pending_init;
        }
        break;
    }
  }
  int running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const ContainerObservation& c : obs.containers) {
    switch (c.state) {
      case State::kRunning:
        ++running;
        break;
      case State::kTerminated:
        ++stopped;
        if (c.exit_code == 0) ++succeeded;
        break;
      case State::kWaiting:
        if (c.last_termination) {
          ++stopped;
        } else {
          ++waiting;
        }
        break;
    }
  }
  if (failed_init > 0 && policy == "Never") return "Failed";
  if (pending_init > 0 || waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    if (policy == "Always") return "Running";
    if (stopped == succeeded) return "Succeeded";
    if (policy == "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

json::object BuildPodStatus(const json::value& pod, const PodObservation& obs, absl::Time now) {
  std::string phase = PodPhase(pod, obs);
  bool terminal = IsTerminalPhase(phase);

  std::vector<std::string> incomplete_init;
  for (size_t i = 0; i < obs.init_containers.size(); ++i) {
    const ContainerObservation& c = obs.init_containers[i];
    bool done = IsSidecar(pod, i) ? c.started : c.state == State::kTerminated && c.exit_code == 0;
    if (!done) incomplete_init.push_back(c.name);
  }
  std::vector<std::string> unready;
  for (size_t i = 0; i < obs.init_containers.size(); ++i) {
    if (IsSidecar(pod, i) && !obs.init_containers[i].ready)
      unready.push_back(obs.init_containers[i].name);
  }
  for (const ContainerObservation& c : obs.containers)
    if (!c.ready) unready.push_back(c.name);

  std::vector<std::string> gate_messages;
  if (const json::array* gates = api::GetArray(pod, {"spec", "readinessGates"})) {
    for (const auto& g : *gates) {
      std::string_view type = GetString(g, {"conditionType"});
      const json::value* cond = OldCondition(pod, type);
      if (cond == nullptr) {
        gate_messages.push_back(api::Cat("corresponding condition of pod readiness gate \"", type,
                                         "\" does not exist."));
      } else if (GetString(*cond, {"status"}) != "True") {
        gate_messages.push_back(api::Cat("the status of pod readiness gate \"", type,
                                         "\" is not \"True\", but ", GetString(*cond, {"status"})));
      }
    }
  }

  json::array conditions;
  conditions.push_back(Condition(pod, "PodReadyToStartContainers", obs.sandbox_ready, "", "", now));
  conditions.push_back(
      incomplete_init.empty()
          ? Condition(pod, "Initialized", true, "", "", now)
          : Condition(pod, "Initialized", false, "ContainersNotInitialized",
                      api::Cat("containers with incomplete status: ", NameList(incomplete_init)),
                      now));
  json::object containers_ready;
  if (terminal) {
    containers_ready = Condition(pod, "ContainersReady", false, "PodCompleted", "", now);
  } else if (!unready.empty()) {
    containers_ready =
        Condition(pod, "ContainersReady", false, "ContainersNotReady",
                  api::Cat("containers with unready status: ", NameList(unready)), now);
  } else {
    containers_ready = Condition(pod, "ContainersReady", true, "", "", now);
  }
  json::object ready;
  if (terminal || !unready.empty()) {
    ready = Condition(pod, "Ready", false, GetString(containers_ready, {"reason"}),
                      GetString(containers_ready, {"message"}), now);
  } else if (!gate_messages.empty()) {
    ready = Condition(pod, "Ready", false, "ReadinessGatesNotReady", api::Join(gate_messages, ", "),
                      now);
  } else {
    ready = Condition(pod, "Ready", true, "", "", now);
  }
  conditions.push_back(std::move(ready));
  conditions.push_back(std::move(containers_ready));
  if (const json::value* scheduled = OldCondition(pod, "PodScheduled")) {
    conditions.push_back(*scheduled);
  } else {
    conditions.push_back(Condition(pod, "PodScheduled", true, "", "", now));
  }

  json::object status;
  status["phase"] = phase;
  status["conditions"] = std::move(conditions);
  if (!obs.host_ip.empty()) {
    status["hostIP"] = obs.host_ip;
    status["hostIPs"] = json::array{json::object{{"ip", obs.host_ip}}};
  }
  if (!obs.pod_ip.empty()) {
    status["podIP"] = obs.pod_ip;
    status["podIPs"] = json::array{json::object{{"ip", obs.pod_ip}}};
  }
  const json::value* start = api::Find(pod, {"status", "startTime"});
  status["startTime"] = start != nullptr && start->is_string() ? *start : json::value(Ts(now));
  if (!obs.init_containers.empty()) {
    status["initContainerStatuses"] =
        ContainerList(obs.init_containers, pod, "initContainerStatuses");
  }
  status["containerStatuses"] = ContainerList(obs.containers, pod, "containerStatuses");
  return status;
}

void ClearDroppedConditionFields(json::object& status) {
  json::value* conds = status.if_contains("conditions");
  if (conds == nullptr || !conds->is_array()) return;
  for (json::value& c : conds->get_array()) {
    if (!c.is_object()) continue;
    for (std::string_view f : {"reason", "message"})
      if (!c.get_object().contains(f)) c.get_object()[f] = nullptr;
  }
}

bool StatusDiffers(const json::value& pod, const json::object& status) {
  const json::object* old = api::GetObject(pod, {"status"});
  if (old == nullptr) return true;
  for (const auto& [key, value] : status) {
    if (key == "conditions") {
      for (const auto& c : value.get_array()) {
        const json::value* prev = OldCondition(pod, GetString(c, {"type"}));
        if (prev == nullptr || !SameIgnoringNulls(*prev, c)) return true;
      }
      continue;
    }
    const json::value* prev = old->if_contains(key);
    if (prev == nullptr || !SameIgnoringNulls(*prev, value)) return true;
  }
  return false;
}

}  // namespace skiff::agent
