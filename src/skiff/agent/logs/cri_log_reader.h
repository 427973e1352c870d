// CRI-format container log files, the reading side: what `kubectl logs` gets from the agent,
// with the kubelet's options (tailLines, limitBytes, sinceSeconds/sinceTime, timestamps,
// follow). Only the current file is read, as the kubelet does; a follower notices a rotation
// and continues in the new file. Called from the agent's HTTP threads; no shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "skiff/agent/logs/cri_log_writer.h"

namespace skiff::agent::logs {

struct CriRecord {
  absl::Time time;
  Stream stream = Stream::kStdout;
  bool partial = false;
  std::string_view text;  // a full record keeps its newline; a partial one has none
};

// Parses one line of a CRI log, newline included (as the kubelet reads them).
std::optional<CriRecord> ParseCriLine(std::string_view line);

// Go's "2006-01-02T15:04:05.000000000Z07:00" in UTC: always nine fraction digits, what
// `kubectl logs --timestamps` prints.
std::string FormatRfc3339NanoFixed(absl::Time t);
// Parses RFC 3339 with any number of fraction digits.
std::optional<absl::Time> ParseRfc3339Nano(std::string_view s);

struct LogReadOptions {
  int64_t tail_lines = -1;   // < 0: all
  int64_t limit_bytes = -1;  // < 0: no limit
  absl::Time since = absl::InfinitePast();
  bool timestamps = false;
  bool follow = false;
};

struct LogFollow {
  // Following goes on while the container runs; the file is read to its end once more after.
  std::function<bool()> running = [] { return false; };
  // The reader gives up when this says so (the client went away).
  std::function<bool()> cancelled = [] { return false; };
  absl::Duration poll = absl::Milliseconds(100);
};

// Writes the log at `path` to `out` (which returns false to stop). NotFound when the file is
// missing.
absl::Status ReadCriLog(const std::string& path, const LogReadOptions& options,
                        const std::function<bool(std::string_view)>& out,
                        const LogFollow& follow = {});

// Byte offset at which the last `n` lines of the open file begin (0 for n < 0).
int64_t TailStartOffset(int fd, int64_t n);

}  // namespace skiff::agent::logs
