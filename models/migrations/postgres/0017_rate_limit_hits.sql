-- Rate-limit counters counted in one statement.
--
-- A counter was a blob read and written back: two round trips for each of
-- a signature's limits, under a lock in each process, and instances
-- sharing the database could count one request for two. A window's count
-- in a column of its own is counted by one INSERT … ON CONFLICT DO UPDATE
-- … RETURNING, atomic whoever counts. The login throttle keeps its blob.
ALTER TABLE rate_limits ADD COLUMN hits BIGINT NOT NULL DEFAULT 0;
