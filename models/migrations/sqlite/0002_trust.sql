-- Trustworthy signatures and safe signers: confirmation by email, review,
-- display choices, withdrawal, an outbox for mail, an audit log, retention.

ALTER TABLE letters ADD COLUMN confirm_email BOOLEAN NOT NULL DEFAULT 1;
ALTER TABLE letters ADD COLUMN review_individuals BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE letters ADD COLUMN review_organisations BOOLEAN NOT NULL DEFAULT 1;
ALTER TABLE letters ADD COLUMN allow_indexing BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE letters ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 180;
ALTER TABLE letters ADD COLUMN closed_at DATETIME;
-- Signatures counted but not named on the list, by the signer's choice.
ALTER TABLE letters ADD COLUMN unlisted_count INTEGER NOT NULL DEFAULT 0;
UPDATE letters SET closed_at = updated_at WHERE state = 'closed';

-- A signature is on the list and the count only when its status is 'listed'.
ALTER TABLE signatures ADD COLUMN status TEXT NOT NULL DEFAULT 'listed'
	CHECK (status IN ('unconfirmed', 'in_review', 'listed', 'rejected'));
ALTER TABLE signatures ADD COLUMN display TEXT NOT NULL DEFAULT 'full'
	CHECK (display IN ('full', 'anonymous', 'counted'));
-- Tokens of the signer's links are stored hashed; they are erased with the email.
ALTER TABLE signatures ADD COLUMN confirm_token_hash TEXT;
ALTER TABLE signatures ADD COLUMN confirm_expires_at DATETIME;
ALTER TABLE signatures ADD COLUMN confirmed_at DATETIME;
ALTER TABLE signatures ADD COLUMN manage_token_hash TEXT;
-- A keyed hash of the signer's IP address, never the address itself.
ALTER TABLE signatures ADD COLUMN ip_hash TEXT NOT NULL DEFAULT '';

DROP INDEX signatures_alphabetical;
DROP INDEX signatures_signed;
-- The public list reads listed, named signatures only; these partial indexes serve it.
CREATE INDEX signatures_list_alphabetical ON signatures(letter_id, kind, sort_key, id)
	WHERE status = 'listed' AND display <> 'counted';
CREATE INDEX signatures_list_signed ON signatures(letter_id, kind, id)
	WHERE status = 'listed' AND display <> 'counted';
CREATE INDEX signatures_status ON signatures(letter_id, status, kind, country, id);
-- The chart and counts of named entries by country.
CREATE INDEX signatures_list_country ON signatures(letter_id, country) WHERE status = 'listed' AND display <> 'counted';
CREATE UNIQUE INDEX signatures_confirm_token ON signatures(confirm_token_hash) WHERE confirm_token_hash IS NOT NULL;
CREATE UNIQUE INDEX signatures_manage_token ON signatures(manage_token_hash) WHERE manage_token_hash IS NOT NULL;

-- Who did what to a letter's signatures, and when. A signer's withdrawal is
-- recorded without anything that names them.
-- signature_id lets a withdrawal erase what earlier entries said of the signer.
CREATE TABLE audit_log (
	id           INTEGER PRIMARY KEY,
	letter_id    INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
	signature_id INTEGER,
	action       TEXT NOT NULL,
	detail       TEXT NOT NULL DEFAULT '',
	created_at   DATETIME NOT NULL
);
CREATE INDEX audit_log_letter ON audit_log(letter_id, id);
CREATE INDEX audit_log_signature ON audit_log(signature_id) WHERE signature_id IS NOT NULL;
INSERT INTO audit_log (letter_id, user_id, action, detail, created_at)
	SELECT letter_id, removed_by, 'remove', entry || ' — ' || reason, removed_at FROM signature_removals;
DROP TABLE signature_removals;

-- Mail is written here in the transaction that causes it, then delivered by
-- a background sender: a message survives a restart and is sent once.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	recipient       TEXT NOT NULL,
	subject         TEXT NOT NULL,
	body            TEXT NOT NULL,
	created_at      DATETIME NOT NULL,
	next_attempt_at DATETIME NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	sent_at         DATETIME,
	printed_at      DATETIME,
	-- set when the server refused the message for good (a 5xx reply)
	given_up_at     DATETIME
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE sent_at IS NULL AND given_up_at IS NULL;
-- A withdrawal deletes the mail sent to its signer.
CREATE INDEX outbox_sent_to ON outbox(recipient) WHERE sent_at IS NOT NULL;
