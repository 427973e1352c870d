// DaemonSet status (Kubernetes' updateDaemonSetStatus / storeDaemonSetStatus): per node, the
// oldest daemon pod decides ready, available and up to date; desired counts should-run nodes,
// misscheduled counts pods on nodes that should not run one. Pure; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>

#include "skiff/controllers/daemonset/rolling.h"

namespace skiff::controllers::daemonset {

struct DaemonSetCounts {
  int32_t desired = 0;       // desiredNumberScheduled
  int32_t current = 0;       // currentNumberScheduled
  int32_t misscheduled = 0;  // numberMisscheduled
  int32_t ready = 0;         // numberReady
  int32_t updated = 0;       // updatedNumberScheduled
  int32_t available = 0;     // numberAvailable
  int32_t unavailable = 0;   // numberUnavailable = desired - available
  bool operator==(const DaemonSetCounts&) const = default;
};

// Counts over the existing nodes (`fits`); `pods` by target node (pods on nodes that are gone
// count nowhere). Sorts each node's list in place (oldest first).
DaemonSetCounts CountDaemonPods(const NodeFits& fits, NodePods& pods, const Revision& rev);

// True when the stored status already has these counts and observedGeneration has caught up
// with metadata.generation: nothing to write.
bool StatusCurrent(const boost::json::value& ds, const DaemonSetCounts& counts);

// `ds`'s status with the counts (and observedGeneration = metadata.generation when
// `observe_generation`); other fields (collisionCount, conditions) are kept.
boost::json::object StatusWith(const boost::json::value& ds, const DaemonSetCounts& counts,
                               bool observe_generation);

}  // namespace skiff::controllers::daemonset
