package models_test

import (
	"context"
	"testing"
	"time"

	"undersigned/models/modeltest"
)

// A rate limit's window counts each request once, and a request taken
// back; it ends its length after its first request, however many come,
// starts anew after, and is deleted once over: the table holds no more
// than the keys counted in the last window.
func TestRateLimitWindowsCountEndAndGo(t *testing.T) {
	s, dsn := modeltest.OpenDSN(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC) // the store's clock: no test waits, however busy the machine
	s.SetClock(func() time.Time { return now })
	const key, window = "sign-burst:7:client", time.Minute
	first, err := s.CountHit(ctx, key, window)
	if err != nil || first.Count != 1 {
		t.Fatalf("the first request counted %d (%v), want 1", first.Count, err)
	}
	for want := int64(2); want <= 3; want++ {
		h, err := s.CountHit(ctx, key, window)
		if err != nil || h.Count != want || !h.Ends.Equal(first.Ends) {
			t.Fatalf("counted %d ending %s (%v), want %d ending %s", h.Count, h.Ends, err, want, first.Ends)
		}
	}
	if err := s.UncountHit(ctx, key); err != nil {
		t.Fatal(err)
	}
	if h, _ := s.CountHit(ctx, key, window); h.Count != 3 {
		t.Errorf("after a request taken back, the next counted %d, want 3", h.Count)
	}
	now = now.Add(window - time.Second)
	if h, _ := s.CountHit(ctx, key, window); h.Count != 4 || !h.Ends.Equal(first.Ends) {
		t.Errorf("a second before the window's end, counted %d ending %s, want 4 ending %s", h.Count, h.Ends, first.Ends)
	}
	now = now.Add(time.Second)
	h, err := s.CountHit(ctx, key, window)
	if err != nil || h.Count != 1 || !h.Ends.Equal(now.Add(window)) {
		t.Errorf("after the window, counted %d ending %s (%v), want 1 in a new window", h.Count, h.Ends, err)
	}
	now = h.Ends
	if err := s.DeleteExpired(ctx); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := modeltest.RawDB(t, dsn).QueryRow("SELECT COUNT(*) FROM rate_limits").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Errorf("%d counters left after their windows ended", rows)
	}
}
