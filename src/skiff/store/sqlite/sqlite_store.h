// The embedded, durable Store: one SQLite database in WAL mode with synchronous=FULL. Writes go
// through one writer thread that commits every pending request in one transaction (group
// commit: one fsync for the batch) before acknowledging any of them, so no acknowledged write
// is lost on a crash or power loss. Reads use a pool of read connections and never wait for the
// writer. Thread-safe; subscribers are called on the store's EventDispatcher thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/store/event_dispatcher.h"
#include "skiff/store/sqlite/sqlite_connection.h"
#include "skiff/store/store.h"

namespace skiff::store {

struct SqliteOptions {
  // Most write requests committed in one transaction. The writer never waits to fill a batch:
  // it takes what queued up during the previous commit, so batches are small under light load.
  // Larger caps amortize one fsync over more writes under heavy load; smaller ones bound the
  // latency of one commit and what the writer holds in memory.
  int max_batch_size = 1024;
  // Read connections for Get/List, opened on demand; further readers wait for a free one. WAL
  // readers block neither each other nor the writer; each connection costs a page cache.
  int max_read_connections = 4;
  // How long a connection waits on a lock held by another connection (another process on the
  // same file, a checkpoint) before the call fails with Unavailable.
  absl::Duration busy_timeout = absl::Seconds(5);
  // WAL pages after which a commit also runs SQLite's automatic PASSIVE checkpoint (copies the
  // WAL into the database file without waiting for readers). Lower keeps the WAL short and reads
  // fast; higher makes those slower commits rarer.
  int wal_autocheckpoint_pages = 1000;
  // Size the WAL file is truncated to when a checkpoint restarts it (journal_size_limit): the
  // disk a burst of writes may keep using afterwards.
  int64_t wal_size_limit_bytes = int64_t{64} << 20;
  // The writer runs a TRUNCATE checkpoint (WAL emptied, file cut to zero) this often when there
  // were commits since the last one; zero disables. It waits for readers at most 100ms so it
  // never stalls writes for long; Compact() runs one that waits up to busy_timeout.
  // With background_checkpoints this is instead the longest a non-empty WAL waits for the
  // checkpointer.
  absl::Duration checkpoint_interval = absl::Minutes(1);
  // Checkpoints run on a thread of their own, on their own connection, as PASSIVE checkpoints
  // that proceed while the writer commits, instead of inside a commit (where copying megabytes
  // of WAL and syncing the database file stalls every write waiting on that commit). They run
  // once the WAL holds wal_autocheckpoint_pages pages. After a complete checkpoint SQLite
  // restarts the WAL at the next commit and cuts the file to wal_size_limit_bytes.
  bool background_checkpoints = true;
  // A quota on the database file, rounded down to pages; zero means none. Writes that would
  // grow the file past it fail with Unavailable (nothing of their batch is written) while reads,
  // and writes that fit in freed pages, go on working.
  int64_t max_database_bytes = 0;
  // Page cache of each connection, in KiB. Reads of hot keys stay in memory; costs RAM per
  // connection.
  int cache_size_kib = 8 * 1024;
};

class SqliteStore : public Store {
 public:
  // Opens or creates the database at `path` (a file; ":memory:" is rejected because readers use
  // their own connections). The revision counter continues from the last committed revision.
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                           SqliteOptions options = {});
  // Commits what is queued, then stops the writer and the dispatcher.
  ~SqliteStore() override;

  absl::StatusOr<KeyValue> Get(std::string_view key) override;
  absl::StatusOr<ListResult> List(std::string_view prefix) override;
  absl::StatusOr<int64_t> Create(std::string_view key, std::string value) override;
  absl::StatusOr<int64_t> Update(std::string_view key, std::string value,
                                 int64_t expected_revision) override;
  absl::StatusOr<int64_t> Delete(std::string_view key, int64_t expected_revision) override;
  int64_t CurrentRevision() override;
  std::unique_ptr<Subscription> Subscribe(Subscriber subscriber, int64_t* revision) override;
  // Only current values are stored, so there is no history to drop: this returns free pages to
  // the file system (incremental vacuum) and empties the WAL (TRUNCATE checkpoint).
  absl::Status Compact(int64_t revision) override;

  // Counters for tests and benchmarks. writes / transactions is the mean group-commit batch.
  struct Stats {
    int64_t transactions = 0;         // committed transactions that wrote something
    int64_t writes = 0;               // successful Create/Update/Delete calls
    int64_t failed_transactions = 0;  // batches that failed as a whole (I/O errors)
    int64_t checkpoints = 0;          // TRUNCATE checkpoints run
  };
  Stats stats() const;

 private:
  struct Request;
  struct Writer;
  struct Reader;
  class ReaderLease;

  SqliteStore(std::string path, SqliteOptions options, std::unique_ptr<Writer> writer,
              int64_t revision);

  // Queues a request for the writer thread and waits for its outcome.
  absl::StatusOr<int64_t> Submit(Request request);
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Writer thread.
  void WriterLoop(std::stop_token stop);
  // Checkpointer thread (background_checkpoints).
  void CheckpointerLoop(std::stop_token stop);
  static int OnWalCommit(void* store, struct sqlite3* db, const char* name, int pages);
  void ProcessBatch(std::vector<Request>& batch);
  absl::Status CommitWrites(std::vector<Request*>& writes,
                            std::vector<absl::StatusOr<int64_t>>& results,
                            std::vector<Event>& events);
  absl::StatusOr<Event> Apply(Request& request, int64_t revision);
  absl::Status Checkpoint(absl::Duration reader_wait);
  absl::Status Vacuum();

  // Reader pool.
  absl::StatusOr<ReaderLease> AcquireReader();
  void ReleaseReader(std::unique_ptr<Reader> reader);
  bool CanAcquireReader() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(pool_mu_);

  const std::string path_;
  const SqliteOptions options_;

  // Used only by the writer thread (after construction).
  std::unique_ptr<Writer> writer_;
  bool dirty_since_checkpoint_ = false;

  absl::Mutex mu_;
  std::deque<Request> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  absl::Mutex pool_mu_;
  std::vector<std::unique_ptr<Reader>> idle_readers_ ABSL_GUARDED_BY(pool_mu_);
  int open_readers_ ABSL_GUARDED_BY(pool_mu_) = 0;

  std::atomic<int64_t> transactions_{0};
  std::atomic<int64_t> writes_{0};
  std::atomic<int64_t> failed_transactions_{0};
  std::atomic<int64_t> checkpoints_{0};

  // The writer publishes each commit's events before acknowledging it; its revision is the
  // latest committed revision.
  EventDispatcher dispatcher_;
  std::jthread writer_thread_;  // started after, and stopped before, everything above

  // WAL pages after the last commit, from the writer's WAL hook.
  std::atomic<int> wal_pages_{0};
  std::mutex checkpoint_mu_;
  std::condition_variable_any checkpoint_cv_;
  std::jthread checkpointer_thread_;  // last; stopped first
};

}  // namespace skiff::store
