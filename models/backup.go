package models

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to a new file at path with
// VACUUM INTO, while the server goes on reading and writing it, and returns
// the size of the copy. It never overwrites a file: an existing path is
// ErrBackupExists.
func (s *Store) Backup(ctx context.Context, path string) (int64, error) {
	// An absolute path is never read as a "file:" URI by SQLite.
	path, err := filepath.Abs(path)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	// SQLite writes into an empty file as into a missing one, so creating it
	// here refuses an existing file atomically (O_EXCL) and keeps the copy,
	// which holds signers' email addresses, readable by its owner only.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return 0, fmt.Errorf("%s: %w", path, ErrBackupExists)
	}
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	f.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(path)
		}
	}()
	// A read connection: VACUUM INTO copies the snapshot of one read
	// transaction, so the server's writer is never blocked (WAL) and the copy
	// holds every commit before that snapshot and none after it.
	if err := s.read.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	// SQLite does not sync the file VACUUM INTO writes; a backup that a power
	// cut can lose is no backup.
	f, err = os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("backup: sync %s: %w", path, err)
	}
	info, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	done = true
	return info.Size(), nil
}
