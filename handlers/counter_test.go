package handlers

import (
	"strconv"
	"testing"
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
