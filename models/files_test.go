package models_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"undersigned/models"
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

// TestUpgradeForgetsClientAddresses: a database of an older version, with
// keyed hashes of signers' addresses and their key, loses both when a
// server of this version opens it.
func TestUpgradeForgetsClientAddresses(t *testing.T) {
	s, path := modeltest.OpenSQLite(t)
	s.Close()
	raw := modeltest.RawDB(t, path)
	for _, q := range []string{
		"ALTER TABLE signatures ADD COLUMN ip_hash TEXT NOT NULL DEFAULT ''",
		"INSERT INTO settings (name, value) VALUES ('ip', x'0102')",
		"DELETE FROM schema_migrations WHERE version = '0008_no_client_address'",
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	s, err := models.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw = modeltest.RawDB(t, path)
	var columns, secrets int
	raw.QueryRow("SELECT COUNT(*) FROM pragma_table_info('signatures') WHERE name = 'ip_hash'").Scan(&columns)
	raw.QueryRow("SELECT COUNT(*) FROM settings WHERE name = 'ip'").Scan(&secrets)
	if columns != 0 || secrets != 0 {
		t.Errorf("after the upgrade: %d ip_hash columns, %d ip keys; want none", columns, secrets)
	}
}
