// skiff-pause: the process that holds a pod sandbox's namespaces (network, IPC, UTS) open while
// the pod's containers come and go, like Kubernetes' pause image. Runs as PID 1 of the sandbox:
// reaps orphans, exits on SIGINT/SIGTERM. Linked statically so its bundle needs no libraries.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

void Exit(int) { _exit(0); }

void Reap(int) {
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

}  // namespace

int main() {
  struct sigaction sa = {};
  sa.sa_handler = Exit;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = Reap;
  sa.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, nullptr);
  for (;;) pause();
}
