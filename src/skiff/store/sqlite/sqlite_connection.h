// Thin RAII wrappers over one SQLite connection and its prepared statements, turning SQLite
// result codes into absl::Status (see SqliteError). Not thread-safe: a connection and its
// statements are used by one thread at a time (connections are opened SQLITE_OPEN_NOMUTEX).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace skiff::store {

// Maps an SQLite result code to a Status carrying `message`: I/O, full disk, locks and other
// conditions of the machine are Unavailable; a value over SQLite's size limit is
// ResourceExhausted; anything else (corruption, misuse, schema) is Internal.
absl::Status SqliteError(int rc, std::string_view what, std::string_view message);

class SqliteStatement {
 public:
  SqliteStatement() = default;

  // Clears the previous execution and bindings; call before binding for a new execution.
  void Reset();
  // Blobs are bound without copying: `value` must stay alive until the statement is Reset.
  void BindBlob(int index, std::string_view value);
  void BindInt64(int index, int64_t value);
  // Runs to the next row: true if a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Steps once, expecting no row (for writes and pragmas).
  absl::Status Run();

  std::string_view ColumnBlob(int column) const;
  int64_t ColumnInt64(int column) const;

 private:
  friend class SqliteConnection;
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };

  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  sqlite3* db_ = nullptr;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  int bind_rc_ = SQLITE_OK;  // the first failed bind, reported by the next Step
};

class SqliteConnection {
 public:
  // `flags` are sqlite3_open_v2 flags; SQLITE_OPEN_NOMUTEX is always added.
  static absl::StatusOr<SqliteConnection> Open(const std::string& path, int flags,
                                               absl::Duration busy_timeout);

  SqliteConnection() = default;

  absl::Status Exec(const char* sql);
  // Runs a statement returning one text value, e.g. "PRAGMA journal_mode=WAL".
  absl::StatusOr<std::string> QueryText(const char* sql);
  absl::StatusOr<SqliteStatement> Prepare(std::string_view sql);
  // Rolls back the open transaction, if any. Errors are ignored: SQLite may already have rolled
  // it back, and there is nothing else to do.
  void RollbackIfActive();
  void SetBusyTimeout(absl::Duration timeout);
  // The Status for `rc` with this connection's last error message.
  absl::Status Error(int rc, std::string_view what) const;

  sqlite3* get() const { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };

  std::unique_ptr<sqlite3, Closer> db_;
};

}  // namespace skiff::store
