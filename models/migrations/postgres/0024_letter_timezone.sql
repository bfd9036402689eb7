-- A letter's closing date is a day in its timezone (an IANA name): its
-- signatures close at the end of that day there. Letters made before
-- read their date in UTC, as they always did.
ALTER TABLE letters ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
