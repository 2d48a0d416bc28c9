// PgStore's activity state machine: runs starting (with the per-stack apply lock), leases with
// fencing tokens, the lifecycle of a leased activity, lease expiry, skipping what depends on a
// failure and ending a run when its last activity ends — the same steps as SqliteStore, made
// safe for several replicas by row locks instead of SQLite's single writer.
//
// Locks are always taken in one order — an activity's row, then its run's row, then other
// activities (dependents to skip, queued ones to cancel) — so replicas do not deadlock; when
// PostgreSQL finds one anyway, transact() runs the transaction again.
#include <map>

#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/run_rules.h"

namespace strata::store {

using namespace pg_rows;

namespace {

}  // namespace

int64_t PgStore::next_counter(PgConnection& db, const char* name) {
  // (Fencing tokens come from the sequence strata_fencing_token, made by migrate(), in lease().)
  // The counter's row stays locked until commit: the next transaction gets a greater value.
  auto rows =
      db.exec("UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value", {name});
  if (rows.empty()) {
    throw Error(ErrorKind::kEnvironment,
                std::string("the store's counter '") + name + "' is missing", {},
                "run the server once so it applies its migrations to this database");
  }
  return rows.int64(0, 0);
}

void PgStore::notify_ready(PgConnection& db) { db.exec("SELECT pg_notify('strata_ready', '')"); }

void PgStore::lock_run(PgConnection& db, const std::string& run_id) {
  db.exec("SELECT 1 FROM operations WHERE id = $1 FOR UPDATE", {run_id});
}

std::optional<std::string> PgStore::lock_held_lease(PgConnection& db,
                                                    const std::string& activity_id, int64_t token) {
  // FOR UPDATE waits for a transaction changing the row (an expiry, a release) and then reads
  // it as that one left it.
  auto rows = db.exec(
      "SELECT operation_id FROM activities WHERE id = $1 AND fencing_token = $2 "
      "AND status IN ('leased', 'running') FOR UPDATE",
      {activity_id, token});
  if (rows.empty()) return std::nullopt;
  return rows.text(0, 0);
}

void PgStore::skip_dependents(PgConnection& db, const std::string& failed_id,
                              const std::string& why, Millis now) {
  std::vector<std::string> frontier{failed_id};
  while (!frontier.empty()) {
    std::string id = frontier.back();
    frontier.pop_back();
    auto skipped = db.exec(
        "UPDATE activities SET status = 'skipped', error = $1, finished_at = $2, updated_at = $2 "
        "WHERE status = 'queued' AND id IN (SELECT activity_id FROM activity_deps "
        "WHERE depends_on_id = $3) RETURNING id",
        {why, now, id});
    for (int i = 0; i < skipped.rows(); ++i) frontier.push_back(skipped.text(i, 0));
  }
}

void PgStore::end_run_if_done(PgConnection& db, const std::string& run_id, Millis now) {
  // The run's lock makes two replicas finishing its last two activities at once take turns:
  // the second reads the first one's activity as ended and ends the run.
  auto run =
      db.exec("SELECT status, cancel_requested FROM operations WHERE id = $1 FOR UPDATE", {run_id});
  if (run.empty() || run.text(0, 0) != "running") return;
  if (!db.exec("SELECT 1 FROM activities WHERE operation_id = $1 "
               "AND status IN ('queued', 'leased', 'running') LIMIT 1",
               {run_id})
           .empty()) {
    return;
  }
  int64_t unsuccessful =
      db.exec("SELECT COUNT(*) FROM activities WHERE operation_id = $1 AND status <> 'succeeded'",
              {run_id})
          .int64(0, 0);
  std::string status = unsuccessful == 0      ? "succeeded"
                       : run.int64(0, 1) != 0 ? "cancelled"
                                              : "failed";
  db.exec("UPDATE operations SET status = $1, finished_at = $2, updated_at = $2 WHERE id = $3",
          {status, now, run_id});
}

void PgStore::end_activity_unsuccessfully(PgConnection& db, const Activity& activity,
                                          const std::string& status, const std::string& error,
                                          Millis now) {
  db.exec(
      "UPDATE activities SET status = $1, error = $2, lease_until = 0, finished_at = $3, "
      "updated_at = $3 WHERE id = $4",
      {status, error, now, activity.id});
  skip_dependents(db, activity.id,
                  "skipped: " + activity.stack + "/" + activity.component + " " +
                      (status == "cancelled" ? "was cancelled" : "failed"),
                  now);
  end_run_if_done(db, activity.run_id, now);
}

// --- runs

void PgStore::set_run_status(const std::string& run_id, const std::string& status,
                             const std::string& reason) {
  transact("set a run's status", [&](PgConnection& db) {
    Millis now = now_millis();
    bool finished = is_finished_run(status);
    int64_t changed =
        db.exec(
              "UPDATE operations SET status = $1, status_reason = $2, updated_at = $3, "
              "finished_at = CASE WHEN $4::integer = 1 THEN $3::bigint ELSE finished_at END "
              "WHERE id = $5",
              {status, reason, now, finished, run_id})
            .changed();
    if (changed == 0) throw Error(ErrorKind::kNotFound, "no run '" + run_id + "'");
    if (finished) {
      // Nothing of an ended run may be leased later; say why its activities never ran.
      db.exec(
          "UPDATE activities SET status = 'skipped', error = $1, finished_at = $2, "
          "updated_at = $2 WHERE operation_id = $3 AND status = 'queued'",
          {"skipped: the run " + status + (reason.empty() ? "" : ": " + reason), now, run_id});
    }
  });
}

std::vector<Run> PgStore::start_ready_runs(Millis now) {
  return transact("start ready runs", [&](PgConnection& db) {
    // The decision reads every open run: replicas make it one at a time, each reading what the
    // one before it committed (READ COMMITTED reads afresh at every statement).
    db.exec("SELECT pg_advisory_xact_lock($1::bigint)", {kPgStartRunsLock});
    auto rows = db.exec(std::string("SELECT ") + kRunColumns +
                        " FROM operations WHERE status IN ('queued', 'waiting', 'running') "
                        "ORDER BY created_at, seq");
    std::vector<Run> open;
    for (int i = 0; i < rows.rows(); ++i) open.push_back(read_run(rows, i));

    std::vector<std::string> started;
    for (const RunStartDecision& d : decide_run_starts(open)) {
      const Run& run = *d.run;
      // The status condition: a run cancelled since it was read stays cancelled.
      if (!d.wait_reason.empty()) {
        if (run.status != "waiting" || run.status_reason != d.wait_reason) {
          db.exec(
              "UPDATE operations SET status = 'waiting', status_reason = $1, updated_at = $2 "
              "WHERE id = $3 AND status IN ('queued', 'waiting')",
              {d.wait_reason, now, run.id});
        }
        continue;
      }
      if (db.exec("UPDATE operations SET status = 'running', status_reason = '', "
                  "updated_at = $1 WHERE id = $2 AND status IN ('queued', 'waiting')",
                  {now, run.id})
              .changed() == 0) {
        continue;
      }
      // A run with no activity (an empty selection) has nothing left to do.
      end_run_if_done(db, run.id, now);
      started.push_back(run.id);
    }

    std::vector<Run> out;
    for (const auto& id : started) out.push_back(*load_run(db, id));
    if (!started.empty()) notify_ready(db);
    return out;
  });
}

void PgStore::request_cancel(const std::string& run_id, Millis now) {
  transact("cancel a run", [&](PgConnection& db) {
    auto rows =
        db.exec(std::string("SELECT ") + kRunColumns + " FROM operations WHERE id = $1 FOR UPDATE",
                {run_id});
    if (rows.empty()) throw Error(ErrorKind::kNotFound, "no run '" + run_id + "'");
    Run run = read_run(rows, 0);
    if (is_finished_run(run.status)) return;
    db.exec("UPDATE operations SET cancel_requested = 1, updated_at = $1 WHERE id = $2",
            {now, run_id});
    // Queued activities never start; leased and running ones hear of it at their next heartbeat.
    db.exec(
        "UPDATE activities SET status = 'cancelled', error = 'cancelled before it started', "
        "finished_at = $1, updated_at = $1 WHERE operation_id = $2 AND status = 'queued'",
        {now, run_id});
    if (run.status == "running") {
      end_run_if_done(db, run_id, now);
    } else {
      db.exec(
          "UPDATE operations SET status = 'cancelled', status_reason = 'cancelled before it "
          "started', finished_at = $1, updated_at = $1 WHERE id = $2",
          {now, run_id});
    }
    // The run may have ended, which lets a run waiting for its stacks start.
    notify_ready(db);
  });
}

// --- leases

std::optional<Activity> PgStore::lease(const LeaseRequest& request) {
  // Ready: queued, in a running run not being cancelled, every dependency succeeded, every
  // required capability offered (jsonb containment of the two JSON lists). Runs oldest first,
  // then the run's order. Run by run, each walked in its order through the activities_queue
  // index: one query over all runs had to sort every queued activity of every run for each lease.
  auto runs = read_one("find running runs", [&](PgConnection& db) {
    return db.exec(
        "SELECT id FROM operations WHERE status = 'running' AND cancel_requested = 0 ORDER BY created_at, seq");
  });
  const std::string capabilities = to_json_list(request.capabilities);
  for (int r = 0; r < runs.rows(); ++r) {
    // One statement, its own transaction: the row is chosen and locked (SKIP LOCKED passes over
    // one another replica is leasing right now; one leased since the statement began is re-read
    // and no longer queued) and leased at once. Its token comes from the sequence after the row
    // is locked, so a later lease of the same activity gets a greater one.
    std::optional<Activity> leased = transact_one("lease an activity", [&](PgConnection& db) -> std::optional<Activity> {
      auto rows = db.exec(
          std::string("WITH chosen AS (SELECT a.id FROM activities a "
                      "WHERE a.operation_id = $1 AND a.status = 'queued' "
                      "AND a.required_capabilities_json::jsonb <@ $2::jsonb "
                      "AND NOT EXISTS (SELECT 1 FROM activity_deps d JOIN activities b "
                      "ON b.id = d.depends_on_id WHERE d.activity_id = a.id AND b.status <> 'succeeded') "
                      "ORDER BY a.position LIMIT 1 FOR UPDATE OF a SKIP LOCKED) "
                      "UPDATE activities SET status = 'leased', lease_owner = $3, lease_until = $4, "
                      "fencing_token = nextval('strata_fencing_token'), attempt = attempt + 1, updated_at = $5 "
                      "FROM chosen WHERE activities.id = chosen.id RETURNING ") +
              activity_columns_of("activities") +
              ", (SELECT COALESCE(json_agg(d.depends_on_id ORDER BY d.position), '[]') FROM activity_deps d "
              "WHERE d.activity_id = activities.id)",
          {runs.text(r, 0), capabilities, request.worker_id, request.now + request.lease_ms, request.now});
      if (rows.empty()) return std::nullopt;
      Activity a = read_activity(rows, 0);
      a.depends_on = from_json_list(rows.text(0, kActivityColumnCount));
      return a;
    });
    if (leased) return leased;
  }
  return std::nullopt;
}

LeaseCheck PgStore::start(const std::string& activity_id, int64_t token, Millis lease_until,
                          Millis now) {
  // One statement, so no BEGIN/COMMIT around it: an UPDATE waits for a transaction changing the
  // row (an expiry, a release) and then checks the token and status on the row as it left it,
  // as lock_held_lease's FOR UPDATE does. A retried start keeps the first started_at.
  return transact_one("start an activity", [&](PgConnection& db) {
    return db.exec("UPDATE activities SET status = 'running', "
                   "started_at = CASE WHEN started_at = 0 THEN $1::bigint ELSE started_at END, "
                   "lease_until = $2, updated_at = $3 WHERE id = $4 AND fencing_token = $5 "
                   "AND status IN ('leased', 'running')",
                   {now, lease_until, now, activity_id, token})
                       .changed() == 1
               ? LeaseCheck::kHeld
               : LeaseCheck::kLost;
  });
}

LeaseCheck PgStore::heartbeat(const std::string& activity_id, int64_t token, Millis lease_until,
                              Millis now, bool* cancel) {
  if (cancel) *cancel = false;
  bool cancel_requested = false;
  LeaseCheck held = transact("extend a lease", [&](PgConnection& db) {
    auto run_id = lock_held_lease(db, activity_id, token);
    if (!run_id) return LeaseCheck::kLost;
    db.exec("UPDATE activities SET lease_until = $1, updated_at = $2 WHERE id = $3",
            {lease_until, now, activity_id});
    auto run = db.exec("SELECT cancel_requested FROM operations WHERE id = $1", {*run_id});
    cancel_requested = !run.empty() && run.int64(0, 0) != 0;
    return LeaseCheck::kHeld;
  });
  if (cancel && held == LeaseCheck::kHeld) *cancel = cancel_requested;
  return held;
}

LeaseCheck PgStore::finish(const std::string& activity_id, int64_t token, const Finish& result,
                           Millis now) {
  if (result.status != "succeeded" && result.status != "failed" && result.status != "cancelled") {
    throw Error(ErrorKind::kUserInput, "an activity cannot finish as '" + result.status + "'", {},
                "finish with succeeded, failed or cancelled");
  }
  if (result.status == "succeeded") {
    // Success, the common case, does not lock the run: holding the run's row until commit (and
    // its WAL flush) made every finish of a run wait for the one before. Whether the run ended is
    // decided after the commit instead (end_run_after); the last of several finishing at once
    // commits last and sees the others' activities ended.
    // One statement, its own transaction; the notification (its dependents may be ready now)
    // is sent when it commits.
    std::optional<std::string> run_id = transact_one("finish an activity", [&](PgConnection& db) -> std::optional<std::string> {
      auto rows = db.exec(
          "WITH done AS (UPDATE activities SET status = 'succeeded', error = '', outputs_json = $1, "
          "changes_json = $2, lease_until = 0, finished_at = $3, updated_at = $3 WHERE id = $4 "
          "AND fencing_token = $5 AND status IN ('leased', 'running') RETURNING operation_id) "
          "SELECT operation_id, pg_notify('strata_ready', '') FROM done",
          {result.outputs_json, result.changes_json, now, activity_id, token});
      if (rows.empty()) return std::nullopt;
      return rows.text(0, 0);
    });
    if (!run_id) return LeaseCheck::kLost;
    end_run_after(*run_id, now);
    return LeaseCheck::kHeld;
  }
  return transact("finish an activity", [&](PgConnection& db) {
    auto run_id = lock_held_lease(db, activity_id, token);
    if (!run_id) return LeaseCheck::kLost;
    lock_run(db, *run_id);
    db.exec("UPDATE activities SET outputs_json = $1, changes_json = $2 WHERE id = $3",
            {result.outputs_json, result.changes_json, activity_id});
    end_activity_unsuccessfully(db, *load_activity(db, activity_id), result.status, result.error, now);
    // Its run may have ended, which frees stacks for a waiting run.
    notify_ready(db);
    return LeaseCheck::kHeld;
  });
}

void PgStore::end_run_after(const std::string& run_id, Millis now) {
  // Without a lock first: while any activity is still to run, nothing to decide.
  bool active = read_one("check whether a run ended", [&](PgConnection& db) {
    return !db.exec("SELECT 1 FROM activities WHERE operation_id = $1 "
                    "AND status IN ('queued', 'leased', 'running') LIMIT 1",
                    {run_id})
                .empty();
  });
  if (active) return;
  transact("end a run", [&](PgConnection& db) {
    end_run_if_done(db, run_id, now);
    notify_ready(db);  // an ended run frees its stacks for a waiting one
  });
}

LeaseCheck PgStore::release(const std::string& activity_id, int64_t token, Millis now) {
  return transact("hand an activity back", [&](PgConnection& db) {
    if (!lock_held_lease(db, activity_id, token)) return LeaseCheck::kLost;
    // The token stays on the row but holds nothing once the status is queued.
    db.exec(
        "UPDATE activities SET status = 'queued', lease_owner = '', lease_until = 0, "
        "attempt = CASE WHEN attempt > 0 THEN attempt - 1 ELSE 0 END, updated_at = $1 "
        "WHERE id = $2",
        {now, activity_id});
    notify_ready(db);
    return LeaseCheck::kHeld;
  });
}

size_t PgStore::expire_leases(Millis now, int max_attempts) {
  size_t expired = transact("expire leases", [&](PgConnection& db) {
    // FOR UPDATE waits for a heartbeat in flight, then re-reads the row: a lease extended
    // meanwhile is not expired. Two replicas expiring at once lock in the same order.
    auto rows = db.exec(std::string("SELECT ") + kActivityColumns +
                            " FROM activities WHERE status IN ('leased', 'running') "
                            "AND lease_until < $1 ORDER BY lease_until, id FOR UPDATE",
                        {now});
    for (int i = 0; i < rows.rows(); ++i) {
      Activity a = read_activity(rows, i);
      auto run = load_run(db, a.run_id);
      if (run && run->cancel_requested) {
        lock_run(db, a.run_id);
        end_activity_unsuccessfully(db, a, "cancelled", "cancelled; its worker stopped answering",
                                    now);
      } else if (a.attempt >= max_attempts) {
        lock_run(db, a.run_id);
        end_activity_unsuccessfully(db, a, "failed",
                                    "the lease ran out " + std::to_string(a.attempt) +
                                        " times (last held by worker " + a.lease_owner +
                                        "); giving up",
                                    now);
      } else {
        // The old token stays on the row but no longer holds anything: the status is queued,
        // and the next lease writes a greater one.
        db.exec(
            "UPDATE activities SET status = 'queued', lease_owner = '', lease_until = 0, "
            "updated_at = $1 WHERE id = $2",
            {now, a.id});
      }
    }
    if (rows.rows() > 0) notify_ready(db);
    return static_cast<size_t>(rows.rows());
  });
  // A run whose last activity succeeded in a replica that stopped before end_run_after ended it.
  auto stranded = read_one("find runs left running", [&](PgConnection& db) {
    return db.exec(
        "SELECT o.id FROM operations o WHERE o.status = 'running' AND NOT EXISTS (SELECT 1 FROM activities a "
        "WHERE a.operation_id = o.id AND a.status IN ('queued', 'leased', 'running'))");
  });
  for (int i = 0; i < stranded.rows(); ++i) end_run_after(stranded.text(i, 0), now);
  return expired;
}

}  // namespace strata::store
