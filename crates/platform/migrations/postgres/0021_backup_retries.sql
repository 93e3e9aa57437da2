-- A scheduled instant may take several runs: one interrupted (its process stopped or died) or
-- failed is tried again. `slot` stays the claim, unique, held by the run in progress or the
-- one that succeeded; a run that fails or is interrupted gives it up. `scheduled_for` keeps
-- the instant every run was for, and `retry_at` when a failed instant may be tried again.
ALTER TABLE backup_runs ADD COLUMN scheduled_for BIGINT;
ALTER TABLE backup_runs ADD COLUMN retry_at BIGINT;
UPDATE backup_runs SET scheduled_for = slot;
CREATE INDEX backup_runs_scheduled ON backup_runs (scheduled_for);
