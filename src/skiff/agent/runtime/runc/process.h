// Running helper programs (runc, CNI plugins, ip, the shim) from a multi-threaded agent:
// posix_spawn with a clean signal state, pipes for output, a deadline. Thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace skiff::agent::runtime {

struct ProcessOptions {
  std::vector<std::string> env;  // extra "NAME=value" entries on top of the agent's environment
  std::string stdin_data;        // written to the child's stdin, then closed
  absl::Duration timeout = absl::Seconds(60);
  // The child's fds 1 and 2 go to `output_fd` instead of being captured, when >= 0.
  int output_fd = -1;
  std::vector<std::pair<int, int>> extra_fds;  // {child fd, agent fd}
};

struct ProcessResult {
  int exit_code = 0;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) to completion. Errors only when it cannot run or times out (killed).
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         const ProcessOptions& options = {});

}  // namespace skiff::agent::runtime
