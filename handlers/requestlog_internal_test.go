package handlers

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The summary's percentiles, read from the fixed histogram, are never
// below the true ones nor more than 1/16 above them, from microseconds to
// minutes, and its maximum is exact.
func TestSummaryPercentilesAreCloseToTheTrueOnes(t *testing.T) {
	var d durations
	took := make([]time.Duration, 100_000)
	for i := range took {
		// Spread over seven orders of magnitude, as a minute's requests
		// are: cached pages in microseconds, a stalled one in seconds.
		took[i] = time.Duration(float64(time.Microsecond) * math.Pow(10, rand.Float64()*8))
		d.add(took[i])
	}
	slices.Sort(took)
	for _, q := range []float64{0.01, 0.5, 0.9, 0.99, 0.999, 1} {
		exact := took[int(q*float64(len(took)))-1].Truncate(time.Microsecond)
		if got := d.quantile(q); got < exact || float64(got-exact) > float64(exact)/16+float64(time.Microsecond) {
			t.Errorf("p%g is %s, the true one %s: want it at most 1/16 above", q*100, got, exact)
		}
	}
	if d.max != took[len(took)-1] {
		t.Errorf("the maximum is %s, want %s", d.max, took[len(took)-1])
	}
	for i := range len(d.counts) - 1 {
		if us := uint64(upperBound(i) / time.Microsecond); bucketOf(us) != i || bucketOf(us+1) != i+1 {
			t.Fatalf("bucket %d ends at %dµs, which falls in %d, and the next µs in %d", i, us, bucketOf(us), bucketOf(us+1))
		}
	}
}
