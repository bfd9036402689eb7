-- What a letter's follow-through shares between its parts (issue 17):
-- delivering the letter, responses, news to signers who asked, and
-- signatures gathered offline.
--
-- An email may carry a Reply-To (a delivery answers to the coordinators'
-- organisation), a one-click unsubscribe address (RFC 8058, on news to
-- signers) and files (the PDF packet of a delivery). The files are kept
-- beside the message until it is sent, so that a retry sends the same.
ALTER TABLE outbox ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN list_unsubscribe TEXT NOT NULL DEFAULT '';
CREATE TABLE outbox_attachments (
	id           INTEGER PRIMARY KEY,
	outbox_id    BIGINT NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
	filename     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	data         BLOB NOT NULL
);
CREATE INDEX outbox_attachments_outbox ON outbox_attachments(outbox_id);

-- news: the signer ticked "Email me news about this letter". Withdrawal
-- and retention erase it with the rest of what identifies them.
ALTER TABLE signatures ADD COLUMN news BOOLEAN NOT NULL DEFAULT 0;

-- offline_source: a signature gathered on paper or at an event names
-- where ('paper', or the event's name); '' for one signed on the site.
ALTER TABLE signatures ADD COLUMN offline_source TEXT NOT NULL DEFAULT '';

-- A response to the letter is a dated update from its addressee:
-- response_from names who answered ('' for an ordinary update), link
-- points to it elsewhere, and a PDF of it may be kept in update_files,
-- inside the database so that its backup holds it.
ALTER TABLE letter_updates ADD COLUMN response_from TEXT NOT NULL DEFAULT '';
ALTER TABLE letter_updates ADD COLUMN link TEXT NOT NULL DEFAULT '';
CREATE TABLE update_files (
	update_id  BIGINT PRIMARY KEY REFERENCES letter_updates(id) ON DELETE CASCADE,
	filename   TEXT NOT NULL,
	size       BIGINT NOT NULL,
	data       BLOB NOT NULL,
	created_at DATETIME NOT NULL
);
