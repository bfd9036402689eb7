package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wrkScript is the Lua script wrk runs: it makes the sign scenario's
// requests, counts every answer's status by kind of request, and prints
// the counts as one line when done.
//
//go:embed wrk.lua
var wrkScript []byte

// wrkThreads is the threads wrk runs, one a core of this machine's two,
// fewer with fewer connections.
const wrkThreads = 2

// wrkPlan is how wrk makes a scenario's requests: it sends them to url
// with the headers, and its script takes args ("get", or "sign" and the
// form's settings).
type wrkPlan struct {
	url    string
	header []string
	args   []string
}

// findWrk finds the wrk binary, or says plainly that it is missing: a run
// asked for with wrk never falls back to vegeta.
func findWrk() (string, error) {
	path, err := exec.LookPath("wrk")
	if err != nil {
		return "", fmt.Errorf("-client wrk: wrk is not installed (%w); install it (Debian: apt-get install wrk) or use -client vegeta", err)
	}
	return path, nil
}

// wrkReport is what one wrk run says: its own figures, and the counts its
// script printed.
type wrkReport struct {
	requests           uint64
	reqPerSec          float64
	p50, p90, p99, max time.Duration
	wrkCounts
}

// wrkCounts is the line the script prints when done: the answers by kind
// of request and status ("valid 303"), the requests sent by kind (sign
// only: wrk sends the same GET again without asking the script), and wrk's
// socket errors.
type wrkCounts struct {
	Counts map[string]int `json:"counts"`
	Sent   map[string]int `json:"sent"`
	Errors map[string]int `json:"errors"`
}

var (
	wrkRequests = regexp.MustCompile(`(?m)^\s*(\d+) requests in `)
	wrkRate     = regexp.MustCompile(`(?m)^Requests/sec:\s+([\d.]+)\s*$`)
	// The thread statistics' latency line: average, deviation, max, share within a deviation.
	wrkLatency    = regexp.MustCompile(`(?m)^\s+Latency\s+([\d.]+\w+)\s+([\d.]+\w+)\s+([\d.]+\w+)\s+`)
	wrkPercentile = regexp.MustCompile(`(?m)^\s+(50|90|99)%\s+([\d.]+\w+)\s*$`)
	wrkSummary    = regexp.MustCompile(`(?m)^loadgen-wrk: (.*)$`)
)

// parseWrk reads wrk's output with --latency and the script's line.
func parseWrk(out []byte) (wrkReport, error) {
	var r wrkReport
	m := wrkRequests.FindSubmatch(out)
	rate := wrkRate.FindSubmatch(out)
	lat := wrkLatency.FindSubmatch(out)
	line := wrkSummary.FindSubmatch(out)
	if m == nil || rate == nil || lat == nil || line == nil {
		return r, errors.New("wrk's output lacks its requests, rate, latency or the script's counts")
	}
	var err error
	r.requests, _ = strconv.ParseUint(string(m[1]), 10, 64)
	r.reqPerSec, _ = strconv.ParseFloat(string(rate[1]), 64)
	if r.max, err = time.ParseDuration(string(lat[3])); err != nil {
		return r, fmt.Errorf("wrk's max latency: %w", err)
	}
	percentiles := map[string]*time.Duration{"50": &r.p50, "90": &r.p90, "99": &r.p99}
	for _, p := range wrkPercentile.FindAllSubmatch(out, -1) {
		if *percentiles[string(p[1])], err = time.ParseDuration(string(p[2])); err != nil {
			return r, fmt.Errorf("wrk's %s%% latency: %w", p[1], err)
		}
		delete(percentiles, string(p[1]))
	}
	if len(percentiles) > 0 {
		return r, errors.New("wrk's output lacks its latency distribution (--latency)")
	}
	if err := json.Unmarshal(line[1], &r.wrkCounts); err != nil {
		return r, fmt.Errorf("the script's counts: %w", err)
	}
	return r, nil
}

// wrkArgs are wrk's arguments for a run of plan with the script at script.
// Its timeout is vegeta's: an answer slower than that counts as an error.
func wrkArgs(plan *wrkPlan, script string, cfg config) []string {
	args := []string{"-t", strconv.Itoa(min(wrkThreads, cfg.workers)), "-c", strconv.Itoa(cfg.workers),
		"-d", fmt.Sprintf("%ds", int(cfg.duration.Seconds())), "--timeout", "30s", "--latency", "-s", script}
	for _, h := range plan.header {
		args = append(args, "-H", h)
	}
	args = append(args, plan.url, "--")
	return append(args, plan.args...)
}

// wrkAttack runs wrk with tr's plan and puts its figures and counts in res.
func wrkAttack(ctx context.Context, res *measurement, tr *scenarioTargeter, cfg config) error {
	dir, err := os.MkdirTemp("", "loadgen-wrk-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "loadgen.lua")
	if err := os.WriteFile(script, wrkScript, 0o600); err != nil {
		return err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, cfg.wrk, wrkArgs(tr.wrk, script, cfg)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("wrk: %w\n%s%s", err, stdout.Bytes(), stderr.Bytes())
	}
	r, err := parseWrk(stdout.Bytes())
	if err != nil {
		return fmt.Errorf("%w:\n%s%s", err, stdout.Bytes(), stderr.Bytes())
	}
	return takeWrkReport(res, tr, r)
}

// takeWrkReport puts wrk's figures and counts in res, each status checked
// against the one tr wants for its kind of request.
func takeWrkReport(res *measurement, tr *scenarioTargeter, r wrkReport) error {
	res.metrics.Requests = r.requests
	res.reqPerSec = r.reqPerSec
	l := &res.metrics.Latencies
	l.P50, l.P90, l.P99, l.Max = r.p50, r.p90, r.p99, r.max
	res.unanswered = maps.Clone(r.Sent)
	for key, n := range r.Counts {
		kind, status, _ := strings.Cut(key, " ")
		code, err := strconv.ParseUint(status, 10, 16)
		if err != nil {
			return fmt.Errorf("the script's counts: %q", key)
		}
		res.count(kind, tr.want[kind], uint16(code), n)
		if _, ok := res.unanswered[kind]; ok {
			res.unanswered[kind] -= n
		}
	}
	// wrk counts statuses above 399 as errors too: the script's counts
	// say which were wanted.
	for _, e := range []string{"connect", "read", "write", "timeout"} {
		if n := r.Errors[e]; n > 0 {
			res.errors["wrk: "+e+" errors"] += n
			res.unexpected += n
		}
	}
	return nil
}

// wrkSignArgs are the script's arguments for the sign scenario: the CSRF
// cookie and token, the signatories prepared, the names and countries
// signed with, and the shares of duplicates and of invalid forms in
// thousandths.
func wrkSignArgs(cookie, token string, cfg config, dupCut, invalidCut int) []string {
	return []string{"sign", cookie, token, strconv.Itoa(cfg.signatures), strings.Join(givenNames, ","), strings.Join(countries, ","),
		strconv.Itoa(dupCut), strconv.Itoa(invalidCut - dupCut)}
}
