#include "control/webhook_inbox.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "control/control_plane.h"
#include "control/stack_registry.h"
#include "github/webhook.h"
#include "model/error.h"

namespace strata::control {

namespace {

WebhookReceipt refused(int status, std::string code, std::string message, std::string hint = "") {
  WebhookReceipt r;
  r.status = status;
  r.code = std::move(code);
  r.message = std::move(message);
  r.hint = std::move(hint);
  return r;
}

// GitHub's delivery ids are GUIDs; anything printable and short is taken.
bool good_delivery_id(std::string_view id) {
  if (id.empty() || id.size() > 100) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

bool good_event_name(std::string_view event) {
  if (event.empty() || event.size() > 64) return false;
  for (char c : event)
    if (!std::islower(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

}  // namespace

WebhookReceipt WebhookInbox::receive(std::string_view event, std::string_view delivery, std::string_view signature,
                                     const std::string& body) {
  if (!good_event_name(event))
    return refused(400, "bad_request",
                   event.empty() ? "the request has no X-GitHub-Event header"
                                 : "X-GitHub-Event \"" + std::string(event.substr(0, 64)) + "\" is not an event name",
                   "point GitHub's webhook (or your test's sender) at this URL; it sends the header");
  if (!good_delivery_id(delivery))
    return refused(400, "bad_request",
                   delivery.empty() ? "the request has no X-GitHub-Delivery header"
                                    : "X-GitHub-Delivery is not a delivery id (letters, digits, '-', at most 100)",
                   "GitHub sends a GUID in X-GitHub-Delivery with every delivery");
  nlohmann::json payload = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded() || !payload.is_object())
    return refused(400, "bad_request", "the body is not a JSON object",
                   "set the webhook's content type to application/json in GitHub's settings");
  std::optional<std::string> full_name = github::repository_of(payload);
  if (!full_name)
    return refused(400, "bad_request", "the payload names no repository (repository.full_name)",
                   "strata takes a repository's webhooks, not an organisation's or an app's");
  std::optional<store::Repository> repo = control_.store().repository_by_github(*full_name);
  if (!repo)
    return refused(404, "not_found", "no repository is registered for GitHub repository " + *full_name,
                   "register it: strata remote repos add NAME URL --github " + *full_name + " --webhook-secret-file F");
  if (repo->webhook_secret.empty())
    return refused(403, "forbidden", "repository " + repo->name + " has no webhook secret: its deliveries are not trusted",
                   "register it again with --webhook-secret-file, with the secret GitHub's webhook has");
  if (signature.empty() || !github::signature_matches(repo->webhook_secret, body, signature)) {
    WebhookReceipt r =
        signature.empty()
            ? refused(401, "bad_signature", "the request has no X-Hub-Signature-256 header",
                      "give the webhook a secret in GitHub's settings (the one registered with strata)")
            : refused(401, "bad_signature",
                      "X-Hub-Signature-256 does not match the body under the secret of " + repo->name,
                      "the webhook's secret in GitHub's settings must be the one registered with strata");
    r.refused_credential = true;
    return r;
  }
  std::chrono::milliseconds wait = control_.rate_limiter().take(RateClass::kWebhook, repo->id);
  if (wait.count() > 0) {
    WebhookReceipt r = refused(429, "rate_limited", "repository " + repo->name + " sent more deliveries than its webhook "
                                                    "rate limit allows", "GitHub redelivers on request; raise the "
                                                    "server's --rate-limit webhook=… for bursts this large");
    r.retry_after_s = static_cast<int>((wait.count() + 999) / 1000);
    return r;
  }
  store::WebhookDelivery d;
  d.id = std::string(delivery);
  d.repository_id = repo->id;
  d.event = std::string(event);
  if (payload.contains("action") && payload["action"].is_string()) d.action = payload["action"].get<std::string>();
  d.payload = body;
  d.received_at = store::now_millis();
  store::WebhookDelivery stored;
  WebhookReceipt r;
  if (control_.store().record_delivery(d, &stored)) {
    r.status = 202;
    r.message = "delivery " + d.id + " (" + d.event + ") of " + repo->name + " is queued";
    {
      std::lock_guard lock(mutex_);
      pending_ = true;
    }
    changed_.notify_all();
  } else {
    r.status = 200;
    r.message = "delivery " + d.id + " was received before (" + stored.status + "): nothing more to do";
  }
  r.delivery_status = stored.status;
  return r;
}

std::pair<std::string, std::string> WebhookInbox::process(const store::WebhookDelivery& d) {
  std::optional<store::Repository> repo = control_.store().repository(d.repository_id);
  if (!repo) return {"ignored", "its repository is no longer registered"};
  nlohmann::json payload = nlohmann::json::parse(d.payload, nullptr, false);
  if (payload.is_discarded()) return {"failed", "the stored payload is not JSON"};
  try {
    if (d.event == "ping") {
      github::PingEvent ping = github::parse_ping(payload);
      return {"done", "pong: hook " + std::to_string(ping.hook_id) + " reaches " + repo->name};
    }
    if (d.event == "push") {
      github::PushEvent push = github::parse_push(payload);
      if (push.deleted) return {"ignored", push.ref + " was deleted"};
      const std::string branch = push.branch();
      if (branch.empty()) return {"ignored", "a push of " + push.ref + ": the registry follows branches"};
      if (branch != repo->default_branch)
        return {"ignored", "a push to " + branch + ": the stack-code registry follows " + repo->default_branch};
      RegistrySync sync = registry_.sync(*repo, push.after, push.forced,
                                         "github:" + (push.pusher.empty() ? std::string("push") : push.pusher));
      return {"done", sync.summary()};
    }
    if (d.event == "pull_request")
      return control_.pull_requests().on_pull_request(*repo, github::parse_pull_request(payload));
    if (d.event == "issue_comment")
      return control_.pull_requests().on_comment(*repo, github::parse_issue_comment(payload));
    if (d.event == "check_run") {
      if (d.action != "requested_action") return {"ignored", "check_run " + d.action + ": nothing to do"};
      github::CheckActionEvent a = github::parse_check_action(payload);
      if (a.pull_requests.empty()) return {"ignored", "the check run belongs to no pull request"};
      return control_.pull_requests().on_check_action(*repo, a.pull_requests.front(), a.identifier, a.user);
    }
    return {"ignored", "strata does not act on " + d.event + " events"};
  } catch (const Error& e) {
    return {"failed", e.render()};
  } catch (const std::exception& e) {
    return {"failed", e.what()};
  }
}

size_t WebhookInbox::process_ready() {
  size_t done = 0;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
      pending_ = false;
    }
    std::optional<store::WebhookDelivery> d = control_.store().claim_delivery(store::now_millis(), kClaimMs);
    if (!d) break;
    std::pair<std::string, std::string> outcome =
        d->attempt > kMaxAttempts
            ? std::pair<std::string, std::string>{"failed", "its processing stopped " + std::to_string(kMaxAttempts) +
                                                                " times without finishing"}
            : process(*d);
    control_.store().finish_delivery(d->id, outcome.first, outcome.second, store::now_millis());
    ++done;
  }
  // Runs of pull requests that ended since: their check runs and comments; stacks destroyed.
  done += control_.pull_requests().report_ended();
  done += registry_.settle_destroys();
  return done;
}

void WebhookInbox::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return pending_ || stopping_; });
}

void WebhookInbox::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
}

}  // namespace strata::control
