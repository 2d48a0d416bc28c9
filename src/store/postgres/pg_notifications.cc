// LISTEN/NOTIFY behind PgNotifications (pg_notifications.h).
#include "store/postgres/pg_notifications.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <thread>

namespace strata::store {

namespace {
using Clock = std::chrono::steady_clock;
// How long a listener without a connection waits between attempts to reconnect.
constexpr std::chrono::milliseconds kReconnectPause{250};
}  // namespace

PgNotifications::PgNotifications(const PgTarget& target) : target_(target) { connect(); }

bool PgNotifications::connect() {
  conn_.reset();
  try {
    PgConnHandle conn = pg_connect(target_);
    PGresult* listening = PQexec(conn.get(), "LISTEN strata_ready");
    bool ok = PQresultStatus(listening) == PGRES_COMMAND_OK;
    PQclear(listening);
    if (!ok) return false;
    conn_ = std::move(conn);
    return true;
  } catch (const Error&) {
    return false;  // unreachable for now; wait() tries again
  }
}

bool PgNotifications::take_notifications() {
  if (!PQconsumeInput(conn_.get()) || PQstatus(conn_.get()) != CONNECTION_OK) {
    conn_.reset();
    return false;
  }
  bool any = false;
  while (PGnotify* notify = PQnotifies(conn_.get())) {
    PQfreemem(notify);
    any = true;
  }
  return any;
}

bool PgNotifications::wait(std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    if (!conn_) {
      // Back after losing it: anything sent meanwhile was missed, so the caller looks again.
      if (connect()) return true;
      auto left = deadline - Clock::now();
      if (left <= Clock::duration::zero()) return false;
      std::this_thread::sleep_for(std::min<Clock::duration>(left, kReconnectPause));
      continue;
    }
    if (take_notifications()) return true;
    if (!conn_) continue;  // it broke: reconnect above
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd socket{PQsocket(conn_.get()), POLLIN, 0};
    int ready = ::poll(&socket, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) {
      conn_.reset();
    }
    // Readable, hung up or interrupted: take_notifications() above finds out which.
  }
}

}  // namespace strata::store
