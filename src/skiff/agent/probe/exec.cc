#include "skiff/agent/probe/exec.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "skiff/api/go_repr.h"
#include "skiff/api/text.h"
#include "skiff/base/files.h"

namespace skiff::agent::probe {

namespace {

// Reads up to `limit` bytes of an in-memory file from its start.
std::string ReadBack(int fd, size_t limit) {
  std::string out(limit, '\0');
  size_t got = 0;
  while (got < limit) {
    ssize_t n = ::pread(fd, out.data() + got, limit - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

}  // namespace

absl::StatusOr<Outcome> ExecProbe(runtime::Runtime& runtime, std::string_view container_id,
                                  const std::vector<std::string>& command, absl::Duration timeout) {
  // Memory files need no reader while the command runs, however much it writes.
  base::UniqueFd out(::memfd_create("probe-stdout", MFD_CLOEXEC));
  base::UniqueFd err(::memfd_create("probe-stderr", MFD_CLOEXEC));
  if (!out.ok() || !err.ok()) return base::ErrnoStatus(errno, "memfd_create");
  runtime::ExecStreams streams;
  streams.stdout_fd = out.get();
  streams.stderr_fd = err.get();
  streams.timeout = timeout;
  absl::StatusOr<int> code = runtime.Exec(container_id, command, streams);
  if (absl::IsDeadlineExceeded(code.status())) {
    return Outcome{Result::kFailure,
                   api::Cat("command ", api::GoQuote(api::Join(command, " ")), " timed out")};
  }
  if (!code.ok()) return code.status();
  std::string output = ReadBack(out.get(), kMaxOutputBytes);
  output += ReadBack(err.get(), kMaxOutputBytes - output.size());
  return Outcome{*code == 0 ? Result::kSuccess : Result::kFailure, std::move(output)};
}

}  // namespace skiff::agent::probe
