package models

import (
	"context"
	"log/slog"
	"time"
)

// Changed records that a letter or its list changed: it bumps this
// instance's generation and, on PostgreSQL, tells the other instances
// sharing the database, whose generation FollowOtherInstances bumps in turn.
// Whatever is cached by generation is then stale everywhere.
func (s *Store) Changed() {
	s.generation.Add(1)
	if s.dialect != Postgres {
		return
	}
	// A lost notification leaves other instances' caches stale until their
	// next change; a stuck database must not hold up the request that changed
	// something, so the notification gets a short while of its own.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.notify(ctx)
}

// Generation counts the changes Changed recorded, here and, on PostgreSQL,
// in the other instances: a cached page made at an earlier generation is
// stale.
func (s *Store) Generation() uint64 { return s.generation.Load() }

// FollowOtherInstances bumps the generation whenever another instance
// sharing the database records a change, until ctx ends. On SQLite, one
// process, it returns at once.
func (s *Store) FollowOtherInstances(ctx context.Context, log *slog.Logger) {
	s.Listen(ctx, log, func() { s.generation.Add(1) })
}
