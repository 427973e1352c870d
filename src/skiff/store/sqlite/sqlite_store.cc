#include "skiff/store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <future>
#include <initializer_list>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "skiff/store/errors.h"
#include "spdlog/spdlog.h"

namespace skiff::store {
namespace {

// Readers finish in microseconds; a periodic checkpoint that cannot get them out of the WAL
// by then is retried at the next interval rather than stalling the writes queued behind it.
constexpr absl::Duration kPeriodicCheckpointReaderWait = absl::Milliseconds(100);

// Keys are BLOBs so they compare bytewise (memcmp), which makes prefix ranges exact. The
// revision columns precede the value so reading them never touches the value's overflow pages.
constexpr const char* kSchema = R"sql(
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS kv (
  key BLOB NOT NULL PRIMARY KEY,
  create_revision INTEGER NOT NULL,
  mod_revision INTEGER NOT NULL,
  value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  name TEXT NOT NULL PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0);
COMMIT;
)sql";

constexpr std::string_view kSelectKey =
    "SELECT create_revision, mod_revision, value FROM kv WHERE key = ?1";
constexpr std::string_view kSelectRevision = "SELECT value FROM meta WHERE name = 'revision'";
constexpr std::string_view kListRange =
    "SELECT key, create_revision, mod_revision, value FROM kv "
    "WHERE key >= ?1 AND key < ?2 ORDER BY key";
constexpr std::string_view kListFrom =
    "SELECT key, create_revision, mod_revision, value FROM kv WHERE key >= ?1 ORDER BY key";

// The smallest string greater than every string that starts with `prefix`; empty if none is.
std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) != 0xff) {
      ++end.back();
      return end;
    }
    end.pop_back();
  }
  return end;
}

// Makes the database's directory entry durable: SQLite syncs the WAL's entry, not the file's.
absl::Status SyncDirectory(const std::string& path) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(path, ec).parent_path();
  if (ec) return absl::UnavailableError(absl::StrCat("resolve ", path, ": ", ec.message()));
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return absl::UnavailableError(absl::StrCat("open ", dir.string(), ": ", strerror(errno)));
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0)
    return absl::UnavailableError(absl::StrCat("fsync ", dir.string(), ": ", strerror(err)));
  return absl::OkStatus();
}

absl::Status PrepareAll(SqliteConnection& db,
                        std::initializer_list<std::pair<SqliteStatement*, std::string_view>> all) {
  for (const auto& [stmt, sql] : all) {
    absl::StatusOr<SqliteStatement> prepared = db.Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    *stmt = std::move(*prepared);
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ReadRevision(SqliteStatement& stmt) {
  stmt.Reset();
  absl::StatusOr<bool> row = stmt.Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError("sqlite: the meta table has no revision row");
  int64_t revision = stmt.ColumnInt64(0);
  stmt.Reset();
  return revision;
}

KeyValue ReadKeyValue(const SqliteStatement& stmt) {
  return KeyValue{.key = std::string(stmt.ColumnBlob(0)),
                  .value = std::string(stmt.ColumnBlob(3)),
                  .create_revision = stmt.ColumnInt64(1),
                  .mod_revision = stmt.ColumnInt64(2)};
}

}  // namespace

struct SqliteStore::Request {
  enum class Op { kCreate, kUpdate, kDelete, kCompact };
  Request(Op op, std::string_view key, std::string value, int64_t expected_revision)
      : op(op), key(key), value(std::move(value)), expected_revision(expected_revision) {}

  Op op;
  std::string key;
  std::string value;
  int64_t expected_revision = 0;
  std::promise<absl::StatusOr<int64_t>> done;
};

struct SqliteStore::Writer {
  SqliteConnection db;
  SqliteStatement begin, commit, read_revision, write_revision;
  SqliteStatement select, insert, update, remove;
};

struct SqliteStore::Reader {
  SqliteConnection db;
  SqliteStatement get, begin, commit, read_revision, list_range, list_from;
};

// A reader borrowed from the pool; returned on destruction unless discarded.
class SqliteStore::ReaderLease {
 public:
  ReaderLease(SqliteStore* store, std::unique_ptr<Reader> reader)
      : store_(store), reader_(std::move(reader)) {}
  ReaderLease(ReaderLease&& other) = default;
  ~ReaderLease() {
    if (reader_ != nullptr) store_->ReleaseReader(std::move(reader_));
  }

  Reader& operator*() { return *reader_; }
  // Closes the connection instead of pooling it: after an error its state is unknown.
  void Discard() {
    reader_.reset();
    store_->ReleaseReader(nullptr);
  }

 private:
  SqliteStore* store_;
  std::unique_ptr<Reader> reader_;
};

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                               SqliteOptions options) {
  if (path.empty() || path == ":memory:" || absl::StartsWith(path, "file:")) {
    return absl::InvalidArgumentError(
        absl::StrCat("sqlite store needs a file path, got '", path, "'"));
  }
  absl::StatusOr<SqliteConnection> db = SqliteConnection::Open(
      path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options.busy_timeout);
  if (!db.ok()) return db.status();
  auto writer = std::make_unique<Writer>();
  writer->db = std::move(*db);
  SqliteConnection& conn = writer->db;

  // auto_vacuum only takes effect before the first table exists, i.e. on a new database.
  if (absl::Status s = conn.Exec("PRAGMA auto_vacuum=INCREMENTAL"); !s.ok()) return s;
  absl::StatusOr<std::string> mode = conn.QueryText("PRAGMA journal_mode=WAL");
  if (!mode.ok()) return mode.status();
  if (*mode != "wal") {
    return absl::FailedPreconditionError(
        absl::StrCat("sqlite: cannot enable WAL on ", path, " (journal_mode is ", *mode, ")"));
  }
  for (const std::string& pragma :
       {std::string("PRAGMA synchronous=FULL"),
        absl::StrCat("PRAGMA wal_autocheckpoint=",
                     options.background_checkpoints ? 0 : options.wal_autocheckpoint_pages),
        absl::StrCat("PRAGMA journal_size_limit=", options.wal_size_limit_bytes),
        absl::StrCat("PRAGMA cache_size=-", options.cache_size_kib)}) {
    if (absl::Status s = conn.Exec(pragma.c_str()); !s.ok()) return s;
  }
  if (options.max_database_bytes > 0) {
    // Rounded down to whole pages (at least one), so the quota is never exceeded.
    absl::StatusOr<std::string> page_size = conn.QueryText("PRAGMA page_size");
    if (!page_size.ok()) return page_size.status();
    int64_t page_bytes = 0;
    if (!absl::SimpleAtoi(*page_size, &page_bytes) || page_bytes <= 0) {
      return absl::InternalError(absl::StrCat("sqlite: odd page_size '", *page_size, "'"));
    }
    int64_t pages = std::max<int64_t>(1, options.max_database_bytes / page_bytes);
    std::string pragma = absl::StrCat("PRAGMA max_page_count=", pages);
    if (absl::Status s = conn.Exec(pragma.c_str()); !s.ok()) return s;
  }
  if (absl::Status s = conn.Exec(kSchema); !s.ok()) {
    conn.RollbackIfActive();
    return s;
  }
  Writer& w = *writer;
  absl::Status prepared = PrepareAll(
      conn, {{&w.begin, "BEGIN IMMEDIATE"},
             {&w.commit, "COMMIT"},
             {&w.read_revision, kSelectRevision},
             {&w.write_revision, "UPDATE meta SET value = ?1 WHERE name = 'revision'"},
             {&w.select, kSelectKey},
             {&w.insert,
              "INSERT INTO kv (key, create_revision, mod_revision, value) VALUES (?1, ?2, ?2, ?3)"},
             {&w.update, "UPDATE kv SET mod_revision = ?2, value = ?3 WHERE key = ?1"},
             {&w.remove, "DELETE FROM kv WHERE key = ?1"}});
  if (!prepared.ok()) return prepared;
  absl::StatusOr<int64_t> revision = ReadRevision(w.read_revision);
  if (!revision.ok()) return revision.status();
  if (absl::Status s = SyncDirectory(path); !s.ok()) return s;
  return std::unique_ptr<SqliteStore>(new SqliteStore(path, options, std::move(writer), *revision));
}

SqliteStore::SqliteStore(std::string path, SqliteOptions options, std::unique_ptr<Writer> writer,
                         int64_t revision)
    : path_(std::move(path)),
      options_(options),
      writer_(std::move(writer)),
      dispatcher_(revision),
      writer_thread_([this](std::stop_token stop) { WriterLoop(stop); }) {
  if (options_.background_checkpoints) {
    // Before the first commit can happen through the store (the store is not yet returned).
    sqlite3_wal_hook(writer_->db.get(), &SqliteStore::OnWalCommit, this);
    checkpointer_thread_ = std::jthread([this](std::stop_token stop) { CheckpointerLoop(stop); });
  }
}

SqliteStore::~SqliteStore() {
  if (checkpointer_thread_.joinable()) {
    checkpointer_thread_.request_stop();
    checkpointer_thread_.join();
  }
  writer_thread_.request_stop();
  writer_thread_.join();
}

int SqliteStore::OnWalCommit(void* store, sqlite3* db, const char* name, int pages) {
  auto* self = static_cast<SqliteStore*>(store);
  self->wal_pages_.store(pages);
  if (pages >= self->options_.wal_autocheckpoint_pages) self->checkpoint_cv_.notify_one();
  return SQLITE_OK;
}

void SqliteStore::CheckpointerLoop(std::stop_token stop) {
  absl::StatusOr<SqliteConnection> db =
      SqliteConnection::Open(path_, SQLITE_OPEN_READWRITE, options_.busy_timeout);
  if (!db.ok()) {
    spdlog::warn("sqlite store {}: no checkpointer: {}", path_, db.status().ToString());
    return;
  }
  if (absl::Status s = db->Exec("PRAGMA synchronous=FULL"); !s.ok()) {
    spdlog::warn("sqlite store {}: checkpointer: {}", path_, s.ToString());
  }
  const auto longest_wait = absl::ToChronoMilliseconds(
      options_.checkpoint_interval > absl::ZeroDuration() ? options_.checkpoint_interval
                                                          : absl::Minutes(1));
  while (!stop.stop_requested()) {
    {
      std::unique_lock<std::mutex> lock(checkpoint_mu_);
      checkpoint_cv_.wait_for(lock, stop, longest_wait, [&] {
        return wal_pages_.load() >= options_.wal_autocheckpoint_pages;
      });
    }
    if (stop.stop_requested() || wal_pages_.load() == 0) continue;
    int log_frames = 0;
    int copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(db->get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                       &copied);
    if (rc == SQLITE_OK) {
      ++checkpoints_;
      // Until the next commit reports the WAL again.
      if (copied >= log_frames) wal_pages_.store(0);
    } else if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
      spdlog::warn("sqlite store {}: checkpoint: {}", path_, sqlite3_errmsg(db->get()));
    }
    if (copied < log_frames) {
      // Readers still use older frames: try again shortly rather than spinning.
      std::unique_lock<std::mutex> lock(checkpoint_mu_);
      checkpoint_cv_.wait_for(lock, stop, std::chrono::milliseconds(100), [] { return false; });
    }
  }
}

// ---- Reads ----

absl::StatusOr<KeyValue> SqliteStore::Get(std::string_view key) {
  absl::StatusOr<ReaderLease> lease = AcquireReader();
  if (!lease.ok()) return lease.status();
  SqliteStatement& get = (**lease).get;
  get.Reset();
  get.BindBlob(1, key);
  absl::StatusOr<bool> row = get.Step();
  if (!row.ok()) {
    lease->Discard();
    return row.status();
  }
  if (!*row) {
    get.Reset();
    return KeyNotFoundError(key);
  }
  KeyValue kv{.key = std::string(key),
              .value = std::string(get.ColumnBlob(2)),
              .create_revision = get.ColumnInt64(0),
              .mod_revision = get.ColumnInt64(1)};
  get.Reset();  // ends the statement's read transaction, which would hold back checkpoints
  return kv;
}

absl::StatusOr<ListResult> SqliteStore::List(std::string_view prefix) {
  absl::StatusOr<ReaderLease> lease = AcquireReader();
  if (!lease.ok()) return lease.status();
  Reader& r = **lease;
  // One read transaction: the revision and the rows come from the same WAL snapshot, because
  // the writer updates the meta revision in the transaction that changes the rows.
  auto list = [&]() -> absl::StatusOr<ListResult> {
    r.begin.Reset();
    if (absl::Status s = r.begin.Run(); !s.ok()) return s;
    ListResult result;
    absl::StatusOr<int64_t> revision = ReadRevision(r.read_revision);
    if (!revision.ok()) return revision.status();
    result.revision = *revision;
    std::string end = PrefixEnd(prefix);
    SqliteStatement& q = end.empty() ? r.list_from : r.list_range;
    q.Reset();
    q.BindBlob(1, prefix);
    if (!end.empty()) q.BindBlob(2, end);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      result.items.push_back(ReadKeyValue(q));
    }
    q.Reset();
    r.commit.Reset();
    if (absl::Status s = r.commit.Run(); !s.ok()) return s;
    return result;
  };
  absl::StatusOr<ListResult> result = list();
  if (!result.ok()) {
    r.db.RollbackIfActive();
    lease->Discard();
  }
  return result;
}

bool SqliteStore::CanAcquireReader() const {
  return !idle_readers_.empty() || open_readers_ < std::max(1, options_.max_read_connections);
}

absl::StatusOr<SqliteStore::ReaderLease> SqliteStore::AcquireReader() {
  {
    absl::MutexLock lock(&pool_mu_, absl::Condition(this, &SqliteStore::CanAcquireReader));
    if (!idle_readers_.empty()) {
      std::unique_ptr<Reader> reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(this, std::move(reader));
    }
    ++open_readers_;
  }
  // Opened outside the lock: opening reads the file.
  auto open = [&]() -> absl::StatusOr<std::unique_ptr<Reader>> {
    absl::StatusOr<SqliteConnection> db =
        SqliteConnection::Open(path_, SQLITE_OPEN_READWRITE, options_.busy_timeout);
    if (!db.ok()) return db.status();
    auto reader = std::make_unique<Reader>();
    reader->db = std::move(*db);
    std::string cache = absl::StrCat("PRAGMA cache_size=-", options_.cache_size_kib);
    if (absl::Status s = reader->db.Exec("PRAGMA query_only=1"); !s.ok()) return s;
    if (absl::Status s = reader->db.Exec(cache.c_str()); !s.ok()) return s;
    Reader& r = *reader;
    absl::Status prepared = PrepareAll(r.db, {{&r.get, kSelectKey},
                                              {&r.begin, "BEGIN"},
                                              {&r.commit, "COMMIT"},
                                              {&r.read_revision, kSelectRevision},
                                              {&r.list_range, kListRange},
                                              {&r.list_from, kListFrom}});
    if (!prepared.ok()) return prepared;
    return reader;
  };
  absl::StatusOr<std::unique_ptr<Reader>> reader = open();
  if (!reader.ok()) {
    ReleaseReader(nullptr);
    return reader.status();
  }
  return ReaderLease(this, std::move(*reader));
}

void SqliteStore::ReleaseReader(std::unique_ptr<Reader> reader) {
  absl::MutexLock lock(&pool_mu_);
  if (reader != nullptr) {
    idle_readers_.push_back(std::move(reader));
  } else {
    --open_readers_;
  }
}

// ---- Writes ----

absl::StatusOr<int64_t> SqliteStore::Create(std::string_view key, std::string value) {
  return Submit(Request(Request::Op::kCreate, key, std::move(value), 0));
}

absl::StatusOr<int64_t> SqliteStore::Update(std::string_view key, std::string value,
                                            int64_t expected_revision) {
  return Submit(Request(Request::Op::kUpdate, key, std::move(value), expected_revision));
}

absl::StatusOr<int64_t> SqliteStore::Delete(std::string_view key, int64_t expected_revision) {
  return Submit(Request(Request::Op::kDelete, key, "", expected_revision));
}

absl::Status SqliteStore::Compact(int64_t revision) {
  return Submit(Request(Request::Op::kCompact, "", "", 0)).status();
}

int64_t SqliteStore::CurrentRevision() { return dispatcher_.revision(); }

std::unique_ptr<Store::Subscription> SqliteStore::Subscribe(Subscriber subscriber,
                                                            int64_t* revision) {
  return dispatcher_.Subscribe(std::move(subscriber), revision);
}

SqliteStore::Stats SqliteStore::stats() const {
  return Stats{.transactions = transactions_.load(),
               .writes = writes_.load(),
               .failed_transactions = failed_transactions_.load(),
               .checkpoints = checkpoints_.load()};
}

absl::StatusOr<int64_t> SqliteStore::Submit(Request request) {
  std::future<absl::StatusOr<int64_t>> result = request.done.get_future();
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::UnavailableError("sqlite store is closing");
    queue_.push_back(std::move(request));
  }
  return result.get();
}

bool SqliteStore::HasWorkOrStopping() const { return !queue_.empty() || stopping_; }

void SqliteStore::WriterLoop(std::stop_token stop) {
  std::stop_callback on_stop(stop, [this] {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  });
  const bool periodic =
      options_.checkpoint_interval > absl::ZeroDuration() && !options_.background_checkpoints;
  const size_t max_batch = static_cast<size_t>(std::max(1, options_.max_batch_size));
  absl::Time next_checkpoint = absl::Now() + options_.checkpoint_interval;
  while (true) {
    std::vector<Request> batch;
    {
      absl::MutexLock lock(&mu_);
      absl::Condition ready(this, &SqliteStore::HasWorkOrStopping);
      if (periodic) {
        mu_.AwaitWithDeadline(ready, next_checkpoint);
      } else {
        mu_.Await(ready);
      }
      if (queue_.empty() && stopping_) break;  // everything queued before the stop is done
      size_t n = std::min(queue_.size(), max_batch);
      batch.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (!batch.empty()) ProcessBatch(batch);
    if (periodic && absl::Now() >= next_checkpoint) {
      if (dirty_since_checkpoint_) {
        if (absl::Status s = Checkpoint(kPeriodicCheckpointReaderWait); !s.ok()) {
          spdlog::warn("sqlite store {}: periodic checkpoint: {}", path_, s.ToString());
        }
      }
      next_checkpoint = absl::Now() + options_.checkpoint_interval;
    }
  }
}

void SqliteStore::ProcessBatch(std::vector<Request>& batch) {
  std::vector<Request*> writes;
  std::vector<Request*> compactions;
  for (Request& r : batch) (r.op == Request::Op::kCompact ? compactions : writes).push_back(&r);

  if (!writes.empty()) {
    std::vector<absl::StatusOr<int64_t>> results(writes.size(),
                                                 absl::UnknownError("write not applied"));
    std::vector<Event> events;
    absl::Status status = CommitWrites(writes, results, events);
    if (!status.ok()) {
      writer_->db.RollbackIfActive();
      ++failed_transactions_;
      std::fill(results.begin(), results.end(), status);
    } else if (!events.empty()) {
      ++transactions_;
      writes_ += static_cast<int64_t>(events.size());
      dirty_since_checkpoint_ = true;
      // Published before acknowledging, so a caller who saw its revision also sees it in
      // CurrentRevision() and in any subscription made afterwards.
      dispatcher_.Publish(std::move(events));
    }
    for (size_t i = 0; i < writes.size(); ++i) writes[i]->done.set_value(std::move(results[i]));
  }
  for (Request* r : compactions) {
    absl::Status status = Vacuum();
    if (status.ok()) status = Checkpoint(options_.busy_timeout);
    r->done.set_value(status.ok() ? absl::StatusOr<int64_t>(0) : status);
  }
}

absl::Status SqliteStore::CommitWrites(std::vector<Request*>& writes,
                                       std::vector<absl::StatusOr<int64_t>>& results,
                                       std::vector<Event>& events) {
  Writer& w = *writer_;
  w.begin.Reset();
  if (absl::Status s = w.begin.Run(); !s.ok()) return s;
  // Read in the transaction rather than kept in memory: after a failed commit whose outcome
  // SQLite could not tell, the file is the truth.
  absl::StatusOr<int64_t> start = ReadRevision(w.read_revision);
  if (!start.ok()) return start.status();
  int64_t revision = *start;
  for (size_t i = 0; i < writes.size(); ++i) {
    absl::StatusOr<Event> event = Apply(*writes[i], revision + 1);
    if (event.ok()) {
      results[i] = ++revision;
      events.push_back(std::move(*event));
      continue;
    }
    // NotFound, AlreadyExists, a conflict or an oversized value fail only their request: SQLite
    // undid at most that statement. I/O errors, or a transaction SQLite rolled back, fail all.
    bool request_error = !absl::IsUnavailable(event.status()) &&
                         !absl::IsInternal(event.status()) &&
                         sqlite3_get_autocommit(w.db.get()) == 0;
    if (!request_error) return event.status();
    results[i] = event.status();
  }
  if (revision != *start) {
    w.write_revision.Reset();
    w.write_revision.BindInt64(1, revision);
    if (absl::Status s = w.write_revision.Run(); !s.ok()) return s;
  }
  w.commit.Reset();
  return w.commit.Run();
}

absl::StatusOr<Event> SqliteStore::Apply(Request& request, int64_t revision) {
  Writer& w = *writer_;
  const std::string& key = request.key;
  Event event;
  event.key = key;
  event.revision = revision;

  w.select.Reset();
  w.select.BindBlob(1, key);
  absl::StatusOr<bool> found = w.select.Step();
  if (!found.ok()) return found.status();
  absl::Status precondition = absl::OkStatus();
  if (request.op == Request::Op::kCreate) {
    if (*found) precondition = KeyExistsError(key);
  } else if (!*found) {
    precondition = KeyNotFoundError(key);
  } else {
    precondition = CheckRevision(key, request.expected_revision, w.select.ColumnInt64(1));
    event.create_revision = w.select.ColumnInt64(0);
    if (request.op == Request::Op::kDelete) event.value = std::string(w.select.ColumnBlob(2));
  }
  w.select.Reset();
  if (!precondition.ok()) return precondition;

  SqliteStatement* stmt = nullptr;
  switch (request.op) {
    case Request::Op::kCreate:
      stmt = &w.insert;
      event.create_revision = revision;
      event.created = true;
      break;
    case Request::Op::kUpdate:
      stmt = &w.update;
      break;
    case Request::Op::kDelete:
      stmt = &w.remove;
      event.type = Event::Type::kDelete;
      break;
    case Request::Op::kCompact:
      return absl::InternalError("compaction is not a write");
  }
  stmt->Reset();
  stmt->BindBlob(1, key);
  if (request.op != Request::Op::kDelete) {
    stmt->BindInt64(2, revision);
    stmt->BindBlob(3, request.value);
  }
  absl::Status status = stmt->Run();
  stmt->Reset();  // drops the bindings to request.value before it moves
  if (!status.ok()) return status;
  if (request.op != Request::Op::kDelete) event.value = std::move(request.value);
  return event;
}

absl::Status SqliteStore::Checkpoint(absl::Duration reader_wait) {
  SqliteConnection& db = writer_->db;
  db.SetBusyTimeout(reader_wait);
  int rc =
      sqlite3_wal_checkpoint_v2(db.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  db.SetBusyTimeout(options_.busy_timeout);
  if (rc != SQLITE_OK) return db.Error(rc, "wal checkpoint (truncate)");
  ++checkpoints_;
  dirty_since_checkpoint_ = false;
  return absl::OkStatus();
}

absl::Status SqliteStore::Vacuum() { return writer_->db.Exec("PRAGMA incremental_vacuum"); }

}  // namespace skiff::store
