-- Applications for the additional (premium) service. The bank account is sealed with the
-- customer's data key (row and column bound in), so it is shredded with the account. A customer
-- has at most one open application (draft, submitted or under review): the partial unique index
-- makes a second one impossible even under concurrent requests.
CREATE TABLE applications (
    id                 TEXT PRIMARY KEY,
    customer_id        TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'under_review', 'approved', 'rejected')),
    account_enc        BLOB,
    previous_id        TEXT,
    rejection_reason   TEXT,
    rejection_note_enc BLOB,
    decided_by         TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    submitted_at       INTEGER,
    decided_at         INTEGER
);
CREATE UNIQUE INDEX applications_one_open ON applications (customer_id)
    WHERE status IN ('draft', 'submitted', 'under_review');
CREATE INDEX applications_queue ON applications (status, submitted_at);

-- Identity-document images of an application: the encrypted object lives in the object store
-- under `object_key`; this row says whose it is and which side of the document it shows.
CREATE TABLE application_documents (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    customer_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    side           TEXT NOT NULL CHECK (side IN ('front', 'back')),
    kind           TEXT NOT NULL CHECK (kind IN ('jpeg', 'png')),
    object_key     TEXT NOT NULL,
    size_bytes     INTEGER NOT NULL,
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    uploaded_at    INTEGER NOT NULL,
    UNIQUE (application_id, side)
);
CREATE INDEX application_documents_customer ON application_documents (customer_id);

-- What a customer may use beyond the basic service, and which decision granted it.
CREATE TABLE entitlements (
    customer_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name           TEXT NOT NULL CHECK (name IN ('premium')),
    application_id TEXT NOT NULL,
    granted_at     INTEGER NOT NULL,
    PRIMARY KEY (customer_id, name)
);
