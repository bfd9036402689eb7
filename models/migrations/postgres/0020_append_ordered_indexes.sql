-- Fewer indexes for a new signature to go into, and none at a random
-- place that no read needs.
--
-- SQLite's signing is one writer, and most of each new row's cost was in
-- the indexes that take it. signatures_list_country served the counts by
-- country, which since 0015 are rows of letter_counts: nothing reads it.
-- signatures_status ended in the country, so each new row went to a
-- random place in it, for a review queue filtered by kind and country; by
-- status, kind then id, a new row goes to the end of its status and kind,
-- the queue filtered by kind is read in its order, and a filter by
-- country sieves the rows in review. It also serves the list in the order
-- of signing, which signatures_list_signed (letter_id, kind, id) did: the
-- same order, among the listed rows, read without the entries counted
-- but not named. TestReadsOfSignaturesUseAnIndex checks that no read of
-- signatures scans the table, nor sorts a public list.
DROP INDEX signatures_list_country;
DROP INDEX signatures_list_signed;
DROP INDEX signatures_status;
CREATE INDEX signatures_status ON signatures(letter_id, status, kind, id);
