package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/models"
)

// signMany fills the seed letter with n signatories at once, with names and
// affiliations long enough that its exports outgrow a socket's buffers.
func (s *site) signMany(n int) {
	s.t.Helper()
	_, err := s.store.AddSignaturesInBatches(context.Background(), s.letter().ID, n, 5_000, func(i int) models.NewSignature {
		in := models.NewSignature{Kind: models.KindIndividual, Name: fmt.Sprintf("Signer Number %05d Of A Long List", i),
			Affiliation: "Organisation " + strconv.Itoa(i%37) + " for Democracy and Human Rights", Role: "Director",
			Country: "AZ", Country2: "NL", Email: strconv.Itoa(i) + "@example.org"}
		if i%10 == 0 {
			in.Kind, in.Name, in.Affiliation = models.KindOrganisation, "Someone", fmt.Sprintf("Organisation %05d, \"quoted\"", i)
		}
		return in
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// serve serves the app on a loopback port until the test ends.
func (s *site) serve() string {
	s.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.t.Fatal(err)
	}
	go s.app.Listener(smallBuffers{ln})
	s.t.Cleanup(func() { s.app.ShutdownWithTimeout(5 * time.Second) })
	return ln.Addr().String()
}

// slowReader asks for path with a receive buffer as small as the system
// allows and reads the answer one byte every 100 ms until stop is closed,
// as an attacker holding a download open does. It returns what it read.
func slowReader(t *testing.T, addr, path, forwardedFor string, stop <-chan struct{}) <-chan string {
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1024) })
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: undersigned.test\r\n"
	if forwardedFor != "" {
		req += "X-Forwarded-For: " + forwardedFor + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		defer conn.Close()
		var read []byte
		b := make([]byte, 1)
		for {
			select {
			case <-stop:
				got <- string(read)
				return
			case <-time.After(100 * time.Millisecond):
			}
			conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			if n, err := conn.Read(b); n == 1 {
				read = append(read, b[0])
			} else if err != nil && !isTimeout(err) {
				got <- string(read)
				return
			}
		}
	}()
	return got
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestSlowReadersOfExportsDoNotStallTheSite is the attack of finding 2:
// thirty sockets read the CSV export, the print page and the JSON list of
// a letter with 5,000 signatories one byte every 100 ms. Meanwhile the
// health check and a page of the list, which no cache holds, answer within
// a second, every time, for six seconds.
func TestSlowReadersOfExportsDoNotStallTheSite(t *testing.T) {
	s := newSite(t, handlers.Config{Exports: handlers.ExportLimits{PerClient: 30, Overall: 30}})
	s.publishedLetter("c@example.org", "Org")
	s.signMany(5_000)
	addr := s.serve()

	stop := make(chan struct{})
	var readers []<-chan string
	for _, path := range []string{seedSlug + "/signatories.csv", seedSlug + "/print", seedSlug + "/signatories.json?page=3"} {
		for range 10 {
			readers = append(readers, slowReader(t, addr, path, "", stop))
		}
	}
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
	}()
	time.Sleep(500 * time.Millisecond) // the exports fill the sockets' buffers

	client := &http.Client{Timeout: time.Second}
	var mu sync.Mutex
	var slow []string
	check := func(path string) {
		began := time.Now()
		resp, err := client.Get("http://" + addr + path)
		took := time.Since(began)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if err != nil || resp.StatusCode != http.StatusOK || took > time.Second {
			mu.Lock()
			slow = append(slow, fmt.Sprintf("%s after %v: %v", path, took.Round(time.Millisecond), errOrStatus(resp, err)))
			mu.Unlock()
		}
	}
	checks := 0
	for end := time.Now().Add(6 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		var wg sync.WaitGroup
		for _, path := range []string{"/healthz", seedSlug + "/signatories?page=7"} {
			wg.Add(1)
			go func() { defer wg.Done(); check(path) }()
		}
		wg.Wait()
		checks += 2
	}
	close(stop)
	if len(slow) > 0 {
		t.Errorf("%d of %d requests failed or took over a second while slow readers held exports:\n%s", len(slow), checks, strings.Join(slow, "\n"))
	}
	for _, got := range readers {
		if r := <-got; !strings.HasPrefix(r, "HTTP/1.1 200") {
			t.Errorf("a slow reader was not answered 200 but %q", r)
		}
	}
}

func errOrStatus(resp *http.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return resp.Status
}

type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		c.(*net.TCPConn).SetWriteBuffer(4096)
	}
	return c, err
}
