package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	netmail "net/mail"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"undersigned/handlers"
	"undersigned/models"
	"undersigned/models/mail"
	"undersigned/views"
)

// A setting is a flag with an environment twin: UNDERSIGNED_ and the flag's
// name in capitals, dashes as underscores (-min-sign-time is
// UNDERSIGNED_MIN_SIGN_TIME). Deriving the twin's name from the flag's
// keeps the two from drifting apart.
type setting struct {
	flag string
	// def is the default as the command line would give it; empty when
	// the default is derived from other settings, which usage then says.
	def, usage string
	// set parses a value into the configuration. Its error says what is
	// wrong and gives an example of a good value; it need not name the
	// setting, which bindSettings adds.
	set func(string) error
}

// env is the name of the setting's environment variable.
func (s setting) env() string {
	return "UNDERSIGNED_" + strings.ToUpper(strings.ReplaceAll(s.flag, "-", "_"))
}

// bindSettings defines settings on fs, and returns the function that, once
// fs has parsed the command line, sets each setting, in the order listed,
// from the command line if given there, else from its environment
// variable, else from its default. An empty environment variable counts
// as unset, as a template that leaves one empty means. A malformed value,
// from either, is an error naming both the flag and the variable, the one
// it came from first.
func bindSettings(fs *flag.FlagSet, settings []setting) (apply func() error) {
	given := make(map[string]*string, len(settings))
	for _, s := range settings {
		given[s.flag] = fs.String(s.flag, s.def, s.usage+" (env "+s.env()+")")
	}
	return func() error {
		onCommandLine := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { onCommandLine[f.Name] = true })
		for _, s := range settings {
			value, source := *given[s.flag], "-"+s.flag+" ("+s.env()+")"
			if v := os.Getenv(s.env()); v != "" && !onCommandLine[s.flag] {
				value, source = v, s.env()+" (-"+s.flag+")"
			}
			if err := s.set(value); err != nil {
				return fmt.Errorf("%s: %w", source, err)
			}
		}
		return nil
	}
}

// config is the server's configuration, as its settings give it.
type config struct {
	addr, db    string
	base        *url.URL // the base URL, parsed
	smtp        *url.URL // nil: mail is printed on the console
	mailFrom    string
	connections int
	pprof       string // the profiler's address; empty: none
	mailRetry   time.Duration
	handlers    handlers.Config
}

// settings are the server's settings, each writing into c. They are set in
// this order, so a setting may read those before it: -base-url's default
// reads -addr, -mail-from's the base URL, -smtp-connections -db.
func (c *config) settings() []setting {
	h := &c.handlers
	h.Limits, h.Exports = handlers.DefaultLimits(), handlers.DefaultExportLimits()
	return []setting{
		{"addr", "127.0.0.1:8080", "address to listen on, `HOST:PORT` (an empty HOST is every interface)", c.setAddr},
		dbSetting(&c.db, dbUsage),
		{"base-url", "", "absolute http or https `URL` the site is reached at, for links; https makes cookies Secure (default http://ADDR)", c.setBaseURL},
		{"smtp-url", "", "`URL` of the SMTP server for outgoing mail, smtp://user:password@host:port (STARTTLS when offered) or smtps://…; empty prints mail to the console (default none)", c.setSMTP},
		{"mail-from", "", "sender `ADDRESS` of outgoing mail (default undersigned@HOST of the base URL)", c.setMailFrom},
		{"smtp-connections", "4", "`NUMBER` of connections to the SMTP server that deliver at the same time, each kept open from one email to the next while mail waits: 1 to 64, at most 4 on PostgreSQL", c.setConnections},
		{"mail-retry", "30s", "`DURATION` to wait after an email's first failed attempt, doubling after each further failure, at most an hour", between(&c.mailRetry, time.Millisecond, time.Hour, "30s or 5m")},
		{"invitation-reminder-days", "3", "least `DAYS` between two emails of one invitation to sign, 0 to 60: a reminder skips invitations mailed more recently; 0 lets it go at any time", c.setReminderDays},
		{"news-rate", strconv.Itoa(handlers.DefaultNewsRate), "`NUMBER` of emails a minute, 1 to 60000, that updates sent to the signers who asked for news put in the outbox, all letters together", c.setNewsRate},
		{"lang", views.DefaultLang, "language `CODE` of the interface for visitors who choose none and whose browser asks for none the site has: " + strings.Join(views.Languages, ", "), c.setLang},
		{"client-key", "", "`SECRET` of at least 16 bytes from which each day's key for hashing client addresses in rate limits is derived, never stored; give every instance sharing a PostgreSQL database the same one (default a random key per process and day)", c.setClientKey},
		{"min-sign-time", "2s", "least `DURATION` between showing the signing form and sending it, at most a minute; faster forms are dropped as bots'; 0s turns the check off", between(&h.MinSignTime, 0, time.Minute, "2s or 500ms")},
		rateLimit("sign-burst", "signatures stored of one letter from one IP address in a burst (an office behind one address shares it)", &h.Limits.SignBurst),
		rateLimit("sign-sustained", "signatures of one letter from one IP address over time", &h.Limits.SignSustained),
		rateLimit("sign-overall", "signatures of all letters from one IP address", &h.Limits.SignOverall),
		rateLimit("resend-limit", "emails sent again to one address that signed a letter", &h.Limits.Resend),
		rateLimit("resend-client-limit", "emails sent again from one IP address, to every address together", &h.Limits.ResendPerClient),
		rateLimit("login-limit", "failed logins per account (three times as many per IP address) before each further attempt waits a delay that doubles, up to DURATION", &h.Limits.Login),
		exportLimit("exports-per-client", "downloads of lists (CSV exports, print pages) one IP address may have in progress at once", &h.Exports.PerClient),
		exportLimit("exports-overall", "downloads of lists the site sends at once; one more is refused with 429 and Retry-After", &h.Exports.Overall),
		{"trusted-proxies", "", "comma-separated `LIST` of addresses or networks (10.0.0.0/8) of reverse proxies whose X-Forwarded-For gives the client's address (default none)", c.setProxies},
		{"log-requests", "errors", "`WHICH` requests the log shows one line each: errors (server errors and slow requests, and a summary of all each minute) or all", c.setLogRequests},
		{"slow-request", "1s", "`DURATION` past which a request is logged as slow, from 10ms to 1m", between(&h.SlowRequest, 10*time.Millisecond, time.Minute, "1s or 500ms")},
		{"pprof", "", "loopback `HOST:PORT` serving Go's profiles at /debug/pprof/, for finding where a busy server's time goes (default none)", c.setPprof},
	}
}

const dbUsage = "SQLite database `FILE`, created if missing, or a PostgreSQL URL, postgres://user:password@host:port/dbname"

// dbSetting is -db, which the subcommands take too.
func dbSetting(db *string, usage string) setting {
	return setting{"db", "undersigned.db", usage, func(v string) error {
		if err := checkDB(v); err != nil {
			return err
		}
		*db = v
		return nil
	}}
}

// checkDB accepts a postgres:// URL or a SQLite file's path. The path goes
// into a SQLite URI filename (models.Open), where ?, # and % would start a
// query, a fragment or an escape: the server would open one file and make
// another owner-only.
func checkDB(v string) error {
	const example = "for example undersigned.db or postgres://user:password@host:5432/dbname"
	switch {
	case models.IsPostgres(v):
		if _, err := url.Parse(v); err != nil {
			return fmt.Errorf("%s does not parse; %s", shownURL(v), example)
		}
	case v == "":
		return errors.New("empty; " + example)
	case strings.Contains(v, "://"):
		return fmt.Errorf("%s is neither a PostgreSQL URL nor a file; %s", shownURL(v), example)
	case strings.ContainsAny(v, "?#%"):
		return fmt.Errorf("%q: a SQLite file's name may not hold ?, # or %%; %s", v, example)
	}
	return nil
}

// setReminderDays accepts a whole number of days from 0 to 60.
func (c *config) setReminderDays(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 60 {
		return fmt.Errorf("%q is not a number of days from 0 to 60; for example 3", v)
	}
	c.handlers.InvitationReminder = time.Duration(n) * 24 * time.Hour
	if n == 0 {
		c.handlers.InvitationReminder = handlers.RemindAnyTime
	}
	return nil
}

// setNewsRate accepts 1 to 60000 emails a minute: a thousand a second is
// more than a mail relay takes from one sender.
func (c *config) setNewsRate(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 60000 {
		return fmt.Errorf("%q is not a number of emails a minute from 1 to 60000; for example %d", v, handlers.DefaultNewsRate)
	}
	c.handlers.NewsRate = n
	return nil
}

// setAddr accepts HOST:PORT with a numeric port; 0 picks a free one.
func (c *config) setAddr(v string) error {
	host, port, err := net.SplitHostPort(v)
	if _, perr := strconv.ParseUint(port, 10, 16); err != nil || perr != nil || !validHost(host) {
		return fmt.Errorf("%q is not HOST:PORT; for example 127.0.0.1:8080, or :8080 for every interface", v)
	}
	c.addr = v
	return nil
}

// validHost reports whether host is empty, an IP address or a host name.
func validHost(host string) bool {
	return host == "" || isAddr(host) || hostName.MatchString(host)
}

var hostName = regexp.MustCompile(`^[A-Za-z0-9.-]+$`)

// setBaseURL accepts an absolute http or https URL without a query or a
// fragment, which links would carry; empty is http://ADDR.
func (c *config) setBaseURL(v string) error {
	if v == "" {
		v = "http://" + c.addr
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute http or https URL; for example https://letters.example.org", v)
	}
	c.base, c.handlers.BaseURL = u, v
	return nil
}

// setSMTP accepts an smtp:// or smtps:// URL with a host; empty is none.
func (c *config) setSMTP(v string) error {
	server, err := mail.ParseURL(v)
	if err != nil {
		return fmt.Errorf("%s is not an SMTP server's URL; for example smtp://user:password@mail.example.org:587 or smtps://user:password@mail.example.org:465", shownURL(v))
	}
	c.smtp = server
	return nil
}

// shownURL is a malformed URL as a message may quote it: without its
// password, or not at all if it does not parse far enough to find it.
func shownURL(v string) string {
	if u, err := url.Parse(v); err == nil {
		return strconv.Quote(u.Redacted())
	}
	return "the URL (not shown: it may hold a password)"
}

// setMailFrom accepts a bare address, which goes both in the SMTP envelope
// and in the From header; empty is undersigned@ the base URL's host.
func (c *config) setMailFrom(v string) error {
	if v == "" {
		c.mailFrom = "undersigned@" + c.base.Hostname()
		return nil
	}
	if a, err := netmail.ParseAddress(v); err != nil || a.Address != v {
		return fmt.Errorf("%q is not an email address alone; for example letters@example.org", v)
	}
	c.mailFrom = v
	return nil
}

// setConnections accepts 1 to 64 connections, and on PostgreSQL at most
// models.PostgresMailSenders: each holds one of the server's database
// connections while the relay takes its email.
func (c *config) setConnections(v string) error {
	most, why := 64, ""
	if models.IsPostgres(c.db) {
		most, why = models.PostgresMailSenders, " (on PostgreSQL, each holds one of the server's database connections while the relay takes its email)"
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		return fmt.Errorf("%q is not a number from 1 to %d%s; for example 4", v, most, why)
	}
	c.connections = n
	return nil
}

func (c *config) setLang(v string) error {
	if !views.Supported(v) {
		return fmt.Errorf("%q is not a language the interface has (%s); for example %s", v, strings.Join(views.Languages, ", "), views.DefaultLang)
	}
	c.handlers.Lang = v
	return nil
}

// setClientKey accepts a key of at least 16 bytes, or none. The addresses
// it hashes are few enough (2³² for IPv4) to be tried one by one: whoever
// has the database (on PostgreSQL the rate limits' table) and guesses the
// key has every client's address, so it must be as hard to guess as 128
// random bits, and a shorter one is surely easier.
func (c *config) setClientKey(v string) error {
	if v != "" && len(v) < 16 {
		return fmt.Errorf("%d bytes (not shown: it is a secret) where at least 16 are needed; for example the output of: openssl rand -hex 16", len(v))
	}
	c.handlers.ClientKey = []byte(v)
	return nil
}

// setProxies accepts a comma-separated list of IP addresses and networks.
func (c *config) setProxies(v string) error {
	c.handlers.TrustedProxies = nil
	if v == "" {
		return nil
	}
	for p := range strings.SplitSeq(v, ",") {
		p = strings.TrimSpace(p)
		if _, err := netip.ParsePrefix(p); err != nil && !isAddr(p) {
			return fmt.Errorf("%q: %q is not an IP address or a network; for example 127.0.0.1 or 10.0.0.0/8,fd00::/8", v, p)
		}
		c.handlers.TrustedProxies = append(c.handlers.TrustedProxies, p)
	}
	return nil
}

// setLogRequests accepts errors or all.
func (c *config) setLogRequests(v string) error {
	if v != "errors" && v != "all" {
		return fmt.Errorf("%q is neither errors nor all; for example errors, or all to log every request", v)
	}
	c.handlers.LogAllRequests = v == "all"
	return nil
}

func isAddr(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// between parses a duration from lo to hi into d.
func between(d *time.Duration, lo, hi time.Duration, example string) func(string) error {
	return func(v string) error {
		parsed, err := time.ParseDuration(v)
		if err != nil || parsed < lo || parsed > hi {
			return fmt.Errorf("%q is not a duration from %s to %s; for example %s", v, short(lo), short(hi), example)
		}
		*d = parsed
		return nil
	}
}

// rateLimit is a setting of limit, as COUNT/DURATION, its default the
// value limit holds.
func rateLimit(name, usage string, limit *handlers.RateLimit) setting {
	def := strconv.Itoa(limit.Max) + "/" + short(limit.Window)
	return setting{name, def, usage + ", as `COUNT/DURATION`", func(v string) error {
		count, period, _ := strings.Cut(v, "/")
		n, err := strconv.Atoi(count)
		d, derr := time.ParseDuration(period)
		if err != nil || n < 1 || derr != nil || d <= 0 {
			return fmt.Errorf("%q is not COUNT/DURATION; for example 20/10m or 100/1h", v)
		}
		*limit = handlers.RateLimit{Max: n, Window: d}
		return nil
	}}
}

// exportLimit is a setting of a number of downloads at once, its default
// the value n holds. Each download holds up to a megabyte of its list in
// memory, so a thousand at once is already more than a small server has.
func exportLimit(name, usage string, n *int) setting {
	return setting{name, strconv.Itoa(*n), usage + ", a `NUMBER` from 1 to 1000", func(v string) error {
		parsed, err := strconv.Atoi(v)
		if err != nil || parsed < 1 || parsed > 1000 {
			return fmt.Errorf("%q is not a number from 1 to 1000; for example %d", v, *n)
		}
		*n = parsed
		return nil
	}}
}

// short writes d as an operator would, 1h or 15m rather than 1h0m0s.
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
