-- FAPI 2.0 Security Profile for confidential clients (ADR in docs/adr).

-- A client registered with the `fapi2` profile must push its authorization requests (PAR),
-- authenticate with `private_key_jwt` and bind its tokens with DPoP.
ALTER TABLE oauth_clients ADD COLUMN profile TEXT NOT NULL DEFAULT 'standard'
    CHECK (profile IN ('standard', 'fapi2'));

-- Pushed authorization requests (RFC 9126), by the SHA-256 hash of the random part of their
-- `request_uri`. `params` is the request, form-encoded. `used_at` is set when a browser first
-- brings the request to the authorization endpoint; only that browser, holding the secret whose
-- hash is `resume_hash`, may come back to it after logging in, until a code is issued. Requests
-- sent in full are kept here too while the customer logs in. `login_after`: the session that
-- resumes the request must have started after this time (a fresh login was asked for).
CREATE TABLE oidc_par_requests (
    request_hash BYTEA PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    params       TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT,
    resume_hash  BYTEA,
    login_after  BIGINT
);
CREATE INDEX oidc_par_requests_expiry ON oidc_par_requests (expires_at);

-- `jti` of DPoP proofs already seen (RFC 9449 §11.1), per key thumbprint, kept until the proof
-- could no longer be accepted: a replay is refused on every instance.
CREATE TABLE oidc_dpop_jtis (
    jkt        TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (jkt, jti)
);
CREATE INDEX oidc_dpop_jtis_expiry ON oidc_dpop_jtis (expires_at);

-- The DPoP key (RFC 7638 thumbprint) a grant's refresh tokens are bound to, for public and FAPI
-- clients; NULL when they are not bound.
ALTER TABLE oidc_grants ADD COLUMN dpop_jkt TEXT;
