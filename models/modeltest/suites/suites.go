// Package suites says, at the end of a package's tests, which were skipped
// and why. A plain `go test ./...` prints only "ok" for a package that
// passed, its output and its skip reasons hidden, so a newcomer would never
// learn that the browser journeys, say, did not run.
package suites

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
)

var (
	mu      sync.Mutex
	skipped = map[string][]string{} // test names by the reason they were skipped
)

// Skip skips t, as t.Skip(why) does, and keeps why for the summary Run
// prints.
func Skip(t testing.TB, why string) {
	t.Helper()
	mu.Lock()
	skipped[why] = append(skipped[why], t.Name())
	mu.Unlock()
	t.Skip(why)
}

// Run runs the package's tests, as m.Run does, and returns their exit
// code. When some were skipped by Skip, it then says which and why: in the
// tests' output under -v (and so -json), which go test shows whole;
// otherwise on the terminal, /dev/tty, since go test in package list mode
// (go test ./...) hides a passing package's output. Without -v and without
// a terminal (CI without -v, a cached result) it says nothing.
func Run(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if len(skipped) == 0 {
		return code
	}
	if testing.Verbose() {
		report(os.Stdout)
		return code
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		report(tty)
		tty.Close()
	}
	return code
}

// report writes the summary of the skipped tests to w.
func report(w io.Writer) {
	pkg := "this package"
	if info, ok := debug.ReadBuildInfo(); ok {
		pkg = strings.TrimSuffix(info.Path, ".test")
	}
	reasons := make([]string, 0, len(skipped))
	for why := range skipped {
		reasons = append(reasons, why)
	}
	slices.Sort(reasons)
	for _, why := range reasons {
		names := skipped[why]
		slices.Sort(names)
		fmt.Fprintf(w, "%s: %d skipped (%s): %s\n", pkg, len(names), strings.Join(names, ", "), why)
	}
}
