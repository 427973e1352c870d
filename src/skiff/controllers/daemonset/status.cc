#include "skiff/controllers/daemonset/status.h"

#include "skiff/api/object.h"
#include "skiff/controllers/daemonset/daemon_pod.h"
#include "skiff/controllers/replicaset/pod_state.h"

namespace skiff::controllers::daemonset {

namespace json = boost::json;

namespace {

struct Field {
  std::string_view name;
  int32_t DaemonSetCounts::*member;
};
constexpr Field kFields[] = {
    {"desiredNumberScheduled", &DaemonSetCounts::desired},
    {"currentNumberScheduled", &DaemonSetCounts::current},
    {"numberMisscheduled", &DaemonSetCounts::misscheduled},
    {"numberReady", &DaemonSetCounts::ready},
    {"updatedNumberScheduled", &DaemonSetCounts::updated},
    {"numberAvailable", &DaemonSetCounts::available},
    {"numberUnavailable", &DaemonSetCounts::unavailable},
};

}  // namespace

DaemonSetCounts CountDaemonPods(const NodeFits& fits, NodePods& pods, const Revision& rev) {
  DaemonSetCounts c;
  for (const auto& [node, fit] : fits) {
    auto it = pods.find(node);
    bool scheduled = it != pods.end() && !it->second.empty();
    if (!fit.should_run) {
      if (scheduled) ++c.misscheduled;
      continue;
    }
    ++c.desired;
    if (!scheduled) continue;
    ++c.current;
    SortOldestFirst(it->second);
    const json::value& pod = *it->second.front();
    if (replicaset::IsPodReady(pod)) {
      ++c.ready;
      if (replicaset::IsPodAvailable(pod, rev.min_ready_seconds, rev.now)) ++c.available;
    }
    if (IsPodUpdated(pod, rev.hash, rev.generation)) ++c.updated;
  }
  c.unavailable = c.desired - c.available;
  return c;
}

bool StatusCurrent(const json::value& ds, const DaemonSetCounts& counts) {
  for (const Field& f : kFields) {
    if (api::GetInt(ds, {"status", f.name}) != counts.*f.member) return false;
  }
  return api::GetInt(ds, {"status", "observedGeneration"}) >=
         api::GetInt(ds, {"metadata", "generation"});
}

json::object StatusWith(const json::value& ds, const DaemonSetCounts& counts,
                        bool observe_generation) {
  const json::object* old = api::GetObject(ds, {"status"});
  json::object status = old != nullptr ? *old : json::object();
  if (observe_generation)
    status["observedGeneration"] = api::GetInt(ds, {"metadata", "generation"});
  for (const Field& f : kFields) {
    // Go's omitempty drops the zero values of the optional counters.
    int32_t v = counts.*f.member;
    bool optional = f.name == "updatedNumberScheduled" || f.name == "numberAvailable" ||
                    f.name == "numberUnavailable";
    if (optional && v == 0) {
      status.erase(f.name);
    } else {
      status[f.name] = v;
    }
  }
  return status;
}

}  // namespace skiff::controllers::daemonset
