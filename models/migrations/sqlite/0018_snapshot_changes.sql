-- The first changes each dated list shows since the one before, kept when
-- it is published, and again when a withdrawal changes either list: looking
-- for them at every request walked the whole list when they were few, a
-- million entries on a viral letter. 100 of each side are kept (the
-- store's changesKept).
CREATE TABLE snapshot_changes (
	snapshot_id     INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	side            TEXT NOT NULL CHECK (side IN ('added', 'gone')),
	-- on the list the entry is on: this one if added, the previous one if gone
	position        INTEGER NOT NULL,
	kind            TEXT NOT NULL,
	entry           TEXT NOT NULL,
	signed_revision INTEGER,
	PRIMARY KEY (snapshot_id, side, position)
);

INSERT INTO snapshot_changes (snapshot_id, side, position, kind, entry, signed_revision)
SELECT snapshot_id, side, position, kind, entry, signed_revision FROM (
	SELECT s.id AS snapshot_id, 'added' AS side, e.position, e.kind, e.entry, e.signed_revision,
		ROW_NUMBER() OVER (PARTITION BY s.id ORDER BY e.position) AS n
	FROM snapshots s JOIN snapshot_entries e ON e.snapshot_id = s.id
	WHERE s.previous_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM snapshot_entries p
		WHERE p.snapshot_id = s.previous_id AND p.kind = e.kind AND p.entry = e.entry AND p.occurrence = e.occurrence)
	UNION ALL
	SELECT s.id AS snapshot_id, 'gone' AS side, e.position, e.kind, e.entry, e.signed_revision,
		ROW_NUMBER() OVER (PARTITION BY s.id ORDER BY e.position) AS n
	FROM snapshots s JOIN snapshot_entries e ON e.snapshot_id = s.previous_id
	WHERE NOT EXISTS (SELECT 1 FROM snapshot_entries p
		WHERE p.snapshot_id = s.id AND p.kind = e.kind AND p.entry = e.entry AND p.occurrence = e.occurrence)
) AS changes
WHERE n <= 100;
