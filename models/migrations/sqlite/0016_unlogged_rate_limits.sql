-- Rate-limit counters skip PostgreSQL's write-ahead log (see its
-- migration of this number). SQLite's are kept in memory, and the table
-- stays as it is.
SELECT 1;
