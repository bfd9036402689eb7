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
	"strconv"
	"strings"
	"syscall"
	"time"

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

// env returns the environment variable name, or def when it is unset.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", env("UNDERSIGNED_DB", "undersigned.db"), "SQLite database file, created if missing, or a PostgreSQL URL, postgres://user:password@host:port/dbname (env UNDERSIGNED_DB)")
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
// soft limit keeps the process small all the same. An operator who sets
// GOGC or GOMEMLIMIT gets the Go runtime's own rules instead.
const (
	gcPercent   = 400
	memoryLimit = 100 << 20
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

func serve(args []string, log *slog.Logger) error {
	tuneGC()
	fs := flag.NewFlagSet("undersigned", flag.ContinueOnError)
	addr := fs.String("addr", env("UNDERSIGNED_ADDR", "127.0.0.1:8080"), "address to listen on (env UNDERSIGNED_ADDR)")
	db := dbFlag(fs)
	baseURL := fs.String("base-url", env("UNDERSIGNED_BASE_URL", ""), "absolute URL the site is reached at, for links; https makes cookies Secure (env UNDERSIGNED_BASE_URL; default http://ADDR)")
	smtpURL := fs.String("smtp-url", env("UNDERSIGNED_SMTP_URL", ""), "SMTP server for outgoing mail, smtp://user:password@host:port (STARTTLS when offered) or smtps://…; empty prints mail to the console (env UNDERSIGNED_SMTP_URL)")
	mailFrom := fs.String("mail-from", env("UNDERSIGNED_MAIL_FROM", ""), "sender address of outgoing mail (env UNDERSIGNED_MAIL_FROM; default undersigned@HOST of the base URL)")
	proxies := fs.String("trusted-proxies", env("UNDERSIGNED_TRUSTED_PROXIES", ""), "comma-separated addresses or networks (10.0.0.0/8) of reverse proxies whose X-Forwarded-For gives the client's address (env UNDERSIGNED_TRUSTED_PROXIES)")
	connections := 0
	fs.Func("smtp-connections", "connections to the SMTP server that deliver at the same time, each kept open from one email to the next while mail waits (env UNDERSIGNED_SMTP_CONNECTIONS; default 4)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			return fmt.Errorf("%q: want a number from 1 to 64", v)
		}
		connections = n
		return nil
	})
	if err := fs.Set("smtp-connections", env("UNDERSIGNED_SMTP_CONNECTIONS", "4")); err != nil {
		return fmt.Errorf("UNDERSIGNED_SMTP_CONNECTIONS: %w", err)
	}
	mailRetry := fs.Duration("mail-retry", envDuration("UNDERSIGNED_MAIL_RETRY", 30*time.Second), "wait after an email's first failed attempt, doubling after each further failure, at most an hour (env UNDERSIGNED_MAIL_RETRY)")
	lang := fs.String("lang", env("UNDERSIGNED_LANG", "en"), "language of the interface for visitors who choose none and whose browser asks for none the site has (env UNDERSIGNED_LANG)")
	clientKey := fs.String("client-key", env("UNDERSIGNED_CLIENT_KEY", ""), "secret from which each day's key for hashing client addresses in rate limits is derived, never stored; give every instance sharing a PostgreSQL database the same one (env UNDERSIGNED_CLIENT_KEY; default a random key per process and day)")
	minSignTime := fs.Duration("min-sign-time", envDuration("UNDERSIGNED_MIN_SIGN_TIME", 2*time.Second), "least time between showing the signing form and sending it; faster forms are dropped as bots' (env UNDERSIGNED_MIN_SIGN_TIME)")
	d := handlers.DefaultLimits()
	limits := []struct {
		name, env, usage string
		limit            *handlers.RateLimit
	}{
		{"sign-burst", "UNDERSIGNED_SIGN_BURST", "signatures stored of one letter from one IP address in a burst (an office behind one address shares it)", &d.SignBurst},
		{"sign-sustained", "UNDERSIGNED_SIGN_SUSTAINED", "signatures of one letter from one IP address over time", &d.SignSustained},
		{"sign-overall", "UNDERSIGNED_SIGN_OVERALL", "signatures of all letters from one IP address", &d.SignOverall},
		{"resend-limit", "UNDERSIGNED_RESEND_LIMIT", "emails sent again to one address that signed a letter", &d.Resend},
		{"resend-client-limit", "UNDERSIGNED_RESEND_CLIENT_LIMIT", "emails sent again from one IP address, to every address together", &d.ResendPerClient},
		{"login-limit", "UNDERSIGNED_LOGIN_LIMIT", "failed logins per account (three times as many per IP address) before each further attempt waits a delay that doubles, up to DURATION", &d.Login},
	}
	for _, l := range limits {
		def := env(l.env, strconv.Itoa(l.limit.Max)+"/"+l.limit.Window.String())
		fs.Func(l.name, fmt.Sprintf("%s, as COUNT/DURATION (env %s; default %s)", l.usage, l.env, def), func(v string) error {
			rl, err := parseRateLimit(v)
			*l.limit = rl
			return err
		})
		if err := fs.Set(l.name, def); err != nil {
			return fmt.Errorf("%s: %w", l.env, err)
		}
	}
	exports := handlers.DefaultExportLimits()
	for _, f := range []struct {
		name, env, usage string
		n                *int
	}{
		{"exports-per-client", "UNDERSIGNED_EXPORTS_PER_CLIENT", "downloads of lists (CSV exports, print pages) one IP address may have in progress at once", &exports.PerClient},
		{"exports-overall", "UNDERSIGNED_EXPORTS_OVERALL", "downloads of lists the site sends at once; one more is refused with 429 and Retry-After", &exports.Overall},
	} {
		def := env(f.env, strconv.Itoa(*f.n))
		fs.Func(f.name, fmt.Sprintf("%s (env %s; default %s)", f.usage, f.env, def), func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("%q: want a number, 1 or more", v)
			}
			*f.n = n
			return nil
		})
		if err := fs.Set(f.name, def); err != nil {
			return fmt.Errorf("%s: %w", f.env, err)
		}
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage:\n  undersigned [flags]\n  undersigned user add --email E --name N --org ORG   (password read from standard input)\n  undersigned backup [-db DB] FILE   (a consistent copy of the live database, to a new FILE)\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *baseURL == "" {
		*baseURL = "http://" + *addr
	}
	server, err := mail.ParseURL(*smtpURL)
	if err != nil {
		return fmt.Errorf("-smtp-url: %w", err)
	}
	if models.IsPostgres(*db) && connections > models.PostgresMailSenders {
		return fmt.Errorf("-smtp-connections %d: at most %d on PostgreSQL, where each holds one of the server's database connections while the relay takes its email", connections, models.PostgresMailSenders)
	}
	base, err := url.Parse(*baseURL)
	if err != nil {
		return fmt.Errorf("-base-url: %w", err)
	}
	if *mailFrom == "" {
		*mailFrom = "undersigned@" + base.Hostname()
	}
	cfg := handlers.Config{BaseURL: *baseURL, Limits: d, MinSignTime: *minSignTime, ClientKey: []byte(*clientKey), Exports: exports, Lang: *lang}
	if *proxies != "" {
		cfg.TrustedProxies = strings.Split(*proxies, ",")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, err := models.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	if store.Dialect() == models.Postgres {
		// Instances behind one load balancer count each client's requests
		// together; on SQLite, one process counts them in memory.
		cfg.Limits.Storage = store.RateLimits()
		if *clientKey == "" {
			log.Warn("no client key: this instance hashes client addresses with its own key, so instances do not count rate limits together; set UNDERSIGNED_CLIENT_KEY to the same secret on every instance")
		}
		go store.FollowOtherInstances(ctx, log)
	}
	app, h, err := handlers.New(ctx, store, log, cfg)
	if err != nil {
		return err
	}
	// Bind before announcing anything, so a taken port fails at once.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	link, err := h.SetupLink(ctx)
	if err != nil {
		return err
	}
	if link != "" {
		fmt.Printf("\nNo coordinator account exists yet. Open this one-time link to create the first one:\n\n  %s\n\n", link)
	}
	go every(ctx, time.Hour, log, "deleting expired sessions and rate limits", func(ctx context.Context) error { return store.DeleteExpired(ctx) })
	go every(ctx, 24*time.Hour, log, "erasing expired personal data", func(ctx context.Context) error {
		erased, err := store.EraseExpired(ctx)
		if err == nil {
			log.Info("retention: erased expired personal data", "emails", erased.Emails, "unconfirmed_signatures", erased.Unconfirmed, "outbox_messages", erased.Messages)
		}
		return err
	})
	mailer := mail.New(mail.Config{Outbox: store, Log: log, SMTP: server, Connections: connections, From: *mailFrom, Site: base, Console: os.Stdout, Poll: 2 * time.Second, Retry: *mailRetry})
	mailDone := make(chan struct{})
	go func() { mailer.Run(ctx); close(mailDone) }()

	errc := make(chan error, 1)
	go func() {
		log.Info("listening", "addr", *addr, "db", redactDSN(*db), "base_url", *baseURL, "smtp", server != nil)
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

// envDuration returns the duration in the environment variable name, or def.
func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

// parseRateLimit reads "COUNT/DURATION", such as "20/10m".
func parseRateLimit(s string) (handlers.RateLimit, error) {
	count, period, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(count)
	if !ok || err != nil || n < 1 {
		return handlers.RateLimit{}, fmt.Errorf("%q: want COUNT/DURATION such as 20/10m", s)
	}
	d, err := time.ParseDuration(period)
	if err != nil || d <= 0 {
		return handlers.RateLimit{}, fmt.Errorf("%q: want COUNT/DURATION such as 20/10m", s)
	}
	return handlers.RateLimit{Max: n, Window: d}, nil
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
	db := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
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
	store, err := models.Open(ctx, *db)
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
