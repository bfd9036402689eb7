package main

import (
	"database/sql"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // for integrity_check on the server's database file

	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/models/modeltest/suites"
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
	code := suites.Run(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// freeAddr returns a loopback address nothing listens on, for a server the
// test starts. Its port is below the kernel's ephemeral range (32768 and
// up on Linux): a port the kernel handed out would be free again once
// closed, and then taken by any outgoing connection of the tests running
// at once (the PostgreSQL run opens hundreds) before the server binds it.
func freeAddr(t *testing.T) string {
	t.Helper()
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(12000))
		if ln, err := net.Listen("tcp", addr); err == nil {
			ln.Close()
			return addr
		}
	}
	t.Fatal("no free port between 20000 and 32000 on 127.0.0.1")
	return ""
}

// server is the binary running on a loopback port.
type server struct {
	*exec.Cmd
	addr string
	// console is what it printed: the setup link, and the emails it could
	// not send for want of an SMTP server.
	console *mailbox
}

// start runs the binary on db with flags and waits until it answers
// /healthz. Every test server takes more signatures from one address than
// any test sends, since all signers share 127.0.0.1, and takes a form sent
// at once, since tests fill forms faster than people.
func start(t *testing.T, db, addr string, flags ...string) *server {
	t.Helper()
	s := &server{Cmd: exec.Command(binary, serverArgs(db, addr, flags...)...), addr: addr, console: newMailbox()}
	log := &lastLines{}
	s.Stdout, s.Stderr = &consoleReader{mail: s.console}, log
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Process.Kill(); s.Wait() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
	}
	t.Fatalf("server did not answer /healthz on %s within 10s; its log ends:\n%s", addr, log)
	return nil
}

// serverArgs are the settings of a test server on db at addr, with flags
// after them (see start).
func serverArgs(db, addr string, flags ...string) []string {
	return append([]string{"-addr", addr, "-db", db, "-min-sign-time", "0s", "-sign-burst", "100000/1m",
		"-sign-sustained", "100000/1m", "-sign-overall", "100000/1m", "-resend-limit", "1000/1m"}, flags...)
}

// lastLines keeps the end of what a server logs, for a test that fails to
// start it.
type lastLines struct {
	mu  sync.Mutex
	buf []byte
}

func (l *lastLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if len(l.buf) > 4096 {
		l.buf = l.buf[len(l.buf)-4096:]
	}
	return len(p), nil
}

func (l *lastLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}

// newCoordinator adds the coordinator coordEmail to db by the command line,
// as an operator does before the first start.
func newCoordinator(t *testing.T, db string) {
	t.Helper()
	cmd := exec.Command(binary, "user", "add", "-db", db, "-email", coordEmail, "-name", "C", "-org", "Org")
	cmd.Stdin = strings.NewReader(coordPassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
}

// The coordinator newCoordinator adds.
const coordEmail, coordPassword = "c@example.org", "correct horse battery staple"

// draft is the editor's form of a new letter with title and slug, the
// rest left as a new letter has it.
func draft(title, slug string) url.Values {
	return url.Values{"title": {title}, "slug": {slug}, "action": {"save"}}
}

// loggedIn returns a client logged in as the coordinator with this email.
func loggedIn(t *testing.T, addr, email, password string) *handlertest.Client {
	t.Helper()
	c := handlertest.OverServer(t, addr)
	c.LogIn(email, password)
	return c
}

func TestUserAddFromTheCommandLine(t *testing.T) {
	db := modeltest.DSN(t)
	add := func(password string) (string, error) {
		cmd := exec.Command(binary, "user", "add", "-db", db, "-email", "Jakub@Forum2000.example", "-name", "Jakub Klepal", "-org", "Forum 2000")
		cmd.Stdin = strings.NewReader(password)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := add("aaaaaaaaaa\n"); err == nil || !strings.Contains(out, "at least 12 characters") {
		t.Fatalf("short password accepted: %v %s", err, out)
	}
	if out, err := add("1Qaz2wsx3edc\n"); err == nil || !strings.Contains(out, "among the most common") {
		t.Fatalf("common password accepted: %v %s", err, out)
	}
	if out, err := add("correct horse battery staple\n"); err != nil || !strings.Contains(out, "jakub@forum2000.example") {
		t.Fatalf("user add: %v %s", err, out)
	}
	if out, err := add("another long password\n"); err == nil {
		t.Fatalf("second account with the same email accepted: %s", out)
	}
}

// TestAcknowledgedSignaturesSurviveKill9 signs from 32 goroutines while the
// server is killed with SIGKILL at a random moment, ten times over on the same
// database file. So many signers at once make the signature writer commit
// them in batches (group commit), and a kill falls while a batch commits. A
// signer told "thank you" must find their name on the list however the
// server died, and the file must still be a sound database.
func TestAcknowledgedSignaturesSurviveKill9(t *testing.T) {
	const (
		kills, signers = 10, 32
		letter, thanks = "/letters/free-them-all", "/letters/free-them-all/thanks#top"
	)
	// On SQLite in both runs of the suite: the test ends with SQLite's
	// integrity_check of the file.
	db, addr := filepath.Join(t.TempDir(), "u.db"), freeAddr(t)
	newCoordinator(t, db)
	srv := start(t, db, addr)
	coord := loggedIn(t, addr, coordEmail, coordPassword)
	editor := coord.OpenLetter(draft("Free them all", "free-them-all"), nil)
	// Neither confirmation by email nor review: an acknowledged signature is
	// then one on the list, which the CSV shows.
	coord.Post(editor+"/settings", handlertest.Settings("listed")).Expect(t, http.StatusSeeOther)

	var (
		mu     sync.Mutex
		acked  []string
		serial atomic.Int64 // every attempt gets a new email, so none is refused as already signed
	)
	// The signers are clients left open across the crashes: they keep their
	// cookies and, like a person reloading after an error, fetch the form
	// again on each new server for a fresh CSRF token.
	clients := make([]*handlertest.Client, signers)
	for i := range clients {
		clients[i] = handlertest.OverServer(t, addr)
	}
	for round := range kills {
		if round > 0 {
			srv = start(t, db, addr)
		}
		var wg sync.WaitGroup
		for _, signer := range clients {
			wg.Go(func() {
				if r, err := signer.TryGet(letter); err != nil {
					return // killed already
				} else if r.Status != http.StatusOK {
					t.Errorf("round %d: letter page answered %d", round, r.Status)
					return
				}
				for {
					email := fmt.Sprintf("s%d@example.org", serial.Add(1))
					r, err := signer.TryPost(letter+"/sign", handlertest.SignForm("Signer "+email, "FR", email))
					if err != nil {
						return // the server is gone
					}
					if r.Status != http.StatusSeeOther || r.Location != thanks {
						t.Errorf("round %d: signing answered %d %q, want 303 to %s", round, r.Status, r.Location, thanks)
						return
					}
					mu.Lock()
					acked = append(acked, email)
					mu.Unlock()
				}
			})
		}
		time.Sleep(150*time.Millisecond + rand.N(450*time.Millisecond))
		if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("round %d: the server was gone before the kill: %v", round, err)
		}
		srv.Wait()
		wg.Wait()
	}
	if len(acked) < kills {
		t.Fatalf("only %d signatures acknowledged in %d rounds: the kills proved nothing", len(acked), kills)
	}

	start(t, db, addr)
	listed := signatureEmails(t, loggedIn(t, addr, coordEmail, coordPassword), editor)
	for _, email := range acked {
		if listed[email] == 0 {
			t.Errorf("acknowledged signature %s lost after kill -9", email)
		}
	}
	if got := integrityCheck(t, db); got != "ok" {
		t.Errorf("PRAGMA integrity_check = %q, want \"ok\"", got)
	}
	if !t.Failed() {
		t.Logf("%d rounds, each ended by kill -9; %d acknowledged signatures, all present after restart; integrity_check ok", kills, len(acked))
	}
}

// signatureEmails counts the signatures of each email address in a letter's CSV download.
func signatureEmails(t *testing.T, coord *handlertest.Client, editor string) map[string]int {
	t.Helper()
	body := coord.Get(editor+"/signatures.csv").Expect(t, http.StatusOK).Body
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("CSV: %v", err)
	}
	col := slices.Index(rows[0], "email")
	if col < 0 {
		t.Fatalf("CSV header %q has no email column", rows[0])
	}
	emails := make(map[string]int, len(rows))
	for _, row := range rows[1:] {
		emails[row[col]]++
	}
	return emails
}

// openReadOnly opens the server's database read-only, beside the running
// server: a SQLite file, or a PostgreSQL database whose transactions are
// read-only.
func openReadOnly(t *testing.T, db string) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite3", "file:"+db+"?mode=ro"
	if models.IsPostgres(db) {
		u, err := url.Parse(db)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("default_transaction_read_only", "on")
		u.RawQuery = q.Encode()
		driver, dsn = "pgx", u.String()
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// integrityCheck runs SQLite's own consistency check on the database file,
// read-only, beside the running server, and returns its report.
func integrityCheck(t *testing.T, db string) string {
	t.Helper()
	conn := openReadOnly(t, db)
	defer conn.Close()
	rows, err := conn.Query("PRAGMA integrity_check")
	if err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	defer rows.Close()
	var report []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatalf("integrity_check: %v", err)
		}
		report = append(report, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	return strings.Join(report, "\n")
}

func TestSIGTERMStopsCleanly(t *testing.T) {
	srv := start(t, modeltest.DSN(t), freeAddr(t))
	srv.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10s after SIGTERM")
	}
}
