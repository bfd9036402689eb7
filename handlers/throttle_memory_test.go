package handlers

import (
	"strconv"
	"testing"
	"time"
)

// TestThrottleMemoryIsBounded: an attacker sending endless new keys (a new
// account name or address for every attempt) fills the throttle's memory
// up to its bound and no further, and recent entries stay readable.
func TestThrottleMemoryIsBounded(t *testing.T) {
	const size = 1000
	m := newBoundedMemory(size)
	for i := range 50 * size {
		m.Set("login-account:"+strconv.Itoa(i), []byte("1:0"), time.Hour)
		if len(m.entries) > size {
			t.Fatalf("%d entries after %d keys, want at most %d", len(m.entries), i+1, size)
		}
	}
	if got, _ := m.Get("login-account:" + strconv.Itoa(50*size-1)); string(got) != "1:0" {
		t.Errorf("the newest entry reads %q", got)
	}
}
