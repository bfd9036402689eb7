package models_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// openTwice opens two stores on one fresh database, as two instances of the
// server behind a load balancer do.
func openTwice(t *testing.T) (a, b *models.Store, dsn string) {
	t.Helper()
	dsn = modeltest.DSN(t)
	for _, s := range []**models.Store{&a, &b} {
		var err error
		if *s, err = models.Open(context.Background(), dsn); err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { (*s).Close() })
	}
	return a, b, dsn
}

// A rate limit's counter set by one instance is the one the other reads,
// until it expires; the table holds the key's hash, never the key.
func TestRateLimitsAreSharedAndStoredHashed(t *testing.T) {
	a, b, dsn := openTwice(t)
	ctx := context.Background()
	const key = "sign-burst:0123456789abcdef:free-them-all"
	if err := a.SetExpiring(ctx, models.RateLimits, key, []byte("2 hits"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := b.GetExpiring(ctx, models.RateLimits, key); err != nil || !bytes.Equal(got, []byte("2 hits")) {
		t.Fatalf("the other instance reads %q (%v), want %q", got, err, "2 hits")
	}
	if got, _ := b.GetExpiring(ctx, models.Sessions, key); got != nil {
		t.Errorf("a rate limit's key found among sessions: %q", got)
	}
	var stored string
	if err := modeltest.RawDB(t, dsn).QueryRow("SELECT key_hash FROM rate_limits").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != models.TokenHash(key) {
		t.Errorf("rate_limits holds %q, want the key's hash", stored)
	}
	a.SetClock(func() time.Time { return time.Now().UTC().Add(2 * time.Minute) })
	if got, err := a.GetExpiring(ctx, models.RateLimits, key); err != nil || got != nil {
		t.Errorf("expired counter read as %q (%v), want none", got, err)
	}
	if err := a.DeleteExpired(ctx); err != nil {
		t.Fatal(err)
	}
	a.SetClock(func() time.Time { return time.Now().UTC() })
	if got, err := b.GetExpiring(ctx, models.RateLimits, key); err != nil || got != nil {
		t.Errorf("counter left after DeleteExpired: %q (%v)", got, err)
	}
}

// A change recorded on one instance makes the other's generation move, so
// that what it cached is stale there too; on SQLite, one process, there is
// no other instance to tell and the generation is this process's own.
func TestChangesReachTheOtherInstance(t *testing.T) {
	a, b, _ := openTwice(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go a.FollowOtherInstances(ctx, log)
	go b.FollowOtherInstances(ctx, log)

	if a.Dialect() != models.Postgres {
		a.Changed(t)
		if a.Generation() != 1 || b.Generation() != 0 {
			t.Errorf("generations after one change on SQLite: %d and %d, want 1 and 0", a.Generation(), b.Generation())
		}
		return
	}
	// b listens a moment after it starts: until it does, a's changes go unheard.
	changes := uint64(0)
	for deadline := time.Now().Add(10 * time.Second); b.Generation() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the other instance heard nothing of 10 s of changes")
		}
		a.Changed(t)
		changes++
	}
	heard := b.Generation()
	a.Changed(t)
	changes++
	for deadline := time.Now().Add(5 * time.Second); b.Generation() == heard; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a change once the other instance listens went unheard")
		}
	}
	// An instance does not count its own announcements twice.
	if a.Generation() != changes {
		t.Errorf("generation of the changing instance %d, want its %d changes", a.Generation(), changes)
	}
}

// Times come back from either database in UTC, as they are stored, so that
// a letter's dates read the same whatever the server's time zone.
func TestTimesReadBackInUTC(t *testing.T) {
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	l = reload(t, s, l.Slug)
	if l.PublishedAt == nil || l.PublishedAt.Location() != time.UTC || l.CreatedAt.Location() != time.UTC {
		t.Errorf("published %v, created %v; want both in UTC", l.PublishedAt, l.CreatedAt)
	}
}
