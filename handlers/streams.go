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
	// Stall is the longest a download may go without the client taking
	// any of it: a reader that stopped is dropped after it.
	Stall time.Duration
	// MinRate is the least pace, in bytes a second, a download must keep
	// on average after its first two stalls' worth of time: a reader
	// trickling a few bytes now and then, to hold a slot for ever, is
	// dropped, while a reader at any human pace gets the whole list,
	// however long it is.
	MinRate int64
}

// DefaultExportLimits leave an office behind one address a few downloads
// at once, and bound what all of them hold: each holds at most a chunk of
// its list in memory (about a megabyte), so the site holds a few dozen.
// A reader is dropped after 30 s without taking anything, or once it falls
// below 8 KiB/s on average (64 kbit/s, slower than a phone on 2G): a list of
// 1,000,000 entries, about 100 MB, read at 100 kB/s takes 17 minutes and
// arrives whole.
func DefaultExportLimits() ExportLimits {
	return ExportLimits{PerClient: 4, Overall: 32, Stall: writeTimeout, MinRate: 8 << 10}
}

// withDefaults fills the limits left zero with the defaults.
func (l ExportLimits) withDefaults() ExportLimits {
	d := DefaultExportLimits()
	if l.PerClient <= 0 {
		l.PerClient = d.PerClient
	}
	if l.Overall <= 0 {
		l.Overall = d.Overall
	}
	if l.Stall <= 0 {
		l.Stall = d.Stall
	}
	if l.MinRate <= 0 {
		l.MinRate = d.MinRate
	}
	return l
}

const (
	// writeTimeout is the longest a write to a client may wait: the whole
	// answer for a page; a download's stretches without progress have
	// ExportLimits.Stall.
	writeTimeout = 30 * time.Second
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
		// The request's context ends when the handler returns, before the
		// body is written; the download ends when its client stops taking it.
		w := &keepWriting{w: bw, conn: conn, limits: h.streams.limits, start: time.Now()}
		err := write(context.Background(), w)
		switch {
		case w.err != nil && !time.Now().Before(w.deadline):
			h.log.Warn("download dropped: its client stopped reading, or read too slowly", "path", path, "bytes", w.written, "seconds", int(time.Since(w.start).Seconds()))
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
// back as long as the client keeps reading at its pace: the server's write
// timeout runs from the start of an answer, and would cut a long download
// short however fast it is read. Writes wait for the client (the stream's
// buffers are small), so one that goes through means the client took what
// came before. The deadline is Stall from now, but never later than what
// MinRate allows for what was written: two stalls' worth of time, and a
// second for each MinRate bytes.
type keepWriting struct {
	w       io.Writer
	conn    net.Conn
	limits  ExportLimits
	start   time.Time
	pushed  time.Time
	written int64
	// deadline is the connection's write deadline: a write that fails
	// after it failed because the client did not keep up.
	deadline time.Time
	err      error // the first write that failed: the client is gone or too slow
}

func (k *keepWriting) Write(p []byte) (int, error) {
	if now := time.Now(); now.Sub(k.pushed) >= k.limits.Stall/30 {
		deadline := now.Add(k.limits.Stall)
		if paced := k.start.Add(2*k.limits.Stall + time.Duration(k.written)*time.Second/time.Duration(k.limits.MinRate)); paced.Before(deadline) {
			deadline = paced
		}
		k.conn.SetWriteDeadline(deadline)
		k.pushed, k.deadline = now, deadline
	}
	n, err := k.w.Write(p)
	k.written += int64(n)
	if err != nil && k.err == nil {
		k.err = err
	}
	return n, err
}
