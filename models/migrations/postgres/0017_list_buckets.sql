-- Each section of a letter's public list (organisations, individuals), in
-- each of its two orders, cut into buckets of consecutive entries: where
-- each bucket starts in the list's order (start_key, start_id; sort_key is
-- '' in the order of signing, which orders by id alone) and how many
-- entries it holds. Kept by the transactions that change the list
-- (Store.writeBuckets), so that page N of a list adds up the buckets before
-- it and seeks into its own, instead of skipping every entry before it.
-- The first bucket of a section starts at ('', 0), before any entry.
CREATE TABLE list_buckets (
	id         BIGSERIAL PRIMARY KEY,
	letter_id  BIGINT NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	kind       TEXT NOT NULL,
	list_order TEXT NOT NULL CHECK (list_order IN ('alphabetical', 'signed')),
	start_key  TEXT NOT NULL,
	start_id   BIGINT NOT NULL,
	n          BIGINT NOT NULL
);
CREATE UNIQUE INDEX list_buckets_start ON list_buckets(letter_id, kind, list_order, start_key, start_id);

-- The lists already there, in buckets of 512 (bucketSize).
INSERT INTO list_buckets (letter_id, kind, list_order, start_key, start_id, n)
SELECT letter_id, kind, 'alphabetical', CASE WHEN pos = 0 THEN '' ELSE sort_key END, CASE WHEN pos = 0 THEN 0 ELSE id END,
	LEAST(512, total - pos)
FROM (SELECT letter_id, kind, sort_key, id,
		ROW_NUMBER() OVER (PARTITION BY letter_id, kind ORDER BY sort_key, id) - 1 AS pos,
		COUNT(*) OVER (PARTITION BY letter_id, kind) AS total
	FROM signatures WHERE status = 'listed' AND display <> 'counted') AS listed
WHERE pos % 512 = 0;

INSERT INTO list_buckets (letter_id, kind, list_order, start_key, start_id, n)
SELECT letter_id, kind, 'signed', '', CASE WHEN pos = 0 THEN 0 ELSE id END, LEAST(512, total - pos)
FROM (SELECT letter_id, kind, id,
		ROW_NUMBER() OVER (PARTITION BY letter_id, kind ORDER BY id) - 1 AS pos,
		COUNT(*) OVER (PARTITION BY letter_id, kind) AS total
	FROM signatures WHERE status = 'listed' AND display <> 'counted') AS listed
WHERE pos % 512 = 0;
