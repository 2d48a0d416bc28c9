-- 001_initial: the control plane's first schema (DESIGN §11.2) — repositories, runs
-- ("operations", the seed's name) with their activities, logs, workers, API tokens and the
-- Terraform http backend's states and locks, plus the seed's stack_codes, stack_states and
-- git_cache, present but unused in this slice.
--
-- The same text runs on SQLite and PostgreSQL 15, so it keeps to what both read alike: TEXT ids
-- (UUIDs), BIGINT milliseconds since the epoch (UTC), INTEGER 0/1 for booleans, no
-- AUTOINCREMENT/SERIAL (counters live in the `counters` table), lists as JSON text.

-- The store creates this table itself before it looks for applied migrations (it must exist
-- before 001 runs); it is repeated here so this file shows the whole schema.
CREATE TABLE IF NOT EXISTS schema_migrations (
  name TEXT PRIMARY KEY,
  applied_at BIGINT NOT NULL
);

-- Store-wide counters, bumped inside the transaction that needs the next value:
-- fencing_token (every lease gets a greater one) and operation_seq (orders runs created in the
-- same millisecond).
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('fencing_token', 0);
INSERT INTO counters (name, value) VALUES ('operation_seq', 0);

CREATE TABLE repositories (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  default_branch TEXT NOT NULL DEFAULT 'main',
  webhook_secret TEXT NOT NULL DEFAULT '',
  credentials_ref TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX repositories_name ON repositories (name);

-- A run. locked_stacks_json lists the stacks an apply/destroy changes; one such run at a time
-- holds each (repository, stack).
CREATE TABLE operations (
  id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  repository_id TEXT NOT NULL REFERENCES repositories (id),
  command TEXT NOT NULL,
  commit_hash TEXT NOT NULL DEFAULT '',
  selection_json TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL,
  status_reason TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL DEFAULT '',
  locked_stacks_json TEXT NOT NULL DEFAULT '[]',
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX operations_created ON operations (created_at, seq);
CREATE INDEX operations_status ON operations (status, created_at, seq);

-- One component's part of a run. position keeps the order the run planner wrote them in (the
-- lease order within a run).
CREATE TABLE activities (
  id TEXT PRIMARY KEY,
  operation_id TEXT NOT NULL REFERENCES operations (id),
  position INTEGER NOT NULL,
  stack TEXT NOT NULL,
  component TEXT NOT NULL,
  command TEXT NOT NULL,
  status TEXT NOT NULL,
  required_capabilities_json TEXT NOT NULL DEFAULT '[]',
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_until BIGINT NOT NULL DEFAULT 0,
  fencing_token BIGINT NOT NULL DEFAULT 0,
  attempt INTEGER NOT NULL DEFAULT 0,
  outputs_json TEXT NOT NULL DEFAULT '',
  changes_json TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  started_at BIGINT NOT NULL DEFAULT 0,
  finished_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- The lease query walks queued activities; expiry walks leased/running ones by lease_until.
CREATE INDEX activities_status ON activities (status, lease_until);
CREATE INDEX activities_operation ON activities (operation_id, position);
-- The lease query: a run's queued activities in their order, without passing the finished ones.
CREATE INDEX activities_queue ON activities (operation_id, status, position);

CREATE TABLE activity_deps (
  activity_id TEXT NOT NULL REFERENCES activities (id),
  depends_on_id TEXT NOT NULL REFERENCES activities (id),
  position INTEGER NOT NULL,
  PRIMARY KEY (activity_id, depends_on_id)
);
-- Finding the dependents of a failed activity.
CREATE INDEX activity_deps_depends_on ON activity_deps (depends_on_id);

-- key_version: the key ring version the data is encrypted under (0 = not encrypted yet, §11.7).
CREATE TABLE log_chunks (
  activity_id TEXT NOT NULL REFERENCES activities (id),
  seq BIGINT NOT NULL,
  data TEXT NOT NULL,
  key_version INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (activity_id, seq)
);

CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  version TEXT NOT NULL DEFAULT '',
  capabilities_json TEXT NOT NULL DEFAULT '[]',
  registered_at BIGINT NOT NULL,
  last_heartbeat BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Only the hex SHA-256 of a token is kept; a request's token is found by its hash.
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  hash TEXT NOT NULL,
  admin INTEGER NOT NULL DEFAULT 0,
  expires_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (hash);

-- Every version of every state is kept (history, rollback); a DELETE marks the versions deleted
-- rather than losing them.
CREATE TABLE tf_states (
  key TEXT NOT NULL,
  version BIGINT NOT NULL,
  serial BIGINT NOT NULL DEFAULT 0,
  lineage TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL,
  key_version INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (key, version)
);

CREATE TABLE tf_locks (
  key TEXT PRIMARY KEY,
  lock_id TEXT NOT NULL,
  info_json TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- The seed's records for registered stack code, in a later slice: one row per component of a
-- stack as found at a commit.
CREATE TABLE stack_codes (
  id TEXT PRIMARY KEY,
  repository_id TEXT NOT NULL REFERENCES repositories (id),
  stack TEXT NOT NULL,
  component TEXT NOT NULL,
  path TEXT NOT NULL DEFAULT '',
  commit_hash TEXT NOT NULL DEFAULT '',
  source_hash TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX stack_codes_component ON stack_codes (repository_id, stack, component);

-- A deployed stack's state: active while its code is registered, loose once the code is gone
-- (the state is kept until re-associated or destroyed).
CREATE TABLE stack_states (
  id TEXT PRIMARY KEY,
  repository_id TEXT NOT NULL REFERENCES repositories (id),
  stack TEXT NOT NULL,
  stack_code_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'active',
  commit_hash TEXT NOT NULL DEFAULT '',
  state_key TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX stack_states_stack ON stack_states (repository_id, stack);

-- File contents by (repository, commit, path), as the seed's cache-then-fetch flow keeps them.
CREATE TABLE git_cache (
  repository_id TEXT NOT NULL REFERENCES repositories (id),
  commit_hash TEXT NOT NULL,
  path TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (repository_id, commit_hash, path)
);
