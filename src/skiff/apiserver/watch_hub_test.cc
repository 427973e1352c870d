#include "skiff/apiserver/watch_hub.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <future>
#include <string>
#include <vector>

#include "skiff/api/resources.h"
#include "skiff/store/memory/memory_store.h"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const api::ResourceInfo& ConfigMaps() { return *api::FindKind("", "ConfigMap"); }

std::string Key(const std::string& name) { return "/registry/configmaps/default/" + name; }

std::string ConfigMap(const std::string& name, const std::string& tier) {
  return json::serialize(
      json::object{{"apiVersion", "v1"},
                   {"kind", "ConfigMap"},
                   {"metadata", json::object{{"name", name},
                                             {"namespace", "default"},
                                             {"uid", "uid-" + name},
                                             {"labels", json::object{{"tier", tier}}}}}});
}

// Reads chunked-encoded watch events from the client end of a socket pair.
class ChunkReader {
 public:
  explicit ChunkReader(int fd) : fd_(fd) {}

  // The next `n` events as "TYPE name", or fewer if `timeout` passes first.
  std::vector<std::string> Events(size_t n, std::chrono::milliseconds timeout = 3000ms) {
    std::vector<std::string> out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
      if (!TakeLines(out, n)) Fill(deadline);
    }
    return out;
  }
  // True once the peer closed the connection (after reading what is left).
  bool Closed(std::chrono::milliseconds timeout = 3000ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!Fill(deadline)) return eof_;
    }
    return eof_;
  }
  const std::string& raw() const { return raw_; }

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    pollfd p{fd_, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (::poll(&p, 1, std::max<int>(1, left.count())) <= 0) return false;
    char buf[4096];
    ssize_t got = ::recv(fd_, buf, sizeof buf, 0);
    if (got <= 0) {
      eof_ = true;
      return false;
    }
    raw_.append(buf, got);
    pending_.append(buf, got);
    return true;
  }
  // Decodes complete chunks into lines; true when it made progress.
  bool TakeLines(std::vector<std::string>& out, size_t n) {
    bool progress = false;
    while (out.size() < n) {
      size_t crlf = pending_.find("\r\n");
      if (crlf == std::string::npos) return progress;
      size_t size = std::stoul(pending_.substr(0, crlf), nullptr, 16);
      if (pending_.size() < crlf + 2 + size + 2) return progress;
      EXPECT_EQ(pending_.substr(crlf + 2 + size, 2), "\r\n");
      body_ += pending_.substr(crlf + 2, size);
      pending_.erase(0, crlf + 2 + size + 2);
      progress = true;
      size_t nl;
      while ((nl = body_.find('\n')) != std::string::npos) {
        json::value ev = json::parse(body_.substr(0, nl));
        body_.erase(0, nl + 1);
        std::string type(ev.at("type").as_string());
        const json::object& meta = ev.at("object").at("metadata").as_object();
        std::string name = meta.contains("name")
                               ? std::string(meta.at("name").as_string())
                               : std::string(meta.at("resourceVersion").as_string());
        out.push_back(type + " " + name);
      }
    }
    return progress;
  }

  int fd_;
  std::string raw_, pending_, body_;
  bool eof_ = false;
};

class WatchHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cache_ = std::make_unique<WatchCache>(&store_);
    ASSERT_TRUE(cache_->Start().ok());
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
  }
  void TearDown() override {
    hub_.reset();
    cache_->Stop();
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  WatchHub::Stream StreamFrom(int64_t cursor, Filter filter = {}) {
    WatchHub::Stream s;
    s.resource = &ConfigMaps();
    s.filter = std::move(filter);
    s.cursor = cursor;
    s.fd = fds_[0];
    s.deadline = std::chrono::steady_clock::now() + 60s;
    return s;
  }
  std::future<WatchHub::End> Serve(WatchHub::Stream s) {
    return std::async(std::launch::async,
                      [this, s = std::move(s)]() mutable { return hub_->Serve(std::move(s)); });
  }
  void StartHub(WatchHubOptions o = {}) {
    o.flush_interval = 1ms;
    o.housekeeping_interval = 20ms;
    hub_ = std::make_unique<WatchHub>(cache_.get(), o);
    hub_->Start();
  }
  int64_t Put(const std::string& name, const std::string& tier) {
    auto cur = store_.Get(Key(name));
    auto rv = cur.ok() ? store_.Update(Key(name), ConfigMap(name, tier), 0)
                       : store_.Create(Key(name), ConfigMap(name, tier));
    EXPECT_TRUE(rv.ok());
    cache_->WaitForRevision(*rv);
    return *rv;
  }

  store::MemoryStore store_;
  std::unique_ptr<WatchCache> cache_;
  std::unique_ptr<WatchHub> hub_;
  int fds_[2] = {-1, -1};
};

TEST_F(WatchHubTest, SendsEventsAfterTheCursorInOrder) {
  int64_t before = Put("a", "web");
  StartHub();
  auto done = Serve(StreamFrom(before));
  Put("b", "web");
  Put("a", "db");
  ASSERT_TRUE(store_.Delete(Key("b"), 0).ok());
  ChunkReader reader(fds_[1]);
  EXPECT_EQ(reader.Events(3), (std::vector<std::string>{"ADDED b", "MODIFIED a", "DELETED b"}));
  hub_->Stop();
  EXPECT_EQ(done.get(), WatchHub::End::kStopped);
}

TEST_F(WatchHubTest, SelectorTransitionsBecomeAddedAndDeleted) {
  int64_t before = Put("a", "web");
  StartHub();
  Filter web;
  web.labels = *api::LabelSelector::Parse("tier=web");
  auto done = Serve(StreamFrom(before, web));
  Put("a", "db");   // leaves the selection
  Put("c", "db");   // never in it
  Put("a", "web");  // comes back
  Put("a", "web");  // stays
  ChunkReader reader(fds_[1]);
  EXPECT_EQ(reader.Events(3), (std::vector<std::string>{"DELETED a", "ADDED a", "MODIFIED a"}));
  hub_->Stop();
  done.get();
}

TEST_F(WatchHubTest, EndsAtTheDeadlineAfterWritingEverything) {
  int64_t before = Put("a", "web");
  StartHub();
  auto s = StreamFrom(before);
  s.deadline = std::chrono::steady_clock::now() + 150ms;
  auto done = Serve(std::move(s));
  Put("b", "web");
  EXPECT_EQ(done.get(), WatchHub::End::kDeadline);
  ChunkReader reader(fds_[1]);
  EXPECT_EQ(reader.Events(1), (std::vector<std::string>{"ADDED b"}));
}

TEST_F(WatchHubTest, PeerHangingUpEndsTheStream) {
  StartHub();
  auto done = Serve(StreamFrom(cache_->Revision()));
  ::shutdown(fds_[1], SHUT_RDWR);
  ASSERT_EQ(done.wait_for(3s), std::future_status::ready);
  EXPECT_EQ(done.get(), WatchHub::End::kPeerClosed);
}

TEST_F(WatchHubTest, BookmarksCarryTheCurrentRevision) {
  int64_t before = Put("a", "web");
  StartHub();
  auto s = StreamFrom(before);
  s.bookmarks = true;
  s.bookmark_interval = std::chrono::seconds(0);
  auto done = Serve(std::move(s));
  int64_t last = Put("b", "web");
  ChunkReader reader(fds_[1]);
  std::vector<std::string> got = reader.Events(4);
  ASSERT_GE(got.size(), 2u);
  EXPECT_NE(std::find(got.begin(), got.end(), "ADDED b"), got.end());
  EXPECT_NE(std::find(got.begin(), got.end(), "BOOKMARK " + std::to_string(last)), got.end());
  hub_->Stop();
  done.get();
}

TEST_F(WatchHubTest, ClientThatStopsReadingIsClosedAsTooSlow) {
  int64_t before = Put("a", "web");
  WatchHubOptions o;
  o.max_pending_bytes = 64 << 10;
  StartHub(o);
  auto done = Serve(StreamFrom(before));
  // Nobody reads fds_[1]: the socket buffer fills, then the hub's own queue.
  for (int i = 0; i < 4000 && done.wait_for(0ms) != std::future_status::ready; ++i) {
    Put("big-" + std::to_string(i % 50), std::string(2000, 'x'));
  }
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(done.get(), WatchHub::End::kTooSlow);
}

TEST_F(WatchHubTest, CursorOlderThanTheHistoryEnds) {
  WatchCacheOptions small;
  small.history_per_resource = 5;
  cache_->Stop();
  cache_ = std::make_unique<WatchCache>(&store_, small);
  ASSERT_TRUE(cache_->Start().ok());
  int64_t before = Put("a", "web");
  for (int i = 0; i < 10; ++i) Put("n" + std::to_string(i), "web");
  StartHub();
  EXPECT_EQ(hub_->Serve(StreamFrom(before)), WatchHub::End::kExpired);
  std::vector<WatchEvent> initial;
  EXPECT_EQ(cache_->OpenCursor(ConfigMaps(), {}, before, &initial).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST_F(WatchHubTest, OpenCursorReplaysAndStartsAfterTheNewestEvent) {
  int64_t first = Put("a", "web");
  Put("b", "db");
  int64_t last = Put("a", "db");
  Filter web;
  web.labels = *api::LabelSelector::Parse("tier=web");
  std::vector<WatchEvent> initial;
  auto cursor = cache_->OpenCursor(ConfigMaps(), web, first, &initial);
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(*cursor, last);
  ASSERT_EQ(initial.size(), 1u);  // "a" left the selection; "b" was never in it
  EXPECT_EQ(initial[0].type, EventType::kDeleted);
  initial.clear();
  cursor = cache_->OpenCursor(ConfigMaps(), web, 0, &initial);
  EXPECT_EQ(initial.size(), 0u);
  initial.clear();
  cursor = cache_->OpenCursor(ConfigMaps(), {}, 0, &initial);
  EXPECT_EQ(initial.size(), 2u);
}

}  // namespace
}  // namespace skiff::apiserver
