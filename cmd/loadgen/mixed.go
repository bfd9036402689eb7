package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// signAndReadTargeter is the sign+letter scenario: signing at full rate
// by all workers but -readers, while each of those readers GETs the
// letter page again as soon as it has read the last one, as people
// reloading a viral letter do. The figures are the signing's; the summary
// gives the readers' latencies, their maximum first: a reader who waited
// for the page to be made again after a signature shows there, where a
// percentile over the signatures would hide them. One more reader GETs
// /healthz the same way, as a baseline: on a shared machine even that
// answer waits now and then, for a core.
func signAndReadTargeter(ctx context.Context, base, letter string, cfg config) (*scenarioTargeter, error) {
	sign, err := signTargeter(ctx, letter, cfg)
	if err != nil {
		return nil, err
	}
	readers, probe := &letterReaders{what: "letter readers", url: letter}, &letterReaders{what: "healthz reader", url: base + "/healthz"}
	signers := cfg
	signers.workers = cfg.workers - cfg.readers
	sign.what += fmt.Sprintf(" (%d workers) while %d readers GET %s", signers.workers, cfg.readers, letter)
	sign.attack = func(ctx context.Context, cfg config) <-chan *vegeta.Result {
		ctx, stop := context.WithTimeout(ctx, cfg.duration)
		for range cfg.readers {
			readers.wg.Go(func() { readers.read(ctx) })
		}
		probe.wg.Go(func() { probe.read(ctx) })
		out := make(chan *vegeta.Result)
		go func() {
			defer close(out)
			defer stop()
			for r := range vegetaAttack(ctx, "sign+letter", sign, signers) {
				out <- r
			}
			stop()
			readers.wg.Wait()
			probe.wg.Wait()
		}()
		return out
	}
	sign.summary = func(w io.Writer) {
		readers.report(w)
		probe.report(w)
	}
	return sign, nil
}

// letterReaders GET a page one after another, each on a connection of
// its own, and note each answer's latency.
type letterReaders struct {
	what, url string
	wg        sync.WaitGroup

	mu        sync.Mutex
	latencies []time.Duration
	failures  map[string]int
}

// read GETs the page until ctx ends.
func (r *letterReaders) read(ctx context.Context) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 30 * time.Second}
	for ctx.Err() == nil {
		began := time.Now()
		failure := r.get(ctx, client)
		took := time.Since(began)
		if ctx.Err() != nil {
			return // cut short by the end of the run, not by the server
		}
		r.mu.Lock()
		if failure != "" {
			if r.failures == nil {
				r.failures = map[string]int{}
			}
			r.failures[failure]++
		} else {
			r.latencies = append(r.latencies, took)
		}
		r.mu.Unlock()
	}
}

// get reads the page whole, gzipped as browsers ask for it, and says what
// went wrong, if anything.
func (r *letterReaders) get(ctx context.Context, client *http.Client) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return err.Error()
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		return resp.Status
	}
	return ""
}

// report writes the readers' figures.
func (r *letterReaders) report(w io.Writer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := slices.Clone(r.latencies)
	slices.Sort(l)
	if len(l) == 0 {
		fmt.Fprintf(w, "%s: no page read; failures %v\n", r.what, r.failures)
		return
	}
	at := func(q float64) time.Duration { return l[int(q*float64(len(l)-1))] }
	fmt.Fprintf(w, "%s: %d pages, max %s, p99 %s, p50 %s, over 100ms %d; failures %v\n",
		r.what, len(l), ms(l[len(l)-1]), ms(at(0.99)), ms(at(0.5)), len(l)-sortedBelow(l, 100*time.Millisecond), r.failures)
}

// sortedBelow is how many of the sorted latencies l are at most d.
func sortedBelow(l []time.Duration, d time.Duration) int {
	n, _ := slices.BinarySearch(l, d+1)
	return n
}
