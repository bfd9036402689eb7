package handlers

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"undersigned/models/modeltest"
)

// TestMemoryStorageIsBounded: however many keys come, the storage keeps at
// most its bound of entries and bytes, and keeps a key in use.
func TestMemoryStorageIsBounded(t *testing.T) {
	m := newMemoryStorage(1000, 1<<20)
	m.Set("in use", []byte("1"), 0)
	for i := range 100_000 {
		m.Set("key"+strconv.Itoa(i), []byte("12345678"), 0)
		if i%100 == 0 {
			if v, _ := m.Get("in use"); string(v) != "1" {
				t.Fatalf("a key in use was dropped after %d others", i)
			}
		}
		if n := len(m.recent) + len(m.older); n > 1000 {
			t.Fatalf("%d entries kept, over the bound of 1000", n)
		}
	}
	big := make([]byte, 64<<10)
	for i := range 1000 {
		m.Set("big"+strconv.Itoa(i), big, 0)
		bytes := 0
		for _, entries := range []map[string]memoryEntry{m.recent, m.older} {
			for k, e := range entries {
				bytes += len(k) + len(e.data)
			}
		}
		if bytes > 1<<20+len(big) {
			t.Fatalf("%d bytes kept, over the bound of 1 MB", bytes)
		}
	}
}

// Instances sharing the database count one client's signatures together:
// 160 at once, spread over 16 instances, under a limit of 10, and exactly
// 10 go through, on SQLite and on PostgreSQL, for each of three clients
// in turn. Read and written back, a count could take several requests for
// one.
func TestSharedLimitCountsRequestsAtOnceExactly(t *testing.T) {
	const limit, requests = 10, 160
	db := modeltest.Open(t)
	instances := [16]*counter{}
	for i := range instances {
		instances[i] = &counter{name: "sign-burst", limit: RateLimit{Max: limit, Window: time.Minute}, storage: SharedRateLimits(db), locks: newKeyLocks()}
	}
	for client := range 3 {
		var taken, refused atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{}) // the requests arrive together
		for i := range requests {
			wg.Go(func() {
				<-start
				_, wait, err := instances[i%len(instances)].take("7:client"+strconv.Itoa(client), time.Now())
				switch {
				case err != nil:
					t.Error(err)
				case wait > 0:
					refused.Add(1)
				default:
					taken.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if taken.Load() != limit || refused.Load() != requests-limit {
			t.Errorf("client %d: %d requests went through and %d were refused, want %d and %d", client, taken.Load(), refused.Load(), limit, requests-limit)
		}
	}
}
