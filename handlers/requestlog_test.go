package handlers_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

// newLoggedSite is a site with the seed letter open for signing, its log
// in log and its summaries written at each tick of the returned channel.
func newLoggedSite(t *testing.T, cfg handlers.Config, log *lockedBuffer) (*site, chan<- time.Time) {
	t.Helper()
	ticks := make(chan time.Time)
	cfg.Summaries = ticks
	s := newSiteLogging(t, modeltest.Open(t), cfg, log)
	s.publishedLetter("c@example.org", "Org")
	return s, ticks
}

// summary ticks the site's summary and returns the line it writes, the
// n-th of the log.
func summary(t *testing.T, log *lockedBuffer, ticks chan<- time.Time, n int) string {
	t.Helper()
	select {
	case ticks <- time.Now():
	case <-time.After(5 * time.Second):
		t.Error("the site does not take the ticks of its summaries")
		return ""
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if lines := summaryLine.FindAllString(log.String(), -1); len(lines) >= n {
			return lines[n-1]
		}
	}
	t.Errorf("no summary line %d in the log:\n%.2000s", n, log.String())
	return ""
}

var summaryLine = regexp.MustCompile(`level=INFO msg=requests .*\n`)

// TestAViralDayLogsLittle: a crowd reading, signing, mistyping and
// reaching the rate limit, and bots signing, write no line per request by
// default, so a
// million requests cost the disk a few megabytes at most; the operator
// sees them in a summary line a minute, with counts by status class and
// the latencies, and no signer's email or address anywhere.
func TestAViralDayLogsLittle(t *testing.T) {
	var log lockedBuffer
	limit := handlers.RateLimit{Max: 100, Window: time.Hour}
	many := handlers.RateLimit{Max: 10000, Window: time.Hour}
	s, ticks := newLoggedSite(t, handlers.Config{Limits: handlers.Limits{SignBurst: limit, SignSustained: many, SignOverall: many}}, &log)
	summary(t, &log, ticks, 1) // the coordinator's requests, before the crowd's

	const requests = 2000
	crowd := s.client()
	before := len(log.String())
	want := map[int]int{}
	for i := range requests {
		var r handlertest.Response
		switch i % 4 {
		case 0:
			r = crowd.Get(seedSlug)
		case 1:
			r = crowd.Get("/letters/no-such-letter")
		case 2:
			r = crowd.Post(seedSlug+"/sign", handlertest.SignForm("", "AZ", "not an address"))
		case 3:
			r = crowd.Post(seedSlug+"/sign", handlertest.SignForm("Signer", "AZ", fmt.Sprintf("signer%d@example.org", i)))
		}
		want[r.Status]++
	}
	const bots = 200
	for i := range bots {
		bot := handlertest.SignForm("Bot", "AZ", fmt.Sprintf("bot%d@example.org", i))
		bot.Set("referral_code", "x") // the honeypot
		want[crowd.Post(seedSlug+"/sign", bot).Status]++
	}
	if want[http.StatusOK] != requests/4 || want[http.StatusNotFound] != requests/4 || want[http.StatusUnprocessableEntity] != requests/4 ||
		want[http.StatusSeeOther] != 100+bots || want[http.StatusTooManyRequests] != requests/4-100 {
		t.Fatalf("the crowd got %v: the test does not make the requests it means to", want)
	}
	grew := len(log.String()) - before
	if perRequest := float64(grew) / (requests + bots); perRequest > 2 {
		t.Errorf("%d requests wrote %d bytes to the log, %.1f a request (%.0f MB a million); want no line per request:\n%.600s",
			requests+bots, grew, perRequest, perRequest, log.String()[before:])
	}

	line := summary(t, &log, ticks, 2)
	wantCounts := fmt.Sprintf("count=%d status_2xx=%d status_3xx=%d status_4xx=%d status_429=%d status_5xx=0 slow=0 signatures_dropped_as_automated=%d ",
		requests+bots, requests/4, 100+bots, requests/2+requests/4-100, requests/4-100, bots)
	if !strings.Contains(line, wantCounts) || !regexp.MustCompile(`p50_ms=[0-9.]+ p90_ms=[0-9.]+ p99_ms=[0-9.]+ max_ms=[0-9.]+\n$`).MatchString(line) {
		t.Errorf("the summary of the crowd's minute is\n%s want it to count %s and give the latencies", line, wantCounts)
	}
	for _, private := range []string{"@example.org", "0.0.0.0", "not an address"} {
		if strings.Contains(log.String(), private) {
			t.Errorf("the log holds %q", private)
		}
	}
}

// TestFailuresAndSlowRequestsAreLoggedByDefault: what an operator must
// see one by one, a server error or a slow request, is logged with the
// request id the response carries, its method, path, status and duration.
func TestFailuresAndSlowRequestsAreLoggedByDefault(t *testing.T) {
	var log lockedBuffer
	s, _ := newLoggedSite(t, handlers.Config{}, &log)
	visitor := s.client()
	visitor.Get("/letters/no-such-letter").Expect(t, http.StatusNotFound)
	s.store.Close()
	failed := visitor.Get("/letters/no-such-letter").Expect(t, http.StatusInternalServerError)
	if !strings.Contains(log.String(), requestLine("ERROR", "request", failed, "GET /letters/no-such-letter", 500)) {
		t.Errorf("the server error is not logged with its id %q:\n%s", failed.Header.Get("X-Request-ID"), log.String())
	}
	if n := strings.Count(log.String(), "status=404"); n > 0 {
		t.Errorf("a 404 is logged %d times; want it only counted, a crowd's 4xx would flood the log", n)
	}

	var slowLog lockedBuffer
	s, _ = newLoggedSite(t, handlers.Config{SlowRequest: time.Nanosecond}, &slowLog)
	slow := s.client().Get(seedSlug).Expect(t, http.StatusOK)
	if !strings.Contains(slowLog.String(), requestLine("WARN", `"slow request"`, slow, "GET "+seedSlug, 200)) {
		t.Errorf("the slow request is not logged with its id %q:\n%s", slow.Header.Get("X-Request-ID"), slowLog.String())
	}
}

// requestLine is the start of the line logging the request that got r,
// up to its duration.
func requestLine(level, msg string, r handlertest.Response, request string, status int) string {
	method, path, _ := strings.Cut(request, " ")
	return fmt.Sprintf("level=%s msg=%s id=%s method=%s path=%s status=%d duration_ms=", level, msg, r.Header.Get("X-Request-ID"), method, path, status)
}

// TestEveryRequestIsLoggedWhenAsked: with LogAllRequests (-log-requests
// all) each request has its line, the 4xx and 3xx too.
func TestEveryRequestIsLoggedWhenAsked(t *testing.T) {
	var log lockedBuffer
	s, _ := newLoggedSite(t, handlers.Config{LogAllRequests: true}, &log)
	visitor := s.client()
	for i := range 20 {
		for _, r := range []struct {
			handlertest.Response
			request string
		}{
			{visitor.Get(seedSlug), "GET " + seedSlug},
			{visitor.Get("/letters/no-such-letter"), "GET /letters/no-such-letter"},
			{visitor.Post(seedSlug+"/sign", handlertest.SignForm("", "AZ", "")), "POST " + seedSlug + "/sign"},
			{visitor.Post(seedSlug+"/sign", handlertest.SignForm("Signer", "AZ", fmt.Sprintf("s%d@example.org", i))), "POST " + seedSlug + "/sign"},
		} {
			if line := requestLine("INFO", "request", r.Response, r.request, r.Status); !strings.Contains(log.String(), line) {
				t.Fatalf("no line %q in the log:\n%s", line, log.String())
			}
		}
	}
}
