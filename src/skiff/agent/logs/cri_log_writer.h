// CRI-format container log files, the writing side: what the container's stdout and stderr
// become on disk, one line per record:
//
//   <RFC3339Nano timestamp> stdout|stderr F|P <text>\n
//
// F closes a line; P carries a piece of one longer than max_line_bytes (or cut by the stream's
// end without a newline... which is written as F, as containerd does). The file is rotated by
// size: `<path>` is renamed to `<path>.<YYYYMMDD-HHMMSS>` and reopened, and only the newest
// max_files - 1 rotated files are kept. Used by skiff-shim (statically linked, so it depends on
// the C++ standard library only). Not thread-safe: one writer per file.
#pragma once

#include <time.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace skiff::agent::logs {

enum class Stream { kStdout, kStderr };

struct CriLogWriterOptions {
  // Kubernetes' containerLogMaxSize and containerLogMaxFiles defaults.
  int64_t max_bytes = 10 * 1024 * 1024;
  int max_files = 5;
  // containerd cuts lines at 16 KiB.
  size_t max_line_bytes = 16 * 1024;
};

// Go's time.RFC3339Nano in UTC: fraction without trailing zeros ("2026-11-28T01:02:03.1Z",
// "2026-11-28T01:02:03Z").
std::string FormatRfc3339Nano(const timespec& t);
// One record, newline included.
std::string FormatCriLine(const timespec& t, Stream stream, bool partial, std::string_view text);
// The suffix of a rotated file: "20261128-010203" (UTC).
std::string RotationSuffix(const timespec& t);

class CriLogWriter {
 public:
  CriLogWriter(std::string path, CriLogWriterOptions options);
  ~CriLogWriter();
  CriLogWriter(const CriLogWriter&) = delete;
  CriLogWriter& operator=(const CriLogWriter&) = delete;

  // Opens (appends to) the file; false with errno set when it cannot.
  bool Open();
  // Bytes a stream produced, read at `now`: complete lines are written, the rest waits.
  void Write(Stream stream, std::string_view data, const timespec& now);
  // The stream has ended: what it left without a newline is written as a full line.
  void Close(Stream stream, const timespec& now);

 private:
  void Emit(const timespec& now, Stream stream, bool partial, std::string_view text);
  void RotateIfNeeded(const timespec& now);
  void RemoveOldRotations();

  std::string path_;
  CriLogWriterOptions options_;
  int fd_ = -1;
  int64_t size_ = 0;
  std::string pending_[2];  // per stream, bytes after its last newline
};

}  // namespace skiff::agent::logs
