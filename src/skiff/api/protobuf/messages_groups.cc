// Protobuf field table, apps/v1, autoscaling/v1 Scale, policy/v1, coordination/v1, storage/v1 and
// events/v1. Field numbers as in Kubernetes 1.32; text format described in message_text.h.
#include "skiff/api/protobuf/message_text.h"

namespace skiff::api::protobuf::internal {

std::string_view GroupsMessageText() {
  return R"table(
message StatefulSet apps/v1/StatefulSet
  1 metadata ObjectMeta
  2 spec StatefulSetSpec
  3 status StatefulSetStatus
message StatefulSetUpdateStrategy
  1 type string
  2 rollingUpdate RollingUpdateStatefulSetStrategy
message RollingUpdateStatefulSetStrategy
  1 partition int32!
  2 maxUnavailable IntOrString
message StatefulSetPersistentVolumeClaimRetentionPolicy
  1 whenDeleted string
  2 whenScaled string
message StatefulSetOrdinals
  1 start int32!
message StatefulSetSpec
  1 replicas int32!
  2 selector LabelSelector
  3 template PodTemplateSpec
  4 volumeClaimTemplates []PersistentVolumeClaim
  5 serviceName string!
  6 podManagementPolicy string
  7 updateStrategy StatefulSetUpdateStrategy
  8 revisionHistoryLimit int32!
  9 minReadySeconds int32
  10 persistentVolumeClaimRetentionPolicy StatefulSetPersistentVolumeClaimRetentionPolicy
  11 ordinals StatefulSetOrdinals
message StatefulSetStatus
  1 observedGeneration int64
  2 replicas int32!
  3 readyReplicas int32
  4 currentReplicas int32
  5 updatedReplicas int32
  6 currentRevision string
  7 updateRevision string
  9 collisionCount int32!
  10 conditions []StatefulSetCondition
  11 availableReplicas int32!
message StatefulSetCondition
  1 type string!
  2 status string!
  3 lastTransitionTime Time
  4 reason string
  5 message string
message Deployment apps/v1/Deployment
  1 metadata ObjectMeta
  2 spec DeploymentSpec
  3 status DeploymentStatus
message DeploymentSpec
  1 replicas int32!
  2 selector LabelSelector
  3 template PodTemplateSpec
  4 strategy DeploymentStrategy
  5 minReadySeconds int32
  6 revisionHistoryLimit int32!
  7 paused bool
  9 progressDeadlineSeconds int32!
message DeploymentStrategy
  1 type string
  2 rollingUpdate RollingUpdateDeployment
message RollingUpdateDeployment
  1 maxUnavailable IntOrString
  2 maxSurge IntOrString
message DeploymentStatus
  1 observedGeneration int64
  2 replicas int32
  3 updatedReplicas int32
  7 readyReplicas int32
  4 availableReplicas int32
  5 unavailableReplicas int32
  6 conditions []DeploymentCondition
  8 collisionCount int32!
message DeploymentCondition
  1 type string!
  2 status string!
  6 lastUpdateTime Time
  7 lastTransitionTime Time
  4 reason string
  5 message string
message DaemonSetUpdateStrategy
  1 type string
  2 rollingUpdate RollingUpdateDaemonSet
message RollingUpdateDaemonSet
  1 maxUnavailable IntOrString
  2 maxSurge IntOrString
message DaemonSetSpec
  1 selector LabelSelector
  2 template PodTemplateSpec
  3 updateStrategy DaemonSetUpdateStrategy
  4 minReadySeconds int32
  6 revisionHistoryLimit int32!
message DaemonSetStatus
  1 currentNumberScheduled int32!
  2 numberMisscheduled int32!
  3 desiredNumberScheduled int32!
  4 numberReady int32!
  5 observedGeneration int64
  6 updatedNumberScheduled int32
  7 numberAvailable int32
  8 numberUnavailable int32
  9 collisionCount int32!
  10 conditions []DaemonSetCondition
message DaemonSetCondition
  1 type string!
  2 status string!
  3 lastTransitionTime Time
  4 reason string
  5 message string
message DaemonSet apps/v1/DaemonSet
  1 metadata ObjectMeta
  2 spec DaemonSetSpec
  3 status DaemonSetStatus
message ReplicaSet apps/v1/ReplicaSet
  1 metadata ObjectMeta
  2 spec ReplicaSetSpec
  3 status ReplicaSetStatus
message ReplicaSetSpec
  1 replicas int32!
  4 minReadySeconds int32
  2 selector LabelSelector
  3 template PodTemplateSpec
message ReplicaSetStatus
  1 replicas int32!
  2 fullyLabeledReplicas int32
  4 readyReplicas int32
  5 availableReplicas int32
  3 observedGeneration int64
  6 conditions []ReplicaSetCondition
message ReplicaSetCondition
  1 type string!
  2 status string!
  3 lastTransitionTime Time
  4 reason string
  5 message string
message ControllerRevision apps/v1/ControllerRevision
  1 metadata ObjectMeta
  2 data RawExtension
  3 revision int64!
message PodDisruptionBudgetSpec
  1 minAvailable IntOrString
  2 selector LabelSelector
  3 maxUnavailable IntOrString
  4 unhealthyPodEvictionPolicy string!
message PodDisruptionBudgetStatus
  1 observedGeneration int64
  2 disruptedPods {}Time
  3 disruptionsAllowed int32!
  4 currentHealthy int32!
  5 desiredHealthy int32!
  6 expectedPods int32!
  7 conditions []Condition
message PodDisruptionBudget policy/v1/PodDisruptionBudget policy/v1beta1/PodDisruptionBudget
  1 metadata ObjectMeta
  2 spec PodDisruptionBudgetSpec
  3 status PodDisruptionBudgetStatus
message Eviction policy/v1/Eviction policy/v1beta1/Eviction
  1 metadata ObjectMeta
  2 deleteOptions DeleteOptions
message Lease coordination.k8s.io/v1/Lease
  1 metadata ObjectMeta
  2 spec LeaseSpec
message LeaseSpec
  1 holderIdentity string!
  2 leaseDurationSeconds int32!
  3 acquireTime MicroTime
  4 renewTime MicroTime
  5 leaseTransitions int32!
  6 strategy string!
  7 preferredHolder string!
message Scale autoscaling/v1/Scale
  1 metadata ObjectMeta
  2 spec ScaleSpec
  3 status ScaleStatus
message ScaleSpec
  1 replicas int32
message ScaleStatus
  1 replicas int32!
  2 selector string
message StorageClass storage.k8s.io/v1/StorageClass
  1 metadata ObjectMeta
  2 provisioner string!
  3 parameters {}string
  4 reclaimPolicy string!
  5 mountOptions []string
  6 allowVolumeExpansion bool!
  7 volumeBindingMode string!
  8 allowedTopologies []TopologySelectorTerm
message events.Event events.k8s.io/v1/Event
  1 metadata ObjectMeta
  2 eventTime MicroTime
  3 series events.EventSeries
  4 reportingController string
  5 reportingInstance string
  6 action string
  7 reason string
  8 regarding ObjectReference
  9 related ObjectReference
  10 note string
  11 type string
  12 deprecatedSource EventSource
  13 deprecatedFirstTimestamp Time
  14 deprecatedLastTimestamp Time
  15 deprecatedCount int32
message events.EventSeries
  1 count int32!
  2 lastObservedTime MicroTime
)table";
}

}  // namespace skiff::api::protobuf::internal
