// The exec probe (pkg/probe/exec): runs a command in the container through the runtime, bounded
// by the probe's timeout; exit code 0 is success. The output is stdout followed by stderr (as
// CRI's ExecSync returns them), at most kMaxOutputBytes. Thread-safe; blocks for at most the
// timeout (plus the runtime's time to kill the command).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "skiff/agent/probe/probe.h"
#include "skiff/agent/runtime/runtime.h"

namespace skiff::agent::probe {

// A command that runs out of time fails with `command "sh -c sleep 9" timed out`. An error: the
// runtime could not run the command at all (the container is gone, no exec support).
absl::StatusOr<Outcome> ExecProbe(runtime::Runtime& runtime, std::string_view container_id,
                                  const std::vector<std::string>& command, absl::Duration timeout);

}  // namespace skiff::agent::probe
