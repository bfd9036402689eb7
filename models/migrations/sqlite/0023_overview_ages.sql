-- The coordinators' overview counts a letter's signatures by status and
-- age: those unconfirmed for more than 48 hours, and those made in the
-- last 24 hours in each status. This index seeks both ranges, where
-- signatures_status (letter_id, status, kind, id) would read every row
-- of a status, such as all of a large letter's listed signatures.
-- TestOverviewAndSearchUseIndexes checks the plans.
CREATE INDEX signatures_status_created ON signatures(letter_id, status, created_at);
