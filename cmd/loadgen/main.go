// Command loadgen measures Undersigned under load, on this machine and over
// loopback only. It fills a new database with an open letter and its
// signatories, starts the real server on it, drives one scenario with
// vegeta at a constant rate or a fixed concurrency, and drives the
// server's plainest route, GET /healthz, the same way in the same run as a
// baseline: every figure is printed beside its ratio to the baseline's, which
// says more than absolute figures on a shared machine do.
//
//	go -C cmd/loadgen run . -scenario letter -signatures 10000 -workers 64 -duration 20s
//
// It is a module of its own, so that vegeta and what it brings stay out of
// the product's go.mod and go.sum; it runs from its directory, and paths
// given to -db and -server are relative to it.
//
// Scenarios: letter (GET the letter's page), letter-json (its JSON), list
// (GET a page of its list of signatories), list-last and list-json-last
// (the list's last page, as HTML and as JSON), index (GET /), print (GET
// the print page of the whole list, each answer read to its end and
// checked whole), packet (GET its delivery packet, a PDF), sign (POST
// signatures: valid ones with a new email each, and a share of duplicates
// and of invalid forms, each outcome checked), sign+letter (sign with all
// workers but -readers, while those readers GET the letter page one after
// another, their slowest answer reported).
// The attack stops by itself after -duration or -max-requests, and the
// server is stopped at the end.
//
// -client wrk drives the baseline and the scenario with wrk instead (4.1,
// with LuaJIT; not print), a second client independent of Go's: wrk -t 2
// -c workers -d duration --latency, with a Lua script, embedded here, that
// makes the sign scenario's requests and counts every answer's status by
// kind. The same checks follow; a signature in flight when wrk stopped may
// or may not be stored, and is counted apart. Without wrk installed, the
// run fails: it never falls back to vegeta.
//
//	go -C cmd/loadgen run . -client wrk -scenario sign -signatures 1000000 -workers 64 -duration 10s
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// scenarios are the -scenario values.
var scenarios = []string{"letter", "letter-json", "list", "list-last", "list-json-last", "index", "print", "packet", "sign", "sign+letter"}

// config is what the flags say.
type config struct {
	db          string
	server      string
	scenario    string
	client      string
	wrk         string // the wrk binary, found when the client is wrk
	version     string
	signatures  int
	batch       int
	rate        int
	workers     int
	duration    time.Duration
	maxRequests int
	page        int
	duplicates  float64
	invalid     float64
	gzip        bool
	clientKey   string
	readers     int
	news        int
	newsRate    int
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.db, "db", "", "SQLite file to create and fill, which the server then uses; it must not exist yet (default: a file in a temporary directory, removed at the end); or a postgres:// URL of a PostgreSQL server, on which loadgen creates a database for the run and drops it at the end")
	fs.StringVar(&c.clientKey, "client-key", "", "the server's -client-key, at least 16 bytes: with it, the rate limits by client count in the database on PostgreSQL, as instances sharing it do (default: none, each process its own key)")
	fs.StringVar(&c.server, "server", "", "the undersigned binary to start (default: built from the undersigned module's ./cmd/undersigned into a temporary directory)")
	fs.StringVar(&c.scenario, "scenario", "letter", "what to load: letter (GET the letter page), letter-json (GET its JSON), list (GET a page of its signatories), list-last (GET their last page), list-json-last (GET the last page of their JSON), index (GET /), print (GET the print page of the whole list, at most 2 at once, each read whole), packet (GET its delivery packet, a PDF), sign (POST signatures), sign+letter (sign while -readers GET the letter page)")
	fs.IntVar(&c.signatures, "signatures", 10_000, "signatories the letter has before the run, at most 1,000,000")
	fs.IntVar(&c.batch, "batch", 10_000, "signatories inserted per transaction while preparing")
	fs.IntVar(&c.rate, "rate", 0, "requests per second; 0 sends as fast as -workers connections allow")
	fs.IntVar(&c.workers, "workers", 64, "connections in flight: the fixed concurrency when -rate is 0, the most in flight at a -rate")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "length of each of the two attacks (baseline, then scenario), at most 10m")
	fs.IntVar(&c.maxRequests, "max-requests", 2_000_000, "requests per attack at most")
	fs.StringVar(&c.client, "client", "vegeta", "the load client: vegeta, in this process, or wrk, the wrk binary (-t 2, -c -workers, whole seconds of -duration; no -rate, no -max-requests, not print)")
	fs.StringVar(&c.version, "version", "", "the version of the letter read and signed: its original (empty) or fr, a French translation published for the run at /letters/{slug}/fr")
	fs.IntVar(&c.page, "page", 50, "page of the list of signatories the list scenario asks for")
	fs.Float64Var(&c.duplicates, "duplicates", 0.1, "share of sign requests with the email of a signatory already on the letter (303 expected, as for a new one)")
	fs.BoolVar(&c.gzip, "gzip", true, "ask for gzipped answers, as browsers do, and read them compressed (-gzip=false: uncompressed answers)")
	fs.Float64Var(&c.invalid, "invalid", 0.1, "share of sign requests with an invalid form (422 expected)")
	fs.IntVar(&c.readers, "readers", 4, "sign+letter: the workers that GET the letter page, one page after another each, while the others sign")
	fs.IntVar(&c.news, "news", 0, "sign: signatories of the prepared list who asked for news; with more than 0 the run signs twice, alone and then while the coordinator's update is emailed to them through an SMTP sink on loopback, and compares the two")
	fs.IntVar(&c.newsRate, "news-rate", 6000, "with -news: the server's -news-rate, news emails a minute")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	maxRequests := false
	fs.Visit(func(f *flag.Flag) { maxRequests = maxRequests || f.Name == "max-requests" })
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case !slices.Contains(scenarios, c.scenario):
		return c, fmt.Errorf("-scenario %q: want one of %s", c.scenario, strings.Join(scenarios, ", "))
	case c.signatures < 0 || c.signatures > 1_000_000:
		return c, fmt.Errorf("-signatures %d: want 0 to 1,000,000", c.signatures)
	case c.batch < 1:
		return c, fmt.Errorf("-batch %d: want at least 1", c.batch)
	case c.rate < 0:
		return c, fmt.Errorf("-rate %d: want 0 or more", c.rate)
	case c.rate > 0 && c.scenario == "print":
		return c, errors.New("-rate: print reads whole pages one after another, at no rate")
	case c.workers < 1 || c.workers > 10_000:
		return c, fmt.Errorf("-workers %d: want 1 to 10,000", c.workers)
	case c.duration <= 0 || c.duration > 10*time.Minute:
		return c, fmt.Errorf("-duration %s: want more than 0, at most 10m", c.duration)
	case c.maxRequests < 1:
		return c, fmt.Errorf("-max-requests %d: want at least 1", c.maxRequests)
	case c.version != "" && c.version != "fr":
		return c, fmt.Errorf("-version %q: want empty (the original) or fr", c.version)
	case c.page < 1:
		return c, fmt.Errorf("-page %d: want at least 1", c.page)
	case c.duplicates < 0 || c.invalid < 0 || c.duplicates+c.invalid > 1:
		return c, fmt.Errorf("-duplicates %g and -invalid %g: want shares between 0 and 1 that add up to at most 1", c.duplicates, c.invalid)
	case c.scenario == "sign+letter" && (c.readers < 1 || c.readers >= c.workers):
		return c, fmt.Errorf("-readers %d: want 1 to -workers - 1 (%d)", c.readers, c.workers-1)
	case strings.HasPrefix(c.scenario, "sign") && c.duplicates > 0 && c.signatures == 0:
		return c, errors.New("-duplicates needs signatories to duplicate: -signatures above 0")
	case c.news < 0 || c.news > c.signatures:
		return c, fmt.Errorf("-news %d: want 0 to -signatures (%d)", c.news, c.signatures)
	case c.news > 0 && c.client == "wrk":
		// Its emails are wrk<thread>-<n>@example.org in every run: the
		// second, beside the send, would sign the first one's again.
		return c, errors.New("-news -client wrk: a run with news signs twice, and wrk's emails repeat from one run to the next, so the second would only sign duplicates; use -client vegeta")
	case c.news > 0 && c.scenario != "sign":
		return c, errors.New("-news: the send is measured beside signing: -scenario sign")
	case c.newsRate < 1 || c.newsRate > 60000:
		return c, fmt.Errorf("-news-rate %d: want 1 to 60000", c.newsRate)
	case c.client != "vegeta" && c.client != "wrk":
		return c, fmt.Errorf("-client %q: want vegeta or wrk", c.client)
	case c.client == "wrk" && (c.rate > 0 || maxRequests || c.scenario == "print" || c.scenario == "sign+letter"):
		return c, errors.New("-client wrk: wrk runs one scenario at a fixed concurrency for a duration (no -rate, no -max-requests, no sign+letter), and does not read print pages whole")
	case c.client == "wrk" && (c.duration < time.Second || c.duration%time.Second != 0):
		return c, fmt.Errorf("-client wrk -duration %s: wrk takes whole seconds", c.duration)
	}
	return c, nil
}

func run(ctx context.Context, args []string, out io.Writer) error {
	cfg, err := parseFlags(args, os.Stderr)
	if err != nil {
		return err
	}
	if cfg.client == "wrk" {
		if cfg.wrk, err = findWrk(); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "loadgen-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	db := cfg.db
	if db == "" {
		db = filepath.Join(tmp, "undersigned.db")
	} else if _, err := os.Stat(db); err == nil {
		return fmt.Errorf("-db %s exists already: loadgen fills a new database", db)
	}
	db, drop, err := newDatabase(ctx, db)
	if err != nil {
		return err
	}
	defer drop()

	began := time.Now()
	p, err := prepare(ctx, db, cfg.signatures, cfg.batch, cfg.news, cfg.version == "fr")
	slug := p.slug
	if err != nil {
		return fmt.Errorf("prepare %s: %w", shownDB(db), err)
	}
	fmt.Fprintf(out, "prepared %s: an open letter with %d signatories in %s\n", shownDB(db), cfg.signatures, time.Since(began).Round(time.Millisecond))

	bin := cfg.server
	if bin == "" {
		if bin, err = buildServer(ctx, tmp); err != nil {
			return err
		}
	}
	var sink *smtpSink
	var serverArgs []string
	if cfg.news > 0 {
		if sink, err = startSMTPSink(ctx); err != nil {
			return err
		}
		serverArgs = newsArgs(sink, cfg)
	}
	srv, err := startServer(ctx, bin, db, cfg.clientKey, tmp, serverArgs...)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(out, "server pid %d on http://%s\n", srv.pid(), srv.addr)

	baseline, err := measure(ctx, srv, "baseline", healthTargeter(srv.url(), cfg.gzip), cfg)
	if err != nil {
		return err
	}
	letter := srv.url() + "/letters/" + slug // the version read
	if cfg.version != "" {
		letter += "/" + cfg.version
	}
	tr, err := targeter(ctx, srv, letter, cfg)
	if err != nil {
		return err
	}
	if cfg.news > 0 {
		return runNews(ctx, out, srv, sink, p, baseline, tr, cfg, db, tmp)
	}
	scenario, err := measure(ctx, srv, cfg.scenario, tr, cfg)
	if err != nil {
		return err
	}
	mode := fmt.Sprintf("%d workers", cfg.workers)
	if cfg.scenario == "print" {
		mode += fmt.Sprintf(" (print: %d)", min(cfg.workers, printWorkers))
	}
	if cfg.rate > 0 {
		mode = fmt.Sprintf("%d/s (at most %d in flight)", cfg.rate, cfg.workers)
	}
	fmt.Fprintf(out, "%s: %s for %s each, %d signatories, %s\n", cfg.client, mode, cfg.duration, cfg.signatures, time.Now().UTC().Format(time.RFC3339))
	report(out, baseline, scenario)
	if scenario.unexpected > 0 || baseline.unexpected > 0 {
		return fmt.Errorf("%d responses with an unexpected status", scenario.unexpected+baseline.unexpected)
	}
	// Stopped, the server has logged what its shutdown had to say too.
	srv.stop()
	if err := checkServerLog(out, filepath.Join(tmp, "server.log")); err != nil {
		return err
	}
	if strings.HasPrefix(cfg.scenario, "sign") {
		return checkStored(ctx, out, db, slug, cfg, scenario)
	}
	return nil
}

// runNews is run's end for a run that sends news (-news): signing alone,
// then beside the send, each against the baseline and the second against
// the first, and the same checks after.
func runNews(ctx context.Context, out io.Writer, srv *server, sink *smtpSink, p prepared, baseline *measurement, tr *scenarioTargeter, cfg config, db, tmp string) error {
	alone, during, err := signDuringNews(ctx, out, srv, sink, p, tr, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d workers for %s each, %d signatories, %d of whom asked for news, %s\n", cfg.client, cfg.workers, cfg.duration, cfg.signatures, cfg.news, time.Now().UTC().Format(time.RFC3339))
	report(out, baseline, alone)
	report(out, alone, during)
	if n := baseline.unexpected + alone.unexpected + during.unexpected; n > 0 {
		return fmt.Errorf("%d responses with an unexpected status", n)
	}
	srv.stop()
	if err := checkServerLog(out, filepath.Join(tmp, "server.log")); err != nil {
		return err
	}
	return checkStored(ctx, out, db, p.slug, cfg, alone, during)
}

// checkStored checks that the letter counts every signature the server
// thanked for in the attacks signs, and no refused one. A valid signature
// wrk sent but left unanswered when it stopped may or may not be stored:
// the count may include it.
func checkStored(ctx context.Context, out io.Writer, db, slug string, cfg config, signs ...*measurement) error {
	var thanked, pending int64
	for _, sign := range signs {
		thanked += int64(sign.outcomes[signValid].count(http.StatusSeeOther))
		pending += int64(sign.unanswered[signValid])
	}
	least := int64(cfg.signatures) + thanked
	got, err := checkCount(ctx, db, slug, least, least+pending)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "stored: the letter counts the %d signatories prepared and the %d signatures thanked for, as many as it holds", cfg.signatures, thanked)
	if pending > 0 {
		fmt.Fprintf(out, ", and %d of the %d valid ones sent but unanswered when wrk stopped", got-least, pending)
	}
	fmt.Fprintln(out)
	return nil
}

// targeter makes the scenario's requests to the server, letter being the
// address of the version read.
func targeter(ctx context.Context, srv *server, letter string, cfg config) (*scenarioTargeter, error) {
	switch cfg.scenario {
	case "letter":
		return getTargeter(letter, cfg.gzip), nil
	case "letter-json":
		return getTargeter(letter+".json", cfg.gzip), nil
	case "list":
		return getTargeter(fmt.Sprintf("%s/signatories?page=%d", letter, cfg.page), cfg.gzip), nil
	case "index":
		return getTargeter(srv.url()+"/", cfg.gzip), nil
	case "packet":
		return getTargeter(letter+"/packet.pdf", cfg.gzip), nil
	case "sign":
		return signTargeter(ctx, letter, cfg)
	case "sign+letter":
		return signAndReadTargeter(ctx, srv.url(), letter, cfg)
	}
	shape, err := readListShape(ctx, letter)
	if err != nil {
		return nil, err
	}
	switch cfg.scenario {
	case "list-last":
		return getTargeter(fmt.Sprintf("%s/signatories?page=%d", letter, shape.Pages), cfg.gzip), nil
	case "list-json-last":
		return getTargeter(fmt.Sprintf("%s/signatories.json?page=%d", letter, shape.Pages), cfg.gzip), nil
	}
	return printTargeter(letter+"/print", shape.entries(), cfg.gzip), nil
}

// checkServerLog reads the server's log after the run, and says its size,
// which a viral day must not let fill a disk: an error it logged,
// such as SQLite's "database is locked", fails the run even when every
// status was the one wanted.
func checkServerLog(out io.Writer, path string) error {
	log, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	failures := bytes.Count(log, []byte("level=ERROR"))
	locked := bytes.Count(log, []byte("database is locked"))
	fmt.Fprintf(out, "server log: %d bytes, %d errors, %d \"database is locked\"\n", len(log), failures, locked)
	for line := range bytes.Lines(log) {
		if bytes.Contains(line, []byte("level=ERROR")) || bytes.Contains(line, []byte("database is locked")) {
			return fmt.Errorf("the server logged %d errors (%d \"database is locked\"), the first: %s", failures, locked, line)
		}
	}
	return nil
}
