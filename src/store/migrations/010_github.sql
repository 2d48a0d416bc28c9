-- 010_github: GitHub webhooks and the stack-code registry (DESIGN §11.4, #23).
--
-- A repository names its GitHub repository ("owner/name", lower-case: what a webhook payload's
-- repository.full_name is matched against) and keeps its webhook secret sealed at rest
-- (webhook_secret, from 001). registry_commit is the commit of the default branch the stack-code
-- registry was last brought up to: the next push is diffed against it.
ALTER TABLE repositories ADD COLUMN github TEXT NOT NULL DEFAULT '';
ALTER TABLE repositories ADD COLUMN registry_commit TEXT NOT NULL DEFAULT '';
-- A stack whose code is removed is destroyed (with the code of the commit before) instead of
-- kept loose.
ALTER TABLE repositories ADD COLUMN auto_destroy INTEGER NOT NULL DEFAULT 0;
CREATE INDEX repositories_github ON repositories (github);

-- Every webhook delivery whose signature held, by GitHub's X-GitHub-Delivery id: the outbox the
-- server answers from at once and processes later (status queued → processing → done | failed
-- | ignored). A redelivery of a delivery that finished changes nothing. The payload is sealed
-- at rest (it may name private code); claimed_until lets another replica take over a delivery
-- whose processor died.
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  repository_id TEXT NOT NULL DEFAULT '',
  event TEXT NOT NULL,
  action TEXT NOT NULL DEFAULT '',
  payload TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  outcome TEXT NOT NULL DEFAULT '',
  attempt INTEGER NOT NULL DEFAULT 0,
  claimed_until BIGINT NOT NULL DEFAULT 0,
  received_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (status, received_at);

-- A stack state (one per deployed stack, 001) knows the components it holds state for — what a
-- re-association is checked against — carries an alert when a force-push dropped the commit it
-- was registered at, and names the destroy run of a repository with auto_destroy (status
-- destroying, then destroyed).
ALTER TABLE stack_states ADD COLUMN components_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE stack_states ADD COLUMN alert TEXT NOT NULL DEFAULT '';
ALTER TABLE stack_states ADD COLUMN destroy_run TEXT NOT NULL DEFAULT '';
-- The webhook thread looks for stack states being destroyed every second.
CREATE INDEX stack_states_status ON stack_states (status);

-- Events (DESIGN §11.2: the outbox hooks and notifications will read): what happened, in order
-- (seq), to which repository of which account. Appended, never changed.
CREATE TABLE events (
  id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  account TEXT NOT NULL DEFAULT '',
  repository_id TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  detail_json TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL
);
CREATE INDEX events_seq ON events (seq);
INSERT INTO counters (name, value) VALUES ('event_seq', 0);
