// Schema table, core/v1 part 3: storage, nodes, namespaces, services, config and events.
// Text format described in schema_text.h; parsed once at first use.
#include "skiff/api/openapi/schema_text.h"

namespace skiff::api::openapi::internal {

std::string_view CoreOtherSchemaText() {
  return R"schema(
package io.k8s.api.core.v1

type ObjectReference struct=atomic : Points at an object, optionally at a field inside it.
  kind string : Kind of the object.
  namespace string : Namespace of the object.
  name string : Name of the object.
  uid string : UID of the object.
  apiVersion string : API version of the object.
  resourceVersion string : Resource version the reference was taken at.
  fieldPath string : Part of the object referred to, such as spec.containers{web}.

type TypedLocalObjectReference struct=atomic : Names a typed object in the same namespace.
  apiGroup string : API group of the object; the core group when empty.
  kind string req : Kind of the object.
  name string req : Name of the object.

type TypedObjectReference : Names a typed object, possibly in another namespace.
  apiGroup string : API group of the object; the core group when empty.
  kind string req : Kind of the object.
  name string req : Name of the object.
  namespace string : Namespace of the object; needs a ReferenceGrant there.

type Binding object gvk=/v1/Binding : Binds an object to another, such as a pod to a node; posted to pods/binding.
  target ObjectReference req default={} : Object to bind to.

type PersistentVolume object gvk=/v1/PersistentVolume : A piece of storage provisioned by an administrator or a provisioner.
  spec PersistentVolumeSpec default={} : Desired state of the volume.
  status PersistentVolumeStatus default={} : Observed state of the volume.

type PersistentVolumeSpec : Specification of a persistent volume.
  capacity {}Quantity : Size and other resources of the volume.
  include PersistentVolumeSource
  accessModes []string list=atomic : Ways the volume can be mounted: ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.
  claimRef ObjectReference maptype=granular : Claim this volume is bound to.
  persistentVolumeReclaimPolicy string enum=Delete|Recycle|Retain : What happens when the claim is released: Retain, Delete or Recycle.
  storageClassName string : StorageClass of the volume; none when empty.
  mountOptions []string list=atomic : Mount options, not validated.
  volumeMode string enum=Block|Filesystem : Filesystem (default) or Block.
  nodeAffinity VolumeNodeAffinity : Nodes from which the volume can be reached.
  volumeAttributesClassName string : VolumeAttributesClass of the volume.

type VolumeNodeAffinity : Nodes from which a volume is reachable.
  required NodeSelector : Node constraints that must be met.

type PersistentVolumeStatus : Observed state of a persistent volume.
  phase string enum=Available|Bound|Failed|Pending|Released : Pending, Available, Bound, Released or Failed.
  message string : Human-readable detail of the state.
  reason string : Short CamelCase reason of a failure.
  lastPhaseTransitionTime Time : When the phase last changed.

type PersistentVolumeClaim object gvk=/v1/PersistentVolumeClaim : A user's request for storage, bound to a persistent volume.
  spec PersistentVolumeClaimSpec default={} : Requested storage.
  status PersistentVolumeClaimStatus default={} : Observed state of the claim.

type PersistentVolumeClaimSpec : Storage requested by a claim.
  accessModes []string list=atomic : Required access modes.
  selector LabelSelector : Label query over volumes that may be bound.
  resources VolumeResourceRequirements default={} : Minimum resources, such as requests.storage.
  volumeName string : Name of the volume to bind to.
  storageClassName string : StorageClass required; empty string means none.
  volumeMode string enum=Block|Filesystem : Filesystem (default) or Block.
  dataSource TypedLocalObjectReference : Snapshot or claim whose content pre-populates the volume.
  dataSourceRef TypedObjectReference : Any populator object, possibly in another namespace, that fills the volume.
  volumeAttributesClassName string : VolumeAttributesClass to apply; may change after creation.

type PersistentVolumeClaimStatus : Observed state of a claim.
  phase string enum=Bound|Lost|Pending : Pending, Bound or Lost.
  accessModes []string list=atomic : Access modes of the bound volume.
  capacity {}Quantity : Actual resources of the bound volume.
  conditions []PersistentVolumeClaimCondition list=map keys=type merge=type strategy=merge : Current conditions, such as Resizing.
  allocatedResources {}Quantity : Resources allocated, including pending expansions.
  allocatedResourceStatuses {}string maptype=granular : Resize progress per resource.
  currentVolumeAttributesClassName string : VolumeAttributesClass currently applied.
  modifyVolumeStatus ModifyVolumeStatus : Progress of a volume modification.

type PersistentVolumeClaimCondition : A condition of a claim.
  type string req : Condition type.
  status string req : True, False or Unknown.
  lastProbeTime Time : When the condition was last probed.
  lastTransitionTime Time : When the status last changed.
  reason string : Machine-readable reason of the last change.
  message string : Human-readable detail of the last change.

type ModifyVolumeStatus : Progress of a ControllerModifyVolume operation.
  targetVolumeAttributesClassName string : Class being applied.
  status string req enum=InProgress|Infeasible|Pending : Pending, InProgress or Infeasible.

type Node object gvk=/v1/Node : A worker machine that runs pods.
  spec NodeSpec default={} : Configuration of the node.
  status NodeStatus default={} : Observed state of the node.

type NodeSpec : Configuration of a node.
  podCIDR string : Pod IP range of the node.
  podCIDRs []string list=set strategy=merge : Pod IP ranges, one per family; the first equals podCIDR.
  providerID string : Cloud provider ID as <provider>://<id>.
  unschedulable bool : Keep new pods off the node (cordon).
  taints []Taint list=atomic : Taints of the node.
  configSource NodeConfigSource : Deprecated dynamic kubelet configuration source.
  externalID string : Deprecated.

type NodeConfigSource : Deprecated source of node configuration.
  configMap ConfigMapNodeConfigSource : ConfigMap holding the configuration.

type ConfigMapNodeConfigSource : Deprecated reference to a kubelet configuration ConfigMap.
  namespace string req : Namespace of the ConfigMap.
  name string req : Name of the ConfigMap.
  uid string : UID of the ConfigMap.
  resourceVersion string : Resource version of the ConfigMap.
  kubeletConfigKey string req : Key holding the KubeletConfiguration.

type Taint : Repels pods that do not tolerate it.
  key string req : Taint key.
  value string : Taint value.
  effect string req enum=NoExecute|NoSchedule|PreferNoSchedule : NoSchedule, PreferNoSchedule or NoExecute.
  timeAdded Time : When a NoExecute taint was added.

type NodeStatus : Observed state of a node.
  capacity {}Quantity : Total resources of the node.
  allocatable {}Quantity : Resources available for pods.
  phase string enum=Pending|Running|Terminated : Deprecated and never set.
  conditions []NodeCondition list=map keys=type merge=type strategy=merge : Current conditions, such as Ready.
  addresses []NodeAddress list=map keys=type merge=type strategy=merge : Addresses of the node.
  daemonEndpoints NodeDaemonEndpoints default={} : Ports of daemons on the node.
  nodeInfo NodeSystemInfo default={} : Identifiers and versions reported by the node.
  images []ContainerImage list=atomic : Images present on the node.
  volumesInUse []string list=atomic : Attachable volumes mounted on the node.
  volumesAttached []AttachedVolume list=atomic : Volumes attached to the node.
  config NodeConfigStatus : Deprecated dynamic configuration status.
  runtimeHandlers []NodeRuntimeHandler list=atomic : Runtime handlers and their features.
  features NodeFeatures : Features of the container runtime.

type NodeCondition : A condition of a node.
  type string req : Condition type, such as Ready or MemoryPressure.
  status string req : True, False or Unknown.
  lastHeartbeatTime Time : Last time the condition was reported.
  lastTransitionTime Time : When the status last changed.
  reason string : Brief reason of the last change.
  message string : Human-readable detail of the last change.

type NodeAddress : An address of a node.
  type string req : Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.
  address string req : The address.

type NodeDaemonEndpoints : Ports opened by daemons of the node.
  kubeletEndpoint DaemonEndpoint default={} : Port of the kubelet.

type DaemonEndpoint : A daemon port.
  Port int32 req default=0 : Port number.

type NodeSystemInfo : Identifiers and versions of a node.
  machineID string req : Machine ID of the node.
  systemUUID string req : System UUID of the node.
  bootID string req : Boot ID of the node.
  kernelVersion string req : Kernel version.
  osImage string req : Operating system image.
  containerRuntimeVersion string req : Runtime name and version.
  kubeletVersion string req : Kubelet version.
  kubeProxyVersion string req : Deprecated kube-proxy version.
  operatingSystem string req : Operating system, such as linux.
  architecture string req : CPU architecture, such as amd64.
  swap NodeSwapStatus : Swap memory of the node.

type NodeSwapStatus : Swap memory of a node.
  capacity int64 : Total swap in bytes.

type ContainerImage : An image present on a node.
  names []string list=atomic : Names of the image.
  sizeBytes int64 : Size in bytes.

type AttachedVolume : A volume attached to a node.
  name string req : Volume name.
  devicePath string req : Device path where it is available.

type NodeConfigStatus : Deprecated dynamic kubelet configuration status.
  assigned NodeConfigSource : Configuration the node will try to use.
  active NodeConfigSource : Configuration in use.
  lastKnownGood NodeConfigSource : Fallback configuration.
  error string : Problem applying the configuration.

type NodeRuntimeHandler : A runtime handler of a node.
  name string : Handler name; empty for the default.
  features NodeRuntimeHandlerFeatures : Supported features.

type NodeRuntimeHandlerFeatures : Features of a runtime handler.
  recursiveReadOnlyMounts bool : Supports recursive read-only mounts.
  userNamespaces bool : Supports user namespaces.

type NodeFeatures : Features of the node's container runtime.
  supplementalGroupsPolicy bool : Supports supplementalGroupsPolicy and container user reporting.

type Namespace object gvk=/v1/Namespace : A scope for names.
  spec NamespaceSpec default={} : Configuration of the namespace.
  status NamespaceStatus default={} : Observed state of the namespace.

type NamespaceSpec : Configuration of a namespace.
  finalizers []string list=atomic : Values that must be removed before the namespace is deleted.

type NamespaceStatus : Observed state of a namespace.
  phase string enum=Active|Terminating : Active or Terminating.
  conditions []NamespaceCondition list=map keys=type merge=type strategy=merge : Current conditions.

type NamespaceCondition : A condition of a namespace.
  type string req : Condition type.
  status string req : True, False or Unknown.
  lastTransitionTime Time : When the status last changed.
  reason string : Reason of the last change.
  message string : Detail of the last change.

type ConfigMap object gvk=/v1/ConfigMap : Configuration data for pods.
  immutable bool : When true, data cannot change any more.
  data {}string : UTF-8 configuration entries.
  binaryData {}byte : Binary entries, base64 encoded; keys must not repeat those of data.

type Secret object gvk=/v1/Secret : Sensitive data such as passwords, tokens or keys.
  immutable bool : When true, data cannot change any more.
  data {}byte : Entries with base64-encoded values.
  stringData {}string : Write-only plain-text entries merged into data.
  type string : Type used for programmatic handling, such as Opaque or kubernetes.io/tls.

type ServiceAccount object gvk=/v1/ServiceAccount : An identity for processes running in pods.
  secrets []ObjectReference list=map keys=name merge=name strategy=merge : Secrets pods of this account may use.
  imagePullSecrets []LocalObjectReference list=atomic : Pull secrets added to pods using this account.
  automountServiceAccountToken bool : Whether pods get an API token mounted by default.

type Event object gvk=/v1/Event : A report of something that happened in the cluster.
  metadata ObjectMeta req default={} : Standard object metadata.
  involvedObject ObjectReference req default={} : Object the event is about.
  reason string : Short machine-readable reason.
  message string : Human-readable description.
  source EventSource default={} : Component that reported the event.
  firstTimestamp Time : When the event was first recorded.
  lastTimestamp Time : When it was recorded most recently.
  count int32 : Number of occurrences.
  type string : Normal or Warning.
  eventTime MicroTime : When the event was first observed.
  series EventSeries : Series data when the event repeats.
  action string : Action taken or failed on the object.
  related ObjectReference : Secondary object.
  reportingComponent string default="" : Controller that emitted the event.
  reportingInstance string default="" : Instance of that controller.

type EventSource : Component that reported an event.
  component string : Component name.
  host string : Node the event was generated on.

type EventSeries : An event happening repeatedly.
  count int32 : Occurrences up to the last heartbeat.
  lastObservedTime MicroTime : Time of the last occurrence.

type Service object gvk=/v1/Service : A stable address for a set of pods chosen by a selector.
  spec ServiceSpec default={} : Behaviour of the service.
  status ServiceStatus default={} : Observed state of the service.

type ServiceSpec : Behaviour of a service.
  ports []ServicePort list=map keys=port,protocol merge=port strategy=merge : Ports exposed by the service.
  selector {}string maptype=atomic : Pods with these labels receive the traffic.
  clusterIP string : Virtual IP of the service; None makes it headless.
  clusterIPs []string list=atomic : Virtual IPs, one per family; the first equals clusterIP.
  type string enum=ClusterIP|ExternalName|LoadBalancer|NodePort : ClusterIP (default), NodePort, LoadBalancer or ExternalName.
  externalIPs []string list=atomic : Extra IPs on which nodes accept traffic for the service.
  sessionAffinity string enum=ClientIP|None : None (default) or ClientIP.
  loadBalancerIP string : Deprecated: requested load balancer IP.
  loadBalancerSourceRanges []string list=atomic : Client CIDRs allowed through the load balancer.
  externalName string : DNS name returned as a CNAME for ExternalName services.
  externalTrafficPolicy string enum=Cluster|Local : Cluster or Local routing of external traffic.
  healthCheckNodePort int32 : Health check port for LoadBalancer services with Local policy.
  publishNotReadyAddresses bool : Treat all endpoints as ready.
  sessionAffinityConfig SessionAffinityConfig : Session affinity settings.
  ipFamilies []string list=atomic : IP families of the service: IPv4, IPv6.
  ipFamilyPolicy string enum=PreferDualStack|RequireDualStack|SingleStack : SingleStack, PreferDualStack or RequireDualStack.
  allocateLoadBalancerNodePorts bool : Allocate node ports for LoadBalancer services; true by default.
  loadBalancerClass string : Load balancer implementation to use.
  internalTrafficPolicy string enum=Cluster|Local : Cluster or Local routing of cluster-internal traffic.
  trafficDistribution string : Routing preference, such as PreferClose.

type ServicePort : A port of a service.
  name string : Port name, unique within the service.
  protocol string default="TCP" enum=SCTP|TCP|UDP : TCP (default), UDP or SCTP.
  appProtocol string : Application protocol hint.
  port int32 req : Port exposed by the service.
  targetPort IntOrString : Port number or name on the pods; the value of port when empty.
  nodePort int32 : Port on every node for NodePort and LoadBalancer services.

type SessionAffinityConfig : Session affinity settings.
  clientIP ClientIPConfig : Client IP affinity settings.

type ClientIPConfig : Client IP affinity settings.
  timeoutSeconds int32 : Stickiness time in seconds; 10800 by default.

type ServiceStatus : Observed state of a service.
  loadBalancer LoadBalancerStatus default={} : Load balancer state.
  conditions []Condition list=map keys=type merge=type strategy=merge : Current conditions.

type LoadBalancerStatus : State of a load balancer.
  ingress []LoadBalancerIngress list=atomic : Ingress points.

type LoadBalancerIngress : An ingress point of a load balancer.
  ip string : IP of the ingress point.
  hostname string : DNS name of the ingress point.
  ipMode string : VIP or Proxy.
  ports []PortStatus list=atomic : Per-port status.

type PortStatus : Status of a service port.
  port int32 req : Port number.
  protocol string req : TCP, UDP or SCTP.
  error string : Problem with the port.

type Endpoints object gvk=/v1/Endpoints : Network endpoints that implement a service.
  subsets []EndpointSubset list=atomic : Groups of addresses sharing ports.

type EndpointSubset : Addresses with a common set of ports.
  addresses []EndpointAddress list=atomic : Ready addresses.
  notReadyAddresses []EndpointAddress list=atomic : Addresses that are not ready yet.
  ports []EndpointPort list=atomic : Ports of the addresses.

type EndpointAddress struct=atomic : A single endpoint address.
  ip string req : IP of the endpoint.
  hostname string : Host name of the endpoint.
  nodeName string : Node hosting the endpoint.
  targetRef ObjectReference : Object providing the endpoint.

type EndpointPort struct=atomic : A port of an endpoint.
  name string : Port name, matching a service port.
  port int32 req : Port number.
  protocol string enum=SCTP|TCP|UDP : TCP (default), UDP or SCTP.
  appProtocol string : Application protocol hint.

type ReplicationController object gvk=/v1/ReplicationController : Keeps a number of pod replicas running (legacy; prefer ReplicaSet).
  spec ReplicationControllerSpec default={} : Desired behaviour.
  status ReplicationControllerStatus default={} : Observed state.

type ReplicationControllerSpec : Desired behaviour of a replication controller.
  replicas int32 : Number of desired pods; 1 by default.
  minReadySeconds int32 : Seconds a new pod must be ready before it counts as available.
  selector {}string maptype=atomic : Labels of the managed pods; the template labels by default.
  template PodTemplateSpec : Template of the pods to create.

type ReplicationControllerStatus : Observed state of a replication controller.
  replicas int32 req : Observed number of replicas.
  fullyLabeledReplicas int32 : Pods whose labels match the template.
  readyReplicas int32 : Ready pods.
  availableReplicas int32 : Available pods.
  observedGeneration int64 : Generation last acted on.
  conditions []ReplicationControllerCondition list=map keys=type merge=type strategy=merge : Current conditions.

type ReplicationControllerCondition : A condition of a replication controller.
  type string req : Condition type.
  status string req : True, False or Unknown.
  lastTransitionTime Time : When the status last changed.
  reason string : Reason of the last change.
  message string : Detail of the last change.
)schema";
}

}  // namespace skiff::api::openapi::internal
