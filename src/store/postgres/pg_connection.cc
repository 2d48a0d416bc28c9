// libpq behind PgTarget, PgConnection, PgPool and PgTransaction (pg_connection.h).
#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <utility>

namespace strata::store {

namespace {

constexpr const char* kUnreachableHint =
    "check that PostgreSQL is running there and that the URL's user, password and database are "
    "right; the store tries again on its next call";

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// postgres://user:secret@host/db → postgres://user:***@host/db, for a URL libpq cannot parse
// (its password is then unknown, so it is masked by position).
std::string mask_url_password(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

void ignore_notice(void*, const char*) {}

}  // namespace

PgTarget::PgTarget(const std::string& given) : url(given) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (!options) {
    std::string detail = error ? trimmed(error) : "libpq could not parse it";
    PQfreemem(error);
    throw Error(ErrorKind::kUserInput,
                "the PostgreSQL URL '" + mask_url_password(url) + "' is not valid: " + detail, {},
                "write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE");
  }
  std::string host, hostaddr, port;
  for (PQconninfoOption* option = options; option->keyword; ++option) {
    if (!option->val) continue;
    std::string_view keyword = option->keyword;
    if (keyword == "host") host = option->val;
    if (keyword == "hostaddr") hostaddr = option->val;
    if (keyword == "port") port = option->val;
    if (keyword == "password") password = option->val;
  }
  PQconninfoFree(options);
  if (host.empty()) host = hostaddr.empty() ? "localhost" : hostaddr;
  where = host + ":" + (port.empty() ? "5432" : port);
}

std::string PgTarget::redact(std::string text) const {
  if (password.empty()) return text;
  for (size_t at = text.find(password); at != std::string::npos; at = text.find(password, at + 3)) {
    text.replace(at, password.size(), "***");
  }
  return text;
}

Error pg_unreachable(const PgTarget& target, const std::string& detail) {
  return Error(
      ErrorKind::kEnvironment,
      "the database at " + target.where + " is unreachable: " + target.redact(trimmed(detail)), {},
      kUnreachableHint);
}

void PgConnFinish::operator()(pg_conn* conn) const { PQfinish(conn); }

PgConnHandle pg_connect(const PgTarget& target) {
  // Defaults first: what the URL says wins (expand_dbname reads it in place of "dbname").
  // No statement of strata's runs for more than a few milliseconds: one that waits a minute is
  // stuck (a lock held by a wedged client) and is cancelled, so a request fails with an error
  // instead of hanging a server thread for ever; a session that sits in an open transaction for
  // a minute (a client that died mid-transaction) is ended by the database, releasing its locks.
  const char* keywords[] = {"connect_timeout", "application_name", "options", "dbname", nullptr};
  const char* values[] = {"10", "strata", kSessionOptions, target.url.c_str(), nullptr};
  PgConnHandle conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (!conn) throw pg_unreachable(target, "libpq could not allocate a connection");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw pg_unreachable(target, PQerrorMessage(conn.get()));
  }
  // CREATE … IF NOT EXISTS and friends send notices; libpq would print them on stderr.
  PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
  return conn;
}

// --- results

void PgResult::Clear::operator()(pg_result* result) const { PQclear(result); }

int PgResult::rows() const { return PQntuples(result_.get()); }

std::string PgResult::text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

int64_t PgResult::int64(int row, int column) const {
  const char* value = PQgetvalue(result_.get(), row, column);
  const char* end = value + PQgetlength(result_.get(), row, column);
  int64_t number = 0;
  std::from_chars(value, end, number);
  return number;
}

int64_t PgResult::changed() const {
  const char* tuples = PQcmdTuples(result_.get());
  int64_t number = 0;
  std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), number);
  return number;
}

// --- one connection

PgConnection::PgConnection(const PgTarget& target) : target_(target), conn_(pg_connect(target)) {}

bool PgConnection::healthy() const { return conn_ && PQstatus(conn_.get()) == CONNECTION_OK; }

void PgConnection::ensure_connected() {
  if (healthy()) return;
  conn_.reset();
  prepared_.clear();  // prepared statements live and die with their session
  conn_ = pg_connect(target_);
}

void PgConnection::fail(pg_result* raw) {
  PgResult result(raw);  // cleared whatever is thrown
  const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  // Class 08 (connection exception) and 57P (the server shutting down or starting) mean the
  // server went away, even while libpq still thinks the socket is open.
  if (!healthy() || sqlstate.starts_with("08") || sqlstate.starts_with("57P")) {
    std::string detail = raw ? PQresultErrorMessage(raw) : "";
    if (trimmed(detail).empty()) detail = PQerrorMessage(conn_.get());
    if (healthy()) conn_.reset();  // make the next call reconnect
    throw pg_unreachable(target_, detail);
  }
  const char* primary = PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY);
  std::string message = primary ? primary : trimmed(PQresultErrorMessage(raw));
  throw PgStatementError(sqlstate, "the store could not " + operation_ + ": " +
                                       target_.redact(message) + " (PostgreSQL at " +
                                       target_.where + ")");
}

PgResult PgConnection::exec(std::string_view sql, const std::vector<PgParam>& params) {
  ensure_connected();
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) {
    // libpq reads text parameters up to their first NUL, and PostgreSQL's text cannot hold
    // one: refuse rather than store a value cut short.
    if (param.text().find('\0') != std::string::npos) {
      throw Error(ErrorKind::kUserInput,
                  "the store could not " + operation_ +
                      ": the value holds a NUL byte, which PostgreSQL "
                      "text cannot store",
                  {}, "remove the NUL bytes (a log chunk of binary output, perhaps)");
    }
    values.push_back(param.text().c_str());
  }
  std::string text(sql);
  pg_result* result = nullptr;
  if (params.empty()) {
    result = PQexecParams(conn_.get(), text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, /*text*/ 0);
  } else {
    // A statement with parameters is the store's own, run again and again: prepared once per
    // session, so it is parsed once.
    auto known = prepared_.find(text);
    if (known == prepared_.end()) {
      std::string name = "strata_" + std::to_string(prepared_.size() + 1);
      pg_result* prepared = PQprepare(conn_.get(), name.c_str(), text.c_str(), static_cast<int>(values.size()), nullptr);
      if (!prepared || PQresultStatus(prepared) != PGRES_COMMAND_OK) fail(prepared);
      PQclear(prepared);
      known = prepared_.emplace(text, std::move(name)).first;
    }
    result = PQexecPrepared(conn_.get(), known->second.c_str(), static_cast<int>(values.size()), values.data(),
                            nullptr, nullptr, /*text*/ 0);
  }
  ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result);
  return PgResult(result);
}

void PgConnection::exec_script(const std::string& sql) {
  ensure_connected();
  pg_result* result = PQexec(conn_.get(), sql.c_str());
  ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result);
  PQclear(result);
}

// --- the pool

PgPool::Lease PgPool::checkout() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_or_room_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(conn));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<PgConnection>(target_));
  } catch (...) {
    lock.lock();
    --open_;
    idle_or_room_.notify_one();
    throw;
  }
}

void PgPool::give_back(std::unique_ptr<PgConnection> conn) {
  std::vector<std::unique_ptr<PgConnection>> dropped;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (conn && conn->healthy()) {
      idle_.push_back(std::move(conn));
    } else {
      // The server went away: the idle connections point at it too.
      dropped.swap(idle_);
      open_ -= 1 + dropped.size();
    }
  }
  idle_or_room_.notify_all();
  // `conn` and `dropped` close here, outside the lock.
}

// --- transactions

PgTransaction::PgTransaction(PgConnection& conn) : conn_(conn) {
  conn_.exec("BEGIN");
  open_ = true;
}

PgTransaction::~PgTransaction() {
  // A connection that broke has no transaction left to end.
  if (open_ && conn_.healthy()) PQclear(PQexec(conn_.handle(), "ROLLBACK"));
}

void PgTransaction::commit() {
  open_ = false;  // a failed COMMIT ends the transaction too
  conn_.exec("COMMIT");
}

}  // namespace strata::store
