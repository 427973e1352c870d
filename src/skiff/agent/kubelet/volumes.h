// VolumeManager: the kubelet's volume plugins for the real node. Under <root>/<pod uid>/volumes/
// it makes emptyDir directories (medium Memory: a tmpfs, sizeLimit as its size) and writes
// configMap, secret, downwardAPI and projected volumes (items, defaultMode/mode, optional);
// hostPath volumes are checked or created by type; persistentVolumeClaim volumes resolve
// through the claim to its bound PersistentVolume (hostPath or local path).
//
// Path handling is symlink-safe: item paths and subPaths must be relative without "..", and
// are resolved beneath the volume's root with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS):
// a symlink inside a volume can never send a write or a bind mount outside it. Tearing a pod
// down unmounts its volumes and never removes through a link or across a mount. Thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "skiff/agent/kubelet/env.h"
#include "skiff/agent/kubelet/kubelet.h"

namespace skiff::agent::kubelet {

class VolumeManager : public VolumeMounter {
 public:
  // `lookup` fetches configmaps, secrets, persistentvolumeclaims and persistentvolumes.
  VolumeManager(std::string root, ObjectLookup lookup, NodeAllocatable allocatable);

  absl::Status SetUpPod(const boost::json::value& pod) override;
  absl::StatusOr<std::vector<runtime::Mount>> MountsFor(
      const boost::json::value& pod, const boost::json::value& container) override;
  absl::Status TearDownPod(std::string_view pod_uid) override;
  std::vector<std::string> ListPodDirs() const override;

  // Where a pod's volume lives on the node (for the ones the manager makes).
  std::string VolumeDir(std::string_view pod_uid, std::string_view volume) const;

 private:
  // The host path backing a volume of the pod, and whether it is read-only by nature.
  absl::StatusOr<std::pair<std::string, bool>> HostPathOf(const boost::json::value& pod,
                                                          const boost::json::value& volume);
  absl::Status Project(const boost::json::value& pod, const boost::json::value& volume,
                       const std::string& dir);

  const std::string root_;
  const ObjectLookup lookup_;
  const NodeAllocatable allocatable_;
};

// Resolves `relative` (no leading '/', no ".." component) beneath `root`, refusing any
// symlink that leads out of it; returns the resolved absolute path. With `create_dirs`,
// missing directories are made (0755) on the way.
absl::StatusOr<std::string> ResolveBeneath(const std::string& root, std::string_view relative,
                                           bool create_dirs);

// Writes `data` to `relative` beneath `root` (directories made as needed, symlink-safe), with
// permission bits `mode`, replacing the file atomically.
absl::Status WriteBeneath(const std::string& root, std::string_view relative, std::string_view data,
                          int mode);

// Removes `path` and everything beneath it without following symlinks (a link is removed, not
// what it points to). When anything is mounted at or beneath `path` (an emptyDir tmpfs left
// mounted), nothing is removed: FailedPrecondition. An absent path is not an error.
absl::Status RemoveUnlessMounted(const std::string& path);

// Whether `uid` can name a pod's directory: not empty, no leading '.', no '/' and no '_' (the
// separator of the log directories' <ns>_<pod>_<uid> names). UIDs from the API always can.
bool IsPodDirName(std::string_view uid);

}  // namespace skiff::agent::kubelet
