// Text forms of the scalar values Kubernetes' JSON encoding uses for protobuf payloads:
// RFC 3339 timestamps (metav1.Time, metav1.MicroTime), Go duration strings (metav1.Duration)
// and UTF-8 repaired strings. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::api::protobuf::internal {

// "2026-11-27T21:05:48Z" (second precision) or, with `micro`, "2026-11-27T21:05:48.123456Z",
// in UTC. Nanoseconds outside [0, 1e9) carry into the seconds. nullopt when the year falls
// outside [0, 9999], which Go's time.Time cannot marshal to JSON either.
std::optional<std::string> FormatRfc3339(int64_t seconds, int64_t nanos, bool micro);

// Seconds since the epoch of Go's zero time.Time (0001-01-01T00:00:00Z), which Kubernetes
// writes as JSON null.
inline constexpr int64_t kGoZeroTimeSeconds = -62135596800;

// time.Duration.String(): "1h2m3.5s", "1.5ms", "0s".
std::string FormatGoDuration(int64_t nanos);

// `s` with every byte that does not start a valid UTF-8 sequence replaced by U+FFFD, as Go's
// encoding/json does when it writes a string.
std::string ValidUtf8(std::string_view s);

}  // namespace skiff::api::protobuf::internal
