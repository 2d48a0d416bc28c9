-- 006_token_roles: API tokens with a role and an optional set of repositories (DESIGN §11.6,
-- #25). Roles: viewer < operator < maintainer < admin; a token made before roles keeps what it
-- could do (admin stays admin, a plain token becomes an operator). Revoked tokens are kept
-- (revoked_at) so the audit log's actors stay named; last_used_at is written at most once a
-- minute per token.
ALTER TABLE api_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'viewer';
UPDATE api_tokens SET role = CASE WHEN admin <> 0 THEN 'admin' ELSE 'operator' END;
ALTER TABLE api_tokens ADD COLUMN repositories_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE api_tokens ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN revoked_at BIGINT NOT NULL DEFAULT 0;
