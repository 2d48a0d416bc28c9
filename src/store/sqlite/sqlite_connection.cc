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

SqliteConnection::~SqliteConnection() { sqlite3_close(db_); }

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
  if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    db_.fail(sqlite3_errmsg(db.handle()));
  }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

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
  db_.exec_script(mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  open_ = true;
}

SqliteTransaction::~SqliteTransaction() {
  // A failed statement may already have ended the transaction; ROLLBACK's error is moot then.
  if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteTransaction::commit() {
  db_.exec_script("COMMIT");
  open_ = false;
}

}  // namespace strata::store
