-- Several instances sharing one database.
--
-- Rate-limit counters, kept like sessions: under the hash of their key (a
-- key names a keyed hash of an IP address, or the account a login tries, so
-- the table never holds a clear address), with an expiry, so that every instance counts the same
-- requests.
CREATE TABLE rate_limits (
	key_hash   TEXT PRIMARY KEY,
	data       BYTEA NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX rate_limits_expires ON rate_limits(expires_at);
