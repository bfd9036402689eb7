package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestLoadgenRunsEachScenarioAgainstTheRealServer runs the tool for about a
// second per attack on a small letter: the figures come with their ratios
// to the baseline, every sign outcome is the one wanted, and the letter
// counts every signature the server thanked for.
func TestLoadgenRunsEachScenarioAgainstTheRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	runScenarios(t, []string{"-page", "2", "-readers", "1", "-duration", "700ms"}, []scenarioCase{
		{"letter", []string{"baseline GET /healthz", "letter GET /letters/joint-letter-under-load", "letter ÷ baseline", "page (want 200)"}},
		{"letter-json", []string{"letter-json GET /letters/joint-letter-under-load.json", "page (want 200)"}},
		{"list", []string{"list GET /letters/joint-letter-under-load/signatories?page=2", "list ÷ baseline"}},
		// 150 entries, 100 a page: the last page is the second.
		{"list-last", []string{"list-last GET /letters/joint-letter-under-load/signatories?page=2", "page (want 200)"}},
		{"list-json-last", []string{"list-json-last GET /letters/joint-letter-under-load/signatories.json?page=2", "page (want 200)"}},
		{"index", []string{"index GET /  ", "index ÷ baseline", "page (want 200)"}},
		{"print", []string{"print GET /letters/joint-letter-under-load/print", "page (want 200)", "pages whole (150 entries, then </html>); fewest entries 150;"}},
		{"packet", []string{"packet GET /letters/joint-letter-under-load/packet.pdf", "packet ÷ baseline", "page (want 200)"}},
		{"sign", []string{"valid (want 303)", "duplicate (want 303)", "invalid (want 422)", "stored: the letter counts the 150 signatories prepared"}},
		{"sign+letter", []string{"(3 workers) while 1 readers GET", "valid (want 303)", "letter readers: ", "healthz reader: ", "failures map[]\nhealthz", "stored: the letter counts the 150 signatories prepared"}},
	})
}

// scenarioCase is a scenario runScenarios runs, and what its output must say.
type scenarioCase struct {
	scenario string
	want     []string
}

// runScenarios builds the server and runs loadgen on it with args for each
// case, on a letter of 150 signatories, 4 workers: the output must say
// what the case wants, and no status may be unexpected or of an unknown
// kind of request.
func runScenarios(t *testing.T, args []string, cases []scenarioCase) {
	bin, err := buildServer(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.scenario, func(t *testing.T) {
			var out bytes.Buffer
			args := append([]string{"-server", bin, "-scenario", tc.scenario, "-signatures", "150", "-workers", "4"}, args...)
			if err := run(context.Background(), args, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if strings.Contains(out.String(), "UNEXPECTED") || strings.Contains(out.String(), "unknown") {
				t.Errorf("unexpected statuses:\n%s", out.String())
			}
			if m := printWhole.FindStringSubmatch(out.String()); m != nil && m[1] != m[2] {
				t.Errorf("print pages not whole:\n%s", out.String())
			}
		})
	}
}

var printWhole = regexp.MustCompile(`print: (\d+) of (\d+) pages whole`)

// TestPrintPageCutShortIsNotWhole serves print pages as a server cut off by
// a deadline would: the status says 200, but the page lacks entries or its
// end. loadgen must count it as an error, not as a page served.
func TestPrintPageCutShortIsNotWhole(t *testing.T) {
	whole := "<html><ol><li>a demand</li></ol><ul class=\"signatory-list\">\n    <li>A</li>\n    <li>B</li>\n  </ul></html>\n"
	for _, tc := range []struct {
		body    string
		entries int64
		error   string
	}{
		{whole, 2, ""},
		{whole, 3, errNotWhole}, // an entry missing
		{strings.TrimSuffix(whole, "</html>\n"), 2, errNotWhole}, // cut before its end
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, tc.body) }))
		r, reading := readPrint(context.Background(), srv.Client(), srv.URL, http.Header{}, tc.entries)
		srv.Close()
		if r.Error != tc.error || reading == nil || reading.entries != 2 {
			t.Errorf("%q, %d entries wanted: error %q, read %+v; want error %q, 2 entries", tc.body, tc.entries, r.Error, reading, tc.error)
		}
	}
}

func TestLoadgenRefusesUnboundedOrUnknownRuns(t *testing.T) {
	for _, args := range [][]string{
		{"-scenario", "everything"},
		{"-signatures", "1000001"},
		{"-duration", "11m"},
		{"-duration", "0s"},
		{"-workers", "0"},
		{"-duplicates", "0.7", "-invalid", "0.5"},
		{"-scenario", "sign", "-signatures", "0"},
		{"-scenario", "print", "-rate", "10"},
		{"-client", "curl"},
		{"-client", "wrk", "-rate", "10"},
		{"-client", "wrk", "-max-requests", "1000"},
		{"-client", "wrk", "-scenario", "print"},
		{"-client", "wrk", "-duration", "1500ms"},
		{"-scenario", "letter", "-signatures", "100", "-news", "10"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// TestLoadgenRefusesNewsWithWrk: a run with news signs twice, and wrk's
// emails are the same in both runs: the second would sign nothing new, so
// loadgen says so rather than measure duplicates.
func TestLoadgenRefusesNewsWithWrk(t *testing.T) {
	_, err := parseFlags([]string{"-client", "wrk", "-scenario", "sign", "-signatures", "100", "-news", "10"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "repeat") || !strings.Contains(err.Error(), "-client vegeta") {
		t.Errorf("-news with -client wrk: %v, want a refusal that says wrk's emails repeat and to use -client vegeta", err)
	}
}
