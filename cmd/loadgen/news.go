package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// coordinator is the prepared letter's coordinator, logged in.
type coordinator struct {
	client *http.Client
	base   string
	p      prepared
}

// logIn logs in as the prepared letter's coordinator.
func logIn(ctx context.Context, base string, p prepared) (*coordinator, error) {
	jar, _ := cookiejar.New(nil)
	c := &coordinator{base: base, p: p,
		client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if err := c.post(ctx, "/login", url.Values{"email": {coordinatorEmail}, "password": {p.password}}); err != nil {
		return nil, fmt.Errorf("log in as the coordinator: %w", err)
	}
	return c, nil
}

// post sends a form as the coordinator's browser does, and wants 303.
func (c *coordinator) post(ctx context.Context, path string, form url.Values) error {
	token, err := csrfToken(ctx, c.client, c.base+"/login")
	if err != nil {
		return err
	}
	form.Set("_csrf", token)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("POST %s: %s, want 303", path, resp.Status)
	}
	return nil
}

// sendNews presses the editor's button that emails the prepared update to
// the signers who asked.
func (c *coordinator) sendNews(ctx context.Context) error {
	path := fmt.Sprintf("/dashboard/letters/%d/updates/%d/send", c.p.letterID, c.p.updateID)
	if err := c.post(ctx, path, url.Values{}); err != nil {
		return fmt.Errorf("send the news: %w", err)
	}
	return nil
}

// newsProgress is what the editor says of the send: "Being sent: N emails
// so far", or "Sent to N on…".
var newsProgress = regexp.MustCompile(`Being sent: ([\d,]+) emails? so far|Sent to ([\d,]+) on`)

// newsQueued reads from the editor how many news emails the send has put
// in the outbox so far.
func (c *coordinator) newsQueued(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/dashboard/letters/%d", c.base, c.p.letterID), nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := newsProgress.FindSubmatch(body)
	if err != nil || m == nil {
		return 0, fmt.Errorf("the editor (%s) does not say how the send goes: %v", resp.Status, err)
	}
	return strconv.Atoi(strings.ReplaceAll(string(m[1])+string(m[2]), ",", ""))
}

// csrfToken reads the CSRF token of the page at u, its cookie kept in
// client's jar.
func csrfToken(ctx context.Context, client *http.Client, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(body)
	if err != nil || m == nil {
		return "", fmt.Errorf("GET %s: no CSRF token (%s, %v)", u, resp.Status, err)
	}
	return string(m[1]), nil
}

// signDuringNews measures signing alone, then signing while the news goes
// out, and says how many news emails reached the sink meanwhile, at what
// pace against the server's -news-rate, and how signing held up.
func signDuringNews(ctx context.Context, out io.Writer, srv *server, sink *smtpSink, p prepared, tr *scenarioTargeter, cfg config) (alone, during *measurement, err error) {
	if alone, err = measure(ctx, srv, "sign", tr, cfg); err != nil {
		return nil, nil, err
	}
	// Both attacks start with an empty outbox: the first one's emails must
	// not weigh on the second.
	sink.waitQuiet(ctx, 3*time.Second)
	coord, err := logIn(ctx, srv.url(), p)
	if err != nil {
		return nil, nil, err
	}
	if err := coord.sendNews(ctx); err != nil {
		return nil, nil, err
	}
	began, before := time.Now(), sink.news.Load()
	// New addresses: those of the first attack have signed.
	again := *tr
	again.next = func(n uint64, t *vegeta.Target) { tr.next(n+1<<32, t) }
	if during, err = measure(ctx, srv, "sign+news", &again, cfg); err != nil {
		return nil, nil, err
	}
	took := time.Since(began)
	queued, err := coord.newsQueued(ctx)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(out, "news: the send put %d emails in the outbox in the %s of signing beside it, %.0f a minute at -news-rate %d (%s)\n",
		queued, took.Round(time.Millisecond), float64(queued)/took.Minutes(), cfg.newsRate, ratio(float64(queued)/took.Minutes(), float64(cfg.newsRate)))
	// The sink then has the outbox alone: the signatures' own emails go
	// first, then the news, never faster than the send queued them.
	time.Sleep(newsWatch)
	watched := time.Since(began)
	sent := sink.news.Load() - before
	fmt.Fprintf(out, "news: %d reached the SMTP sink in the %s since the send began, %.0f a minute (%s of -news-rate); %d emails of every kind in the run\n",
		sent, watched.Round(time.Millisecond), float64(sent)/watched.Minutes(), ratio(float64(sent)/watched.Minutes(), float64(cfg.newsRate)), sink.all.Load())
	verdict := "within"
	if during.reqPerSec < 0.8*alone.reqPerSec {
		verdict = "NOT within"
	}
	fmt.Fprintf(out, "signing beside the send: %.1f req/s against %.1f alone (%s), %s 20%%\n",
		during.reqPerSec, alone.reqPerSec, ratio(during.reqPerSec, alone.reqPerSec), verdict)
	return alone, during, nil
}

// newsWatch is how long the run watches the news reach the sink after
// signing beside it.
const newsWatch = 30 * time.Second

// newsArgs are the server's flags of a run that sends news: its mail to
// the sink, at the run's rate.
func newsArgs(sink *smtpSink, cfg config) []string {
	return []string{"-smtp-url", sink.url(), "-news-rate", strconv.Itoa(cfg.newsRate)}
}
