package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// scenarioTargeter makes the requests of one scenario and says which
// status each should get.
type scenarioTargeter struct {
	what string
	// next fills in the n-th request.
	next func(n uint64, t *vegeta.Target)
	// kind names the kind of request a result answers.
	kind func(r *vegeta.Result) string
	// want is the status each kind of request wants.
	want map[string]uint16
	// wrk says how wrk makes the requests (-client wrk); nil when it cannot.
	wrk *wrkPlan
	// attack, when set, makes and reads the requests itself, instead of
	// vegeta with next.
	attack func(ctx context.Context, cfg config) <-chan *vegeta.Result
	// summary, when set, says more of the answers after the figures.
	summary func(w io.Writer)
}

// getTargeter GETs u. With gzip, it asks for a gzipped answer as browsers
// do, and reads it as it comes: Go's client, asked for gzip by the caller
// rather than on its own, leaves the body compressed, so the load tool does
// not spend the cores it shares with the server inflating what a browser
// would inflate on its own machine. Without, it asks for the answer
// uncompressed.
func getTargeter(u string, gzip bool) *scenarioTargeter {
	path, _ := url.Parse(u)
	header := http.Header{"Accept-Encoding": {"identity"}}
	if gzip {
		header.Set("Accept-Encoding", "gzip")
	}
	return &scenarioTargeter{
		what: "GET " + path.RequestURI(),
		next: func(_ uint64, t *vegeta.Target) { t.Method, t.URL, t.Header = http.MethodGet, u, header },
		kind: onePage,
		want: map[string]uint16{"page": http.StatusOK},
		wrk:  &wrkPlan{url: u, header: []string{"Accept-Encoding: " + header.Get("Accept-Encoding")}, args: []string{"get"}},
	}
}

// onePage is the kind of every GET's result.
func onePage(*vegeta.Result) string { return "page" }

func healthTargeter(base string, gzip bool) *scenarioTargeter {
	return getTargeter(base+"/healthz", gzip)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// The kinds of sign request, named in the request's query so that its
// result can be told apart (the server reads the form from the body).
const (
	signValid     = "valid"
	signDuplicate = "duplicate"
	signInvalid   = "invalid"
)

// signTargeter posts signatures with the CSRF cookie and token of the
// letter page, as a browser that opened it would: a new email each time,
// except a share of duplicates (a signatory's email, answered as a new
// signature is, 303) and of invalid forms (no name, an unknown country,
// 422); the others should be thanked with a redirect (303).
func signTargeter(ctx context.Context, letter string, cfg config) (*scenarioTargeter, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, letter, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get the signing form: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("get the signing form: %w", err)
	}
	m := csrfInput.FindSubmatch(body)
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "undersigned_csrf" {
			cookie = c
		}
	}
	if resp.StatusCode != http.StatusOK || m == nil || cookie == nil {
		return nil, fmt.Errorf("the letter page (%s) has no CSRF cookie and token", resp.Status)
	}
	token := string(m[1])
	header := http.Header{
		"Content-Type": {"application/x-www-form-urlencoded"},
		"Cookie":       {(&http.Cookie{Name: cookie.Name, Value: cookie.Value}).String()},
	}
	dupCut := int(cfg.duplicates * 1000)
	invalidCut := dupCut + int(cfg.invalid*1000)
	return &scenarioTargeter{
		what: "POST " + req.URL.Path + "/sign",
		want: map[string]uint16{signValid: http.StatusSeeOther, signDuplicate: http.StatusSeeOther, signInvalid: http.StatusUnprocessableEntity},
		wrk:  &wrkPlan{url: letter + "/sign", args: wrkSignArgs(header.Get("Cookie"), token, cfg, dupCut, invalidCut)},
		next: func(n uint64, t *vegeta.Target) {
			// 7919 is prime to 1000: the kinds are spread through the run.
			slot := int(n * 7919 % 1000)
			kind, form := signValid, url.Values{
				"kind": {"individual"}, "name": {givenNames[n%uint64(len(givenNames))] + " Loadgen"}, "affiliation": {"Measure First"},
				"country": {countries[n%uint64(len(countries))]}, "email": {"load" + strconv.FormatUint(n, 10) + "@example.org"},
				"display": {"full"}, "agree": {"true"}, "_csrf": {token},
			}
			switch {
			case slot < dupCut:
				kind = signDuplicate
				form.Set("email", seedEmail(int(n%uint64(cfg.signatures))))
			case slot < invalidCut:
				kind = signInvalid
				form.Set("name", "")
				form.Set("country", "XX")
			}
			t.Method, t.URL, t.Header, t.Body = http.MethodPost, letter+"/sign?loadgen="+kind, header, []byte(form.Encode())
		},
		kind: func(r *vegeta.Result) string {
			u, err := url.Parse(r.URL)
			if err != nil {
				return "unknown"
			}
			return u.Query().Get("loadgen")
		},
	}, nil
}

// outcome counts the statuses one kind of request got.
type outcome struct {
	want uint16
	got  map[uint16]int
}

// count is how many got code; none on a nil outcome.
func (o *outcome) count(code uint16) int {
	if o == nil {
		return 0
	}
	return o.got[code]
}

// measurement is one attack's figures.
type measurement struct {
	name, what string
	summary    func(io.Writer) // the scenario's own summary, if any
	metrics    vegeta.Metrics
	reqPerSec  float64
	outcomes   map[string]*outcome
	errors     map[string]int // transport errors, by message
	unexpected int            // responses with another status than wanted, and transport errors
	unanswered map[string]int // requests by kind sent but not answered when wrk stopped
	peakRSS    int64
	rssNote    string
	first      *vegeta.Result // the request sent first: on a new server, the page's first rendering
}

// measure runs one attack on the server with the configured pace and reads
// the server's peak memory during it.
func measure(ctx context.Context, srv *server, name string, tr *scenarioTargeter, cfg config) (*measurement, error) {
	res := &measurement{name: name, what: tr.what, summary: tr.summary, outcomes: map[string]*outcome{}, errors: map[string]int{}}
	if err := srv.resetPeakRSS(); err != nil {
		res.rssNote = "peak since the server started: " + err.Error()
	}
	var err error
	if cfg.client == "wrk" {
		err = wrkAttack(ctx, res, tr, cfg)
	} else {
		readResults(ctx, res, name, tr, cfg)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, ctxErr
	}
	if srv.exited() {
		return nil, errors.New("the server stopped during the attack")
	}
	if err != nil {
		return nil, err
	}
	if res.peakRSS, err = srv.peakRSS(); err != nil {
		res.rssNote = err.Error()
	}
	return res, nil
}

// readResults runs tr's attack, with vegeta unless it makes its own
// requests, and adds up its results in res.
func readResults(ctx context.Context, res *measurement, name string, tr *scenarioTargeter, cfg config) {
	attack := tr.attack
	if attack == nil {
		attack = func(ctx context.Context, cfg config) <-chan *vegeta.Result { return vegetaAttack(ctx, name, tr, cfg) }
	}
	for r := range attack(ctx, cfg) {
		if r.Error == vegeta.ErrNoTargets.Error() {
			continue
		}
		res.metrics.Add(r)
		if res.first == nil || r.Timestamp.Before(res.first.Timestamp) {
			res.first = r
		}
		if r.Code == 0 {
			res.errors[r.Error]++
			res.unexpected++
			continue
		}
		kind := tr.kind(r)
		res.count(kind, tr.want[kind], r.Code, 1)
	}
	res.metrics.Close()
	if d := res.metrics.Duration + res.metrics.Wait; d > 0 {
		res.reqPerSec = float64(res.metrics.Requests) / d.Seconds()
	}
}

// count adds n answers with status code to the requests of kind, which
// want the status want.
func (res *measurement) count(kind string, want, code uint16, n int) {
	o := res.outcomes[kind]
	if o == nil {
		o = &outcome{want: want, got: map[uint16]int{}}
		res.outcomes[kind] = o
	}
	o.got[code] += n
	if code != want {
		res.unexpected += n
	}
}

// vegetaAttack sends tr's requests with vegeta at the configured pace,
// until the duration or the requests run out or ctx ends.
func vegetaAttack(ctx context.Context, name string, tr *scenarioTargeter, cfg config) <-chan *vegeta.Result {
	w := uint64(cfg.workers)
	a := vegeta.NewAttacker(vegeta.Workers(w), vegeta.MaxWorkers(w), vegeta.Connections(cfg.workers), vegeta.MaxConnections(cfg.workers),
		vegeta.Redirects(vegeta.NoFollow), vegeta.Timeout(30*time.Second), vegeta.MaxBody(0), vegeta.KeepAlive(true))
	var sent atomic.Uint64
	targeter := func(t *vegeta.Target) error {
		n := sent.Add(1) - 1
		if n >= uint64(cfg.maxRequests) {
			return vegeta.ErrNoTargets
		}
		tr.next(n, t)
		return nil
	}
	results := a.Attack(targeter, vegeta.ConstantPacer{Freq: cfg.rate, Per: time.Second}, cfg.duration, name)
	stop := context.AfterFunc(ctx, func() { a.Stop() })
	out := make(chan *vegeta.Result)
	go func() {
		defer close(out)
		defer stop()
		for r := range results {
			out <- r
		}
	}()
	return out
}

// report prints the baseline's figures, the scenario's, and the ratio of
// each of the scenario's figures to the baseline's.
func report(out io.Writer, base, sc *measurement) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\trequests\treq/s\tp50\tp99\tmax\tpeak RSS\t")
	for _, m := range []*measurement{base, sc} {
		l := m.metrics.Latencies
		fmt.Fprintf(tw, "%s %s\t%d\t%.1f\t%s\t%s\t%s\t%.1f MiB\t\n", m.name, m.what, m.metrics.Requests, m.reqPerSec,
			ms(l.P50), ms(l.P99), ms(l.Max), float64(m.peakRSS)/(1<<20))
	}
	bl, sl := base.metrics.Latencies, sc.metrics.Latencies
	fmt.Fprintf(tw, "%s ÷ %s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", sc.name, base.name,
		ratio(float64(sc.metrics.Requests), float64(base.metrics.Requests)), ratio(sc.reqPerSec, base.reqPerSec),
		ratio(float64(sl.P50), float64(bl.P50)), ratio(float64(sl.P99), float64(bl.P99)), ratio(float64(sl.Max), float64(bl.Max)),
		ratio(float64(sc.peakRSS), float64(base.peakRSS)))
	tw.Flush()
	for _, m := range []*measurement{base, sc} {
		fmt.Fprintf(out, "%s statuses:", m.name)
		for _, kind := range slices.Sorted(mapsKeys(m.outcomes)) {
			o := m.outcomes[kind]
			var got []string
			for _, code := range slices.Sorted(mapsKeys(o.got)) {
				mark := ""
				if code != o.want {
					mark = " UNEXPECTED"
				}
				got = append(got, fmt.Sprintf("%d×%d%s", o.got[code], code, mark))
			}
			fmt.Fprintf(out, " %s (want %d): %s;", kind, o.want, strings.Join(got, ", "))
		}
		for msg, n := range m.errors {
			fmt.Fprintf(out, " error %q ×%d;", msg, n)
		}
		fmt.Fprintln(out)
		if m.first != nil {
			fmt.Fprintf(out, "%s first request: %s (%d)\n", m.name, ms(m.first.Latency), m.first.Code)
		}
		if m.rssNote != "" {
			fmt.Fprintf(out, "%s peak RSS: %s\n", m.name, m.rssNote)
		}
	}
	if sc.summary != nil {
		sc.summary(out)
	}
}

func mapsKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.3g", a/b)
}
