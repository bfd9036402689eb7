package mail

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// Console is the Sender of a server without SMTP: it prints each email,
// links and all, so that the embedded default works end to end on one
// machine, and sends nothing. The Mailer prints each message once and
// leaves it unsent in the outbox.
//
// A crowd signing on such a server would print an email per signature,
// about 420 bytes each: 107 MB in a minute of loadgen's signing run, until
// the disk under the console's log is full. So the console prints the
// first ConsoleBurst emails whole, which is more than anyone clicking
// through their own tests reads, then one every ConsolePace, and says in a
// line of its own how many it left out. However many sign, it prints at
// most 10 emails a minute after the first 100, and as many of those lines.
type Console struct {
	W io.Writer
	// Local says the site is reached on loopback only, so that whoever
	// reads the console is whoever signs: only then does it show the
	// recipient, for them to know whom to pass the links to.
	Local bool

	mu      sync.Mutex
	now     func() time.Time // time.Now; a test's clock
	left    int              // emails it may print now
	filled  time.Time        // when left was last topped up
	omitted int              // emails left out since a line said so
	said    time.Time        // when it last wrote
}

// How many emails the console prints at once, and then how often it
// prints one, and says how many it left out since it last did.
const (
	ConsoleBurst = 100
	ConsolePace  = 6 * time.Second
)

// Send prints m, or counts it left out when the console printed its share.
func (c *Console) Send(_ context.Context, m Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock()
	if !c.take(now) {
		c.omitted++
		return nil
	}
	if err := c.sayOmitted(now); err != nil {
		return err
	}
	to := m.To
	if !c.Local {
		to = "(hidden: this site is not on this machine alone)"
	}
	if _, err := fmt.Fprintf(c.W, "\nEmail %d, not sent: no SMTP server is configured (UNDERSIGNED_SMTP_URL).\nTo: %s\n", m.ID, to); err != nil {
		return err
	}
	if m.ReplyTo != "" && c.Local {
		fmt.Fprintf(c.W, "Reply-To: %s\n", m.ReplyTo)
	}
	for _, a := range m.Attachments {
		fmt.Fprintf(c.W, "Attached: %s (%s, %d bytes)\n", a.Filename, a.ContentType, len(a.Data))
	}
	_, err := fmt.Fprintf(c.W, "Subject: %s\n\n%s\n", m.Subject, m.Body)
	return err
}

// ReportOmitted says how many emails the console left out since it last
// said so, if any, once a pace has passed since it last wrote: after a
// crowd, whoever reads the console learns how many it did not show.
func (c *Console) ReportOmitted() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.clock(); now.Sub(c.said) >= ConsolePace {
		return c.sayOmitted(now)
	}
	return nil
}

// sayOmitted writes how many emails were left out, if any, with c.mu held.
func (c *Console) sayOmitted(now time.Time) error {
	c.said = now
	if c.omitted == 0 {
		return nil
	}
	n := c.omitted
	c.omitted = 0
	_, err := fmt.Fprintf(c.W, "\n%d more emails not printed: the console shows %d, then one every %s; set UNDERSIGNED_SMTP_URL to send them.\n", n, ConsoleBurst, ConsolePace)
	return err
}

// take reports whether the console may print an email at now, and counts
// it: a token bucket of ConsoleBurst, one more every ConsolePace.
func (c *Console) take(now time.Time) bool {
	if c.filled.IsZero() {
		c.left, c.filled = ConsoleBurst, now
	}
	gained := int(now.Sub(c.filled) / ConsolePace)
	c.left += gained
	c.filled = c.filled.Add(time.Duration(gained) * ConsolePace)
	if c.left >= ConsoleBurst {
		c.left, c.filled = ConsoleBurst, now
	}
	if c.left == 0 {
		return false
	}
	c.left--
	return true
}

func (c *Console) clock() time.Time {
	if c.now == nil {
		return time.Now()
	}
	return c.now()
}
