// libsqlite3 behind SqliteConnection/SqliteStatement/SqliteTransaction (sqlite_connection.h).
#include "store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include "model/error.h"

namespace strata::store {

namespace {
// Writers queue behind each other for up to this long before the store reports the database
// as busy (another process holding the file, or a long checkpoint).
constexpr int kBusyTimeoutMs = 5000;
}  // namespace

SqliteConnection::SqliteConnection(const std::string& path) : path_(path) {
  // NOMUTEX: the store serialises every use of the connection behind its own mutex.
  int rc =
      sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(ErrorKind::kEnvironment, "cannot open the store '" + path + "': " + message, {},
                "check that the file is a SQLite database the server may read and write");
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  try {
    exec_script(
        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, cached] : statements_) sqlite3_finalize(cached.stmt);
  sqlite3_close(db_);
}

sqlite3_stmt* SqliteConnection::prepare(std::string_view sql, void** entry) {
  auto it = statements_.find(sql);
  if (it != statements_.end() && !it->second.in_use) {
    it->second.in_use = true;
    *entry = &it->second;
    return it->second.stmt;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
    fail(sqlite3_errmsg(db_));
  *entry = nullptr;
  if (it == statements_.end()) *entry = &statements_.emplace(std::string(sql), Cached{stmt, true}).first->second;
  return stmt;
}

void SqliteConnection::release(sqlite3_stmt* stmt, void* entry) {
  if (!entry) {
    sqlite3_finalize(stmt);
    return;
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  static_cast<Cached*>(entry)->in_use = false;
}

void SqliteConnection::exec_cached(std::string_view sql) {
  SqliteStatement statement(*this, sql);
  statement.run();
}

void SqliteConnection::exec_script(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string detail = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    fail(detail);
  }
}

void SqliteConnection::fail(std::string_view detail) const {
  throw Error(ErrorKind::kEnvironment, "the store could not " + operation_ + ": " +
                                           std::string(detail) + " (" + path_ + ")");
}

SqliteStatement::SqliteStatement(SqliteConnection& db, std::string_view sql) : db_(db) {
  stmt_ = db.prepare(sql, &cached_);
}

SqliteStatement::~SqliteStatement() { db_.release(stmt_, cached_); }

SqliteStatement& SqliteStatement::bind(std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies the text, so temporaries may be bound.
  if (sqlite3_bind_text(stmt_, next_param_++, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    db_.fail(sqlite3_errmsg(db_.handle()));
  }
  return *this;
}

SqliteStatement& SqliteStatement::bind(int64_t number) {
  if (sqlite3_bind_int64(stmt_, next_param_++, number) != SQLITE_OK) {
    db_.fail(sqlite3_errmsg(db_.handle()));
  }
  return *this;
}

bool SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail(sqlite3_errmsg(db_.handle()));
}

int64_t SqliteStatement::run() {
  while (step()) {
  }
  return sqlite3_changes64(db_.handle());
}

std::string SqliteStatement::text(int column) const {
  const unsigned char* data = sqlite3_column_text(stmt_, column);
  if (!data) return {};
  return std::string(reinterpret_cast<const char*>(data),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

int64_t SqliteStatement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

SqliteTransaction::SqliteTransaction(SqliteConnection& db, Mode mode) : db_(db) {
  db_.exec_cached(mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  open_ = true;
}

SqliteTransaction::~SqliteTransaction() {
  // A failed statement may already have ended the transaction; ROLLBACK's error is moot then.
  if (!open_) return;
  try {
    db_.exec_cached("ROLLBACK");
  } catch (const std::exception&) {
    // Already rolled back by the failure itself.
  }
}

void SqliteTransaction::commit() {
  db_.exec_cached("COMMIT");
  open_ = false;
}

}  // namespace strata::store
