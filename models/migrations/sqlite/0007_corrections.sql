-- Corrections of a letter's text.
--
-- A coordinator may correct typos or formatting of a signed text without
-- making a new revision: signers are not asked again and their entries keep
-- no mark. The letter says when its text was last corrected, and the audit
-- log who did it; a new revision clears the date.
ALTER TABLE letters ADD COLUMN corrected_at DATETIME;
