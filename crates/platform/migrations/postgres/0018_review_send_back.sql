-- Sending an application back for correction (差し戻し): a new state `returned`, in which the
-- customer corrects the account or uploads the document again and sends it anew. A document
-- sent back is kept (`returned_at`) so staff still see it in the application's history; only one
-- current document per side.
ALTER TABLE applications DROP CONSTRAINT applications_status_check;
ALTER TABLE applications ADD CONSTRAINT applications_status_check
    CHECK (status IN ('draft', 'submitted', 'under_review', 'returned', 'approved', 'rejected'));
DROP INDEX applications_one_open;
CREATE UNIQUE INDEX applications_one_open ON applications (customer_id)
    WHERE status IN ('draft', 'submitted', 'under_review', 'returned');
ALTER TABLE application_documents ADD COLUMN returned_at BIGINT;
ALTER TABLE application_documents DROP CONSTRAINT application_documents_application_id_side_key;
CREATE UNIQUE INDEX application_documents_current ON application_documents (application_id, side)
    WHERE returned_at IS NULL;

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
    reason_enc     BYTEA,
    created_at     BIGINT NOT NULL,
    UNIQUE (application_id, seq)
);
CREATE INDEX application_events_customer ON application_events (customer_id);
