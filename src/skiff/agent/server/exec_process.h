// A command run in a container for `kubectl exec`: pipes for the streams the client asked for
// and a thread that runs it (Runtime::Exec) with their far ends. The exec sessions (WebSocket in
// agent_server.cc, SPDY in spdy_session.h) pump the near ends on their own thread; everything
// here but the runner belongs to that one thread.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "skiff/agent/runtime/runtime.h"
#include "skiff/base/files.h"

namespace skiff::agent::server {

// The status sent on the error stream (channel 3) when a command ends, as the kubelet reports
// it: Success, or NonZeroExitCode with the code in details.causes.
std::string ExecStatusJson(const std::vector<std::string>& command, int exit_code);
// A Failure status for a command that could not run at all.
std::string ExecErrorJson(std::string_view message);
// The status for what Runtime::Exec returned.
std::string ExecResultJson(const std::vector<std::string>& command,
                           const absl::StatusOr<int>& result);

class ExecProcess {
 public:
  // Runs the command with these streams and returns its exit code.
  using Runner = std::function<absl::StatusOr<int>(const runtime::ExecStreams&)>;

  ExecProcess() = default;
  // Closes the agent's ends (the command sees EOF on stdin, EPIPE on output) and waits for the
  // command.
  ~ExecProcess();
  ExecProcess(const ExecProcess&) = delete;
  ExecProcess& operator=(const ExecProcess&) = delete;

  // Makes a pipe for each stream wanted; a stream not wanted is /dev/null. With a TTY, stderr
  // writes to stdout's pipe (a terminal has one output).
  absl::Status Open(bool want_stdin, bool want_stdout, bool want_stderr, bool tty);
  // Runs the command on its own thread; its ends of the pipes close when it returns. Once.
  void Start(Runner run);
  bool started() const { return started_; }

  // The agent's ends, not valid when not wanted; the session resets them as it is done with
  // them (stdin at the client's EOF, outputs at theirs).
  base::UniqueFd& stdin_writer() { return in_w_; }
  base::UniqueFd& stdout_reader() { return out_r_; }
  base::UniqueFd& stderr_reader() { return err_r_; }
  // Writes to the command's stdin (blocking or not as the descriptor is), as write(2) does but
  // without raising SIGPIPE when the command has closed it: -1 with EPIPE then.
  ssize_t WriteStdin(std::string_view data);
  // Becomes readable (EOF) once the command has returned.
  int done_fd() const { return done_r_.get(); }

  // Waits for the command: its exit code, or why it could not run.
  absl::StatusOr<int> Wait();

 private:
  base::UniqueFd in_r_, in_w_, out_r_, out_w_, err_r_, err_w_, done_r_, done_w_;
  bool tty_ = false;
  bool started_ = false;
  absl::StatusOr<int> result_ = absl::FailedPreconditionError("the command was not started");
  std::jthread runner_;
};

}  // namespace skiff::agent::server
