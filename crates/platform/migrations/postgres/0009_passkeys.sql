-- Passkeys (WebAuthn credentials) of customers and staff (`owner` as in mfa_secrets). The
-- credential with its public key and counter is sealed like the owner's other secrets (a
-- customer's data key, so it is shredded with the account).
CREATE TABLE passkeys (
    id            TEXT PRIMARY KEY,
    owner         TEXT NOT NULL,
    credential_id BYTEA NOT NULL UNIQUE,
    passkey_enc   BYTEA NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_owner ON passkeys (owner);

-- Registrations and sign-ins waiting for the browser's answer: the challenge state, single use,
-- five minutes. `owner` is `-` for a sign-in that does not yet know who is coming.
CREATE TABLE passkey_ceremonies (
    token_hash BYTEA PRIMARY KEY,
    purpose    TEXT NOT NULL CHECK (purpose IN ('register', 'login', 'second_step')),
    owner      TEXT NOT NULL,
    state      TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
