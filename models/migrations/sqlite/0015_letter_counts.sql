-- A letter's counts by country, day, kind and source, kept by the
-- transactions that move its counters (Store.writeTally), so that the
-- letter's charts and JSON read a few rows instead of grouping every
-- signature. Each counts the listed signatures: named or not by day, kind
-- and source, only the entries shown on the list by country (CountryCounts
-- says why). A key whose signatures all left keeps its row at zero.
CREATE TABLE letter_counts (
	letter_id INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	dimension TEXT NOT NULL CHECK (dimension IN ('country', 'day', 'kind', 'source')),
	key       TEXT NOT NULL,
	n         INTEGER NOT NULL,
	PRIMARY KEY (letter_id, dimension, key)
);

INSERT INTO letter_counts (letter_id, dimension, key, n)
SELECT letter_id, 'country', country, COUNT(*) FROM signatures
WHERE status = 'listed' AND display <> 'counted' GROUP BY letter_id, country;

INSERT INTO letter_counts (letter_id, dimension, key, n)
SELECT letter_id, 'day', date(created_at), COUNT(*) FROM signatures
WHERE status = 'listed' GROUP BY letter_id, date(created_at);

INSERT INTO letter_counts (letter_id, dimension, key, n)
SELECT letter_id, 'kind', kind, COUNT(*) FROM signatures
WHERE status = 'listed' GROUP BY letter_id, kind;

INSERT INTO letter_counts (letter_id, dimension, key, n)
SELECT letter_id, 'source', CASE WHEN email_key LIKE 'import:%' THEN 'import' ELSE 'form' END, COUNT(*) FROM signatures
WHERE status = 'listed' GROUP BY letter_id, CASE WHEN email_key LIKE 'import:%' THEN 'import' ELSE 'form' END;
