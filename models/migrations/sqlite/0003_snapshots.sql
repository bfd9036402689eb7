-- Dated lists and updates.
--
-- A snapshot freezes a letter's public list as it read on a date: each entry
-- as text, as its signer chose to appear then, in list order, with the
-- counts. It is never changed afterwards, so its page reads the same forever.
CREATE TABLE snapshots (
	id                 INTEGER PRIMARY KEY,
	letter_id          INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	as_of              DATE NOT NULL,
	-- the letter's latest snapshot when this one was taken: what "changed since" compares with
	previous_id        INTEGER REFERENCES snapshots(id),
	-- the letter's title and language as they were, since the page never changes
	title              TEXT NOT NULL,
	lang               TEXT NOT NULL,
	organisation_count INTEGER NOT NULL,
	individual_count   INTEGER NOT NULL,
	unlisted_count     INTEGER NOT NULL,
	added_count        INTEGER NOT NULL DEFAULT 0,
	gone_count         INTEGER NOT NULL DEFAULT 0,
	created_at         DATETIME NOT NULL,
	UNIQUE (letter_id, as_of)
);

-- position runs 1…N across the sections, organisations first. occurrence
-- numbers entries of the same kind and text ("Anonymous, Belarus" twice), so
-- that two lists compare entry for entry.
CREATE TABLE snapshot_entries (
	snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	position    INTEGER NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('individual', 'organisation')),
	entry       TEXT NOT NULL,
	occurrence  INTEGER NOT NULL,
	PRIMARY KEY (snapshot_id, position)
) WITHOUT ROWID;
CREATE UNIQUE INDEX snapshot_entries_text ON snapshot_entries(snapshot_id, kind, entry, occurrence);

-- Dated updates a coordinator posts on a letter, in Markdown and rendered.
CREATE TABLE letter_updates (
	id         INTEGER PRIMARY KEY,
	letter_id  INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	posted_on  DATE NOT NULL,
	body       TEXT NOT NULL,
	body_html  TEXT NOT NULL,
	created_at DATETIME NOT NULL
);
CREATE INDEX letter_updates_letter ON letter_updates(letter_id, posted_on, id);
