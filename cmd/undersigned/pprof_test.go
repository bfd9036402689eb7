package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
)

// The profiler is off unless asked for, and when on it serves the
// profiles on loopback but not the command line, which may hold the SMTP
// password.
func TestProfilerIsOffByDefaultAndHidesTheCommandLine(t *testing.T) {
	c, err := parseServeSettings(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.pprof != "" {
		t.Fatalf("the profiler listens on %q by default, want nowhere", c.pprof)
	}
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	if err := servePprof(ctx, addr, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{"/debug/pprof/": http.StatusOK, "/debug/pprof/heap": http.StatusOK, "/debug/pprof/cmdline": http.StatusNotFound} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}
