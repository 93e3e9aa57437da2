-- The staff pool: business operators and administrators. Second-factor secrets live in
-- mfa_secrets under owner `staff:<id>`; a session stays enrol-only until MFA is done.
CREATE TABLE staff (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    roles         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    last_login_at INTEGER
);

CREATE TABLE staff_sessions (
    id_hash      BLOB PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    mfa_done     INTEGER NOT NULL CHECK (mfa_done IN (0, 1))
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
