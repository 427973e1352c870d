#include "skiff/apiserver/watch_hub.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>

#include "spdlog/spdlog.h"

namespace skiff::apiserver {

struct WatchHub::Active {
  Stream s;
  std::string out;  // framed bytes not yet sent
  size_t sent = 0;  // of `out`
  std::chrono::steady_clock::time_point next_bookmark;
  std::mutex mu;
  std::condition_variable cv;
  std::optional<End> end;  // guarded by mu
};

namespace {

void AppendChunk(std::string& out, std::string_view payload) {
  char head[24];
  int n = std::snprintf(head, sizeof head, "%zx\r\n", payload.size());
  out.append(head, n);
  out.append(payload);
  out.append("\r\n");
}

void AppendEvent(std::string& payload, EventType type, const std::string& object_json) {
  payload += "{\"type\":\"";
  payload += EventTypeName(type);
  payload += "\",\"object\":";
  payload += object_json;
  payload += "}\n";
}

// Writes as much of a.out as the socket takes now; false when the connection failed.
bool Flush(std::string& out, size_t& sent, int fd) {
  while (sent < out.size()) {
    ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return false;
  }
  if (sent == out.size()) {
    out.clear();
    sent = 0;
  } else if (sent > (1 << 20) && sent > out.size() / 2) {
    out.erase(0, sent);
    sent = 0;
  }
  return true;
}

}  // namespace

WatchHub::WatchHub(WatchCache* cache, WatchHubOptions options) : cache_(cache), options_(options) {}

WatchHub::~WatchHub() { Stop(); }

void WatchHub::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void WatchHub::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<std::shared_ptr<Active>> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(incoming_);
  }
  for (auto& a : active_) Finish(*a, End::kStopped);
  for (auto& a : left) Finish(*a, End::kStopped);
  active_.clear();
}

size_t WatchHub::StreamCount() {
  std::lock_guard<std::mutex> lock(mu_);
  return active_.size() + incoming_.size();
}

WatchHub::End WatchHub::Serve(Stream stream) {
  auto a = std::make_shared<Active>();
  a->s = std::move(stream);
  a->next_bookmark = std::chrono::steady_clock::now() + a->s.bookmark_interval;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || !thread_.joinable()) return End::kStopped;
    incoming_.push_back(a);
  }
  cv_.notify_all();
  End end;
  {
    std::unique_lock<std::mutex> lock(a->mu);
    a->cv.wait(lock, [&] { return a->end.has_value(); });
    end = *a->end;
  }
  if (end == End::kDeadline || end == End::kStopped) {
    // The writer no longer touches this stream: finish what it could not send, blocking.
    while (a->sent < a->out.size()) {
      ssize_t n = ::send(a->s.fd, a->out.data() + a->sent, a->out.size() - a->sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return End::kWriteFailed;
      a->sent += static_cast<size_t>(n);
    }
  }
  return end;
}

void WatchHub::Finish(Active& a, End end) {
  {
    std::lock_guard<std::mutex> lock(a.mu);
    if (a.end) return;
    a.end = end;
  }
  a.cv.notify_all();
}

void WatchHub::Loop() {
  int64_t seen = cache_->Revision();
  auto next_housekeeping = std::chrono::steady_clock::now();
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (active_.empty() && incoming_.empty()) {
        cv_.wait(lock, [&] { return stopping_ || !incoming_.empty(); });
      }
      if (stopping_) return;
      for (auto& a : incoming_) active_.push_back(std::move(a));
      incoming_.clear();
    }
    bool pending =
        std::any_of(active_.begin(), active_.end(), [](const auto& a) { return !a->out.empty(); });
    // Sleep until something changes, a stream arrives, or housekeeping is due.
    auto now = std::chrono::steady_clock::now();
    if (!pending && cache_->Revision() <= seen && now < next_housekeeping) {
      auto wait = std::min<std::chrono::milliseconds>(
          std::chrono::duration_cast<std::chrono::milliseconds>(next_housekeeping - now),
          std::chrono::milliseconds(50));
      cache_->WaitForChange(seen, std::max(wait, std::chrono::milliseconds(1)));
    }
    seen = cache_->Revision();
    now = std::chrono::steady_clock::now();
    bool housekeeping = now >= next_housekeeping;
    if (housekeeping) next_housekeeping = now + options_.housekeeping_interval;
    auto round_start = std::chrono::steady_clock::now();
    Round(housekeeping);
    // Gather the next events for a while: one write per stream per interval at most.
    auto spent = std::chrono::steady_clock::now() - round_start;
    if (spent < options_.flush_interval) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, options_.flush_interval - spent, [&] { return stopping_; });
    }
  }
}

void WatchHub::Round(bool housekeeping) {
  auto now = std::chrono::steady_clock::now();
  // The revision read before the events: every event up to it is in the history already.
  int64_t revision = cache_->Revision();
  // New events, read once per resource from the oldest cursor among its streams.
  std::map<const api::ResourceInfo*, int64_t> oldest;
  for (const auto& a : active_) {
    auto [it, fresh] = oldest.emplace(a->s.resource, a->s.cursor);
    if (!fresh) it->second = std::min(it->second, a->s.cursor);
  }
  std::map<const api::ResourceInfo*, std::vector<WatchEvent>> events;
  std::map<const api::ResourceInfo*, bool> expired;
  for (const auto& [r, cursor] : oldest) {
    std::vector<WatchEvent>& evs = events[r];
    if (!cache_->EventsAfter(*r, cursor, &evs)) {
      expired[r] = true;
      evs.clear();
    }
  }

  std::vector<pollfd> polls;
  if (housekeeping) polls.reserve(active_.size());
  std::string payload;
  for (auto& a : active_) {
    const std::vector<WatchEvent>* evs = &events[a->s.resource];
    std::vector<WatchEvent> own;
    if (expired.count(a->s.resource)) {
      // The oldest cursor fell out of the window; this one may not have.
      if (!cache_->EventsAfter(*a->s.resource, a->s.cursor, &own)) {
        Finish(*a, End::kExpired);
        continue;
      }
      evs = &own;
    }
    payload.clear();
    auto first = std::upper_bound(evs->begin(), evs->end(), a->s.cursor,
                                  [](int64_t rv, const WatchEvent& ev) { return rv < ev.rv; });
    for (auto it = first; it != evs->end(); ++it) {
      if (auto type = EventFor(a->s.filter, *it)) AppendEvent(payload, *type, it->object->json);
      a->s.cursor = it->rv;
    }
    if (a->s.bookmarks && now >= a->next_bookmark) {
      const api::ResourceInfo& r = *a->s.resource;
      payload += "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"";
      payload += r.kind;
      payload += "\",\"apiVersion\":\"";
      payload += r.GroupVersion();
      payload += "\",\"metadata\":{\"resourceVersion\":\"";
      payload += std::to_string(std::max(a->s.cursor, revision));
      payload += "\"}}}\n";
      a->next_bookmark = now + a->s.bookmark_interval;
    }
    if (!payload.empty()) AppendChunk(a->out, payload);
    if (!a->out.empty() && !Flush(a->out, a->sent, a->s.fd)) {
      Finish(*a, End::kWriteFailed);
      continue;
    }
    if (a->out.size() - a->sent > options_.max_pending_bytes) {
      spdlog::warn("watch of {} closed: the client fell {} bytes behind", a->s.resource->plural,
                   a->out.size() - a->sent);
      Finish(*a, End::kTooSlow);
      continue;
    }
    if (housekeeping) {
      if (now >= a->s.deadline) {
        Finish(*a, End::kDeadline);
        continue;
      }
      polls.push_back(pollfd{a->s.fd, POLLIN | POLLRDHUP, 0});
    }
  }

  if (housekeeping && !polls.empty()) {
    // One poll for every stream: a peer that hung up (or sent EOF) ends its stream.
    if (::poll(polls.data(), polls.size(), 0) > 0) {
      for (const pollfd& p : polls) {
        if (p.revents == 0) continue;
        bool closed = p.revents & (POLLRDHUP | POLLHUP | POLLERR);
        if (!closed && (p.revents & POLLIN)) {
          char c;
          closed = ::recv(p.fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
        }
        if (!closed) continue;
        for (auto& a : active_) {
          if (a->s.fd == p.fd) Finish(*a, End::kPeerClosed);
        }
      }
    }
  }

  // Drop finished streams.
  active_.erase(std::remove_if(active_.begin(), active_.end(),
                               [](const std::shared_ptr<Active>& a) {
                                 std::lock_guard<std::mutex> lock(a->mu);
                                 return a->end.has_value();
                               }),
                active_.end());
}

}  // namespace skiff::apiserver
