-- The alphabetical list breaks ties between people of one family name by
-- their whole name, given name first (Signature.listKey): sort_key gains
-- it after a \x01. Go folds the name's diacritics too; SQL cannot, so rows
-- written before this lower-case it only, and keep their order among
-- themselves. A corrected sort name rewrites the key in full.
UPDATE signatures SET sort_key = sort_key || chr(1) || lower(name)
WHERE kind = 'individual' AND display <> 'anonymous' AND name <> '';
