#include "skiff/agent/runtime/runc/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "skiff/api/text.h"
#include "skiff/base/files.h"

extern char** environ;

namespace skiff::agent::runtime {

using base::ErrnoStatus;
using base::UniqueFd;

namespace {

int DecodeWaitStatus(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         const ProcessOptions& options) {
  if (argv.empty()) return absl::InvalidArgumentError("no program to run");
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe");
  UniqueFd in_r(in[0]), in_w(in[1]);
  if (::pipe2(out, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe");
  UniqueFd out_r(out[0]), out_w(out[1]);
  if (::pipe2(err, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe");
  UniqueFd err_r(err[0]), err_w(err[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_r.get(), 0);
  int out_fd = options.output_fd >= 0 ? options.output_fd : out_w.get();
  int err_fd = options.output_fd >= 0 ? options.output_fd : err_w.get();
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  for (const auto& [child, parent] : options.extra_fds) {
    posix_spawn_file_actions_adddup2(&actions, parent, child);
  }
  // The agent blocks and handles signals its own way; children start from the defaults.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> env_store;
  for (char** e = environ; *e != nullptr; ++e) env_store.emplace_back(*e);
  for (const std::string& e : options.env) {
    std::string_view name = std::string_view(e).substr(0, e.find('=') + 1);
    std::erase_if(env_store, [&](const std::string& x) { return x.starts_with(name); });
    env_store.push_back(e);
  }
  std::vector<char*> envp, args;
  for (std::string& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_store = argv;
  for (std::string& a : argv_store) args.push_back(a.data());
  args.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return ErrnoStatus(rc, api::Cat("run ", argv[0]));
  in_r.Reset();
  out_w.Reset();
  err_w.Reset();

  ProcessResult result;
  size_t written = 0;
  if (options.stdin_data.empty()) in_w.Reset();
  absl::Time deadline = absl::Now() + options.timeout;
  bool timed_out = false;
  while (out_r.ok() || err_r.ok() || in_w.ok()) {
    pollfd fds[3];
    int n = 0;
    if (out_r.ok()) fds[n++] = {out_r.get(), POLLIN, 0};
    if (err_r.ok()) fds[n++] = {err_r.get(), POLLIN, 0};
    if (in_w.ok()) fds[n++] = {in_w.get(), POLLOUT, 0};
    int64_t wait_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (wait_ms <= 0) {
      timed_out = true;
      break;
    }
    int r = ::poll(fds, n, static_cast<int>(std::min<int64_t>(wait_ms, 1000)));
    if (r < 0 && errno != EINTR) break;
    for (int i = 0; i < n && r > 0; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_w.get()) {
        ssize_t w = ::write(in_w.get(), options.stdin_data.data() + written,
                            options.stdin_data.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 || written == options.stdin_data.size()) in_w.Reset();
        continue;
      }
      char buf[8192];
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        (fds[i].fd == out_r.get() ? result.out : result.err).append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        (fds[i].fd == out_r.get() ? out_r : err_r).Reset();
      }
    }
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return absl::DeadlineExceededError(
        api::Cat(argv[0], " did not finish within ", absl::FormatDuration(options.timeout)));
  }
  result.exit_code = DecodeWaitStatus(status);
  return result;
}

}  // namespace skiff::agent::runtime
