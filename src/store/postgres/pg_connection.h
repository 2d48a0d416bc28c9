// PgConnection: the thin layer between the PostgreSQL store and libpq — one connection that
// reconnects by itself, statements with $1, $2… parameters sent apart from the SQL text (values
// never become SQL), results freed when they go out of scope, and errors that name the store
// operation that failed or say that the database cannot be reached (never with the URL's
// password). PgPool hands out a few such connections to the store's threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/error.h"

struct pg_conn;
struct pg_result;

namespace strata::store {

// Where a PostgreSQL URL points, for messages, and the URL as libpq takes it. Parsing it
// rejects a malformed URL with an Error that shows it with the password masked.
// What every connection sets for its session (libpq's "options"); a URL's own options win.
inline constexpr const char* kSessionOptions =
    "-c statement_timeout=60s -c idle_in_transaction_session_timeout=60s";

struct PgTarget {
  explicit PgTarget(const std::string& url);
  std::string url;       // as given; only ever passed to libpq
  std::string where;     // "HOST:PORT" (or the socket folder), for messages
  std::string password;  // masked out of every message libpq writes
  // `text` with the password replaced by "***".
  std::string redact(std::string text) const;
};

// A statement that failed while the connection stayed up: its SQLSTATE lets the store retry a
// serialization failure or a deadlock, or turn a unique violation into a user error.
class PgStatementError : public Error {
 public:
  PgStatementError(std::string sqlstate, std::string message)
      : Error(ErrorKind::kEnvironment, std::move(message)), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  // 40001 serialization_failure, 40P01 deadlock_detected: run the transaction again.
  bool retryable() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }
  bool unique_violation() const { return sqlstate_ == "23505"; }

 private:
  std::string sqlstate_;
};

// One result, cleared when it goes away. Values are read as text (NULL reads as "").
class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  int rows() const;
  bool empty() const { return rows() == 0; }
  std::string text(int row, int column) const;
  int64_t int64(int row, int column) const;
  // Rows an INSERT/UPDATE/DELETE changed.
  int64_t changed() const;

 private:
  struct Clear {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

// A parameter in text format: strings as they are, numbers in decimal, booleans as 1/0 (the
// schema keeps flags as INTEGER so it reads alike on SQLite).
class PgParam {
 public:
  PgParam(std::string text) : text_(std::move(text)) {}
  PgParam(const char* text) : text_(text) {}
  PgParam(int64_t number) : text_(std::to_string(number)) {}
  PgParam(int number) : text_(std::to_string(number)) {}
  PgParam(bool flag) : text_(flag ? "1" : "0") {}
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

struct PgConnFinish {
  void operator()(pg_conn* conn) const;
};
using PgConnHandle = std::unique_ptr<pg_conn, PgConnFinish>;

// Opens a libpq connection to `target` with the store's defaults (a connect timeout, notices
// kept off stderr); throws the "unreachable" Error when it cannot.
PgConnHandle pg_connect(const PgTarget& target);
// The Error for a database that cannot be reached right now.
Error pg_unreachable(const PgTarget& target, const std::string& detail);

class PgConnection {
 public:
  // Connects at once; throws the "unreachable" Error when it cannot.
  explicit PgConnection(const PgTarget& target);
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with parameters. Throws PgStatementError when the statement fails, or
  // the "unreachable" Error when the connection broke (the next call reconnects).
  PgResult exec(std::string_view sql, const std::vector<PgParam>& params = {});
  // Runs SQL text without parameters; may hold several statements (migrations).
  void exec_script(const std::string& sql);

  // Names what the store is doing, for error messages ("the store could not lease: …").
  void set_operation(std::string operation) { operation_ = std::move(operation); }
  // False once the server went away; the next exec() reconnects.
  bool healthy() const;
  // Reconnects when the connection is down; throws the "unreachable" Error when it cannot.
  void ensure_connected();

  pg_conn* handle() { return conn_.get(); }

 private:
  // Throws for a failed result: unreachable when the connection broke, else the statement's error.
  [[noreturn]] void fail(pg_result* result);

  const PgTarget& target_;
  PgConnHandle conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name, this session
  std::string operation_ = "connect";
};

// Up to `size` connections shared by the store's threads: a call checks one out for its whole
// transaction and gives it back. When one is found broken (the server restarted), the idle ones
// are dropped too — they point at the same gone server — so the next call starts afresh.
class PgPool {
 public:
  PgPool(const PgTarget& target, size_t size) : target_(target), size_(size) {}

  class Lease {
   public:
    Lease(PgPool& pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    ~Lease() { pool_.give_back(std::move(conn_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    PgConnection& operator*() { return *conn_; }
    PgConnection* operator->() { return conn_.get(); }

   private:
    PgPool& pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  // Waits for an idle connection, or opens one while fewer than `size` exist.
  Lease checkout();

 private:
  void give_back(std::unique_ptr<PgConnection> conn);

  const PgTarget& target_;
  const size_t size_;
  std::mutex mutex_;
  std::condition_variable idle_or_room_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  size_t open_ = 0;  // idle and checked out
};

// BEGIN … COMMIT on one connection; rolls back unless committed, so an exception mid-way leaves
// nothing half-written.
class PgTransaction {
 public:
  explicit PgTransaction(PgConnection& conn);
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  void commit();

 private:
  PgConnection& conn_;
  bool open_ = false;
};

}  // namespace strata::store
