#include "skiff/agent/server/exec_process.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>

#include "skiff/api/text.h"

namespace skiff::agent::server {

using base::UniqueFd;

namespace {

absl::Status MakePipe(UniqueFd& r, UniqueFd& w) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return base::ErrnoStatus(errno, "pipe");
  r.Reset(p[0]);
  w.Reset(p[1]);
  return absl::OkStatus();
}

}  // namespace

std::string ExecStatusJson(const std::vector<std::string>& command, int exit_code) {
  namespace json = boost::json;
  if (exit_code == 0) return R"({"metadata":{},"status":"Success"})";
  json::object causes{{"reason", "ExitCode"}, {"message", std::to_string(exit_code)}};
  std::string cmd = api::Join(command, " ");
  return json::serialize(json::object{
      {"metadata", json::object{}},
      {"status", "Failure"},
      {"message", api::Cat("command terminated with non-zero exit code: error executing command [",
                           cmd, "], exit code ", exit_code)},
      {"reason", "NonZeroExitCode"},
      {"details", json::object{{"causes", json::array{causes}}}}});
}

std::string ExecErrorJson(std::string_view message) {
  namespace json = boost::json;
  return json::serialize(json::object{{"metadata", json::object{}},
                                      {"status", "Failure"},
                                      {"message", message},
                                      {"reason", "InternalError"},
                                      {"code", 500}});
}

std::string ExecResultJson(const std::vector<std::string>& command,
                           const absl::StatusOr<int>& result) {
  if (result.ok()) return ExecStatusJson(command, *result);
  return ExecErrorJson(
      api::Cat("error executing command in container: ", std::string(result.status().message())));
}

ExecProcess::~ExecProcess() {
  in_w_.Reset();
  out_r_.Reset();
  err_r_.Reset();
  if (runner_.joinable()) runner_.join();
}

absl::Status ExecProcess::Open(bool want_stdin, bool want_stdout, bool want_stderr, bool tty) {
  tty_ = tty;
  if (want_stdin) {
    if (auto s = MakePipe(in_r_, in_w_); !s.ok()) return s;
  }
  if (want_stdout) {
    if (auto s = MakePipe(out_r_, out_w_); !s.ok()) return s;
  }
  if (want_stderr && !tty) {
    if (auto s = MakePipe(err_r_, err_w_); !s.ok()) return s;
  }
  return MakePipe(done_r_, done_w_);
}

void ExecProcess::Start(Runner run) {
  started_ = true;
  runtime::ExecStreams streams;
  streams.stdin_fd = in_r_.get();
  streams.stdout_fd = out_w_.get();
  streams.stderr_fd = tty_ ? out_w_.get() : err_w_.get();
  runner_ = std::jthread([this, run = std::move(run), streams] {
    absl::StatusOr<int> result = run(streams);
    // The command is done: its ends of the pipes go, so the session sees EOF once drained.
    in_r_.Reset();
    out_w_.Reset();
    err_w_.Reset();
    result_ = std::move(result);
    done_w_.Reset();
  });
}

ssize_t ExecProcess::WriteStdin(std::string_view data) {
  // The host process may not ignore SIGPIPE (tests embed the agent server): block it for this
  // write and take back the one the write raised.
  sigset_t pipe, old;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, &old);
  ssize_t n = ::write(in_w_.get(), data.data(), data.size());
  int err = errno;
  if (n < 0 && err == EPIPE) {
    timespec none{0, 0};
    sigtimedwait(&pipe, nullptr, &none);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = err;
  return n;
}

absl::StatusOr<int> ExecProcess::Wait() {
  if (runner_.joinable()) runner_.join();
  return result_;
}

}  // namespace skiff::agent::server
