package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildServer builds ./cmd/undersigned into dir. It builds in the
// undersigned module's own directory, which loadgen's go.mod points to, so
// that the server under load is built with the product's go.mod and its
// dependencies' versions, not with loadgen's.
func buildServer(ctx context.Context, dir string) (string, error) {
	root, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "undersigned").Output()
	if err != nil {
		return "", fmt.Errorf("find the undersigned module (run loadgen inside cmd/loadgen, or give -server): %w", err)
	}
	bin := filepath.Join(dir, "undersigned")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/undersigned")
	cmd.Dir = strings.TrimSpace(string(root))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the server in %s (or give -server): %w\n%s", cmd.Dir, err, out)
	}
	return bin, nil
}

// server is the undersigned process under load.
type server struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{}
}

func (s *server) pid() int    { return s.cmd.Process.Pid }
func (s *server) url() string { return "http://" + s.addr }
func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// startServer starts bin on db at a free loopback port, without the pause
// before signing and with limits no load test reaches, with clientKey as
// its client key unless empty, and args, and waits until /healthz
// answers. Its log goes to a file in dir.
func startServer(ctx context.Context, bin, db, clientKey, dir string, args ...string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	huge := "1000000000/1s"
	cmd := exec.Command(bin, "-addr", addr, "-db", db, "-min-sign-time", "0s",
		"-sign-burst", huge, "-sign-sustained", huge, "-sign-overall", huge)
	if clientKey != "" {
		cmd.Args = append(cmd.Args, "-client-key", clientKey)
	}
	cmd.Args = append(cmd.Args, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Only the flags above configure it: no UNDERSIGNED_ setting of this
	// shell (an SMTP server, a proxy) reaches the server under load.
	cmd.Env = []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "UNDERSIGNED_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &server{cmd: cmd, addr: addr, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		logFile.Close()
		close(s.done)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url() + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if s.exited() || time.Now().After(deadline) || ctx.Err() != nil {
			s.stop()
			log, _ := os.ReadFile(logFile.Name())
			return nil, fmt.Errorf("the server did not answer /healthz: %v\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop asks the server to stop, and kills it if it has not in 10 seconds.
func (s *server) stop() {
	if s.exited() {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// resetPeakRSS starts the server's peak resident set size afresh (Linux's
// clear_refs), so that each attack reads its own peak.
func (s *server) resetPeakRSS() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.pid()), []byte("5"), 0)
}

// peakRSS reads the server's peak resident set size (VmHWM) in bytes.
func (s *server) peakRSS() (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.pid()))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.Join(sc.Err(), errors.New("no VmHWM in /proc status"))
}
