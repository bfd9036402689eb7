-- News to signers who asked (issue 17): a coordinator sends a dated
-- update, or a response, to the confirmed signers who ticked "Email me
-- news". A send is walked in id order a few signers at a time, each chunk
-- put in the outbox in the transaction that moves after_id past it, so
-- that a restart goes on where it stopped and no signer is sent one
-- update twice; next_at paces the chunks at the configured rate, across
-- restarts too. One send per update: update_id is unique.
CREATE TABLE news_sends (
	id          INTEGER PRIMARY KEY,
	letter_id   BIGINT NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
	update_id   BIGINT NOT NULL UNIQUE REFERENCES letter_updates(id) ON DELETE CASCADE,
	created_at  DATETIME NOT NULL,
	after_id    BIGINT NOT NULL DEFAULT 0,
	sent        BIGINT NOT NULL DEFAULT 0,
	next_at     DATETIME NOT NULL,
	finished_at DATETIME
);
CREATE INDEX news_sends_letter ON news_sends(letter_id);

-- The signers a send walks, and the coordinators' count of them. Ids only
-- grow, so a new entry goes at the end of its letter's: no write at a
-- random place of the index, and only for signers who asked.
CREATE INDEX signatures_news ON signatures(letter_id, id) WHERE news AND status = 'listed';
