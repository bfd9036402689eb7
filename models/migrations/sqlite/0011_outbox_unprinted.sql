-- Every signature now has an email, and with no SMTP server configured the
-- mailer prints the outbox's unprinted messages to the console, oldest
-- first. Without an index, each round read past every message printed
-- before: a cost that grew with the outbox.
CREATE INDEX outbox_unprinted ON outbox(id) WHERE sent_at IS NULL AND printed_at IS NULL;
