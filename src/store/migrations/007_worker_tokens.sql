-- 007_worker_tokens: worker join tokens and worker credentials (DESIGN §11.6, #25). Both live in
-- api_tokens with their own role: "worker-join" (admin-made, expiring; can only register a
-- worker) and "worker" (what registering hands the worker; bound to that worker's id here, and
-- able only to lease, heartbeat, fetch code and report as that worker).
ALTER TABLE api_tokens ADD COLUMN worker_id TEXT NOT NULL DEFAULT '';
