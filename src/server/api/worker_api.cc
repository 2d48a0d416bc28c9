#include "server/api/worker_api.h"

#include <nlohmann/json.hpp>

#include "base/utf8.h"
#include "control/authorization.h"
#include "control/worker_protocol.h"
#include "model/error.h"
#include "server/api/api.h"
#include "server/api/api_json.h"

namespace strata::server {

namespace {

constexpr int64_t kMaxWaitMs = 60000;

Response lease_lost(const std::string& activity_id) {
  return error_response(409, "lease_lost",
                        "this worker no longer holds activity " + activity_id +
                            " (its lease ran out or it was handed to another worker); stop working on it");
}

int64_t token_param(const Request& request, std::string_view name) {
  std::string text(request.query(name));
  char* end = nullptr;
  long long n = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end) throw Error(ErrorKind::kUserInput, "the query needs " + std::string(name) + "=NUMBER");
  return n;
}

struct Routes {
  control::ControlPlane& control;
  std::string version;

  // Who may is the authorization table's (a join token registers; a worker's credential speaks
  // the protocol; an admin's API token may do both). A worker's credential acts only as its own
  // worker: on an activity, the one that worker leased.
  std::optional<Response> refuse(const Request& request, std::optional<store::ApiToken>* who = nullptr) {
    Response refused;
    std::optional<store::ApiToken> token = who_asks(control, request, &refused);
    if (!token) return refused;
    std::string id(request.param("id"));
    if (control::kind_of(*token) == control::TokenKind::kWorker && !id.empty()) {
      std::optional<store::Activity> a = control.store().activity(id);
      // Not its lease (any more): the same answer a late worker gets, and nothing is done.
      if (a && a->lease_owner != token->worker_id) return lease_lost(id);
    }
    if (who) *who = std::move(token);
    return std::nullopt;
  }

  Response not_its_own(const Request& request, const store::ApiToken& who, const std::string& what) {
    return denied(control, request, who,
                  "token \"" + who.name + "\" speaks for worker " + who.worker_id + ", which does not hold " + what);
  }

  // POST /api/v1/worker/join-tokens {"name", "expires_in_minutes"}: a join token for new workers.
  Response join_token(const Request& request, const store::ApiToken& who) {
    constexpr int64_t kDefaultMinutes = 24 * 60, kMaxMinutes = 30 * 24 * 60;
    store::ApiToken wanted;
    wanted.role = control::kWorkerJoinRole;
    wanted.name = "workers";
    int64_t minutes = kDefaultMinutes;
    try {
      nlohmann::json body = request.body.empty() ? nlohmann::json::object() : parse_body(request.body);
      check_fields(body, {"name", "expires_in_minutes"}, "a join token");
      if (body.contains("name")) {
        if (!body["name"].is_string() || body["name"].get<std::string>().empty() ||
            body["name"].get<std::string>().size() > 100)
          throw Error("\"name\" must be 1 to 100 characters");
        wanted.name = body["name"];
      }
      if (body.contains("expires_in_minutes")) {
        if (!body["expires_in_minutes"].is_number_integer() || body["expires_in_minutes"].get<int64_t>() < 1 ||
            body["expires_in_minutes"].get<int64_t>() > kMaxMinutes)
          throw Error("\"expires_in_minutes\" must be a whole number from 1 to " + std::to_string(kMaxMinutes) +
                      " (30 days): a join token always expires");
        minutes = body["expires_in_minutes"];
      }
    } catch (const Error& e) {
      return bad_request(e);
    }
    wanted.expires_at = store::now_millis() + minutes * 60 * 1000;
    wanted.created_by = who.id;
    auto [record, token] = control.create_token(wanted);
    audit(control, request, who, "worker.join_token.create", "token:" + record.name + " " + record.id,
          {{"expires_at", record.expires_at}});
    return json_response(201, {{"id", record.id},
                               {"name", record.name},
                               {"role", record.role},
                               {"expires_at", time_json(record.expires_at)},
                               {"token", token}});
  }

  // The activity a worker names, with the fencing token it holds.
  store::Activity held(const Request& request, int64_t token) {
    store::Activity a;
    a.id = std::string(request.param("id"));
    a.fencing_token = token;
    return a;
  }

  Response answer(store::LeaseCheck check, const std::string& id, nlohmann::json body = nlohmann::json::object()) {
    if (check == store::LeaseCheck::kLost) return lease_lost(id);
    return json_response(200, body);
  }

  Response register_worker(const Request& request, const store::ApiToken& who) {
    store::WorkerRecord worker;
    try {
      nlohmann::json body = parse_body(request.body);
      check_fields(body, {"id", "name", "version", "capabilities"}, "the worker");
      worker = control::worker_from_json(body);
    } catch (const Error& e) {
      return bad_request(e);
    }
    if (control::kind_of(who) == control::TokenKind::kWorker && worker.id != who.worker_id)
      return not_its_own(request, who, "the id " + worker.id);
    control::check_worker_version(version, worker.version);
    worker.registered_at = worker.last_heartbeat = store::now_millis();
    control.register_worker(worker);
    nlohmann::json answer = {{"id", worker.id}, {"server_version", version}, {"lease_ms", control.options().lease_ms}};
    // A join token is exchanged for the worker's own credential, shown this once; the worker
    // uses it from then on. Its earlier credentials stop working.
    if (control::kind_of(who) == control::TokenKind::kWorkerJoin) {
      answer["credential"] = control.issue_worker_credential(worker, who);
      audit(control, request, who, "worker.join", "worker:" + worker.id, {{"name", worker.name}});
    }
    return json_response(201, answer);
  }

  void lease(Request& request, Responder responder, const store::ApiToken& who) {
    std::string worker_id;
    int64_t wait_ms = 30000;
    try {
      nlohmann::json body = parse_body(request.body);
      check_fields(body, {"worker_id", "wait_ms"}, "the lease request");
      if (!body.contains("worker_id") || !body["worker_id"].is_string())
        throw Error("the lease request needs \"worker_id\" (a string)", {});
      worker_id = body["worker_id"];
      if (body.contains("wait_ms")) {
        if (!body["wait_ms"].is_number_integer() || body["wait_ms"].get<int64_t>() < 0 ||
            body["wait_ms"].get<int64_t>() > kMaxWaitMs)
          throw Error("\"wait_ms\" must be a whole number of milliseconds from 0 to 60000", {});
        wait_ms = body["wait_ms"];
      }
    } catch (const Error& e) {
      responder.send(bad_request(e));
      return;
    }
    if (control::kind_of(who) == control::TokenKind::kWorker && worker_id != who.worker_id) {
      responder.send(not_its_own(request, who, "the id " + worker_id));
      return;
    }
    // A worker is offered what it registered with, never more.
    std::optional<store::WorkerRecord> worker = control.registered_worker(worker_id);
    if (!worker) {
      responder.send(error_response(404, "not_found",
                                    "no worker " + worker_id + " is registered; register before asking for a lease"));
      return;
    }
    std::vector<std::string> capabilities = worker->capabilities;
    control.worker_seen(worker_id);
    control::ControlPlane* plane = &control;
    uint64_t ticket = control.leases().wait(
        worker_id, capabilities, control::LeaseBroker::Clock::now() + std::chrono::milliseconds(wait_ms),
        [responder, plane](std::optional<control::Lease> lease) mutable {
          if (!lease) {
            responder.send(Response{204, {}, ""});
            return;
          }
          if (!responder.send(json_response(200, control::lease_to_json(*lease)))) {
            // The worker left before it got the lease: hand the activity straight back.
            plane->store().release(lease->activity.id, lease->activity.fencing_token, store::now_millis());
            plane->leases().wake();
          }
        });
    if (ticket != 0) responder.on_close([plane, ticket] { plane->leases().cancel(ticket); });
  }

  // GET …/outputs?fencing_token=&stack=&component=: a dependency's outputs from its state.
  Response outputs(const Request& request) {
    store::Activity a = held(request, token_param(request, "fencing_token"));
    std::string stack(request.query("stack")), component(request.query("component"));
    if (stack.empty() || component.empty())
      throw Error("the request needs ?stack=…&component=… (the dependency whose outputs are wanted)", {});
    std::optional<std::string> outputs = control.state_outputs(a, stack, component);
    if (!outputs) return lease_lost(a.id);
    Response r;
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = "{\"outputs\":" + *outputs + "}";
    return r;
  }

  // GET …/lock?fencing_token=&stack=&component=: who holds a state lock the activity's engine met.
  Response lock(const Request& request) {
    store::Activity a = held(request, token_param(request, "fencing_token"));
    std::string stack(request.query("stack")), component(request.query("component"));
    if (stack.empty() || component.empty())
      throw Error("the request needs ?stack=…&component=… (the component whose state lock is asked about)", {});
    std::optional<std::string> holder = control.lock_holder(a, stack, component);
    return json_response(200, {{"holder", holder ? nlohmann::json(*holder) : nlohmann::json()}});
  }

  Response code(const Request& request) {
    std::string id(request.param("id"));
    std::optional<store::Activity> a = control.held_activity(id, token_param(request, "fencing_token"));
    if (!a) return lease_lost(id);
    std::optional<store::Run> run = control.store().run(a->run_id);
    if (!run) return error_response(404, "not_found", "activity " + id + " has no run");
    Response r;
    r.headers.emplace_back("Content-Type", control::kCodeArchiveType);
    r.body = control.code_archive(run->repository_id, run->commit);
    return r;
  }

  int64_t body_token(const nlohmann::json& body) {
    if (!body.contains("fencing_token") || !body["fencing_token"].is_number_integer())
      throw Error("the request needs \"fencing_token\" (the number the lease came with)", {});
    return body["fencing_token"];
  }

  Response start(const Request& request) {
    nlohmann::json body = parse_body(request.body);
    check_fields(body, {"fencing_token"}, "the request");
    store::Activity a = held(request, body_token(body));
    store::Millis now = store::now_millis();
    return answer(control.store().start(a.id, a.fencing_token, now + control.options().lease_ms, now), a.id);
  }

  Response heartbeat(const Request& request) {
    nlohmann::json body = parse_body(request.body);
    check_fields(body, {"fencing_token"}, "the heartbeat");
    store::Activity a = held(request, body_token(body));
    store::Millis now = store::now_millis();
    bool cancel = false;
    store::LeaseCheck check =
        control.store().heartbeat(a.id, a.fencing_token, now + control.options().lease_ms, now, &cancel);
    return answer(check, a.id, {{"cancel", cancel}});
  }

  Response release(const Request& request) {
    nlohmann::json body = parse_body(request.body);
    check_fields(body, {"fencing_token"}, "the request");
    store::Activity a = held(request, body_token(body));
    store::LeaseCheck check = control.store().release(a.id, a.fencing_token, store::now_millis());
    control.leases().wake();
    return answer(check, a.id);
  }

  Response finish(const Request& request) {
    nlohmann::json body = parse_body(request.body);
    check_fields(body, {"fencing_token", "status", "outputs", "changes", "error"}, "the result");
    store::Activity a = held(request, body_token(body));
    store::Finish result = control::finish_from_json(body);
    std::optional<store::Activity> before = control.store().activity(a.id);
    store::LeaseCheck check = control.store().finish(a.id, a.fencing_token, result, store::now_millis());
    if (check == store::LeaseCheck::kHeld && before) control.activity_finished(before->run_id);
    return answer(check, a.id);
  }

  // A plan activity's saved plan (worker_protocol.h's plan_to_json), before its finish.
  Response plan(const Request& request) {
    nlohmann::json body = parse_body(request.body);
    check_fields(body, {"fencing_token", "activity_id", "plan_file", "stamp"}, "the saved plan");
    store::Activity a = held(request, body_token(body));
    store::SavedPlan plan = control::plan_from_json(body);
    if (plan.activity_id != a.id)
      throw Error("the saved plan names activity " + plan.activity_id + ", not " + a.id, {});
    return answer(control.save_plan(a, plan.plan_file, plan.stamp), a.id);
  }

  Response logs(const Request& request) {
    store::Activity a = held(request, token_param(request, "fencing_token"));
    int64_t seq = token_param(request, "seq");
    if (seq < 0) throw Error("seq must be 0 or more", {});
    // An engine may print any bytes; the store keeps text (PostgreSQL refuses invalid UTF-8 and
    // NUL), so what is not text is shown as U+FFFD rather than losing the chunk.
    return answer(control.store().append_log(a.id, a.fencing_token, seq, to_valid_utf8(request.body, true),
                                             store::now_millis()),
                  a.id);
  }
};

}  // namespace

void add_worker_routes(Router& router, control::ControlPlane& control, std::string server_version) {
  auto routes = std::make_shared<Routes>(Routes{control, std::move(server_version)});
  using Method = Response (Routes::*)(const Request&);
  auto sync = [routes](Method m) {
    return [routes, m](const Request& request) -> Response {
      if (auto refused = routes->refuse(request)) return *refused;
      try {
        return ((*routes).*m)(request);
      } catch (const Error& e) {
        // A body the protocol does not take is the worker's mistake (400); the rest say what.
        if (e.kind() == ErrorKind::kUserInput) return bad_request(e);
        return error_response(e);
      }
    };
  };
  using WhoMethod = Response (Routes::*)(const Request&, const store::ApiToken&);
  auto with_who = [routes](WhoMethod m) {
    return [routes, m](const Request& request) -> Response {
      std::optional<store::ApiToken> who;
      if (auto refused = routes->refuse(request, &who)) return *refused;
      try {
        return ((*routes).*m)(request, *who);
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::kUserInput) return bad_request(e);
        return error_response(e);
      }
    };
  };
  router.add("POST", "/api/v1/worker/join-tokens", with_who(&Routes::join_token));
  router.add("POST", "/api/v1/worker/register", with_who(&Routes::register_worker));
  router.add_async("POST", "/api/v1/worker/lease", [routes](Request& request, Responder responder) {
    std::optional<store::ApiToken> who;
    if (auto refused = routes->refuse(request, &who)) {
      responder.send(*refused);
      return;
    }
    routes->lease(request, std::move(responder), *who);
  });
  router.add("GET", "/api/v1/worker/activities/{id}/code", sync(&Routes::code));
  router.add("GET", "/api/v1/worker/activities/{id}/outputs", sync(&Routes::outputs));
  router.add("GET", "/api/v1/worker/activities/{id}/lock", sync(&Routes::lock));
  router.add("POST", "/api/v1/worker/activities/{id}/start", sync(&Routes::start));
  router.add("POST", "/api/v1/worker/activities/{id}/heartbeat", sync(&Routes::heartbeat));
  router.add("POST", "/api/v1/worker/activities/{id}/logs", sync(&Routes::logs));
  router.add("POST", "/api/v1/worker/activities/{id}/release", sync(&Routes::release));
  router.add("POST", "/api/v1/worker/activities/{id}/plan", sync(&Routes::plan));
  router.add("POST", "/api/v1/worker/activities/{id}/finish", sync(&Routes::finish));
}

}  // namespace strata::server
