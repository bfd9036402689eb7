package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"undersigned/handlers/handlertest"
)

// TestBackupWhileSigning backs up the database of a server taking signatures
// as fast as one signer can send them. The copy must be a sound database
// holding every signature committed before the backup began and none that
// did not exist when it ended, and must serve the letter and its list when a
// server starts on it. A second backup to the same file is refused.
func TestBackupWhileSigning(t *testing.T) {
	const slug = "free-them-all"
	dir := t.TempDir()
	db, addr := filepath.Join(dir, "live.db"), freeAddr(t)
	copyFile := filepath.Join(dir, "backup.db")
	newCoordinator(t, db)
	start(t, db, addr)
	coord := loggedIn(t, addr, coordEmail, coordPassword)
	editor := coord.OpenLetter(draft("Free them all", slug), nil)
	// Neither confirmation nor review: a signature is on the list at once.
	coord.Post(editor+"/settings", handlertest.Settings("listed")).Expect(t, http.StatusSeeOther)

	var (
		stop   = make(chan struct{})
		wg     sync.WaitGroup
		signed atomic.Int64
	)
	signer := handlertest.OverServer(t, addr)
	signer.Get("/letters/"+slug).Expect(t, http.StatusOK)
	wg.Go(func() {
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			email := fmt.Sprintf("s%d@example.org", n)
			r, err := signer.TryPost("/letters/"+slug+"/sign", handlertest.SignForm(fmt.Sprintf("Signer %d", n), "FR", email))
			if err != nil || r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/thanks#top") {
				t.Errorf("signing %s: %d %q %v", email, r.Status, r.Location, err)
				return
			}
			signed.Add(1)
		}
	})
	defer func() { close(stop); wg.Wait() }()

	time.Sleep(700 * time.Millisecond)
	before := countSignatures(t, db)
	out, err := runBackup(t, db, copyFile)
	after := countSignatures(t, db)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if !strings.Contains(out, copyFile) || !strings.Contains(out, "bytes") {
		t.Errorf("backup printed %q, want the file and its size", out)
	}
	time.Sleep(700 * time.Millisecond)
	if before == 0 || countSignatures(t, db) <= after {
		t.Fatalf("signing did not go on around the backup: %d before, %d after, %d later", before, after, countSignatures(t, db))
	}

	if got := integrityCheck(t, copyFile); got != "ok" {
		t.Errorf("backup: PRAGMA integrity_check = %q, want \"ok\"", got)
	}
	copied := countSignatures(t, copyFile)
	if copied < before || copied > after {
		t.Errorf("backup holds %d signatures, want between %d (before it) and %d (after it)", copied, before, after)
	}
	if info, err := os.Stat(copyFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v (%v), want 0600: it holds signers' emails", info.Mode(), err)
	}

	if out, err := runBackup(t, db, copyFile); err == nil || !strings.Contains(out, "already exists") {
		t.Errorf("second backup to the same file: %v %q, want a refusal saying it already exists", err, out)
	}
	if got := countSignatures(t, copyFile); got != copied {
		t.Errorf("refused backup changed the file: %d signatures, was %d", got, copied)
	}

	// Restore: a server started on the copy shows the letter and its list.
	restored := filepath.Join(dir, "restored.db")
	if err := os.Rename(copyFile, restored); err != nil {
		t.Fatal(err)
	}
	addr2 := freeAddr(t)
	start(t, restored, addr2)
	visitor := handlertest.OverServer(t, addr2)
	if r := visitor.Get("/letters/" + slug); r.Status != http.StatusOK || !strings.Contains(r.Body, "Free them all") {
		t.Errorf("restored letter page: status %d", r.Status)
	}
	r := visitor.Get("/letters/" + slug + "/signatories")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Signer 1") {
		t.Errorf("restored list: status %d, Signer 1 listed %v", r.Status, strings.Contains(r.Body, "Signer 1"))
	}
	if !t.Failed() {
		t.Logf("backup of a live database while signing (%d signatures sent): %d before, %d in the copy, %d after; integrity_check ok; the copy serves the letter and list; a second backup to the file is refused", signed.Load(), before, copied, after)
	}
}

// runBackup runs `undersigned backup` on db, at most 30 seconds.
func runBackup(t *testing.T, db, file string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, binary, "backup", "-db", db, file).CombinedOutput()
	return string(out), err
}

// countSignatures counts the signature rows in a database file, read-only.
func countSignatures(t *testing.T, db string) int {
	t.Helper()
	conn := openReadOnly(t, db)
	defer conn.Close()
	var n int
	if err := conn.QueryRow("SELECT COUNT(*) FROM signatures").Scan(&n); err != nil {
		t.Fatalf("count signatures in %s: %v", db, err)
	}
	return n
}

// `undersigned backup` copies SQLite files; given a PostgreSQL URL it says
// which tool backs that up, without showing the password it was given.
func TestBackupOfPostgresPointsToPgDump(t *testing.T) {
	out, err := runBackup(t, "postgres://undersigned:s3cret@127.0.0.1:5432/undersigned", filepath.Join(t.TempDir(), "copy.dump"))
	if err == nil || !strings.Contains(out, "pg_dump -Fc") || !strings.Contains(out, "pg_restore") || strings.Contains(out, "s3cret") {
		t.Errorf("backup of a PostgreSQL URL: %v %q; want a refusal naming pg_dump -Fc and pg_restore, password hidden", err, out)
	}
}
