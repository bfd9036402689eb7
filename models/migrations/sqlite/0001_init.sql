-- Coordinators, their organisations and sessions.
CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
);

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created_at    DATETIME NOT NULL
);

CREATE TABLE organisations (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	created_at DATETIME NOT NULL
);

CREATE TABLE memberships (
	user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	created_at      DATETIME NOT NULL,
	PRIMARY KEY (user_id, organisation_id)
);
CREATE INDEX memberships_organisation ON memberships(organisation_id);

CREATE TABLE invitations (
	id              INTEGER PRIMARY KEY,
	organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	token_hash      TEXT NOT NULL UNIQUE,
	created_by      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	expires_at      DATETIME NOT NULL,
	used_at         DATETIME
);

-- Session keys are stored hashed: a copy of the database does not log anyone in.
CREATE TABLE sessions (
	key_hash   TEXT PRIMARY KEY,
	data       BLOB NOT NULL,
	expires_at DATETIME NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Letters. Addressees, initiators and each group's demands are stored one per line.
CREATE TABLE letters (
	id              INTEGER PRIMARY KEY,
	organisation_id INTEGER NOT NULL REFERENCES organisations(id),
	slug            TEXT NOT NULL UNIQUE,
	title           TEXT NOT NULL,
	summary         TEXT NOT NULL DEFAULT '',
	initiators      TEXT NOT NULL DEFAULT '',
	addressees      TEXT NOT NULL DEFAULT '',
	subject         TEXT NOT NULL DEFAULT '',
	salutation      TEXT NOT NULL DEFAULT '',
	body            TEXT NOT NULL DEFAULT '',
	body_html       TEXT NOT NULL DEFAULT '',
	closing         TEXT NOT NULL DEFAULT '',
	closing_html    TEXT NOT NULL DEFAULT '',
	lang            TEXT NOT NULL DEFAULT 'en',
	signers         TEXT NOT NULL DEFAULT 'both' CHECK (signers IN ('individuals', 'organisations', 'both')),
	listed          BOOLEAN NOT NULL DEFAULT 1,
	list_order      TEXT NOT NULL DEFAULT 'alphabetical' CHECK (list_order IN ('alphabetical', 'signed')),
	state           TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed')),
	closes_on       DATETIME,
	published_at    DATETIME,
	list_changed_at DATETIME,
	-- Counters kept by the transactions that add and remove signatures.
	individual_count   INTEGER NOT NULL DEFAULT 0,
	organisation_count INTEGER NOT NULL DEFAULT 0,
	created_at      DATETIME NOT NULL,
	updated_at      DATETIME NOT NULL
);
CREATE INDEX letters_public ON letters(state, listed, published_at);
CREATE INDEX letters_organisation ON letters(organisation_id);

CREATE TABLE demand_groups (
	id        INTEGER PRIMARY KEY,
	letter_id INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	position  INTEGER NOT NULL,
	lead_in   TEXT NOT NULL,
	demands   TEXT NOT NULL,
	UNIQUE (letter_id, position)
);

-- Signatures. email_key is the normalised email behind the one-signature-per-email rule;
-- sort_key is the folded sort name the alphabetical list is ordered by.
CREATE TABLE signatures (
	id          INTEGER PRIMARY KEY,
	letter_id   INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	kind        TEXT NOT NULL CHECK (kind IN ('individual', 'organisation')),
	name        TEXT NOT NULL,
	affiliation TEXT NOT NULL DEFAULT '',
	role        TEXT NOT NULL DEFAULT '',
	country     TEXT NOT NULL,
	country2    TEXT NOT NULL DEFAULT '',
	email       TEXT NOT NULL,
	email_key   TEXT NOT NULL,
	sort_name   TEXT NOT NULL,
	sort_key    TEXT NOT NULL,
	created_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX signatures_letter_email ON signatures(letter_id, email_key);
CREATE INDEX signatures_alphabetical ON signatures(letter_id, kind, sort_key, id);
CREATE INDEX signatures_signed ON signatures(letter_id, kind, id);

-- A removed signature leaves the list; what remains is who removed which entry and why.
CREATE TABLE signature_removals (
	id         INTEGER PRIMARY KEY,
	letter_id  INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	removed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
	entry      TEXT NOT NULL,
	reason     TEXT NOT NULL,
	removed_at DATETIME NOT NULL
);
CREATE INDEX signature_removals_letter ON signature_removals(letter_id, removed_at);
