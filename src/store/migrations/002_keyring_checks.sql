-- 002_keyring_checks: one value sealed with each version of the server's key ring
-- (store/keyring.h), written by the first server that starts with that version. A server whose
-- key of a version does not open its check holds another key ring than the one the database's
-- records are sealed with (a replica that made its own), and refuses to start instead of failing
-- on every record later.
CREATE TABLE keyring_checks (
  version BIGINT PRIMARY KEY,
  sealed TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
