-- One row that every process rewrites at each readiness probe: a database that answers reads
-- but cannot store a write (a full disk, a read-only standby) makes the process not ready.
CREATE TABLE write_probe (
    id    INTEGER PRIMARY KEY,
    at_ms BIGINT NOT NULL
);
