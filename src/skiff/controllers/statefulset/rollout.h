// The StatefulSet controller's pure decisions (Kubernetes' stateful_set_control.go): which pod a
// rolling update replaces next, and which revisions history truncation deletes. Pure functions;
// safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "skiff/client/informer.h"

namespace skiff::controllers::statefulset {

struct RollingUpdateStep {
  enum class Action {
    kNone,    // every pod from the partition up is updated and available
    kDelete,  // delete replicas[index] (it is recreated at the update revision)
    kWait,    // replicas[index] is at the update revision but not yet available
  };
  Action action = Action::kNone;
  int index = -1;
  bool operator==(const RollingUpdateStep&) const = default;
};

// Walks `replicas` (indexed by ordinal - start) from the highest index down to `partition`: the
// first pod not at `update_revision` and not terminating is deleted; an updated pod that is
// unavailable (not Running and Ready for minReadySeconds, or terminating) makes it wait.
RollingUpdateStep NextRollingUpdateStep(const std::vector<client::ObjPtr>& replicas,
                                        const std::string& update_revision, int64_t partition,
                                        int64_t min_ready_seconds, absl::Time now);

// Revisions to delete so that at most `limit` revisions not in `live` remain, lowest first
// (`sorted` ascending by revision). A negative limit keeps everything.
std::vector<const boost::json::object*> RevisionsToTruncate(
    const std::vector<const boost::json::object*>& sorted, const std::set<std::string>& live,
    int64_t limit);

}  // namespace skiff::controllers::statefulset
