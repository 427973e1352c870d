// Builds a pod's API status from what the agent observed of its sandbox and containers, as the
// kubelet's status generator does: phase (getPhase), the five kubelet conditions, container
// statuses. Shared by the hollow nodes and the real agent. Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace skiff::agent {

struct Termination {
  int exit_code = 0;
  std::string reason;  // "Completed", "Error", ...
  std::string message;
  absl::Time started_at;
  absl::Time finished_at;
  std::string container_id;
};

struct ContainerObservation {
  enum class State { kWaiting, kRunning, kTerminated };
  std::string name;
  std::string image;         // as in the spec
  std::string image_id;      // "" until pulled
  std::string container_id;  // "<runtime>://<id>", "" until created
  State state = State::kWaiting;
  // Waiting: ContainerCreating, PodInitializing, ErrImagePull, ImagePullBackOff,
  // CrashLoopBackOff, ... Terminated: Completed, Error, ...
  std::string reason;
  std::string message;
  int exit_code = 0;  // terminated
  absl::Time started_at;
  absl::Time finished_at;
  int restart_count = 0;
  std::optional<Termination> last_termination;
  bool started = false;  // running and past its startup probe
  bool ready = false;    // running and past its readiness probe
};

struct PodObservation {
  bool sandbox_ready = false;
  std::string pod_ip;
  std::string host_ip;
  std::vector<ContainerObservation> init_containers;  // spec order
  std::vector<ContainerObservation> containers;       // spec order
};

// The status fields the agent owns: phase, the kubelet conditions (PodReadyToStartContainers,
// Initialized, Ready, ContainersReady, PodScheduled, in that order), hostIP(s), podIP(s),
// startTime, initContainerStatuses (when the spec has init containers) and containerStatuses.
// Times that did not change keep the values in the pod's current status, so building twice
// from one observation gives equal JSON. Readiness gates are read from the pod's conditions.
boost::json::object BuildPodStatus(const boost::json::value& pod, const PodObservation& obs,
                                   absl::Time now);

// Kubernetes' getPhase over the observation (init containers, then regular ones).
std::string PodPhase(const boost::json::value& pod, const PodObservation& obs);

// True when `status` (from BuildPodStatus) differs from the pod's current status in any field
// it sets; conditions are compared by type, other conditions on the pod are ignored.
bool StatusDiffers(const boost::json::value& pod, const boost::json::object& status);

// Status patches merge conditions by type (strategic merge), so a reason or message that a
// condition no longer has must be sent as null to be removed; this adds those nulls.
void ClearDroppedConditionFields(boost::json::object& status);

// The container's state as the API shows it: {"waiting": ...}, {"running": ...} or
// {"terminated": ...}.
boost::json::object ContainerStateJson(const ContainerObservation& c);

}  // namespace skiff::agent
