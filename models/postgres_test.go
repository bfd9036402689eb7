package models_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/models/modeltest/suites"
)

// TestMain says at the end which tests were skipped, and why.
func TestMain(m *testing.M) { os.Exit(suites.Run(m)) }

// openPostgres opens a store on a new PostgreSQL database; on SQLite it
// skips t.
func openPostgres(t *testing.T) (*models.Store, string) {
	t.Helper()
	if os.Getenv(modeltest.TestDBEnv) == "" {
		suites.Skip(t, "skipped on SQLite: PostgreSQL's pool and tables; set "+modeltest.TestDBEnv+" to run it")
	}
	return modeltest.OpenDSN(t)
}

// A crowd reading and signing on PostgreSQL, burst after burst, is served
// by the connections the pool opened for the first burst: a new connection
// is a new backend process on the database server, and opening one per
// request is what made signing on PostgreSQL slow.
func TestPostgresPoolKeepsItsConnectionsThroughBursts(t *testing.T) {
	s, _ := openPostgres(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	ctx := context.Background()
	const crowd = 4 * models.PostgresConns
	for burst := range 3 {
		var wg sync.WaitGroup
		errs := make([]error, crowd)
		for i := range crowd {
			wg.Go(func() {
				if i%2 == 0 {
					_, errs[i] = s.PublicLetter(ctx, l.Slug)
					return
				}
				email := fmt.Sprintf("burst%d-signer%d@example.org", burst, i)
				_, errs[i] = s.AddSignature(ctx, l.ID, person("Signer", "FR", email), modeltest.Mail)
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("burst %d, request %d: %v", burst, i, err)
			}
		}
	}
	if got := s.ConnectionsOpened(t); got > models.PostgresConns {
		t.Errorf("three bursts of %d requests opened %d connections, want at most the pool's %d", crowd, got, models.PostgresConns)
	}
}

// Rate-limit counters, three writes for every signature, skip PostgreSQL's
// write-ahead log: none waits for a flush to disk, as the signature's own
// batch does.
func TestPostgresRateLimitsAreUnlogged(t *testing.T) {
	_, dsn := openPostgres(t)
	var persistence string
	if err := modeltest.RawDB(t, dsn).QueryRow("SELECT relpersistence FROM pg_class WHERE relname = 'rate_limits'").Scan(&persistence); err != nil {
		t.Fatal(err)
	}
	if persistence != "u" {
		t.Errorf("rate_limits has persistence %q, want u (unlogged)", persistence)
	}
}

// Signatures are stored while readers hold every connection of the pool,
// as a crowd downloading the list does: the signature writer commits on a
// connection of its own.
func TestPostgresSigningGoesOnWhileReadersHoldThePool(t *testing.T) {
	s, _ := openPostgres(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	s.HoldReadConnections(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.AddSignature(ctx, l.ID, person("Leyla Yunus", "AZ", "leyla@example.org"), modeltest.Mail); err != nil {
		t.Fatalf("sign while the pool is held: %v", err)
	}
}
