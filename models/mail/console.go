package mail

import (
	"context"
	"fmt"
	"io"
)

// Console is the Sender of a server without SMTP: it prints each email,
// links and all, so that the embedded default works end to end on one
// machine, and sends nothing. The Mailer prints each message once and
// leaves it unsent in the outbox.
type Console struct {
	W io.Writer
	// Local says the site is reached on loopback only, so that whoever
	// reads the console is whoever signs: only then does it show the
	// recipient, for them to know whom to pass the links to.
	Local bool
}

// Send prints m.
func (c *Console) Send(_ context.Context, m Message) error {
	to := m.To
	if !c.Local {
		to = "(hidden: this site is not on this machine alone)"
	}
	_, err := fmt.Fprintf(c.W, "\nEmail %d, not sent: no SMTP server is configured (UNDERSIGNED_SMTP_URL).\nTo: %s\nSubject: %s\n\n%s\n", m.ID, to, m.Subject, m.Body)
	return err
}
