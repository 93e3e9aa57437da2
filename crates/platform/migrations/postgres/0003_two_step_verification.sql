-- Two-step verification: a TOTP secret sealed with the customer's data key; `enabled_at` is set
-- once the customer has proved their authenticator works; `last_step` refuses a code used before.
CREATE TABLE customer_mfa (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    secret_enc  BYTEA NOT NULL,
    enabled_at  BIGINT,
    last_step   BIGINT NOT NULL
);

-- One-time recovery codes, stored as keyed hashes.
CREATE TABLE recovery_codes (
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    code_hash   BYTEA NOT NULL,
    used_at     BIGINT,
    PRIMARY KEY (customer_id, code_hash)
);

-- Logins waiting for their second step: the password was right, the code is still due.
CREATE TABLE pending_logins (
    token_hash  BYTEA PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    expires_at  BIGINT NOT NULL,
    attempts    BIGINT NOT NULL
);
