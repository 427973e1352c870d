// For tests: the client end of a SPDY exec session, as kubectl's spdystream behaves (streams with
// odd IDs, each opened after the reply to the one before). Blocking, single-threaded.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "skiff/agent/server/spdy.h"

namespace skiff::agent::server {

class SpdyTestClient {
 public:
  // `fd` speaks SPDY from here on; `early` holds bytes read past the HTTP response.
  explicit SpdyTestClient(int fd, std::string_view early = "") : fd_(fd) { decoder_.Feed(early); }

  void Send(const SpdyFrame& f) {
    std::string bytes = encoder_.Encode(f);
    std::string_view rest = bytes;
    while (!rest.empty()) {
      ssize_t n = ::send(fd_, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      rest.remove_prefix(static_cast<size_t>(n));
    }
  }

  // Opens a stream of `type` and waits for its reply; the stream's ID, 0 when none came.
  uint32_t Open(std::string_view type, uint8_t flags = 0) {
    uint32_t id = next_id_;
    next_id_ += 2;
    Send(SpdyFrame::SynStream(id, {{"streamtype", std::string(type)}}, flags));
    while (auto f = ReadFrame()) {
      if (f->type == SpdyType::kSynReply && f->stream_id == id) {
        replies_.push_back(*f);
        return id;
      }
      queued_.push_back(std::move(*f));
    }
    return 0;
  }

  // The next frame (queued ones first); nullopt at EOF, on a broken stream or after `timeout`.
  std::optional<SpdyFrame> Next(absl::Duration timeout = absl::Seconds(10)) {
    if (!queued_.empty()) {
      SpdyFrame f = std::move(queued_.front());
      queued_.pop_front();
      return f;
    }
    return ReadFrame(timeout);
  }

  struct Transcript {
    std::map<uint32_t, std::string> data;
    std::set<uint32_t> fin;          // streams the server finished
    std::vector<SpdyFrame> control;  // everything else, in order
    std::optional<SpdyFrame> goaway;
  };

  // Collects frames until GOAWAY (or EOF / timeout).
  Transcript ReadUntilGoAway(absl::Duration timeout = absl::Seconds(10)) {
    Transcript t;
    while (auto f = Next(timeout)) {
      if (f->type == SpdyType::kData) {
        t.data[f->stream_id] += f->data;
        if (f->fin()) t.fin.insert(f->stream_id);
      } else if (f->type == SpdyType::kGoAway) {
        t.goaway = std::move(f);
        break;
      } else {
        t.control.push_back(std::move(*f));
      }
    }
    return t;
  }

  const std::vector<SpdyFrame>& replies() const { return replies_; }
  const std::string& error() const { return decoder_.error(); }

 private:
  std::optional<SpdyFrame> ReadFrame(absl::Duration timeout = absl::Seconds(10)) {
    absl::Time deadline = absl::Now() + timeout;
    while (true) {
      if (auto f = decoder_.Next()) return f;
      if (!decoder_.error().empty()) return std::nullopt;
      absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1) <= 0) continue;
      char buf[64 * 1024];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return std::nullopt;
      decoder_.Feed(std::string_view(buf, static_cast<size_t>(n)));
    }
  }

  int fd_;
  uint32_t next_id_ = 1;
  SpdyEncoder encoder_;
  SpdyDecoder decoder_;
  std::deque<SpdyFrame> queued_;
  std::vector<SpdyFrame> replies_;
};

}  // namespace skiff::agent::server
