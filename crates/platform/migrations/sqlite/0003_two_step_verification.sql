-- Two-step verification: a TOTP secret sealed with the customer's data key; `enabled_at` is set
-- once the customer has proved their authenticator works; `last_step` refuses a code used before.
CREATE TABLE customer_mfa (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    secret_enc  BLOB NOT NULL,
    enabled_at  INTEGER,
    last_step   INTEGER NOT NULL
);

-- One-time recovery codes, stored as keyed hashes.
CREATE TABLE recovery_codes (
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    code_hash   BLOB NOT NULL,
    used_at     INTEGER,
    PRIMARY KEY (customer_id, code_hash)
);

-- Logins waiting for their second step: the password was right, the code is still due.
CREATE TABLE pending_logins (
    token_hash  BLOB PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL
);
