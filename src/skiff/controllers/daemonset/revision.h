// The ControllerRevisions a DaemonSet records (Kubernetes' daemon/update.go snapshot, getPatch,
// Match): named "<ds>-<hash>" with the pod-template-hash function over the template and
// status.collisionCount, labelled with the template labels plus controller-revision-hash, and
// holding {"spec":{"template":{"$patch":"replace",...}}}, the strategic-merge patch
// `kubectl rollout undo` sends back. Pure; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>

namespace skiff::controllers::daemonset {

// The revision hash of the DaemonSet's current template and collisionCount.
std::string DaemonSetHash(const boost::json::value& ds);

// The revision data for the DaemonSet's template, compact JSON with keys in sorted order (as
// Go's encoding/json writes maps), "$patch" first.
std::string RevisionData(const boost::json::value& ds);

// The revision holds the DaemonSet's current template. Templates are compared semantically
// (key order, and absent vs null vs empty members, do not matter), not byte for byte.
bool MatchesRevision(const boost::json::value& ds, const boost::json::value& revision);

// A new (unstored) revision of the DaemonSet with number `revision` and hash `hash`.
boost::json::object NewDaemonSetRevision(const boost::json::value& ds, const std::string& hash,
                                         int64_t revision);

}  // namespace skiff::controllers::daemonset
