package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
	"undersigned/models/modeltest/suites"
)

// TestMemoryStaysBoundedUnderRandomPaths is finding 3 as an attacker
// plays it against the real binary: 50,000 requests over loopback to paths
// the server has never seen (long random slugs read, signed and resent,
// random tokens on every token route, random query strings on a real
// letter), with valid CSRF tokens so that every form reaches its handler.
// The server's resident memory may grow by at most maxGrowth past a
// warm-up of the same mix; at d3e542c, 3,000 signatures to random slugs
// alone grew it by 62 MB.
//
// The server runs with GOGC=100 here, not its own 400 (tuneGC): at 400
// its heap may hold five times what it keeps alive before collecting, up
// to its 100 MB soft limit, so that resident memory floats by tens of
// megabytes with garbage alone, which would hide growth or fake it. What
// is measured is what the server keeps.
func TestMemoryStaysBoundedUnderRandomPaths(t *testing.T) {
	const (
		warmUp, requests = 5_000, 50_000
		workers          = 16
		maxGrowth        = 40 << 20
		deadline         = 120 * time.Second
	)
	db, addr := modeltest.DSN(t), freeAddr(t)
	newCoordinator(t, db)
	t.Setenv("GOGC", "100") // for the server: see above
	// The default limits, whose counters last an hour.
	srv := start(t, db, addr, "-sign-burst", "10/1m", "-sign-sustained", "60/1h", "-sign-overall", "120/1h", "-resend-limit", "3/1h")
	coord := loggedIn(t, addr, coordEmail, coordPassword)
	coord.OpenLetter(draft("Free them all", "free-them-all"), nil)

	// One visitor's token and cookies, sent by every request of the
	// attack through a client of its own, safe for the workers to share.
	visitor := handlertest.OverServer(t, addr)
	visitor.Get("/letters/free-them-all").Expect(t, http.StatusOK)
	if visitor.CSRF == "" {
		t.Fatal("the letter page has no CSRF token")
	}
	csrf, base := visitor.CSRF, "http://"+addr
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(base)
	jar.SetCookies(u, visitor.Cookies.Cookies(u))
	httpc := &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	var errors, served atomic.Int64
	attack := func(n int) {
		var wg sync.WaitGroup
		next := atomic.Int64{}
		for range workers {
			wg.Go(func() {
				for next.Add(1) <= int64(n) {
					req := randomRequest(base, csrf)
					resp, err := httpc.Do(req)
					if err != nil {
						errors.Add(1)
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					served.Add(1)
				}
			})
		}
		wg.Wait()
	}
	began, fresh := time.Now(), rss(t, srv.Process.Pid)
	attack(warmUp)
	before := rss(t, srv.Process.Pid)
	attack(requests)
	after := rss(t, srv.Process.Pid)
	took := time.Since(began)
	t.Logf("%d requests (%d transport errors) in %v; RSS %.1f MB at start, %.1f MB after the warm-up of %d, %.1f MB after %d more: %+.1f MB",
		served.Load(), errors.Load(), took.Round(time.Millisecond), mb(fresh), mb(before), warmUp, mb(after), requests, mb(after-before))
	if took > deadline {
		t.Errorf("the attack took %v, over %v", took, deadline)
	}
	if errors.Load() > 0 {
		t.Errorf("%d requests failed to get an answer", errors.Load())
	}
	if after-before > maxGrowth {
		t.Errorf("RSS grew by %.1f MB under %d requests to random paths, want at most %.0f MB", mb(after-before), requests, mb(maxGrowth))
	}
	if r := handlertest.OverServer(t, addr).Get("/healthz"); r.Status != http.StatusOK {
		t.Errorf("/healthz answered %d after the attack", r.Status)
	}
}

// randomRequest is one request of the attack: a path and a query the
// server has never seen.
func randomRequest(base, csrf string) *http.Request {
	slug := randomText(2000 + rand.IntN(1500)) // as long as a request line may be
	token := randomText(43)
	form := url.Values{"_csrf": {csrf}, "kind": {"individual"}, "name": {"Prober"}, "country": {"FR"}, "display": {"full"},
		"agree": {"true"}, "email": {randomText(12) + "@example.org"}}
	var method, path string
	switch rand.IntN(16) {
	case 0, 1:
		method, path = http.MethodGet, "/letters/"+slug
	case 2:
		method, path = http.MethodGet, "/letters/"+slug+"/signatories?page="+strconv.Itoa(rand.IntN(1000))
	case 3:
		method, path = http.MethodGet, "/letters/"+slug+".json"
	case 4, 5, 6, 7, 8:
		method, path = http.MethodPost, "/letters/"+slug+"/sign"
	case 9:
		method, path = http.MethodPost, "/letters/"+slug+"/resend"
	case 10:
		method, path = http.MethodGet, "/confirm/"+token
	case 11:
		method, path = http.MethodPost, "/confirm/"+token+"/renew"
	case 12:
		method, path = http.MethodGet, "/signature/"+token
	case 13:
		method, path = http.MethodPost, "/reconfirm/"+token
	case 14:
		method, path = http.MethodGet, "/letters/free-them-all?"+randomText(20)+"="+randomText(2000)
	default:
		method, path = http.MethodGet, "/"+randomText(30)+"/"+slug
	}
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, base+path, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req
}

// randomText is n random letters and digits.
func randomText(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}

// rss reads a process's resident memory from /proc, in bytes.
func rss(t *testing.T, pid int) int64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		suites.Skip(t, fmt.Sprintf("no /proc to read the server's memory from: %v", err))
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		t.Fatalf("no VmRSS in /proc/%d/status", pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }
