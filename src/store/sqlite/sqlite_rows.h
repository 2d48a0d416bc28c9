// The column lists the SQLite store selects and the readers that turn one row into a record;
// shared by sqlite_store.cc and sqlite_store_activities.cc so both read records the same way.
#pragma once

#include "store/json_list.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/store.h"

namespace strata::store::sqlite_rows {

inline constexpr const char* kRunColumns =
    "id, repository_id, command, commit_hash, selection_json, status, status_reason, created_by, "
    "locked_stacks_json, created_at, updated_at, finished_at, cancel_requested, plan_run_id";

inline Run read_run(const SqliteStatement& row) {
  Run run;
  run.id = row.text(0);
  run.repository_id = row.text(1);
  run.command = row.text(2);
  run.commit = row.text(3);
  run.selection_json = row.text(4);
  run.status = row.text(5);
  run.status_reason = row.text(6);
  run.created_by = row.text(7);
  run.locked_stacks = from_json_list(row.text(8));
  run.created_at = row.int64(9);
  run.updated_at = row.int64(10);
  run.finished_at = row.int64(11);
  run.cancel_requested = row.int64(12) != 0;
  run.plan_run_id = row.text(13);
  return run;
}

// Without depends_on, which lives in activity_deps.
inline constexpr const char* kActivityColumns =
    "id, operation_id, stack, component, command, status, required_capabilities_json, "
    "lease_owner, lease_until, fencing_token, attempt, outputs_json, changes_json, error, "
    "started_at, finished_at, created_at, updated_at, plan_activity_id";

inline Activity read_activity(const SqliteStatement& row) {
  Activity a;
  a.id = row.text(0);
  a.run_id = row.text(1);
  a.stack = row.text(2);
  a.component = row.text(3);
  a.command = row.text(4);
  a.status = row.text(5);
  a.required_capabilities = from_json_list(row.text(6));
  a.lease_owner = row.text(7);
  a.lease_until = row.int64(8);
  a.fencing_token = row.int64(9);
  a.attempt = static_cast<int>(row.int64(10));
  a.outputs_json = row.text(11);
  a.changes_json = row.text(12);
  a.error = row.text(13);
  a.started_at = row.int64(14);
  a.finished_at = row.int64(15);
  a.created_at = row.int64(16);
  a.updated_at = row.int64(17);
  a.plan_activity_id = row.text(18);
  return a;
}

// API tokens, revoked ones too.
inline constexpr const char* kTokenColumns =
    "id, name, hash, admin, created_at, expires_at, role, repositories_json, created_by, last_used_at, revoked_at, worker_id, session_of, account";

inline ApiToken read_token(const SqliteStatement& st) {
  ApiToken t;
  t.id = st.text(0);
  t.name = st.text(1);
  t.hash = st.text(2);
  t.admin = st.int64(3) != 0;
  t.created_at = st.int64(4);
  t.expires_at = st.int64(5);
  t.role = st.text(6);
  t.repositories = from_json_list(st.text(7));
  t.created_by = st.text(8);
  t.last_used_at = st.int64(9);
  t.revoked_at = st.int64(10);
  t.worker_id = st.text(11);
  t.session_of = st.text(12);
  t.account = st.text(13);
  return t;
}

}  // namespace strata::store::sqlite_rows
