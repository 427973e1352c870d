// Protobuf field table, core/v1 part 2: Pod, PodSpec, containers, probes, security and scheduling.
// Field numbers as in Kubernetes 1.32; text format described in message_text.h.
#include "skiff/api/protobuf/message_text.h"

namespace skiff::api::protobuf::internal {

std::string_view CorePodMessageText() {
  return R"table(
message ContainerPort
  1 name string
  2 hostPort int32
  3 containerPort int32!
  4 protocol string
  5 hostIP string
message VolumeMount
  1 name string!
  2 readOnly bool
  7 recursiveReadOnly string!
  3 mountPath string!
  4 subPath string
  5 mountPropagation string!
  6 subPathExpr string
message VolumeDevice
  1 name string!
  2 devicePath string!
message EnvVar
  1 name string!
  2 value string
  3 valueFrom EnvVarSource
message EnvVarSource
  1 fieldRef ObjectFieldSelector
  2 resourceFieldRef ResourceFieldSelector
  3 configMapKeyRef ConfigMapKeySelector
  4 secretKeyRef SecretKeySelector
message ObjectFieldSelector
  1 apiVersion string
  2 fieldPath string!
message ResourceFieldSelector
  1 containerName string
  2 resource string!
  3 divisor Quantity
message ConfigMapKeySelector
  1 - LocalObjectReference
  2 key string!
  3 optional bool!
message SecretKeySelector
  1 - LocalObjectReference
  2 key string!
  3 optional bool!
message EnvFromSource
  1 prefix string
  2 configMapRef ConfigMapEnvSource
  3 secretRef SecretEnvSource
message ConfigMapEnvSource
  1 - LocalObjectReference
  2 optional bool!
message SecretEnvSource
  1 - LocalObjectReference
  2 optional bool!
message HTTPHeader
  1 name string!
  2 value string!
message HTTPGetAction
  1 path string
  2 port IntOrString
  3 host string
  4 scheme string
  5 httpHeaders []HTTPHeader
message TCPSocketAction
  1 port IntOrString
  2 host string
message GRPCAction
  1 port int32!
  2 service string!
message ExecAction
  1 command []string
message SleepAction
  1 seconds int64!
message Probe
  1 - ProbeHandler
  2 initialDelaySeconds int32
  3 timeoutSeconds int32
  4 periodSeconds int32
  5 successThreshold int32
  6 failureThreshold int32
  7 terminationGracePeriodSeconds int64!
message ContainerResizePolicy
  1 resourceName string!
  2 restartPolicy string!
message Capabilities
  1 add []string
  2 drop []string
message ResourceRequirements
  1 limits {}Quantity
  2 requests {}Quantity
  3 claims []ResourceClaim
message VolumeResourceRequirements
  1 limits {}Quantity
  2 requests {}Quantity
message ResourceClaim
  1 name string!
  2 request string
message Container
  1 name string!
  2 image string
  3 command []string
  4 args []string
  5 workingDir string
  6 ports []ContainerPort
  19 envFrom []EnvFromSource
  7 env []EnvVar
  8 resources ResourceRequirements
  23 resizePolicy []ContainerResizePolicy
  24 restartPolicy string!
  9 volumeMounts []VolumeMount
  21 volumeDevices []VolumeDevice
  10 livenessProbe Probe
  11 readinessProbe Probe
  22 startupProbe Probe
  12 lifecycle Lifecycle
  13 terminationMessagePath string
  20 terminationMessagePolicy string
  14 imagePullPolicy string
  15 securityContext SecurityContext
  16 stdin bool
  17 stdinOnce bool
  18 tty bool
message ProbeHandler
  1 exec ExecAction
  2 httpGet HTTPGetAction
  3 tcpSocket TCPSocketAction
  4 grpc GRPCAction
message LifecycleHandler
  1 exec ExecAction
  2 httpGet HTTPGetAction
  3 tcpSocket TCPSocketAction
  4 sleep SleepAction
message Lifecycle
  1 postStart LifecycleHandler
  2 preStop LifecycleHandler
message ContainerStateWaiting
  1 reason string
  2 message string
message ContainerStateRunning
  1 startedAt Time
message ContainerStateTerminated
  1 exitCode int32!
  2 signal int32
  3 reason string
  4 message string
  5 startedAt Time
  6 finishedAt Time
  7 containerID string
message ContainerState
  1 waiting ContainerStateWaiting
  2 running ContainerStateRunning
  3 terminated ContainerStateTerminated
message ContainerStatus
  1 name string!
  2 state ContainerState
  3 lastState ContainerState
  4 ready bool!
  5 restartCount int32!
  6 image string!
  7 imageID string!
  8 containerID string
  9 started bool!
  10 allocatedResources {}Quantity
  11 resources ResourceRequirements
  12 volumeMounts []VolumeMountStatus
  13 user ContainerUser
  14 allocatedResourcesStatus []ResourceStatus
message ContainerUser
  1 linux LinuxContainerUser
message LinuxContainerUser
  1 uid int64!
  2 gid int64!
  3 supplementalGroups []int64
message PodCondition
  1 type string!
  2 status string!
  3 lastProbeTime Time
  4 lastTransitionTime Time
  5 reason string
  6 message string
message VolumeMountStatus
  1 name string!
  2 mountPath string!
  3 readOnly bool
  4 recursiveReadOnly string!
message NodeSelector
  1 nodeSelectorTerms []NodeSelectorTerm
message NodeSelectorTerm
  1 matchExpressions []NodeSelectorRequirement
  2 matchFields []NodeSelectorRequirement
message NodeSelectorRequirement
  1 key string!
  2 operator string!
  3 values []string
message Affinity
  1 nodeAffinity NodeAffinity
  2 podAffinity PodAffinity
  3 podAntiAffinity PodAntiAffinity
message PodAffinity
  1 requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm
  2 preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm
message PodAntiAffinity
  1 requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm
  2 preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm
message WeightedPodAffinityTerm
  1 weight int32!
  2 podAffinityTerm PodAffinityTerm
message PodAffinityTerm
  1 labelSelector LabelSelector
  2 namespaces []string
  3 topologyKey string!
  4 namespaceSelector LabelSelector
  5 matchLabelKeys []string
  6 mismatchLabelKeys []string
message NodeAffinity
  1 requiredDuringSchedulingIgnoredDuringExecution NodeSelector
  2 preferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm
message PreferredSchedulingTerm
  1 weight int32!
  2 preference NodeSelectorTerm
message Toleration
  1 key string
  2 operator string
  3 value string
  4 effect string
  5 tolerationSeconds int64!
message PodReadinessGate
  1 conditionType string!
message PodSpec
  1 volumes []Volume
  20 initContainers []Container
  2 containers []Container
  34 ephemeralContainers []EphemeralContainer
  3 restartPolicy string
  4 terminationGracePeriodSeconds int64!
  5 activeDeadlineSeconds int64!
  6 dnsPolicy string
  7 nodeSelector {}string
  8 serviceAccountName string
  9 serviceAccount string
  21 automountServiceAccountToken bool!
  10 nodeName string
  11 hostNetwork bool
  12 hostPID bool
  13 hostIPC bool
  27 shareProcessNamespace bool!
  14 securityContext PodSecurityContext
  15 imagePullSecrets []LocalObjectReference
  16 hostname string
  17 subdomain string
  18 affinity Affinity
  19 schedulerName string
  22 tolerations []Toleration
  23 hostAliases []HostAlias
  24 priorityClassName string
  25 priority int32!
  26 dnsConfig PodDNSConfig
  28 readinessGates []PodReadinessGate
  29 runtimeClassName string!
  30 enableServiceLinks bool!
  31 preemptionPolicy string!
  32 overhead {}Quantity
  33 topologySpreadConstraints []TopologySpreadConstraint
  35 setHostnameAsFQDN bool!
  36 os PodOS
  37 hostUsers bool!
  38 schedulingGates []PodSchedulingGate
  39 resourceClaims []PodResourceClaim
  40 resources ResourceRequirements
message PodResourceClaim
  1 name string!
  3 resourceClaimName string!
  4 resourceClaimTemplateName string!
message PodResourceClaimStatus
  1 name string!
  2 resourceClaimName string!
message PodOS
  1 name string!
message PodSchedulingGate
  1 name string!
message TopologySpreadConstraint
  1 maxSkew int32!
  2 topologyKey string!
  3 whenUnsatisfiable string!
  4 labelSelector LabelSelector
  5 minDomains int32!
  6 nodeAffinityPolicy string!
  7 nodeTaintsPolicy string!
  8 matchLabelKeys []string
message HostAlias
  1 ip string!
  2 hostnames []string
message PodSecurityContext
  1 seLinuxOptions SELinuxOptions
  8 windowsOptions WindowsSecurityContextOptions
  2 runAsUser int64!
  6 runAsGroup int64!
  3 runAsNonRoot bool!
  4 supplementalGroups []int64
  12 supplementalGroupsPolicy string!
  5 fsGroup int64!
  7 sysctls []Sysctl
  9 fsGroupChangePolicy string!
  10 seccompProfile SeccompProfile
  11 appArmorProfile AppArmorProfile
  13 seLinuxChangePolicy string!
message SeccompProfile
  1 type string!
  2 localhostProfile string!
message AppArmorProfile
  1 type string!
  2 localhostProfile string!
message PodDNSConfig
  1 nameservers []string
  2 searches []string
  3 options []PodDNSConfigOption
message PodDNSConfigOption
  1 name string
  2 value string!
message PodIP
  1 ip string!
message HostIP
  1 ip string!
message EphemeralContainer
  1 - Container
  2 targetContainerName string
message PodStatus
  1 phase string
  2 conditions []PodCondition
  3 message string
  4 reason string
  11 nominatedNodeName string
  5 hostIP string
  16 hostIPs []HostIP
  6 podIP string
  12 podIPs []PodIP
  7 startTime Time
  10 initContainerStatuses []ContainerStatus
  8 containerStatuses []ContainerStatus
  9 qosClass string
  13 ephemeralContainerStatuses []ContainerStatus
  14 resize string
  15 resourceClaimStatuses []PodResourceClaimStatus
message Pod v1/Pod
  1 metadata ObjectMeta
  2 spec PodSpec
  3 status PodStatus
message PodTemplateSpec
  1 metadata ObjectMeta
  2 spec PodSpec
message LocalObjectReference
  1 name string
message SecurityContext
  1 capabilities Capabilities
  2 privileged bool!
  3 seLinuxOptions SELinuxOptions
  10 windowsOptions WindowsSecurityContextOptions
  4 runAsUser int64!
  8 runAsGroup int64!
  5 runAsNonRoot bool!
  6 readOnlyRootFilesystem bool!
  7 allowPrivilegeEscalation bool!
  9 procMount string!
  11 seccompProfile SeccompProfile
  12 appArmorProfile AppArmorProfile
message SELinuxOptions
  1 user string
  2 role string
  3 type string
  4 level string
message WindowsSecurityContextOptions
  1 gmsaCredentialSpecName string!
  2 gmsaCredentialSpec string!
  3 runAsUserName string!
  4 hostProcess bool!
message Sysctl
  1 name string!
  2 value string!
message ResourceStatus
  1 name string!
  2 resources []ResourceHealth
message ResourceHealth
  1 resourceID string!
  2 health string
)table";
}

}  // namespace skiff::api::protobuf::internal
