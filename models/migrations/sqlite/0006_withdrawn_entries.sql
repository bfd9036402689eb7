-- A signer who withdraws leaves the dated lists already published too.
--
-- Each frozen entry keeps the signature it was copied from, so that
-- withdrawing it (or a coordinator removing it) deletes the entry from every
-- dated list; the list counts what went, to say "1 entry withdrawn since
-- publication" beside its date. Entries frozen before this migration have no
-- signature: a withdrawal finds them by their text (see legacyEntries).
ALTER TABLE snapshot_entries ADD COLUMN signature_id INTEGER;
CREATE INDEX snapshot_entries_signature ON snapshot_entries(signature_id) WHERE signature_id IS NOT NULL;
ALTER TABLE snapshots ADD COLUMN withdrawn_count INTEGER NOT NULL DEFAULT 0;
