package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// smtpSink is an SMTP server on loopback, in loadgen's process, that takes
// every email and keeps only counts: the relay of a run that sends news
// (-news), so that the outbox's pace is measured where the mail leaves.
// Its memory does not grow with the emails.
type smtpSink struct {
	srv  *smtp.Server
	addr string
	// news counts the emails with a List-Unsubscribe header, the news to
	// signers; all counts every email.
	news, all atomic.Int64
}

// sinkMaxBytes bounds an email the sink takes: a packet's PDF fits.
const sinkMaxBytes = 32 << 20

// startSMTPSink listens on a free loopback port until ctx ends.
func startSMTPSink(ctx context.Context) (*smtpSink, error) {
	k := &smtpSink{}
	k.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return sinkSession{k}, nil }))
	k.srv.Domain = "sink.loadgen"
	k.srv.ReadTimeout, k.srv.WriteTimeout = 30*time.Second, 30*time.Second
	k.srv.MaxMessageBytes = sinkMaxBytes
	k.srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	k.addr = ln.Addr().String()
	context.AfterFunc(ctx, func() { k.srv.Close() })
	go k.srv.Serve(ln)
	return k, nil
}

// url is the server's -smtp-url for the sink.
func (k *smtpSink) url() string { return (&url.URL{Scheme: "smtp", Host: k.addr}).String() }

// waitQuiet waits until no email has arrived for quiet, or ctx ends.
func (k *smtpSink) waitQuiet(ctx context.Context, quiet time.Duration) {
	last := int64(-1)
	for n := k.all.Load(); n != last && ctx.Err() == nil; n = k.all.Load() {
		last = n
		time.Sleep(quiet)
	}
}

// sinkSession takes one client's emails.
type sinkSession struct{ k *smtpSink }

func (sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (sinkSession) Reset()                               {}
func (sinkSession) Logout() error                        { return nil }

// Data reads the email's header a line at a time, discards the rest, and
// counts the email, as news or not.
func (s sinkSession) Data(r io.Reader) error {
	br := bufio.NewReader(r)
	news := false
	for {
		line, err := br.ReadSlice('\n')
		if len(bytes.TrimSpace(line)) == 0 || err != nil && err != bufio.ErrBufferFull {
			break
		}
		news = news || bytes.HasPrefix(bytes.ToLower(line), []byte("list-unsubscribe:"))
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return err
	}
	if news {
		s.k.news.Add(1)
	}
	s.k.all.Add(1)
	return nil
}
