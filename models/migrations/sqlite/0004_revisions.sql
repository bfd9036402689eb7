-- Revisions of a letter's text.
--
-- Once anyone has signed, editing the text no longer changes what they
-- agreed to: the text they signed is frozen here as a numbered revision and
-- the edit becomes the next one. Every signature records the revision its
-- signer agreed to.
CREATE TABLE letter_revisions (
	id            INTEGER PRIMARY KEY,
	letter_id     INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	number        INTEGER NOT NULL CHECK (number >= 1),
	title         TEXT NOT NULL,
	summary       TEXT NOT NULL DEFAULT '',
	initiators    TEXT NOT NULL DEFAULT '',
	addressees    TEXT NOT NULL DEFAULT '',
	subject       TEXT NOT NULL DEFAULT '',
	salutation    TEXT NOT NULL DEFAULT '',
	body          TEXT NOT NULL DEFAULT '',
	body_html     TEXT NOT NULL DEFAULT '',
	closing       TEXT NOT NULL DEFAULT '',
	closing_html  TEXT NOT NULL DEFAULT '',
	-- the demand groups in order: [{"lead_in": "…", "demands": "one\nper\nline"}]
	demand_groups TEXT NOT NULL DEFAULT '[]',
	-- when this text became the letter's current one; revision 1's is the publication
	created_at    DATETIME NOT NULL,
	created_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
	UNIQUE (letter_id, number)
);

-- The current revision's number, and when it was made (NULL for revision 1,
-- whose date is the publication); the text itself stays in letters and demand_groups.
ALTER TABLE letters ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE letters ADD COLUMN revised_at DATETIME;

-- The revision the signer agreed to; every signature so far agreed to the only one.
ALTER TABLE signatures ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
-- The signer's link to agree to a later revision (or withdraw), stored hashed
-- and erased with the email, and the revision they were last asked about, so
-- that no one is asked twice.
ALTER TABLE signatures ADD COLUMN reconfirm_token_hash TEXT;
ALTER TABLE signatures ADD COLUMN reconfirm_asked INTEGER;
CREATE UNIQUE INDEX signatures_reconfirm_token ON signatures(reconfirm_token_hash) WHERE reconfirm_token_hash IS NOT NULL;
CREATE INDEX signatures_revision ON signatures(letter_id, revision, id);

-- Revision 1 of every existing letter is its text as it reads now.
INSERT INTO letter_revisions (letter_id, number, title, summary, initiators, addressees, subject, salutation,
	body, body_html, closing, closing_html, demand_groups, created_at)
SELECT l.id, 1, l.title, l.summary, l.initiators, l.addressees, l.subject, l.salutation,
	l.body, l.body_html, l.closing, l.closing_html,
	coalesce((SELECT json_group_array(json_object('lead_in', g.lead_in, 'demands', g.demands))
		FROM (SELECT lead_in, demands FROM demand_groups WHERE letter_id = l.id ORDER BY position) g), '[]'),
	coalesce(l.published_at, l.created_at)
FROM letters l;

-- A dated list keeps, beside an entry whose signer had agreed to an earlier
-- revision than the letter's current one that day, the revision they signed.
-- It is not part of the entry's text, so that a signer agreeing to the new
-- text later is not counted as gone and added again.
ALTER TABLE snapshot_entries ADD COLUMN signed_revision INTEGER;
