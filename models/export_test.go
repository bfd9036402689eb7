package models

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
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
// as long exports read by slow readers do, until release is called or t
// ends; waiting says how many reads have had to wait for one so far.
func (s *Store) HoldReadConnections(t testing.TB) (release func(), waiting func() int64) {
	pool, err := s.read.DB()
	if err != nil {
		t.Fatal(err)
	}
	var conns []*sql.Conn
	for range pool.Stats().MaxOpenConnections {
		conn, err := pool.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			for _, c := range conns {
				c.Close()
			}
		})
	}
	t.Cleanup(release)
	return release, func() int64 { return pool.Stats().WaitCount }
}

// CountStatements counts, from now until t ends, the statements the store
// sends to the database, reads and writes.
func (s *Store) CountStatements(t testing.TB) *atomic.Int64 {
	n := &atomic.Int64{}
	s.onEveryStatement(t, "count-"+t.Name(), func(*gorm.DB) { n.Add(1) })
	return n
}

// Statement is one statement the store sent, with its arguments.
type Statement struct {
	SQL  string
	Vars []any
}

// RecordStatements records, from now until t ends, the statements the
// store sends to the database; the returned function hands over those
// recorded since its last call, for a test to see how the database runs
// them.
func (s *Store) RecordStatements(t testing.TB) func() []Statement {
	var mu sync.Mutex
	var got []Statement
	s.onEveryStatement(t, "record-"+t.Name(), func(db *gorm.DB) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, Statement{db.Statement.SQL.String(), append([]any(nil), db.Statement.Vars...)})
	})
	return func() []Statement {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}
}

// onEveryStatement calls fn, from now until t ends, after each statement
// the store sends to the database, reads and writes.
func (s *Store) onEveryStatement(t testing.TB, name string, fn func(*gorm.DB)) {
	registered := map[*gorm.Config]bool{} // the pools may share their callbacks
	for _, db := range []*gorm.DB{s.read, s.write, s.signer} {
		if registered[db.Config] {
			continue
		}
		registered[db.Config] = true
		cb := db.Callback()
		for _, err := range []error{
			cb.Query().After("gorm:query").Register(name, fn),
			cb.Row().After("gorm:row").Register(name, fn),
			cb.Raw().After("gorm:raw").Register(name, fn),
			cb.Create().After("gorm:create").Register(name, fn),
			cb.Update().After("gorm:update").Register(name, fn),
			cb.Delete().After("gorm:delete").Register(name, fn),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() {
			cb.Query().Remove(name)
			cb.Row().Remove(name)
			cb.Raw().Remove(name)
			cb.Create().Remove(name)
			cb.Update().Remove(name)
			cb.Delete().Remove(name)
		})
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
