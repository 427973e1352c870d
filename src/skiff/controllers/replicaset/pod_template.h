// Builds the pod a ReplicaSet (or ReplicationController) creates from its template, as
// Kubernetes' GetPodFromTemplate does: labels, annotations, finalizers and spec copied,
// generateName "<owner>-", and the owner's controller reference. Pure; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace skiff::controllers::replicaset {

// "<name>-" when that is a valid generateName prefix, else "<name>".
std::string PodNamePrefix(std::string_view owner_name);

// A new pod from `owner`'s spec.template, owned through `controller_ref`.
boost::json::value PodFromTemplate(const boost::json::value& owner,
                                   const boost::json::object& controller_ref);

}  // namespace skiff::controllers::replicaset
