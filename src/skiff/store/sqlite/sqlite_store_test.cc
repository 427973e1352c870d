#include "skiff/store/sqlite/sqlite_store.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "skiff/store/conformance_test.h"

namespace skiff::store {
namespace {

using ::testing::HasSubstr;

INSTANTIATE_TEST_SUITE_P(
    Sqlite, StoreConformanceTest,
    testing::Values(StoreFactory{
        .name = "sqlite",
        .open = [](const std::string& dir) -> absl::StatusOr<std::unique_ptr<Store>> {
          absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir + "/store.db");
          if (!store.ok()) return store.status();
          return std::unique_ptr<Store>(std::move(*store));
        }}),
    StoreFactoryName);

// A fresh directory per test, removed afterwards.
class SqliteStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    ASSERT_FALSE(dir_.empty());
    path_ = dir_ + "/store.db";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::unique_ptr<SqliteStore> Open(SqliteOptions options = {}) {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path_, options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SqliteStoreTest, ReopenKeepsDataAndRevisionIncludingDeletes) {
  int64_t a_created = 0;
  int64_t a_updated = 0;
  {
    std::unique_ptr<SqliteStore> store = Open();
    ASSERT_NE(store, nullptr);
    a_created = *store->Create("/registry/a/a", "a1");
    ASSERT_TRUE(store->Create("/registry/a/b", "b1").ok());
    ASSERT_TRUE(store->Create("/registry/a/c", "c1").ok());
    a_updated = *store->Update("/registry/a/a", "a2", a_created);
    ASSERT_TRUE(store->Delete("/registry/a/b", 0).ok());
    ASSERT_TRUE(store->Delete("/registry/a/c", 0).ok());  // the last revision is a delete
    EXPECT_EQ(store->CurrentRevision(), 6);
  }
  std::unique_ptr<SqliteStore> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CurrentRevision(), 6);
  int64_t subscribed_at = 0;
  auto sub = store->Subscribe([](const std::vector<Event>&) {}, &subscribed_at);
  EXPECT_EQ(subscribed_at, 6);
  absl::StatusOr<KeyValue> a = store->Get("/registry/a/a");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->value, "a2");
  EXPECT_EQ(a->create_revision, a_created);
  EXPECT_EQ(a->mod_revision, a_updated);
  EXPECT_EQ(store->Get("/registry/a/b").status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<ListResult> list = store->List("/registry/a/");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->revision, 6);
  EXPECT_EQ(*store->Create("/registry/a/d", "d1"), 7);
}

TEST_F(SqliteStoreTest, GroupCommitBatchesConcurrentWriters) {
  constexpr int kThreads = 64;
  constexpr int kPerThread = 20;
  std::unique_ptr<SqliteStore> store = Open();
  ASSERT_NE(store, nullptr);
  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          if (!store->Create(absl::StrFormat("/registry/g/%02d-%03d", t, i), "v").ok()) ++failures;
        }
      });
    }
  }
  EXPECT_EQ(failures.load(), 0);
  SqliteStore::Stats stats = store->stats();
  EXPECT_EQ(stats.writes, kThreads * kPerThread);
  EXPECT_EQ(stats.failed_transactions, 0);
  // Each writer waits for its commit, so at most 64 requests can share one; one fsync per write
  // would make transactions == writes.
  EXPECT_LE(stats.transactions * 4, stats.writes) << "transactions: " << stats.transactions;
  std::printf("group commit: %lld writes in %lld transactions (%.1f per transaction)\n",
              static_cast<long long>(stats.writes), static_cast<long long>(stats.transactions),
              static_cast<double>(stats.writes) / std::max<int64_t>(1, stats.transactions));
}

TEST_F(SqliteStoreTest, FullDatabaseFailsWritesWithoutLosingData) {
  SqliteOptions options;
  options.max_database_bytes = 256 << 10;
  std::unique_ptr<SqliteStore> store = Open(options);
  ASSERT_NE(store, nullptr);
  const std::string value(4000, 'x');
  int created = 0;
  absl::Status failure;
  for (int i = 0; i < 1000; ++i) {
    absl::StatusOr<int64_t> rev = store->Create(absl::StrFormat("/registry/f/%04d", i), value);
    if (!rev.ok()) {
      failure = rev.status();
      break;
    }
    ++created;
  }
  ASSERT_GT(created, 0);
  EXPECT_EQ(failure.code(), absl::StatusCode::kUnavailable) << failure;
  EXPECT_THAT(failure.message(), HasSubstr("full"));
  EXPECT_EQ(store->stats().failed_transactions, 1);
  // The failed batch consumed nothing: revisions go on without a gap and reads still work.
  EXPECT_EQ(store->CurrentRevision(), created);
  EXPECT_EQ(store->List("/registry/f/")->items.size(), static_cast<size_t>(created));
  EXPECT_EQ(*store->Delete("/registry/f/0000", 0), created + 1);
  EXPECT_EQ(*store->Create("/registry/f/small", "s"), created + 2);
  store.reset();

  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CurrentRevision(), created + 2);
  EXPECT_EQ(store->List("/registry/f/")->items.size(), static_cast<size_t>(created));
}

TEST_F(SqliteStoreTest, CompactEmptiesTheWalAndReturnsFreedPages) {
  SqliteOptions options;
  options.background_checkpoints = false;  // only Compact() checkpoints: exact counts
  std::unique_ptr<SqliteStore> store = Open(options);
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(store->Create(absl::StrCat("/registry/big/", i), std::string(40000, 'x')).ok());
  }
  ASSERT_TRUE(store->Compact(store->CurrentRevision()).ok());
  uintmax_t full_size = std::filesystem::file_size(path_);
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(store->Delete(absl::StrCat("/registry/big/", i), 0).ok());
  }
  ASSERT_TRUE(store->Compact(store->CurrentRevision()).ok());
  EXPECT_EQ(std::filesystem::file_size(path_ + "-wal"), 0u);
  EXPECT_LT(std::filesystem::file_size(path_) * 10, full_size);
  EXPECT_EQ(store->stats().checkpoints, 2);
}

TEST_F(SqliteStoreTest, PeriodicCheckpointRunsAfterWrites) {
  SqliteOptions options;
  options.checkpoint_interval = absl::Milliseconds(20);
  options.background_checkpoints = false;  // the writer's own TRUNCATE checkpoints
  std::unique_ptr<SqliteStore> store = Open(options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Create("/registry/a/k", "v").ok());
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (store->stats().checkpoints == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_GE(store->stats().checkpoints, 1);
  EXPECT_EQ(std::filesystem::file_size(path_ + "-wal"), 0u);
  EXPECT_EQ(store->Get("/registry/a/k")->value, "v");
}

TEST_F(SqliteStoreTest, BackgroundCheckpointsKeepTheWalBounded) {
  SqliteOptions options;
  options.wal_autocheckpoint_pages = 20;
  options.wal_size_limit_bytes = 64 << 10;
  std::unique_ptr<SqliteStore> store = Open(options);
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(store->Create(absl::StrCat("/registry/big/", i), std::string(8000, 'x')).ok());
  }
  // 200 x 8 KB went through the WAL; the checkpointer copies it out while writes go on.
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (store->stats().checkpoints == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_GE(store->stats().checkpoints, 1);
  // Once a checkpoint has copied everything, the next commit restarts the WAL and cuts the
  // file to the limit.
  uintmax_t wal = 0;
  deadline = absl::Now() + absl::Seconds(10);
  do {
    ASSERT_TRUE(store->Update("/registry/big/0", "small", 0).ok());
    wal = std::filesystem::file_size(path_ + "-wal");
    if (wal <= (64u << 10) + (16u << 10)) break;
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < deadline);
  EXPECT_LE(wal, (64u << 10) + (16u << 10));
  EXPECT_EQ(store->Get("/registry/big/199")->value, std::string(8000, 'x'));
  EXPECT_EQ(store->Get("/registry/big/0")->value, "small");
}

TEST_F(SqliteStoreTest, OpenRejectsBadPaths) {
  EXPECT_EQ(SqliteStore::Open(":memory:").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SqliteStore::Open(dir_ + "/missing/dir/store.db").status().code(),
            absl::StatusCode::kUnavailable);
  std::ofstream(path_) << std::string(8192, 'g');  // not a database
  absl::StatusOr<std::unique_ptr<SqliteStore>> garbage = SqliteStore::Open(path_);
  EXPECT_FALSE(garbage.ok());
  EXPECT_THAT(garbage.status().message(), HasSubstr("sqlite"));
}

// The child writes with several threads and reports each write on the pipe only after the call
// returned; it never exits on its own.
[[noreturn]] void RunCrashChild(const std::string& path, int ack_fd) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  if (!store.ok()) _exit(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&store, ack_fd, t] {
      auto ack = [ack_fd](const std::string& key, int64_t rev, const std::string& value) {
        std::string line = absl::StrCat(key, " ", rev, " ", value, "\n");  // < PIPE_BUF: atomic
        if (write(ack_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
      };
      for (int i = 0;; ++i) {
        std::string key = absl::StrFormat("/registry/crash/%d-%06d", t, i);
        std::string v1 = absl::StrCat("created-", t, "-", i);
        absl::StatusOr<int64_t> rev = (*store)->Create(key, v1);
        if (!rev.ok()) _exit(3);
        ack(key, *rev, v1);
        std::string v2 = absl::StrCat("updated-", t, "-", i);
        rev = (*store)->Update(key, v2, *rev);
        if (!rev.ok()) _exit(3);
        ack(key, *rev, v2);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  _exit(5);
}

TEST_F(SqliteStoreTest, AcknowledgedWritesSurviveSigkill) {
  constexpr size_t kKillAfterAcks = 600;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    RunCrashChild(path_, fds[1]);
  }
  close(fds[1]);

  struct Ack {
    int64_t revision;
    std::string value;
  };
  std::map<std::string, Ack> last_ack;  // per key, the latest acknowledged write
  size_t acks = 0;
  std::string buffer;
  bool killed = false;
  while (true) {
    pollfd pfd{.fd = fds[0], .events = POLLIN, .revents = 0};
    if (poll(&pfd, 1, 60'000) <= 0) break;  // a hung child fails the checks below
    char chunk[4096];
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;  // EOF: the child is gone
    buffer.append(chunk, n);
    size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      std::vector<std::string> parts = absl::StrSplit(buffer.substr(0, newline), ' ');
      buffer.erase(0, newline + 1);
      ASSERT_EQ(parts.size(), 3u);
      int64_t revision = 0;
      ASSERT_TRUE(absl::SimpleAtoi(parts[1], &revision));
      Ack& ack = last_ack[parts[0]];
      if (revision > ack.revision) ack = Ack{revision, parts[2]};
      ++acks;
    }
    if (!killed && acks >= kKillAfterAcks) {
      kill(pid, SIGKILL);
      killed = true;
    }
  }
  if (!killed) kill(pid, SIGKILL);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child ended otherwise (status " << status << ") after " << acks << " acks";
  ASSERT_TRUE(killed);

  std::unique_ptr<SqliteStore> store = Open();
  ASSERT_NE(store, nullptr);
  int64_t max_acked = 0;
  for (const auto& [key, ack] : last_ack) {
    absl::StatusOr<KeyValue> kv = store->Get(key);
    ASSERT_TRUE(kv.ok()) << key << ": " << kv.status();
    // A later write may have committed without its ack reaching us; never an older state.
    ASSERT_GE(kv->mod_revision, ack.revision) << key;
    if (kv->mod_revision == ack.revision) {
      EXPECT_EQ(kv->value, ack.value) << key;
    }
    max_acked = std::max(max_acked, ack.revision);
  }
  EXPECT_GE(store->CurrentRevision(), max_acked);
  std::printf("crash: %zu acknowledged writes on %zu keys survived; revision %lld >= %lld\n", acks,
              last_ack.size(), static_cast<long long>(store->CurrentRevision()),
              static_cast<long long>(max_acked));
}

}  // namespace
}  // namespace skiff::store
