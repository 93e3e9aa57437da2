-- Back office. Assignment: the operator who opened a submitted application for review.
-- Maker-checker: the operator who proposed an approval that a second operator must confirm.
ALTER TABLE applications ADD COLUMN assigned_to TEXT;
ALTER TABLE applications ADD COLUMN assigned_at BIGINT;
ALTER TABLE applications ADD COLUMN approval_proposed_by TEXT;
ALTER TABLE applications ADD COLUMN approval_proposed_at BIGINT;

-- Blind index of customers' kana names: a keyed hash of the whole reading and of each of its
-- parts, so operators can find a customer by reading without the database holding it in clear.
CREATE TABLE customer_name_index (
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    token       BYTEA NOT NULL,
    PRIMARY KEY (customer_id, token)
);
CREATE INDEX customer_name_index_token ON customer_name_index (token);

-- Which staff role viewed which of a customer's records, and when: shown to the customer
-- (access transparency). The audit trail holds the same views with the staff member's ID.
CREATE TABLE staff_access (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    staff_role  TEXT NOT NULL CHECK (staff_role IN ('operator', 'admin')),
    subject     TEXT NOT NULL CHECK (subject IN ('profile', 'application', 'document_front', 'document_back')),
    at          BIGINT NOT NULL
);
CREATE INDEX staff_access_customer ON staff_access (customer_id, at);

-- The usage charts count sign-ups and logins per day from the audit trail.
CREATE INDEX audit_log_action_time ON audit_log (action, at_ms);

-- The customer list sorts by registration and by last login.
CREATE INDEX customers_created ON customers (created_at);
CREATE INDEX customers_last_login ON customers (last_login_at);
