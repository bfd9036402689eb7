-- Sign-on campaigns: an organisation's directory of partner organisations,
-- personal invitations to sign a letter, verified endorsements, and the
-- letter settings of a campaign gathered by invitation or before a launch.

-- A partner organisation in one organisation's directory. name_key is the
-- normalised name (see models.NameKey) that catches duplicates; countries
-- and tags are kept one per line.
CREATE TABLE partners (
	id              INTEGER PRIMARY KEY,
	organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	name            TEXT NOT NULL,
	name_key        TEXT NOT NULL,
	countries       TEXT NOT NULL DEFAULT '',
	website         TEXT NOT NULL DEFAULT '',
	tags            TEXT NOT NULL DEFAULT '',
	created_at      DATETIME NOT NULL,
	UNIQUE (organisation_id, name_key)
);

-- The email domains a partner's people write from: a signer for the
-- partner who writes from one of them is verified. A domain belongs to one
-- partner of a directory, which catches duplicates under another name.
CREATE TABLE partner_domains (
	organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	domain          TEXT NOT NULL,
	partner_id      INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
	PRIMARY KEY (organisation_id, domain)
);
CREATE INDEX partner_domains_partner ON partner_domains(partner_id);

-- A person at a partner whom invitations are sent to, in their language.
-- bounced_at is when mail to the address failed for good: it is not
-- mailed again.
CREATE TABLE partner_contacts (
	id         INTEGER PRIMARY KEY,
	partner_id INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL DEFAULT '',
	email      TEXT NOT NULL,
	lang       TEXT NOT NULL DEFAULT '',
	bounced_at DATETIME,
	created_at DATETIME NOT NULL,
	UNIQUE (partner_id, email)
);

-- A personal invitation to sign a letter, one per contact and letter. Its
-- link (token_hash) signs for the partner without review; what became of
-- it is the tracking board: visited (the link was opened, no pixel),
-- signed (signature_id), declined (with an optional reason).
CREATE TABLE sign_invitations (
	id             INTEGER PRIMARY KEY,
	letter_id      INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	partner_id     INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
	contact_id     INTEGER NOT NULL REFERENCES partner_contacts(id) ON DELETE CASCADE,
	token_hash     TEXT NOT NULL UNIQUE,
	invited_by     INTEGER REFERENCES users(id) ON DELETE SET NULL,
	invited_at     DATETIME NOT NULL,
	visited_at     DATETIME,
	signed_at      DATETIME,
	signature_id   INTEGER REFERENCES signatures(id) ON DELETE SET NULL,
	declined_at    DATETIME,
	decline_reason TEXT NOT NULL DEFAULT '',
	UNIQUE (letter_id, contact_id)
);
CREATE INDEX sign_invitations_partner ON sign_invitations(partner_id);

-- Each reminder of an invitation, for the board's dates and the rule of
-- at most one reminder every few days.
CREATE TABLE sign_invitation_reminders (
	invitation_id INTEGER NOT NULL REFERENCES sign_invitations(id) ON DELETE CASCADE,
	sent_at       DATETIME NOT NULL,
	PRIMARY KEY (invitation_id, sent_at)
);

-- The contact a message is addressed to, so that a permanent failure marks
-- the contact bounced.
ALTER TABLE outbox ADD COLUMN contact_id INTEGER REFERENCES partner_contacts(id) ON DELETE SET NULL;

-- How an organisation's signature was verified: 'invitation', 'domain' or
-- 'hand' (by a coordinator: verified_by), empty when it was not.
ALTER TABLE signatures ADD COLUMN verified TEXT NOT NULL DEFAULT ''
	CHECK (verified IN ('', 'invitation', 'domain', 'hand'));
ALTER TABLE signatures ADD COLUMN verified_at DATETIME;
ALTER TABLE signatures ADD COLUMN verified_by INTEGER REFERENCES users(id) ON DELETE SET NULL;

-- A members-only letter takes signatures only through invitations, and
-- from the email domains listed (one per line), if any; an embargoed
-- letter hides its list until list_hidden_until; sent_on is the date the
-- letter was sent, when it differs from the date it went online;
-- mark_verified shows verified organisations as such on the public list.
ALTER TABLE letters ADD COLUMN invitations_only BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE letters ADD COLUMN signer_domains TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN list_hidden_until DATETIME;
ALTER TABLE letters ADD COLUMN sent_on DATETIME;
ALTER TABLE letters ADD COLUMN mark_verified BOOLEAN NOT NULL DEFAULT 0;
