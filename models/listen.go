package models

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// changeChannel is the PostgreSQL channel instances announce their changes on.
const changeChannel = "undersigned_changed"

// newInstanceID names this store among the instances sharing a database, so
// that it can tell its own notifications from the others'.
func newInstanceID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// FollowOtherInstances bumps the generation whenever another instance
// sharing the PostgreSQL database announces a change, until ctx ends. It
// listens on a connection of its own and, when that connection fails,
// connects again (after a pause that grows up to 30 seconds) and bumps the
// generation once it listens again, since a change may have gone unheard
// meanwhile; failures go to log. On SQLite, one process and nobody to hear
// from, it returns at once.
func (s *Store) FollowOtherInstances(ctx context.Context, log *slog.Logger) {
	if s.dialect != Postgres {
		return
	}
	pause := time.Second
	for again := false; ctx.Err() == nil; again = true {
		listened, err := s.listenOnce(ctx, again)
		if ctx.Err() != nil {
			return
		}
		if listened {
			pause = time.Second
		}
		log.Warn("listening for other instances' changes; connecting again", "err", err, "in", pause.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 30*time.Second)
	}
}

// listenOnce listens on one new connection until it fails or ctx ends,
// bumping the generation as soon as it listens when again is set. It
// reports whether the connection got as far as listening.
func (s *Store) listenOnce(ctx context.Context, again bool) (listening bool, err error) {
	cfg, err := postgresConfig(s.dsn)
	if err != nil {
		return false, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changeChannel); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	if again {
		s.changedHere()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, fmt.Errorf("wait for notification: %w", err)
		}
		if n.Payload != s.instance {
			s.changedHere()
		}
	}
}
