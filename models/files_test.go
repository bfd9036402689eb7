package models_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"undersigned/models/modeltest"
)

// TestDatabaseFilesAreTheOwnersOnly: whatever the umask, the live database,
// its -wal and -shm files, and a backup of it can be read by no one but
// the account the server runs as: they hold signers' email addresses.
func TestDatabaseFilesAreTheOwnersOnly(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask, which made them 0644
	defer syscall.Umask(old)
	s, path := modeltest.OpenSQLite(t)
	modeltest.Coordinator(t, s, "c@example.org", "Org") // a write: the -wal and -shm files exist
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, err := s.Backup(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", backup} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s is %v, want -rw-------", filepath.Base(p), mode)
		}
	}
}
