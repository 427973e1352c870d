// RuncRuntime::Exec: `runc exec` of a command in a running container, its stdio wired straight
// to the caller's descriptors (the agent's exec stream pumps them).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <csignal>

#include "skiff/agent/runtime/runc/runc_runtime.h"
#include "skiff/api/text.h"
#include "skiff/base/files.h"

extern char** environ;

namespace skiff::agent::runtime {

using base::ErrnoStatus;
using base::UniqueFd;

absl::StatusOr<int> RuncRuntime::Exec(std::string_view container_id,
                                      const std::vector<std::string>& command,
                                      const ExecStreams& streams) {
  if (command.empty()) return absl::InvalidArgumentError("exec: no command given");
  auto status = InspectContainer(container_id);
  if (!status.ok()) return status.status();
  if (status->state != ContainerState::kRunning) {
    return absl::FailedPreconditionError(api::Cat("container ", container_id, " is not running"));
  }
  std::vector<std::string> argv = {options_.runc, "--root", options_.root + "/runc", "exec",
                                   std::string(container_id)};
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
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus(errno, "wait for runc exec");
  }
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

}  // namespace skiff::agent::runtime
