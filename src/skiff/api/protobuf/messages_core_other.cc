// Protobuf field table, core/v1 part 3: Node, Namespace, Service, Endpoints, ConfigMap, Secret,
// Event and the rest. Field numbers as in Kubernetes 1.32; text format described in message_text.h.
#include "skiff/api/protobuf/message_text.h"

namespace skiff::api::protobuf::internal {

std::string_view CoreOtherMessageText() {
  return R"table(
message PersistentVolume v1/PersistentVolume
  1 metadata ObjectMeta
  2 spec PersistentVolumeSpec
  3 status PersistentVolumeStatus
message PersistentVolumeSpec
  1 capacity {}Quantity
  2 - PersistentVolumeSource
  3 accessModes []string
  4 claimRef ObjectReference
  5 persistentVolumeReclaimPolicy string
  6 storageClassName string
  7 mountOptions []string
  8 volumeMode string!
  9 nodeAffinity VolumeNodeAffinity
  10 volumeAttributesClassName string!
message VolumeNodeAffinity
  1 required NodeSelector
message PersistentVolumeStatus
  1 phase string
  2 message string
  3 reason string
  4 lastPhaseTransitionTime Time
message PersistentVolumeClaim v1/PersistentVolumeClaim
  1 metadata ObjectMeta
  2 spec PersistentVolumeClaimSpec
  3 status PersistentVolumeClaimStatus
message PersistentVolumeClaimSpec
  1 accessModes []string
  4 selector LabelSelector
  2 resources VolumeResourceRequirements
  3 volumeName string
  5 storageClassName string!
  6 volumeMode string!
  7 dataSource TypedLocalObjectReference
  8 dataSourceRef TypedObjectReference
  9 volumeAttributesClassName string!
message TypedObjectReference
  1 apiGroup string!
  2 kind string!
  3 name string!
  4 namespace string!
message ModifyVolumeStatus
  1 targetVolumeAttributesClassName string
  2 status string!
message PersistentVolumeClaimCondition
  1 type string!
  2 status string!
  3 lastProbeTime Time
  4 lastTransitionTime Time
  5 reason string
  6 message string
message PersistentVolumeClaimStatus
  1 phase string
  2 accessModes []string
  3 capacity {}Quantity
  4 conditions []PersistentVolumeClaimCondition
  5 allocatedResources {}Quantity
  7 allocatedResourceStatuses {}string
  8 currentVolumeAttributesClassName string!
  9 modifyVolumeStatus ModifyVolumeStatus
message TopologySelectorTerm
  1 matchLabelExpressions []TopologySelectorLabelRequirement
message TopologySelectorLabelRequirement
  1 key string!
  2 values []string
message Taint
  1 key string!
  2 value string
  3 effect string!
  4 timeAdded Time
message PodTemplate v1/PodTemplate
  1 metadata ObjectMeta
  2 template PodTemplateSpec
message ReplicationControllerSpec
  1 replicas int32!
  4 minReadySeconds int32
  2 selector {}string
  3 template PodTemplateSpec
message ReplicationControllerStatus
  1 replicas int32!
  2 fullyLabeledReplicas int32
  4 readyReplicas int32
  5 availableReplicas int32
  3 observedGeneration int64
  6 conditions []ReplicationControllerCondition
message ReplicationControllerCondition
  1 type string!
  2 status string!
  3 lastTransitionTime Time
  4 reason string
  5 message string
message ReplicationController v1/ReplicationController
  1 metadata ObjectMeta
  2 spec ReplicationControllerSpec
  3 status ReplicationControllerStatus
message SessionAffinityConfig
  1 clientIP ClientIPConfig
message ClientIPConfig
  1 timeoutSeconds int32!
message ServiceStatus
  1 loadBalancer LoadBalancerStatus
  2 conditions []Condition
message LoadBalancerStatus
  1 ingress []LoadBalancerIngress
message LoadBalancerIngress
  1 ip string
  2 hostname string
  3 ipMode string!
  4 ports []PortStatus
message ServiceSpec
  1 ports []ServicePort
  2 selector {}string
  3 clusterIP string
  18 clusterIPs []string
  4 type string
  5 externalIPs []string
  7 sessionAffinity string
  8 loadBalancerIP string
  9 loadBalancerSourceRanges []string
  10 externalName string
  11 externalTrafficPolicy string
  12 healthCheckNodePort int32
  13 publishNotReadyAddresses bool
  14 sessionAffinityConfig SessionAffinityConfig
  19 ipFamilies []string
  17 ipFamilyPolicy string!
  20 allocateLoadBalancerNodePorts bool!
  21 loadBalancerClass string!
  22 internalTrafficPolicy string!
  23 trafficDistribution string!
message ServicePort
  1 name string
  2 protocol string
  6 appProtocol string!
  3 port int32!
  4 targetPort IntOrString
  5 nodePort int32
message Service v1/Service
  1 metadata ObjectMeta
  2 spec ServiceSpec
  3 status ServiceStatus
message ServiceAccount v1/ServiceAccount
  1 metadata ObjectMeta
  2 secrets []ObjectReference
  3 imagePullSecrets []LocalObjectReference
  4 automountServiceAccountToken bool!
message Endpoints v1/Endpoints
  1 metadata ObjectMeta
  2 subsets []EndpointSubset
message EndpointSubset
  1 addresses []EndpointAddress
  2 notReadyAddresses []EndpointAddress
  3 ports []EndpointPort
message EndpointAddress
  1 ip string!
  3 hostname string
  4 nodeName string!
  2 targetRef ObjectReference
message EndpointPort
  1 name string
  2 port int32!
  3 protocol string
  4 appProtocol string!
message NodeSpec
  1 podCIDR string
  7 podCIDRs []string
  3 providerID string
  4 unschedulable bool
  5 taints []Taint
  6 configSource NodeConfigSource
  2 externalID string
message NodeConfigSource
  2 configMap ConfigMapNodeConfigSource
message ConfigMapNodeConfigSource
  1 namespace string!
  2 name string!
  3 uid string
  4 resourceVersion string
  5 kubeletConfigKey string!
message DaemonEndpoint
  1 Port int32!
message NodeDaemonEndpoints
  1 kubeletEndpoint DaemonEndpoint
message NodeRuntimeHandlerFeatures
  1 recursiveReadOnlyMounts bool!
  2 userNamespaces bool!
message NodeRuntimeHandler
  1 name string!
  2 features NodeRuntimeHandlerFeatures
message NodeFeatures
  1 supplementalGroupsPolicy bool!
message NodeSystemInfo
  1 machineID string!
  2 systemUUID string!
  3 bootID string!
  4 kernelVersion string!
  5 osImage string!
  6 containerRuntimeVersion string!
  7 kubeletVersion string!
  8 kubeProxyVersion string!
  9 operatingSystem string!
  10 architecture string!
  11 swap NodeSwapStatus
message NodeSwapStatus
  1 capacity int64!
message NodeConfigStatus
  1 assigned NodeConfigSource
  2 active NodeConfigSource
  3 lastKnownGood NodeConfigSource
  4 error string
message NodeStatus
  1 capacity {}Quantity
  2 allocatable {}Quantity
  3 phase string
  4 conditions []NodeCondition
  5 addresses []NodeAddress
  6 daemonEndpoints NodeDaemonEndpoints
  7 nodeInfo NodeSystemInfo
  8 images []ContainerImage
  9 volumesInUse []string
  10 volumesAttached []AttachedVolume
  11 config NodeConfigStatus
  12 runtimeHandlers []NodeRuntimeHandler
  13 features NodeFeatures
message AttachedVolume
  1 name string!
  2 devicePath string!
message ContainerImage
  1 names []string
  2 sizeBytes int64
message NodeCondition
  1 type string!
  2 status string!
  3 lastHeartbeatTime Time
  4 lastTransitionTime Time
  5 reason string
  6 message string
message NodeAddress
  1 type string!
  2 address string!
message Node v1/Node
  1 metadata ObjectMeta
  2 spec NodeSpec
  3 status NodeStatus
message NamespaceSpec
  1 finalizers []string
message NamespaceStatus
  1 phase string
  2 conditions []NamespaceCondition
message NamespaceCondition
  1 type string!
  2 status string!
  4 lastTransitionTime Time
  5 reason string
  6 message string
message Namespace v1/Namespace
  1 metadata ObjectMeta
  2 spec NamespaceSpec
  3 status NamespaceStatus
message Binding v1/Binding
  1 metadata ObjectMeta
  2 target ObjectReference
message ObjectReference
  1 kind string
  2 namespace string
  3 name string
  4 uid string
  5 apiVersion string
  6 resourceVersion string
  7 fieldPath string
message TypedLocalObjectReference
  1 apiGroup string!
  2 kind string!
  3 name string!
message EventSource
  1 component string
  2 host string
message Event v1/Event
  1 metadata ObjectMeta
  2 involvedObject ObjectReference
  3 reason string
  4 message string
  5 source EventSource
  6 firstTimestamp Time
  7 lastTimestamp Time
  8 count int32
  9 type string
  10 eventTime MicroTime
  11 series EventSeries
  12 action string
  13 related ObjectReference
  14 reportingComponent string!
  15 reportingInstance string!
message EventSeries
  1 count int32
  2 lastObservedTime MicroTime
message Secret v1/Secret
  1 metadata ObjectMeta
  5 immutable bool!
  2 data {}bytes
  4 stringData {}string
  3 type string
message ConfigMap v1/ConfigMap
  1 metadata ObjectMeta
  4 immutable bool!
  2 data {}string
  3 binaryData {}bytes
message PortStatus
  1 port int32!
  2 protocol string!
  3 error string!
)table";
}

}  // namespace skiff::api::protobuf::internal
