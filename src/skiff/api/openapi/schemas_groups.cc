// Schema table, part 5: apps/v1 workloads, autoscaling/v1 Scale, policy/v1, coordination/v1,
// storage/v1 and events.k8s.io/v1. Text format described in schema_text.h; parsed once.
#include "skiff/api/openapi/schema_text.h"

namespace skiff::api::openapi::internal {

std::string_view GroupsSchemaText() {
  return R"schema(
package io.k8s.api.apps.v1

type Deployment object gvk=apps/v1/Deployment : Declarative updates for pods through ReplicaSets.
  spec DeploymentSpec default={} : Desired behaviour of the deployment.
  status DeploymentStatus default={} : Most recently observed state of the deployment.

type DeploymentSpec : Desired behaviour of a deployment.
  replicas int32 : Number of desired pods; 1 by default.
  selector LabelSelector req : Label selector of the pods; must match the template labels.
  template PodTemplateSpec req default={} : Pods to create; restartPolicy must be Always.
  strategy DeploymentStrategy default={} strategy=retainKeys : How old pods are replaced by new ones.
  minReadySeconds int32 : Seconds a new pod must be ready before it counts as available.
  revisionHistoryLimit int32 : Old ReplicaSets kept for rollback; 10 by default.
  paused bool : Stop rolling out template changes.
  progressDeadlineSeconds int32 : Seconds without progress before the deployment is reported as failed; 600 by default.

type DeploymentStrategy : How a deployment replaces pods.
  type string enum=Recreate|RollingUpdate : Recreate or RollingUpdate (default).
  rollingUpdate RollingUpdateDeployment : Rolling update parameters; only for RollingUpdate.

type RollingUpdateDeployment : Parameters of a rolling update.
  maxUnavailable IntOrString : Pods that may be unavailable during the update, as a number or percentage; 25% by default.
  maxSurge IntOrString : Pods that may be created above the desired count, as a number or percentage; 25% by default.

type DeploymentStatus : Observed state of a deployment.
  observedGeneration int64 : Generation last acted on by the controller.
  replicas int32 : Non-terminating pods targeted by the deployment.
  updatedReplicas int32 : Those pods that run the current template.
  readyReplicas int32 : Those pods that are ready.
  availableReplicas int32 : Those pods that are available.
  unavailableReplicas int32 : Pods still needed for full availability.
  conditions []DeploymentCondition list=map keys=type merge=type strategy=merge : Current conditions.
  collisionCount int32 : Hash collision count used to name new ReplicaSets.

type DeploymentCondition : A condition of a deployment.
  type string req : Available, Progressing or ReplicaFailure.
  status string req : True, False or Unknown.
  lastUpdateTime Time : When the condition was last updated.
  lastTransitionTime Time : When the status last changed.
  reason string : Reason of the last change.
  message string : Detail of the last change.

type ReplicaSet object gvk=apps/v1/ReplicaSet : Keeps a number of identical pods running.
  spec ReplicaSetSpec default={} : Desired behaviour.
  status ReplicaSetStatus default={} : Observed state.

type ReplicaSetSpec : Desired behaviour of a ReplicaSet.
  replicas int32 : Number of desired pods; 1 by default.
  minReadySeconds int32 : Seconds a new pod must be ready before it counts as available.
  selector LabelSelector req : Label selector of the pods; must match the template labels.
  template PodTemplateSpec default={} : Pods to create when too few exist.

type ReplicaSetStatus : Observed state of a ReplicaSet.
  replicas int32 req : Observed number of non-terminating pods.
  fullyLabeledReplicas int32 : Pods whose labels match the template.
  readyReplicas int32 : Ready pods.
  availableReplicas int32 : Available pods.
  observedGeneration int64 : Generation last acted on.
  conditions []ReplicaSetCondition list=map keys=type merge=type strategy=merge : Current conditions.

type ReplicaSetCondition : A condition of a ReplicaSet.
  type string req : Condition type.
  status string req : True, False or Unknown.
  lastTransitionTime Time : When the status last changed.
  reason string : Reason of the last change.
  message string : Detail of the last change.

type StatefulSet object gvk=apps/v1/StatefulSet : Pods with stable identities and storage.
  spec StatefulSetSpec default={} : Desired identities of the pods.
  status StatefulSetStatus default={} : Observed state.

type StatefulSetSpec : Desired behaviour of a StatefulSet.
  replicas int32 : Number of desired pods; 1 by default.
  selector LabelSelector req : Label selector of the pods; must match the template labels.
  template PodTemplateSpec req default={} : Pods to create; each is named <set>-<ordinal>.
  volumeClaimTemplates []PersistentVolumeClaim list=atomic : Claims created for each pod and mounted by name.
  serviceName string req default="" : Headless service that gives the pods their network identity.
  podManagementPolicy string enum=OrderedReady|Parallel : OrderedReady (default) or Parallel creation and deletion.
  updateStrategy StatefulSetUpdateStrategy default={} : How pods are updated after a template change.
  revisionHistoryLimit int32 : Revisions kept; 10 by default.
  minReadySeconds int32 : Seconds a new pod must be ready before it counts as available.
  persistentVolumeClaimRetentionPolicy StatefulSetPersistentVolumeClaimRetentionPolicy : What happens to claims on deletion and scale-down.
  ordinals StatefulSetOrdinals : Numbering of the pods.

type StatefulSetUpdateStrategy : Update strategy of a StatefulSet.
  type string enum=OnDelete|RollingUpdate : RollingUpdate (default) or OnDelete.
  rollingUpdate RollingUpdateStatefulSetStrategy : Rolling update parameters.

type RollingUpdateStatefulSetStrategy : Parameters of a StatefulSet rolling update.
  partition int32 : Only pods with an ordinal at or above this are updated; 0 by default.
  maxUnavailable IntOrString : Pods that may be unavailable during the update; 1 by default (alpha).

type StatefulSetPersistentVolumeClaimRetentionPolicy : Fate of claims created from volumeClaimTemplates.
  whenDeleted string : Retain (default) or Delete when the StatefulSet is deleted.
  whenScaled string : Retain (default) or Delete when the StatefulSet scales down.

type StatefulSetOrdinals : Numbering of StatefulSet pods.
  start int32 default=0 : Ordinal of the first pod; 0 by default.

type StatefulSetStatus : Observed state of a StatefulSet.
  observedGeneration int64 : Generation last acted on.
  replicas int32 req : Pods created by the controller.
  readyReplicas int32 : Ready pods.
  currentReplicas int32 : Pods at currentRevision.
  updatedReplicas int32 : Pods at updateRevision.
  currentRevision string : Revision of pods [0, currentReplicas).
  updateRevision string : Revision of pods [replicas-updatedReplicas, replicas).
  collisionCount int32 : Hash collision count used to name revisions.
  conditions []StatefulSetCondition list=map keys=type merge=type strategy=merge : Current conditions.
  availableReplicas int32 default=0 : Available pods.

type StatefulSetCondition : A condition of a StatefulSet.
  type string req : Condition type.
  status string req : True, False or Unknown.
  lastTransitionTime Time : When the status last changed.
  reason string : Reason of the last change.
  message string : Detail of the last change.

type DaemonSet object gvk=apps/v1/DaemonSet : Runs a copy of a pod on each eligible node.
  spec DaemonSetSpec default={} : Desired behaviour.
  status DaemonSetStatus default={} : Observed state.

type DaemonSetSpec : Desired behaviour of a DaemonSet.
  selector LabelSelector req : Label selector of the pods; must match the template labels.
  template PodTemplateSpec req default={} : Pod created on every matching node.
  updateStrategy DaemonSetUpdateStrategy default={} : How pods are replaced after a template change.
  minReadySeconds int32 : Seconds a new pod must be ready before it counts as available.
  revisionHistoryLimit int32 : Revisions kept; 10 by default.

type DaemonSetUpdateStrategy : Update strategy of a DaemonSet.
  type string enum=OnDelete|RollingUpdate : RollingUpdate (default) or OnDelete.
  rollingUpdate RollingUpdateDaemonSet : Rolling update parameters.

type RollingUpdateDaemonSet : Parameters of a DaemonSet rolling update.
  maxUnavailable IntOrString : Pods that may be unavailable during the update; 1 by default.
  maxSurge IntOrString : Nodes that may run an extra updated pod during the update; 0 by default.

type DaemonSetStatus : Observed state of a DaemonSet.
  currentNumberScheduled int32 req : Nodes running a daemon pod that should.
  numberMisscheduled int32 req : Nodes running a daemon pod that should not.
  desiredNumberScheduled int32 req : Nodes that should run a daemon pod.
  numberReady int32 req : Nodes with a ready daemon pod.
  observedGeneration int64 : Generation last acted on.
  updatedNumberScheduled int32 : Nodes running the updated pod.
  numberAvailable int32 : Nodes with an available daemon pod.
  numberUnavailable int32 : Nodes without an available daemon pod.
  collisionCount int32 : Hash collision count used to name revisions.
  conditions []DaemonSetCondition list=map keys=type merge=type strategy=merge : Current conditions.

type DaemonSetCondition : A condition of a DaemonSet.
  type string req : Condition type.
  status string req : True, False or Unknown.
  lastTransitionTime Time : When the status last changed.
  reason string : Reason of the last change.
  message string : Detail of the last change.

type ControllerRevision object gvk=apps/v1/ControllerRevision : An immutable snapshot of state used by StatefulSets and DaemonSets for updates and rollbacks.
  data RawExtension : Serialised state, such as a template patch.
  revision int64 req : Revision number of the data.

package io.k8s.api.autoscaling.v1

type Scale object gvk=autoscaling/v1/Scale : The scale subresource of a scalable object.
  spec ScaleSpec default={} : Desired scale.
  status ScaleStatus default={} : Observed scale.

type ScaleSpec : Desired scale.
  replicas int32 : Desired number of instances.

type ScaleStatus : Observed scale.
  replicas int32 req default=0 : Observed number of instances.
  selector string : Label selector of the pods, in string form.

package io.k8s.api.policy.v1

type PodDisruptionBudget object gvk=policy/v1/PodDisruptionBudget : Limits voluntary disruptions of a set of pods.
  spec PodDisruptionBudgetSpec default={} : Desired budget.
  status PodDisruptionBudgetStatus default={} : Observed state.

type PodDisruptionBudgetSpec : Desired disruption budget.
  minAvailable IntOrString : Pods that must stay available after an eviction, as a number or percentage.
  selector LabelSelector strategy=replace : Pods covered by the budget; empty selects all in the namespace.
  maxUnavailable IntOrString : Pods that may be unavailable after an eviction, as a number or percentage.
  unhealthyPodEvictionPolicy string enum=AlwaysAllow|IfHealthyBudget : When unhealthy pods may be evicted: IfHealthyBudget or AlwaysAllow.

type PodDisruptionBudgetStatus : Observed state of a disruption budget.
  observedGeneration int64 : Generation last acted on.
  disruptedPods {}Time : Pods being evicted, with the time the eviction was accepted.
  disruptionsAllowed int32 req default=0 : Evictions currently allowed.
  currentHealthy int32 req default=0 : Healthy pods.
  desiredHealthy int32 req default=0 : Healthy pods needed.
  expectedPods int32 req default=0 : Pods counted by the budget.
  conditions []Condition list=map keys=type merge=type strategy=merge : Current conditions, such as DisruptionAllowed.

type Eviction object gvk=policy/v1/Eviction : Requests eviction of a pod; posted to pods/eviction.
  deleteOptions DeleteOptions : Options of the resulting delete.

package io.k8s.api.coordination.v1

type Lease object gvk=coordination.k8s.io/v1/Lease : A lease used for leader election and node heartbeats.
  spec LeaseSpec default={} : The lease.

type LeaseSpec : State of a lease.
  holderIdentity string : Current holder.
  leaseDurationSeconds int32 : Seconds candidates wait before taking over, measured from renewTime.
  acquireTime MicroTime : When the current holder acquired the lease.
  renewTime MicroTime : When the holder last renewed it.
  leaseTransitions int32 : Number of holder changes.
  strategy string : Coordinated leader election strategy, such as OldestEmulationVersion.
  preferredHolder string : Holder asked to take over next.

package io.k8s.api.storage.v1

type StorageClass object gvk=storage.k8s.io/v1/StorageClass : A class of dynamically provisioned storage.
  provisioner string req : Name of the provisioner.
  parameters {}string : Parameters for the provisioner.
  reclaimPolicy string enum=Delete|Recycle|Retain : Reclaim policy of provisioned volumes; Delete by default.
  mountOptions []string list=atomic : Mount options of provisioned volumes.
  allowVolumeExpansion bool : Whether claims may be expanded.
  volumeBindingMode string enum=Immediate|WaitForFirstConsumer : Immediate (default) or WaitForFirstConsumer.
  allowedTopologies []TopologySelectorTerm list=atomic : Topologies where volumes may be provisioned.

package io.k8s.api.core.v1

type TopologySelectorTerm struct=atomic : Label requirements that are ANDed.
  matchLabelExpressions []TopologySelectorLabelRequirement list=atomic : The requirements.

type TopologySelectorLabelRequirement : A label key with allowed values.
  key string req : Label key.
  values []string req list=atomic : Allowed values, ORed.

package io.k8s.api.events.v1

type Event object gvk=events.k8s.io/v1/Event : A report of something that happened in the cluster.
  eventTime MicroTime req : When the event was first observed.
  series EventSeries : Series data when the event repeats.
  reportingController string : Controller that emitted the event.
  reportingInstance string : Instance of that controller.
  action string : Action taken or failed on the object.
  reason string : Short machine-readable reason.
  regarding ObjectReference default={} : Object the event is about.
  related ObjectReference : Secondary object.
  note string : Human-readable description.
  type string : Normal or Warning.
  deprecatedSource EventSource default={} : Legacy source field of core events.
  deprecatedFirstTimestamp Time : Legacy first timestamp of core events.
  deprecatedLastTimestamp Time : Legacy last timestamp of core events.
  deprecatedCount int32 : Legacy count of core events.

type EventSeries : An event happening repeatedly.
  count int32 req : Occurrences so far.
  lastObservedTime MicroTime req : Time of the last occurrence.
)schema";
}

}  // namespace skiff::api::openapi::internal
