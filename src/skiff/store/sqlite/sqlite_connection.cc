#include "skiff/store/sqlite/sqlite_connection.h"

#include "absl/strings/str_cat.h"

namespace skiff::store {

absl::Status SqliteError(int rc, std::string_view what, std::string_view message) {
  std::string text = absl::StrCat("sqlite: ", std::string(what), ": ", std::string(message), " (",
                                  sqlite3_errstr(rc), ")");
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
    case SQLITE_NOLFS:
    case SQLITE_PERM:
      return absl::UnavailableError(text);
    case SQLITE_TOOBIG:
      return absl::ResourceExhaustedError(text);
    default:
      return absl::InternalError(text);
  }
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_rc_ = SQLITE_OK;
}

void SqliteStatement::BindBlob(int index, std::string_view value) {
  // A zero-length blob needs a non-null pointer, or SQLite binds NULL.
  int rc = sqlite3_bind_blob64(stmt_.get(), index, value.empty() ? "" : value.data(), value.size(),
                               SQLITE_STATIC);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void SqliteStatement::BindInt64(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

absl::StatusOr<bool> SqliteStatement::Step() {
  if (bind_rc_ != SQLITE_OK) {
    return SqliteError(bind_rc_, "bind", sqlite3_sql(stmt_.get()));
  }
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(rc, sqlite3_sql(stmt_.get()), sqlite3_errmsg(db_));
}

absl::Status SqliteStatement::Run() {
  absl::StatusOr<bool> row = Step();
  if (!row.ok()) return row.status();
  return absl::OkStatus();
}

std::string_view SqliteStatement::ColumnBlob(int column) const {
  const void* data = sqlite3_column_blob(stmt_.get(), column);
  int size = sqlite3_column_bytes(stmt_.get(), column);
  if (data == nullptr) return {};
  return std::string_view(static_cast<const char*>(data), size);
}

int64_t SqliteStatement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}

absl::StatusOr<SqliteConnection> SqliteConnection::Open(const std::string& path, int flags,
                                                        absl::Duration busy_timeout) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteConnection conn;
  conn.db_.reset(raw);  // sqlite3_open_v2 may return a handle even on failure
  if (rc != SQLITE_OK) {
    return SqliteError(rc, absl::StrCat("open ", path),
                       raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
  }
  sqlite3_extended_result_codes(raw, 1);
  conn.SetBusyTimeout(busy_timeout);
  return conn;
}

absl::Status SqliteConnection::Exec(const char* sql) {
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, sql);
  return absl::OkStatus();
}

absl::StatusOr<std::string> SqliteConnection::QueryText(const char* sql) {
  absl::StatusOr<SqliteStatement> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  absl::StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError(absl::StrCat("sqlite: ", sql, ": no result"));
  const unsigned char* text = sqlite3_column_text(stmt->stmt_.get(), 0);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
}

absl::StatusOr<SqliteStatement> SqliteConnection::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(rc, sql);
  }
  return SqliteStatement(db_.get(), stmt);
}

void SqliteConnection::RollbackIfActive() {
  if (sqlite3_get_autocommit(db_.get()) == 0) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

void SqliteConnection::SetBusyTimeout(absl::Duration timeout) {
  sqlite3_busy_timeout(db_.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout)));
}

absl::Status SqliteConnection::Error(int rc, std::string_view what) const {
  return SqliteError(rc, what, sqlite3_errmsg(db_.get()));
}

}  // namespace skiff::store
