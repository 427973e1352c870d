// Protobuf field table, core/v1 part 1: volumes, volume sources, PersistentVolume and
// PersistentVolumeClaim. Field numbers as in Kubernetes 1.32; text format described in
// message_text.h.
#include "skiff/api/protobuf/message_text.h"

namespace skiff::api::protobuf::internal {

std::string_view CoreVolumeMessageText() {
  return R"table(
message Volume
  1 name string!
  2 - VolumeSource
message VolumeSource
  1 hostPath HostPathVolumeSource
  2 emptyDir EmptyDirVolumeSource
  3 gcePersistentDisk GCEPersistentDiskVolumeSource
  4 awsElasticBlockStore AWSElasticBlockStoreVolumeSource
  5 gitRepo GitRepoVolumeSource
  6 secret SecretVolumeSource
  7 nfs NFSVolumeSource
  8 iscsi ISCSIVolumeSource
  9 glusterfs GlusterfsVolumeSource
  10 persistentVolumeClaim PersistentVolumeClaimVolumeSource
  11 rbd RBDVolumeSource
  12 flexVolume FlexVolumeSource
  13 cinder CinderVolumeSource
  14 cephfs CephFSVolumeSource
  15 flocker FlockerVolumeSource
  16 downwardAPI DownwardAPIVolumeSource
  17 fc FCVolumeSource
  18 azureFile AzureFileVolumeSource
  19 configMap ConfigMapVolumeSource
  20 vsphereVolume VsphereVirtualDiskVolumeSource
  21 quobyte QuobyteVolumeSource
  22 azureDisk AzureDiskVolumeSource
  23 photonPersistentDisk PhotonPersistentDiskVolumeSource
  26 projected ProjectedVolumeSource
  24 portworxVolume PortworxVolumeSource
  25 scaleIO ScaleIOVolumeSource
  27 storageos StorageOSVolumeSource
  28 csi CSIVolumeSource
  29 ephemeral EphemeralVolumeSource
  30 image ImageVolumeSource
message PersistentVolumeClaimVolumeSource
  1 claimName string!
  2 readOnly bool
message PersistentVolumeSource
  1 gcePersistentDisk GCEPersistentDiskVolumeSource
  2 awsElasticBlockStore AWSElasticBlockStoreVolumeSource
  3 hostPath HostPathVolumeSource
  4 glusterfs GlusterfsPersistentVolumeSource
  5 nfs NFSVolumeSource
  6 rbd RBDPersistentVolumeSource
  7 iscsi ISCSIPersistentVolumeSource
  8 cinder CinderPersistentVolumeSource
  9 cephfs CephFSPersistentVolumeSource
  10 fc FCVolumeSource
  11 flocker FlockerVolumeSource
  12 flexVolume FlexPersistentVolumeSource
  13 azureFile AzureFilePersistentVolumeSource
  14 vsphereVolume VsphereVirtualDiskVolumeSource
  15 quobyte QuobyteVolumeSource
  16 azureDisk AzureDiskVolumeSource
  17 photonPersistentDisk PhotonPersistentDiskVolumeSource
  18 portworxVolume PortworxVolumeSource
  19 scaleIO ScaleIOPersistentVolumeSource
  20 local LocalVolumeSource
  21 storageos StorageOSPersistentVolumeSource
  22 csi CSIPersistentVolumeSource
message HostPathVolumeSource
  1 path string!
  2 type string!
message EmptyDirVolumeSource
  1 medium string
  2 sizeLimit Quantity
message GlusterfsVolumeSource
  1 endpoints string!
  2 path string!
  3 readOnly bool
message GlusterfsPersistentVolumeSource
  1 endpoints string!
  2 path string!
  3 readOnly bool
  4 endpointsNamespace string!
message RBDVolumeSource
  1 monitors []string
  2 image string!
  3 fsType string
  4 pool string
  5 user string
  6 keyring string
  7 secretRef LocalObjectReference
  8 readOnly bool
message RBDPersistentVolumeSource
  1 monitors []string
  2 image string!
  3 fsType string
  4 pool string
  5 user string
  6 keyring string
  7 secretRef SecretReference
  8 readOnly bool
message CinderVolumeSource
  1 volumeID string!
  2 fsType string
  3 readOnly bool
  4 secretRef LocalObjectReference
message CinderPersistentVolumeSource
  1 volumeID string!
  2 fsType string
  3 readOnly bool
  4 secretRef SecretReference
message CephFSVolumeSource
  1 monitors []string
  2 path string
  3 user string
  4 secretFile string
  5 secretRef LocalObjectReference
  6 readOnly bool
message SecretReference
  1 name string
  2 namespace string
message CephFSPersistentVolumeSource
  1 monitors []string
  2 path string
  3 user string
  4 secretFile string
  5 secretRef SecretReference
  6 readOnly bool
message FlockerVolumeSource
  1 datasetName string
  2 datasetUUID string
message GCEPersistentDiskVolumeSource
  1 pdName string!
  2 fsType string
  3 partition int32
  4 readOnly bool
message QuobyteVolumeSource
  1 registry string!
  2 volume string!
  3 readOnly bool
  4 user string
  5 group string
  6 tenant string
message FlexPersistentVolumeSource
  1 driver string!
  2 fsType string
  3 secretRef SecretReference
  4 readOnly bool
  5 options {}string
message FlexVolumeSource
  1 driver string!
  2 fsType string
  3 secretRef LocalObjectReference
  4 readOnly bool
  5 options {}string
message AWSElasticBlockStoreVolumeSource
  1 volumeID string!
  2 fsType string
  3 partition int32
  4 readOnly bool
message GitRepoVolumeSource
  1 repository string!
  2 revision string
  3 directory string
message SecretVolumeSource
  1 secretName string
  2 items []KeyToPath
  3 defaultMode int32!
  4 optional bool!
message SecretProjection
  1 - LocalObjectReference
  2 items []KeyToPath
  4 optional bool!
message NFSVolumeSource
  1 server string!
  2 path string!
  3 readOnly bool
message ISCSIVolumeSource
  1 targetPortal string!
  2 iqn string!
  3 lun int32!
  4 iscsiInterface string
  5 fsType string
  6 readOnly bool
  7 portals []string
  8 chapAuthDiscovery bool
  11 chapAuthSession bool
  10 secretRef LocalObjectReference
  12 initiatorName string!
message ISCSIPersistentVolumeSource
  1 targetPortal string!
  2 iqn string!
  3 lun int32!
  4 iscsiInterface string
  5 fsType string
  6 readOnly bool
  7 portals []string
  8 chapAuthDiscovery bool
  11 chapAuthSession bool
  10 secretRef SecretReference
  12 initiatorName string!
message FCVolumeSource
  1 targetWWNs []string
  2 lun int32!
  3 fsType string
  4 readOnly bool
  5 wwids []string
message AzureFileVolumeSource
  1 secretName string!
  2 shareName string!
  3 readOnly bool
message AzureFilePersistentVolumeSource
  1 secretName string!
  2 shareName string!
  3 readOnly bool
  4 secretNamespace string!
message VsphereVirtualDiskVolumeSource
  1 volumePath string!
  2 fsType string
  3 storagePolicyName string
  4 storagePolicyID string
message PhotonPersistentDiskVolumeSource
  1 pdID string!
  2 fsType string
message AzureDiskVolumeSource
  1 diskName string!
  2 diskURI string!
  3 cachingMode string!
  4 fsType string!
  5 readOnly bool!
  6 kind string!
message PortworxVolumeSource
  1 volumeID string!
  2 fsType string
  3 readOnly bool
message ScaleIOVolumeSource
  1 gateway string!
  2 system string!
  3 secretRef LocalObjectReference
  4 sslEnabled bool
  5 protectionDomain string
  6 storagePool string
  7 storageMode string
  8 volumeName string
  9 fsType string
  10 readOnly bool
message ScaleIOPersistentVolumeSource
  1 gateway string!
  2 system string!
  3 secretRef SecretReference
  4 sslEnabled bool
  5 protectionDomain string
  6 storagePool string
  7 storageMode string
  8 volumeName string
  9 fsType string
  10 readOnly bool
message StorageOSVolumeSource
  1 volumeName string
  2 volumeNamespace string
  3 fsType string
  4 readOnly bool
  5 secretRef LocalObjectReference
message StorageOSPersistentVolumeSource
  1 volumeName string
  2 volumeNamespace string
  3 fsType string
  4 readOnly bool
  5 secretRef ObjectReference
message ConfigMapVolumeSource
  1 - LocalObjectReference
  2 items []KeyToPath
  3 defaultMode int32!
  4 optional bool!
message ConfigMapProjection
  1 - LocalObjectReference
  2 items []KeyToPath
  4 optional bool!
message ServiceAccountTokenProjection
  1 audience string
  2 expirationSeconds int64!
  3 path string!
message ClusterTrustBundleProjection
  1 name string!
  2 signerName string!
  3 labelSelector LabelSelector
  5 optional bool!
  4 path string!
message ProjectedVolumeSource
  1 sources []VolumeProjection
  2 defaultMode int32!
message VolumeProjection
  1 secret SecretProjection
  2 downwardAPI DownwardAPIProjection
  3 configMap ConfigMapProjection
  4 serviceAccountToken ServiceAccountTokenProjection
  5 clusterTrustBundle ClusterTrustBundleProjection
message KeyToPath
  1 key string!
  2 path string!
  3 mode int32!
message LocalVolumeSource
  1 path string!
  2 fsType string!
message CSIPersistentVolumeSource
  1 driver string!
  2 volumeHandle string!
  3 readOnly bool
  4 fsType string
  5 volumeAttributes {}string
  6 controllerPublishSecretRef SecretReference
  7 nodeStageSecretRef SecretReference
  8 nodePublishSecretRef SecretReference
  9 controllerExpandSecretRef SecretReference
  10 nodeExpandSecretRef SecretReference
message CSIVolumeSource
  1 driver string!
  2 readOnly bool!
  3 fsType string!
  4 volumeAttributes {}string
  5 nodePublishSecretRef LocalObjectReference
message EphemeralVolumeSource
  1 volumeClaimTemplate PersistentVolumeClaimTemplate
message PersistentVolumeClaimTemplate
  1 metadata ObjectMeta
  2 spec PersistentVolumeClaimSpec
message DownwardAPIVolumeSource
  1 items []DownwardAPIVolumeFile
  2 defaultMode int32!
message DownwardAPIVolumeFile
  1 path string!
  2 fieldRef ObjectFieldSelector
  3 resourceFieldRef ResourceFieldSelector
  4 mode int32!
message DownwardAPIProjection
  1 items []DownwardAPIVolumeFile
message ImageVolumeSource
  1 reference string
  2 pullPolicy string
)table";
}

}  // namespace skiff::api::protobuf::internal
