#include "skiff/agent/runtime/runc/namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "skiff/api/text.h"
#include "skiff/base/files.h"

namespace skiff::agent::runtime {

namespace {
constexpr long kNsfsMagic = 0x6e736673;  // NSFS_MAGIC
}  // namespace

absl::Status PinNamespace(int clone_flag, const std::string& path,
                          const std::function<absl::Status()>& setup) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd < 0) return base::ErrnoStatus(errno, api::Cat("create ", path));
  ::close(fd);
  const char* file = clone_flag == CLONE_NEWNET   ? "net"
                     : clone_flag == CLONE_NEWIPC ? "ipc"
                     : clone_flag == CLONE_NEWUTS ? "uts"
                                                  : nullptr;
  if (file == nullptr) {
    ::unlink(path.c_str());
    return absl::InvalidArgumentError("only network, IPC and UTS namespaces can be pinned");
  }
  // Network, IPC and UTS namespaces belong to a thread: a thread of its own makes the new one,
  // leaving every other thread of the process where it was.
  absl::Status st;
  std::thread([&] {
    if (::unshare(clone_flag) != 0) {
      st = base::ErrnoStatus(errno, api::Cat("unshare ", file, " namespace"));
      return;
    }
    if (setup) {
      st = setup();
      if (!st.ok()) return;
    }
    std::string self = api::Cat("/proc/thread-self/ns/", file);
    if (::mount(self.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      st = base::ErrnoStatus(errno, api::Cat("pin ", file, " namespace at ", path));
    }
  }).join();
  if (!st.ok()) ::unlink(path.c_str());
  return st;
}

absl::Status UnpinNamespace(const std::string& path) {
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    return base::ErrnoStatus(errno, api::Cat("unmount ", path));
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return base::ErrnoStatus(errno, api::Cat("remove ", path));
  }
  return absl::OkStatus();
}

bool IsPinnedNamespace(const std::string& path) {
  struct statfs fs;
  return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == kNsfsMagic;
}

}  // namespace skiff::agent::runtime
