-- Delivering a letter (issue 17). An addressee line of a letter may carry
-- a role and an email address, kept apart from the public text, which
-- stays as written; position is the line's 0-based index when they were
-- saved, and line its text: the details follow the line's text, so that a
-- line moved or removed in the editor takes its address with it. The
-- address is never public.
CREATE TABLE letter_addressees (
	letter_id BIGINT NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	position  INTEGER NOT NULL,
	line      TEXT NOT NULL,
	role      TEXT NOT NULL DEFAULT '',
	email     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (letter_id, position)
);

-- A delivery of a dated list: sent through the outbox, or recorded by hand
-- (by_hand says how: "in person", "by post"…; '' when emailed). versions
-- are the language tags sent, separated by spaces; attach is 'pdf' or
-- 'link', '' by hand.
CREATE TABLE deliveries (
	id           INTEGER PRIMARY KEY,
	letter_id    BIGINT NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	snapshot_id  BIGINT NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	versions     TEXT NOT NULL,
	message      TEXT NOT NULL,
	attach       TEXT NOT NULL CHECK (attach IN ('', 'pdf', 'link')),
	by_hand      TEXT NOT NULL DEFAULT '',
	delivered_on DATE NOT NULL,
	created_at   DATETIME NOT NULL
);
CREATE INDEX deliveries_letter ON deliveries(letter_id, delivered_on);

-- Each addressee a delivery went to, as the line and role read then, and
-- what became of its email: the outcome is copied from the outbox as the
-- mailer records it, since the outbox forgets its messages after two
-- weeks; 'by_hand' for a delivery recorded by hand.
CREATE TABLE delivery_recipients (
	delivery_id BIGINT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
	position    INTEGER NOT NULL,
	addressee   TEXT NOT NULL,
	role        TEXT NOT NULL,
	outbox_id   BIGINT REFERENCES outbox(id) ON DELETE SET NULL,
	outcome     TEXT NOT NULL CHECK (outcome IN ('pending', 'sent', 'deferred', 'bounced', 'by_hand')),
	PRIMARY KEY (delivery_id, position)
);
CREATE INDEX delivery_recipients_outbox ON delivery_recipients(outbox_id) WHERE outbox_id IS NOT NULL;
