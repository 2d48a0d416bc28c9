-- 011_pull_requests: what strata keeps of a GitHub pull request (DESIGN §11.4, #23) — its head,
-- the one check run of that head and the one comment strata edits (never a new one per push),
-- the plan and apply runs it started, and the run whose end is still to be reported to GitHub
-- (pending_run: a replica that reports it takes it, so it is reported once).
CREATE TABLE pull_requests (
  repository_id TEXT NOT NULL REFERENCES repositories (id),
  number BIGINT NOT NULL,
  state TEXT NOT NULL DEFAULT 'open',
  head_sha TEXT NOT NULL DEFAULT '',
  head_ref TEXT NOT NULL DEFAULT '',
  base_ref TEXT NOT NULL DEFAULT '',
  from_fork INTEGER NOT NULL DEFAULT 0,
  check_run_id BIGINT NOT NULL DEFAULT 0,
  check_sha TEXT NOT NULL DEFAULT '',
  check_status TEXT NOT NULL DEFAULT '',
  comment_id BIGINT NOT NULL DEFAULT 0,
  plan_run_id TEXT NOT NULL DEFAULT '',
  apply_run_id TEXT NOT NULL DEFAULT '',
  pending_run TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (repository_id, number)
);
CREATE INDEX pull_requests_pending ON pull_requests (pending_run);
