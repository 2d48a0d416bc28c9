// PgNotifications: StoreNotifications over PostgreSQL's LISTEN/NOTIFY. A connection of its own
// runs LISTEN strata_ready; wait() polls its socket for the NOTIFY that PgStore sends inside
// the transactions that may make an activity leasable. When the server goes away it reconnects
// and listens again, and says "look again" (true), since notifications sent meanwhile are lost.
#pragma once

#include <chrono>

#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace strata::store {

class PgNotifications : public StoreNotifications {
 public:
  // Listens at once when the database is reachable; when not, wait() keeps trying.
  explicit PgNotifications(const PgTarget& target);
  bool wait(std::chrono::milliseconds timeout) override;

 private:
  // Connects and runs LISTEN; false (and no connection) when that fails.
  bool connect();
  // Reads what arrived; true when it held a notification. Closes the connection when it broke.
  bool take_notifications();

  const PgTarget target_;  // a copy: a listener may outlive the store that made it
  PgConnHandle conn_;
};

}  // namespace strata::store
