-- Nothing derived from a signer's IP address stays in the database: the
-- keyed hash kept with each signature could be reversed by anyone holding a
-- copy of the database, which also held its key. Rate limits hash client
-- addresses with a key of the day kept outside the database.
UPDATE signatures SET ip_hash = '';
ALTER TABLE signatures DROP COLUMN ip_hash;
DELETE FROM settings WHERE name = 'ip';
-- Counters keyed with the old key would never match again.
DELETE FROM rate_limits;
