package handlers

import (
	"context"
	"log/slog"
	"math"
	"math/bits"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// defaultSlowRequest is the duration past which a request is logged as
// slow. A second is where a person notices they are waiting, and ten times
// the slowest answer the site aims for (100 ms): a healthy server logs
// none, and one that is merely busy, its requests queued for some tens of
// milliseconds behind a crowd, shows it in the minute's percentiles rather
// than in a line per request, the flood a lower threshold would bring back
// exactly when the disk is needed.
const defaultSlowRequest = time.Second

// logRequests logs a server error (5xx) or a slow request one line each,
// with its request id, method, path, status and duration, and with
// Config.LogAllRequests every other request too; every request counts in
// the summary written once a minute (see SummarizeRequests). It logs the
// path with its tokens hidden (see logPath), and never a query string, a
// form value or the client's address.
func (h *Handler) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	took, status := time.Since(start), c.Response().StatusCode()
	slow := took > h.cfg.SlowRequest
	h.requests.add(status, took, slow)
	level, msg := slog.LevelInfo, "request"
	switch {
	case status >= 500:
		level = slog.LevelError
	case slow:
		level, msg = slog.LevelWarn, "slow request"
	case !h.cfg.LogAllRequests:
		return nil
	}
	h.log.LogAttrs(c.UserContext(), level, msg,
		slog.String("id", c.GetRespHeader(fiber.HeaderXRequestID)),
		slog.String("method", c.Method()),
		slog.String("path", h.logPath(c)),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(took.Microseconds())/1000),
	)
	return nil
}

// summaries is ticks, or without them a tick a minute until ctx ends.
func summaries(ctx context.Context, ticks <-chan time.Time) <-chan time.Time {
	if ticks != nil {
		return ticks
	}
	minutes := time.NewTicker(time.Minute)
	context.AfterFunc(ctx, minutes.Stop)
	return minutes.C
}

// summarizeRequests logs the summary of the requests since the last one
// at each tick, until ctx ends.
func (h *Handler) summarizeRequests(ctx context.Context, ticks <-chan time.Time) {
	for {
		select {
		case <-ticks:
			h.SummarizeRequests()
		case <-ctx.Done():
			return
		}
	}
}

// SummarizeRequests logs the summary of the requests since the last one,
// if there were any. The server calls it once it has stopped, for the
// requests of its last minute.
func (h *Handler) SummarizeRequests() { h.requests.summarize(h.log) }

// requestStats counts requests by status class and by duration, in fixed
// memory whatever their number, from one summary to the next.
type requestStats struct {
	mu sync.Mutex
	requestCounts
}

type requestCounts struct {
	since   time.Time
	byClass [6]int64 // by status / 100; [0] for none
	limited int64    // 429s: the rate limits at work
	slow    int64
	bots    int64 // signatures dropped as automated
	took    durations
}

func newRequestStats() *requestStats {
	return &requestStats{requestCounts: requestCounts{since: time.Now()}}
}

func (s *requestStats) add(status int, took time.Duration, slow bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byClass[min(max(status/100, 0), 5)]++
	if status == fiber.StatusTooManyRequests {
		s.limited++
	}
	if slow {
		s.slow++
	}
	s.took.add(took)
}

// dropAutomated counts a signature dropped as a bot's.
func (s *requestStats) dropAutomated() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bots++
}

// summarize logs the requests counted since the last summary, if any, and
// starts counting afresh. A minute without requests writes nothing.
func (s *requestStats) summarize(log *slog.Logger) {
	s.mu.Lock()
	last := s.requestCounts
	s.requestCounts = requestCounts{since: time.Now()}
	s.mu.Unlock()
	if last.took.n == 0 {
		return
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	log.LogAttrs(context.Background(), slog.LevelInfo, "requests",
		slog.String("period", time.Since(last.since).Round(100*time.Millisecond).String()),
		slog.Int64("count", last.took.n),
		slog.Int64("status_2xx", last.byClass[2]), slog.Int64("status_3xx", last.byClass[3]),
		slog.Int64("status_4xx", last.byClass[4]), slog.Int64("status_429", last.limited),
		slog.Int64("status_5xx", last.byClass[5]), slog.Int64("slow", last.slow),
		slog.Int64("signatures_dropped_as_automated", last.bots),
		slog.Float64("p50_ms", ms(last.took.quantile(0.5))), slog.Float64("p90_ms", ms(last.took.quantile(0.9))),
		slog.Float64("p99_ms", ms(last.took.quantile(0.99))), slog.Float64("max_ms", ms(last.took.max)),
	)
}

// durations is a histogram of durations in microseconds: exact below
// 32 µs, and above in buckets 1/16 of their power of two wide, so a
// quantile read from it is at most 6.25% above the true one. Its 592
// counters cover up to 12 days.
type durations struct {
	counts [36 * 16]int64
	n      int64
	max    time.Duration
}

const subBits = 4 // 16 buckets per power of two

func (d *durations) add(t time.Duration) {
	d.counts[bucketOf(uint64(max(t.Microseconds(), 0)))]++
	d.n++
	d.max = max(d.max, t)
}

func bucketOf(us uint64) int {
	us = min(us, 1<<40-1)
	if us < 2<<subBits {
		return int(us)
	}
	shift := bits.Len64(us) - 1 - subBits
	return shift<<subBits + int(us>>shift)
}

// upperBound is the longest duration bucket i holds.
func upperBound(i int) time.Duration {
	if i < 2<<subBits {
		return time.Duration(i) * time.Microsecond
	}
	shift := i>>subBits - 1
	top := i&(1<<subBits-1) | 1<<subBits
	return time.Duration((top+1)<<shift-1) * time.Microsecond
}

// quantile is the duration under which a share q of the durations fall,
// as the upper bound of its bucket, and never more than the longest.
func (d *durations) quantile(q float64) time.Duration {
	rank := max(int64(math.Ceil(q*float64(d.n))), 1)
	var seen int64
	for i, n := range d.counts {
		if seen += n; seen >= rank {
			return min(upperBound(i), d.max)
		}
	}
	return d.max
}
