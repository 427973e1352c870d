// Node selection rules a pod carries: `spec.nodeSelector`, required node affinity (ORed
// nodeSelectorTerms of ANDed matchExpressions / matchFields) and preferred node affinity, with
// Kubernetes' matching semantics (component-helpers nodeaffinity). Shared by the scheduler and
// the DaemonSet controller. Parsed once, then immutable and safe to share across threads.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/api/labels.h"

namespace skiff::api {

// One nodeSelectorTerm. A term with no requirement matches no node.
class NodeSelectorTerm {
 public:
  // nullopt when the term is invalid (unknown operator, wrong value count, a Gt/Lt value that is
  // not an integer, a matchFields key other than metadata.name): such terms never match.
  static std::optional<NodeSelectorTerm> FromJson(const boost::json::value& term);

  bool Matches(std::string_view node_name, const boost::json::object* labels) const;
  bool Empty() const { return labels_.empty() && fields_.empty(); }
  // The node names a term pins with `matchFields: metadata.name In [...]` (intersected when
  // several requirements do); nullopt when the term has no such requirement.
  std::optional<std::vector<std::string>> PinnedNodeNames() const;

 private:
  std::vector<LabelSelector::Requirement> labels_;
  std::vector<LabelSelector::Requirement> fields_;  // key metadata.name, In / NotIn only
};

// A v1.NodeSelector: matches when any valid term matches.
class NodeSelector {
 public:
  static NodeSelector FromJson(const boost::json::value& selector);
  bool Matches(std::string_view node_name, const boost::json::object* labels) const;
  const std::vector<NodeSelectorTerm>& terms() const { return terms_; }
  // Number of terms in the JSON, valid or not.
  size_t declared_terms() const { return declared_terms_; }

 private:
  std::vector<NodeSelectorTerm> terms_;
  size_t declared_terms_ = 0;
};

// A pod's `spec.nodeSelector` AND its requiredDuringSchedulingIgnoredDuringExecution node
// affinity (Kubernetes' GetRequiredNodeAffinity).
class RequiredNodeAffinity {
 public:
  static RequiredNodeAffinity FromPod(const boost::json::value& pod);
  bool Matches(std::string_view node_name, const boost::json::object* labels) const;
  // True when neither a nodeSelector nor required node affinity is set.
  bool Empty() const { return node_selector_.empty() && !affinity_.has_value(); }
  bool has_node_selector() const { return !node_selector_.empty(); }
  const std::optional<NodeSelector>& affinity() const { return affinity_; }

 private:
  std::vector<std::pair<std::string, std::string>> node_selector_;
  std::optional<NodeSelector> affinity_;
};

struct PreferredSchedulingTerm {
  int32_t weight = 0;
  NodeSelectorTerm term;
};

// preferredDuringSchedulingIgnoredDuringExecution, without zero-weight, empty or invalid terms.
std::vector<PreferredSchedulingTerm> PreferredNodeAffinityFromPod(const boost::json::value& pod);

}  // namespace skiff::api
