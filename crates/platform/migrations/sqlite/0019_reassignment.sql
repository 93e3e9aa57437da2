-- Taking over a colleague's case is a step of the review's history, with the reason the new
-- operator gave (sealed like the other reasons). SQLite cannot change a CHECK constraint, so the
-- table is rebuilt with the new kind allowed; no table refers to it.
CREATE TABLE application_events_next (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    customer_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('approval_proposed', 'override_proposed', 'approved', 'rejected', 'returned', 'resubmitted', 'reassigned')),
    staff_id       TEXT,
    item           TEXT CHECK (item IN ('front', 'back', 'account')),
    reason_enc     BLOB,
    created_at     INTEGER NOT NULL,
    UNIQUE (application_id, seq)
);
INSERT INTO application_events_next (id, application_id, customer_id, seq, kind, staff_id, item, reason_enc, created_at)
    SELECT id, application_id, customer_id, seq, kind, staff_id, item, reason_enc, created_at FROM application_events;
DROP TABLE application_events;
ALTER TABLE application_events_next RENAME TO application_events;
CREATE INDEX application_events_customer ON application_events (customer_id);
