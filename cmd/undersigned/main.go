// Command undersigned runs the Undersigned web service: joint letters, their
// signing form and their dated lists of signatories.
//
//	undersigned [flags]                                  serve
//	undersigned user add --email E --name N --org "Org"  add a coordinator (password on standard input)
//	undersigned backup [-db DB] FILE                     copy the live database to a new FILE
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/handlers"
	"undersigned/models"
	"undersigned/models/mail"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(log)
	var err error
	if len(os.Args) > 2 && os.Args[1] == "user" && os.Args[2] == "add" {
		err = userAdd(os.Args[3:], os.Stdin, os.Stdout)
	} else if len(os.Args) > 1 && os.Args[1] == "backup" {
		err = backup(os.Args[2:], os.Stdout)
	} else {
		err = serve(os.Args[1:], log)
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "undersigned:", err)
		os.Exit(1)
	}
}

// redactDSN is the database as logs and messages may show it: a PostgreSQL
// URL without its password.
func redactDSN(db string) string {
	if u, err := url.Parse(db); err == nil && models.IsPostgres(db) {
		return u.Redacted()
	}
	return db
}

// Garbage collection for a server that renders many short-lived pages: the
// heap may grow to five times what is live before a collection (GOGC=400
// instead of 100), which costs far less time collecting under a crowd, and a
// soft limit keeps the process small all the same. The limit counts the Go
// runtime's memory only: SQLite's page caches (2 MB a connection, nine
// connections) and the binary's own pages come on top, so 64 MiB keeps the
// whole process under 150 MiB while a million-name list is read, exported
// and signed at once; what is live stays near 20 MiB. An operator who sets
// GOGC or GOMEMLIMIT gets the Go runtime's own rules instead.
const (
	gcPercent   = 400
	memoryLimit = 64 << 20
)

func tuneGC() {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	if gogc || limit {
		return
	}
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(memoryLimit)
}

// serve runs the server until SIGINT or SIGTERM.
func serve(args []string, log *slog.Logger) error {
	tuneGC()
	c, err := parseServeSettings(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := models.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer store.Close()
	shareWithOtherInstances(ctx, store, c, log)
	app, h, err := handlers.New(ctx, store, log, c.handlers)
	if err != nil {
		return err
	}
	// Bind before announcing anything, so a taken port fails at once.
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	if err := announceSetupLink(ctx, h); err != nil {
		return err
	}
	if c.pprof != "" {
		if err := servePprof(ctx, c.pprof, log); err != nil {
			return err
		}
	}
	startJobs(ctx, store, log)
	go h.RunNews(ctx)
	mailDone := startMailer(ctx, store, c, log)
	defer h.SummarizeRequests() // the last minute's, with the requests finished while stopping
	return serveUntilStopped(ctx, app, ln, c, log, mailDone)
}

// parseServeSettings reads the server's settings from args and the
// environment; a malformed one stops the server before it opens anything.
func parseServeSettings(args []string) (*config, error) {
	fs := flag.NewFlagSet("undersigned", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage:\n  undersigned [flags]\n  undersigned user add --email E --name N --org ORG   (password read from standard input)\n  undersigned backup [-db DB] FILE   (a consistent copy of the live database, to a new FILE)\n\nFlags, each also read from the environment variable it names; a flag given wins:\n")
		fs.PrintDefaults()
	}
	c := &config{}
	apply := bindSettings(fs, c.settings())
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return c, apply()
}

// shareWithOtherInstances makes instances on one PostgreSQL database count
// each client's requests together, and follow each other's changes; on
// SQLite, one process counts them in memory.
func shareWithOtherInstances(ctx context.Context, store *models.Store, c *config, log *slog.Logger) {
	if store.Dialect() != models.Postgres {
		return
	}
	c.handlers.Limits.Storage = handlers.SharedRateLimits(store)
	if len(c.handlers.ClientKey) == 0 {
		log.Warn("no client key: this instance hashes client addresses with its own key, so instances do not count rate limits together; set UNDERSIGNED_CLIENT_KEY to the same secret on every instance")
	}
	go store.FollowOtherInstances(ctx, log)
}

// announceSetupLink prints the one-time link that creates the first
// coordinator, while there is none.
func announceSetupLink(ctx context.Context, h *handlers.Handler) error {
	link, err := h.SetupLink(ctx)
	if err != nil || link == "" {
		return err
	}
	fmt.Printf("\nNo coordinator account exists yet. Open this one-time link to create the first one:\n\n  %s\n\n", link)
	return nil
}

// startJobs starts the store's housekeeping: each job runs now, then at
// its period.
func startJobs(ctx context.Context, store *models.Store, log *slog.Logger) {
	go every(ctx, time.Hour, log, "deleting expired sessions and rate limits", func(ctx context.Context) error { return store.DeleteExpired(ctx) })
	go every(ctx, 24*time.Hour, log, "erasing expired personal data", func(ctx context.Context) error {
		erased, err := store.EraseExpired(ctx)
		if err == nil {
			log.Info("retention: erased expired personal data", "emails", erased.Emails, "unconfirmed_signatures", erased.Unconfirmed, "outbox_messages", erased.Messages)
		}
		return err
	})
}

// startMailer delivers the outbox, through the SMTP server if one is set,
// else onto the console, until ctx ends; the channel closes once it stopped.
func startMailer(ctx context.Context, store *models.Store, c *config, log *slog.Logger) <-chan struct{} {
	mailer := mail.New(mail.Config{Outbox: store, Log: log, SMTP: c.smtp, Connections: c.connections, From: c.mailFrom, Site: c.base, Console: os.Stdout, Poll: 2 * time.Second, Retry: c.mailRetry})
	done := make(chan struct{})
	go func() { mailer.Run(ctx); close(done) }()
	return done
}

// serveUntilStopped serves the app on ln until ctx ends, then finishes the
// requests in flight and waits for the mailer to stop.
func serveUntilStopped(ctx context.Context, app *fiber.App, ln net.Listener, c *config, log *slog.Logger, mailDone <-chan struct{}) error {
	errc := make(chan error, 1)
	go func() {
		log.Info("listening", "addr", c.addr, "db", redactDSN(c.db), "base_url", c.handlers.BaseURL, "smtp", c.smtp != nil)
		errc <- app.Listener(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	if err := app.ShutdownWithTimeout(30 * time.Second); err != nil {
		return err
	}
	<-mailDone
	return <-errc
}

// every runs job now and then every period until ctx ends, logging its failures.
func every(ctx context.Context, period time.Duration, log *slog.Logger, what string, job func(context.Context) error) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		if err := job(ctx); err != nil && ctx.Err() == nil {
			log.Error(what, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// userAdd creates a coordinator and their organisation from the command line,
// reading the password from the first line of standard input.
func userAdd(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("undersigned user add", flag.ContinueOnError)
	email := fs.String("email", "", "the coordinator's email address (required)")
	name := fs.String("name", "", "the coordinator's name (required)")
	org := fs.String("org", "", "name of the organisation to create for them (required)")
	var db string
	apply := bindSettings(fs, []setting{dbSetting(&db, dbUsage)})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := apply(); err != nil {
		return err
	}
	if *email == "" || *name == "" || *org == "" {
		fs.Usage()
		return errors.New("--email, --name and --org are required")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if err := models.CheckNewPassword(password); err != nil {
		return fmt.Errorf("the password read from standard input: %w", err)
	}
	ctx := context.Background()
	store, err := models.Open(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()
	account := models.NewAccount{Email: *email, Name: models.NormalizeText(*name), Password: password}
	if _, err := store.CreateUserWithOrganisation(ctx, account, models.NormalizeText(*org)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created coordinator %s in %s.\n", models.EmailKey(*email), *org)
	return nil
}
