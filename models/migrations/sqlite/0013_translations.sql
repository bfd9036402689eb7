-- Translations of a letter's whole text.
--
-- A letter has its original language (letters.lang) and any number of
-- translations, one per language, each drafted and published by a
-- coordinator. Every version shares the letter's one list and count: the
-- signatures stay the letter's, and each records the version its signer read.
CREATE TABLE letter_translations (
	id            INTEGER PRIMARY KEY,
	letter_id     INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	lang          TEXT NOT NULL,
	title         TEXT NOT NULL,
	summary       TEXT NOT NULL DEFAULT '',
	addressees    TEXT NOT NULL DEFAULT '',
	subject       TEXT NOT NULL DEFAULT '',
	salutation    TEXT NOT NULL DEFAULT '',
	body          TEXT NOT NULL DEFAULT '',
	body_html     TEXT NOT NULL DEFAULT '',
	closing       TEXT NOT NULL DEFAULT '',
	closing_html  TEXT NOT NULL DEFAULT '',
	-- the demand groups in the original's order: [{"lead_in": "…", "demands": "one\nper\nline"}]
	demand_groups TEXT NOT NULL DEFAULT '[]',
	-- when it was first published; NULL while it is a draft
	published_at  DATETIME,
	-- when its published text was last corrected, if it was
	corrected_at  DATETIME,
	-- when the original was revised in substance after this translation was
	-- last saved: it may no longer say what the original says
	behind_since  DATETIME,
	created_at    DATETIME NOT NULL,
	updated_at    DATETIME NOT NULL,
	UNIQUE (letter_id, lang)
);

-- The version of the letter the signer read and signed: its language.
-- Every signature so far signed the original.
ALTER TABLE signatures ADD COLUMN lang TEXT NOT NULL DEFAULT '';
UPDATE signatures SET lang = (SELECT lang FROM letters WHERE letters.id = signatures.letter_id);

-- A translation's text as it read up to a revision of its letter, frozen
-- when a change of substance replaced it, as letter_revisions keeps the
-- original's: what the signers of that version agreed to.
CREATE TABLE translation_revisions (
	id            INTEGER PRIMARY KEY,
	letter_id     INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	lang          TEXT NOT NULL,
	number        INTEGER NOT NULL CHECK (number >= 1),
	title         TEXT NOT NULL,
	summary       TEXT NOT NULL DEFAULT '',
	addressees    TEXT NOT NULL DEFAULT '',
	subject       TEXT NOT NULL DEFAULT '',
	salutation    TEXT NOT NULL DEFAULT '',
	body          TEXT NOT NULL DEFAULT '',
	body_html     TEXT NOT NULL DEFAULT '',
	closing       TEXT NOT NULL DEFAULT '',
	closing_html  TEXT NOT NULL DEFAULT '',
	demand_groups TEXT NOT NULL DEFAULT '[]',
	created_at    DATETIME NOT NULL,
	UNIQUE (letter_id, lang, number)
);
