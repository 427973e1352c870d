// Pod cells: the READY / STATUS / RESTARTS summary that `kubectl get pods` shows, derived the way
// Kubernetes 1.32 derives it from spec and status (init containers, sidecars, waiting and
// terminated reasons, deletion).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "skiff/api/object.h"
#include "skiff/api/table/format.h"
#include "skiff/api/table/printers.h"
#include "skiff/api/text.h"

namespace skiff::api::table {
namespace {

namespace json = boost::json;

// Restart count of a set of containers and the latest time one of them last terminated.
struct RestartTally {
  int64_t count = 0;
  std::optional<absl::Time> last;

  void Add(const json::value& container_status) {
    count += GetInt(container_status, {"restartCount"});
    if (GetObject(container_status, {"lastState", "terminated"}) == nullptr) return;
    std::optional<absl::Time> finished =
        ParseTimestamp(Find(container_status, {"lastState", "terminated", "finishedAt"}));
    if (finished && (!last || *last < *finished)) last = finished;
  }
};

// The reason a terminated container shows: its own reason, else "Signal:N" or "ExitCode:N".
std::string TerminatedReason(const json::value& container_status) {
  std::string_view reason = GetString(container_status, {"state", "terminated", "reason"});
  if (!reason.empty()) return std::string(reason);
  int64_t signal = GetInt(container_status, {"state", "terminated", "signal"});
  if (signal != 0) return Cat("Signal:", signal);
  return Cat("ExitCode:", GetInt(container_status, {"state", "terminated", "exitCode"}));
}

// True when any Ready condition is True.
bool PodReadyConditionTrue(const json::value& pod) {
  if (const json::array* conds = GetArray(pod, {"status", "conditions"})) {
    for (const json::value& c : *conds) {
      if (GetString(c, {"type"}) == "Ready" && GetString(c, {"status"}) == "True") return true;
    }
  }
  return false;
}

// The first Initialized condition decides.
bool PodInitializedConditionTrue(const json::value& pod) {
  if (const json::array* conds = GetArray(pod, {"status", "conditions"})) {
    for (const json::value& c : *conds) {
      if (GetString(c, {"type"}) == "Initialized") return GetString(c, {"status"}) == "True";
    }
  }
  return false;
}

std::string OrNone(std::string_view s) { return s.empty() ? "<none>" : std::string(s); }

std::string PodIP(const json::value& pod) {
  if (const json::array* ips = GetArray(pod, {"status", "podIPs"}); ips && !ips->empty()) {
    return std::string(GetString((*ips)[0], {"ip"}));
  }
  return std::string(GetString(pod, {"status", "podIP"}));
}

// "<none>" without readiness gates, else "<true gates>/<gates>".
std::string ReadinessGates(const json::value& pod) {
  const json::array* gates = GetArray(pod, {"spec", "readinessGates"});
  if (gates == nullptr || gates->empty()) return "<none>";
  const json::array* conds = GetArray(pod, {"status", "conditions"});
  int64_t satisfied = 0;
  for (const json::value& gate : *gates) {
    std::string_view type = GetString(gate, {"conditionType"});
    if (conds == nullptr) continue;
    for (const json::value& c : *conds) {
      if (GetString(c, {"type"}) != type) continue;
      if (GetString(c, {"status"}) == "True") ++satisfied;
      break;
    }
  }
  return Cat(satisfied, "/", gates->size());
}

}  // namespace

json::array PodCells(const json::value& pod, absl::Time now) {
  // The server stores every pod with a phase; an unset one is the initial Pending.
  std::string_view phase = GetString(pod, {"status", "phase"}, "Pending");
  if (phase.empty()) phase = "Pending";
  std::string reason(phase);
  if (std::string_view r = GetString(pod, {"status", "reason"}); !r.empty()) reason = r;
  if (const json::array* conds = GetArray(pod, {"status", "conditions"})) {
    for (const json::value& c : *conds) {
      if (GetString(c, {"type"}) == "PodScheduled" &&
          GetString(c, {"reason"}) == "SchedulingGated") {
        reason = "SchedulingGated";
      }
    }
  }

  int64_t total = 0;
  if (const json::array* containers = GetArray(pod, {"spec", "containers"})) {
    total = static_cast<int64_t>(containers->size());
  }
  // Sidecars (init containers that restart "Always") count as regular containers.
  absl::flat_hash_set<std::string_view> sidecars;
  int64_t init_count = 0;
  if (const json::array* inits = GetArray(pod, {"spec", "initContainers"})) {
    init_count = static_cast<int64_t>(inits->size());
    for (const json::value& c : *inits) {
      if (GetString(c, {"restartPolicy"}) == "Always") {
        sidecars.insert(GetString(c, {"name"}));
        ++total;
      }
    }
  }

  int64_t ready = 0;
  RestartTally restarts;
  RestartTally sidecar_restarts;
  bool initializing = false;
  if (const json::array* statuses = GetArray(pod, {"status", "initContainerStatuses"})) {
    for (size_t i = 0; i < statuses->size(); ++i) {
      const json::value& cs = (*statuses)[i];
      bool sidecar = sidecars.contains(GetString(cs, {"name"}));
      restarts.Add(cs);
      if (sidecar) sidecar_restarts.Add(cs);
      const json::object* terminated = GetObject(cs, {"state", "terminated"});
      const json::object* waiting = GetObject(cs, {"state", "waiting"});
      if (terminated != nullptr && GetInt(cs, {"state", "terminated", "exitCode"}) == 0) continue;
      if (sidecar && GetBool(cs, {"started"})) {
        if (GetBool(cs, {"ready"})) ++ready;
        continue;
      }
      std::string_view waiting_reason = GetString(cs, {"state", "waiting", "reason"});
      if (terminated != nullptr) {
        reason = "Init:" + TerminatedReason(cs);
      } else if (waiting != nullptr && !waiting_reason.empty() &&
                 waiting_reason != "PodInitializing") {
        reason = Cat("Init:", waiting_reason);
      } else {
        reason = Cat("Init:", i, "/", init_count);
      }
      initializing = true;
      break;
    }
  }

  if (!initializing || PodInitializedConditionTrue(pod)) {
    restarts = sidecar_restarts;
    bool has_running = false;
    if (const json::array* statuses = GetArray(pod, {"status", "containerStatuses"})) {
      // Walk backwards so the first container's reason wins.
      for (size_t i = statuses->size(); i-- > 0;) {
        const json::value& cs = (*statuses)[i];
        restarts.Add(cs);
        std::string_view waiting_reason = GetString(cs, {"state", "waiting", "reason"});
        const json::object* terminated = GetObject(cs, {"state", "terminated"});
        if (GetObject(cs, {"state", "waiting"}) != nullptr && !waiting_reason.empty()) {
          reason = waiting_reason;
        } else if (terminated != nullptr) {
          reason = TerminatedReason(cs);
        } else if (GetBool(cs, {"ready"}) && GetObject(cs, {"state", "running"}) != nullptr) {
          has_running = true;
          ++ready;
        }
      }
    }
    // A pod whose finished container sits beside a running one is still running.
    if (reason == "Completed" && has_running) {
      reason = PodReadyConditionTrue(pod) ? "Running" : "NotReady";
    }
  }

  const json::value* deletion = Find(pod, {"metadata", "deletionTimestamp"});
  bool deleting = deletion != nullptr && !deletion->is_null();
  bool terminal = phase == "Succeeded" || phase == "Failed";
  if (deleting && GetString(pod, {"status", "reason"}) == "NodeLost") {
    reason = "Unknown";
  } else if (deleting && !terminal) {
    reason = "Terminating";
  }

  std::string restarts_text = Cat(restarts.count);
  if (restarts.count != 0 && restarts.last) {
    restarts_text += Cat(" (", HumanDuration(now - *restarts.last), " ago)");
  }

  json::array cells;
  cells.emplace_back(ObjectName(pod));
  cells.emplace_back(Cat(ready, "/", total));
  cells.emplace_back(reason);
  cells.emplace_back(restarts_text);
  cells.emplace_back(ObjectAge(pod, now));
  cells.emplace_back(OrNone(PodIP(pod)));
  cells.emplace_back(OrNone(GetString(pod, {"spec", "nodeName"})));
  cells.emplace_back(OrNone(GetString(pod, {"status", "nominatedNodeName"})));
  cells.emplace_back(ReadinessGates(pod));
  return cells;
}

json::array PodConditions(const json::value& pod) {
  std::string_view phase = GetString(pod, {"status", "phase"});
  json::array out;
  if (phase == "Succeeded") {
    out.push_back(json::object{{"type", "Completed"},
                               {"status", "True"},
                               {"reason", "Succeeded"},
                               {"message", "All containers of the pod finished successfully."}});
  } else if (phase == "Failed") {
    out.push_back(json::object{{"type", "Completed"},
                               {"status", "True"},
                               {"reason", "Failed"},
                               {"message", "The pod finished with a failure."}});
  }
  return out;
}

}  // namespace skiff::api::table
