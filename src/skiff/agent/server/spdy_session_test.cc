#include "skiff/agent/server/spdy_session.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "skiff/agent/runtime/hollow/hollow_runtime.h"
#include "skiff/agent/server/spdy_test_client.h"

namespace skiff::agent::server {
namespace {

void WriteFd(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n <= 0) return;
    s.remove_prefix(static_cast<size_t>(n));
  }
}

std::string ReadFd(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

// A runtime whose Exec does what the test says with the streams it is given.
class ScriptedRuntime : public runtime::HollowRuntime {
 public:
  using Script = std::function<absl::StatusOr<int>(const runtime::ExecStreams&)>;
  ScriptedRuntime() : HollowRuntime({.node_ip = "127.0.0.1", .pod_subnet = "10.9.9"}) {}
  absl::StatusOr<int> Exec(std::string_view id, const std::vector<std::string>& command,
                           const runtime::ExecStreams& streams) override {
    {
      absl::MutexLock lock(&mu_);
      seen_ = streams;
      ++calls_;
    }
    return script_(streams);
  }
  void set_script(Script s) { script_ = std::move(s); }
  runtime::ExecStreams seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  Script script_;
  absl::Mutex mu_;
  runtime::ExecStreams seen_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

const std::vector<std::string> kCommand = {"sh", "-c", "echo out; echo err >&2; exit 3"};

class SpdySessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // SIGPIPE keeps its default here: the session must not raise it.
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_), 0);
  }
  void TearDown() override {
    ::shutdown(fds_[0], SHUT_RDWR);
    if (server_.joinable()) server_.join();
    ::close(fds_[0]);
    ::close(fds_[1]);
  }

  // Serves the session on the far end of the pair; it shuts the socket down when done.
  void Start(SpdyExecOptions options, std::vector<std::string> command = kCommand) {
    options_ = std::move(options);
    options_.linger = absl::Seconds(5);
    command_ = std::move(command);
    server_ = std::jthread([this] {
      ServeSpdyExec(fds_[1], options_, command_,
                    [this](const runtime::ExecStreams& s) { return rt_.Exec("c1", command_, s); });
      ::shutdown(fds_[1], SHUT_RDWR);
      served_ = true;
    });
  }
  // The client is done: the session ends once it sees the connection close.
  void Hangup() {
    ::shutdown(fds_[0], SHUT_WR);
    server_.join();
  }

  int fds_[2] = {-1, -1};
  ScriptedRuntime rt_;
  SpdyExecOptions options_;
  std::vector<std::string> command_;
  std::atomic<bool> served_{false};
  std::jthread server_;
};

TEST_F(SpdySessionTest, StdoutStderrAndNonZeroExitCode) {
  rt_.set_script([](const runtime::ExecStreams& s) -> absl::StatusOr<int> {
    WriteFd(s.stdout_fd, "out\n");
    WriteFd(s.stderr_fd, "err\n");
    return 3;
  });
  Start({.protocol = "v4.channel.k8s.io", .want_stdout = true, .want_stderr = true});
  SpdyTestClient c(fds_[0]);
  ASSERT_EQ(c.Open("error"), 1u);
  ASSERT_EQ(c.Open("stdout"), 3u);
  ASSERT_EQ(c.Open("stderr"), 5u);
  for (const SpdyFrame& r : c.replies()) {
    EXPECT_TRUE(r.headers.empty());
    EXPECT_EQ(r.flags, 0);
  }
  auto t = c.ReadUntilGoAway();
  EXPECT_EQ(c.error(), "");
  EXPECT_EQ(t.data[3], "out\n");
  EXPECT_EQ(t.data[5], "err\n");
  EXPECT_EQ(t.data[1],
            R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero )"
            R"(exit code: error executing command [sh -c echo out; echo err >&2; exit 3], exit )"
            R"(code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode",)"
            R"("message":"3"}]}})");
  EXPECT_EQ(t.fin, (std::set<uint32_t>{1, 3, 5}));
  EXPECT_TRUE(t.control.empty());
  ASSERT_TRUE(t.goaway.has_value());
  EXPECT_EQ(t.goaway->stream_id, 5u);
  EXPECT_EQ(t.goaway->status, kSpdyGoAwayOk);
  Hangup();
  EXPECT_TRUE(served_);
  runtime::ExecStreams seen = rt_.seen();
  EXPECT_EQ(seen.stdin_fd, -1);
  EXPECT_NE(seen.stdout_fd, seen.stderr_fd);
}

TEST_F(SpdySessionTest, StdinToTheCommandAndSuccess) {
  rt_.set_script([](const runtime::ExecStreams& s) -> absl::StatusOr<int> {
    std::string in = ReadFd(s.stdin_fd);
    for (char& ch : in) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    WriteFd(s.stdout_fd, in);
    return 0;
  });
  // kubectl 1.29 offers v5 first; over SPDY it is v4.
  Start({.protocol = "v5.channel.k8s.io",
         .want_stdin = true,
         .want_stdout = true,
         .want_stderr = true});
  SpdyTestClient c(fds_[0]);
  ASSERT_EQ(c.Open("error"), 1u);
  ASSERT_EQ(c.Open("stdin"), 3u);
  ASSERT_EQ(c.Open("stdout"), 5u);
  ASSERT_EQ(c.Open("stderr"), 7u);
  c.Send(SpdyFrame::Data(3, "hello "));
  c.Send(SpdyFrame::Data(3, "stdin\n", true));
  auto t = c.ReadUntilGoAway();
  EXPECT_EQ(t.data[5], "HELLO STDIN\n");
  EXPECT_EQ(t.data[7], "");
  EXPECT_EQ(t.data[1], R"({"metadata":{},"status":"Success"})");
  // Every stream ends from the agent's side, stdin's too (the client waits for that).
  EXPECT_EQ(t.fin, (std::set<uint32_t>{1, 3, 5, 7}));
  Hangup();
}

TEST_F(SpdySessionTest, OlderProtocolsReportTheMessageOnly) {
  rt_.set_script([](const runtime::ExecStreams&) -> absl::StatusOr<int> { return 2; });
  Start({.protocol = "v3.channel.k8s.io", .want_stdout = true}, {"false"});
  SpdyTestClient c(fds_[0]);
  ASSERT_EQ(c.Open("error"), 1u);
  ASSERT_EQ(c.Open("stdout"), 3u);
  auto t = c.ReadUntilGoAway();
  EXPECT_EQ(t.data[1],
            "command terminated with non-zero exit code: error executing command [false], exit "
            "code 2");
  EXPECT_EQ(t.data[3], "");
  Hangup();
}

TEST_F(SpdySessionTest, OlderProtocolsSayNothingOnSuccess) {
  rt_.set_script([](const runtime::ExecStreams&) -> absl::StatusOr<int> { return 0; });
  Start({.protocol = "v2.channel.k8s.io", .want_stdout = true}, {"true"});
  SpdyTestClient c(fds_[0]);
  ASSERT_EQ(c.Open("error"), 1u);
  ASSERT_EQ(c.Open("stdout"), 3u);
  auto t = c.ReadUntilGoAway();
  EXPECT_EQ(t.data[1], "");
  EXPECT_EQ(t.fin, (std::set<uint32_t>{1, 3}));
  Hangup();
}

TEST_F(SpdySessionTest, ExecFailureIsAnInternalError) {
  rt_.set_script([](const runtime::ExecStreams&) -> absl::StatusOr<int> {
    return absl::FailedPreconditionError("container c1 is not running");
  });
  Start({.protocol = "v4.channel.k8s.io", .want_stdout = true}, {"ls"});
  SpdyTestClient c(fds_[0]);
  ASSERT_EQ(c.Open("error"), 1u);
  ASSERT_EQ(c.Open("stdout"), 3u);
  auto t = c.ReadUntilGoAway();
  EXPECT_EQ(t.data[1],
            R"({"metadata":{},"status":"Failure","message":"error executing command in )"
            R"(container: container c1 is not running","reason":"InternalError","code":500})");
  Hangup();
}

TEST_F(SpdySessionTest, TtyHasNoStderrAndReadsResizes) {
  std::vector<std::pair<int, int>> sizes;
  absl::Mutex mu;
  rt_.set_script([](const runtime::ExecStreams& s) -> absl::StatusOr<int> {
    std::string in = ReadFd(s.stdin_fd);
    WriteFd(s.stderr_fd, "prompt$ ");
    WriteFd(s.stdout_fd, "got " + in);
    return 5;
  });
  SpdyExecOptions o{.protocol = "v4.channel.k8s.io",
                    .want_stdin = true,
                    .want_stdout = true,
                    .want_stderr = true,
                    .tty = true};
  o.resize = [&](uint16_t w, uint16_t h) {
    absl::MutexLock lock(&mu);
    sizes.emplace_back(w, h);
  };
  Start(o);
  SpdyTestClient c(fds_[0]);
  ASSERT_EQ(c.Open("error"), 1u);
  ASSERT_EQ(c.Open("stdin"), 3u);
  ASSERT_EQ(c.Open("stdout"), 5u);
  ASSERT_EQ(c.Open("resize"), 7u);
  // Go's json.Encoder: one object a line, here split across frames.
  c.Send(SpdyFrame::Data(7, "{\"Width\":80,\"Height\":24}\n{\"Width\":"));
  c.Send(SpdyFrame::Data(7, "132,\"Height\":43}\nnot json\n"));
  c.Send(SpdyFrame::Data(3, "exit 5\n", true));
  auto t = c.ReadUntilGoAway();
  EXPECT_EQ(t.data[5], "prompt$ got exit 5\n");
  EXPECT_NE(t.data[1].find(R"("causes":[{"reason":"ExitCode","message":"5"}])"), std::string::npos);
  Hangup();
  EXPECT_EQ(rt_.seen().stderr_fd, rt_.seen().stdout_fd);
  absl::MutexLock lock(&mu);
  EXPECT_EQ(sizes, (std::vector<std::pair<int, int>>{{80, 24}, {132, 43}}));
}

TEST_F(SpdySessionTest, CommandThatStopsReadingStdin) {
  rt_.set_script([](const runtime::ExecStreams& s) -> absl::StatusOr<int> {
    char c;
    EXPECT_EQ(::read(s.stdin_fd, &c, 1), 1);
    absl::SleepFor(absl::Milliseconds(100));  // the pipe fills behind it
    WriteFd(s.stdout_fd, "bye\n");
    return 0;
  });
  Start({.protocol = "v4.channel.k8s.io", .want_stdin = true, .want_stdout = true}, {"head"});
  SpdyTestClient c(fds_[0]);
  ASSERT_EQ(c.Open("error"), 1u);
  ASSERT_EQ(c.Open("stdin"), 3u);
  ASSERT_EQ(c.Open("stdout"), 5u);
  for (int i = 0; i < 32; ++i) c.Send(SpdyFrame::Data(3, std::string(32 * 1024, 'y')));
  auto t = c.ReadUntilGoAway();
  EXPECT_EQ(t.data[5], "bye\n");
  EXPECT_EQ(t.data[1], R"({"metadata":{},"status":"Success"})");
  Hangup();
}

TEST_F(SpdySessionTest, PingsAnsweredAndBadStreamsRefused) {
  rt_.set_script([](const runtime::ExecStreams& s) -> absl::StatusOr<int> { return 0; });
  Start({.protocol = "v4.channel.k8s.io", .want_stdout = true});
  SpdyTestClient c(fds_[0]);
  c.Send(SpdyFrame::Ping(1));
  auto f = c.Next();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->type, SpdyType::kPing);
  EXPECT_EQ(f->value, 1u);
  // An even ID is the server's to use.
  c.Send(SpdyFrame::SynStream(2, {{"streamtype", "stdout"}}));
  f = c.Next();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->type, SpdyType::kRstStream);
  EXPECT_EQ(f->stream_id, 2u);
  EXPECT_EQ(f->status, kSpdyProtocolError);
  ASSERT_EQ(c.Open("error"), 1u);
  ASSERT_EQ(c.Open("unknown"), 3u);  // replied to, not counted
  ASSERT_EQ(c.Open("stdout"), 5u);
  auto t = c.ReadUntilGoAway();
  EXPECT_EQ(t.data[1], R"({"metadata":{},"status":"Success"})");
  EXPECT_EQ(t.fin, (std::set<uint32_t>{1, 5}));
  Hangup();
}

TEST_F(SpdySessionTest, WithoutFlowControlFromTheClientAllOutputFlows) {
  // spdystream never sends WINDOW_UPDATE: more than a window's worth must still arrive.
  std::string big(200 * 1024, 'x');
  rt_.set_script([&](const runtime::ExecStreams& s) -> absl::StatusOr<int> {
    WriteFd(s.stdout_fd, big);
    return 0;
  });
  Start({.protocol = "v4.channel.k8s.io", .want_stdin = true, .want_stdout = true});
  SpdyTestClient c(fds_[0]);
  ASSERT_EQ(c.Open("error"), 1u);
  ASSERT_EQ(c.Open("stdin"), 3u);
  ASSERT_EQ(c.Open("stdout"), 5u);
  // 40 KiB of stdin: the agent gives the window back, for the stream and the session.
  c.Send(SpdyFrame::Data(3, std::string(40 * 1024, 'i'), true));
  auto t = c.ReadUntilGoAway();
  EXPECT_EQ(t.data[5].size(), big.size());
  std::vector<std::pair<uint32_t, uint32_t>> updates;
  for (const SpdyFrame& f : t.control) {
    if (f.type == SpdyType::kWindowUpdate) updates.emplace_back(f.stream_id, f.value);
  }
  EXPECT_EQ(updates, (std::vector<std::pair<uint32_t, uint32_t>>{{3, 40 * 1024}, {0, 40 * 1024}}));
  Hangup();
}

TEST_F(SpdySessionTest, HonoursWindowsOfAFlowControllingClient) {
  rt_.set_script([](const runtime::ExecStreams& s) -> absl::StatusOr<int> {
    WriteFd(s.stdout_fd, std::string(25, 'a'));
    return 0;
  });
  SpdyTestClient c(fds_[0]);
  SpdyFrame settings;
  settings.type = SpdyType::kSettings;
  settings.settings = {{0, kSpdySettingsInitialWindowSize, 10}};
  c.Send(settings);
  Start({.protocol = "v4.channel.k8s.io", .want_stdout = true});
  ASSERT_EQ(c.Open("error"), 1u);
  ASSERT_EQ(c.Open("stdout"), 3u);
  std::string got;
  auto f = c.Next();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->stream_id, 3u);
  got += f->data;
  EXPECT_EQ(got.size(), 10u);
  EXPECT_FALSE(c.Next(absl::Milliseconds(300)).has_value());  // the window is used up
  c.Send(SpdyFrame::WindowUpdate(3, 10));
  f = c.Next();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->data.size(), 10u);
  c.Send(SpdyFrame::WindowUpdate(3, 100));
  f = c.Next();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->data, "aaaaa");
  // The status waits for the error stream's window too.
  EXPECT_EQ(c.Next(absl::Milliseconds(300))->fin(), true);  // stdout's end
  auto status = c.Next();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->stream_id, 1u);
  EXPECT_EQ(status->data, std::string(R"({"metadata":{},"status":"Success"})").substr(0, 10));
  EXPECT_FALSE(c.Next(absl::Milliseconds(300)).has_value());
  c.Send(SpdyFrame::WindowUpdate(1, 100));
  auto t = c.ReadUntilGoAway();
  EXPECT_EQ(t.data[1], std::string(R"({"metadata":{},"status":"Success"})").substr(10));
  Hangup();
}

TEST_F(SpdySessionTest, GivesUpWhenStreamsDoNotCome) {
  rt_.set_script([](const runtime::ExecStreams&) -> absl::StatusOr<int> { return 0; });
  SpdyExecOptions o{.protocol = "v4.channel.k8s.io", .want_stdout = true};
  o.stream_creation_timeout = absl::Milliseconds(200);
  Start(o);
  SpdyTestClient c(fds_[0]);
  ASSERT_EQ(c.Open("error"), 1u);
  EXPECT_FALSE(c.Next().has_value());  // closed without running anything
  server_.join();
  EXPECT_TRUE(served_);
  EXPECT_EQ(rt_.calls(), 0);
}

TEST_F(SpdySessionTest, ClientGoneBeforeStreams) {
  Start({.protocol = "v4.channel.k8s.io", .want_stdout = true});
  Hangup();
  EXPECT_TRUE(served_);
  EXPECT_EQ(rt_.calls(), 0);
}

TEST(NegotiateSpdyExecProtocolTest, Table) {
  struct Case {
    std::vector<std::string_view> offered;
    std::string want;
  } cases[] = {
      // kubectl 1.29 and newer.
      {{"v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io",
        "channel.k8s.io"},
       "v5.channel.k8s.io"},
      // kubectl 1.27 and 1.28.
      {{"v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"},
       "v4.channel.k8s.io"},
      {{"v3.channel.k8s.io, v2.channel.k8s.io"}, "v3.channel.k8s.io"},
      {{"v9.channel.k8s.io", " channel.k8s.io "}, "channel.k8s.io"},
  };
  for (const auto& c : cases) {
    auto got = NegotiateSpdyExecProtocol(c.offered);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.want);
  }
  auto none = NegotiateSpdyExecProtocol({});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(none.status().message(), "unable to upgrade: X-Stream-Protocol-Version is required");
  auto unknown = NegotiateSpdyExecProtocol({"v9.channel.k8s.io,v8.channel.k8s.io"});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(unknown.status().message(),
            "unable to upgrade: unable to negotiate protocol: client supports [v9.channel.k8s.io "
            "v8.channel.k8s.io], server accepts [v5.channel.k8s.io v4.channel.k8s.io "
            "v3.channel.k8s.io v2.channel.k8s.io channel.k8s.io]");
}

}  // namespace
}  // namespace skiff::agent::server
