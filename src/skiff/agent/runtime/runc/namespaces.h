// Pod namespaces held open without a process: a short-lived thread unshares a namespace and
// bind-mounts its /proc/thread-self/ns file onto a path, which keeps the namespace alive until
// the path is unmounted. Containers join it by that path (OCI linux.namespaces[].path). This is
// how a pod sandbox holds its network, IPC and UTS namespaces without a pause process.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"

namespace skiff::agent::runtime {

// Creates a new namespace of `clone_flag` (CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS) and pins it
// at `path` (created; must not exist). `setup`, if given, runs inside the new namespace before
// it is pinned (bring up lo, set the host name); its error undoes everything.
absl::Status PinNamespace(int clone_flag, const std::string& path,
                          const std::function<absl::Status()>& setup = nullptr);
// Unmounts and removes a pinned namespace; a missing path is not an error.
absl::Status UnpinNamespace(const std::string& path);
// Whether `path` is a pinned namespace now (not after a reboot, when only the file is left).
bool IsPinnedNamespace(const std::string& path);

}  // namespace skiff::agent::runtime
