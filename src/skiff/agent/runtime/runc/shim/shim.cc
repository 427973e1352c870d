// skiff-shim: the parent of one container, so that its exit status outlives the agent.
//
//   skiff-shim RUNC RUNC_ROOT ID BUNDLE STATE_DIR     (fd 3: a pipe to the agent)
//
// Detaches (double fork, new session), becomes a child subreaper and runs `runc run --detach`
// (create and start in one runc process), so the container's init is reparented to the shim.
// Reports "ok <container pid> <shim pid>" or "error <text>" on fd 3 and closes it. When the
// container exits, writes STATE_DIR/exit as "<exit code> <unix nanoseconds>" (128+N for signal
// N) and exits. The container's stdout and stderr are the shim's (the agent passes its log
// file), unless STATE_DIR/log names a CRI log ("<path>\n<max bytes>\n<max files>\n"): then the
// shim reads both through pipes and writes them there (logs/cri_log_writer.h), so the log goes
// on while the agent is away, and records the exit only once the output is all written.
// Linked statically; single-threaded.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "skiff/agent/logs/cri_log_writer.h"

namespace {

constexpr int kSyncFd = 3;

void Report(const std::string& line) {
  std::string msg = line + "\n";
  (void)!write(kSyncFd, msg.data(), msg.size());
}

[[noreturn]] void Fail(const std::string& what) {
  Report("error " + what);
  _exit(1);
}

std::string ReadSmallFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[64];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

void WriteFileAtomic(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  (void)!write(fd, data.data(), data.size());
  fsync(fd);
  close(fd);
  rename(tmp.c_str(), path.c_str());
}

std::string ReadWholeFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

timespec Now() {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return now;
}

// The CRI log the container's output goes to, when the agent asked for one.
struct LogConfig {
  std::string path;
  skiff::agent::logs::CriLogWriterOptions options;
};

bool ReadLogConfig(const std::string& state, LogConfig* config) {
  std::string text = ReadWholeFile(state + "/log");
  size_t a = text.find('\n');
  if (a == std::string::npos || a == 0) return false;
  config->path = text.substr(0, a);
  size_t b = text.find('\n', a + 1);
  if (b != std::string::npos) {
    config->options.max_bytes = std::atoll(text.c_str() + a + 1);
    config->options.max_files = std::atoi(text.c_str() + b + 1);
  }
  return true;
}

// Waits for the container while copying its stdout and stderr into the CRI log; returns its
// exit code. SIGCHLD is blocked and read from a signalfd so one poll serves all three.
int CopyOutputUntilExit(pid_t container, int out_r, int err_r, const LogConfig& config) {
  using skiff::agent::logs::Stream;
  skiff::agent::logs::CriLogWriter writer(config.path, config.options);
  writer.Open();
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  int fds[2] = {out_r, err_r};
  int code = -1;
  bool no_child = false;
  timespec exited_at{};
  auto reap = [&] {
    int status = 0;
    pid_t w;
    while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
      if (w == container) code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (w < 0 && errno == ECHILD) no_child = true;
    if ((code >= 0 || no_child) && exited_at.tv_sec == 0)
      clock_gettime(CLOCK_MONOTONIC, &exited_at);
  };
  reap();
  while (true) {
    bool open_pipes = fds[0] >= 0 || fds[1] >= 0;
    bool done = code >= 0 || no_child;
    if (done && !open_pipes) break;
    int timeout = -1;
    if (done) {
      // Whatever the container's leftovers still hold open gets two more seconds.
      timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      long long waited =
          (now.tv_sec - exited_at.tv_sec) * 1000LL + (now.tv_nsec - exited_at.tv_nsec) / 1000000;
      if (waited >= 2000) break;
      timeout = static_cast<int>(2000 - waited);
    } else if (sfd < 0) {
      timeout = 200;  // no signalfd: poll for the exit
    }
    pollfd p[3] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}, {sfd, POLLIN, 0}};
    int n = poll(p, 3, timeout);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i] < 0 || p[i].revents == 0) continue;
      char buf[65536];
      ssize_t got = read(fds[i], buf, sizeof buf);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      Stream s = i == 0 ? Stream::kStdout : Stream::kStderr;
      if (got <= 0) {
        writer.Close(s, Now());
        close(fds[i]);
        fds[i] = -1;
      } else {
        writer.Write(s, std::string_view(buf, static_cast<size_t>(got)), Now());
      }
    }
    if (sfd >= 0 && (p[2].revents & POLLIN)) {
      signalfd_siginfo info;
      while (read(sfd, &info, sizeof info) > 0) {
      }
    }
    reap();
  }
  for (int i = 0; i < 2; ++i) {
    if (fds[i] >= 0) {
      writer.Close(i == 0 ? Stream::kStdout : Stream::kStderr, Now());
      close(fds[i]);
    }
  }
  if (sfd >= 0) close(sfd);
  return code >= 0 ? code : 255;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: skiff-shim RUNC RUNC_ROOT ID BUNDLE STATE_DIR\n");
    return 2;
  }
  const std::string runc = argv[1], root = argv[2], id = argv[3], bundle = argv[4], state = argv[5];
  // Neither runc nor the container may hold the agent's pipe: it must see EOF after the report.
  fcntl(kSyncFd, F_SETFD, FD_CLOEXEC);
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);

  pid_t first = fork();
  if (first < 0) Fail(std::string("fork: ") + std::strerror(errno));
  if (first > 0) _exit(0);  // the agent reaps this one; the shim lives on, reparented
  setsid();
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    Fail(std::string("become subreaper: ") + std::strerror(errno));
  }
  WriteFileAtomic(state + "/shim.pid", std::to_string(getpid()) + "\n");

  const std::string pid_file = state + "/pid", log = state + "/runc.log";
  LogConfig log_config;
  const bool cri_log = ReadLogConfig(state, &log_config);
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  if (cri_log) {
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
      Fail(std::string("pipe: ") + std::strerror(errno));
    }
    // SIGCHLD is read from a signalfd; blocked before the container can exit.
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
  }
  pid_t child = fork();
  if (child < 0) Fail(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    if (cri_log) {
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
      dup2(devnull, 0);
      dup2(out_pipe[1], 1);
      dup2(err_pipe[1], 2);
    }
    execl(runc.c_str(), runc.c_str(), "--root", root.c_str(), "--log", log.c_str(), "--log-format",
          "json", "run", "--detach", "--bundle", bundle.c_str(), "--pid-file", pid_file.c_str(),
          id.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Fail("runc run exited with " +
         std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
  }
  pid_t container = static_cast<pid_t>(std::atoi(ReadSmallFile(pid_file).c_str()));
  if (container <= 0) Fail("runc run wrote no pid file");
  Report("ok " + std::to_string(container) + " " + std::to_string(getpid()));
  if (cri_log) {
    close(out_pipe[1]);
    close(err_pipe[1]);
  }
  close(kSyncFd);
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull >= 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
  }

  int code = 255;  // the container was not our child after all: its status is unknown
  if (cri_log) code = CopyOutputUntilExit(container, out_pipe[0], err_pipe[0], log_config);
  while (!cri_log) {
    pid_t w = waitpid(-1, &status, 0);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) break;
    if (w != container) continue;  // an orphan reparented to us
    code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    break;
  }
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  long long nanos = static_cast<long long>(now.tv_sec) * 1000000000LL + now.tv_nsec;
  WriteFileAtomic(state + "/exit", std::to_string(code) + " " + std::to_string(nanos) + "\n");
  return 0;
}
