-- Rate-limit counters skip the write-ahead log.
--
-- Every signature counts in three rate limits, each a read and a write of
-- this table committed on its own: logged, each write waited for a flush
-- of the log to disk, three per signature beside the one the signature's
-- batch shares, and signing on PostgreSQL ran at a tenth of SQLite's rate.
-- A counter lost in a crash only forgets requests already served, and
-- the table is emptied after one, as unlogged tables are.
ALTER TABLE rate_limits SET UNLOGGED;
