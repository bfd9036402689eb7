package handlers

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// counter is a sliding-window rate limit over a fiber.Storage that counts
// only what a handler says succeeded: a request takes a slot before it acts
// and gives it back when it stores nothing, so that a refused or invalid
// request costs its sender nothing, and a refused one is told exactly when
// a slot frees. Fiber's limiter can do neither: it counts before it knows,
// and rounds its window.
//
// The count of a key is kept per bucket, a 60th of the window, so that an
// entry stays small however large the limit. A bucket keeps the time of its
// latest request, and counts until that one leaves the window: a request
// counts for the window, or up to a bucket longer, and the time told to the
// refused is when enough have left.
//
// A storage that counts itself (hitCounter: the database's table, which
// instances share) keeps instead one count a key, in a window that begins
// with its first request, counted in one statement: the window's end is
// the time told to the refused. A client may then send up to twice the
// limit across the end of a window, which a limit against floods can
// afford, where a read and a write back for each request, under a lock,
// cost a third of signing's rate and could count two instances' requests
// as one.
type counter struct {
	name    string
	limit   RateLimit
	storage fiber.Storage
	// locks serialise, per key, the reading and writing of its count in
	// this process; instances sharing a database may overcount or
	// undercount by the requests they serve at the same instant.
	locks *keyLocks
}

// limitBuckets is how many buckets a window has.
const limitBuckets = 60

// bucket is the count of one bucket of a window.
type bucket struct {
	last int64 // the time of its latest request, in Unix nanoseconds
	n    uint32
}

// slot is a request counted by a limiter: kept if it succeeds, given back
// if it stores nothing.
type slot struct {
	l      *counter
	key    string
	bucket int64 // its bucket's index
}

// limitKey is the key a limiter counts a request under.
type limitKey struct {
	l   *counter
	key string
}

// index is the bucket of a request at t.
func (l *counter) index(t int64) int64 {
	return t / int64(max(l.limit.Window/limitBuckets, time.Millisecond))
}

// leaves is when the requests of b stop counting.
func (l *counter) leaves(b bucket) time.Time { return time.Unix(0, b.last).Add(l.limit.Window) }

// load reads the buckets of key still in the window at now, oldest first.
func (l *counter) load(key string, now time.Time) ([]bucket, error) {
	data, err := l.storage.Get(l.name + ":" + key)
	if err != nil {
		return nil, err
	}
	var out []bucket
	for ; len(data) >= 12; data = data[12:] {
		b := bucket{last: int64(binary.BigEndian.Uint64(data)), n: binary.BigEndian.Uint32(data[8:])}
		if l.leaves(b).After(now) {
			out = append(out, b)
		}
	}
	return out, nil
}

// save writes the buckets of key; none deletes its entry.
func (l *counter) save(key string, buckets []bucket) error {
	if len(buckets) == 0 {
		return l.storage.Delete(l.name + ":" + key)
	}
	data := make([]byte, 0, 12*len(buckets))
	for _, b := range buckets {
		data = binary.BigEndian.AppendUint64(data, uint64(b.last))
		data = binary.BigEndian.AppendUint32(data, b.n)
	}
	return l.storage.Set(l.name+":"+key, data, max(time.Until(l.leaves(buckets[len(buckets)-1])), time.Millisecond))
}

// take counts a request of key at now, or returns how long until the
// window takes one.
func (l *counter) take(key string, now time.Time) (slot, time.Duration, error) {
	if hc, ok := l.storage.(hitCounter); ok {
		return l.count(hc, key, now)
	}
	unlock := l.locks.lock(l.name + ":" + key)
	defer unlock()
	buckets, err := l.load(key, now)
	if err != nil {
		return slot{}, 0, err
	}
	total := 0
	for _, b := range buckets {
		total += int(b.n)
	}
	if total >= l.limit.Max {
		// The oldest requests leave first: the window takes one more once
		// enough of them have left.
		for _, b := range buckets {
			if total -= int(b.n); total < l.limit.Max {
				return slot{}, l.leaves(b).Sub(now), nil
			}
		}
	}
	at := now.UnixNano()
	if n := len(buckets); n > 0 && l.index(buckets[n-1].last) == l.index(at) {
		buckets[n-1].n++
		buckets[n-1].last = at
	} else {
		buckets = append(buckets, bucket{last: at, n: 1})
	}
	return slot{l: l, key: key, bucket: l.index(at)}, 0, l.save(key, buckets)
}

// count is take on a storage that counts itself. A request refused stays
// counted, which changes nothing: the window ends when it was to.
func (l *counter) count(hc hitCounter, key string, now time.Time) (slot, time.Duration, error) {
	h, err := hc.countHit(l.name+":"+key, l.limit.Window)
	if err != nil {
		return slot{}, 0, err
	}
	if h.Count > int64(l.limit.Max) {
		return slot{}, max(h.Ends.Sub(now), time.Millisecond), nil
	}
	return slot{l: l, key: key}, 0, nil
}

// giveBack uncounts the request of s.
func (s slot) giveBack(now time.Time) error {
	if hc, ok := s.l.storage.(hitCounter); ok {
		return hc.uncountHit(s.l.name + ":" + s.key)
	}
	unlock := s.l.locks.lock(s.l.name + ":" + s.key)
	defer unlock()
	buckets, err := s.l.load(s.key, now)
	if err != nil {
		return err
	}
	for i, b := range buckets {
		if s.l.index(b.last) == s.bucket {
			if buckets[i].n--; buckets[i].n == 0 {
				buckets = append(buckets[:i], buckets[i+1:]...)
			}
			return s.l.save(s.key, buckets)
		}
	}
	return nil
}

// takeAll counts a request in every limiter of keys, or in none: when one
// has no room, it gives back what it took and returns the longest wait of
// those without room, after which each has room again.
func (h *Handler) takeAll(keys ...limitKey) ([]slot, time.Duration, error) {
	now := time.Now()
	var taken []slot
	var wait time.Duration
	for _, k := range keys {
		s, w, err := k.l.take(k.key, now)
		if err != nil {
			h.giveBack(taken)
			return nil, 0, err
		}
		if w > 0 {
			wait = max(wait, w)
			continue
		}
		taken = append(taken, s)
	}
	if wait > 0 {
		h.giveBack(taken)
		return nil, wait, nil
	}
	return taken, 0, nil
}

// giveBack uncounts requests that stored nothing. A count that cannot be
// given back stays until it leaves its window: it is logged, not answered.
func (h *Handler) giveBack(slots []slot) {
	now := time.Now()
	for _, s := range slots {
		if err := s.giveBack(now); err != nil {
			h.log.Error("rate limit: giving back a request", "limit", s.l.name, "err", err)
		}
	}
}

// keyLocks are mutexes for keys, striped: two keys may share one.
type keyLocks struct {
	seed  maphash.Seed
	locks [64]sync.Mutex
}

func newKeyLocks() *keyLocks { return &keyLocks{seed: maphash.MakeSeed()} }

// lock locks key's mutex and returns its unlocking.
func (k *keyLocks) lock(key string) func() {
	m := &k.locks[maphash.String(k.seed, key)%uint64(len(k.locks))]
	m.Lock()
	return m.Unlock
}

// memoryStorage is a fiber.Storage in this process's memory that keeps at
// most max entries and maxBytes of keys and values, however many clients
// and keys the public brings: once the entries used since the last time
// reach half of either, the others are dropped. A dropped rate-limit
// counter starts again from zero, which only clients of more keys than
// that at once can bring about.
type memoryStorage struct {
	mu            sync.Mutex
	max, maxBytes int
	recent, older map[string]memoryEntry
	recentBytes   int
}

type memoryEntry struct {
	data    []byte
	expires time.Time // zero: never
}

func newMemoryStorage(max, maxBytes int) *memoryStorage {
	return &memoryStorage{max: max, maxBytes: maxBytes, recent: map[string]memoryEntry{}, older: map[string]memoryEntry{}}
}

// Get returns a live entry's data, or nil.
func (m *memoryStorage) Get(key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.recent[key]
	if !ok {
		if e, ok = m.older[key]; ok {
			delete(m.older, key)
			m.put(key, e)
		}
	}
	if !ok || (!e.expires.IsZero() && !time.Now().Before(e.expires)) {
		return nil, nil
	}
	return e.data, nil
}

// Set keeps a copy of val under key for exp (zero: until dropped).
func (m *memoryStorage) Set(key string, val []byte, exp time.Duration) error {
	e := memoryEntry{data: append([]byte(nil), val...)}
	if exp > 0 {
		e.expires = time.Now().Add(exp)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.older, key)
	m.put(key, e)
	return nil
}

// put keeps e in the recent entries; once they are half a bound, they
// become the older ones, and the older ones are dropped.
func (m *memoryStorage) put(key string, e memoryEntry) {
	if old, ok := m.recent[key]; ok {
		m.recentBytes -= len(key) + len(old.data)
	}
	m.recent[key] = e
	m.recentBytes += len(key) + len(e.data)
	if len(m.recent) >= m.max/2 || m.recentBytes >= m.maxBytes/2 {
		m.older, m.recent, m.recentBytes = m.recent, map[string]memoryEntry{}, 0
	}
}

// Delete removes key's entry.
func (m *memoryStorage) Delete(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.recent[key]; ok {
		m.recentBytes -= len(key) + len(old.data)
		delete(m.recent, key)
	}
	delete(m.older, key)
	return nil
}

// Reset removes every entry.
func (m *memoryStorage) Reset() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.recent)
	clear(m.older)
	m.recentBytes = 0
	return nil
}

// Close does nothing: the memory goes with the process.
func (m *memoryStorage) Close() error { return nil }
