package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// setPprof accepts a loopback HOST:PORT for the profiler, or empty for
// none. Profiles show the server's internals, so they are served on the
// machine itself only, never beside the site.
func (c *config) setPprof(v string) error {
	if v == "" {
		c.pprof = ""
		return nil
	}
	host, port, err := net.SplitHostPort(v)
	ip := net.ParseIP(host)
	if err != nil || port == "" || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return fmt.Errorf("%q is not a loopback HOST:PORT; for example 127.0.0.1:6060, or empty for no profiler", v)
	}
	c.pprof = v
	return nil
}

// servePprof serves Go's profiles on addr until ctx ends, for an operator
// finding where a busy server's time goes (go tool pprof
// http://ADDR/debug/pprof/profile). It leaves out /debug/pprof/cmdline:
// the command line may hold the SMTP password.
func servePprof(ctx context.Context, addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("profiler: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go func() {
		log.Info("profiler listening", "addr", addr)
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Error("profiler stopped", "err", err)
		}
	}()
	return nil
}
