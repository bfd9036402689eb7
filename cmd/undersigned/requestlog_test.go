package main

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// The server as an operator runs it logs no line per request by default,
// and the requests of its last minute in a summary as it stops; with
// -log-requests all it logs each request.
func TestTheServerLogsRequestsAsItsSettingSays(t *testing.T) {
	for _, tc := range []struct {
		name       string
		flags      []string
		perRequest bool
	}{
		{"default", nil, false},
		{"all", []string{"-log-requests", "all"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, filepath.Join(t.TempDir(), "u.db"), freeAddr(t), tc.flags...)
			for _, path := range []string{"/", "/letters/no-such-letter", "/", "/"} {
				resp, err := http.Get("http://" + s.addr + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			s.Process.Signal(syscall.SIGTERM)
			s.Wait()
			log := s.Stderr.(*lastLines).String()
			if got := strings.Contains(log, "msg=request id="); got != tc.perRequest {
				t.Errorf("a line per request: %t, want %t; the log ends:\n%s", got, tc.perRequest, log)
			}
			if !lastSummary.MatchString(log) {
				t.Errorf("no summary of the last minute's requests as the server stopped; the log ends:\n%s", log)
			}
		})
	}
}

// lastSummary is the summary line of the requests above: the 404, the
// three pages, and the health checks start made.
var lastSummary = regexp.MustCompile(`level=INFO msg=requests period=\S+ count=\d+ status_2xx=\d+ status_3xx=0 status_4xx=1 status_429=0 status_5xx=0 slow=0 signatures_dropped_as_automated=0 p50_ms=`)
