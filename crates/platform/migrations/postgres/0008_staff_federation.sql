-- Staff accounts that sign in through the corporate directory: the directory's issuer and
-- subject identify the person; the account is created at the first sign-in.
CREATE TABLE staff_federated_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    staff_id   TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);

-- Sign-ins sent to the corporate directory and not yet back: the state (by hash), the nonce
-- the ID token must carry and the PKCE verifier, sealed with the staff system key.
CREATE TABLE staff_federation_logins (
    state_hash   BYTEA PRIMARY KEY,
    nonce        TEXT NOT NULL,
    verifier_enc BYTEA NOT NULL,
    expires_at   BIGINT NOT NULL
);
