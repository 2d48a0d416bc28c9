// SqliteStore's records: opening the file, migrations, repositories, tokens, runs as written and
// read, logs, workers and Terraform state. The activity state machine is in
// sqlite_store_activities.cc.
#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "model/error.h"
#include "store/migrations.h"
#include "store/run_rules.h"
#include "store/sqlite/sqlite_rows.h"

namespace strata::store {

using namespace sqlite_rows;

namespace {

// The database holds API token hashes, state and logs: only the server's user may read it.
// SQLite gives its -wal and -shm files the database file's permissions, so creating this one
// 0600 covers them too. The folder must exist: the server creates its data dir, not the store.
const std::string& create_private_file(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(parent, ec)) {
    throw Error(ErrorKind::kEnvironment,
                "cannot create the store '" + path + "': the folder '" + parent.string() +
                    "' does not exist",
                {}, "create the folder first, or point the server at another data dir");
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    throw Error(ErrorKind::kEnvironment,
                "cannot create the store '" + path + "': " + std::strerror(err));
  }
  ::close(fd);
  return path;
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path) : db_(create_private_file(path)) {}

namespace {
// Labels the connection with what the store is about to do, for its error messages.
SqliteConnection& doing(SqliteConnection& db, std::string operation) {
  db.set_operation(std::move(operation));
  return db;
}
}  // namespace

// The lock is taken first (members initialise in order), then the label, then BEGIN.
SqliteStore::Session::Session(SqliteStore& store, std::string operation,
                              SqliteTransaction::Mode mode)
    : lock_(store.mutex_), tx_(doing(store.db_, std::move(operation)), mode) {}

// --- migrations

void SqliteStore::migrate() {
  // One transaction per migration, each re-reading what is applied once it holds the write
  // lock: two servers starting together on one file apply each migration once, and a server
  // stopped half-way keeps the migrations it finished.
  for (const auto& [name, sql] : embedded_migrations()) {
    auto session = write("apply migration " + name);
    // Must exist before we can ask which migrations ran; 001 repeats it (IF NOT EXISTS).
    db_.exec_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)");
    SqliteStatement applied(db_, "SELECT 1 FROM schema_migrations WHERE name = ?");
    if (applied.bind(name).step()) continue;
    db_.exec_script(sql);
    db_.exec("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", name, now_millis());
    session.commit();
  }
}

std::vector<std::string> SqliteStore::applied_migrations() {
  auto session = read("list migrations");
  std::vector<std::string> names;
  SqliteStatement exists(db_,
                         "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                         "name = 'schema_migrations'");
  if (!exists.step()) return names;
  SqliteStatement st(db_, "SELECT name FROM schema_migrations ORDER BY name");
  while (st.step()) names.push_back(st.text(0));
  return names;
}

// --- repositories

namespace {
constexpr const char* kRepositoryColumns =
    "id, name, url, default_branch, created_at, updated_at, account, github, webhook_secret, registry_commit, "
    "auto_destroy";
Repository read_repository(const SqliteStatement& row) {
  return Repository{row.text(0), row.text(1), row.text(2), row.text(3), row.int64(4),     row.int64(5),
                    row.text(6), row.text(7), row.text(8), row.text(9), row.int64(10) != 0};
}
}  // namespace

Repository SqliteStore::add_repository(Repository repo) {
  auto session = write("add a repository");
  SqliteStatement taken(db_, "SELECT 1 FROM repositories WHERE name = ?");
  if (taken.bind(repo.name).step()) {
    throw Error(ErrorKind::kUserInput, "a repository named '" + repo.name + "' already exists", {},
                "pick another name, or use the registered repository");
  }
  if (repo.id.empty()) repo.id = new_uuid();
  if (repo.default_branch.empty()) repo.default_branch = "main";
  if (repo.created_at == 0) repo.created_at = now_millis();
  repo.updated_at = repo.created_at;
  db_.exec(
      "INSERT INTO repositories (id, name, url, default_branch, created_at, updated_at, account, github, "
      "webhook_secret, registry_commit, auto_destroy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      repo.id, repo.name, repo.url, repo.default_branch, repo.created_at, repo.updated_at, repo.account,
      repo.github, repo.webhook_secret, repo.registry_commit, repo.auto_destroy);
  session.commit();
  return repo;
}

std::optional<Repository> SqliteStore::repository(const std::string& id_or_name) {
  auto session = read("read a repository");
  SqliteStatement st(db_, std::string("SELECT ") + kRepositoryColumns +
                              " FROM repositories WHERE id = ? OR name = ? ORDER BY id = ? DESC");
  if (!st.bind_all(id_or_name, id_or_name, id_or_name).step()) return std::nullopt;
  return read_repository(st);
}

std::optional<Repository> SqliteStore::repository_by_github(const std::string& full_name) {
  auto session = read("find a repository by its GitHub name");
  SqliteStatement st(db_, std::string("SELECT ") + kRepositoryColumns +
                              " FROM repositories WHERE github = lower(?) AND github <> '' ORDER BY created_at LIMIT 1");
  if (!st.bind(full_name).step()) return std::nullopt;
  return read_repository(st);
}

std::vector<Repository> SqliteStore::repositories() {
  auto session = read("list repositories");
  SqliteStatement st(
      db_, std::string("SELECT ") + kRepositoryColumns + " FROM repositories ORDER BY name");
  std::vector<Repository> out;
  while (st.step()) out.push_back(read_repository(st));
  return out;
}

// --- accounts

namespace {
Account read_account(const SqliteStatement& st) {
  return Account{st.text(0), st.text(1), st.text(2), st.text(3), st.int64(4)};
}
constexpr const char* kAccountColumns = "name, kind, rate_limit, created_by, created_at";
}  // namespace

Account SqliteStore::add_account(Account account) {
  auto session = write("add an account");
  SqliteStatement taken(db_, "SELECT 1 FROM accounts WHERE name = ?");
  if (taken.bind(account.name).step())
    throw Error(ErrorKind::kConflict, "there is an account " + account.name + " already", {},
                "choose another name, or use the account that exists");
  if (account.created_at == 0) account.created_at = now_millis();
  db_.exec("INSERT INTO accounts (name, kind, rate_limit, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
           account.name, account.kind, account.rate_limit, account.created_by, account.created_at);
  session.commit();
  return account;
}

std::optional<Account> SqliteStore::account(const std::string& name) {
  auto session = read("look up an account");
  SqliteStatement st(db_, std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE name = ?");
  if (!st.bind(name).step()) return std::nullopt;
  return read_account(st);
}

std::vector<Account> SqliteStore::accounts() {
  auto session = read("list accounts");
  SqliteStatement st(db_, std::string("SELECT ") + kAccountColumns + " FROM accounts ORDER BY name");
  std::vector<Account> out;
  while (st.step()) out.push_back(read_account(st));
  return out;
}

// --- API tokens

ApiToken SqliteStore::add_token(ApiToken token) {
  auto session = write("add an API token");
  SqliteStatement taken(db_, "SELECT 1 FROM api_tokens WHERE hash = ?");
  if (taken.bind(token.hash).step()) {
    throw Error(ErrorKind::kUserInput, "an API token with this hash is already stored", {},
                "generate a new token");
  }
  if (token.id.empty()) token.id = new_uuid();
  if (token.created_at == 0) token.created_at = now_millis();
  if (token.role.empty()) token.role = token.admin ? "admin" : "operator";
  token.admin = token.role == "admin";
  db_.exec(
      "INSERT INTO api_tokens (id, name, hash, admin, expires_at, created_at, updated_at, role, repositories_json, "
      "created_by, worker_id, session_of, account) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      token.id, token.name, token.hash, token.admin, token.expires_at, token.created_at, token.created_at,
      token.role, to_json_list(token.repositories), token.created_by, token.worker_id, token.session_of,
      token.account);
  session.commit();
  return token;
}

std::optional<ApiToken> SqliteStore::token_by_hash(const std::string& hash) {
  auto session = read("look up an API token");
  SqliteStatement st(db_, std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE hash = ?");
  if (!st.bind(hash).step()) return std::nullopt;
  return read_token(st);
}

std::optional<ApiToken> SqliteStore::token(const std::string& id) {
  auto session = read("look up an API token");
  SqliteStatement st(db_, std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE id = ?");
  if (!st.bind(id).step()) return std::nullopt;
  return read_token(st);
}

size_t SqliteStore::token_count() {
  auto session = read("count API tokens");
  SqliteStatement st(db_, "SELECT COUNT(*) FROM api_tokens");
  st.step();
  return static_cast<size_t>(st.int64(0));
}

std::vector<ApiToken> SqliteStore::tokens() {
  auto session = read("list API tokens");
  SqliteStatement st(db_, std::string("SELECT ") + kTokenColumns + " FROM api_tokens ORDER BY created_at, id");
  std::vector<ApiToken> out;
  while (st.step()) out.push_back(read_token(st));
  return out;
}

bool SqliteStore::revoke_token(const std::string& id, Millis now) {
  auto session = write("revoke an API token");
  int64_t changed =
      db_.exec("UPDATE api_tokens SET revoked_at = ?, updated_at = ? WHERE id = ? AND revoked_at = 0", now, now, id);
  session.commit();
  return changed > 0;
}

void SqliteStore::token_used(const std::string& id, Millis now) {
  auto session = write("note an API token's use");
  db_.exec("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now, id);
  session.commit();
}

// --- runs and activities as written and read

Run SqliteStore::create_run(Run run, std::vector<Activity> activities) {
  auto session = write("create a run");
  SqliteStatement repository(db_, "SELECT 1 FROM repositories WHERE id = ?");
  if (!repository.bind(run.repository_id).step()) {
    throw Error(ErrorKind::kNotFound, "no repository with id '" + run.repository_id + "'");
  }
  prepare_new_run(run, activities);

  db_.exec(
      "INSERT INTO operations (id, seq, repository_id, command, commit_hash, selection_json, "
      "status, status_reason, created_by, locked_stacks_json, cancel_requested, created_at, "
      "updated_at, finished_at, plan_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      run.id, next_counter("operation_seq"), run.repository_id, run.command, run.commit,
      run.selection_json.empty() ? std::string("{}") : run.selection_json, run.status,
      run.status_reason, run.created_by, to_json_list(run.locked_stacks), run.cancel_requested,
      run.created_at, run.updated_at, run.finished_at, run.plan_run_id);

  int position = 0;
  for (auto& a : activities) {
    a.run_id = run.id;
    if (a.command.empty()) a.command = run.command;
    if (a.status.empty()) a.status = "queued";
    a.created_at = a.updated_at = run.created_at;
    db_.exec(
        "INSERT INTO activities (id, operation_id, position, stack, component, command, status, "
        "required_capabilities_json, created_at, updated_at, plan_activity_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        a.id, a.run_id, position++, a.stack, a.component, a.command, a.status,
        to_json_list(a.required_capabilities), a.created_at, a.updated_at, a.plan_activity_id);
  }
  for (const auto& a : activities) {
    int dep_position = 0;
    for (const auto& dep : a.depends_on) {
      db_.exec(
          "INSERT INTO activity_deps (activity_id, depends_on_id, position) VALUES (?, ?, ?) "
          "ON CONFLICT (activity_id, depends_on_id) DO NOTHING",
          a.id, dep, dep_position++);
    }
  }
  session.commit();
  return run;
}

std::optional<Run> SqliteStore::load_run(const std::string& id) {
  SqliteStatement st(db_, std::string("SELECT ") + kRunColumns + " FROM operations WHERE id = ?");
  if (!st.bind(id).step()) return std::nullopt;
  return read_run(st);
}

std::vector<std::string> SqliteStore::load_depends_on(const std::string& activity_id) {
  SqliteStatement st(
      db_, "SELECT depends_on_id FROM activity_deps WHERE activity_id = ? ORDER BY position");
  st.bind(activity_id);
  std::vector<std::string> deps;
  while (st.step()) deps.push_back(st.text(0));
  return deps;
}

std::optional<Activity> SqliteStore::load_activity(const std::string& id) {
  SqliteStatement st(db_,
                     std::string("SELECT ") + kActivityColumns + " FROM activities WHERE id = ?");
  if (!st.bind(id).step()) return std::nullopt;
  Activity a = read_activity(st);
  a.depends_on = load_depends_on(a.id);
  return a;
}

std::optional<Run> SqliteStore::run(const std::string& id) {
  auto session = read("read a run");
  return load_run(id);
}

std::vector<Run> SqliteStore::runs(size_t limit) {
  auto session = read("list runs");
  SqliteStatement st(db_, std::string("SELECT ") + kRunColumns +
                              " FROM operations ORDER BY created_at DESC, seq DESC LIMIT ?");
  st.bind(static_cast<int64_t>(limit));
  std::vector<Run> out;
  while (st.step()) out.push_back(read_run(st));
  return out;
}

std::vector<Activity> SqliteStore::activities(const std::string& run_id) {
  auto session = read("list a run's activities");
  std::vector<Activity> out;
  std::map<std::string, size_t> index;
  {
    SqliteStatement st(db_, std::string("SELECT ") + kActivityColumns +
                                " FROM activities WHERE operation_id = ? ORDER BY position");
    st.bind(run_id);
    while (st.step()) {
      index[st.text(0)] = out.size();
      out.push_back(read_activity(st));
    }
  }
  SqliteStatement deps(db_,
                       "SELECT d.activity_id, d.depends_on_id FROM activity_deps d "
                       "JOIN activities a ON a.id = d.activity_id WHERE a.operation_id = ? "
                       "ORDER BY d.activity_id, d.position");
  deps.bind(run_id);
  while (deps.step()) {
    auto it = index.find(deps.text(0));
    if (it != index.end()) out[it->second].depends_on.push_back(deps.text(1));
  }
  return out;
}

std::optional<Activity> SqliteStore::activity(const std::string& id) {
  auto session = read("read an activity");
  return load_activity(id);
}

// --- saved plans

LeaseCheck SqliteStore::save_plan(const SavedPlan& plan, int64_t token, Millis now) {
  auto session = write("save a plan");
  if (!holds_lease(plan.activity_id, token)) return LeaseCheck::kLost;
  // A later attempt of the same activity replaces what an earlier one saved.
  db_.exec(
      "INSERT INTO saved_plans (activity_id, state_key, state_serial, plan_file, stamp, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (activity_id) DO UPDATE SET state_key = excluded.state_key, "
      "state_serial = excluded.state_serial, plan_file = excluded.plan_file, stamp = excluded.stamp, "
      "created_at = excluded.created_at",
      plan.activity_id, plan.state_key, plan.state_serial, plan.plan_file, plan.stamp, now);
  session.commit();
  return LeaseCheck::kHeld;
}

std::optional<SavedPlan> SqliteStore::saved_plan(const std::string& activity_id) {
  auto session = read("read a saved plan");
  SqliteStatement st(db_,
                     "SELECT activity_id, state_key, state_serial, plan_file, stamp, created_at FROM saved_plans "
                     "WHERE activity_id = ?");
  if (!st.bind(activity_id).step()) return std::nullopt;
  return SavedPlan{st.text(0), st.text(1), st.int64(2), st.text(3), st.text(4), st.int64(5)};
}

// --- logs

LeaseCheck SqliteStore::append_log(const std::string& activity_id, int64_t token, int64_t seq,
                                   const std::string& data, Millis now) {
  auto session = write("append a log chunk");
  if (!holds_lease(activity_id, token)) return LeaseCheck::kLost;
  // A retried request carries a seq already stored: the first copy wins.
  db_.exec(
      "INSERT INTO log_chunks (activity_id, seq, data, created_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (activity_id, seq) DO NOTHING",
      activity_id, seq, data, now);
  session.commit();
  return LeaseCheck::kHeld;
}

std::vector<LogChunk> SqliteStore::logs(const std::string& activity_id, int64_t after_seq) {
  auto session = read("read logs");
  SqliteStatement st(db_,
                     "SELECT activity_id, seq, data, created_at FROM log_chunks "
                     "WHERE activity_id = ? AND seq > ? ORDER BY seq");
  st.bind_all(activity_id, after_seq);
  std::vector<LogChunk> out;
  while (st.step()) out.push_back(LogChunk{st.text(0), st.int64(1), st.text(2), st.int64(3)});
  return out;
}

// --- workers

namespace {
constexpr const char* kWorkerColumns =
    "id, name, version, capabilities_json, registered_at, last_heartbeat";
WorkerRecord read_worker(const SqliteStatement& row) {
  return WorkerRecord{row.text(0),  row.text(1), row.text(2), from_json_list(row.text(3)),
                      row.int64(4), row.int64(5)};
}
}  // namespace

WorkerRecord SqliteStore::register_worker(WorkerRecord worker) {
  auto session = write("register a worker");
  if (worker.id.empty()) worker.id = new_uuid();
  Millis now = now_millis();
  if (worker.registered_at == 0) worker.registered_at = now;
  if (worker.last_heartbeat == 0) worker.last_heartbeat = worker.registered_at;
  // A worker that registers again under its id (a restart) updates what it declares.
  db_.exec(
      "INSERT INTO workers (id, name, version, capabilities_json, registered_at, last_heartbeat, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
      "name = excluded.name, version = excluded.version, "
      "capabilities_json = excluded.capabilities_json, registered_at = excluded.registered_at, "
      "last_heartbeat = excluded.last_heartbeat, updated_at = excluded.updated_at",
      worker.id, worker.name, worker.version, to_json_list(worker.capabilities),
      worker.registered_at, worker.last_heartbeat, now, now);
  session.commit();
  return worker;
}

std::optional<WorkerRecord> SqliteStore::worker(const std::string& id) {
  auto session = read("read a worker");
  SqliteStatement st(db_, std::string("SELECT ") + kWorkerColumns + " FROM workers WHERE id = ?");
  if (!st.bind(id).step()) return std::nullopt;
  return read_worker(st);
}

std::vector<WorkerRecord> SqliteStore::workers() {
  auto session = read("list workers");
  SqliteStatement st(db_,
                     std::string("SELECT ") + kWorkerColumns + " FROM workers ORDER BY name, id");
  std::vector<WorkerRecord> out;
  while (st.step()) out.push_back(read_worker(st));
  return out;
}

void SqliteStore::worker_seen(const std::string& id, Millis now) {
  auto session = write("record a worker heartbeat");
  db_.exec("UPDATE workers SET last_heartbeat = ?, updated_at = ? WHERE id = ?", now, now, id);
  session.commit();
}

// --- Terraform state

namespace {
// The columns of a state version, in StateVersion's order; kStateListColumns leaves the data out.
constexpr const char* kStateColumns = "key, version, data, created_at, serial, lineage, deleted";
constexpr const char* kStateListColumns = "key, version, '', created_at, serial, lineage, deleted";
StateVersion read_state(const SqliteStatement& row) {
  return StateVersion{row.text(0), row.int64(1), row.text(2), row.int64(3), row.int64(4), row.text(5), row.int64(6) != 0};
}
}  // namespace

std::optional<StateVersion> SqliteStore::latest_state(const std::string& key) {
  return latest(key, kStateColumns);
}

std::optional<StateVersion> SqliteStore::latest_state_info(const std::string& key) {
  return latest(key, kStateListColumns);
}

std::optional<StateVersion> SqliteStore::latest(const std::string& key, const char* columns) {
  auto session = read("read a state");
  SqliteStatement st(db_, std::string("SELECT ") + columns +
                              " FROM tf_states WHERE key = ? AND deleted = 0 ORDER BY version DESC LIMIT 1");
  if (!st.bind(key).step()) return std::nullopt;
  return read_state(st);
}

std::vector<StateVersion> SqliteStore::state_versions(const std::string& key) {
  auto session = read("list a state's versions");
  SqliteStatement st(db_, std::string("SELECT ") + kStateListColumns +
                              " FROM tf_states WHERE key = ? ORDER BY version DESC");
  st.bind(key);
  std::vector<StateVersion> out;
  while (st.step()) out.push_back(read_state(st));
  return out;
}

std::optional<StateVersion> SqliteStore::state_version(const std::string& key, int64_t version) {
  auto session = read("read a state version");
  SqliteStatement st(db_, std::string("SELECT ") + kStateColumns + " FROM tf_states WHERE key = ? AND version = ?");
  if (!st.bind(key).bind(version).step()) return std::nullopt;
  return read_state(st);
}

std::vector<StateVersion> SqliteStore::states(const std::string& prefix) {
  auto session = read("list states");
  SqliteStatement st(db_, std::string("SELECT ") + kStateListColumns +
                              " FROM tf_states t WHERE deleted = 0 AND substr(key, 1, length(?1)) = ?1 AND version = "
                              "(SELECT MAX(version) FROM tf_states u WHERE u.key = t.key AND u.deleted = 0) "
                              "ORDER BY key");
  st.bind(prefix);
  std::vector<StateVersion> out;
  while (st.step()) out.push_back(read_state(st));
  return out;
}

StateVersion SqliteStore::put_state_version(const std::string& key, const std::string& data, int64_t serial,
                                            const std::string& lineage, Millis now) {
  auto session = write("store a state");
  // Numbering goes on after a delete: deleted versions stay in the history.
  SqliteStatement last(db_, "SELECT COALESCE(MAX(version), 0) FROM tf_states WHERE key = ?");
  last.bind(key).step();
  StateVersion version{key, last.int64(0) + 1, data, now, serial, lineage, false};
  db_.exec(
      "INSERT INTO tf_states (key, version, serial, lineage, data, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      key, version.version, serial, lineage, data, now);
  session.commit();
  return version;
}

void SqliteStore::delete_state(const std::string& key) {
  auto session = write("delete a state");
  db_.exec("UPDATE tf_states SET deleted = 1 WHERE key = ?", key);
  session.commit();
}

std::optional<StateLock> SqliteStore::lock_state(const StateLock& lock) {
  auto session = write("lock a state");
  SqliteStatement held(db_, "SELECT key, lock_id, info_json, created_at, owner FROM tf_locks WHERE key = ?");
  if (held.bind(lock.key).step()) {
    StateLock holder{held.text(0), held.text(1), held.text(2), held.int64(3), held.text(4)};
    if (holder.lock_id == lock.lock_id) return std::nullopt;  // a retried LOCK
    return holder;
  }
  Millis created = lock.created_at ? lock.created_at : now_millis();
  db_.exec(
      "INSERT INTO tf_locks (key, lock_id, info_json, created_at, updated_at, owner) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      lock.key, lock.lock_id, lock.info_json, created, created, lock.owner);
  session.commit();
  return std::nullopt;
}

std::optional<StateLock> SqliteStore::state_lock(const std::string& key) {
  auto session = read("read a state lock");
  SqliteStatement st(db_, "SELECT key, lock_id, info_json, created_at, owner FROM tf_locks WHERE key = ?");
  if (!st.bind(key).step()) return std::nullopt;
  return StateLock{st.text(0), st.text(1), st.text(2), st.int64(3), st.text(4)};
}

bool SqliteStore::unlock_state(const std::string& key, const std::string& lock_id, bool force) {
  auto session = write("unlock a state");
  int64_t removed =
      force ? db_.exec("DELETE FROM tf_locks WHERE key = ?", key)
            : db_.exec("DELETE FROM tf_locks WHERE key = ? AND lock_id = ?", key, lock_id);
  if (removed == 0) {
    // Nothing removed: free already (fine), or held by another lock id.
    SqliteStatement held(db_, "SELECT 1 FROM tf_locks WHERE key = ?");
    if (held.bind(key).step()) return false;
  }
  session.commit();
  return true;
}

// --- variable sets

void SqliteStore::set_variable(const Variable& v) {
  auto session = write("store a variable");
  Millis now = v.updated_at ? v.updated_at : now_millis();
  db_.exec(
      "INSERT INTO variables (repository_id, stack, name, value, sensitive, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repository_id, stack, name) DO UPDATE SET "
      "value = excluded.value, sensitive = excluded.sensitive, updated_at = excluded.updated_at",
      v.repository_id, v.stack, v.name, v.value, v.sensitive, v.created_at ? v.created_at : now, now);
  session.commit();
}

bool SqliteStore::delete_variable(const std::string& repository_id, const std::string& stack,
                                  const std::string& name) {
  auto session = write("delete a variable");
  int64_t removed =
      db_.exec("DELETE FROM variables WHERE repository_id = ? AND stack = ? AND name = ?", repository_id, stack, name);
  session.commit();
  return removed > 0;
}

std::vector<Variable> SqliteStore::variables(const std::string& repository_id) {
  auto session = read("read variables");
  SqliteStatement st(db_,
                     "SELECT repository_id, stack, name, value, sensitive, created_at, updated_at FROM variables "
                     "WHERE repository_id = ? ORDER BY stack, name");
  st.bind(repository_id);
  std::vector<Variable> out;
  while (st.step())
    out.push_back(Variable{st.text(0), st.text(1), st.text(2), st.text(3), st.int64(4) != 0, st.int64(5), st.int64(6)});
  return out;
}

// --- retention

size_t SqliteStore::prune_state_versions(size_t keep) {
  auto session = write("remove old state versions");
  int64_t removed = db_.exec(
      "DELETE FROM tf_states WHERE version <= (SELECT MAX(version) FROM tf_states u WHERE u.key = tf_states.key) - ?",
      static_cast<int64_t>(std::max<size_t>(keep, 1)));
  session.commit();
  return static_cast<size_t>(removed);
}

size_t SqliteStore::prune_ended(const char* table, const char* what, Millis before) {
  auto session = write(what);
  int64_t removed = db_.exec(std::string("DELETE FROM ") + table +
                                 " WHERE activity_id IN "
                                 "(SELECT id FROM activities WHERE finished_at > 0 AND finished_at < ?)",
                             before);
  session.commit();
  return static_cast<size_t>(removed);
}

size_t SqliteStore::prune_logs(Millis before) { return prune_ended("log_chunks", "remove old logs", before); }
size_t SqliteStore::prune_plans(Millis before) { return prune_ended("saved_plans", "remove old plans", before); }


// --- audit log

void SqliteStore::append_audit(AuditEntry e) {
  auto session = write("append to the audit log");
  db_.exec(
      "INSERT INTO audit_log (id, actor, action, target, detail_json, outcome, remote_address, created_at, account) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      e.id.empty() ? new_uuid() : e.id, e.actor, e.action, e.target, e.detail_json.empty() ? "{}" : e.detail_json,
      e.outcome, e.remote_address, e.created_at ? e.created_at : now_millis(), e.account);
  session.commit();
}

std::vector<AuditEntry> SqliteStore::audit_entries(size_t limit, const AuditFilter& filter) {
  auto session = read("read the audit log");
  SqliteStatement st(db_,
                     "SELECT id, actor, action, target, detail_json, outcome, remote_address, created_at, account "
                     "FROM audit_log WHERE (?1 = '' OR actor = ?1) AND (?2 = '' OR substr(action, 1, length(?2)) = ?2) "
                     "AND (?3 = '' OR substr(target, 1, length(?3)) = ?3) AND (?4 = '' OR outcome = ?4) "
                     "AND created_at >= ?5 AND (?7 = 0 OR account = ?8) "
                     "ORDER BY created_at DESC, rowid DESC LIMIT ?6");
  st.bind_all(filter.actor, filter.action, filter.target, filter.outcome, filter.since, static_cast<int64_t>(limit),
              static_cast<int64_t>(filter.account.has_value()), filter.account.value_or(""));
  std::vector<AuditEntry> out;
  while (st.step())
    out.push_back(AuditEntry{st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6),
                             st.int64(7), st.text(8)});
  return out;
}

std::string SqliteStore::keyring_check(int64_t version, const std::string& sealed, Millis now) {
  auto session = write("check the key ring");
  db_.exec("INSERT INTO keyring_checks (version, sealed, created_at) VALUES (?, ?, ?) ON CONFLICT (version) DO NOTHING",
           version, sealed, now);
  SqliteStatement stored(db_, "SELECT sealed FROM keyring_checks WHERE version = ?");
  stored.bind(version).step();
  std::string out = stored.text(0);
  session.commit();
  return out;
}

}  // namespace strata::store
