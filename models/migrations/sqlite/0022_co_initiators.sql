-- Co-initiators: other organisations on Undersigned that initiate a letter
-- with the organisation that drafted it, their coordinators acting on it as
-- the drafter's do; the invitations that ask them; and the organisation
-- each audit entry's coordinator acted for.

-- An organisation co-initiating a letter, since one of its coordinators
-- (accepted_by) accepted the invitation. The initiators shown above the
-- letter follow the order of acceptance.
CREATE TABLE letter_co_initiators (
	letter_id       INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	accepted_by     INTEGER REFERENCES users(id) ON DELETE SET NULL,
	accepted_at     DATETIME NOT NULL,
	PRIMARY KEY (letter_id, organisation_id)
);
CREATE INDEX letter_co_initiators_organisation ON letter_co_initiators(organisation_id);

-- An invitation, emailed to a coordinator of another organisation, to
-- co-initiate a letter. Its link (token_hash) works for any coordinator
-- until it expires; organisation_id is the organisation that accepted.
CREATE TABLE co_initiation_invitations (
	id              INTEGER PRIMARY KEY,
	letter_id       INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	email           TEXT NOT NULL,
	token_hash      TEXT NOT NULL UNIQUE,
	invited_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
	invited_at      DATETIME NOT NULL,
	expires_at      DATETIME NOT NULL,
	accepted_at     DATETIME,
	organisation_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL
);
CREATE INDEX co_initiation_invitations_letter ON co_initiation_invitations(letter_id);

-- The organisation the coordinator of an entry acted for. Until now a
-- letter's coordinators were its organisation's.
ALTER TABLE audit_log ADD COLUMN organisation_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL;
UPDATE audit_log SET organisation_id = (SELECT organisation_id FROM letters WHERE letters.id = audit_log.letter_id)
	WHERE user_id IS NOT NULL;
