// Wall-clock helpers in Kubernetes' formats, and an injectable clock so tests control time.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace skiff::base {

// A source of the current time; tests substitute their own.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  static const Clock& Real();
};

// "2026-11-27T21:05:48Z" (metav1.Time, second precision, UTC).
std::string FormatRfc3339(absl::Time t);
// "2026-11-27T21:05:48.123456Z" (metav1.MicroTime).
std::string FormatRfc3339Micro(absl::Time t);
// Accepts RFC 3339 with or without fractional seconds and with Z or an offset.
std::optional<absl::Time> ParseRfc3339(std::string_view s);

}  // namespace skiff::base
