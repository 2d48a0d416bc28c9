// PgStore's records: connecting, migrations, repositories, tokens, runs as written and read,
// logs, workers and Terraform state. The activity state machine is in pg_store_activities.cc.
#include "store/postgres/pg_store.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "store/migrations.h"
#include "store/run_rules.h"
#include "store/postgres/pg_notifications.h"
#include "store/postgres/pg_rows.h"

namespace strata::store {

using namespace pg_rows;

PgStore::PgStore(const std::string& url, size_t connections)
    : target_(url), pool_(target_, connections) {
  pool_.checkout();  // connects, and keeps the connection in the pool
}

std::unique_ptr<StoreNotifications> PgStore::listen() {
  return std::make_unique<PgNotifications>(target_);
}

// --- migrations

void PgStore::migrate() {
  // The advisory lock is held by this session across the migrations' own transactions: a
  // replica starting beside another waits here, then finds the migrations applied.
  auto conn = pool_.checkout();
  conn->set_operation("take the migration lock");
  conn->exec("SELECT pg_advisory_lock($1::bigint)", {kPgMigrateLock});
  auto unlock = [&conn] {
    // A broken connection has lost its session lock already.
    if (!conn->healthy()) return;
    try {
      conn->exec("SELECT pg_advisory_unlock($1::bigint)", {kPgMigrateLock});
    } catch (const Error&) {
    }
  };
  try {
    for (const auto& [name, sql] : embedded_migrations()) {
      conn->set_operation("apply migration " + name);
      PgTransaction tx(*conn);
      // Must exist before we can ask which migrations ran; 001 repeats it (IF NOT EXISTS).
      conn->exec_script(
          "CREATE TABLE IF NOT EXISTS schema_migrations "
          "(name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)");
      if (!conn->exec("SELECT 1 FROM schema_migrations WHERE name = $1", {name}).empty()) continue;
      conn->exec_script(sql);
      conn->exec("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)",
                 {name, now_millis()});
      tx.commit();
    }
    // PostgreSQL only: fencing tokens from a sequence, never behind what the counters table
    // handed out before it existed.
    conn->set_operation("create the fencing token sequence");
    PgTransaction tx(*conn);
    conn->exec_script("CREATE SEQUENCE IF NOT EXISTS strata_fencing_token");
    // Fresh: the next value follows the counter (1 on a new store). Used: never moves back.
    conn->exec(
        "SELECT CASE WHEN s.is_called THEN setval('strata_fencing_token', GREATEST(s.last_value, c.value)) "
        "WHEN c.value > 0 THEN setval('strata_fencing_token', c.value) "
        "ELSE setval('strata_fencing_token', 1, false) END "
        "FROM strata_fencing_token s, counters c WHERE c.name = 'fencing_token'");
    tx.commit();
  } catch (...) {
    unlock();
    throw;
  }
  unlock();
}

std::vector<std::string> PgStore::applied_migrations() {
  return transact("list migrations", [](PgConnection& db) {
    std::vector<std::string> names;
    if (db.exec("SELECT to_regclass('schema_migrations') IS NOT NULL").text(0, 0) != "t") {
      return names;
    }
    auto rows = db.exec("SELECT name FROM schema_migrations ORDER BY name");
    for (int i = 0; i < rows.rows(); ++i) names.push_back(rows.text(i, 0));
    return names;
  });
}

// --- repositories

namespace {
constexpr const char* kRepositoryColumns =
    "id, name, url, default_branch, created_at, updated_at, account, github, webhook_secret, registry_commit, "
    "auto_destroy";
Repository read_repository(const PgResult& rows, int row) {
  return Repository{rows.text(row, 0),  rows.text(row, 1),  rows.text(row, 2), rows.text(row, 3),
                    rows.int64(row, 4), rows.int64(row, 5), rows.text(row, 6), rows.text(row, 7),
                    rows.text(row, 8),  rows.text(row, 9),  rows.int64(row, 10) != 0};
}
Error repository_name_taken(const std::string& name) {
  return Error(ErrorKind::kUserInput, "a repository named '" + name + "' already exists", {},
               "pick another name, or use the registered repository");
}
}  // namespace

Repository PgStore::add_repository(Repository repo) {
  return transact("add a repository", [&](PgConnection& db) {
    if (!db.exec("SELECT 1 FROM repositories WHERE name = $1", {repo.name}).empty()) {
      throw repository_name_taken(repo.name);
    }
    if (repo.id.empty()) repo.id = new_uuid();
    if (repo.default_branch.empty()) repo.default_branch = "main";
    if (repo.created_at == 0) repo.created_at = now_millis();
    repo.updated_at = repo.created_at;
    try {
      db.exec(
          "INSERT INTO repositories (id, name, url, default_branch, created_at, updated_at, account, github, "
          "webhook_secret, registry_commit, auto_destroy) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
          {repo.id, repo.name, repo.url, repo.default_branch, repo.created_at, repo.updated_at, repo.account,
           repo.github, repo.webhook_secret, repo.registry_commit, static_cast<int64_t>(repo.auto_destroy ? 1 : 0)});
    } catch (const PgStatementError& e) {
      // Another replica added the same name since the check above.
      if (e.unique_violation()) throw repository_name_taken(repo.name);
      throw;
    }
    return repo;
  });
}

std::optional<Repository> PgStore::repository(const std::string& id_or_name) {
  return read_one("read a repository", [&](PgConnection& db) -> std::optional<Repository> {
    auto rows = db.exec(std::string("SELECT ") + kRepositoryColumns +
                            " FROM repositories WHERE id = $1 OR name = $1 ORDER BY id = $1 DESC",
                        {id_or_name});
    if (rows.empty()) return std::nullopt;
    return read_repository(rows, 0);
  });
}

std::optional<Repository> PgStore::repository_by_github(const std::string& full_name) {
  return read_one("find a repository by its GitHub name", [&](PgConnection& db) -> std::optional<Repository> {
    auto rows = db.exec(std::string("SELECT ") + kRepositoryColumns +
                            " FROM repositories WHERE github = lower($1) AND github <> '' ORDER BY created_at LIMIT 1",
                        {full_name});
    if (rows.empty()) return std::nullopt;
    return read_repository(rows, 0);
  });
}

std::vector<Repository> PgStore::repositories() {
  return read_one("list repositories", [](PgConnection& db) {
    auto rows = db.exec(std::string("SELECT ") + kRepositoryColumns +
                        " FROM repositories ORDER BY name COLLATE \"C\"");
    std::vector<Repository> out;
    for (int i = 0; i < rows.rows(); ++i) out.push_back(read_repository(rows, i));
    return out;
  });
}

// --- accounts

namespace {
Account read_account(const PgResult& rows, int row) {
  return Account{rows.text(row, 0), rows.text(row, 1), rows.text(row, 2), rows.text(row, 3), rows.int64(row, 4)};
}
constexpr const char* kAccountColumns = "name, kind, rate_limit, created_by, created_at";
}  // namespace

Account PgStore::add_account(Account account) {
  Error taken(ErrorKind::kConflict, "there is an account " + account.name + " already", {},
              "choose another name, or use the account that exists");
  if (account.created_at == 0) account.created_at = now_millis();
  return transact("add an account", [&](PgConnection& db) {
    if (!db.exec("SELECT 1 FROM accounts WHERE name = $1", {account.name}).empty()) throw taken;
    try {
      db.exec("INSERT INTO accounts (name, kind, rate_limit, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
              {account.name, account.kind, account.rate_limit, account.created_by, account.created_at});
    } catch (const PgStatementError& e) {
      if (e.unique_violation()) throw taken;
      throw;
    }
    return account;
  });
}

std::optional<Account> PgStore::account(const std::string& name) {
  return read_one("look up an account", [&](PgConnection& db) -> std::optional<Account> {
    auto rows = db.exec(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE name = $1", {name});
    if (rows.empty()) return std::nullopt;
    return read_account(rows, 0);
  });
}

std::vector<Account> PgStore::accounts() {
  return read_one("list accounts", [](PgConnection& db) {
    auto rows = db.exec(std::string("SELECT ") + kAccountColumns + " FROM accounts ORDER BY name");
    std::vector<Account> out;
    for (int i = 0; i < rows.rows(); ++i) out.push_back(read_account(rows, i));
    return out;
  });
}

// --- API tokens

ApiToken PgStore::add_token(ApiToken token) {
  Error taken(ErrorKind::kUserInput, "an API token with this hash is already stored", {},
              "generate a new token");
  return transact("add an API token", [&](PgConnection& db) {
    if (!db.exec("SELECT 1 FROM api_tokens WHERE hash = $1", {token.hash}).empty()) throw taken;
    if (token.id.empty()) token.id = new_uuid();
    if (token.created_at == 0) token.created_at = now_millis();
    if (token.role.empty()) token.role = token.admin ? "admin" : "operator";
    token.admin = token.role == "admin";
    try {
      db.exec(
          "INSERT INTO api_tokens (id, name, hash, admin, expires_at, created_at, updated_at, role, "
          "repositories_json, created_by, worker_id, session_of, account) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
          "$9, $10, $11, $12, $13)",
          {token.id, token.name, token.hash, token.admin, token.expires_at, token.created_at, token.created_at,
           token.role, to_json_list(token.repositories), token.created_by, token.worker_id, token.session_of,
           token.account});
    } catch (const PgStatementError& e) {
      if (e.unique_violation()) throw taken;
      throw;
    }
    return token;
  });
}

std::optional<ApiToken> PgStore::token_by_hash(const std::string& hash) {
  return read_one("look up an API token", [&](PgConnection& db) -> std::optional<ApiToken> {
    auto rows = db.exec(std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE hash = $1", {hash});
    if (rows.empty()) return std::nullopt;
    return read_token(rows, 0);
  });
}

std::optional<ApiToken> PgStore::token(const std::string& id) {
  return read_one("look up an API token", [&](PgConnection& db) -> std::optional<ApiToken> {
    auto rows = db.exec(std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE id = $1", {id});
    if (rows.empty()) return std::nullopt;
    return read_token(rows, 0);
  });
}

size_t PgStore::token_count() {
  return read_one("count API tokens", [](PgConnection& db) {
    return static_cast<size_t>(db.exec("SELECT COUNT(*) FROM api_tokens").int64(0, 0));
  });
}

std::vector<ApiToken> PgStore::tokens() {
  return read_one("list API tokens", [](PgConnection& db) {
    auto rows = db.exec(std::string("SELECT ") + kTokenColumns + " FROM api_tokens ORDER BY created_at, id");
    std::vector<ApiToken> out;
    for (int i = 0; i < rows.rows(); ++i) out.push_back(read_token(rows, i));
    return out;
  });
}

bool PgStore::revoke_token(const std::string& id, Millis now) {
  return transact_one("revoke an API token", [&](PgConnection& db) {
    return db.exec("UPDATE api_tokens SET revoked_at = $1, updated_at = $1 WHERE id = $2 AND revoked_at = 0",
                   {now, id})
               .changed() > 0;
  });
}

void PgStore::token_used(const std::string& id, Millis now) {
  transact_one("note an API token's use", [&](PgConnection& db) {
    db.exec("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", {now, id});
    return 0;
  });
}

// --- runs and activities as written and read

Run PgStore::create_run(Run run, std::vector<Activity> activities) {
  return transact("create a run", [&](PgConnection& db) {
    if (db.exec("SELECT 1 FROM repositories WHERE id = $1", {run.repository_id}).empty()) {
      throw Error(ErrorKind::kNotFound, "no repository with id '" + run.repository_id + "'");
    }
    prepare_new_run(run, activities);

    db.exec(
        "INSERT INTO operations (id, seq, repository_id, command, commit_hash, selection_json, "
        "status, status_reason, created_by, locked_stacks_json, cancel_requested, created_at, "
        "updated_at, finished_at, plan_run_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        {run.id, next_counter(db, "operation_seq"), run.repository_id, run.command, run.commit,
         run.selection_json.empty() ? std::string("{}") : run.selection_json, run.status,
         run.status_reason, run.created_by, to_json_list(run.locked_stacks), run.cancel_requested,
         run.created_at, run.updated_at, run.finished_at, run.plan_run_id});

    int position = 0;
    for (auto& a : activities) {
      a.run_id = run.id;
      if (a.command.empty()) a.command = run.command;
      if (a.status.empty()) a.status = "queued";
      a.created_at = a.updated_at = run.created_at;
      db.exec(
          "INSERT INTO activities (id, operation_id, position, stack, component, command, "
          "status, required_capabilities_json, created_at, updated_at, plan_activity_id) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
          {a.id, a.run_id, position++, a.stack, a.component, a.command, a.status,
           to_json_list(a.required_capabilities), a.created_at, a.updated_at, a.plan_activity_id});
    }
    for (const auto& a : activities) {
      int dep_position = 0;
      for (const auto& dep : a.depends_on) {
        db.exec(
            "INSERT INTO activity_deps (activity_id, depends_on_id, position) "
            "VALUES ($1, $2, $3) ON CONFLICT (activity_id, depends_on_id) DO NOTHING",
            {a.id, dep, dep_position++});
      }
    }
    notify_ready(db);
    return run;
  });
}

std::optional<Run> PgStore::load_run(PgConnection& db, const std::string& id) {
  auto rows =
      db.exec(std::string("SELECT ") + kRunColumns + " FROM operations WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return read_run(rows, 0);
}

std::optional<Activity> PgStore::load_activity(PgConnection& db, const std::string& id) {
  auto rows =
      db.exec(std::string("SELECT ") + kActivityColumns + " FROM activities WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  Activity a = read_activity(rows, 0);
  auto deps = db.exec(
      "SELECT depends_on_id FROM activity_deps WHERE activity_id = $1 ORDER BY position", {id});
  for (int i = 0; i < deps.rows(); ++i) a.depends_on.push_back(deps.text(i, 0));
  return a;
}

std::optional<Run> PgStore::run(const std::string& id) {
  return read_one("read a run", [&](PgConnection& db) { return load_run(db, id); });
}

std::vector<Run> PgStore::runs(size_t limit) {
  return read_one("list runs", [&](PgConnection& db) {
    auto rows = db.exec(std::string("SELECT ") + kRunColumns +
                            " FROM operations ORDER BY created_at DESC, seq DESC LIMIT $1::bigint",
                        {static_cast<int64_t>(limit)});
    std::vector<Run> out;
    for (int i = 0; i < rows.rows(); ++i) out.push_back(read_run(rows, i));
    return out;
  });
}

std::vector<Activity> PgStore::activities(const std::string& run_id) {
  return read_one("list a run's activities", [&](PgConnection& db) {
    std::vector<Activity> out;
    std::map<std::string, size_t> index;
    auto rows = db.exec(std::string("SELECT ") + kActivityColumns +
                            " FROM activities WHERE operation_id = $1 ORDER BY position",
                        {run_id});
    for (int i = 0; i < rows.rows(); ++i) {
      index[rows.text(i, 0)] = out.size();
      out.push_back(read_activity(rows, i));
    }
    auto deps = db.exec(
        "SELECT d.activity_id, d.depends_on_id FROM activity_deps d "
        "JOIN activities a ON a.id = d.activity_id WHERE a.operation_id = $1 "
        "ORDER BY d.activity_id, d.position",
        {run_id});
    for (int i = 0; i < deps.rows(); ++i) {
      auto it = index.find(deps.text(i, 0));
      if (it != index.end()) out[it->second].depends_on.push_back(deps.text(i, 1));
    }
    return out;
  });
}

std::optional<Activity> PgStore::activity(const std::string& id) {
  return read_one("read an activity", [&](PgConnection& db) { return load_activity(db, id); });
}

// --- saved plans

LeaseCheck PgStore::save_plan(const SavedPlan& plan, int64_t token, Millis now) {
  return transact("save a plan", [&](PgConnection& db) {
    if (!lock_held_lease(db, plan.activity_id, token)) return LeaseCheck::kLost;
    // A later attempt of the same activity replaces what an earlier one saved.
    db.exec(
        "INSERT INTO saved_plans (activity_id, state_key, state_serial, plan_file, stamp, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (activity_id) DO UPDATE SET state_key = EXCLUDED.state_key, "
        "state_serial = EXCLUDED.state_serial, plan_file = EXCLUDED.plan_file, stamp = EXCLUDED.stamp, "
        "created_at = EXCLUDED.created_at",
        {plan.activity_id, plan.state_key, plan.state_serial, plan.plan_file, plan.stamp, now});
    return LeaseCheck::kHeld;
  });
}

std::optional<SavedPlan> PgStore::saved_plan(const std::string& activity_id) {
  return read_one("read a saved plan", [&](PgConnection& db) -> std::optional<SavedPlan> {
    auto rows = db.exec(
        "SELECT activity_id, state_key, state_serial, plan_file, stamp, created_at FROM saved_plans "
        "WHERE activity_id = $1",
        {activity_id});
    if (rows.empty()) return std::nullopt;
    return SavedPlan{rows.text(0, 0), rows.text(0, 1), rows.int64(0, 2), rows.text(0, 3), rows.text(0, 4),
                     rows.int64(0, 5)};
  });
}

// --- logs

LeaseCheck PgStore::append_log(const std::string& activity_id, int64_t token, int64_t seq,
                               const std::string& data, Millis now) {
  return transact("append a log chunk", [&](PgConnection& db) {
    if (!lock_held_lease(db, activity_id, token)) return LeaseCheck::kLost;
    // A retried request carries a seq already stored: the first copy wins.
    db.exec(
        "INSERT INTO log_chunks (activity_id, seq, data, created_at) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (activity_id, seq) DO NOTHING",
        {activity_id, seq, data, now});
    return LeaseCheck::kHeld;
  });
}

std::vector<LogChunk> PgStore::logs(const std::string& activity_id, int64_t after_seq) {
  return read_one("read logs", [&](PgConnection& db) {
    auto rows = db.exec(
        "SELECT activity_id, seq, data, created_at FROM log_chunks "
        "WHERE activity_id = $1 AND seq > $2 ORDER BY seq",
        {activity_id, after_seq});
    std::vector<LogChunk> out;
    for (int i = 0; i < rows.rows(); ++i) {
      out.push_back(LogChunk{rows.text(i, 0), rows.int64(i, 1), rows.text(i, 2), rows.int64(i, 3)});
    }
    return out;
  });
}

// --- workers

namespace {
constexpr const char* kWorkerColumns =
    "id, name, version, capabilities_json, registered_at, last_heartbeat";
WorkerRecord read_worker(const PgResult& rows, int row) {
  return WorkerRecord{rows.text(row, 0),  rows.text(row, 1),
                      rows.text(row, 2),  from_json_list(rows.text(row, 3)),
                      rows.int64(row, 4), rows.int64(row, 5)};
}
}  // namespace

WorkerRecord PgStore::register_worker(WorkerRecord worker) {
  return transact("register a worker", [&](PgConnection& db) {
    if (worker.id.empty()) worker.id = new_uuid();
    Millis now = now_millis();
    if (worker.registered_at == 0) worker.registered_at = now;
    if (worker.last_heartbeat == 0) worker.last_heartbeat = worker.registered_at;
    // A worker that registers again under its id (a restart) updates what it declares.
    db.exec(
        "INSERT INTO workers (id, name, version, capabilities_json, registered_at, "
        "last_heartbeat, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, version = excluded.version, "
        "capabilities_json = excluded.capabilities_json, "
        "registered_at = excluded.registered_at, last_heartbeat = excluded.last_heartbeat, "
        "updated_at = excluded.updated_at",
        {worker.id, worker.name, worker.version, to_json_list(worker.capabilities),
         worker.registered_at, worker.last_heartbeat, now, now});
    return worker;
  });
}

std::optional<WorkerRecord> PgStore::worker(const std::string& id) {
  return read_one("read a worker", [&](PgConnection& db) -> std::optional<WorkerRecord> {
    auto rows =
        db.exec(std::string("SELECT ") + kWorkerColumns + " FROM workers WHERE id = $1", {id});
    if (rows.empty()) return std::nullopt;
    return read_worker(rows, 0);
  });
}

std::vector<WorkerRecord> PgStore::workers() {
  return read_one("list workers", [](PgConnection& db) {
    auto rows = db.exec(std::string("SELECT ") + kWorkerColumns +
                        " FROM workers ORDER BY name COLLATE \"C\", id COLLATE \"C\"");
    std::vector<WorkerRecord> out;
    for (int i = 0; i < rows.rows(); ++i) out.push_back(read_worker(rows, i));
    return out;
  });
}

void PgStore::worker_seen(const std::string& id, Millis now) {
  transact("record a worker heartbeat", [&](PgConnection& db) {
    db.exec("UPDATE workers SET last_heartbeat = $1, updated_at = $1 WHERE id = $2", {now, id});
  });
}

// --- Terraform state

namespace {
// The columns of a state version, in StateVersion's order; kStateListColumns leaves the data out.
constexpr const char* kStateColumns = "key, version, data, created_at, serial, lineage, deleted";
constexpr const char* kStateListColumns = "key, version, '', created_at, serial, lineage, deleted";
StateVersion read_state(const PgResult& rows, int row) {
  return StateVersion{rows.text(row, 0),  rows.int64(row, 1), rows.text(row, 2),        rows.int64(row, 3),
                      rows.int64(row, 4), rows.text(row, 5),  rows.int64(row, 6) != 0};
}
std::vector<StateVersion> read_states(const PgResult& rows) {
  std::vector<StateVersion> out;
  for (int i = 0; i < rows.rows(); ++i) out.push_back(read_state(rows, i));
  return out;
}
}  // namespace

std::optional<StateVersion> PgStore::latest_state(const std::string& key) { return latest(key, kStateColumns); }

std::optional<StateVersion> PgStore::latest_state_info(const std::string& key) {
  return latest(key, kStateListColumns);
}

std::optional<StateVersion> PgStore::latest(const std::string& key, const char* columns) {
  return read_one("read a state", [&](PgConnection& db) -> std::optional<StateVersion> {
    auto rows = db.exec(std::string("SELECT ") + columns +
                            " FROM tf_states WHERE key = $1 AND deleted = 0 ORDER BY version DESC LIMIT 1",
                        {key});
    if (rows.empty()) return std::nullopt;
    return read_state(rows, 0);
  });
}

std::vector<StateVersion> PgStore::state_versions(const std::string& key) {
  return read_one("list a state's versions", [&](PgConnection& db) {
    return read_states(db.exec(
        std::string("SELECT ") + kStateListColumns + " FROM tf_states WHERE key = $1 ORDER BY version DESC", {key}));
  });
}

std::optional<StateVersion> PgStore::state_version(const std::string& key, int64_t version) {
  return read_one("read a state version", [&](PgConnection& db) -> std::optional<StateVersion> {
    auto rows = db.exec(std::string("SELECT ") + kStateColumns + " FROM tf_states WHERE key = $1 AND version = $2",
                        {key, version});
    if (rows.empty()) return std::nullopt;
    return read_state(rows, 0);
  });
}

std::vector<StateVersion> PgStore::states(const std::string& prefix) {
  return read_one("list states", [&](PgConnection& db) {
    return read_states(db.exec(
        std::string("SELECT ") + kStateListColumns +
            " FROM tf_states t WHERE deleted = 0 AND starts_with(key, $1) AND version = "
            "(SELECT MAX(version) FROM tf_states u WHERE u.key = t.key AND u.deleted = 0) ORDER BY key COLLATE \"C\"",
        {prefix}));
  });
}

StateVersion PgStore::put_state_version(const std::string& key, const std::string& data, int64_t serial,
                                        const std::string& lineage, Millis now) {
  return transact("store a state", [&](PgConnection& db) {
    // Two replicas writing one key take turns, so each reads the other's version number.
    db.exec("SELECT pg_advisory_xact_lock($1::integer, hashtext($2))", {kPgStateLockClass, key});
    // Numbering goes on after a delete: deleted versions stay in the history.
    int64_t last = db.exec("SELECT COALESCE(MAX(version), 0) FROM tf_states WHERE key = $1", {key})
                       .int64(0, 0);
    StateVersion version{key, last + 1, data, now, serial, lineage, false};
    db.exec(
        "INSERT INTO tf_states (key, version, serial, lineage, data, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {key, version.version, serial, lineage, data, now});
    return version;
  });
}

void PgStore::delete_state(const std::string& key) {
  transact("delete a state", [&](PgConnection& db) {
    db.exec("UPDATE tf_states SET deleted = 1 WHERE key = $1", {key});
  });
}

std::optional<StateLock> PgStore::lock_state(const StateLock& lock) {
  return transact("lock a state", [&](PgConnection& db) -> std::optional<StateLock> {
    Millis created = lock.created_at ? lock.created_at : now_millis();
    // Insert-or-read, again while a holder comes and goes between the two: the primary key
    // decides between two replicas locking at once.
    for (;;) {
      auto inserted = db.exec(
          "INSERT INTO tf_locks (key, lock_id, info_json, created_at, updated_at, owner) "
          "VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (key) DO NOTHING RETURNING key",
          {lock.key, lock.lock_id, lock.info_json, created, lock.owner});
      if (!inserted.empty()) return std::nullopt;
      auto held = db.exec("SELECT key, lock_id, info_json, created_at, owner FROM tf_locks WHERE key = $1",
                          {lock.key});
      if (held.empty()) continue;
      StateLock holder{held.text(0, 0), held.text(0, 1), held.text(0, 2), held.int64(0, 3), held.text(0, 4)};
      if (holder.lock_id == lock.lock_id) return std::nullopt;  // a retried LOCK
      return holder;
    }
  });
}

std::optional<StateLock> PgStore::state_lock(const std::string& key) {
  return read_one("read a state lock", [&](PgConnection& db) -> std::optional<StateLock> {
    auto rows =
        db.exec("SELECT key, lock_id, info_json, created_at, owner FROM tf_locks WHERE key = $1", {key});
    if (rows.empty()) return std::nullopt;
    return StateLock{rows.text(0, 0), rows.text(0, 1), rows.text(0, 2), rows.int64(0, 3), rows.text(0, 4)};
  });
}

bool PgStore::unlock_state(const std::string& key, const std::string& lock_id, bool force) {
  return transact("unlock a state", [&](PgConnection& db) {
    int64_t removed =
        force ? db.exec("DELETE FROM tf_locks WHERE key = $1", {key}).changed()
              : db.exec("DELETE FROM tf_locks WHERE key = $1 AND lock_id = $2", {key, lock_id})
                    .changed();
    // Nothing removed: free already (fine), or held by another lock id.
    if (removed == 0) {
      return db.exec("SELECT 1 FROM tf_locks WHERE key = $1", {key}).empty();
    }
    return true;
  });
}

// --- variable sets

void PgStore::set_variable(const Variable& v) {
  Millis now = v.updated_at ? v.updated_at : now_millis();
  transact_one("store a variable", [&](PgConnection& db) {
    db.exec(
        "INSERT INTO variables (repository_id, stack, name, value, sensitive, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (repository_id, stack, name) DO UPDATE SET "
        "value = excluded.value, sensitive = excluded.sensitive, updated_at = excluded.updated_at",
        {v.repository_id, v.stack, v.name, v.value, static_cast<int64_t>(v.sensitive ? 1 : 0),
         v.created_at ? v.created_at : now, now});
  });
}

bool PgStore::delete_variable(const std::string& repository_id, const std::string& stack, const std::string& name) {
  return transact_one("delete a variable", [&](PgConnection& db) {
    return db.exec("DELETE FROM variables WHERE repository_id = $1 AND stack = $2 AND name = $3",
                   {repository_id, stack, name})
               .changed() > 0;
  });
}

std::vector<Variable> PgStore::variables(const std::string& repository_id) {
  return read_one("read variables", [&](PgConnection& db) {
    auto rows = db.exec(
        "SELECT repository_id, stack, name, value, sensitive, created_at, updated_at FROM variables "
        "WHERE repository_id = $1 ORDER BY stack COLLATE \"C\", name COLLATE \"C\"",
        {repository_id});
    std::vector<Variable> out;
    for (int i = 0; i < rows.rows(); ++i)
      out.push_back(Variable{rows.text(i, 0), rows.text(i, 1), rows.text(i, 2), rows.text(i, 3), rows.int64(i, 4) != 0,
                             rows.int64(i, 5), rows.int64(i, 6)});
    return out;
  });
}

// --- retention

size_t PgStore::prune_state_versions(size_t keep) {
  return static_cast<size_t>(transact_one("remove old state versions", [&](PgConnection& db) {
    return db
        .exec("DELETE FROM tf_states t WHERE version <= "
              "(SELECT MAX(version) FROM tf_states u WHERE u.key = t.key) - $1",
              {static_cast<int64_t>(std::max<size_t>(keep, 1))})
        .changed();
  }));
}

size_t PgStore::prune_ended(const char* table, const char* what, Millis before) {
  return static_cast<size_t>(transact_one(what, [&](PgConnection& db) {
    return db
        .exec(std::string("DELETE FROM ") + table +
                  " WHERE activity_id IN "
                  "(SELECT id FROM activities WHERE finished_at > 0 AND finished_at < $1)",
              {before})
        .changed();
  }));
}

size_t PgStore::prune_logs(Millis before) { return prune_ended("log_chunks", "remove old logs", before); }
size_t PgStore::prune_plans(Millis before) { return prune_ended("saved_plans", "remove old plans", before); }

// --- audit log

void PgStore::append_audit(AuditEntry e) {
  transact_one("append to the audit log", [&](PgConnection& db) {
    db.exec(
        "INSERT INTO audit_log (id, actor, action, target, detail_json, outcome, remote_address, created_at, "
        "account) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        {e.id.empty() ? new_uuid() : e.id, e.actor, e.action, e.target, e.detail_json.empty() ? "{}" : e.detail_json,
         e.outcome, e.remote_address, e.created_at ? e.created_at : now_millis(), e.account});
  });
}

std::vector<AuditEntry> PgStore::audit_entries(size_t limit, const AuditFilter& filter) {
  return read_one("read the audit log", [&](PgConnection& db) {
    auto rows = db.exec(
        "SELECT id, actor, action, target, detail_json, outcome, remote_address, created_at, account "
        "FROM audit_log WHERE ($1::text = '' OR actor = $1) AND ($2::text = '' OR substr(action, 1, length($2)) = $2) "
        "AND ($3::text = '' OR substr(target, 1, length($3)) = $3) AND ($4::text = '' OR outcome = $4) "
        "AND created_at >= $5 AND (NOT $7::boolean OR account = $8) ORDER BY created_at DESC, id LIMIT $6",
        {filter.actor, filter.action, filter.target, filter.outcome, filter.since, static_cast<int64_t>(limit),
         filter.account.has_value(), filter.account.value_or("")});
    std::vector<AuditEntry> out;
    for (int i = 0; i < rows.rows(); ++i)
      out.push_back(AuditEntry{rows.text(i, 0), rows.text(i, 1), rows.text(i, 2), rows.text(i, 3), rows.text(i, 4),
                               rows.text(i, 5), rows.text(i, 6), rows.int64(i, 7), rows.text(i, 8)});
    return out;
  });
}

std::string PgStore::keyring_check(int64_t version, const std::string& sealed, Millis now) {
  return transact("check the key ring", [&](PgConnection& db) {
    db.exec("INSERT INTO keyring_checks (version, sealed, created_at) VALUES ($1, $2, $3) "
            "ON CONFLICT (version) DO NOTHING",
            {version, sealed, now});
    return db.exec("SELECT sealed FROM keyring_checks WHERE version = $1", {version}).text(0, 0);
  });
}

}  // namespace strata::store
