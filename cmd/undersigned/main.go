// Command undersigned runs the Undersigned web service: joint letters, their
// signing form and their dated lists of signatories.
//
//	undersigned [flags]                                  serve
//	undersigned user add --email E --name N --org "Org"  add a coordinator (password on standard input)
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
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"undersigned/handlers"
	"undersigned/models"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(log)
	var err error
	if len(os.Args) > 2 && os.Args[1] == "user" && os.Args[2] == "add" {
		err = userAdd(os.Args[3:], os.Stdin, os.Stdout)
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
	return fs.String("db", env("UNDERSIGNED_DB", "undersigned.db"), "SQLite database file, created if missing (env UNDERSIGNED_DB)")
}

func serve(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("undersigned", flag.ContinueOnError)
	addr := fs.String("addr", env("UNDERSIGNED_ADDR", "127.0.0.1:8080"), "address to listen on (env UNDERSIGNED_ADDR)")
	db := dbFlag(fs)
	baseURL := fs.String("base-url", env("UNDERSIGNED_BASE_URL", ""), "absolute URL the site is reached at, for links; https makes cookies Secure (env UNDERSIGNED_BASE_URL; default http://ADDR)")
	signLimit := fs.String("sign-limit", env("UNDERSIGNED_SIGN_LIMIT", "20/10m"), "signatures allowed from one IP address per period, as COUNT/DURATION (env UNDERSIGNED_SIGN_LIMIT)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage:\n  undersigned [flags]\n  undersigned user add --email E --name N --org ORG   (password read from standard input)\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := handlers.Config{BaseURL: *baseURL}
	var err error
	if cfg.SignLimit, err = parseRateLimit(*signLimit); err != nil {
		return fmt.Errorf("-sign-limit: %w", err)
	}
	if *baseURL == "" {
		*baseURL = "http://" + *addr
		cfg.BaseURL = *baseURL
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, err := models.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
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
	go sweepSessions(ctx, store, log)

	errc := make(chan error, 1)
	go func() {
		log.Info("listening", "addr", *addr, "db", *db, "base_url", *baseURL)
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
	return <-errc
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

// sweepSessions deletes expired sessions every hour.
func sweepSessions(ctx context.Context, store *models.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := store.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			log.Error("deleting expired sessions", "err", err)
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
	if len([]rune(password)) < 10 {
		return errors.New("the password (read from standard input) must have at least 10 characters")
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
