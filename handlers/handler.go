package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/session"

	"undersigned/handlers/pagecache"
	"undersigned/models"
	"undersigned/views"
)

// Config is what the HTTP side needs to know about its deployment.
type Config struct {
	// BaseURL is the absolute URL the site is reached at, such as
	// https://letters.example.org; links in the console and on share panels
	// use it, and an https URL makes cookies Secure.
	BaseURL string
	// Limits on public and login forms; zero values take the defaults.
	Limits Limits
	// MinSignTime is the least time a person takes between seeing the
	// signing form and sending it; a faster form is a bot's, and is
	// silently dropped. Zero turns the check off.
	MinSignTime time.Duration
	// TrustedProxies are the addresses or networks of the reverse proxies
	// whose X-Forwarded-For header names the client; without them every
	// visitor would share the proxy's address, and its rate limits. The
	// client is the header's last address that is not a trusted proxy's.
	TrustedProxies []string
	// ClientKey is a secret, kept out of the database, from which each
	// day's key for hashing client addresses in rate limits is derived.
	// Instances sharing a database need the same one to count together;
	// empty, each process makes a random key every day.
	ClientKey []byte
	// Lang is the interface's language for a visitor who has chosen none
	// and whose browser asks for none the site has; empty, English.
	Lang string
	// Exports bounds the long downloads in progress at once; zero values
	// take the defaults.
	Exports ExportLimits
	// LogAllRequests logs every request, one line each. Without it the log
	// shows a request of its own only when it failed (5xx) or was slow,
	// and every request in a summary a minute: a crowd's requests,
	// its 4xx answers included, would fill the disk.
	LogAllRequests bool
	// SlowRequest is the duration past which a request is logged as slow;
	// zero takes a second (see defaultSlowRequest).
	SlowRequest time.Duration
	// InvitationReminder is the least time between two emails of one
	// invitation to sign: a reminder skips those mailed more recently;
	// zero takes three days, and RemindAnyTime sets no least time.
	InvitationReminder time.Duration
	// Summaries tells when to log the summary of the requests since the
	// last one; nil, every minute. Tests tick it themselves.
	Summaries <-chan time.Time
	// Now is the clock letters open and close by in every output (see
	// models.Letter.StateAt), and the page cache expires their pages by;
	// nil, time.Now. Tests move it past a closing moment.
	Now func() time.Time
	// NewsRate is how many news emails a minute RunNews gives the outbox,
	// all sends together; zero takes DefaultNewsRate.
	NewsRate int
}

// Handler holds the dependencies every handler shares.
type Handler struct {
	store    *models.Store
	views    *views.Templates
	log      *slog.Logger
	cfg      Config
	secure   bool
	sessions *session.Store
	csrfKey  []byte

	clientKeys *clientKeys
	proxies    []netip.Prefix // Config.TrustedProxies
	limits     signLimits
	throttle   *loginThrottle

	setupMu    sync.Mutex
	setupToken string

	staticFiles map[string]*staticFile
	chartCache  chartCache
	pages       *pagecache.Cache[pageMeta]
	tokenPaths  tokenPaths    // the private links, which the log hides
	packetSlot  chan struct{} // held while a delivery packet's PDF is made
	uploadSlots chan struct{} // held while a response's PDF is read and kept: see readUpload
	streams     *streamSlots  // the downloads in progress
	requests    *requestStats // counted for the log's summary
	newsWake    chan struct{} // tells RunNews a send was asked for
}

// New builds the Fiber app serving Undersigned.
func New(ctx context.Context, store *models.Store, log *slog.Logger, cfg Config) (*fiber.App, *Handler, error) {
	tmpl, err := views.Parse()
	if err != nil {
		return nil, nil, err
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, nil, fmt.Errorf("base URL %q: want an absolute http or https URL", cfg.BaseURL)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Lang == "" {
		cfg.Lang = views.DefaultLang
	} else if !views.Supported(cfg.Lang) {
		return nil, nil, fmt.Errorf("language %q: the interface has %s", cfg.Lang, strings.Join(views.Languages, ", "))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SlowRequest <= 0 {
		cfg.SlowRequest = defaultSlowRequest
	}
	if cfg.NewsRate <= 0 {
		cfg.NewsRate = DefaultNewsRate
	}
	cfg.Limits = cfg.Limits.withDefaults(len(cfg.ClientKey) > 0) // one storage for every limit and the login throttle
	proxies, err := parseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, nil, err
	}
	csrfKey, err := store.Secret(ctx, "csrf")
	if err != nil {
		return nil, nil, fmt.Errorf("csrf key: %w", err)
	}
	h := &Handler{
		store: store, views: tmpl, log: log, cfg: cfg, secure: base.Scheme == "https",
		csrfKey: csrfKey, clientKeys: &clientKeys{secret: cfg.ClientKey}, pages: newPageCache(store),
		packetSlot: make(chan struct{}, 1), streams: newStreamSlots(cfg.Exports), proxies: proxies,
		requests: newRequestStats(), newsWake: make(chan struct{}, 1), uploadSlots: make(chan struct{}, uploadsAtOnce),
	}
	h.pages.SetClock(cfg.Now)
	h.sessions = session.New(session.Config{
		Storage:        tableStorage{store: store, table: models.Sessions},
		Expiration:     12 * time.Hour,
		KeyLookup:      "cookie:" + sessionCookie,
		CookieSecure:   h.secure,
		CookieHTTPOnly: true,
		CookieSameSite: fiber.CookieSameSiteLaxMode,
		CookiePath:     "/",
	})
	if h.staticFiles, err = readStaticFiles(); err != nil {
		return nil, nil, fmt.Errorf("static files: %w", err)
	}
	h.setupLimits()
	deviceKey, err := store.Secret(ctx, "known-device")
	if err != nil {
		return nil, nil, fmt.Errorf("known-device key: %w", err)
	}
	h.setupThrottle(deviceKey)

	app := fiber.New(fiber.Config{
		AppName:                 "Undersigned",
		ErrorHandler:            h.handleError,
		BodyLimit:               formBodyMax, // see readBody
		ReadTimeout:             15 * time.Second,
		WriteTimeout:            writeTimeout,
		IdleTimeout:             90 * time.Second,
		DisableStartupMessage:   true,
		Immutable:               true, // strings from a request stay valid after it: no copying by hand
		CaseSensitive:           true, // one spelling of each path: see canonicalPaths
		StrictRouting:           true,
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies, // the client's address is clientIP's, not Fiber's X-Forwarded-For whole

		// Bodies are streamed, and read by readBody within its bounds: a
		// form's, or a response's PDF on the one route that takes one.
		// Fiber would otherwise read any body up to one limit, whatever
		// its route, before a handler could tell which it is.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
	})
	h.routes(app)
	go h.summarizeRequests(ctx, summaries(ctx, cfg.Summaries))
	return app, h, nil
}

// SetupLink returns the one-time link that creates the first coordinator,
// or "" once an account exists.
func (h *Handler) SetupLink(ctx context.Context) (string, error) {
	n, err := h.store.UserCount(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	h.setupMu.Lock()
	defer h.setupMu.Unlock()
	if h.setupToken == "" {
		h.setupToken, _ = models.NewToken()
	}
	return h.cfg.BaseURL + "/setup/" + h.setupToken, nil
}

// msg returns a catalogue message in the request's interface language, its
// parameters filled from args: name, value, name, value…
func (h *Handler) msg(c *fiber.Ctx, key string, args ...any) string {
	return views.Message(h.lang(c), key, args...)
}

// date formats t in long form in the request's interface language.
func (h *Handler) date(c *fiber.Ctx, t time.Time) string { return views.FormatDate(h.lang(c), t) }

// page starts the view of a page titled title: the layout's fields, filled for this request.
func (h *Handler) page(c *fiber.Ctx, title string, data any) *views.Page {
	p := &views.Page{Lang: h.lang(c), Dir: views.Dir(h.lang(c)), Languages: h.languageLinks(c), Title: title, Path: c.Path(), CSRFToken: func() string { return h.csrfToken(c) }, Data: data}
	if u, ok := c.Locals(localUser).(*models.User); ok {
		p.Coordinator = u.Name
	}
	return p
}

// privatePage is page for one person's eyes, such as the page of a signer's
// emailed link: search engines are told not to index it, and caches not to
// keep it.
func (h *Handler) privatePage(c *fiber.Ctx, title string, data any) *views.Page {
	p := h.page(c, title, data)
	p.Robots = "noindex"
	c.Set(fiber.HeaderCacheControl, "no-store")
	return p
}

// render writes a page with a status code.
func (h *Handler) render(c *fiber.Ctx, status int, name string, p *views.Page) error {
	c.Status(status).Type("html", "utf-8")
	return h.views.Render(c.Response().BodyWriter(), name, p)
}

// absolute returns the absolute URL of a path on this site.
func (h *Handler) absolute(path string) string { return h.cfg.BaseURL + path }

// pageNumber reads ?page=N (1 when absent or invalid).
func pageNumber(c *fiber.Ctx) int {
	n := c.QueryInt("page", 1)
	if n < 1 {
		return 1
	}
	return n
}

// Pagination is the view of a paginated list's navigation.
type Pagination struct {
	Page, Pages int
	Total       int64
	Path        string
	Query       url.Values // kept on every page's link, such as a filter
}

// Link is the address of page n.
func (p Pagination) Link(n int) string {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = v
	}
	q.Set("page", strconv.Itoa(n))
	return p.Path + "?" + q.Encode()
}

// Prev returns the previous page's number, or 0.
func (p Pagination) Prev() int {
	if p.Page > 1 {
		return p.Page - 1
	}
	return 0
}

// Next returns the next page's number, or 0.
func (p Pagination) Next() int {
	if p.Page < p.Pages {
		return p.Page + 1
	}
	return 0
}

func paginate(path string, page int, total int64, perPage int) Pagination {
	pages := int((total + int64(perPage) - 1) / int64(perPage))
	return Pagination{Page: page, Pages: max(pages, 1), Total: total, Path: path}
}
