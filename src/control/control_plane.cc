#include "control/control_plane.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/log.h"
#include "base/percent_escape.h"
#include "base/temp_dir.h"
#include "control/authorization.h"
#include "control/lock_text.h"
#include "control/sessions.h"
#include "graph/graph.h"
#include "graph/selection.h"
#include "model/error.h"
#include "secrets/crypto.h"

namespace strata::control {

namespace {

std::string token_hash(const std::string& token) {
  return secrets::hex_encode(secrets::sha256(token));
}

// Repository names become parts of state keys and cache folders: letters, digits, '-', '_', '.'.
std::optional<std::string> bad_repository_name(const std::string& name) {
  if (name.empty()) return "the name is empty";
  if (name.size() > 100) return "the name is longer than 100 characters";
  if (name[0] == '.' || name[0] == '-') return "the name starts with '" + std::string(1, name[0]) + "'";
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return std::string("the name holds '") + c + "'";
  return std::nullopt;
}

// "owner/name" as GitHub allows them (lower-cased already).
std::optional<std::string> bad_github_name(const std::string& name) {
  size_t slash = name.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == name.size() || name.find('/', slash + 1) != std::string::npos)
    return "it is not OWNER/NAME";
  if (slash > 39) return "the owner is longer than 39 characters";
  if (name.size() - slash - 1 > 100) return "the name is longer than 100 characters";
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (i == slash) continue;
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || (i > slash && (c == '_' || c == '.'));
    if (!ok) return std::string("it holds '") + c + "'";
  }
  return std::nullopt;
}

}  // namespace

std::string relative_to(std::string text, const std::string& root) {
  std::string prefix = root + "/";
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at))
    text.erase(at, prefix.size());
  return text;
}




ControlPlane::ControlPlane(store::Store& store, ControlOptions options)
    : store_(store),
      options_(std::move(options)),
      git_(options_.data_dir + "/git"),
      leases_(store_, options_.lease_ms,
              options_.credential_key.empty() ? secrets::random_bytes(32) : options_.credential_key),
      rate_limiter_(options_.rate_limits) {
  if (!options_.github.token.empty() || !options_.github.app_id.empty()) {
    github::ClientSettings settings;
    settings.api_url = options_.github.api_url;
    settings.token = options_.github.token;
    settings.app_id = options_.github.app_id;
    settings.app_private_key = options_.github.app_private_key;
    pull_requests_.set_client(github::make_client(settings));
  }
}

store::Repository ControlPlane::add_repository(const std::string& name, const std::string& url,
                                               const std::string& account, const std::string& github,
                                               const std::string& webhook_secret, bool auto_destroy) {
  if (!account.empty() && !store_.account(account))
    throw Error(ErrorKind::kNotFound, "there is no account " + account, {},
                "create it first (strata remote accounts create " + account + "), or name another");
  if (auto why = bad_repository_name(name))
    throw Error("repository name \"" + name + "\" cannot be used: " + *why, {},
                "use letters, digits, '-', '_' and '.' (for example the repository's own name)");
  if (url.empty()) throw Error("the repository has no url", {}, "give the URL git clones it from");
  if (store_.repository(name))
    throw Error(ErrorKind::kConflict, "a repository named \"" + name + "\" is already registered", {},
                "pick another name, or use the one registered");
  std::string full_name = github;
  for (char& c : full_name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!full_name.empty()) {
    if (auto why = bad_github_name(full_name))
      throw Error("GitHub repository \"" + github + "\" cannot be used: " + *why, {},
                  "write it as GitHub does: OWNER/NAME (for example acme/infra)");
    if (webhook_secret.empty())
      throw Error("GitHub repository " + github + " needs a webhook secret", {},
                  "give the secret its webhook signs deliveries with (--webhook-secret-file F); unsigned deliveries "
                  "are never trusted");
    if (auto other = store_.repository_by_github(full_name))
      throw Error(ErrorKind::kConflict, "GitHub repository " + full_name + " is registered already, as " + other->name,
                  {}, "one strata repository per GitHub repository: its webhook deliveries go to that one");
  } else if (!webhook_secret.empty()) {
    throw Error("a webhook secret without a GitHub repository", {}, "name the repository with --github OWNER/NAME");
  }
  if (webhook_secret.size() > 1024) throw Error("the webhook secret is longer than 1024 bytes", {});
  store::Repository repo;
  repo.id = store::new_uuid();
  repo.name = name;
  repo.url = url;
  repo.account = account;
  repo.github = full_name;
  repo.webhook_secret = webhook_secret;
  repo.auto_destroy = auto_destroy;
  repo.default_branch = git_.fetch(repo.id, url);  // throws before anything is stored
  return store_.add_repository(std::move(repo));
}

std::string ControlPlane::repository_account(std::string_view name) {
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (auto it = repository_accounts_.find(name); it != repository_accounts_.end()) return it->second;
  }
  std::optional<store::Repository> repo = store_.repository(std::string(name));
  // By name only: an id would name the same repository twice.
  if (!repo || repo->name != name) return "";
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (repository_accounts_.size() >= 100000) repository_accounts_.clear();
  repository_accounts_.emplace(repo->name, repo->account);
  return repo->account;
}

store::Account ControlPlane::create_account(const std::string& name, const std::string& kind,
                                            const std::string& rate_limit, const std::string& created_by) {
  if (std::optional<std::string> why = bad_account_name(name))
    throw Error("account name \"" + name + "\" cannot be used: " + *why, {},
                "use lower-case letters, digits and '-' (a GitHub organisation's login, lower-cased)");
  if (kind != "local" && kind != "github")
    throw Error("account kind \"" + kind + "\" is not local or github", {},
                "local: a team of this server's; github: a GitHub organisation, whose members sign in with GitHub");
  if (!rate_limit.empty()) rate_limit_from(rate_limit);  // throws what to write
  return store_.add_account(store::Account{name, kind, rate_limit, created_by, store::now_millis()});
}

std::chrono::milliseconds ControlPlane::take_account_request(const std::string& account) {
  if (account.empty()) return std::chrono::milliseconds(0);
  const store::Millis now = store::now_millis();
  std::optional<RateLimit> own;
  bool known = false;
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (auto it = account_limits_.find(account); it != account_limits_.end() && now - it->second.at < kCacheMs * 5) {
      own = it->second.value;
      known = true;
    }
  }
  if (!known) {
    std::optional<store::Account> record = store_.account(account);
    if (record && !record->rate_limit.empty()) own = parse_rate_limit(record->rate_limit);
    std::lock_guard<std::mutex> lock(cache_mutex_);
    account_limits_[account] = {own, now};
  }
  return own ? rate_limiter_.take(RateClass::kAccount, account, *own) : rate_limiter_.take(RateClass::kAccount, account);
}

std::string ProjectAtCommit::shown(const std::string& text) const {
  std::string out = ws ? ws->redactor().redact(text) : text;
  return relative_to(sensitive.redact(out), checkout.path());
}

std::unique_ptr<ProjectAtCommit> ControlPlane::load_at(const store::Repository& repo, const std::string& commit) {
  auto loaded = std::make_unique<ProjectAtCommit>();
  git_.export_tree(repo.id, commit, loaded->checkout.path());
  workspace::WorkspaceOptions options;
  options.start_dir = loaded->checkout.path();
  options.env = options_.env;
  // Stack files load with the repository's variable set (its entries for every stack), as its
  // activities will run with it.
  // A load error may quote a value (a stack file that throws with one): the sensitive ones, and
  // the secrets stack files decrypted, never reach a record.
  for (const store::Variable& v : variables_for_stack(store_.variables(repo.id), "")) {
    options.env[v.name] = v.value;
    if (v.sensitive) loaded->sensitive.add_secret(v.value);
  }
  options.js_cache = false;
  options.apply_state_backend = false;
  std::string error;
  try {
    loaded->ws = workspace::open_workspace(options);
    if (loaded->ws->diagnostics().has_errors()) {
      for (const Diagnostic& d : loaded->ws->diagnostics().items())
        if (d.severity == Severity::kError) error += (error.empty() ? "" : "\n") + d.render();
    }
  } catch (const Error& e) {
    error = e.render();
  }
  if (!error.empty()) loaded->error = loaded->shown(error);
  return loaded;
}

store::Run ControlPlane::start_run(const RunRequest& request, const std::string& created_by) {
  std::optional<store::Repository> repo = store_.repository(request.repository);
  if (!repo)
    throw Error(ErrorKind::kNotFound, "no repository \"" + request.repository + "\" is registered", {},
                "register it first (POST /api/v1/repositories, or `strata remote repos add`)");
  static const std::set<std::string> commands = {"plan", "apply", "destroy"};
  if (!commands.count(request.command))
    throw Error("unknown command \"" + request.command + "\"", {}, "a run's command is plan, apply or destroy");
  if (!request.all && request.stacks.empty() && request.components.empty())
    throw Error("the run selects nothing", {}, "name stacks, components (\"stack/component\") or ask for all");

  git_.fetch(repo->id, repo->url);
  std::string commit = git_.resolve(repo->id, request.commit, repo->default_branch);

  store::Run run;
  run.id = store::new_uuid();
  run.repository_id = repo->id;
  run.command = request.command;
  run.commit = commit;
  run.created_by = created_by;
  nlohmann::json selection = {{"stacks", request.stacks}, {"components", request.components}};
  if (request.all) selection["all"] = true;
  if (request.dependents) selection["dependents"] = true;
  run.selection_json = selection.dump();

  std::unique_ptr<ProjectAtCommit> loaded = load_at(*repo, commit);
  const std::string& root = loaded->checkout.path();
  std::string load_error = loaded->error;
  std::vector<store::Activity> activities;
  if (load_error.empty()) {
    try {
      Graph graph = Graph::build(loaded->ws->project());
      SelectionSpec spec;
      spec.all = request.all;
      spec.dependents = request.dependents;
      spec.stacks = request.stacks;
      for (const std::string& c : request.components) {
        size_t slash = c.rfind('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == c.size())
          throw Error("component \"" + c + "\" is not written as stack/component", {},
                      "name a component with its stack, for example \"dev/network\"");
        spec.components.push_back(ComponentRef{c.substr(0, slash), c.substr(slash + 1), {}});
      }
      Selection selected = select(graph, spec);
      std::map<NodeId, std::string> ids;
      for (NodeId id : selected.ids()) ids[id] = store::new_uuid();
      std::set<std::string> stacks;
      bool reverse = request.command == "destroy";
      for (NodeId id : graph.topological_order()) {
        if (!selected.contains(id)) continue;
        const ComponentRef& ref = graph.node(id);
        store::Activity a;
        a.id = ids[id];
        a.stack = ref.stack;
        a.component = ref.component;
        a.command = request.command;
        a.required_capabilities = {"terraform"};
        // Destroy runs dependents first: a component goes only once nothing uses it.
        for (NodeId other : reverse ? graph.dependents(id) : graph.dependencies(id))
          if (selected.contains(other)) a.depends_on.push_back(ids[other]);
        stacks.insert(ref.stack);
        activities.push_back(std::move(a));
      }
      if (request.command != "plan") run.locked_stacks.assign(stacks.begin(), stacks.end());
    } catch (const Error& e) {
      // A name the request gave that the project lacks is the request's mistake: nothing stored.
      if (e.kind() == ErrorKind::kNotFound || e.message().find("no stack") != std::string::npos ||
          e.message().find("no component") != std::string::npos)
        throw Error(e.kind(), relative_to(e.message(), root), {}, relative_to(e.hint(), root));
      load_error = loaded->shown(e.render());
    }
  }
  if (!load_error.empty()) {
    run.status = "failed";
    run.status_reason = "the project does not load at commit " + commit.substr(0, 12) + ":\n" + load_error;
    run.finished_at = store::now_millis();
    return store_.create_run(std::move(run), {});
  }
  store::Run created = store_.create_run(std::move(run), std::move(activities));
  store_.start_ready_runs(store::now_millis());
  leases_.wake();
  return store_.run(created.id).value_or(created);
}

store::Run ControlPlane::apply_plan(const std::string& plan_run_id, const std::string& created_by) {
  std::optional<store::Run> plan_run = store_.run(plan_run_id);
  if (!plan_run) throw Error(ErrorKind::kNotFound, "no run " + plan_run_id);
  if (plan_run->command != "plan")
    throw Error(ErrorKind::kConflict, "run " + plan_run_id + " is a " + plan_run->command + " run, not a plan", {},
                "apply the plans of a plan run (`strata remote runs start REPO plan …` makes one)");
  if (plan_run->status != "succeeded")
    throw Error(ErrorKind::kConflict,
                "run " + plan_run_id + " is " + plan_run->status + ": only the plans of a plan run that succeeded are applied",
                {}, plan_run->finished_at == 0 ? "wait for it to end (`strata remote runs show " + plan_run_id + "`)"
                                                : "plan again, and apply that run once it succeeded");
  std::optional<store::Repository> repo = store_.repository(plan_run->repository_id);
  if (!repo) throw Error(ErrorKind::kNotFound, "run " + plan_run_id + " has no repository");
  const std::vector<store::Activity> planned = store_.activities(plan_run_id);
  if (planned.empty()) throw Error(ErrorKind::kConflict, "run " + plan_run_id + " planned nothing");

  store::Run run;
  run.id = store::new_uuid();
  run.repository_id = plan_run->repository_id;
  run.command = "apply";
  run.commit = plan_run->commit;
  run.created_by = created_by;
  run.selection_json = plan_run->selection_json;
  run.plan_run_id = plan_run_id;
  std::map<std::string, std::string> ids;  // plan activity id -> apply activity id
  for (const store::Activity& p : planned) ids[p.id] = store::new_uuid();
  std::set<std::string> stacks;
  std::vector<store::Activity> activities;
  std::vector<std::string> stale;
  for (const store::Activity& p : planned) {
    std::optional<store::SavedPlan> saved = store_.saved_plan(p.id);
    if (!saved)
      throw Error(ErrorKind::kConflict,
                  "the plan of " + p.stack + "/" + p.component + " in run " + plan_run_id +
                      " is no longer on the server (its plans were removed after --keep-logs-days, or it was planned by "
                      "an older server)",
                  {}, "plan again, and apply that run");
    std::optional<store::StateVersion> now = store_.latest_state_info(saved->state_key);
    int64_t serial = now ? now->serial : -1;
    if (serial != saved->state_serial)
      stale.push_back(p.stack + "/" + p.component + " (serial " +
                      (saved->state_serial < 0 ? std::string("none") : std::to_string(saved->state_serial)) +
                      " at the plan, " + (serial < 0 ? std::string("none") : std::to_string(serial)) + " now)");
    store::Activity a;
    a.id = ids[p.id];
    a.stack = p.stack;
    a.component = p.component;
    a.command = "apply";
    a.required_capabilities = p.required_capabilities;
    a.plan_activity_id = p.id;
    for (const std::string& dep : p.depends_on)
      if (ids.count(dep)) a.depends_on.push_back(ids[dep]);
    stacks.insert(p.stack);
    activities.push_back(std::move(a));
  }
  if (!stale.empty()) {
    std::string list;
    for (const std::string& s : stale) list += (list.empty() ? "" : ", ") + s;
    throw Error(ErrorKind::kConflict,
                "the plans of run " + plan_run_id + " are stale: the state changed since the plan of " + list, {},
                "plan again (`strata remote runs start " + repo->name + " plan …`), review it, and apply that run");
  }
  run.locked_stacks.assign(stacks.begin(), stacks.end());
  store::Run created = store_.create_run(std::move(run), std::move(activities));
  store_.start_ready_runs(store::now_millis());
  leases_.wake();
  return store_.run(created.id).value_or(created);
}

store::LeaseCheck ControlPlane::save_plan(const store::Activity& activity, const std::string& plan_file,
                                          const std::string& stamp) {
  std::optional<store::Activity> held = held_activity(activity.id, activity.fencing_token);
  if (!held) return store::LeaseCheck::kLost;
  if (held->command != "plan")
    throw Error("activity " + activity.id + " is a " + held->command + ", not a plan: it saves no plan", {});
  std::optional<store::Run> run = store_.run(held->run_id);
  std::optional<store::Repository> repo = run ? store_.repository(run->repository_id) : std::nullopt;
  if (!repo) throw Error(ErrorKind::kNotFound, "activity " + activity.id + " has no run or repository");
  store::SavedPlan plan;
  plan.activity_id = held->id;
  plan.state_key = state_key(repo->name, held->stack, held->component);
  // The plan was made against the state as it is now (the engine held its lock while planning).
  std::optional<store::StateVersion> state = store_.latest_state_info(plan.state_key);
  plan.state_serial = state ? state->serial : -1;
  plan.plan_file = plan_file;
  plan.stamp = stamp;
  return store_.save_plan(plan, activity.fencing_token, store::now_millis());
}

namespace {

// Runs `read` on the cache; when the cache does not have what it needs, fetches the repository
// once and runs it again.
template <typename Read>
auto with_fetched(store::Store& store, GitCache& git, const std::string& repository_id, Read read) {
  try {
    return read();
  } catch (const Error&) {
    std::optional<store::Repository> repo = store.repository(repository_id);
    if (!repo) throw Error(ErrorKind::kNotFound, "no repository " + repository_id);
    git.fetch(repo->id, repo->url);
    return read();
  }
}

}  // namespace

std::string ControlPlane::code_archive(const std::string& repository_id, const std::string& commit) {
  constexpr size_t kKept = 4;
  std::string key = repository_id + "@" + commit;
  {
    std::lock_guard lock(archives_mutex_);
    for (auto it = archives_.begin(); it != archives_.end(); ++it)
      if (it->first == key) {
        archives_.splice(archives_.begin(), archives_, it);
        return it->second;
      }
  }
  std::string archive = with_fetched(store_, git_, repository_id, [&] { return git_.archive(repository_id, commit); });
  std::lock_guard lock(archives_mutex_);
  archives_.emplace_front(key, archive);
  if (archives_.size() > kKept) archives_.pop_back();
  return archive;
}

std::optional<store::Activity> ControlPlane::held_activity(const std::string& id, int64_t fencing_token) {
  std::optional<store::Activity> a = store_.activity(id);
  if (!a || a->fencing_token != fencing_token || (a->status != "leased" && a->status != "running")) return std::nullopt;
  return a;
}

std::optional<std::string> ControlPlane::state_outputs(const store::Activity& activity, const std::string& stack,
                                                       const std::string& component) {
  std::optional<store::Activity> held = held_activity(activity.id, activity.fencing_token);
  if (!held) return std::nullopt;
  std::optional<store::Run> run = store_.run(held->run_id);
  std::optional<store::Repository> repo = run ? store_.repository(run->repository_id) : std::nullopt;
  if (!repo) throw Error(ErrorKind::kNotFound, "activity " + activity.id + " has no run or repository");
  std::optional<store::StateVersion> state = store_.latest_state(state_key(repo->name, stack, component));
  if (!state) return std::string("{}");
  nlohmann::json j = nlohmann::json::parse(state->data, nullptr, false);
  if (!j.is_object())
    throw Error(ErrorKind::kEnvironment, "the state of " + stack + "/" + component + " on the server is not JSON", {},
                "look at it with GET /tfstate/" + state_key(repo->name, stack, component));
  auto outputs = j.find("outputs");
  return outputs != j.end() && outputs->is_object() ? outputs->dump() : std::string("{}");
}

std::optional<std::string> ControlPlane::lock_holder(const store::Activity& activity, const std::string& stack,
                                                     const std::string& component) {
  std::optional<store::Activity> held = held_activity(activity.id, activity.fencing_token);
  if (!held) return std::nullopt;
  std::optional<store::Run> run = store_.run(held->run_id);
  std::optional<store::Repository> repo = run ? store_.repository(run->repository_id) : std::nullopt;
  if (!repo) return std::nullopt;
  std::optional<store::StateLock> lock = store_.state_lock(state_key(repo->name, stack, component));
  if (!lock) return std::nullopt;
  return lock_sentence(*lock);
}

void ControlPlane::export_code(const std::string& repository_id, const std::string& commit, const std::string& dest) {
  with_fetched(store_, git_, repository_id, [&] {
    std::filesystem::remove_all(dest);
    std::filesystem::create_directories(dest);
    git_.export_tree(repository_id, commit, dest);
  });
}

void ControlPlane::activity_finished(const std::string& run_id) {
  std::optional<store::Run> run = store_.run(run_id);
  if (run && run->finished_at != 0) store_.start_ready_runs(store::now_millis());
  leases_.wake();
}

void ControlPlane::tick() {
  store::Millis now = store::now_millis();
  store_.expire_leases(now, options_.max_attempts);
  store_.start_ready_runs(now);
  leases_.wake();
  store::Millis last = retention_at_.load();
  if ((options_.keep_state_versions > 0 || options_.keep_logs_days > 0) && now - last >= kRetentionEveryMs &&
      retention_at_.compare_exchange_strong(last, now))
    apply_retention(now);
}

size_t ControlPlane::apply_retention(store::Millis now) {
  size_t versions = 0, chunks = 0;
  if (options_.keep_state_versions > 0)
    versions = store_.prune_state_versions(static_cast<size_t>(options_.keep_state_versions));
  size_t plans = 0, payloads = 0;
  if (options_.keep_logs_days > 0) {
    const store::Millis before = now - static_cast<store::Millis>(options_.keep_logs_days) * 24 * 3600 * 1000;
    chunks = store_.prune_logs(before);
    plans = store_.prune_plans(before);
    payloads = store_.prune_deliveries(before);
  }
  if (versions + chunks + plans + payloads > 0)
    store_.append_audit(store::AuditEntry{
        "", "server", "retention", "",
        nlohmann::json{{"state_versions_removed", versions}, {"log_chunks_removed", chunks}, {"plans_removed", plans},
                       {"webhook_payloads_removed", payloads}, {"keep_state_versions", options_.keep_state_versions},
                       {"keep_logs_days", options_.keep_logs_days}}
            .dump(),
        "ok", "", now, ""});
  return versions + chunks + plans + payloads;
}

void ControlPlane::worker_seen(const std::string& worker_id) {
  store::Millis now = store::now_millis();
  {
    std::lock_guard<std::mutex> lock(seen_mutex_);
    store::Millis& written = seen_written_[worker_id];
    if (now - written < kWorkerSeenEveryMs) return;
    written = now;
  }
  store_.worker_seen(worker_id, now);
}

namespace {

// At most this many records are remembered; past it the cache starts afresh.
constexpr size_t kCacheEntries = 10000;

}  // namespace

std::optional<store::ApiToken> ControlPlane::authenticate(const std::string& token) {
  if (token.empty()) return std::nullopt;
  std::optional<store::ApiToken> found = live_token(token_hash(token));
  // A session's id alone is not a credential: only the JWT that carries it is.
  if (found && !found->session_of.empty()) return std::nullopt;
  return found;
}

std::optional<store::ApiToken> ControlPlane::authenticate_session(const std::string& jwt, bool expired_too,
                                                                  SessionClaims* claims) {
  if (options_.session_key.empty()) return std::nullopt;
  std::optional<SessionClaims> c = read_session(jwt, options_.session_key);
  if (!c || c->id.empty()) return std::nullopt;
  if (!expired_too && c->expires_at * 1000 <= store::now_millis()) return std::nullopt;
  std::optional<store::ApiToken> found = live_token(token_hash(c->id));
  if (!found || found->session_of != c->subject) return std::nullopt;
  if (claims) *claims = *c;
  return found;
}

std::pair<store::ApiToken, std::string> ControlPlane::start_session(const std::string& subject, const std::string& name,
                                                                    Role role, const std::string& account) {
  const store::Millis now = store::now_millis();
  SessionClaims c;
  c.subject = subject;
  c.name = name;
  c.role = role_name(role);
  c.id = base64url(secrets::random_bytes(24));
  c.issued_at = now / 1000;
  c.expires_at = c.issued_at + options_.oauth.token_seconds;
  store::ApiToken record;
  record.id = store::new_uuid();
  record.name = name;
  record.role = c.role;
  record.hash = token_hash(c.id);
  record.session_of = subject;
  record.account = account;
  record.created_at = now;
  record.expires_at = now + options_.oauth.session_seconds * 1000;
  return {store_.add_token(record), sign_session(c, options_.session_key)};
}

std::optional<std::string> ControlPlane::refresh_session(const std::string& jwt) {
  SessionClaims c;
  std::optional<store::ApiToken> session = authenticate_session(jwt, /*expired_too=*/true, &c);
  if (!session) return std::nullopt;
  c.issued_at = store::now_millis() / 1000;
  // Never past the session's own end.
  c.expires_at = std::min(c.issued_at + options_.oauth.token_seconds, session->expires_at / 1000);
  return sign_session(c, options_.session_key);
}

std::optional<store::ApiToken> ControlPlane::live_token(const std::string& hash) {
  const store::Millis now = store::now_millis();
  std::optional<store::ApiToken> found;
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = tokens_.find(hash);
    if (it != tokens_.end() && now - it->second.at < kCacheMs) found = it->second.value;
  }
  if (!found) {
    found = store_.token_by_hash(hash);
    if (!found) return std::nullopt;
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (tokens_.size() >= kCacheEntries) tokens_.clear();
    tokens_[hash] = {*found, now};
  }
  if (found->expires_at != 0 && found->expires_at < now) return std::nullopt;
  if (found->revoked_at != 0) return std::nullopt;
  bool note_use = false;
  {
    std::lock_guard<std::mutex> lock(seen_mutex_);
    store::Millis& written = used_written_[found->id];
    if (now - written >= kTokenUsedEveryMs) {
      written = now;
      note_use = true;
    }
  }
  if (note_use) {
    try {
      store_.token_used(found->id, now);
    } catch (const Error&) {
      // Only a note: the request goes on.
    }
  }
  return found;
}

std::optional<store::WorkerRecord> ControlPlane::registered_worker(const std::string& id) {
  const store::Millis now = store::now_millis();
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = workers_.find(id);
    if (it != workers_.end() && now - it->second.at < kCacheMs) return it->second.value;
  }
  std::optional<store::WorkerRecord> found = store_.worker(id);
  if (!found) return std::nullopt;
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (workers_.size() >= kCacheEntries) workers_.clear();
  workers_[id] = {*found, now};
  return found;
}

void ControlPlane::register_worker(const store::WorkerRecord& worker) {
  store_.register_worker(worker);
  std::lock_guard<std::mutex> lock(cache_mutex_);
  workers_.erase(worker.id);
}

std::pair<store::ApiToken, std::string> ControlPlane::create_token(store::ApiToken record) {
  std::string token = "strata_" + secrets::hex_encode(secrets::random_bytes(24));
  if (record.id.empty()) record.id = store::new_uuid();
  record.hash = token_hash(token);
  record.admin = record.role == "admin";
  record.created_at = store::now_millis();
  return {store_.add_token(record), token};
}

bool ControlPlane::revoke_token(const std::string& id) {
  bool revoked = store_.revoke_token(id, store::now_millis());
  std::lock_guard<std::mutex> lock(cache_mutex_);
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    if (it->second.value.id == id) it = tokens_.erase(it);
    else ++it;
  }
  return revoked;
}

std::string ControlPlane::issue_worker_credential(const store::WorkerRecord& worker, const store::ApiToken& join) {
  for (const store::ApiToken& t : store_.tokens())
    if (t.role == kWorkerRole && t.worker_id == worker.id && t.revoked_at == 0) revoke_token(t.id);
  store::ApiToken record;
  record.name = worker.name.empty() ? worker.id : worker.name;
  record.role = kWorkerRole;
  record.worker_id = worker.id;
  record.created_by = join.id;
  return create_token(record).second;
}

bool ControlPlane::bootstrap_admin_token(const std::string& preset) {
  if (store_.token_count() > 0) return false;
  std::string token = preset;
  if (token.empty()) {
    token = "strata_" + secrets::hex_encode(secrets::random_bytes(24));
  } else if (token.size() < 16) {
    throw Error("STRATA_SERVER_ADMIN_TOKEN is shorter than 16 characters", {},
                "use a long random token (for example `openssl rand -hex 24`)");
  }
  std::string path = options_.data_dir + "/admin-token";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw Error(ErrorKind::kEnvironment, "cannot write " + path);
  ::fchmod(fd, 0600);
  std::string line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) throw Error(ErrorKind::kEnvironment, "cannot write " + path);
  store::ApiToken record;
  record.id = store::new_uuid();
  record.name = "admin (first start)";
  record.hash = token_hash(token);
  record.admin = true;
  record.role = "admin";
  store_.add_token(record);
  return true;
}

std::optional<store::Activity> ControlPlane::activity_for_credential(const std::string& credential) {
  auto claim = read_activity_credential(leases_.credential_key(), credential);
  if (!claim) return std::nullopt;
  std::optional<store::Activity> a = store_.activity(claim->first);
  if (!a || (a->status != "leased" && a->status != "running")) return std::nullopt;
  if (a->fencing_token != claim->second) return std::nullopt;
  return a;
}

}  // namespace strata::control
