// skiff-shim: the parent of one container, so that its exit status outlives the agent.
//
//   skiff-shim RUNC RUNC_ROOT ID BUNDLE STATE_DIR     (fd 3: a pipe to the agent)
//
// Detaches (double fork, new session), becomes a child subreaper and runs `runc run --detach`
// (create and start in one runc process), so the container's init is reparented to the shim.
// Reports "ok <container pid> <shim pid>" or "error <text>" on fd 3 and closes it. When the
// container exits, writes STATE_DIR/exit as "<exit code> <unix nanoseconds>" (128+N for signal
// N) and exits. The container's stdout and stderr are the shim's (the agent passes its log
// file). Linked statically; single-threaded.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

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
  pid_t child = fork();
  if (child < 0) Fail(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
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
  close(kSyncFd);
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull >= 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
  }

  int code = 255;  // the container was not our child after all: its status is unknown
  while (true) {
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
