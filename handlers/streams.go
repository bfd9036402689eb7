package handlers

import (
	"bufio"
	"context"
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
)

// Streamed downloads: the CSV exports and the print page are written to the
// client as their list is read, a chunk of entries at a time, each chunk in
// a short query of its own (models.Store.EachInSection): a client reading
// slowly holds its own socket and a slot, never a database connection. The
// body is a fasthttp body stream (SetBodyStreamWriter): a layer that
// compresses answers wraps the stream as it is written, without holding the
// whole body, as fasthttp's own compression does.

// ExportLimits bound the streamed downloads in progress at once, so that
// clients holding downloads open cost bounded memory and leave the site's
// other pages alone.
type ExportLimits struct {
	// PerClient is how many one client (one IP address) may have at once.
	PerClient int
	// Overall is how many the site serves at once.
	Overall int
}

// DefaultExportLimits leave an office behind one address a few downloads
// at once, and bound what all of them hold: each holds at most a chunk of
// its list in memory (about a megabyte), so the site holds a few dozen.
func DefaultExportLimits() ExportLimits { return ExportLimits{PerClient: 4, Overall: 32} }

// withDefaults fills the limits left zero with the defaults.
func (l ExportLimits) withDefaults() ExportLimits {
	d := DefaultExportLimits()
	if l.PerClient <= 0 {
		l.PerClient = d.PerClient
	}
	if l.Overall <= 0 {
		l.Overall = d.Overall
	}
	return l
}

const (
	// writeTimeout is the longest a write to a client may wait: the whole
	// answer for a page, each stretch without progress for a download.
	writeTimeout = 30 * time.Second
	// streamTimeout is the longest a download may take in all: a list of
	// 100,000 entries, some 20 MB, read at 35 kB/s.
	streamTimeout = 10 * time.Minute
	// streamRetryAfter is what a refused download's Retry-After says, in
	// seconds: most downloads end within it.
	streamRetryAfter = 10
)

// streamSlots counts the downloads in progress, in all and per client.
type streamSlots struct {
	limits ExportLimits
	mu     sync.Mutex
	total  int
	// clients holds the clients with a download in progress, and how many:
	// never more than limits.Overall of the public, and the coordinators
	// downloading.
	clients map[string]int
}

func newStreamSlots(l ExportLimits) *streamSlots {
	return &streamSlots{limits: l.withDefaults(), clients: map[string]int{}}
}

// take takes a slot for client, and returns the function that gives it
// back; or, when the client or the site has as many downloads as it may,
// nil and the catalogue key of the message that says so. A coordinator's
// download (public false) counts toward their own limit only: the public,
// however many addresses it downloads from, cannot keep a coordinator from
// their list.
func (s *streamSlots) take(client string, public bool) (release func(), full string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.clients[client] >= s.limits.PerClient:
		return nil, "stream.busy.client"
	case public && s.total >= s.limits.Overall:
		return nil, "stream.busy.site"
	}
	s.clients[client]++
	if public {
		s.total++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if public {
				s.total--
			}
			if s.clients[client]--; s.clients[client] == 0 {
				delete(s.clients, client)
			}
		})
	}, ""
}

// stream answers with a body that write writes after the handler returns,
// as the client reads it, in one of the client's download slots: a client
// or a site with all its slots taken is answered 429. begin runs once the
// slot is taken, before the answer starts: it sets the headers, and an
// error it returns is the answer instead.
//
// A download that fails half-way ends without the end of its chunked body,
// so that the client sees it is incomplete rather than a shorter list.
func (h *Handler) stream(c *fiber.Ctx, begin func() error, write func(ctx context.Context, w io.Writer) error) error {
	client, public := h.ipHash(c), true
	if u, ok := c.Locals(localUser).(*models.User); ok {
		client, public = "coordinator:"+strconv.FormatInt(u.ID, 10), false
	}
	release, full := h.streams.take(client, public)
	if release == nil {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(streamRetryAfter))
		title := h.msg(c, "stream.busy.title")
		p := h.page(c, title, ErrorView{Status: fiber.StatusTooManyRequests, Heading: title, Text: h.msg(c, full)})
		return h.render(c, fiber.StatusTooManyRequests, "error", p)
	}
	if err := begin(); err != nil {
		release()
		return err
	}
	conn, path := c.Context().Conn(), h.logPath(c) // as every log line shows a path
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		defer release()
		// The request's context ends when the handler returns, before the body is written.
		until := time.Now().Add(streamTimeout)
		ctx, cancel := context.WithDeadline(context.Background(), until)
		defer cancel()
		w := &keepWriting{w: bw, conn: conn, until: until}
		err := write(ctx, w)
		switch {
		case w.err != nil:
			h.log.Info("download ended by the client", "path", path, "err", w.err)
		case err != nil:
			h.log.Error("download cut short", "path", path, "err", err)
			conn.Close()
		}
	})
	return nil
}

// keepWriting writes a download, and pushes the connection's write deadline
// back as long as the client keeps reading, up to the download's own
// deadline: the server's write timeout runs from the start of an answer,
// and would cut a long download short however fast it is read. A client
// that reads nothing for writeTimeout is still cut off. Writes wait for the
// client (the stream's buffers are small), so one that goes through means
// the client took what came before.
type keepWriting struct {
	w      io.Writer
	conn   net.Conn
	until  time.Time // the download's deadline
	pushed time.Time
	err    error // the first write that failed: the client is gone
}

func (k *keepWriting) Write(p []byte) (int, error) {
	if now := time.Now(); now.Sub(k.pushed) >= time.Second {
		deadline := now.Add(writeTimeout)
		if deadline.After(k.until) {
			deadline = k.until
		}
		k.conn.SetWriteDeadline(deadline)
		k.pushed = now
	}
	n, err := k.w.Write(p)
	if err != nil && k.err == nil {
		k.err = err
	}
	return n, err
}
