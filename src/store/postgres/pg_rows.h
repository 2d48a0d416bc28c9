// The column lists the PostgreSQL store selects and the readers that turn one result row into a
// record; shared by pg_store.cc and pg_store_activities.cc so both read records the same way.
// (The same columns as sqlite_rows.h: one schema.)
#pragma once

#include "store/json_list.h"
#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace strata::store::pg_rows {

inline constexpr const char* kRunColumns =
    "id, repository_id, command, commit_hash, selection_json, status, status_reason, created_by, "
    "locked_stacks_json, created_at, updated_at, finished_at, cancel_requested, plan_run_id";

inline Run read_run(const PgResult& rows, int row) {
  Run run;
  run.id = rows.text(row, 0);
  run.repository_id = rows.text(row, 1);
  run.command = rows.text(row, 2);
  run.commit = rows.text(row, 3);
  run.selection_json = rows.text(row, 4);
  run.status = rows.text(row, 5);
  run.status_reason = rows.text(row, 6);
  run.created_by = rows.text(row, 7);
  run.locked_stacks = from_json_list(rows.text(row, 8));
  run.created_at = rows.int64(row, 9);
  run.updated_at = rows.int64(row, 10);
  run.finished_at = rows.int64(row, 11);
  run.cancel_requested = rows.int64(row, 12) != 0;
  run.plan_run_id = rows.text(row, 13);
  return run;
}

// Without depends_on, which lives in activity_deps.
inline constexpr const char* kActivityColumns =
    "id, operation_id, stack, component, command, status, required_capabilities_json, "
    "lease_owner, lease_until, fencing_token, attempt, outputs_json, changes_json, error, "
    "started_at, finished_at, created_at, updated_at, plan_activity_id";

// How many columns kActivityColumns names (a RETURNING may add some after them).
inline constexpr int kActivityColumnCount = [] {
  int n = 1;
  for (const char* c = kActivityColumns; *c; ++c) n += *c == ',';
  return n;
}();

// The same columns of one table named `table` (a RETURNING beside a FROM names them so).
inline std::string activity_columns_of(const std::string& table) {
  std::string out, columns = kActivityColumns;
  size_t start = 0;
  while (start < columns.size()) {
    size_t comma = columns.find(',', start);
    if (comma == std::string::npos) comma = columns.size();
    size_t first = columns.find_first_not_of(' ', start);
    out += (out.empty() ? "" : ", ") + table + "." + columns.substr(first, comma - first);
    start = comma + 1;
  }
  return out;
}

inline Activity read_activity(const PgResult& rows, int row) {
  Activity a;
  a.id = rows.text(row, 0);
  a.run_id = rows.text(row, 1);
  a.stack = rows.text(row, 2);
  a.component = rows.text(row, 3);
  a.command = rows.text(row, 4);
  a.status = rows.text(row, 5);
  a.required_capabilities = from_json_list(rows.text(row, 6));
  a.lease_owner = rows.text(row, 7);
  a.lease_until = rows.int64(row, 8);
  a.fencing_token = rows.int64(row, 9);
  a.attempt = static_cast<int>(rows.int64(row, 10));
  a.outputs_json = rows.text(row, 11);
  a.changes_json = rows.text(row, 12);
  a.error = rows.text(row, 13);
  a.started_at = rows.int64(row, 14);
  a.finished_at = rows.int64(row, 15);
  a.created_at = rows.int64(row, 16);
  a.updated_at = rows.int64(row, 17);
  a.plan_activity_id = rows.text(row, 18);
  return a;
}

// API tokens, revoked ones too.
inline constexpr const char* kTokenColumns =
    "id, name, hash, admin, created_at, expires_at, role, repositories_json, created_by, last_used_at, revoked_at, worker_id, session_of, account";

inline ApiToken read_token(const PgResult& rows, int row) {
  ApiToken t;
  t.id = rows.text(row, 0);
  t.name = rows.text(row, 1);
  t.hash = rows.text(row, 2);
  t.admin = rows.int64(row, 3) != 0;
  t.created_at = rows.int64(row, 4);
  t.expires_at = rows.int64(row, 5);
  t.role = rows.text(row, 6);
  t.repositories = from_json_list(rows.text(row, 7));
  t.created_by = rows.text(row, 8);
  t.last_used_at = rows.int64(row, 9);
  t.revoked_at = rows.int64(row, 10);
  t.worker_id = rows.text(row, 11);
  t.session_of = rows.text(row, 12);
  t.account = rows.text(row, 13);
  return t;
}

}  // namespace strata::store::pg_rows
