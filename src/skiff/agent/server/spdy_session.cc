#include "skiff/agent/server/spdy_session.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <map>

#include "skiff/agent/server/spdy.h"
#include "skiff/api/text.h"
#include "spdlog/spdlog.h"

namespace skiff::agent::server {

namespace json = boost::json;

namespace {

// What one output read may carry: a frame per pipe read.
constexpr size_t kReadChunk = 32 * 1024;
// Client stdin held for a command that does not read it yet; past this the agent stops reading
// the connection (TCP pushes back on the client).
constexpr size_t kMaxPendingStdin = 1024 * 1024;
constexpr int64_t kMaxWindow = 0x7fffffff;

enum class Kind { kError, kStdin, kStdout, kStderr, kResize, kOther };

Kind KindOf(const SpdyHeaders& headers) {
  for (const auto& [name, value] : headers) {
    if (name != "streamtype") continue;
    if (value == "error") return Kind::kError;
    if (value == "stdin") return Kind::kStdin;
    if (value == "stdout") return Kind::kStdout;
    if (value == "stderr") return Kind::kStderr;
    if (value == "resize") return Kind::kResize;
  }
  return Kind::kOther;
}

struct Stream {
  Kind kind = Kind::kOther;
  bool peer_done = false;  // the client sent FIN or RST: no more data from it
  bool done = false;       // the agent sent FIN, or either side RST: nothing more to it
  int64_t send_window = kSpdyDefaultWindow;
  uint32_t unacked = 0;  // received, not yet given back with WINDOW_UPDATE
};

class Session {
 public:
  Session(int sock, const SpdyExecOptions& options, const std::vector<std::string>& command)
      : sock_(sock), options_(options), command_(command) {}

  void Serve(ExecProcess::Runner run);

 private:
  bool WaitForStreams();
  void Pump();
  void Finish(absl::StatusOr<int> result);
  void Linger();

  // Reads what the socket has and handles every complete frame; false once the client is gone
  // or broke the protocol.
  bool ReadSocket();
  // Waits for the socket until `deadline` and reads it; false past the deadline or once the
  // client is gone.
  bool AwaitFrames(absl::Time deadline);
  void Handle(SpdyFrame& f);
  void OnSynStream(const SpdyFrame& f);
  void OnData(SpdyFrame& f);
  void OnPeerDone(Stream& s);
  void OnResize(std::string_view data);

  void Send(const SpdyFrame& f);
  Stream* Find(uint32_t id);
  Stream* Role(Kind kind);
  // True when output for `kind` can go out now, or has nowhere to go and is read to be dropped.
  bool Writable(Kind kind);
  // Reads a pipe once and sends what came; resets the pipe at EOF and ends the stream.
  void PumpOutput(base::UniqueFd& fd, Kind kind);
  void WriteStdin();
  void EndStream(Kind kind);
  // Sends `data` on the stream of `kind`, waiting for the client's window when it keeps one (up
  // to the linger time).
  void SendWhenWindowAllows(Kind kind, std::string_view data);
  void CloseStdin();

  int sock_;
  const SpdyExecOptions& options_;
  const std::vector<std::string>& command_;
  ExecProcess process_;
  SpdyEncoder encoder_;
  SpdyDecoder decoder_;

  std::map<uint32_t, Stream> streams_;
  uint32_t roles_[5] = {};  // stream ID per Kind up to kResize; 0: none yet
  int expected_ = 0;
  int received_ = 0;
  uint32_t last_peer_stream_ = 0;
  bool peer_open_ = true;  // the client's side of the socket is readable
  bool write_ok_ = true;   // the socket still takes writes
  bool goaway_received_ = false;

  // Flow control. spdystream (every kubectl) neither sends WINDOW_UPDATE nor honours it, so the
  // agent only holds back output once the client shows it does flow control: a WINDOW_UPDATE
  // or an initial window in SETTINGS. Until then windows are counted, not enforced.
  bool flow_control_ = false;
  int64_t initial_window_ = kSpdyDefaultWindow;
  int64_t session_window_ = kSpdyDefaultWindow;
  uint32_t session_unacked_ = 0;

  std::string pending_stdin_;
  bool stdin_eof_ = false;  // the client finished stdin
  std::string resize_buf_;
  bool command_done_ = false;
};

void Session::Serve(ExecProcess::Runner run) {
  const bool tty = options_.tty;
  const bool resizable =
      options_.protocol != "v2.channel.k8s.io" && options_.protocol != "channel.k8s.io";
  expected_ = 1 + options_.want_stdin + options_.want_stdout + (options_.want_stderr && !tty) +
              (tty && resizable);
  if (!WaitForStreams()) return;
  absl::Status opened =
      process_.Open(options_.want_stdin, options_.want_stdout, options_.want_stderr, tty);
  if (!opened.ok()) {
    Finish(opened);
  } else {
    if (process_.stdin_writer().ok()) {
      ::fcntl(process_.stdin_writer().get(), F_SETFL, O_NONBLOCK);
    }
    process_.Start(std::move(run));
    Pump();
    Finish(process_.Wait());
  }
  Linger();
}

bool Session::WaitForStreams() {
  absl::Time deadline = absl::Now() + options_.stream_creation_timeout;
  while (received_ < expected_) {
    if (!AwaitFrames(deadline)) {
      if (peer_open_) {
        spdlog::warn("exec over SPDY: timed out waiting for the client to create streams");
      }
      return false;
    }
  }
  return true;
}

bool Session::AwaitFrames(absl::Time deadline) {
  absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return false;
  pollfd p{sock_, POLLIN, 0};
  int n = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
  if (n < 0) return errno == EINTR;
  return n == 0 || ReadSocket();
}

void Session::Pump() {
  base::UniqueFd& in = process_.stdin_writer();
  base::UniqueFd& out = process_.stdout_reader();
  base::UniqueFd& err = process_.stderr_reader();
  if (stdin_eof_ && pending_stdin_.empty()) CloseStdin();
  while (!command_done_ || out.ok() || err.ok()) {
    bool read_sock = peer_open_ && pending_stdin_.size() < kMaxPendingStdin;
    pollfd p[5] = {
        {read_sock ? sock_ : -1, POLLIN, 0},
        {out.ok() && Writable(Kind::kStdout) ? out.get() : -1, POLLIN, 0},
        {err.ok() && Writable(Kind::kStderr) ? err.get() : -1, POLLIN, 0},
        {in.ok() && !pending_stdin_.empty() ? in.get() : -1, POLLOUT, 0},
        {command_done_ ? -1 : process_.done_fd(), POLLIN, 0},
    };
    if (::poll(p, 5, -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::warn("exec over SPDY: poll: {}", std::strerror(errno));
      return;
    }
    if (p[0].revents != 0 && !ReadSocket()) {
      peer_open_ = false;
      CloseStdin();
    }
    if (p[1].revents != 0) PumpOutput(out, Kind::kStdout);
    if (p[2].revents != 0) PumpOutput(err, Kind::kStderr);
    if (p[3].revents != 0) WriteStdin();
    if (p[4].revents != 0) {
      command_done_ = true;
      CloseStdin();  // nobody reads it any more
    }
  }
}

void Session::Finish(absl::StatusOr<int> result) {
  if (Stream* e = Role(Kind::kError); e != nullptr && !e->done) {
    std::string status = ExecResultJson(command_, result);
    const bool v4 =
        options_.protocol == "v5.channel.k8s.io" || options_.protocol == "v4.channel.k8s.io";
    if (!v4) {
      // Before v4 the error stream carries the message of a failure, and nothing on success.
      json::value parsed = json::parse(status);
      const json::value* message = parsed.as_object().if_contains("message");
      status = message != nullptr ? std::string(message->as_string()) : "";
    }
    if (!status.empty()) SendWhenWindowAllows(Kind::kError, status);
  }
  for (Kind k : {Kind::kStdout, Kind::kStderr, Kind::kError, Kind::kStdin, Kind::kResize}) {
    EndStream(k);
  }
  Send(SpdyFrame::GoAway(last_peer_stream_, kSpdyGoAwayOk));
}

void Session::Linger() {
  // The client reads the last frames and closes; closing first could lose them (a client that
  // sees EOF may drop frames it has read but not yet handed on).
  absl::Time deadline = absl::Now() + options_.linger;
  while (peer_open_ && write_ok_ && AwaitFrames(deadline)) {
  }
}

bool Session::ReadSocket() {
  char buf[64 * 1024];
  ssize_t n = ::recv(sock_, buf, sizeof buf, 0);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) {
    peer_open_ = false;
    return false;
  }
  decoder_.Feed(std::string_view(buf, static_cast<size_t>(n)));
  while (auto f = decoder_.Next()) Handle(*f);
  if (!decoder_.error().empty()) {
    spdlog::warn("exec over SPDY: {}", decoder_.error());
    Send(SpdyFrame::GoAway(last_peer_stream_, kSpdyGoAwayProtocolError));
    peer_open_ = false;
    return false;
  }
  return true;
}

void Session::Handle(SpdyFrame& f) {
  switch (f.type) {
    case SpdyType::kSynStream:
      return OnSynStream(f);
    case SpdyType::kData:
      return OnData(f);
    case SpdyType::kRstStream:
      if (Stream* s = Find(f.stream_id)) {
        s->done = true;
        OnPeerDone(*s);
      }
      return;
    case SpdyType::kHeaders:
      if (Stream* s = Find(f.stream_id); s != nullptr && f.fin()) OnPeerDone(*s);
      return;
    case SpdyType::kPing:
      // Odd IDs are the client's own pings, answered in kind; even ones would answer ours.
      if (f.value % 2 == 1) Send(SpdyFrame::Ping(f.value));
      return;
    case SpdyType::kGoAway:
      goaway_received_ = true;
      return;
    case SpdyType::kWindowUpdate:
      flow_control_ = true;
      if (f.stream_id == 0) {
        session_window_ = std::min(session_window_ + f.value, kMaxWindow);
      } else if (Stream* s = Find(f.stream_id)) {
        s->send_window = std::min(s->send_window + f.value, kMaxWindow);
      }
      return;
    case SpdyType::kSettings:
      for (const SpdySetting& s : f.settings) {
        if (s.id != kSpdySettingsInitialWindowSize) continue;
        flow_control_ = true;
        int64_t delta = int64_t{s.value} - initial_window_;
        initial_window_ = s.value;
        for (auto& [id, stream] : streams_) stream.send_window += delta;
      }
      return;
    case SpdyType::kSynReply:
      return;  // the agent opens no streams
  }
}

void Session::OnSynStream(const SpdyFrame& f) {
  // Client streams have odd IDs, each above the last.
  if (f.stream_id % 2 == 0 || f.stream_id <= last_peer_stream_) {
    Send(SpdyFrame::RstStream(f.stream_id, kSpdyProtocolError));
    return;
  }
  last_peer_stream_ = f.stream_id;
  if (goaway_received_) {
    Send(SpdyFrame::RstStream(f.stream_id, kSpdyRefusedStream));
    return;
  }
  Stream& s = streams_[f.stream_id];
  s.kind = KindOf(f.headers);
  s.send_window = initial_window_;
  s.done = (f.flags & kSpdyFlagUnidirectional) != 0;
  Send(SpdyFrame::SynReply(f.stream_id, {}));
  if (s.kind != Kind::kOther && roles_[static_cast<int>(s.kind)] == 0) {
    roles_[static_cast<int>(s.kind)] = f.stream_id;
    ++received_;
  } else {
    spdlog::debug("exec over SPDY: ignoring extra stream {}", f.stream_id);
  }
  if (f.fin()) OnPeerDone(s);
}

void Session::OnData(SpdyFrame& f) {
  Stream* s = Find(f.stream_id);
  if (s == nullptr || s->peer_done) return;  // late data on a finished stream
  // Give the window back as data arrives; pending stdin is bounded by not reading the socket.
  uint32_t n = static_cast<uint32_t>(f.data.size());
  s->unacked += n;
  session_unacked_ += n;
  if (s->unacked >= kSpdyDefaultWindow / 2 && !s->done) {
    Send(SpdyFrame::WindowUpdate(f.stream_id, s->unacked));
    s->unacked = 0;
  }
  if (session_unacked_ >= kSpdyDefaultWindow / 2) {
    Send(SpdyFrame::WindowUpdate(0, session_unacked_));
    session_unacked_ = 0;
  }
  if (s->kind == Kind::kStdin && roles_[static_cast<int>(Kind::kStdin)] == f.stream_id) {
    // Kept until the command reads it; dropped once its stdin is closed.
    if (!stdin_eof_ && (!process_.started() || process_.stdin_writer().ok())) {
      pending_stdin_.append(f.data);
    }
  } else if (s->kind == Kind::kResize) {
    OnResize(f.data);
  }
  if (f.fin()) OnPeerDone(*s);
}

void Session::OnPeerDone(Stream& s) {
  s.peer_done = true;
  if (s.kind == Kind::kStdin && Role(Kind::kStdin) == &s) {
    stdin_eof_ = true;
    if (pending_stdin_.empty() && process_.started()) CloseStdin();
  }
}

void Session::OnResize(std::string_view data) {
  // One JSON object per line: {"Width":80,"Height":24}.
  resize_buf_.append(data);
  size_t eol;
  while ((eol = resize_buf_.find('\n')) != std::string::npos) {
    std::string line = resize_buf_.substr(0, eol);
    resize_buf_.erase(0, eol + 1);
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) continue;
    auto dim = [&](std::string_view name) -> uint16_t {
      const json::value* d = v.as_object().if_contains(name);
      if (d == nullptr || !d->is_number()) return 0;
      auto n = d->to_number<int64_t>(ec);
      return ec || n < 0 || n > 0xffff ? 0 : static_cast<uint16_t>(n);
    };
    uint16_t width = dim("Width"), height = dim("Height");
    if (options_.resize) options_.resize(width, height);
  }
  if (resize_buf_.size() > 4096) resize_buf_.clear();  // not the protocol: no line in sight
}

void Session::Send(const SpdyFrame& f) {
  if (!write_ok_) return;
  std::string bytes = encoder_.Encode(f);
  std::string_view rest = bytes;
  while (!rest.empty()) {
    ssize_t n = ::send(sock_, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      write_ok_ = false;
      return;
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
}

Stream* Session::Find(uint32_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : &it->second;
}

Stream* Session::Role(Kind kind) {
  uint32_t id = roles_[static_cast<int>(kind)];
  return id == 0 ? nullptr : Find(id);
}

bool Session::Writable(Kind kind) {
  Stream* s = Role(kind);
  // A client that has gone can send no WINDOW_UPDATE: what is left goes out (or nowhere).
  if (s == nullptr || s->done || !write_ok_ || !peer_open_ || !flow_control_) return true;
  return s->send_window > 0 && session_window_ > 0;
}

void Session::PumpOutput(base::UniqueFd& fd, Kind kind) {
  Stream* s = Role(kind);
  const bool deliver = s != nullptr && !s->done && write_ok_;
  size_t max = kReadChunk;
  if (deliver && flow_control_ && peer_open_) {
    max = static_cast<size_t>(std::clamp<int64_t>(std::min(s->send_window, session_window_), 1,
                                                  static_cast<int64_t>(kReadChunk)));
  }
  char buf[kReadChunk];
  ssize_t n = ::read(fd.get(), buf, max);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    fd.Reset();
    EndStream(kind);
    return;
  }
  if (!deliver) return;  // nobody to tell: drained so the command does not block
  s->send_window -= n;
  session_window_ -= n;
  Send(SpdyFrame::Data(roles_[static_cast<int>(kind)], std::string(buf, static_cast<size_t>(n))));
}

void Session::WriteStdin() {
  ssize_t n = process_.WriteStdin(pending_stdin_);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    // The command closed its stdin: what the client sends from now on goes nowhere.
    pending_stdin_.clear();
    stdin_eof_ = true;
    CloseStdin();
    return;
  }
  pending_stdin_.erase(0, static_cast<size_t>(n));
  if (pending_stdin_.empty() && stdin_eof_) CloseStdin();
}

void Session::SendWhenWindowAllows(Kind kind, std::string_view data) {
  Stream* s = Role(kind);
  absl::Time deadline = absl::Now() + options_.linger;
  while (s != nullptr && !s->done && write_ok_ && !data.empty()) {
    int64_t allowed = static_cast<int64_t>(data.size());
    if (flow_control_ && peer_open_) allowed = std::min({allowed, s->send_window, session_window_});
    if (allowed > 0) {
      s->send_window -= allowed;
      session_window_ -= allowed;
      Send(SpdyFrame::Data(roles_[static_cast<int>(kind)],
                           std::string(data.substr(0, static_cast<size_t>(allowed)))));
      data.remove_prefix(static_cast<size_t>(allowed));
      continue;
    }
    if (!AwaitFrames(deadline)) return;
  }
}

void Session::EndStream(Kind kind) {
  Stream* s = Role(kind);
  if (s == nullptr || s->done) return;
  s->done = true;
  Send(SpdyFrame::Data(roles_[static_cast<int>(kind)], "", true));
}

void Session::CloseStdin() {
  pending_stdin_.clear();
  process_.stdin_writer().Reset();
}

}  // namespace

absl::StatusOr<std::string> NegotiateSpdyExecProtocol(
    const std::vector<std::string_view>& offered) {
  std::vector<std::string> client;
  for (std::string_view header : offered) {
    for (std::string_view p : api::Split(header, ',')) {
      p = api::TrimAscii(p);
      if (!p.empty()) client.emplace_back(p);
    }
  }
  if (client.empty()) {
    return absl::InvalidArgumentError("unable to upgrade: X-Stream-Protocol-Version is required");
  }
  for (const std::string& c : client) {
    for (std::string_view s : kSpdyExecProtocols) {
      if (c == s) return c;
    }
  }
  std::vector<std::string_view> server(std::begin(kSpdyExecProtocols),
                                       std::end(kSpdyExecProtocols));
  return absl::PermissionDeniedError(
      api::Cat("unable to upgrade: unable to negotiate protocol: client supports [",
               api::Join(client, " "), "], server accepts [", api::Join(server, " "), "]"));
}

void ServeSpdyExec(int sock, const SpdyExecOptions& options,
                   const std::vector<std::string>& command, ExecProcess::Runner run) {
  Session session(sock, options, command);
  session.Serve(std::move(run));
}

}  // namespace skiff::agent::server
