// SqliteStore's activity state machine: runs starting (with the per-stack apply lock), leases
// with fencing tokens, the lifecycle of a leased activity, lease expiry, skipping what depends
// on a failure and ending a run when its last activity ends. Each public method is one
// BEGIN IMMEDIATE transaction, so two workers leasing at once never get the same activity and
// a run never ends twice.
#include <map>
#include <set>

#include "model/error.h"
#include "store/run_rules.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace strata::store {

using namespace sqlite_rows;

namespace {

bool covers(const std::set<std::string>& offered, const std::vector<std::string>& required) {
  for (const auto& capability : required) {
    if (!offered.count(capability)) return false;
  }
  return true;
}

}  // namespace

int64_t SqliteStore::next_counter(const char* name) {
  SqliteStatement st(db_, "UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value");
  if (!st.bind(name).step()) db_.fail(std::string("the counter '") + name + "' is missing");
  int64_t value = st.int64(0);
  st.run();
  return value;
}

bool SqliteStore::holds_lease(const std::string& activity_id, int64_t token) {
  SqliteStatement st(db_,
                     "SELECT 1 FROM activities WHERE id = ? AND fencing_token = ? "
                     "AND status IN ('leased', 'running')");
  return st.bind_all(activity_id, token).step();
}

void SqliteStore::skip_dependents(const std::string& failed_id, const std::string& why,
                                  Millis now) {
  std::vector<std::string> frontier{failed_id};
  while (!frontier.empty()) {
    std::string id = frontier.back();
    frontier.pop_back();
    std::vector<std::string> dependents;
    {
      SqliteStatement st(
          db_,
          "SELECT a.id FROM activity_deps d JOIN activities a "
          "ON a.id = d.activity_id WHERE d.depends_on_id = ? AND a.status = 'queued'");
      st.bind(id);
      while (st.step()) dependents.push_back(st.text(0));
    }
    for (const auto& dependent : dependents) {
      db_.exec(
          "UPDATE activities SET status = 'skipped', error = ?, finished_at = ?, updated_at = ? "
          "WHERE id = ? AND status = 'queued'",
          why, now, now, dependent);
      frontier.push_back(dependent);
    }
  }
}

void SqliteStore::end_run_if_done(const std::string& run_id, Millis now) {
  auto run = load_run(run_id);
  if (!run || run->status != "running") return;
  // Three probes of the activities_queue index: finishing one activity of a large run must not
  // read all of them.
  {
    SqliteStatement open(db_,
                         "SELECT 1 FROM activities WHERE operation_id = ? "
                         "AND status IN ('queued', 'leased', 'running') LIMIT 1");
    if (open.bind(run_id).step()) return;
  }
  SqliteStatement counts(
      db_, "SELECT COUNT(*) FROM activities WHERE operation_id = ? AND status <> 'succeeded'");
  counts.bind(run_id).step();
  std::string status = counts.int64(0) == 0    ? "succeeded"
                       : run->cancel_requested ? "cancelled"
                                               : "failed";
  db_.exec("UPDATE operations SET status = ?, finished_at = ?, updated_at = ? WHERE id = ?", status,
           now, now, run_id);
}

void SqliteStore::end_activity_unsuccessfully(const Activity& activity, const std::string& status,
                                              const std::string& error, Millis now) {
  db_.exec(
      "UPDATE activities SET status = ?, error = ?, lease_until = 0, finished_at = ?, "
      "updated_at = ? WHERE id = ?",
      status, error, now, now, activity.id);
  skip_dependents(activity.id,
                  "skipped: " + activity.stack + "/" + activity.component + " " +
                      (status == "cancelled" ? "was cancelled" : "failed"),
                  now);
  end_run_if_done(activity.run_id, now);
}

// --- runs

void SqliteStore::set_run_status(const std::string& run_id, const std::string& status,
                                 const std::string& reason) {
  auto session = write("set a run's status");
  Millis now = now_millis();
  bool finished = is_finished_run(status);
  int64_t changed = db_.exec(
      "UPDATE operations SET status = ?, status_reason = ?, updated_at = ?, "
      "finished_at = CASE WHEN ? = 1 THEN ? ELSE finished_at END WHERE id = ?",
      status, reason, now, finished, now, run_id);
  if (changed == 0) throw Error(ErrorKind::kNotFound, "no run '" + run_id + "'");
  if (finished) {
    // Nothing of an ended run may be leased later; say why its activities never ran.
    db_.exec(
        "UPDATE activities SET status = 'skipped', error = ?, finished_at = ?, updated_at = ? "
        "WHERE operation_id = ? AND status = 'queued'",
        "skipped: the run " + status + (reason.empty() ? "" : ": " + reason), now, now, run_id);
  }
  session.commit();
}

std::vector<Run> SqliteStore::start_ready_runs(Millis now) {
  auto session = write("start ready runs");
  std::vector<Run> open;
  {
    SqliteStatement st(db_, std::string("SELECT ") + kRunColumns +
                                " FROM operations WHERE status IN ('queued', 'waiting', "
                                "'running') ORDER BY created_at, seq");
    while (st.step()) open.push_back(read_run(st));
  }
  std::vector<std::string> started;
  for (const RunStartDecision& d : decide_run_starts(open)) {
    const Run& run = *d.run;
    if (!d.wait_reason.empty()) {
      if (run.status != "waiting" || run.status_reason != d.wait_reason) {
        db_.exec(
            "UPDATE operations SET status = 'waiting', status_reason = ?, updated_at = ? "
            "WHERE id = ?",
            d.wait_reason, now, run.id);
      }
      continue;
    }
    db_.exec(
        "UPDATE operations SET status = 'running', status_reason = '', updated_at = ? WHERE id = ?",
        now, run.id);
    // A run with no activity (an empty selection) has nothing left to do.
    end_run_if_done(run.id, now);
    started.push_back(run.id);
  }

  std::vector<Run> out;
  for (const auto& id : started) out.push_back(*load_run(id));
  session.commit();
  return out;
}

void SqliteStore::request_cancel(const std::string& run_id, Millis now) {
  auto session = write("cancel a run");
  auto run = load_run(run_id);
  if (!run) throw Error(ErrorKind::kNotFound, "no run '" + run_id + "'");
  if (is_finished_run(run->status)) return;
  db_.exec("UPDATE operations SET cancel_requested = 1, updated_at = ? WHERE id = ?", now, run_id);
  // Queued activities never start; leased and running ones hear of it at their next heartbeat.
  db_.exec(
      "UPDATE activities SET status = 'cancelled', error = 'cancelled before it started', "
      "finished_at = ?, updated_at = ? WHERE operation_id = ? AND status = 'queued'",
      now, now, run_id);
  if (run->status == "running") {
    end_run_if_done(run_id, now);
  } else {
    db_.exec(
        "UPDATE operations SET status = 'cancelled', status_reason = 'cancelled before it "
        "started', finished_at = ?, updated_at = ? WHERE id = ?",
        now, now, run_id);
  }
  session.commit();
}

// --- leases

std::optional<Activity> SqliteStore::lease(const LeaseRequest& request) {
  auto session = write("lease an activity");
  std::set<std::string> offered(request.capabilities.begin(), request.capabilities.end());
  std::string chosen;
  {
    // Ready: queued, in a running run not being cancelled, every dependency succeeded. Runs are
    // taken oldest first, and within one run its queued activities in order through the
    // activities_queue index, so a lease never walks the activities that already finished (a
    // single query ordered across runs made every lease sort the whole queue). The capability
    // match is done here rather than in SQL, where JSON reads differ per database.
    std::vector<std::string> runs;
    {
      SqliteStatement st(db_,
                         "SELECT id FROM operations WHERE status = 'running' AND cancel_requested = 0 "
                         "ORDER BY created_at, seq");
      while (st.step()) runs.push_back(st.text(0));
    }
    for (const std::string& run : runs) {
      SqliteStatement st(
          db_,
          "SELECT a.id, a.required_capabilities_json FROM activities a "
          "WHERE a.operation_id = ? AND a.status = 'queued' "
          "AND NOT EXISTS (SELECT 1 FROM activity_deps d JOIN activities b "
          "ON b.id = d.depends_on_id WHERE d.activity_id = a.id AND b.status <> 'succeeded') "
          "ORDER BY a.position");
      st.bind(run);
      while (st.step()) {
        if (covers(offered, from_json_list(st.text(1)))) {
          chosen = st.text(0);
          break;
        }
      }
      if (!chosen.empty()) break;
    }
  }
  if (chosen.empty()) return std::nullopt;
  db_.exec(
      "UPDATE activities SET status = 'leased', lease_owner = ?, lease_until = ?, "
      "fencing_token = ?, attempt = attempt + 1, updated_at = ? WHERE id = ?",
      request.worker_id, request.now + request.lease_ms, next_counter("fencing_token"), request.now,
      chosen);
  auto leased = load_activity(chosen);
  session.commit();
  return leased;
}

LeaseCheck SqliteStore::start(const std::string& activity_id, int64_t token, Millis lease_until,
                              Millis now) {
  auto session = write("start an activity");
  if (!holds_lease(activity_id, token)) return LeaseCheck::kLost;
  // A retried start keeps the first started_at.
  db_.exec(
      "UPDATE activities SET status = 'running', "
      "started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END, lease_until = ?, "
      "updated_at = ? WHERE id = ?",
      now, lease_until, now, activity_id);
  session.commit();
  return LeaseCheck::kHeld;
}

LeaseCheck SqliteStore::heartbeat(const std::string& activity_id, int64_t token, Millis lease_until,
                                  Millis now, bool* cancel) {
  auto session = write("extend a lease");
  if (cancel) *cancel = false;
  if (!holds_lease(activity_id, token)) return LeaseCheck::kLost;
  db_.exec("UPDATE activities SET lease_until = ?, updated_at = ? WHERE id = ?", lease_until, now,
           activity_id);
  if (cancel) {
    SqliteStatement st(db_,
                       "SELECT o.cancel_requested FROM operations o JOIN activities a "
                       "ON a.operation_id = o.id WHERE a.id = ?");
    *cancel = st.bind(activity_id).step() && st.int64(0) != 0;
  }
  session.commit();
  return LeaseCheck::kHeld;
}

LeaseCheck SqliteStore::finish(const std::string& activity_id, int64_t token, const Finish& result,
                               Millis now) {
  if (result.status != "succeeded" && result.status != "failed" && result.status != "cancelled") {
    throw Error(ErrorKind::kUserInput, "an activity cannot finish as '" + result.status + "'", {},
                "finish with succeeded, failed or cancelled");
  }
  auto session = write("finish an activity");
  if (!holds_lease(activity_id, token)) return LeaseCheck::kLost;
  db_.exec("UPDATE activities SET outputs_json = ?, changes_json = ? WHERE id = ?",
           result.outputs_json, result.changes_json, activity_id);
  if (result.status == "succeeded") {
    db_.exec(
        "UPDATE activities SET status = 'succeeded', error = '', lease_until = 0, "
        "finished_at = ?, updated_at = ? WHERE id = ?",
        now, now, activity_id);
    end_run_if_done(load_activity(activity_id)->run_id, now);
  } else {
    end_activity_unsuccessfully(*load_activity(activity_id), result.status, result.error, now);
  }
  session.commit();
  return LeaseCheck::kHeld;
}

LeaseCheck SqliteStore::release(const std::string& activity_id, int64_t token, Millis now) {
  auto session = write("hand an activity back");
  if (!holds_lease(activity_id, token)) return LeaseCheck::kLost;
  // The token stays on the row but holds nothing once the status is queued.
  db_.exec(
      "UPDATE activities SET status = 'queued', lease_owner = '', lease_until = 0, "
      "attempt = CASE WHEN attempt > 0 THEN attempt - 1 ELSE 0 END, updated_at = ? WHERE id = ?",
      now, activity_id);
  session.commit();
  return LeaseCheck::kHeld;
}

size_t SqliteStore::expire_leases(Millis now, int max_attempts) {
  auto session = write("expire leases");
  std::vector<Activity> expired;
  {
    SqliteStatement st(db_, std::string("SELECT ") + kActivityColumns +
                                " FROM activities WHERE status IN ('leased', 'running') "
                                "AND lease_until < ? ORDER BY lease_until");
    st.bind(now);
    while (st.step()) expired.push_back(read_activity(st));
  }
  for (const auto& a : expired) {
    auto run = load_run(a.run_id);
    if (run && run->cancel_requested) {
      end_activity_unsuccessfully(a, "cancelled", "cancelled; its worker stopped answering", now);
    } else if (a.attempt >= max_attempts) {
      end_activity_unsuccessfully(a, "failed",
                                  "the lease ran out " + std::to_string(a.attempt) +
                                      " times (last held by worker " + a.lease_owner +
                                      "); giving up",
                                  now);
    } else {
      // The old token stays on the row but no longer holds anything: the status is queued,
      // and the next lease writes a greater one.
      db_.exec(
          "UPDATE activities SET status = 'queued', lease_owner = '', lease_until = 0, "
          "updated_at = ? WHERE id = ?",
          now, a.id);
    }
  }
  session.commit();
  return expired.size();
}

}  // namespace strata::store
