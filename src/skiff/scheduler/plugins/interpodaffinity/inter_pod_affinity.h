// InterPodAffinity: required pod affinity / anti-affinity of the incoming pod and required
// anti-affinity of pods already placed, over any topology key (kubernetes.io/hostname, zones);
// preferred terms (and existing pods' terms that match the incoming pod) score topologies.
// Counts are computed once per pod in PreFilter / PreScore from the snapshot.
#pragma once

#include <functional>

#include "absl/container/flat_hash_map.h"
#include "skiff/scheduler/framework.h"

namespace skiff::scheduler::plugins {

// The Namespace object named `ns` (for namespaceSelector terms), or nullptr.
using NamespaceLookup = std::function<ObjPtr(const std::string& ns)>;

// (topology key -> topology value -> count).
using TopologyCounts = absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, int64_t>>;

class InterPodAffinity : public PreFilterPlugin, public FilterPlugin, public ScorePlugin {
 public:
  static constexpr std::string_view kName = "InterPodAffinity";
  static constexpr std::string_view kReasonAffinity = "node(s) didn't match pod affinity rules";
  static constexpr std::string_view kReasonAntiAffinity =
      "node(s) didn't match pod anti-affinity rules";
  static constexpr std::string_view kReasonExistingAntiAffinity =
      "node(s) didn't satisfy existing pods anti-affinity rules";

  explicit InterPodAffinity(NamespaceLookup namespaces = nullptr)
      : namespaces_(std::move(namespaces)) {}

  std::string_view Name() const override { return kName; }
  uint32_t Events() const override {
    return kAssignedPodAdd | kAssignedPodUpdate | kAssignedPodDelete | kNodeAdd | kNodeLabelChange |
           kNamespaceChange;
  }
  Status PreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                   PreFilterResult* result) override;
  Status Filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status PreScore(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                  std::span<const NodeInfo* const> nodes) override;
  int64_t Score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  void NormalizeScore(const CycleState& state, const PodInfo& pod,
                      std::span<NodeScore> scores) const override;

 private:
  NamespaceLookup namespaces_;
};

}  // namespace skiff::scheduler::plugins
