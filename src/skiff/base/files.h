// Whole-file reads and crash-safe writes for the agent's records (image index, runtime state):
// a reader sees either the old or the new content, never a torn file. Thread-safe.
#pragma once

#include <unistd.h>

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace skiff::base {

// Owns a file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) Reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~UniqueFd() { Reset(); }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// The file's bytes; NotFound when it does not exist.
absl::StatusOr<std::string> ReadFile(const std::string& path);
// Writes `data` to a temporary file beside `path`, fsyncs it (unless `sync` is false: records
// that need only survive a crash of the process, not of the machine) and renames it over `path`.
absl::Status WriteFileAtomic(const std::string& path, std::string_view data, int mode = 0644,
                             bool sync = true);
// An absl::Status for a failed system call: "<what>: <strerror(errno)>", code from errno.
absl::Status ErrnoStatus(int err, std::string_view what);

}  // namespace skiff::base
