-- 009_accounts: accounts (DESIGN §11.6, #25). An account is an organisation — a GitHub
-- organisation or a local team — that owns repositories (repositories.account) and so their
-- runs, states and variables; its tokens and sessions see nothing of another account's. A
-- repository or token of no account ('') is the server's own.
CREATE TABLE accounts (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL DEFAULT 'local',
  rate_limit TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
ALTER TABLE repositories ADD COLUMN account TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN account TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN account TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_account ON audit_log (account, created_at);
