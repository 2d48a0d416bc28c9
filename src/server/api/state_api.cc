#include "server/api/state_api.h"

#include <nlohmann/json.hpp>

#include "base/percent_escape.h"
#include "control/authorization.h"
#include "model/error.h"
#include "secrets/crypto.h"
#include "server/api/api.h"
#include "server/api/api_json.h"
#include "store/json_list.h"

namespace strata::server {

namespace {

using Params = std::map<std::string, std::string, std::less<>>;

struct BasicAuth {
  std::string user;
  std::string password;
};
std::optional<BasicAuth> basic_auth(const Request& request) {
  std::string h(request.header("authorization"));
  if (h.size() < 7 || (h.rfind("Basic ", 0) != 0 && h.rfind("basic ", 0) != 0)) return std::nullopt;
  std::optional<std::string> decoded = secrets::base64_decode_std(h.substr(6));
  if (!decoded) return std::nullopt;
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicAuth{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

Response locked_by(const std::string& info_json) {
  Response r;
  r.status = 423;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = info_json.empty() ? "{}" : info_json;
  return r;
}

// The repository a state key belongs to: its first part (repository names need no escaping).
std::string repository_of(const std::string& key) { return key.substr(0, key.find('/')); }

// A lock as people read it: Terraform's LockInfo fields, and since when the server holds it.
nlohmann::json lock_json(const store::StateLock& lock) {
  nlohmann::json info = nlohmann::json::parse(lock.info_json, nullptr, false);
  if (!info.is_object()) info = nlohmann::json::object();
  auto field = [&info](const char* name) {
    auto it = info.find(name);
    return it != info.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  return {{"id", lock.lock_id},          {"operation", field("Operation")}, {"who", field("Who")},
          {"info", field("Info")},       {"version", field("Version")},     {"path", field("Path")},
          {"created", field("Created")}, {"locked_at", time_json(lock.created_at)}, {"owner", lock.owner}};
}

nlohmann::json version_json(const store::StateVersion& v) {
  return {{"version", v.version},
          {"serial", v.serial},
          {"lineage", v.lineage},
          {"created_at", time_json(v.created_at)},
          {"deleted", v.deleted}};
}

void describe_parsed_state(const nlohmann::json& state, nlohmann::json& out) {
  out["terraform_version"] = state.value("terraform_version", "");
  if (auto it = state.find("resources"); it != state.end() && it->is_array()) {
    for (const auto& r : *it) {
      if (!r.is_object()) continue;
      std::string address = r.value("module", "");
      if (!address.empty()) address += ".";
      if (r.value("mode", "") == "data") address += "data.";
      address += r.value("type", "") + "." + r.value("name", "");
      size_t instances = r.contains("instances") && r["instances"].is_array() ? r["instances"].size() : 0;
      out["resources"].push_back({{"address", address}, {"instances", instances}});
    }
  }
  if (auto it = state.find("outputs"); it != state.end() && it->is_object()) {
    for (const auto& [name, o] : it->items()) {
      if (!o.is_object()) continue;
      out["outputs"][name] = {{"type", o.contains("type") ? o["type"] : nlohmann::json()},
                              {"sensitive", o.value("sensitive", false)}};
    }
  }
}

// What a state holds, without a value: resource addresses, output names and types. A state of
// an odd shape (pushed by hand) is described as far as it goes, never an error.
void describe_state(const std::string& data, nlohmann::json& out) {
  nlohmann::json state = nlohmann::json::parse(data, nullptr, false);
  out["resources"] = nlohmann::json::array();
  out["outputs"] = nlohmann::json::object();
  if (!state.is_object()) return;
  try {
    describe_parsed_state(state, out);
  } catch (const nlohmann::json::exception&) {
    // a field of another type than Terraform writes: what was read so far stands
  }
}

std::string owner_of(const store::Activity& activity) {
  return "activity:" + activity.id + ":" + std::to_string(activity.fencing_token);
}

// Whether `lock` was taken by an earlier lease of `activity` (a smaller fencing token).
bool left_by_an_earlier_lease(const store::StateLock& lock, const store::Activity& activity) {
  const std::string prefix = "activity:" + activity.id + ":";
  if (lock.owner.rfind(prefix, 0) != 0) return false;
  std::string token = lock.owner.substr(prefix.size());
  char* end = nullptr;
  long long n = std::strtoll(token.c_str(), &end, 10);
  return !token.empty() && !*end && n < activity.fencing_token;
}

Response no_state(const std::string& key) {
  return error_response(Error(ErrorKind::kNotFound, "no state at " + key, {},
                              "list the states with GET /api/v1/states (strata remote state list)"));
}

}  // namespace

Response StateApi::tfstate(const Request& request, const std::string& key) {
  std::optional<BasicAuth> auth = basic_auth(request);
  // `strata remote state push|pull` send their API token as a bearer token.
  if (!auth && !bearer(request).empty()) auth = BasicAuth{"strata", bearer(request)};
  if (!auth) return unauthorized("the state backend needs basic auth", "Basic");
  if (std::optional<Response> r = refuse_failing_address(control_, request)) return *r;
  std::optional<store::ApiToken> token;
  std::optional<store::Activity> activity;
  std::string actor;
  if (auth->user == "activity") {
    activity = control_.activity_for_credential(auth->password);
    if (!activity) {
      note_refused_credential(control_, request);
      return unauthorized("this activity's lease is over, or the credential is wrong", "Basic");
    }
    actor = "activity:" + activity->id;
  } else {
    token = control_.authenticate(auth->password);
    if (!token) {
      note_refused_credential(control_, request);
      return unauthorized("unknown, expired or revoked token (the password must be an API token)", "Basic");
    }
    actor = actor_of(*token);
  }
  if (std::optional<Response> r = over_limit(control_, control::RateClass::kState,
                                             activity ? "activity:" + activity->id : token->id,
                                             activity ? "activity " + activity->id : "token \"" + token->name + "\""))
    return *r;
  // The account that owns the key's repository: a token of another account is refused, and what
  // is done to the key is in this account's audit log.
  const std::string account = control_.repository_account(repository_of(key));
  if (token) {
    if (std::optional<Response> r = account_over_limit(control_, *token)) return *r;
  }
  const std::string& method = request.method;
  store::Store& store = control_.store();
  auto audit = [&](const std::string& action, nlohmann::json detail, const std::string& outcome) {
    store.append_audit(store::AuditEntry{"", actor, action, key, detail.dump(), outcome, request.remote_address,
                                         store::now_millis(), account});
  };
  const bool force_unlock = method == "UNLOCK" && request.body.empty();
  const bool force_write = method == "POST" && request.query("force") == "true";
  if (token) {
    // What a token may do here is the authorization table's: "UNLOCK!" and "POST!" are the
    // forced acts, an admin's.
    const std::string as = force_unlock ? "UNLOCK!" : force_write ? "POST!" : method;
    if (std::optional<control::Role> needed = control::required_role(as, "/tfstate/{key}")) {
      if (std::optional<std::string> why = control::refusal(*token, *needed, repository_of(key), account)) {
        if (!force_unlock) return denied(control_, request, *token, *why);
        std::optional<store::StateLock> holder = store.state_lock(key);
        audit("state.force_unlock", {{"lock", holder ? lock_json(*holder) : nlohmann::json()}, {"why", *why}}, "denied");
        return error_response(403, "forbidden", "force-unlock: " + *why);
      }
    }
  }
  if (activity) {
    // An activity reads the state of its repository (its dependencies' outputs) and writes
    // only its own component's.
    std::optional<store::Run> run = store.run(activity->run_id);
    std::optional<store::Repository> repository = run ? store.repository(run->repository_id) : std::nullopt;
    std::string repo = repository ? repository->name : "";
    std::string own = control::state_key(repo, activity->stack, activity->component);
    bool reading = method == "GET";
    bool allowed = reading ? key.rfind(percent_escape(repo) + "/", 0) == 0 : key == own;
    // A force-unlock is refused below, and audited, whatever the key.
    if (!allowed && !(method == "UNLOCK" && request.body.empty()))
      return error_response(403, "forbidden",
                            "activity " + activity->id + " may " +
                                (reading ? "read state of its repository" : "write only " + own));
  }
  if (method == "GET") {
    std::optional<store::StateVersion> state = store.latest_state(key);
    if (!state) return error_response(404, "not_found", "no state at " + key);
    Response r;
    r.status = 200;
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = state->data;
    return r;
  }
  if (method == "POST") {
    std::string id = std::string(request.query("ID"));
    std::optional<store::StateLock> lock = store.state_lock(key);
    if (lock && lock->lock_id != id) return locked_by(lock->info_json);
    store::StateHeader header = store::read_state_header(request.body);
    if (!header.is_object) return error_response(400, "bad_request", "the state is not a JSON object");
    const int64_t serial = header.serial;
    const std::string& lineage = header.lineage;
    // What Terraform checks before it pushes a state, kept by the server for every writer: a
    // write never goes back in time, nor replaces the state with another one. An admin may
    // overwrite with ?force=true (as `terraform state push -force`), which is audited.
    const bool force = force_write && token;  // an activity never forces; a token here may
    if (std::optional<store::StateVersion> latest = store.latest_state_info(key); latest && !force) {
      const int64_t held_serial = latest->serial;
      const std::string& held_lineage = latest->lineage;
      if (!held_lineage.empty() && lineage != held_lineage)
        return error_response(Error(ErrorKind::kConflict,
                                    "the state at " + key + " has lineage " + held_lineage + "; this one has " +
                                        (lineage.empty() ? "none" : lineage) + ": it is another state, not a newer one",
                                    {},
                                    "pull the server's state (terraform state pull) and work from it; an admin can "
                                    "replace it with ?force=true"));
      if (serial < held_serial)
        return error_response(Error(ErrorKind::kConflict,
                                    "serial " + std::to_string(serial) + " is older than the server's " +
                                        std::to_string(held_serial) + " for " + key + ": the write would lose changes",
                                    {},
                                    "plan and apply again on the latest state; an admin can overwrite with "
                                    "?force=true"));
    }
    store::StateVersion stored = store.put_state_version(key, request.body, serial, lineage, store::now_millis());
    if (force) audit("state.force_write", {{"version", stored.version}, {"serial", serial}, {"lineage", lineage}}, "ok");
    return json_response(200, nlohmann::json::object());
  }
  if (method == "DELETE") {
    if (!token) return error_response(403, "forbidden", "an activity does not delete states");
    store.delete_state(key);
    return json_response(200, nlohmann::json::object());
  }
  if (method == "LOCK") {
    nlohmann::json info = nlohmann::json::parse(request.body, nullptr, false);
    if (!info.is_object() || !info.contains("ID") || !info["ID"].is_string() || info["ID"].get<std::string>().empty())
      return error_response(400, "bad_request", "LOCK needs Terraform's LockInfo JSON with an ID");
    std::string owner = activity ? owner_of(*activity) : actor;
    store::StateLock lock{key, info["ID"].get<std::string>(), request.body, store::now_millis(), owner};
    std::optional<store::StateLock> holder = store.lock_state(lock);
    if (holder && activity && left_by_an_earlier_lease(*holder, *activity)) {
      // The lease rules: this activity's earlier lease ran out (its worker died, or lost the
      // server) and was given to this one; the lock its engine left goes with it. That engine, if
      // it still runs, can no longer write: its credential named the old fencing token.
      store.unlock_state(key, holder->lock_id, false);
      audit("state.lock_taken_over", {{"lock", lock_json(*holder)}, {"previous_owner", holder->owner}}, "ok");
      holder = store.lock_state(lock);
    }
    if (holder) return locked_by(holder->info_json);
    return json_response(200, nlohmann::json::object());
  }
  if (method == "UNLOCK") {
    if (request.body.empty()) {
      // `terraform force-unlock` sends no LockInfo: only an admin may break a lock.
      std::optional<store::StateLock> holder = store.state_lock(key);
      nlohmann::json broken = holder ? lock_json(*holder) : nlohmann::json();
      if (!token) {
        audit("state.force_unlock", {{"lock", broken}}, "denied");
        return error_response(403, "forbidden", "an activity does not force-unlock; an admin's token does");
      }
      store.unlock_state(key, "", true);
      audit("state.force_unlock", {{"lock", broken}}, "ok");
      return json_response(200, nlohmann::json::object());
    }
    nlohmann::json info = nlohmann::json::parse(request.body, nullptr, false);
    if (!info.is_object() || !info.contains("ID") || !info["ID"].is_string())
      return error_response(400, "bad_request", "UNLOCK needs the LockInfo JSON the lock was taken with");
    if (!store.unlock_state(key, info["ID"].get<std::string>(), false)) {
      std::optional<store::StateLock> holder = store.state_lock(key);
      return locked_by(holder ? holder->info_json : "{}");
    }
    return json_response(200, nlohmann::json::object());
  }
  Response r = error_response(405, "method_not_allowed", method + " is not part of the state backend");
  r.headers.emplace_back("Allow", "GET, POST, DELETE, LOCK, UNLOCK");
  return r;
}

void StateApi::add_routes(Router& router) {
  control::ControlPlane& control = control_;
  // Every route here needs a token; those that reveal a state's content or change it, an admin's.
  using Body = std::function<Response(const Request&, const store::ApiToken&)>;
  // Who may is the authorization table's; a key's repository is its first part.
  auto route = [&router, &control](const char* method, const char* pattern, Body body) {
    router.add(method, pattern, [&control, body](const Request& request) -> Response {
      Response refused;
      std::string key(request.param("key"));
      std::optional<store::ApiToken> who = who_asks(control, request, &refused, repository_of(key));
      if (!who) return refused;
      try {
        return body(request, *who);
      } catch (const Error& e) {
        return error_response(e);
      }
    });
  };
  auto version_of = [](const Request& request) -> std::optional<int64_t> {
    std::string text(request.param("version"));
    char* end = nullptr;
    long long n = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end || n < 1) return std::nullopt;
    return n;
  };
  auto bad_version = [](const Request& request) {
    return error_response(400, "bad_request",
                          "a version is a number from 1, not \"" + std::string(request.param("version")) + "\"");
  };

  route("GET", "/api/v1/states", [&control](const Request& request, const store::ApiToken& who) {
    nlohmann::json list = nlohmann::json::array();
    for (const store::StateVersion& v : control.store().states(std::string(request.query("prefix")))) {
      const std::string repository = repository_of(v.key);
      if (control::outside_scope(who, repository, control.repository_account(repository))) continue;
      nlohmann::json j = version_json(v);
      j.erase("deleted");
      j["key"] = v.key;
      list.push_back(j);
    }
    return json_response(200, {{"states", list}});
  });
  route("GET", "/api/v1/states/{key}", [&control](const Request& request, const store::ApiToken&) {
    std::string key(request.param("key"));
    std::optional<store::StateVersion> latest = control.store().latest_state(key);
    std::optional<store::StateLock> lock = control.store().state_lock(key);
    if (!latest && !lock) return no_state(key);
    nlohmann::json j = {{"key", key}};
    if (latest) {
      j.update(version_json(*latest));
      j.erase("deleted");
      describe_state(latest->data, j);
    }
    j["lock"] = lock ? lock_json(*lock) : nlohmann::json();
    return json_response(200, j);
  });
  route("GET", "/api/v1/states/{key}/versions", [&control](const Request& request, const store::ApiToken&) {
    std::string key(request.param("key"));
    nlohmann::json list = nlohmann::json::array();
    for (const store::StateVersion& v : control.store().state_versions(key)) list.push_back(version_json(v));
    if (list.empty()) return no_state(key);
    return json_response(200, {{"key", key}, {"versions", list}});
  });
  // The state itself, as Terraform wrote it: an admin's (a state holds secrets in clear).
  route("GET", "/api/v1/states/{key}/versions/{version}",
        [&control, version_of, bad_version](const Request& request, const store::ApiToken&) {
          std::string key(request.param("key"));
          std::optional<int64_t> n = version_of(request);
          if (!n) return bad_version(request);
          std::optional<store::StateVersion> v = control.store().state_version(key, *n);
          if (!v) return error_response(404, "not_found", "no version " + std::to_string(*n) + " of " + key);
          Response r;
          r.status = 200;
          r.headers.emplace_back("Content-Type", "application/json");
          r.body = v->data;
          return r;
        });
  // A restore writes the old version again as the newest, with the next serial, so Terraform
  // takes it as an ordinary newer state; the versions in between stay in the history.
  route("POST", "/api/v1/states/{key}/versions/{version}/restore",
        [&control, version_of, bad_version](const Request& request, const store::ApiToken& who) {
          std::string key(request.param("key"));
          std::optional<int64_t> n = version_of(request);
          if (!n) return bad_version(request);
          store::Store& store = control.store();
          std::optional<store::StateVersion> old = store.state_version(key, *n);
          if (!old) return error_response(404, "not_found", "no version " + std::to_string(*n) + " of " + key);
          if (std::optional<store::StateLock> lock = store.state_lock(key)) {
            nlohmann::json holder = lock_json(*lock);
            return error_response(Error(ErrorKind::kConflict,
                                        key + " is locked by " + holder["who"].get<std::string>() + " (" +
                                            holder["operation"].get<std::string>() + ", lock " + lock->lock_id + ")",
                                        {}, "wait for that run to end, or break the lock first (strata remote state unlock)"));
          }
          nlohmann::ordered_json state = nlohmann::ordered_json::parse(old->data, nullptr, false);
          if (!state.is_object()) return error_response(422, "unprocessable", "version " + std::to_string(*n) + " of " + key + " is not a JSON state");
          std::optional<store::StateVersion> latest = store.latest_state(key);
          int64_t serial = std::max(latest ? latest->serial : 0, old->serial) + 1;
          state["serial"] = serial;
          std::string data = state.dump(2) + "\n";
          store::StateVersion stored = store.put_state_version(key, data, serial, old->lineage, store::now_millis());
          store.append_audit(store::AuditEntry{
              "", actor_of(who), "state.restore", key,
              nlohmann::json{{"restored", *n}, {"version", stored.version}, {"serial", serial}}.dump(), "ok",
              request.remote_address, store::now_millis(), control.repository_account(repository_of(key))});
          nlohmann::json j = version_json(stored);
          j["key"] = key;
          j["restored"] = *n;
          return json_response(201, j);
        });
  // `terraform force-unlock` through the API: ?id= breaks the lock only when it is still that one.
  route("DELETE", "/api/v1/states/{key}/lock", [&control](const Request& request, const store::ApiToken& who) {
    std::string key(request.param("key"));
    store::Store& store = control.store();
    std::optional<store::StateLock> lock = store.state_lock(key);
    if (!lock) return error_response(404, "not_found", key + " is not locked");
    std::string only(request.query("id"));
    if (!only.empty() && only != lock->lock_id)
      return error_response(Error(ErrorKind::kConflict, key + " is locked by " + lock->lock_id + ", not " + only, {},
                                  "look at the lock with strata remote state show " + key));
    nlohmann::json broken = lock_json(*lock);
    store.unlock_state(key, lock->lock_id, false);
    store.append_audit(store::AuditEntry{"", actor_of(who), "state.force_unlock", key,
                                         nlohmann::json{{"lock", broken}}.dump(), "ok", request.remote_address,
                                         store::now_millis(), control.repository_account(repository_of(key))});
    return json_response(200, {{"key", key}, {"unlocked", broken}});
  });
  route("GET", "/api/v1/audit", [&control](const Request& request, const store::ApiToken& who) {
    Response refused;
    std::optional<size_t> limit = query_limit(request, 100, &refused);
    if (!limit) return refused;
    store::AuditFilter filter;
    filter.actor = request.query("actor");
    filter.action = request.query("action");
    filter.target = request.query("target");
    filter.outcome = request.query("outcome");
    // A token of an account reads its account's entries only; the server's own may ask for one
    // account's (?account=NAME, or ?account= for the server's own entries).
    if (!who.account.empty())
      filter.account = who.account;
    else if (request.query_params.count("account"))
      filter.account = std::string(request.query("account"));
    if (std::string since(request.query("since")); !since.empty()) {
      std::optional<store::Millis> at = parse_since(since, store::now_millis());
      if (!at)
        return error_response(400, "bad_request",
                              "since must be a time (2026-12-07T10:00:00Z) or an age (30m, 24h, 7d), not \"" + since +
                                  "\"");
      filter.since = *at;
    }
    nlohmann::json list = nlohmann::json::array();
    for (const store::AuditEntry& e : control.store().audit_entries(*limit, filter)) {
      nlohmann::json detail = nlohmann::json::parse(e.detail_json, nullptr, false);
      list.push_back({{"id", e.id},
                      {"at", time_json(e.created_at)},
                      {"actor", e.actor},
                      {"action", e.action},
                      {"target", e.target},
                      {"outcome", e.outcome},
                      {"remote_address", e.remote_address},
                      {"account", text_or_null(e.account)},
                      {"detail", detail.is_discarded() ? nlohmann::json() : detail}});
    }
    return json_response(200, {{"entries", list}});
  });
}

}  // namespace strata::server
