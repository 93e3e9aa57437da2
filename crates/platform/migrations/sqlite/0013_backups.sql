-- Backup runs, now with what each backup held, where it went and how its test restore came out.
-- Nothing wrote the table before this release, so it is simply redefined.
DROP TABLE backup_runs;
CREATE TABLE backup_runs (
    id           TEXT PRIMARY KEY,
    reason       TEXT NOT NULL CHECK (reason IN ('schedule', 'manual')),
    -- The scheduled instant a run was for: one run per instant, whichever worker starts it.
    slot         INTEGER UNIQUE,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    status       TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    detail       TEXT NOT NULL,
    name         TEXT,
    bytes        INTEGER,
    records      INTEGER,
    documents    INTEGER,
    drill        TEXT CHECK (drill IN ('passed', 'failed', 'skipped')),
    destinations TEXT NOT NULL
);
CREATE INDEX backup_runs_started ON backup_runs (started_at);
