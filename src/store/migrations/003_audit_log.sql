-- 003_audit_log: who did what, append-only (DESIGN §11.2, §11.6). The state backend writes its
-- force-unlocks, restores and forced writes here first; sign-ins, denials and token changes join
-- them with the identity work.
CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  detail_json TEXT NOT NULL DEFAULT '{}',
  outcome TEXT NOT NULL DEFAULT 'ok',
  remote_address TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at);

-- Who took each Terraform lock ("activity:ID:FENCING_TOKEN", "token:NAME"): an activity leased
-- again after its worker died takes over the lock its earlier lease left.
ALTER TABLE tf_locks ADD COLUMN owner TEXT NOT NULL DEFAULT '';
