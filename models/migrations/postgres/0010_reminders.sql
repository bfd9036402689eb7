-- No oracle: a signature made again with an address that already signed is
-- answered as a new one, and the address's owner is emailed their private
-- link instead. reminded_at is when such an email last went, so that the
-- signing form cannot be used to flood someone's mailbox.
ALTER TABLE signatures ADD COLUMN reminded_at TIMESTAMPTZ;
