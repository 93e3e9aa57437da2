-- Step-up re-authentication: when the person at a session last proved who they are (password
-- or passkey). Sensitive changes need this to be recent; existing sessions start stale.
ALTER TABLE sessions ADD COLUMN reauth_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff_sessions ADD COLUMN reauth_at INTEGER NOT NULL DEFAULT 0;

-- A factor added shortly before a password reset through the mailbox may be an intruder's: it is
-- suspended (unusable, not deleted) until the owner keeps it from the notice mail.
ALTER TABLE mfa_secrets ADD COLUMN suspended_at INTEGER;
ALTER TABLE passkeys ADD COLUMN suspended_at INTEGER;

-- Links in security notices: "this was not me" undoes what happened since `since`; "keep"
-- restores the factors a reset suspended. Single use, stored as hashes.
CREATE TABLE security_links (
    token_hash  BLOB PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('not_me', 'keep_factors')),
    since       INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX security_links_customer ON security_links (customer_id);
