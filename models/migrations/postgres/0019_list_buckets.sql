-- Each section of a letter's public list (organisations, individuals), in
-- each of its two orders, cut into buckets of consecutive entries (level
-- 0), and its buckets into chapters (level 1; a chapter starts where a
-- bucket does): where each starts in the list's order (start_key,
-- start_id; start_key is '' in the order of signing, which orders by id
-- alone) and how many entries it holds. Kept by the transactions that
-- change the list (Store.writeBuckets), so that page N of a list adds up
-- the chapters and buckets before it and seeks into its own, instead of
-- skipping every entry before it. The first bucket and chapter of a
-- section start at ('', 0), before any entry.
CREATE TABLE list_buckets (
	id         BIGSERIAL PRIMARY KEY,
	letter_id  BIGINT NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	kind       TEXT NOT NULL,
	list_order TEXT NOT NULL CHECK (list_order IN ('alphabetical', 'signed')),
	level      INTEGER NOT NULL CHECK (level IN (0, 1)),
	start_key  TEXT NOT NULL,
	start_id   BIGINT NOT NULL,
	n          BIGINT NOT NULL
);
CREATE UNIQUE INDEX list_buckets_start ON list_buckets(letter_id, kind, list_order, level, start_key, start_id);

-- The lists already there, in buckets of 512 entries and chapters of
-- 16,384 (levelSizes).
INSERT INTO list_buckets (letter_id, kind, list_order, level, start_key, start_id, n)
SELECT letter_id, kind, list_order, level, CASE WHEN pos = 0 THEN '' ELSE start_key END, CASE WHEN pos = 0 THEN 0 ELSE id END,
	LEAST(size, total - pos)
FROM (SELECT letter_id, kind, 'alphabetical' AS list_order, sort_key AS start_key, id,
		ROW_NUMBER() OVER (PARTITION BY letter_id, kind ORDER BY sort_key, id) - 1 AS pos,
		COUNT(*) OVER (PARTITION BY letter_id, kind) AS total
	FROM signatures WHERE status = 'listed' AND display <> 'counted'
	UNION ALL
	SELECT letter_id, kind, 'signed', '', id,
		ROW_NUMBER() OVER (PARTITION BY letter_id, kind ORDER BY id) - 1,
		COUNT(*) OVER (PARTITION BY letter_id, kind)
	FROM signatures WHERE status = 'listed' AND display <> 'counted') AS listed
JOIN (SELECT 0 AS level, 512 AS size UNION ALL SELECT 1, 16384) AS levels ON pos % size = 0;
