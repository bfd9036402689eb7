package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "undersigned-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "undersigned")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs the binary on db and waits until it answers /healthz.
func start(t *testing.T, db, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binary, "-addr", addr, "-db", db, "-sign-limit", "100000/1m")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cmd
			}
		}
	}
	t.Fatal("server did not answer /healthz within 10s")
	return nil
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// client is a browser-like HTTP client: cookies kept, redirects not followed.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func newClient(t *testing.T, addr string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: "http://" + addr, http: &http.Client{
		Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (c *client) get(path string) (int, string) {
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfInput.FindStringSubmatch(string(body)); m != nil {
		c.csrf = m[1]
	}
	return resp.StatusCode, string(body)
}

// post sends a form; err is the transport error, for posts to a server being killed.
func (c *client) post(path string, form url.Values) (int, string, error) {
	form.Set("_csrf", c.csrf)
	resp, err := c.http.PostForm(c.base+path, form)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), nil
}

func (c *client) mustPost(path string, form url.Values, want int) string {
	c.t.Helper()
	status, location, err := c.post(path, form)
	if err != nil || status != want {
		c.t.Fatalf("POST %s: status %d (%v), want %d", path, status, err, want)
	}
	return location
}

func TestUserAddFromTheCommandLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	add := func(password string) (string, error) {
		cmd := exec.Command(binary, "user", "add", "-db", db, "-email", "Jakub@Forum2000.example", "-name", "Jakub Klepal", "-org", "Forum 2000")
		cmd.Stdin = strings.NewReader(password)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := add("short\n"); err == nil || !strings.Contains(out, "at least 10 characters") {
		t.Fatalf("short password accepted: %v %s", err, out)
	}
	if out, err := add("correct horse battery staple\n"); err != nil || !strings.Contains(out, "jakub@forum2000.example") {
		t.Fatalf("user add: %v %s", err, out)
	}
	if out, err := add("another long password\n"); err == nil {
		t.Fatalf("second account with the same email accepted: %s", out)
	}
}

// TestAcknowledgedSignaturesSurviveKill9 signs from several goroutines,
// kills the server with SIGKILL mid-stream, restarts it, and checks that
// every signature answered with the thank-you redirect is on the list.
func TestAcknowledgedSignaturesSurviveKill9(t *testing.T) {
	db, addr := filepath.Join(t.TempDir(), "u.db"), freeAddr(t)
	cmd := exec.Command(binary, "user", "add", "-db", db, "-email", "c@example.org", "-name", "C", "-org", "Org")
	cmd.Stdin = strings.NewReader("correct horse battery staple\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	server := start(t, db, addr)

	coord := newClient(t, addr)
	coord.get("/login")
	coord.mustPost("/login", url.Values{"email": {"c@example.org"}, "password": {"correct horse battery staple"}}, http.StatusSeeOther)
	coord.get("/dashboard/letters/new")
	editor := strings.TrimSuffix(coord.mustPost("/dashboard/letters", url.Values{"title": {"Free them all"}, "action": {"save"}}, http.StatusSeeOther), "?saved=1")
	coord.get(editor)
	coord.mustPost(editor+"/state", url.Values{"state": {"open"}}, http.StatusSeeOther)

	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
		stop  = make(chan struct{})
	)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			signer := newClient(t, addr)
			signer.get("/letters/free-them-all")
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				email := fmt.Sprintf("g%d-%d@example.org", g, i)
				status, location, err := signer.post("/letters/free-them-all/sign", url.Values{
					"kind": {"individual"}, "name": {fmt.Sprintf("Signer %d %d", g, i)}, "country": {"FR"}, "email": {email}, "agree": {"true"}})
				if err != nil {
					return // the server is gone
				}
				if status == http.StatusSeeOther && location == "/letters/free-them-all/thanks" {
					mu.Lock()
					acked = append(acked, email)
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	server.Process.Signal(syscall.SIGKILL)
	server.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 10 {
		t.Fatalf("only %d signatures acknowledged before the kill", len(acked))
	}

	start(t, db, addr)
	coord = newClient(t, addr)
	coord.get("/login")
	coord.mustPost("/login", url.Values{"email": {"c@example.org"}, "password": {"correct horse battery staple"}}, http.StatusSeeOther)
	status, csv := coord.get(editor + "/signatures.csv")
	if status != http.StatusOK {
		t.Fatalf("CSV: status %d", status)
	}
	for _, email := range acked {
		if !strings.Contains(csv, email) {
			t.Errorf("acknowledged signature %s lost after kill -9", email)
		}
	}
	t.Logf("%d acknowledged signatures, all present after kill -9 and restart", len(acked))
}

func TestSIGTERMStopsCleanly(t *testing.T) {
	server := start(t, filepath.Join(t.TempDir(), "u.db"), freeAddr(t))
	server.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- server.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10s after SIGTERM")
	}
}
