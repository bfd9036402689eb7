package handlers_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

// Limits kept in the database's table keep their counters by client
// address there only when instances share a client key: hashed with this
// process's own key, they are no other instance's to count, and each
// signature paid two round trips to the database for each of its three
// limits, a tenth of SQLite's signing rate on PostgreSQL. The limits hold
// either way.
func TestPerClientLimitsGoToTheDatabaseOnlyWithASharedClientKey(t *testing.T) {
	for _, tc := range []struct {
		name     string
		key      []byte
		wantRows bool
	}{
		{"this process's own key", nil, false},
		{"a key instances share", []byte("a secret both instances share"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, dsn := modeltest.OpenDSN(t)
			s := newSiteOn(t, db, handlers.Config{ClientKey: tc.key, Limits: handlers.Limits{
				Storage: handlers.SharedRateLimits(db), SignBurst: handlers.RateLimit{Max: 2, Window: time.Minute},
			}})
			s.publishedLetter("c@example.org", "Org")
			visitor := s.client()
			visitor.Get(seedSlug)
			for i := range 3 {
				want := http.StatusSeeOther
				if i == 2 {
					want = http.StatusTooManyRequests
				}
				visitor.Post(seedSlug+"/sign", handlertest.SignForm("Signer "+strconv.Itoa(i), "FR", "signer"+strconv.Itoa(i)+"@example.org")).Expect(t, want)
			}
			var rows int
			if err := modeltest.RawDB(t, dsn).QueryRow("SELECT COUNT(*) FROM rate_limits").Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if (rows > 0) != tc.wantRows {
				t.Errorf("rate_limits holds %d counters after 3 signatures, want them there: %v", rows, tc.wantRows)
			}
		})
	}
}
