-- Several instances sharing one database.
--
-- Rate-limit counters, kept like sessions: under the hash of their key (a
-- key names a keyed hash of an IP address, or the account a login tries, so
-- the table never holds a clear address), with an expiry. SQLite runs one process, which keeps its
-- counters in memory; the table is here so that both databases have the
-- same schema.
CREATE TABLE rate_limits (
	key_hash   TEXT PRIMARY KEY,
	data       BLOB NOT NULL,
	expires_at DATETIME NOT NULL
);
CREATE INDEX rate_limits_expires ON rate_limits(expires_at);
