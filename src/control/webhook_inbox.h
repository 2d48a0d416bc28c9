// The GitHub webhook inbox (DESIGN §11.4, #23): what POST /webhooks/github answers at once — a
// delivery is checked (the repository it names is registered, its X-Hub-Signature-256 holds
// under that repository's secret), recorded in the store's outbox and acknowledged — and the
// processing of recorded deliveries afterwards, in order per repository, on whichever replica
// claims them. Nothing is stored for a delivery that fails a check; a redelivery of a delivery
// that was processed changes nothing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "store/store.h"

namespace strata::control {

class ControlPlane;
class StackRegistry;

// The answer to one delivery.
struct WebhookReceipt {
  int status = 202;       // 202 queued, 200 known already, 400/401/403/404/429 refused
  std::string code;       // the error code when refused ("bad_signature", …)
  std::string message;    // what happened, for the sender (GitHub shows it under Recent Deliveries)
  std::string hint;
  std::string delivery_status;  // the delivery's status once recorded
  int retry_after_s = 0;  // 429: when to try again
  bool refused_credential = false;  // a missing or wrong signature (counts against the address)
};

class WebhookInbox {
 public:
  WebhookInbox(ControlPlane& control, StackRegistry& registry) : control_(control), registry_(registry) {}

  // POST /webhooks/github: `event` and `delivery` are the X-GitHub-Event and X-GitHub-Delivery
  // headers, `signature` X-Hub-Signature-256, `body` the raw body. Never throws for anything a
  // sender can cause; only a store failure escapes (the server answers 503).
  WebhookReceipt receive(std::string_view event, std::string_view delivery, std::string_view signature,
                         const std::string& body);

  // Processes deliveries until none is ready or stop() was called; returns how many.
  size_t process_ready();
  // What processing `delivery` came to: (status, outcome), status done, ignored or failed.
  std::pair<std::string, std::string> process(const store::WebhookDelivery& delivery);
  // Waits until receive() recorded a delivery, stop() was called, or `timeout` passed.
  void wait(std::chrono::milliseconds timeout);
  void stop();

  // How long a processor holds a delivery before another replica may take it over.
  static constexpr store::Millis kClaimMs = 2 * 60 * 1000;
  // Claims of one delivery before it is failed for good (its processor kept dying).
  static constexpr int kMaxAttempts = 3;

 private:
  ControlPlane& control_;
  StackRegistry& registry_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool pending_ = false;
  bool stopping_ = false;
};

}  // namespace strata::control
