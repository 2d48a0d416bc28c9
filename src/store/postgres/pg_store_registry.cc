// PgStore's GitHub records: webhook deliveries (the outbox a webhook is answered from), the
// stack-code registry and events (DESIGN §11.4). The same SQL as sqlite_store_registry.cc, with
// claims serialised across replicas by an advisory lock.
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"

namespace strata::store {

using namespace pg_rows;

namespace {

constexpr const char* kDeliveryColumns =
    "id, repository_id, event, action, payload, status, outcome, attempt, claimed_until, received_at, finished_at";

WebhookDelivery read_delivery(const PgResult& rows, int i) {
  WebhookDelivery d;
  d.id = rows.text(i, 0);
  d.repository_id = rows.text(i, 1);
  d.event = rows.text(i, 2);
  d.action = rows.text(i, 3);
  d.payload = rows.text(i, 4);
  d.status = rows.text(i, 5);
  d.outcome = rows.text(i, 6);
  d.attempt = static_cast<int>(rows.int64(i, 7));
  d.claimed_until = rows.int64(i, 8);
  d.received_at = rows.int64(i, 9);
  d.finished_at = rows.int64(i, 10);
  return d;
}

constexpr const char* kStackCodeColumns = "id, repository_id, stack, component, path, commit_hash, created_at, updated_at";
StackCode read_stack_code(const PgResult& r, int i) {
  return StackCode{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3),
                   r.text(i, 4), r.text(i, 5), r.int64(i, 6), r.int64(i, 7)};
}

constexpr const char* kStackStateColumns =
    "id, repository_id, stack, status, commit_hash, state_key, components_json, alert, created_at, updated_at, "
    "destroy_run";
StackState read_stack_state(const PgResult& r, int i) {
  return StackState{r.text(i, 0), r.text(i, 1), r.text(i, 2),  r.text(i, 3),  r.text(i, 4),
                    r.text(i, 5), from_json_list(r.text(i, 6)), r.text(i, 7), r.int64(i, 8), r.int64(i, 9),
                    r.text(i, 10)};
}

constexpr const char* kEventColumns = "id, seq, account, repository_id, kind, subject, detail_json, created_at";
Event read_event(const PgResult& r, int i) {
  return Event{r.text(i, 0), r.int64(i, 1), r.text(i, 2), r.text(i, 3),
               r.text(i, 4), r.text(i, 5),  r.text(i, 6), r.int64(i, 7)};
}

constexpr const char* kPullRequestColumns =
    "repository_id, number, state, head_sha, head_ref, base_ref, from_fork, check_run_id, check_sha, comment_id, "
    "plan_run_id, apply_run_id, pending_run, created_at, updated_at, check_status";
PullRequest read_pull_request(const PgResult& r, int i) {
  PullRequest p;
  p.repository_id = r.text(i, 0);
  p.number = r.int64(i, 1);
  p.state = r.text(i, 2);
  p.head_sha = r.text(i, 3);
  p.head_ref = r.text(i, 4);
  p.base_ref = r.text(i, 5);
  p.from_fork = r.int64(i, 6) != 0;
  p.check_run_id = r.int64(i, 7);
  p.check_sha = r.text(i, 8);
  p.comment_id = r.int64(i, 9);
  p.plan_run_id = r.text(i, 10);
  p.apply_run_id = r.text(i, 11);
  p.pending_run = r.text(i, 12);
  p.created_at = r.int64(i, 13);
  p.updated_at = r.int64(i, 14);
  p.check_status = r.text(i, 15);
  return p;
}

}  // namespace

// --- webhook deliveries

bool PgStore::record_delivery(const WebhookDelivery& delivery, WebhookDelivery* stored) {
  Millis now = delivery.received_at ? delivery.received_at : now_millis();
  return transact("record a webhook delivery", [&](PgConnection& db) {
    // A delivery and its redelivery may reach two replicas at once: the insert decides.
    auto inserted = db.exec(
        "INSERT INTO webhook_deliveries (id, repository_id, event, action, payload, status, received_at, created_at, "
        "updated_at) VALUES ($1, $2, $3, $4, $5, 'queued', $6, $6, $6) ON CONFLICT (id) DO NOTHING RETURNING id",
        {delivery.id, delivery.repository_id, delivery.event, delivery.action, delivery.payload, now});
    if (!inserted.empty()) {
      if (stored) {
        *stored = delivery;
        stored->status = "queued";
        stored->received_at = now;
      }
      return true;
    }
    auto rows = db.exec(std::string("SELECT ") + kDeliveryColumns + " FROM webhook_deliveries WHERE id = $1 FOR UPDATE",
                        {delivery.id});
    WebhookDelivery existing = read_delivery(rows, 0);
    if (existing.status != "failed") {
      if (stored) *stored = existing;
      return false;
    }
    db.exec(
        "UPDATE webhook_deliveries SET status = 'queued', payload = $1, outcome = '', claimed_until = 0, "
        "finished_at = 0, updated_at = $2 WHERE id = $3",
        {delivery.payload, now, delivery.id});
    existing.status = "queued";
    existing.outcome.clear();
    existing.finished_at = existing.claimed_until = 0;
    if (stored) *stored = existing;
    return true;
  });
}

std::optional<WebhookDelivery> PgStore::claim_delivery(Millis now, Millis claim_ms) {
  return transact("claim a webhook delivery", [&](PgConnection& db) -> std::optional<WebhookDelivery> {
    // One claim at a time across replicas: a repository's deliveries must go in order.
    db.exec("SELECT pg_advisory_xact_lock(hashtext('strata.webhook_claim'))");
    auto rows = db.exec(std::string("SELECT ") + kDeliveryColumns +
                            " FROM webhook_deliveries d WHERE (d.status = 'queued' OR (d.status = 'processing' AND "
                            "d.claimed_until < $1)) AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o WHERE "
                            "o.repository_id = d.repository_id AND o.id <> d.id AND o.status = 'processing' AND "
                            "o.claimed_until >= $1) ORDER BY d.received_at, d.id LIMIT 1",
                        {now});
    if (rows.empty()) return std::nullopt;
    WebhookDelivery d = read_delivery(rows, 0);
    d.status = "processing";
    d.attempt += 1;
    d.claimed_until = now + claim_ms;
    db.exec("UPDATE webhook_deliveries SET status = 'processing', attempt = $1, claimed_until = $2, updated_at = $3 "
            "WHERE id = $4",
            {static_cast<int64_t>(d.attempt), d.claimed_until, now, d.id});
    return d;
  });
}

void PgStore::finish_delivery(const std::string& id, const std::string& status, const std::string& outcome,
                              Millis now) {
  transact_one("finish a webhook delivery", [&](PgConnection& db) {
    db.exec("UPDATE webhook_deliveries SET status = $1, outcome = $2, claimed_until = 0, finished_at = $3, "
            "updated_at = $3 WHERE id = $4",
            {status, outcome, now, id});
  });
}

std::optional<WebhookDelivery> PgStore::delivery(const std::string& id) {
  return read_one("read a webhook delivery", [&](PgConnection& db) -> std::optional<WebhookDelivery> {
    auto rows = db.exec(std::string("SELECT ") + kDeliveryColumns + " FROM webhook_deliveries WHERE id = $1", {id});
    if (rows.empty()) return std::nullopt;
    return read_delivery(rows, 0);
  });
}

size_t PgStore::prune_deliveries(Millis before) {
  return transact("remove old webhook payloads", [&](PgConnection& db) {
    auto rows = db.exec(
        "UPDATE webhook_deliveries SET payload = '' WHERE finished_at > 0 AND finished_at < $1 AND payload <> '' "
        "RETURNING id",
        {before});
    return static_cast<size_t>(rows.rows());
  });
}

std::vector<WebhookDelivery> PgStore::deliveries(size_t limit, const std::string& repository_id) {
  return read_one("list webhook deliveries", [&](PgConnection& db) {
    auto rows = db.exec(std::string("SELECT ") + kDeliveryColumns +
                            " FROM webhook_deliveries WHERE ($1::text = '' OR repository_id = $1) "
                            "ORDER BY received_at DESC, id DESC LIMIT $2",
                        {repository_id, static_cast<int64_t>(limit)});
    std::vector<WebhookDelivery> out;
    for (int i = 0; i < rows.rows(); ++i) {
      out.push_back(read_delivery(rows, i));
      out.back().payload.clear();
    }
    return out;
  });
}

// --- the stack-code registry

void PgStore::insert_event(PgConnection& db, Event e, Millis now) {
  if (e.id.empty()) e.id = new_uuid();
  db.exec(
      "INSERT INTO events (id, seq, account, repository_id, kind, subject, detail_json, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {e.id, next_counter(db, "event_seq"), e.account, e.repository_id, e.kind, e.subject,
       e.detail_json.empty() ? std::string("{}") : e.detail_json, e.created_at ? e.created_at : now});
}

void PgStore::update_registry(const RegistryUpdate& update) {
  Millis now = now_millis();
  transact("update the stack-code registry", [&](PgConnection& db) {
    for (const StackCode& c : update.codes) {
      db.exec(
          "INSERT INTO stack_codes (id, repository_id, stack, component, path, commit_hash, created_at, updated_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (repository_id, stack, component) DO UPDATE SET "
          "path = excluded.path, commit_hash = excluded.commit_hash, updated_at = excluded.updated_at",
          {c.id.empty() ? new_uuid() : c.id, update.repository_id, c.stack, c.component, c.path, c.commit,
           c.created_at ? c.created_at : now, now});
    }
    for (const auto& [stack, component] : update.removed_codes)
      db.exec("DELETE FROM stack_codes WHERE repository_id = $1 AND stack = $2 AND component = $3",
              {update.repository_id, stack, component});
    for (const std::string& id : update.removed_states) db.exec("DELETE FROM stack_states WHERE id = $1", {id});
    for (const StackState& s : update.states) {
      db.exec(
          "INSERT INTO stack_states (id, repository_id, stack, status, commit_hash, state_key, components_json, "
          "alert, created_at, updated_at, destroy_run) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT "
          "(id) DO UPDATE SET stack = excluded.stack, status = excluded.status, commit_hash = excluded.commit_hash, "
          "state_key = excluded.state_key, components_json = excluded.components_json, alert = excluded.alert, "
          "updated_at = excluded.updated_at, destroy_run = excluded.destroy_run",
          {s.id.empty() ? new_uuid() : s.id, update.repository_id, s.stack, s.status, s.commit, s.state_key,
           to_json_list(s.components), s.alert, s.created_at ? s.created_at : now, now, s.destroy_run});
    }
    for (const Event& e : update.events) insert_event(db, e, now);
    if (!update.commit.empty())
      db.exec("UPDATE repositories SET registry_commit = $1, updated_at = $2 WHERE id = $3",
              {update.commit, now, update.repository_id});
    return 0;
  });
}

std::vector<StackCode> PgStore::stack_codes(const std::string& repository_id) {
  return read_one("read stack codes", [&](PgConnection& db) {
    auto rows = db.exec(std::string("SELECT ") + kStackCodeColumns +
                            " FROM stack_codes WHERE repository_id = $1 ORDER BY stack COLLATE \"C\", component "
                            "COLLATE \"C\"",
                        {repository_id});
    std::vector<StackCode> out;
    for (int i = 0; i < rows.rows(); ++i) out.push_back(read_stack_code(rows, i));
    return out;
  });
}

std::vector<StackState> PgStore::stack_states(const std::string& repository_id, const std::string& status) {
  return read_one("read stack states", [&](PgConnection& db) {
    auto rows = db.exec(std::string("SELECT ") + kStackStateColumns +
                            " FROM stack_states WHERE ($1::text = '' OR repository_id = $1) AND ($2::text = '' OR "
                            "status = $2) ORDER BY repository_id, stack COLLATE \"C\", created_at",
                        {repository_id, status});
    std::vector<StackState> out;
    for (int i = 0; i < rows.rows(); ++i) out.push_back(read_stack_state(rows, i));
    return out;
  });
}

std::optional<StackState> PgStore::stack_state(const std::string& id) {
  return read_one("read a stack state", [&](PgConnection& db) -> std::optional<StackState> {
    auto rows = db.exec(std::string("SELECT ") + kStackStateColumns + " FROM stack_states WHERE id = $1", {id});
    if (rows.empty()) return std::nullopt;
    return read_stack_state(rows, 0);
  });
}

// --- events

void PgStore::append_event(Event event) {
  Millis now = now_millis();
  transact("append an event", [&](PgConnection& db) {
    insert_event(db, event, now);
    return 0;
  });
}

std::vector<Event> PgStore::events(size_t limit, const EventFilter& filter) {
  return read_one("read events", [&](PgConnection& db) {
    auto rows = db.exec(std::string("SELECT ") + kEventColumns +
                            " FROM events WHERE seq > $1 AND (NOT $2::boolean OR account = $3) AND ($4::text = '' OR "
                            "repository_id = $4) AND substr(kind, 1, length($5)) = $5 ORDER BY seq LIMIT $6",
                        {filter.after_seq, filter.account.has_value(), filter.account.value_or(""),
                         filter.repository_id, filter.kind, static_cast<int64_t>(limit)});
    std::vector<Event> out;
    for (int i = 0; i < rows.rows(); ++i) out.push_back(read_event(rows, i));
    return out;
  });
}

// --- pull requests

void PgStore::save_pull_request(const PullRequest& p) {
  Millis now = now_millis();
  transact_one("save a pull request", [&](PgConnection& db) {
    db.exec(
        "INSERT INTO pull_requests (repository_id, number, state, head_sha, head_ref, base_ref, from_fork, check_run_id, "
        "check_sha, comment_id, plan_run_id, apply_run_id, pending_run, created_at, updated_at, check_status) VALUES ($1, "
        "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (repository_id, number) DO UPDATE SET "
        "state = excluded.state, head_sha = excluded.head_sha, head_ref = excluded.head_ref, "
        "base_ref = excluded.base_ref, from_fork = excluded.from_fork, check_run_id = excluded.check_run_id, "
        "check_sha = excluded.check_sha, comment_id = excluded.comment_id, plan_run_id = excluded.plan_run_id, "
        "apply_run_id = excluded.apply_run_id, pending_run = excluded.pending_run, updated_at = excluded.updated_at, "
        "check_status = excluded.check_status",
        {p.repository_id, p.number, p.state, p.head_sha, p.head_ref, p.base_ref, static_cast<int64_t>(p.from_fork ? 1 : 0),
         p.check_run_id, p.check_sha, p.comment_id, p.plan_run_id, p.apply_run_id, p.pending_run,
         p.created_at ? p.created_at : now, now, p.check_status});
  });
}

std::optional<PullRequest> PgStore::pull_request(const std::string& repository_id, int64_t number) {
  return read_one("read a pull request", [&](PgConnection& db) -> std::optional<PullRequest> {
    auto rows = db.exec(std::string("SELECT ") + kPullRequestColumns +
                            " FROM pull_requests WHERE repository_id = $1 AND number = $2",
                        {repository_id, number});
    if (rows.empty()) return std::nullopt;
    return read_pull_request(rows, 0);
  });
}

std::vector<PullRequest> PgStore::pull_requests_pending() {
  return read_one("read pull requests to report", [&](PgConnection& db) {
    auto rows = db.exec(std::string("SELECT ") + kPullRequestColumns +
                        " FROM pull_requests WHERE pending_run <> '' ORDER BY updated_at");
    std::vector<PullRequest> out;
    for (int i = 0; i < rows.rows(); ++i) out.push_back(read_pull_request(rows, i));
    return out;
  });
}

bool PgStore::take_pending_run(const std::string& repository_id, int64_t number, const std::string& run_id) {
  if (run_id.empty()) return false;
  return transact("take a pull request's report", [&](PgConnection& db) {
    auto rows = db.exec(
        "UPDATE pull_requests SET pending_run = '' WHERE repository_id = $1 AND number = $2 AND pending_run = $3 "
        "RETURNING number",
        {repository_id, number, run_id});
    return !rows.empty();
  });
}

}  // namespace strata::store
