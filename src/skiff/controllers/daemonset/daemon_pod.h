// The pods a DaemonSet creates, as Kubernetes' pkg/controller/daemon/util builds them: the
// template with the tolerations every daemon pod gets, the controller-revision-hash and
// pod-template-generation labels, and a required node-affinity term that pins the pod to its
// node (the default scheduler then binds it); plus the reads the controller makes of existing
// daemon pods (target node, up to date or not, ordering). Pure functions; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/client/informer.h"

namespace skiff::controllers::daemonset {

// apps/v1 DefaultDaemonSetUniqueLabelKey: the revision hash on daemon pods and revisions.
inline constexpr std::string_view kControllerRevisionHashLabel = "controller-revision-hash";
// extensions DaemonSetTemplateGenerationKey: the template generation on daemon pods.
inline constexpr std::string_view kPodTemplateGenerationLabel = "pod-template-generation";
// apps/v1 DeprecatedTemplateGeneration: the template generation on the DaemonSet itself.
inline constexpr std::string_view kTemplateGenerationAnnotation =
    "deprecated.daemonset.template.generation";

// The DaemonSet's templateGeneration annotation; nullopt when missing or not an integer.
std::optional<int64_t> TemplateGeneration(const boost::json::value& ds);

// AddOrUpdateDaemonPodTolerations: not-ready and unreachable (NoExecute, forever), disk-,
// memory- and pid-pressure and unschedulable (NoSchedule), and network-unavailable (NoSchedule)
// when the pod uses the host network, all with operator Exists. A toleration already present
// with the same key, operator, value and effect is replaced in place; others are appended.
void AddOrUpdateDaemonPodTolerations(boost::json::object& pod_spec);

// CreatePodTemplate: a copy of `pod_template` (a PodTemplateSpec) with the daemon tolerations,
// pod-template-generation=<generation> when known and controller-revision-hash=<hash> when
// non-empty.
boost::json::object DaemonPodTemplate(const boost::json::value& pod_template,
                                      std::optional<int64_t> generation, std::string_view hash);

// ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity of `pod_spec` becomes one
// term `matchFields: metadata.name In [node]`; preferred terms and pod (anti-)affinity stay.
void PinToNode(boost::json::object& pod_spec, std::string_view node);

// GetTargetNodeName: spec.nodeName, else the single value of a `metadata.name In` matchFields
// requirement of the required node affinity; nullopt when neither names one node.
std::optional<std::string> TargetNodeName(const boost::json::value& pod);

// IsPodUpdated: the pod's hash label equals `hash` (non-empty), or its generation label equals
// `generation`.
bool IsPodUpdated(const boost::json::value& pod, std::string_view hash,
                  std::optional<int64_t> generation);

// podByCreationTimestampAndPhase: scheduled pods first, then older creationTimestamp, then name.
void SortOldestFirst(std::vector<client::ObjPtr>& pods);

// Phase Succeeded or Failed.
bool IsPodTerminal(const boost::json::value& pod);
bool IsDeleting(const boost::json::value& obj);

}  // namespace skiff::controllers::daemonset
