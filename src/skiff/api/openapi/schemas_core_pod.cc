// Schema table, core/v1 part 2: Pod, PodSpec, containers, probes, security and scheduling.
// Text format described in schema_text.h; parsed once at first use.
#include "skiff/api/openapi/schema_text.h"

namespace skiff::api::openapi::internal {

std::string_view CorePodSchemaText() {
  return R"schema(
package io.k8s.api.core.v1

type Pod object gvk=/v1/Pod : A group of containers that run together on one node; created by clients and bound to a node by the scheduler.
  spec PodSpec default={} : Desired behaviour of the pod.
  status PodStatus default={} : Most recently observed state of the pod; written by the system.

type PodTemplateSpec : The metadata and spec of pods created from a template.
  metadata ObjectMeta default={} : Metadata given to every pod created from the template.
  spec PodSpec default={} : Spec of the pods created from the template.

type PodSpec : Desired state of a pod: its containers, volumes and scheduling constraints.
  volumes []Volume list=map keys=name merge=name strategy=merge,retainKeys : Volumes that containers of the pod may mount.
  initContainers []Container list=map keys=name merge=name strategy=merge : Containers run to completion, in order, before the app containers start; sidecars set restartPolicy Always.
  containers []Container req list=map keys=name merge=name strategy=merge : The application containers; at least one is required.
  ephemeralContainers []EphemeralContainer list=map keys=name merge=name strategy=merge : Debugging containers added through the ephemeralcontainers subresource.
  restartPolicy string enum=Always|Never|OnFailure : When containers are restarted: Always (default), OnFailure or Never.
  terminationGracePeriodSeconds int64 : Seconds allowed for graceful shutdown before processes are killed; 30 by default.
  activeDeadlineSeconds int64 : Seconds the pod may stay active on a node, counted from its start time, before it is failed.
  dnsPolicy string enum=ClusterFirst|ClusterFirstWithHostNet|Default|None : How the pod's DNS is configured; ClusterFirst by default.
  nodeSelector {}string maptype=atomic : Node labels that must all match for the pod to be placed on a node.
  serviceAccountName string : Service account the pod runs as.
  serviceAccount string : Deprecated alias of serviceAccountName.
  automountServiceAccountToken bool : Whether a service account token is mounted automatically.
  nodeName string : Node the pod is bound to; set by the scheduler or to bypass it.
  hostNetwork bool : Use the node's network namespace.
  hostPID bool : Use the node's PID namespace.
  hostIPC bool : Use the node's IPC namespace.
  shareProcessNamespace bool : Share one PID namespace between all containers of the pod.
  securityContext PodSecurityContext : Pod-wide security settings and container defaults.
  imagePullSecrets []LocalObjectReference list=map keys=name merge=name strategy=merge : Secrets in the pod's namespace used to pull images.
  hostname string : Host name of the pod; a system value when empty.
  subdomain string : Subdomain giving the pod the FQDN <hostname>.<subdomain>.<namespace>.svc.<cluster domain>.
  affinity Affinity : Node affinity and pod (anti-)affinity rules.
  schedulerName string : Scheduler that places the pod; the default scheduler when empty.
  tolerations []Toleration list=atomic : Taints this pod tolerates.
  hostAliases []HostAlias list=map keys=ip merge=ip strategy=merge : Extra entries written to the pod's hosts file.
  priorityClassName string : PriorityClass giving the pod its priority.
  priority int32 : Numeric priority, filled from priorityClassName at admission.
  dnsConfig PodDNSConfig : DNS settings merged into those produced by dnsPolicy.
  readinessGates []PodReadinessGate list=atomic : Extra pod conditions that must be True for the pod to be ready.
  runtimeClassName string : RuntimeClass (node.k8s.io) used to run the pod.
  enableServiceLinks bool : Inject environment variables describing services; true by default.
  preemptionPolicy string enum=Never|PreemptLowerPriority : Whether the pod may preempt lower-priority pods.
  overhead {}Quantity : Resource overhead of the pod's sandbox, set from its RuntimeClass at admission.
  topologySpreadConstraints []TopologySpreadConstraint list=map keys=topologyKey,whenUnsatisfiable merge=topologyKey strategy=merge : How matching pods are spread over topology domains.
  setHostnameAsFQDN bool : Set the kernel host name to the pod's FQDN.
  os PodOS : Operating system of the containers; restricts OS-specific fields.
  hostUsers bool : Use the host user namespace (true by default); false gives the pod its own.
  schedulingGates []PodSchedulingGate list=map keys=name merge=name strategy=merge : While non-empty, the scheduler leaves the pod alone.
  resourceClaims []PodResourceClaim list=map keys=name merge=name strategy=merge,retainKeys : Dynamic resource claims the pod needs before it can start.
  resources ResourceRequirements : Pod-level resource requests and limits shared by all containers (alpha).

type Container : One application container of a pod.
  name string req : Container name; a DNS label unique within the pod.
  image string : Container image reference.
  command []string list=atomic : Entrypoint, run without a shell; the image ENTRYPOINT when empty. $(VAR) references are expanded.
  args []string list=atomic : Arguments to the entrypoint; the image CMD when empty. $(VAR) references are expanded.
  workingDir string : Working directory; the runtime or image default when empty.
  ports []ContainerPort list=map keys=containerPort,protocol merge=containerPort strategy=merge : Ports the container exposes; informational, listening ports are reachable anyway.
  envFrom []EnvFromSource list=atomic : Sources whose keys all become environment variables.
  env []EnvVar list=map keys=name merge=name strategy=merge : Environment variables to set.
  resources ResourceRequirements default={} : Compute resources requested and allowed.
  resizePolicy []ContainerResizePolicy list=atomic : How each resource may be resized in place.
  restartPolicy string : Only for init containers: Always makes it a sidecar that keeps running.
  volumeMounts []VolumeMount list=map keys=mountPath merge=mountPath strategy=merge : Pod volumes mounted into the container.
  volumeDevices []VolumeDevice list=map keys=devicePath merge=devicePath strategy=merge : Raw block devices mapped into the container.
  livenessProbe Probe : Restart the container when this check fails.
  readinessProbe Probe : Remove the pod from service endpoints while this check fails.
  startupProbe Probe : Other probes wait until this check succeeds; failing restarts the container.
  lifecycle Lifecycle : Hooks run after start and before stop.
  terminationMessagePath string : File whose content becomes the termination message; /dev/termination-log by default.
  terminationMessagePolicy string enum=FallbackToLogsOnError|File : Where the termination message comes from: File or FallbackToLogsOnError.
  imagePullPolicy string enum=Always|IfNotPresent|Never : When to pull the image: Always, Never or IfNotPresent (Always for :latest).
  securityContext SecurityContext : Security options of this container; override the pod-level ones.
  stdin bool : Keep a stdin buffer open for the container.
  stdinOnce bool : Close stdin after the first attach session ends.
  tty bool : Allocate a TTY; needs stdin.

type EphemeralContainer : A temporary container added to a running pod, usually for debugging; never restarted.
  include Container
  targetContainerName string : Container whose namespaces (PID, IPC, ...) this one joins.

type ContainerPort : A network port of a container.
  name string : Port name (IANA service name), unique within the pod; services may refer to it.
  hostPort int32 : Port to expose on the node; rarely needed.
  containerPort int32 req : Port number on the pod's IP address.
  protocol string default="TCP" enum=SCTP|TCP|UDP : TCP (default), UDP or SCTP.
  hostIP string : Host IP the host port binds to.

type VolumeMount : Mounts a pod volume at a path in the container.
  name string req : Name of the pod volume.
  readOnly bool : Mount read-only.
  recursiveReadOnly string : With readOnly: Disabled, IfPossible or Enabled recursive read-only mounting.
  mountPath string req : Path in the container; must not contain ':'.
  subPath string : Sub-path of the volume to mount instead of its root.
  mountPropagation string enum=Bidirectional|HostToContainer|None : How mounts propagate between host and container; None by default.
  subPathExpr string : Like subPath, with $(VAR) references expanded from the container's environment.

type VolumeDevice : Maps a raw block volume into the container.
  name string req : Name of a pod volume backed by a persistentVolumeClaim.
  devicePath string req : Device path inside the container.

type EnvVar : One environment variable.
  name string req : Variable name.
  value string : Value; $(VAR) references to earlier variables are expanded, $$ escapes.
  valueFrom EnvVarSource : Take the value from another source instead of value.

type EnvVarSource : Where an environment variable's value comes from; set one member.
  fieldRef ObjectFieldSelector : A field of the pod, such as metadata.name or status.podIP.
  resourceFieldRef ResourceFieldSelector : A resource limit or request of the container.
  configMapKeyRef ConfigMapKeySelector : A key of a ConfigMap.
  secretKeyRef SecretKeySelector : A key of a Secret.

type ObjectFieldSelector struct=atomic : Selects a field of an object by path.
  apiVersion string : Schema version the path is written in; v1 by default.
  fieldPath string req : Path of the field.

type ResourceFieldSelector struct=atomic : Selects a resource request or limit of a container.
  containerName string : Container to read; required for volumes.
  resource string req : Resource to read, such as limits.cpu.
  divisor Quantity : Unit the value is expressed in; 1 by default.

type ConfigMapKeySelector struct=atomic : Selects one key of a ConfigMap.
  name string default="" : Name of the ConfigMap.
  key string req : Key to read.
  optional bool : Allow the ConfigMap or key to be missing.

type SecretKeySelector struct=atomic : Selects one key of a Secret.
  name string default="" : Name of the Secret.
  key string req : Key to read.
  optional bool : Allow the Secret or key to be missing.

type EnvFromSource : A ConfigMap or Secret whose keys all become environment variables.
  prefix string : Prefix added to every key.
  configMapRef ConfigMapEnvSource : The ConfigMap to read.
  secretRef SecretEnvSource : The Secret to read.

type ConfigMapEnvSource : A ConfigMap used to populate environment variables.
  name string default="" : Name of the ConfigMap.
  optional bool : Allow the ConfigMap to be missing.

type SecretEnvSource : A Secret used to populate environment variables.
  name string default="" : Name of the Secret.
  optional bool : Allow the Secret to be missing.

type ResourceRequirements : Compute resource requests and limits.
  limits {}Quantity : Upper bounds per resource name.
  requests {}Quantity : Amounts reserved per resource name; default to the limits when omitted.
  claims []ResourceClaim list=map keys=name : Entries of spec.resourceClaims this container uses.

type ResourceClaim : Refers to one entry of the pod's resourceClaims.
  name string req : Name of the pod resource claim.
  request string : Only the result of this request of the claim; the whole claim when empty.

type VolumeResourceRequirements : Storage requests and limits of a claim.
  limits {}Quantity : Upper bounds per resource name.
  requests {}Quantity : Minimum amounts per resource name, such as storage.

type ContainerResizePolicy : How one resource of a container is resized.
  resourceName string req : Resource name: cpu or memory.
  restartPolicy string req : NotRequired or RestartContainer.

type Probe : A periodic health check of a container.
  include ProbeHandler
  initialDelaySeconds int32 : Seconds after start before the first probe.
  timeoutSeconds int32 : Seconds before a probe times out; 1 by default.
  periodSeconds int32 : Seconds between probes; 10 by default.
  successThreshold int32 : Consecutive successes needed after a failure; 1 by default.
  failureThreshold int32 : Consecutive failures needed to fail; 3 by default.
  terminationGracePeriodSeconds int64 : Grace period used when a failing probe kills the pod; overrides the pod's value.

type ProbeHandler hidden : The action a probe runs; set one member.
  exec ExecAction : Run a command in the container.
  httpGet HTTPGetAction : Send an HTTP GET request.
  tcpSocket TCPSocketAction : Open a TCP connection.
  grpc GRPCAction : Call the gRPC health checking service.

type LifecycleHandler : The action of a lifecycle hook; set one member.
  exec ExecAction : Run a command in the container.
  httpGet HTTPGetAction : Send an HTTP GET request.
  tcpSocket TCPSocketAction : Deprecated and not supported as a hook; kept for compatibility.
  sleep SleepAction : Sleep for a while.

type Lifecycle : Hooks called by the kubelet around a container's life.
  postStart LifecycleHandler : Runs right after the container is created; failure restarts it.
  preStop LifecycleHandler : Runs before the container is stopped by an API request or management event.

type ExecAction : Runs a command inside the container.
  command []string list=atomic : Command and arguments, run without a shell in /; exit status 0 means success.

type HTTPGetAction : An HTTP GET request against the container.
  path string : Request path.
  port IntOrString req : Port number or named container port.
  host string : Host to connect to; the pod IP by default.
  scheme string enum=HTTP|HTTPS : HTTP (default) or HTTPS.
  httpHeaders []HTTPHeader list=atomic : Extra request headers.

type HTTPHeader : A custom HTTP header.
  name string req : Header name.
  value string req : Header value.

type TCPSocketAction : Opens a TCP connection to the container.
  port IntOrString req : Port number or named container port.
  host string : Host to connect to; the pod IP by default.

type GRPCAction : A gRPC health check.
  port int32 req : Port of the gRPC service.
  service string default="" : Service name put in the health check request.

type SleepAction : Sleeps before the hook completes.
  seconds int64 req : Seconds to sleep.

type SecurityContext : Security settings of one container; take precedence over the pod's.
  capabilities Capabilities : POSIX capabilities to add or drop.
  privileged bool : Run privileged, close to root on the host.
  seLinuxOptions SELinuxOptions : SELinux context of the container.
  windowsOptions WindowsSecurityContextOptions : Windows-specific settings.
  runAsUser int64 : UID of the entrypoint process.
  runAsGroup int64 : GID of the entrypoint process.
  runAsNonRoot bool : Refuse to start if the image would run as UID 0.
  readOnlyRootFilesystem bool : Mount the root filesystem read-only.
  allowPrivilegeEscalation bool : Whether a process may gain more privileges than its parent (no_new_privs).
  procMount string enum=Default|Unmasked : Kind of /proc mount: Default or Unmasked.
  seccompProfile SeccompProfile : Seccomp profile of the container.
  appArmorProfile AppArmorProfile : AppArmor profile of the container.

type Capabilities : POSIX capabilities added to or removed from a container.
  add []string list=atomic : Capabilities to add.
  drop []string list=atomic : Capabilities to drop.

type SELinuxOptions : SELinux labels for a container.
  user string : SELinux user label.
  role string : SELinux role label.
  type string : SELinux type label.
  level string : SELinux level label.

type WindowsSecurityContextOptions : Windows-specific container options.
  gmsaCredentialSpecName string : Name of the GMSA credential spec to use.
  gmsaCredentialSpec string : Inlined GMSA credential spec, filled by the GMSA webhook.
  runAsUserName string : Windows user name for the entrypoint.
  hostProcess bool : Run as a Windows host process container.

type SeccompProfile : Seccomp settings; only one profile source may be set.
  type string req enum=Localhost|RuntimeDefault|Unconfined : Localhost, RuntimeDefault or Unconfined.
  localhostProfile string : Profile file relative to the kubelet's seccomp directory; only with type Localhost.

type AppArmorProfile : AppArmor settings.
  type string req enum=Localhost|RuntimeDefault|Unconfined : Localhost, RuntimeDefault or Unconfined.
  localhostProfile string : Name of a profile loaded on the node; only with type Localhost.

type PodSecurityContext : Pod-level security settings; some are defaults for every container.
  seLinuxOptions SELinuxOptions : SELinux context applied to all containers.
  windowsOptions WindowsSecurityContextOptions : Windows settings applied to all containers.
  runAsUser int64 : UID of the containers' entrypoints.
  runAsGroup int64 : GID of the containers' entrypoints.
  runAsNonRoot bool : Refuse to start containers whose image would run as UID 0.
  supplementalGroups []int64 list=atomic : Extra group IDs of the first process of every container.
  supplementalGroupsPolicy string enum=Merge|Strict : Merge (default) adds image groups; Strict uses only the listed ones.
  fsGroup int64 : Group that owns supported volumes and is added to every container.
  sysctls []Sysctl list=atomic : Namespaced kernel parameters to set.
  fsGroupChangePolicy string enum=Always|OnRootMismatch : When volume ownership is changed: Always or OnRootMismatch.
  seccompProfile SeccompProfile : Seccomp profile of all containers.
  appArmorProfile AppArmorProfile : AppArmor profile of all containers.
  seLinuxChangePolicy string : How SELinux labels reach volumes: MountOption or Recursive.

type Sysctl : A kernel parameter.
  name string req : Parameter name.
  value string req : Parameter value.

type PodStatus : Observed state of a pod; may lag behind reality.
  phase string enum=Failed|Pending|Running|Succeeded|Unknown : Summary of the pod's lifecycle: Pending, Running, Succeeded, Failed or Unknown.
  conditions []PodCondition list=map keys=type merge=type strategy=merge : Current conditions of the pod.
  message string : Human-readable detail about the pod's state.
  reason string : Short CamelCase reason for the pod's state, such as Evicted.
  nominatedNodeName string : Node where the pod may run after a preemption completes.
  hostIP string : IP of the node the pod runs on.
  hostIPs []HostIP list=atomic merge=ip strategy=merge : IPs of the node; the first equals hostIP.
  podIP string : IP address of the pod.
  podIPs []PodIP list=map keys=ip merge=ip strategy=merge : IP addresses of the pod, one per family; the first equals podIP.
  startTime Time : When the kubelet acknowledged the pod.
  initContainerStatuses []ContainerStatus list=atomic : One status per init container.
  containerStatuses []ContainerStatus list=atomic : One status per app container.
  qosClass string enum=BestEffort|Burstable|Guaranteed : Quality of service class derived from resources.
  ephemeralContainerStatuses []ContainerStatus list=atomic : Statuses of ephemeral containers.
  resize string : Progress of a requested in-place resize.
  resourceClaimStatuses []PodResourceClaimStatus list=map keys=name merge=name strategy=merge,retainKeys : Generated names of the pod's resource claims.

type PodCondition : One condition of a pod.
  type string req : Condition type, such as Ready or PodScheduled.
  status string req : True, False or Unknown.
  lastProbeTime Time : When the condition was last probed.
  lastTransitionTime Time : When the status last changed.
  reason string : One-word CamelCase reason of the last change.
  message string : Human-readable detail of the last change.

type HostIP : An IP address of the pod's node.
  ip string req : The address.

type PodIP : An IP address of a pod.
  ip string req : The address.

type ContainerStatus : Observed state of one container.
  name string req : Container name.
  state ContainerState default={} : Current state.
  lastState ContainerState default={} : State of the previous run, for debugging restarts.
  ready bool req default=false : Whether the container passes its readiness check.
  restartCount int32 req default=0 : Number of restarts.
  image string req default="" : Image the container runs, as resolved by the runtime.
  imageID string req default="" : ID of that image.
  containerID string : Runtime container ID as <type>://<id>.
  started bool : Whether postStart and the startup probe have completed.
  allocatedResources {}Quantity : Resources the node allocated to the container.
  resources ResourceRequirements : Requests and limits currently applied to the container.
  volumeMounts []VolumeMountStatus list=map keys=mountPath merge=mountPath strategy=merge : Status of the container's volume mounts.
  user ContainerUser : Identity of the container's first process.
  allocatedResourcesStatus []ResourceStatus list=map keys=name merge=name strategy=merge : Health of resources allocated to the container.

type ResourceStatus : Health of the devices behind one resource of a container.
  name string req : Resource name, such as a claim or extended resource.
  resources []ResourceHealth list=map keys=resourceID : Health per device.

type ResourceHealth : Health of one device.
  resourceID string req : Device identifier.
  health string : Healthy, Unhealthy or Unknown.

type ContainerUser : Identity of a container's first process.
  linux LinuxContainerUser : Linux identity.

type LinuxContainerUser : Linux user identity of a container's first process.
  uid int64 req default=0 : Primary UID.
  gid int64 req default=0 : Primary GID.
  supplementalGroups []int64 list=atomic : Supplemental group IDs.

type VolumeMountStatus : Observed state of a volume mount.
  name string req : Name of the mount.
  mountPath string req : Path of the mount.
  readOnly bool : Whether it is read-only.
  recursiveReadOnly string : Disabled or Enabled as applied.

type ContainerState : State of a container; at most one member is set, waiting by default.
  waiting ContainerStateWaiting : The container is not running yet.
  running ContainerStateRunning : The container is running.
  terminated ContainerStateTerminated : The container has exited.

type ContainerStateWaiting : A container that is not running yet.
  reason string : Brief reason, such as ContainerCreating.
  message string : Detail of why it is waiting.

type ContainerStateRunning : A running container.
  startedAt Time : When the container last started.

type ContainerStateTerminated : A container that has exited.
  exitCode int32 req default=0 : Exit status.
  signal int32 : Signal that ended it.
  reason string : Brief reason of the exit.
  message string : Detail of the exit.
  startedAt Time : When that run started.
  finishedAt Time : When it ended.
  containerID string : Runtime container ID as <type>://<id>.

type PodResourceClaim : Names a ResourceClaim, or a template that yields one, for the pod.
  name string req : Name used by containers to refer to the claim.
  resourceClaimName string : An existing ResourceClaim in the pod's namespace.
  resourceClaimTemplateName string : A ResourceClaimTemplate from which a claim is generated.

type PodResourceClaimStatus : Generated claim name of a pod resource claim.
  name string req : Name of the entry in spec.resourceClaims.
  resourceClaimName string : Name of the generated ResourceClaim.

type PodOS : Operating system of a pod.
  name string req : linux or windows.

type PodSchedulingGate : A gate that holds back scheduling.
  name string req : Gate name, unique within the pod.

type PodReadinessGate : An extra condition required for readiness.
  conditionType string req : Type of a pod condition.

type HostAlias : One entry of the pod's hosts file.
  ip string req : IP address.
  hostnames []string list=atomic : Host names for that address.

type PodDNSConfig : DNS settings added to those of the DNS policy.
  nameservers []string list=atomic : Name server addresses.
  searches []string list=atomic : Search domains.
  options []PodDNSConfigOption list=atomic : Resolver options.

type PodDNSConfigOption : A resolver option.
  name string : Option name.
  value string : Option value.

type Affinity : Scheduling affinity rules.
  nodeAffinity NodeAffinity : Rules about which nodes to use.
  podAffinity PodAffinity : Rules to run near pods matching a selector.
  podAntiAffinity PodAntiAffinity : Rules to run away from pods matching a selector.

type NodeAffinity : Node selection rules.
  requiredDuringSchedulingIgnoredDuringExecution NodeSelector : Nodes must match to be used.
  preferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm list=atomic : Weighted preferences between nodes.

type NodeSelector struct=atomic : A set of node selector terms that are ORed.
  nodeSelectorTerms []NodeSelectorTerm req list=atomic : The terms.

type NodeSelectorTerm struct=atomic : Requirements that are ANDed; empty matches nothing.
  matchExpressions []NodeSelectorRequirement list=atomic : Requirements on node labels.
  matchFields []NodeSelectorRequirement list=atomic : Requirements on node fields.

type NodeSelectorRequirement : A key, an operator and values.
  key string req : Label or field key.
  operator string req enum=DoesNotExist|Exists|Gt|In|Lt|NotIn : In, NotIn, Exists, DoesNotExist, Gt or Lt.
  values []string list=atomic : Values; one integer for Gt and Lt, none for Exists.

type PreferredSchedulingTerm : A weighted node preference.
  weight int32 req : Weight from 1 to 100.
  preference NodeSelectorTerm req default={} : Term the node should match.

type PodAffinity : Rules to co-locate with other pods.
  requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm list=atomic : Terms that must all hold.
  preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm list=atomic : Weighted preferences.

type PodAntiAffinity : Rules to stay away from other pods.
  requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm list=atomic : Terms that must all hold.
  preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm list=atomic : Weighted preferences.

type WeightedPodAffinityTerm : A pod affinity term with a weight.
  weight int32 req : Weight from 1 to 100.
  podAffinityTerm PodAffinityTerm req default={} : The term.

type PodAffinityTerm : Pods, selected by labels and namespaces, relative to which this pod is placed in a topology domain.
  labelSelector LabelSelector : Labels of the pods; null matches none.
  namespaces []string list=atomic : Namespaces of those pods, in addition to namespaceSelector.
  topologyKey string req : Node label whose value defines the domain.
  namespaceSelector LabelSelector : Selects namespaces of those pods; empty selects all.
  matchLabelKeys []string list=atomic : Label keys whose values from this pod are added to labelSelector with In.
  mismatchLabelKeys []string list=atomic : Label keys whose values from this pod are added to labelSelector with NotIn.

type Toleration : Lets a pod tolerate matching taints.
  key string : Taint key; empty with Exists matches all taints.
  operator string enum=Equal|Exists : Equal (default) or Exists.
  value string : Taint value to match.
  effect string enum=NoExecute|NoSchedule|PreferNoSchedule : Effect to match; empty matches all.
  tolerationSeconds int64 : For NoExecute, how long the pod stays bound after the taint appears.

type TopologySpreadConstraint : How matching pods spread over a topology.
  maxSkew int32 req : Largest allowed difference in matching pods between domains.
  topologyKey string req : Node label that defines the domains.
  whenUnsatisfiable string req enum=DoNotSchedule|ScheduleAnyway : DoNotSchedule or ScheduleAnyway.
  labelSelector LabelSelector : Pods counted in each domain.
  minDomains int32 : Minimum number of eligible domains.
  nodeAffinityPolicy string enum=Honor|Ignore : Whether node affinity limits the domains: Honor or Ignore.
  nodeTaintsPolicy string enum=Honor|Ignore : Whether node taints limit the domains: Honor or Ignore.
  matchLabelKeys []string list=atomic : Label keys whose values from this pod refine the selector.

type LocalObjectReference struct=atomic : Names an object in the same namespace.
  name string default="" : Name of the object.
)schema";
}

}  // namespace skiff::api::openapi::internal
