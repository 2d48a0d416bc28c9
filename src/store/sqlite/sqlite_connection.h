// SqliteConnection: the thin layer between the SQLite store and libsqlite3 — opening the file,
// prepared statements with bound parameters (values never become SQL text), transactions that
// roll back unless committed, and errors that name the store operation that failed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace strata::store {

class SqliteConnection;

// One prepared statement; bind the `?` parameters in order, then step through the rows. The
// connection keeps statements prepared between uses (parsing SQL was most of a read's cost).
class SqliteStatement {
 public:
  SqliteStatement(SqliteConnection& db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(std::string_view text);
  SqliteStatement& bind(const std::string& text) { return bind(std::string_view(text)); }
  SqliteStatement& bind(const char* text) { return bind(std::string_view(text)); }
  SqliteStatement& bind(int64_t number);
  SqliteStatement& bind(int number) { return bind(static_cast<int64_t>(number)); }
  SqliteStatement& bind(bool flag) { return bind(static_cast<int64_t>(flag ? 1 : 0)); }
  template <typename... Args>
  SqliteStatement& bind_all(const Args&... args) {
    (bind(args), ...);
    return *this;
  }

  // True while there is a row to read; false once done.
  bool step();
  // Steps to the end (for statements that return no rows); returns the rows changed.
  int64_t run();

  std::string text(int column) const;
  int64_t int64(int column) const;

 private:
  SqliteConnection& db_;
  sqlite3_stmt* stmt_ = nullptr;
  void* cached_ = nullptr;  // the connection's cache entry: reset on destruction, not finalized
  int next_param_ = 1;
};

class SqliteConnection {
 public:
  // Opens an existing database file (the caller creates it with the permissions it wants);
  // WAL, foreign keys and a busy timeout are set here.
  explicit SqliteConnection(const std::string& path);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Runs SQL text with no parameters (pragmas, migrations); may hold several statements.
  void exec_script(const std::string& sql);
  // prepare + bind + run in one line, for statements that return no rows.
  template <typename... Args>
  int64_t exec(std::string_view sql, const Args&... args) {
    SqliteStatement statement(*this, sql);
    statement.bind_all(args...);
    return statement.run();
  }

  // Names what the store is doing, for error messages ("the store could not lease: …").
  void set_operation(std::string operation) { operation_ = std::move(operation); }
  // Throws strata::Error (kEnvironment) naming the operation and SQLite's message.
  [[noreturn]] void fail(std::string_view detail) const;

  sqlite3* handle() { return db_; }

 private:
  friend class SqliteStatement;
  friend class SqliteTransaction;
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  // The prepared statement for `sql`, from the cache when it is there and not in use (a
  // statement stepping in an outer loop while the same SQL runs inside gets a fresh one);
  // *entry is its cache entry, null for a fresh one.
  sqlite3_stmt* prepare(std::string_view sql, void** entry);
  void release(sqlite3_stmt* stmt, void* entry);
  // BEGIN, COMMIT and ROLLBACK through the cache.
  void exec_cached(std::string_view sql);

  std::map<std::string, Cached, std::less<>> statements_;
  sqlite3* db_ = nullptr;
  std::string path_;
  std::string operation_ = "open";
};

// A transaction around one store operation: BEGIN IMMEDIATE for writes (takes the write lock at
// once, so two writers never deadlock upgrading), plain BEGIN for reads. Rolls back when left
// without commit() — an exception mid-way leaves nothing half-written.
class SqliteTransaction {
 public:
  enum class Mode { kRead, kWrite };
  SqliteTransaction(SqliteConnection& db, Mode mode);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  void commit();

 private:
  SqliteConnection& db_;
  bool open_ = false;
};

}  // namespace strata::store
