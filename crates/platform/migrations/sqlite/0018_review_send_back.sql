-- Sending an application back for correction (差し戻し): a new state `returned`, in which the
-- customer corrects the account or uploads the document again and sends it anew. A document
-- sent back is kept (`returned_at`) so staff still see it in the application's history; only one
-- current document per side. SQLite cannot change a CHECK constraint, so `applications` and its
-- child `application_documents` are rebuilt: the new tables are filled, the old ones dropped
-- (children first, so nothing cascades), and the renames carry the foreign key over.
CREATE TABLE applications_v18 (
    id                   TEXT PRIMARY KEY,
    customer_id          TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    status               TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'under_review', 'returned', 'approved', 'rejected')),
    account_enc          BLOB,
    previous_id          TEXT,
    rejection_reason     TEXT,
    rejection_note_enc   BLOB,
    decided_by           TEXT,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    submitted_at         INTEGER,
    decided_at           INTEGER,
    assigned_to          TEXT,
    assigned_at          INTEGER,
    approval_proposed_by TEXT,
    approval_proposed_at INTEGER
);
INSERT INTO applications_v18 (id, customer_id, status, account_enc, previous_id, rejection_reason,
    rejection_note_enc, decided_by, created_at, updated_at, submitted_at, decided_at, assigned_to,
    assigned_at, approval_proposed_by, approval_proposed_at)
SELECT id, customer_id, status, account_enc, previous_id, rejection_reason, rejection_note_enc,
    decided_by, created_at, updated_at, submitted_at, decided_at, assigned_to, assigned_at,
    approval_proposed_by, approval_proposed_at
FROM applications;

CREATE TABLE application_documents_v18 (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications_v18 (id) ON DELETE CASCADE,
    customer_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    side           TEXT NOT NULL CHECK (side IN ('front', 'back')),
    kind           TEXT NOT NULL CHECK (kind IN ('jpeg', 'png')),
    object_key     TEXT NOT NULL,
    size_bytes     INTEGER NOT NULL,
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    uploaded_at    INTEGER NOT NULL,
    returned_at    INTEGER
);
INSERT INTO application_documents_v18 (id, application_id, customer_id, side, kind, object_key,
    size_bytes, width, height, uploaded_at)
SELECT id, application_id, customer_id, side, kind, object_key, size_bytes, width, height, uploaded_at
FROM application_documents;

DROP TABLE application_documents;
DROP TABLE applications;
ALTER TABLE applications_v18 RENAME TO applications;
ALTER TABLE application_documents_v18 RENAME TO application_documents;
CREATE UNIQUE INDEX applications_one_open ON applications (customer_id)
    WHERE status IN ('draft', 'submitted', 'under_review', 'returned');
CREATE INDEX applications_queue ON applications (status, submitted_at);
CREATE UNIQUE INDEX application_documents_current ON application_documents (application_id, side)
    WHERE returned_at IS NULL;
CREATE INDEX application_documents_customer ON application_documents (customer_id);

-- The review's history: every step taken on an application (approval proposed, approved,
-- rejected, sent back for correction, sent again by the customer), numbered in order per
-- application (`seq`), so the review page shows the whole story as a timeline. A proposal that overrides a difference from the core banking
-- system carries the operator's written reason, sealed with the customer's data key (row and
-- column bound in), so it is shredded with the customer; so does a send-back's reason, with the
-- item sent back (`item`: a side of the identity document, or the account).
CREATE TABLE application_events (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    customer_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('approval_proposed', 'override_proposed', 'approved', 'rejected', 'returned', 'resubmitted')),
    staff_id       TEXT,
    item           TEXT CHECK (item IN ('front', 'back', 'account')),
    reason_enc     BLOB,
    created_at     INTEGER NOT NULL,
    UNIQUE (application_id, seq)
);
CREATE INDEX application_events_customer ON application_events (customer_id);
