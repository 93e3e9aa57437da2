-- Operations console. Figures each process samples, summed per minute: counters are added to
-- the row of their process, gauges overwrite it; charts add the processes up.
CREATE TABLE metric_samples (
    minute   INTEGER NOT NULL,
    metric   TEXT NOT NULL,
    instance TEXT NOT NULL,
    value    INTEGER NOT NULL,
    PRIMARY KEY (minute, metric, instance)
);
CREATE INDEX metric_samples_metric ON metric_samples (metric, minute);

-- Every running process says which roles it runs, every few seconds.
CREATE TABLE instances (
    instance   TEXT PRIMARY KEY,
    roles      TEXT NOT NULL,
    version    TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL
);

-- Recent warning- and error-level log events of every process, with their request IDs. The
-- messages are the same fixed texts the JSON log carries: no personal data or secrets.
CREATE TABLE log_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms      INTEGER NOT NULL,
    instance   TEXT NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('warn', 'error')),
    target     TEXT NOT NULL,
    message    TEXT NOT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX log_events_time ON log_events (at_ms);

-- Alerts: one row per incident. At most one open (pending or firing) per rule and subject, so
-- a condition that lasts raises one alert, not a flood.
CREATE TABLE alerts (
    id              TEXT PRIMARY KEY,
    rule            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('failure', 'security')),
    state           TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
    detail          TEXT NOT NULL,
    started_at      INTEGER NOT NULL,
    fired_at        INTEGER,
    last_seen_at    INTEGER NOT NULL,
    resolved_at     INTEGER,
    notified_at     INTEGER,
    reminders       INTEGER NOT NULL DEFAULT 0,
    acknowledged_by TEXT,
    acknowledged_at INTEGER
);
CREATE UNIQUE INDEX alerts_open ON alerts (rule, subject) WHERE state IN ('pending', 'firing');
CREATE INDEX alerts_started ON alerts (started_at);

-- Jobs only one process may run at a time (alert evaluation, audit checkpoints): the holder
-- renews its lease; another process takes over when it runs out.
CREATE TABLE leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  INTEGER NOT NULL
);

-- Signed checkpoints of the audit chain: the hash at a sequence number, signed with an Ed25519
-- key derived from a system key (wrapped by the master key). A rewritten or truncated tail no
-- longer matches its checkpoint.
CREATE TABLE audit_checkpoints (
    seq        INTEGER PRIMARY KEY,
    hash       BLOB NOT NULL,
    at_ms      INTEGER NOT NULL,
    public_key BLOB NOT NULL,
    signature  BLOB NOT NULL
);

-- Retention: entries older than the retention period are deleted up to a checkpoint, and only
-- inside a transaction that holds this permit; every other delete is still refused.
CREATE TABLE audit_prune_permit (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_prune_permit)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Searching the audit trail by actor, target, address and request, newest first.
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_target ON audit_log (target, seq);
CREATE INDEX audit_log_client_ip ON audit_log (client_ip, seq);
CREATE INDEX audit_log_time ON audit_log (at_ms);
CREATE INDEX audit_log_request ON audit_log (request_id);

-- Backup runs and their automatic restore checks, for the dashboard and the backup alert.
CREATE TABLE backup_runs (
    id          TEXT PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    detail      TEXT NOT NULL,
    bytes       INTEGER
);
CREATE INDEX backup_runs_started ON backup_runs (started_at);
