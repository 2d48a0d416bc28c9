-- 005_saved_plans: plans kept by the server (DESIGN §11.3, #22). A plan activity's plan file
-- (base64) and its stamp (what it was made from), sealed at rest like states, with the serial
-- of the component's state when the plan was saved; an apply run made from a plan run applies
-- exactly these, on any worker, and is refused as stale when that state has moved since.
CREATE TABLE saved_plans (
  activity_id TEXT PRIMARY KEY REFERENCES activities (id),
  state_key TEXT NOT NULL,
  state_serial BIGINT NOT NULL,
  plan_file TEXT NOT NULL,
  stamp TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- An apply run made from a plan run names it, and each of its activities the plan activity
-- whose saved plan it applies.
ALTER TABLE operations ADD COLUMN plan_run_id TEXT NOT NULL DEFAULT '';
ALTER TABLE activities ADD COLUMN plan_activity_id TEXT NOT NULL DEFAULT '';
