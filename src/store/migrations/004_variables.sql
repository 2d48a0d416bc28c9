-- 004_variables: variable sets (DESIGN §11.7, #22) — environment variables an activity's engine
-- and stack files see (cloud credentials, SOPS_AGE_KEY for secrets()), per repository or per
-- stack of it ('' = every stack). Values are sealed at rest like states; a sensitive one is
-- never shown by the API and is redacted from logs.
CREATE TABLE variables (
  repository_id TEXT NOT NULL REFERENCES repositories (id),
  stack TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  sensitive INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (repository_id, stack, name)
);
