-- Failed-login counters shared by every instance: per account (keyed by the e-mail blind index,
-- so unknown addresses are throttled alike and nothing reveals which exist), per client address
-- and per network.
CREATE TABLE auth_throttle (
    key           TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    window_start  BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL
);

-- Where and on what a session was opened, so customers can recognise and end their sessions.
ALTER TABLE sessions ADD COLUMN client_ip TEXT NOT NULL DEFAULT '-';
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '-';
ALTER TABLE sessions ADD COLUMN id TEXT NOT NULL DEFAULT '-';

-- Browsers a customer has logged in from before (hash of a long-lived device cookie).
CREATE TABLE known_devices (
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    device_hash BYTEA NOT NULL,
    first_seen  BIGINT NOT NULL,
    PRIMARY KEY (customer_id, device_hash)
);
