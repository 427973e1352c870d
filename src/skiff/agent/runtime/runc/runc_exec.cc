// RuncRuntime::Exec: `runc exec` of a command in a running container, its stdio wired straight
// to the caller's descriptors (the agent's exec stream pumps them). With a timeout, runc writes
// the command's PID to a file so that the command itself (not only runc) can be killed.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

#include "skiff/agent/runtime/runc/runc_runtime.h"
#include "skiff/api/text.h"
#include "skiff/base/files.h"

extern char** environ;

namespace skiff::agent::runtime {

using base::ErrnoStatus;
using base::UniqueFd;

namespace {

// Waits until `pid` exits or `deadline` passes; true when it exited (it is not reaped).
bool WaitExitUntil(pid_t pid, absl::Time deadline) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  for (;;) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    if (pidfd.ok()) {
      pollfd p{pidfd.get(), POLLIN, 0};
      int n = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
      if (n > 0) return true;
      if (n < 0 && errno != EINTR) return false;
      continue;
    }
    // Kernels without pidfd_open: look every 10 ms.
    siginfo_t info{};
    if (::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
      return true;
    }
    absl::SleepFor(std::min(left, absl::Milliseconds(10)));
  }
}

}  // namespace

absl::StatusOr<int> RuncRuntime::Exec(std::string_view container_id,
                                      const std::vector<std::string>& command,
                                      const ExecStreams& streams) {
  if (command.empty()) return absl::InvalidArgumentError("exec: no command given");
  auto status = InspectContainer(container_id);
  if (!status.ok()) return status.status();
  if (status->state != ContainerState::kRunning) {
    return absl::FailedPreconditionError(api::Cat("container ", container_id, " is not running"));
  }
  std::vector<std::string> argv = {options_.runc, "--root", options_.root + "/runc", "exec"};
  const bool bounded = streams.timeout != absl::InfiniteDuration();
  std::string pid_file;
  if (bounded) {
    static std::atomic<uint64_t> next{0};
    pid_file = api::Cat(ContainerDir(container_id), "/exec-", ::getpid(), "-", next++, ".pid");
    argv.insert(argv.end(), {"--pid-file", pid_file});
  }
  argv.emplace_back(container_id);
  argv.insert(argv.end(), command.begin(), command.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  UniqueFd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!devnull.ok()) return ErrnoStatus(errno, "open /dev/null");
  auto pick = [&](int fd) { return fd >= 0 ? fd : devnull.get(); };
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pick(streams.stdin_fd), 0);
  posix_spawn_file_actions_adddup2(&actions, pick(streams.stdout_fd), 1);
  posix_spawn_file_actions_adddup2(&actions, pick(streams.stderr_fd), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  int err = ::posix_spawn(&pid, argv[0].c_str(), &actions, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) return ErrnoStatus(err, "run " + options_.runc);
  bool timed_out = false;
  if (bounded && !WaitExitUntil(pid, absl::Now() + streams.timeout)) {
    // Kill the command in the container; runc exits with it. Should runc not have written the
    // PID yet, or not exit, it is killed too.
    timed_out = true;
    auto text = base::ReadFile(pid_file);
    int target = text.ok() ? std::atoi(text->c_str()) : 0;
    if (target > 0) ::kill(target, SIGKILL);
    if (target <= 0 || !WaitExitUntil(pid, absl::Now() + absl::Seconds(2))) ::kill(pid, SIGKILL);
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus(errno, "wait for runc exec");
  }
  if (bounded) ::unlink(pid_file.c_str());
  if (timed_out) {
    return absl::DeadlineExceededError(api::Cat("exec in container ", container_id,
                                                " timed out after ",
                                                absl::FormatDuration(streams.timeout)));
  }
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

}  // namespace skiff::agent::runtime
