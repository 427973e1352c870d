// Schema table, core/v1 part 1: volumes, volume sources and projections (pod and PV side).
// Text format described in schema_text.h; parsed once at first use.
#include "skiff/api/openapi/schema_text.h"

namespace skiff::api::openapi::internal {

std::string_view CoreVolumeSchemaText() {
  return R"schema(
package io.k8s.api.core.v1

type Volume : A named storage source that containers of the pod may mount.
  name string req : Volume name; a DNS label that is unique within the pod.
  include VolumeSource

type VolumeSource hidden : Where the data of a pod volume comes from; set exactly one member.
  hostPath HostPathVolumeSource : A file or directory of the node exposed to the pod; for privileged system agents.
  emptyDir EmptyDirVolumeSource : Scratch directory created empty when the pod starts and removed with it.
  gcePersistentDisk GCEPersistentDiskVolumeSource : Legacy in-tree Google Compute Engine persistent disk.
  awsElasticBlockStore AWSElasticBlockStoreVolumeSource : Legacy in-tree Amazon EBS disk.
  gitRepo GitRepoVolumeSource : Deprecated: a directory populated by cloning a git repository.
  secret SecretVolumeSource : Files filled from the keys of a Secret.
  nfs NFSVolumeSource : An NFS export mounted for the lifetime of the pod.
  iscsi ISCSIVolumeSource : An iSCSI disk attached to the node and exposed to the pod.
  glusterfs GlusterfsVolumeSource : Legacy in-tree GlusterFS mount.
  persistentVolumeClaim PersistentVolumeClaimVolumeSource : Mounts the volume bound to a claim in the pod's namespace.
  rbd RBDVolumeSource : Legacy in-tree Ceph RADOS block device.
  flexVolume FlexVolumeSource : A volume handled by an exec-based FlexVolume driver.
  cinder CinderVolumeSource : Legacy in-tree OpenStack Cinder volume.
  cephfs CephFSVolumeSource : Legacy in-tree CephFS mount.
  flocker FlockerVolumeSource : Legacy Flocker dataset.
  downwardAPI DownwardAPIVolumeSource : Files describing the pod itself (labels, annotations, resources).
  fc FCVolumeSource : A Fibre Channel disk attached to the node.
  azureFile AzureFileVolumeSource : Legacy in-tree Azure File share.
  configMap ConfigMapVolumeSource : Files filled from the keys of a ConfigMap.
  vsphereVolume VsphereVirtualDiskVolumeSource : Legacy in-tree vSphere virtual disk.
  quobyte QuobyteVolumeSource : Legacy Quobyte mount.
  azureDisk AzureDiskVolumeSource : Legacy in-tree Azure data disk.
  photonPersistentDisk PhotonPersistentDiskVolumeSource : Legacy Photon Controller persistent disk.
  projected ProjectedVolumeSource : Several secret, configMap, downward API and token sources merged into one directory.
  portworxVolume PortworxVolumeSource : Legacy in-tree Portworx volume.
  scaleIO ScaleIOVolumeSource : Legacy ScaleIO volume.
  storageos StorageOSVolumeSource : Legacy StorageOS volume.
  csi CSIVolumeSource : An inline ephemeral volume provided by a CSI driver.
  ephemeral EphemeralVolumeSource : A volume provisioned through a per-pod claim created from a template and deleted with the pod.
  image ImageVolumeSource : An OCI image or artifact pulled by the kubelet and mounted read-only.

type PersistentVolumeClaimVolumeSource : Refers to a PersistentVolumeClaim in the pod's namespace.
  claimName string req : Name of the claim.
  readOnly bool : Forces every mount of this volume to be read-only.

type PersistentVolumeSource hidden : The storage backing a PersistentVolume; set exactly one member.
  gcePersistentDisk GCEPersistentDiskVolumeSource : Legacy in-tree Google Compute Engine persistent disk.
  awsElasticBlockStore AWSElasticBlockStoreVolumeSource : Legacy in-tree Amazon EBS disk.
  hostPath HostPathVolumeSource : A directory on one node; only useful for single-node testing.
  glusterfs GlusterfsPersistentVolumeSource : Legacy in-tree GlusterFS volume.
  nfs NFSVolumeSource : An NFS export.
  rbd RBDPersistentVolumeSource : Legacy in-tree Ceph RADOS block device.
  iscsi ISCSIPersistentVolumeSource : An iSCSI disk.
  cinder CinderPersistentVolumeSource : Legacy in-tree OpenStack Cinder volume.
  cephfs CephFSPersistentVolumeSource : Legacy in-tree CephFS mount.
  fc FCVolumeSource : A Fibre Channel disk.
  flocker FlockerVolumeSource : Legacy Flocker dataset.
  flexVolume FlexPersistentVolumeSource : A volume handled by an exec-based FlexVolume driver.
  azureFile AzureFilePersistentVolumeSource : Legacy in-tree Azure File share.
  vsphereVolume VsphereVirtualDiskVolumeSource : Legacy in-tree vSphere virtual disk.
  quobyte QuobyteVolumeSource : Legacy Quobyte mount.
  azureDisk AzureDiskVolumeSource : Legacy in-tree Azure data disk.
  photonPersistentDisk PhotonPersistentDiskVolumeSource : Legacy Photon Controller persistent disk.
  portworxVolume PortworxVolumeSource : Legacy in-tree Portworx volume.
  scaleIO ScaleIOPersistentVolumeSource : Legacy ScaleIO volume.
  local LocalVolumeSource : Storage attached directly to one node; pair with nodeAffinity.
  storageos StorageOSPersistentVolumeSource : Legacy StorageOS volume.
  csi CSIPersistentVolumeSource : A volume managed by an external CSI driver.

type HostPathVolumeSource : A path on the node mapped into the pod.
  path string req : Path on the node; symlinks are followed.
  type string enum=|DirectoryOrCreate|Directory|FileOrCreate|File|Socket|CharDevice|BlockDevice : What must exist at the path; empty skips the check.

type EmptyDirVolumeSource : An initially empty directory that lives as long as the pod.
  medium string : Backing medium: empty for the node's default storage, or Memory for tmpfs.
  sizeLimit Quantity : Upper bound on the space the directory may use.

type GlusterfsVolumeSource : A GlusterFS mount that lasts as long as the pod.
  endpoints string req : Name of the Endpoints object listing the Gluster servers.
  path string req : Gluster volume path.
  readOnly bool : Mount read-only.

type GlusterfsPersistentVolumeSource : A GlusterFS volume used by a PersistentVolume.
  endpoints string req : Name of the Endpoints object listing the Gluster servers.
  path string req : Gluster volume path.
  readOnly bool : Mount read-only.
  endpointsNamespace string : Namespace of the Endpoints object; defaults to the claim's namespace.

type RBDVolumeSource : A Ceph RADOS block device used by a pod.
  monitors []string req list=atomic : Ceph monitor addresses.
  image string req : RADOS image name.
  fsType string : Filesystem type to mount, such as ext4.
  pool string : RADOS pool; rbd when empty.
  user string : RADOS user; admin when empty.
  keyring string : Path of the keyring file for the user.
  secretRef LocalObjectReference : Secret holding the user's key; overrides keyring.
  readOnly bool : Mount read-only.

type RBDPersistentVolumeSource : A Ceph RADOS block device used by a PersistentVolume.
  monitors []string req list=atomic : Ceph monitor addresses.
  image string req : RADOS image name.
  fsType string : Filesystem type to mount, such as ext4.
  pool string : RADOS pool; rbd when empty.
  user string : RADOS user; admin when empty.
  keyring string : Path of the keyring file for the user.
  secretRef SecretReference : Secret holding the user's key; overrides keyring.
  readOnly bool : Mount read-only.

type CinderVolumeSource : An OpenStack Cinder volume used by a pod.
  volumeID string req : Cinder volume identifier.
  fsType string : Filesystem type to mount.
  readOnly bool : Mount read-only.
  secretRef LocalObjectReference : Secret with OpenStack connection parameters.

type CinderPersistentVolumeSource : An OpenStack Cinder volume used by a PersistentVolume.
  volumeID string req : Cinder volume identifier.
  fsType string : Filesystem type to mount.
  readOnly bool : Mount read-only.
  secretRef SecretReference : Secret with OpenStack connection parameters.

type CephFSVolumeSource : A CephFS mount used by a pod.
  monitors []string req list=atomic : Ceph monitor addresses.
  path string : Subtree of the filesystem to mount; / when empty.
  user string : RADOS user; admin when empty.
  secretFile string : Path of the user's key ring file.
  secretRef LocalObjectReference : Secret holding the user's key.
  readOnly bool : Mount read-only.

type CephFSPersistentVolumeSource : A CephFS mount used by a PersistentVolume.
  monitors []string req list=atomic : Ceph monitor addresses.
  path string : Subtree of the filesystem to mount; / when empty.
  user string : RADOS user; admin when empty.
  secretFile string : Path of the user's key ring file.
  secretRef SecretReference : Secret holding the user's key.
  readOnly bool : Mount read-only.

type SecretReference struct=atomic : Names a Secret in any namespace.
  name string : Secret name.
  namespace string : Namespace of the Secret.

type FlockerVolumeSource : A Flocker dataset; set one of the two identifiers.
  datasetName string : Dataset name (deprecated identifier).
  datasetUUID string : Dataset UUID.

type GCEPersistentDiskVolumeSource : A Google Compute Engine persistent disk.
  pdName string req : Name of the disk in GCE.
  fsType string : Filesystem type to mount.
  partition int32 : Partition number to mount; the whole disk when unset.
  readOnly bool : Mount read-only.

type QuobyteVolumeSource : A Quobyte volume.
  registry string req : Quobyte registry addresses as host:port, comma separated.
  volume string req : Existing Quobyte volume name.
  readOnly bool : Mount read-only.
  user string : User that volume access is mapped to.
  group string : Group that volume access is mapped to.
  tenant string : Owning tenant, set for dynamically provisioned volumes.

type FlexPersistentVolumeSource : A FlexVolume used by a PersistentVolume.
  driver string req : Name of the FlexVolume driver.
  fsType string : Filesystem type to mount.
  secretRef SecretReference : Secret with sensitive data for the driver.
  readOnly bool : Mount read-only.
  options {}string : Extra driver options.

type FlexVolumeSource : A FlexVolume used by a pod.
  driver string req : Name of the FlexVolume driver.
  fsType string : Filesystem type to mount.
  secretRef LocalObjectReference : Secret with sensitive data for the driver.
  readOnly bool : Mount read-only.
  options {}string : Extra driver options.

type AWSElasticBlockStoreVolumeSource : An Amazon EBS disk.
  volumeID string req : EBS volume identifier.
  fsType string : Filesystem type to mount.
  partition int32 : Partition number to mount; the whole disk when unset.
  readOnly bool : Mount read-only.

type GitRepoVolumeSource : Deprecated: a directory holding a clone of a git repository.
  repository string req : Repository URL.
  revision string : Commit to check out.
  directory string : Target directory inside the volume; "." puts the clone at the root.

type SecretVolumeSource : Presents the data of a Secret as files.
  secretName string : Secret in the pod's namespace.
  items []KeyToPath list=atomic : Keys to project and their file paths; all keys when empty.
  defaultMode int32 : Permission bits for created files (decimal in JSON); 0644 when unset.
  optional bool : Allow the Secret or listed keys to be missing.

type SecretProjection : Projects the data of a Secret into a projected volume.
  name string default="" : Name of the Secret in the pod's namespace.
  items []KeyToPath list=atomic : Keys to project and their file paths; all keys when empty.
  optional bool : Allow the Secret or listed keys to be missing.

type NFSVolumeSource : An NFS export.
  server string req : NFS server host name or IP address.
  path string req : Exported path.
  readOnly bool : Mount read-only.

type ISCSIVolumeSource : An iSCSI disk used by a pod; read-write by one node only.
  targetPortal string req : Target portal as IP or IP:port.
  iqn string req : Target iSCSI qualified name.
  lun int32 req default=0 : Target LUN number.
  iscsiInterface string : iSCSI interface name for the transport.
  fsType string : Filesystem type to mount.
  readOnly bool : Mount read-only.
  portals []string list=atomic : Additional target portals.
  chapAuthDiscovery bool : Use CHAP authentication for discovery.
  chapAuthSession bool : Use CHAP authentication for sessions.
  secretRef LocalObjectReference : Secret with the CHAP credentials.
  initiatorName string : Custom initiator name.

type ISCSIPersistentVolumeSource : An iSCSI disk used by a PersistentVolume.
  targetPortal string req : Target portal as IP or IP:port.
  iqn string req : Target iSCSI qualified name.
  lun int32 req default=0 : Target LUN number.
  iscsiInterface string : iSCSI interface name for the transport.
  fsType string : Filesystem type to mount.
  readOnly bool : Mount read-only.
  portals []string list=atomic : Additional target portals.
  chapAuthDiscovery bool : Use CHAP authentication for discovery.
  chapAuthSession bool : Use CHAP authentication for sessions.
  secretRef SecretReference : Secret with the CHAP credentials.
  initiatorName string : Custom initiator name.

type FCVolumeSource : A Fibre Channel disk; give WWNs plus LUN, or WWIDs.
  targetWWNs []string list=atomic : Target world wide names.
  lun int32 : Target LUN number.
  fsType string : Filesystem type to mount.
  readOnly bool : Mount read-only.
  wwids []string list=atomic : Volume world wide identifiers.

type AzureFileVolumeSource : An Azure File share used by a pod.
  secretName string req : Secret holding the storage account name and key.
  shareName string req : Share name.
  readOnly bool : Mount read-only.

type AzureFilePersistentVolumeSource : An Azure File share used by a PersistentVolume.
  secretName string req : Secret holding the storage account name and key.
  shareName string req : Share name.
  readOnly bool : Mount read-only.
  secretNamespace string : Namespace of the secret; the pod's namespace when empty.

type VsphereVirtualDiskVolumeSource : A vSphere virtual disk.
  volumePath string req : Path of the vmdk.
  fsType string : Filesystem type to mount.
  storagePolicyName string : Storage policy (SPBM) profile name.
  storagePolicyID string : Storage policy (SPBM) profile identifier.

type PhotonPersistentDiskVolumeSource : A Photon Controller persistent disk.
  pdID string req : Disk identifier.
  fsType string : Filesystem type to mount.

type AzureDiskVolumeSource : An Azure data disk.
  diskName string req : Data disk name in blob storage.
  diskURI string req : Data disk URI in blob storage.
  cachingMode string enum=None|ReadOnly|ReadWrite : Host caching mode.
  fsType string : Filesystem type to mount.
  readOnly bool : Mount read-only.
  kind string enum=Dedicated|Managed|Shared : Disk kind: Shared, Dedicated or Managed.

type PortworxVolumeSource : A Portworx volume.
  volumeID string req : Portworx volume identifier.
  fsType string : Filesystem type to mount.
  readOnly bool : Mount read-only.

type ScaleIOVolumeSource : A ScaleIO volume used by a pod.
  gateway string req : ScaleIO API gateway address.
  system string req : ScaleIO storage system name.
  secretRef LocalObjectReference req : Secret with ScaleIO credentials.
  sslEnabled bool : Use TLS towards the gateway.
  protectionDomain string : Protection domain of the storage.
  storagePool string : Storage pool of the protection domain.
  storageMode string : ThickProvisioned or ThinProvisioned.
  volumeName string : Existing ScaleIO volume name.
  fsType string : Filesystem type to mount.
  readOnly bool : Mount read-only.

type ScaleIOPersistentVolumeSource : A ScaleIO volume used by a PersistentVolume.
  gateway string req : ScaleIO API gateway address.
  system string req : ScaleIO storage system name.
  secretRef SecretReference req : Secret with ScaleIO credentials.
  sslEnabled bool : Use TLS towards the gateway.
  protectionDomain string : Protection domain of the storage.
  storagePool string : Storage pool of the protection domain.
  storageMode string : ThickProvisioned or ThinProvisioned.
  volumeName string : Existing ScaleIO volume name.
  fsType string : Filesystem type to mount.
  readOnly bool : Mount read-only.

type StorageOSVolumeSource : A StorageOS volume used by a pod.
  volumeName string : StorageOS volume name, unique per StorageOS namespace.
  volumeNamespace string : StorageOS namespace; the pod's namespace when empty.
  fsType string : Filesystem type to mount.
  readOnly bool : Mount read-only.
  secretRef LocalObjectReference : Secret with StorageOS API credentials.

type StorageOSPersistentVolumeSource : A StorageOS volume used by a PersistentVolume.
  volumeName string : StorageOS volume name, unique per StorageOS namespace.
  volumeNamespace string : StorageOS namespace; the claim's namespace when empty.
  fsType string : Filesystem type to mount.
  readOnly bool : Mount read-only.
  secretRef ObjectReference : Secret with StorageOS API credentials.

type ConfigMapVolumeSource : Presents the data of a ConfigMap as files.
  name string default="" : Name of the ConfigMap in the pod's namespace.
  items []KeyToPath list=atomic : Keys to project and their file paths; all keys when empty.
  defaultMode int32 : Permission bits for created files (decimal in JSON); 0644 when unset.
  optional bool : Allow the ConfigMap or listed keys to be missing.

type ConfigMapProjection : Projects the data of a ConfigMap into a projected volume.
  name string default="" : Name of the ConfigMap in the pod's namespace.
  items []KeyToPath list=atomic : Keys to project and their file paths; all keys when empty.
  optional bool : Allow the ConfigMap or listed keys to be missing.

type ServiceAccountTokenProjection : Projects a bound service account token into a file.
  audience string : Intended audience of the token; the API server when empty.
  expirationSeconds int64 : Requested token lifetime in seconds; one hour by default, at least ten minutes.
  path string req : File path relative to the mount point.

type ClusterTrustBundleProjection : Projects the certificates of selected ClusterTrustBundles into a file.
  name string : Select one bundle by object name.
  signerName string : Select all bundles of this signer.
  labelSelector LabelSelector : With signerName, restrict bundles by label.
  optional bool : Start the pod even if no bundle matches.
  path string req : File path relative to the volume root.

type ProjectedVolumeSource : A directory assembled from several sources.
  sources []VolumeProjection list=atomic : The sources to merge.
  defaultMode int32 : Permission bits for created files (decimal in JSON).

type VolumeProjection : One source of a projected volume; set exactly one member.
  secret SecretProjection : Data of a Secret.
  downwardAPI DownwardAPIProjection : Information about the pod.
  configMap ConfigMapProjection : Data of a ConfigMap.
  serviceAccountToken ServiceAccountTokenProjection : A service account token.
  clusterTrustBundle ClusterTrustBundleProjection : Certificates from ClusterTrustBundles.

type KeyToPath : Maps one key of a Secret or ConfigMap to a file path.
  key string req : Key to project.
  path string req : Relative file path; must not contain '..'.
  mode int32 : Permission bits of this file (decimal in JSON).

type LocalVolumeSource : Storage directly attached to a node.
  path string req : Full path of the directory or block device on the node.
  fsType string : Filesystem type, used only when path is a block device.

type CSIPersistentVolumeSource : A volume managed by an external CSI driver.
  driver string req : Name of the CSI driver.
  volumeHandle string req : Volume identifier returned by the driver at creation.
  readOnly bool : Publish the volume read-only.
  fsType string : Filesystem type to mount.
  volumeAttributes {}string : Driver-specific attributes of the volume.
  controllerPublishSecretRef SecretReference : Secret passed to ControllerPublish/Unpublish.
  nodeStageSecretRef SecretReference : Secret passed to NodeStage/Unstage.
  nodePublishSecretRef SecretReference : Secret passed to NodePublish/Unpublish.
  controllerExpandSecretRef SecretReference : Secret passed to ControllerExpandVolume.
  nodeExpandSecretRef SecretReference : Secret passed to NodeExpandVolume.

type CSIVolumeSource : An inline volume served by a CSI driver.
  driver string req : Name of the CSI driver.
  readOnly bool : Mount read-only.
  fsType string : Filesystem type to mount; the driver decides when empty.
  volumeAttributes {}string : Driver-specific properties.
  nodePublishSecretRef LocalObjectReference : Secret passed to NodePublish/Unpublish.

type EphemeralVolumeSource : A volume provisioned by a claim that belongs to the pod.
  volumeClaimTemplate PersistentVolumeClaimTemplate : Template of the claim; it is named <pod>-<volume> and deleted with the pod.

type PersistentVolumeClaimTemplate : Template used to create a PersistentVolumeClaim for an ephemeral volume.
  metadata ObjectMeta default={} : Labels and annotations copied into the claim.
  spec PersistentVolumeClaimSpec req default={} : Spec copied unchanged into the claim.

type ImageVolumeSource : An OCI image or artifact mounted as a read-only volume.
  reference string : Image or artifact reference, as for a container image.
  pullPolicy string enum=Always|IfNotPresent|Never : When to pull: Always, Never or IfNotPresent (default Always for :latest).

type DownwardAPIVolumeSource : Files holding information about the pod.
  items []DownwardAPIVolumeFile list=atomic : The files to create.
  defaultMode int32 : Permission bits for created files (decimal in JSON); 0644 when unset.

type DownwardAPIProjection : Pod information projected into a projected volume.
  items []DownwardAPIVolumeFile list=atomic : The files to create.

type DownwardAPIVolumeFile : One file of a downward API volume.
  path string req : Relative file path; must not contain '..'.
  fieldRef ObjectFieldSelector : Pod field to write (metadata.name, metadata.labels, ...).
  resourceFieldRef ResourceFieldSelector : Container resource limit or request to write.
  mode int32 : Permission bits of this file (decimal in JSON).
)schema";
}

}  // namespace skiff::api::openapi::internal
