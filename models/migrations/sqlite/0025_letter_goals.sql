-- A letter's goals: the signatures counted and the organisations listed
-- it aims for, 0 for none. Reaching one is recorded once as a dated
-- update of the letter, a milestone (its kind, 'signatures' or
-- 'organisations', and the goal reached), which the unique index keeps to
-- one per goal even when signatures come and go around it.
ALTER TABLE letters ADD COLUMN signature_goal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letters ADD COLUMN organisation_goal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_updates ADD COLUMN milestone TEXT NOT NULL DEFAULT ''
	CHECK (milestone IN ('', 'signatures', 'organisations'));
ALTER TABLE letter_updates ADD COLUMN goal INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX letter_updates_milestone ON letter_updates(letter_id, milestone, goal) WHERE milestone <> '';
