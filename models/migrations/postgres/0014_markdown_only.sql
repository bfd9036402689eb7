-- Markdown is the only text stored: pages render a letter's text when they
-- are read (views.RenderMarkdown), so that a change of the renderer or of
-- its sanitiser reaches every row at once. The HTML rendered when each row
-- was written goes, and with it whatever an older sanitiser let through.
ALTER TABLE letters DROP COLUMN body_html;
ALTER TABLE letters DROP COLUMN closing_html;
ALTER TABLE letter_revisions DROP COLUMN body_html;
ALTER TABLE letter_revisions DROP COLUMN closing_html;
ALTER TABLE letter_translations DROP COLUMN body_html;
ALTER TABLE letter_translations DROP COLUMN closing_html;
ALTER TABLE translation_revisions DROP COLUMN body_html;
ALTER TABLE translation_revisions DROP COLUMN closing_html;
ALTER TABLE letter_updates DROP COLUMN body_html;
