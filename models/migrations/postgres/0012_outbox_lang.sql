-- Each email is written in its reader's language, the language of the
-- letter's version they signed, and says so in its Content-Language header.
-- The emails written before were all in English.
ALTER TABLE outbox ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';
