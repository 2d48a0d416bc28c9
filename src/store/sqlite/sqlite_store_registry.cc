// SqliteStore's GitHub records: webhook deliveries (the outbox a webhook is answered from), the
// stack-code registry and events (DESIGN §11.4).
#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace strata::store {

using namespace sqlite_rows;

namespace {

constexpr const char* kDeliveryColumns =
    "id, repository_id, event, action, payload, status, outcome, attempt, claimed_until, received_at, finished_at";

WebhookDelivery read_delivery(const SqliteStatement& st) {
  WebhookDelivery d;
  d.id = st.text(0);
  d.repository_id = st.text(1);
  d.event = st.text(2);
  d.action = st.text(3);
  d.payload = st.text(4);
  d.status = st.text(5);
  d.outcome = st.text(6);
  d.attempt = static_cast<int>(st.int64(7));
  d.claimed_until = st.int64(8);
  d.received_at = st.int64(9);
  d.finished_at = st.int64(10);
  return d;
}

constexpr const char* kStackCodeColumns = "id, repository_id, stack, component, path, commit_hash, created_at, updated_at";
StackCode read_stack_code(const SqliteStatement& st) {
  return StackCode{st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.int64(6), st.int64(7)};
}

constexpr const char* kStackStateColumns =
    "id, repository_id, stack, status, commit_hash, state_key, components_json, alert, created_at, updated_at, "
    "destroy_run";
StackState read_stack_state(const SqliteStatement& st) {
  return StackState{st.text(0), st.text(1), st.text(2),  st.text(3),  st.text(4),
                    st.text(5), from_json_list(st.text(6)), st.text(7), st.int64(8), st.int64(9), st.text(10)};
}

constexpr const char* kEventColumns = "id, seq, account, repository_id, kind, subject, detail_json, created_at";
Event read_event(const SqliteStatement& st) {
  return Event{st.text(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6), st.int64(7)};
}

constexpr const char* kPullRequestColumns =
    "repository_id, number, state, head_sha, head_ref, base_ref, from_fork, check_run_id, check_sha, comment_id, "
    "plan_run_id, apply_run_id, pending_run, created_at, updated_at, check_status";
PullRequest read_pull_request(const SqliteStatement& st) {
  PullRequest p;
  p.repository_id = st.text(0);
  p.number = st.int64(1);
  p.state = st.text(2);
  p.head_sha = st.text(3);
  p.head_ref = st.text(4);
  p.base_ref = st.text(5);
  p.from_fork = st.int64(6) != 0;
  p.check_run_id = st.int64(7);
  p.check_sha = st.text(8);
  p.comment_id = st.int64(9);
  p.plan_run_id = st.text(10);
  p.apply_run_id = st.text(11);
  p.pending_run = st.text(12);
  p.created_at = st.int64(13);
  p.updated_at = st.int64(14);
  p.check_status = st.text(15);
  return p;
}

}  // namespace

// --- webhook deliveries

bool SqliteStore::record_delivery(const WebhookDelivery& delivery, WebhookDelivery* stored) {
  auto session = write("record a webhook delivery");
  Millis now = delivery.received_at ? delivery.received_at : now_millis();
  SqliteStatement known(db_, std::string("SELECT ") + kDeliveryColumns + " FROM webhook_deliveries WHERE id = ?");
  if (known.bind(delivery.id).step()) {
    WebhookDelivery existing = read_delivery(known);
    if (existing.status != "failed") {
      if (stored) *stored = existing;
      return false;
    }
    db_.exec(
        "UPDATE webhook_deliveries SET status = 'queued', payload = ?, outcome = '', claimed_until = 0, "
        "finished_at = 0, updated_at = ? WHERE id = ?",
        delivery.payload, now, delivery.id);
    existing.status = "queued";
    existing.outcome.clear();
    existing.finished_at = existing.claimed_until = 0;
    session.commit();
    if (stored) *stored = existing;
    return true;
  }
  WebhookDelivery d = delivery;
  d.status = "queued";
  d.received_at = now;
  db_.exec(
      "INSERT INTO webhook_deliveries (id, repository_id, event, action, payload, status, received_at, created_at, "
      "updated_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)",
      d.id, d.repository_id, d.event, d.action, d.payload, now, now, now);
  session.commit();
  if (stored) *stored = d;
  return true;
}

std::optional<WebhookDelivery> SqliteStore::claim_delivery(Millis now, Millis claim_ms) {
  auto session = write("claim a webhook delivery");
  SqliteStatement st(db_, std::string("SELECT ") + kDeliveryColumns +
                              " FROM webhook_deliveries d WHERE (d.status = 'queued' OR (d.status = 'processing' AND "
                              "d.claimed_until < ?1)) AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o WHERE "
                              "o.repository_id = d.repository_id AND o.id <> d.id AND o.status = 'processing' AND "
                              "o.claimed_until >= ?1) ORDER BY d.received_at, d.id LIMIT 1");
  if (!st.bind(now).step()) return std::nullopt;
  WebhookDelivery d = read_delivery(st);
  st.run();
  d.status = "processing";
  d.attempt += 1;
  d.claimed_until = now + claim_ms;
  db_.exec("UPDATE webhook_deliveries SET status = 'processing', attempt = ?, claimed_until = ?, updated_at = ? "
           "WHERE id = ?",
           static_cast<int64_t>(d.attempt), d.claimed_until, now, d.id);
  session.commit();
  return d;
}

void SqliteStore::finish_delivery(const std::string& id, const std::string& status, const std::string& outcome,
                                  Millis now) {
  auto session = write("finish a webhook delivery");
  db_.exec("UPDATE webhook_deliveries SET status = ?, outcome = ?, claimed_until = 0, finished_at = ?, updated_at = ? "
           "WHERE id = ?",
           status, outcome, now, now, id);
  session.commit();
}

std::optional<WebhookDelivery> SqliteStore::delivery(const std::string& id) {
  auto session = read("read a webhook delivery");
  SqliteStatement st(db_, std::string("SELECT ") + kDeliveryColumns + " FROM webhook_deliveries WHERE id = ?");
  if (!st.bind(id).step()) return std::nullopt;
  return read_delivery(st);
}

size_t SqliteStore::prune_deliveries(Millis before) {
  auto session = write("remove old webhook payloads");
  int64_t changed = db_.exec(
      "UPDATE webhook_deliveries SET payload = '' WHERE finished_at > 0 AND finished_at < ? AND payload <> ''", before);
  session.commit();
  return static_cast<size_t>(changed);
}

std::vector<WebhookDelivery> SqliteStore::deliveries(size_t limit, const std::string& repository_id) {
  auto session = read("list webhook deliveries");
  SqliteStatement st(db_, std::string("SELECT ") + kDeliveryColumns +
                              " FROM webhook_deliveries WHERE (?1 = '' OR repository_id = ?1) "
                              "ORDER BY received_at DESC, id DESC LIMIT ?2");
  st.bind_all(repository_id, static_cast<int64_t>(limit));
  std::vector<WebhookDelivery> out;
  while (st.step()) {
    out.push_back(read_delivery(st));
    out.back().payload.clear();
  }
  return out;
}

// --- the stack-code registry

void SqliteStore::insert_event(Event e, Millis now) {
  if (e.id.empty()) e.id = new_uuid();
  db_.exec(
      "INSERT INTO events (id, seq, account, repository_id, kind, subject, detail_json, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      e.id, next_counter("event_seq"), e.account, e.repository_id, e.kind, e.subject,
      e.detail_json.empty() ? std::string("{}") : e.detail_json, e.created_at ? e.created_at : now);
}

void SqliteStore::update_registry(const RegistryUpdate& update) {
  auto session = write("update the stack-code registry");
  Millis now = now_millis();
  for (const StackCode& c : update.codes) {
    db_.exec(
        "INSERT INTO stack_codes (id, repository_id, stack, component, path, commit_hash, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repository_id, stack, component) DO UPDATE SET "
        "path = excluded.path, commit_hash = excluded.commit_hash, updated_at = excluded.updated_at",
        c.id.empty() ? new_uuid() : c.id, update.repository_id, c.stack, c.component, c.path, c.commit,
        c.created_at ? c.created_at : now, now);
  }
  for (const auto& [stack, component] : update.removed_codes)
    db_.exec("DELETE FROM stack_codes WHERE repository_id = ? AND stack = ? AND component = ?", update.repository_id,
             stack, component);
  for (const std::string& id : update.removed_states) db_.exec("DELETE FROM stack_states WHERE id = ?", id);
  for (const StackState& s : update.states) {
    db_.exec(
        "INSERT INTO stack_states (id, repository_id, stack, status, commit_hash, state_key, components_json, alert, "
        "created_at, updated_at, destroy_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "stack = excluded.stack, status = excluded.status, commit_hash = excluded.commit_hash, "
        "state_key = excluded.state_key, components_json = excluded.components_json, alert = excluded.alert, "
        "updated_at = excluded.updated_at, destroy_run = excluded.destroy_run",
        s.id.empty() ? new_uuid() : s.id, update.repository_id, s.stack, s.status, s.commit, s.state_key,
        to_json_list(s.components), s.alert, s.created_at ? s.created_at : now, now, s.destroy_run);
  }
  for (const Event& e : update.events) insert_event(e, now);
  if (!update.commit.empty())
    db_.exec("UPDATE repositories SET registry_commit = ?, updated_at = ? WHERE id = ?", update.commit, now,
             update.repository_id);
  session.commit();
}

std::vector<StackCode> SqliteStore::stack_codes(const std::string& repository_id) {
  auto session = read("read stack codes");
  SqliteStatement st(db_, std::string("SELECT ") + kStackCodeColumns +
                              " FROM stack_codes WHERE repository_id = ? ORDER BY stack, component");
  st.bind(repository_id);
  std::vector<StackCode> out;
  while (st.step()) out.push_back(read_stack_code(st));
  return out;
}

std::vector<StackState> SqliteStore::stack_states(const std::string& repository_id, const std::string& status) {
  auto session = read("read stack states");
  SqliteStatement st(db_, std::string("SELECT ") + kStackStateColumns +
                              " FROM stack_states WHERE (?1 = '' OR repository_id = ?1) AND (?2 = '' OR status = ?2) "
                              "ORDER BY repository_id, stack, created_at");
  st.bind_all(repository_id, status);
  std::vector<StackState> out;
  while (st.step()) out.push_back(read_stack_state(st));
  return out;
}

std::optional<StackState> SqliteStore::stack_state(const std::string& id) {
  auto session = read("read a stack state");
  SqliteStatement st(db_, std::string("SELECT ") + kStackStateColumns + " FROM stack_states WHERE id = ?");
  if (!st.bind(id).step()) return std::nullopt;
  return read_stack_state(st);
}

// --- events

void SqliteStore::append_event(Event event) {
  auto session = write("append an event");
  insert_event(std::move(event), now_millis());
  session.commit();
}

std::vector<Event> SqliteStore::events(size_t limit, const EventFilter& filter) {
  auto session = read("read events");
  SqliteStatement st(db_, std::string("SELECT ") + kEventColumns +
                              " FROM events WHERE seq > ?1 AND (?2 = 0 OR account = ?3) AND (?4 = '' OR "
                              "repository_id = ?4) AND substr(kind, 1, length(?5)) = ?5 ORDER BY seq LIMIT ?6");
  st.bind_all(filter.after_seq, static_cast<int64_t>(filter.account.has_value()), filter.account.value_or(""),
              filter.repository_id, filter.kind, static_cast<int64_t>(limit));
  std::vector<Event> out;
  while (st.step()) out.push_back(read_event(st));
  return out;
}

// --- pull requests

void SqliteStore::save_pull_request(const PullRequest& p) {
  auto session = write("save a pull request");
  Millis now = now_millis();
  db_.exec(
      "INSERT INTO pull_requests (repository_id, number, state, head_sha, head_ref, base_ref, from_fork, check_run_id, "
      "check_sha, comment_id, plan_run_id, apply_run_id, pending_run, created_at, updated_at, check_status) VALUES (?, ?, "
      "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repository_id, number) DO UPDATE SET state = excluded.state, "
      "head_sha = excluded.head_sha, head_ref = excluded.head_ref, base_ref = excluded.base_ref, "
      "from_fork = excluded.from_fork, check_run_id = excluded.check_run_id, check_sha = excluded.check_sha, "
      "comment_id = excluded.comment_id, plan_run_id = excluded.plan_run_id, apply_run_id = excluded.apply_run_id, "
      "pending_run = excluded.pending_run, updated_at = excluded.updated_at, check_status = excluded.check_status",
      p.repository_id, p.number, p.state, p.head_sha, p.head_ref, p.base_ref, p.from_fork, p.check_run_id, p.check_sha,
      p.comment_id, p.plan_run_id, p.apply_run_id, p.pending_run, p.created_at ? p.created_at : now, now, p.check_status);
  session.commit();
}

std::optional<PullRequest> SqliteStore::pull_request(const std::string& repository_id, int64_t number) {
  auto session = read("read a pull request");
  SqliteStatement st(db_, std::string("SELECT ") + kPullRequestColumns +
                              " FROM pull_requests WHERE repository_id = ? AND number = ?");
  if (!st.bind_all(repository_id, number).step()) return std::nullopt;
  return read_pull_request(st);
}

std::vector<PullRequest> SqliteStore::pull_requests_pending() {
  auto session = read("read pull requests to report");
  SqliteStatement st(db_, std::string("SELECT ") + kPullRequestColumns +
                              " FROM pull_requests WHERE pending_run <> '' ORDER BY updated_at");
  std::vector<PullRequest> out;
  while (st.step()) out.push_back(read_pull_request(st));
  return out;
}

bool SqliteStore::take_pending_run(const std::string& repository_id, int64_t number, const std::string& run_id) {
  auto session = write("take a pull request's report");
  int64_t changed = db_.exec(
      "UPDATE pull_requests SET pending_run = '' WHERE repository_id = ? AND number = ? AND pending_run = ? AND ? <> ''",
      repository_id, number, run_id, run_id);
  session.commit();
  return changed == 1;
}

}  // namespace strata::store
