package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// wrkOutput is wrk 4.1's output with --latency and loadgen's script, from
// a sign run, its latencies in three units.
const wrkOutput = `Running 1s test @ http://127.0.0.1:46769/letters/joint-letter-under-load/sign
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.81ms    1.52ms   1.02s    86.76%
    Req/Sec   706.63    298.04     0.96k    73.68%
  Latency Distribution
     50%  635.91us
     75%    1.03ms
     90%    2.27ms
     99%    8.87ms
  1411 requests in 1.00s, 627.81KB read
  Non-2xx or 3xx responses: 142
Requests/sec:   1405.50
Transfer/sec:    618.27KB
loadgen-wrk: {"errors":{"connect":0,"status":142,"write":0,"timeout":1,"read":2},"counts":{"valid 303":1128,"duplicate 303":141,"invalid 422":142},"sent":{"valid":1130,"duplicate":141,"invalid":142}}
`

// TestWrkOutputIsReadWhole reads wrk's figures and the script's counts, as
// loadgen prints them beside vegeta's: the requests, their rate, the
// percentiles and the max in their units, and the statuses by kind.
func TestWrkOutputIsReadWhole(t *testing.T) {
	r, err := parseWrk([]byte(wrkOutput))
	if err != nil {
		t.Fatal(err)
	}
	if r.requests != 1411 || r.reqPerSec != 1405.5 {
		t.Errorf("read %d requests at %g/s, want 1411 at 1405.5/s", r.requests, r.reqPerSec)
	}
	want := []time.Duration{635910 * time.Nanosecond, 2270 * time.Microsecond, 8870 * time.Microsecond, 1020 * time.Millisecond}
	for i, got := range []time.Duration{r.p50, r.p90, r.p99, r.max} {
		if got != want[i] {
			t.Errorf("p50, p90, p99, max: %v, want %v", []time.Duration{r.p50, r.p90, r.p99, r.max}, want)
			break
		}
	}
	if r.Counts["valid 303"] != 1128 || r.Counts["invalid 422"] != 142 || r.Sent["valid"] != 1130 || r.Errors["read"] != 2 {
		t.Errorf("the script's counts read as %+v", r.wrkCounts)
	}

	// What loadgen makes of them: two valid signatures unanswered, and
	// wrk's socket errors unexpected, its statuses above 399 not (the
	// script's counts say which were wanted).
	res := &measurement{outcomes: map[string]*outcome{}, errors: map[string]int{}}
	tr := &scenarioTargeter{want: map[string]uint16{signValid: 303, signDuplicate: 303, signInvalid: 422}}
	if err := takeWrkReport(res, tr, r); err != nil {
		t.Fatal(err)
	}
	if res.unanswered[signValid] != 2 || res.unanswered[signInvalid] != 0 || res.unexpected != 3 || res.outcomes[signValid].count(303) != 1128 {
		t.Errorf("unanswered %v, unexpected %d, errors %v, valid 303s %d; want 2 valid unanswered, 3 unexpected (1 timeout, 2 read errors), 1128",
			res.unanswered, res.unexpected, res.errors, res.outcomes[signValid].count(303))
	}
}

// TestWrkOutputMissingAPartIsAnError: wrk run without --latency, or
// without the script, or stopped before its report, says too little to
// measure with.
func TestWrkOutputMissingAPartIsAnError(t *testing.T) {
	for name, out := range map[string]string{
		"no --latency":    strings.ReplaceAll(wrkOutput, "     50%  635.91us\n", ""),
		"no script":       wrkOutput[:strings.Index(wrkOutput, "loadgen-wrk:")],
		"no report":       wrkOutput[:strings.Index(wrkOutput, "  Thread Stats")],
		"a broken script": strings.Replace(wrkOutput, `"valid 303":1128`, `"valid 303":`, 1),
	} {
		if _, err := parseWrk([]byte(out)); err == nil {
			t.Errorf("%s: read without an error", name)
		}
	}
}

// TestLoadgenRunsWrkAgainstTheRealServer runs the tool with -client wrk for
// a second per attack on a small letter: wrk's figures come with their
// ratios to its own baseline, each sign outcome is counted by kind, and
// the letter counts every signature thanked for.
func TestLoadgenRunsWrkAgainstTheRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		t.Skip("wrk is not installed (Debian: apt-get install wrk): loadgen -client wrk cannot be run")
	}
	runScenarios(t, []string{"-client", "wrk", "-duration", "1s"}, []scenarioCase{
		{"letter", []string{"wrk: 4 workers for 1s each", "baseline GET /healthz", "letter GET /letters/joint-letter-under-load ", "letter ÷ baseline", "page (want 200)"}},
		{"list-last", []string{"list-last GET /letters/joint-letter-under-load/signatories?page=2", "page (want 200)"}},
		{"sign", []string{"sign ÷ baseline", "valid (want 303)", "duplicate (want 303)", "invalid (want 422)", "stored: the letter counts the 150 signatories prepared"}},
	})
}

// TestLoadgenWithoutWrkSaysSo: asked for wrk where there is none, loadgen
// says so and fails, rather than measuring with vegeta.
func TestLoadgenWithoutWrkSaysSo(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var out bytes.Buffer
	err := run(context.Background(), []string{"-client", "wrk", "-db", filepath.Join(t.TempDir(), "u.db")}, &out)
	if err == nil || !strings.Contains(err.Error(), "wrk is not installed") {
		t.Errorf("run without wrk: %v, want wrk is not installed\n%s", err, out.String())
	}
}

// TestStoredCountAllowsOnlyWhatWasLeftUnanswered: the letter must count
// every signature thanked for, and beyond that at most the valid ones wrk
// left unanswered when it stopped, which the server may have stored.
func TestStoredCountAllowsOnlyWhatWasLeftUnanswered(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "undersigned.db")
	p, err := prepare(ctx, db, 10, 10, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	slug := p.slug
	for _, tc := range []struct {
		least, most int64
		ok          bool
	}{
		{10, 10, true},
		{8, 12, true},   // some of the unanswered stored
		{11, 11, false}, // one thanked for and lost
		{11, 14, false},
		{8, 9, false}, // one stored that was neither thanked for nor in flight
	} {
		got, err := checkCount(ctx, db, slug, tc.least, tc.most)
		if (err == nil) != tc.ok || got != 10 {
			t.Errorf("10 stored, %d to %d wanted: count %d, error %v", tc.least, tc.most, got, err)
		}
	}
}
