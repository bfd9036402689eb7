package models

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"
)

// SetClock makes the store read the time from now, so that tests can step
// past a link's expiry or a letter's retention instead of waiting for it.
// It exists only in test builds.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Changed records a change that may alter a public page, as a write
// transaction does, without writing anything: the generation moves here
// and, on PostgreSQL, in the other instances sharing the database.
func (s *Store) Changed(t testing.TB) {
	if err := s.transaction(context.Background(), func(*gorm.DB) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// HoldWriter takes the store's write lock until the returned release
// is called, and returns once the signature writer waits behind it with
// queued signatures queued after the one in its hands: the test can then
// see what the next batch does with them.
func (s *Store) HoldWriter(t testing.TB, queued int) (waitQueued func(), release func()) {
	held, done := make(chan struct{}), make(chan struct{})
	go s.write.Transaction(s.serialised(func(*gorm.DB) error {
		close(held)
		<-done
		return nil
	}))
	<-held
	waitQueued = func() {
		for deadline := time.Now().Add(10 * time.Second); len(s.signatures.queue) < queued; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d signatures queued, want %d", len(s.signatures.queue), queued)
			}
		}
	}
	return waitQueued, func() { close(done) }
}

// PostgresConns is the size of the connection pool on PostgreSQL.
const PostgresConns = postgresConns

// ConnectionsOpened counts the connections the pool that reads and writes
// on PostgreSQL has opened so far, those open and those closed; the
// signature writer's own connection is apart.
func (s *Store) ConnectionsOpened(t testing.TB) int64 {
	pool, err := s.write.DB()
	if err != nil {
		t.Fatal(err)
	}
	st := pool.Stats()
	return int64(st.OpenConnections) + st.MaxIdleClosed + st.MaxIdleTimeClosed + st.MaxLifetimeClosed
}

// HoldReadConnections takes every connection of the store's reading pool,
// as long exports read by slow readers do, until t ends.
func (s *Store) HoldReadConnections(t testing.TB) {
	pool, err := s.read.DB()
	if err != nil {
		t.Fatal(err)
	}
	for range pool.Stats().MaxOpenConnections {
		conn, err := pool.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
	}
}

// SetBucketSizes cuts the lists into buckets of about bucket entries and
// chapters of about chapter from now on, until the test ends, so that a
// test of a short list sees them split and go as they do on a long one.
// It exists only in test builds.
func SetBucketSizes(t testing.TB, bucket, chapter int64) {
	was := levelSizes
	levelSizes = [2]int64{bucket, chapter}
	t.Cleanup(func() { levelSizes = was })
}
