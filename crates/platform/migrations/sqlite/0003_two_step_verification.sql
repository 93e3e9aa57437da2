-- Two-step verification for any account (`owner` is `customer:<id>` or `staff:<id>`): a TOTP
-- secret sealed with a key the owner's pool chooses; `enabled_at` is set once the owner has
-- proved their authenticator works; `last_step` refuses a code used before.
CREATE TABLE mfa_secrets (
    owner      TEXT PRIMARY KEY,
    secret_enc BLOB NOT NULL,
    enabled_at INTEGER,
    last_step  INTEGER NOT NULL
);

-- One-time recovery codes, stored as keyed hashes.
CREATE TABLE recovery_codes (
    owner     TEXT NOT NULL,
    code_hash BLOB NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (owner, code_hash)
);

-- Logins waiting for their second step: the password was right, the code is still due.
CREATE TABLE pending_logins (
    token_hash BLOB PRIMARY KEY,
    owner      TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL
);
