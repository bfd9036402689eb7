package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"undersigned/models"
)

// backup writes a consistent copy of the database to a new file while the
// server may be serving it: `undersigned backup [-db DB] FILE`.
func backup(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("undersigned backup", flag.ContinueOnError)
	var db string
	apply := bindSettings(fs, []setting{dbSetting(&db, "SQLite database `FILE` to copy; for PostgreSQL use pg_dump")})
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage:\n  undersigned backup [-db DB] FILE\n\nWrites a consistent copy of the database, while the server runs, to FILE, which must not exist.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	// Flags may also follow the file: backup FILE -db DB.
	file := fs.Arg(0)
	if err := fs.Parse(fs.Args()[min(1, fs.NArg()):]); err != nil {
		return err
	}
	if file == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("backup takes one argument: the file to write")
	}
	if err := apply(); err != nil {
		return err
	}
	if models.IsPostgres(db) {
		return fmt.Errorf("backup copies a SQLite file; back up a PostgreSQL database with its own tools, which also copy it while the server runs: pg_dump -Fc -f %s '%s' (restore with pg_restore; see the README)", file, redactDSN(db))
	}
	// Opening a missing database would create an empty one and back it up.
	if _, err := os.Stat(db); err != nil {
		return fmt.Errorf("no database to back up at %s (set -db or UNDERSIGNED_DB): %w", db, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := models.Open(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()
	size, err := store.Backup(ctx, file)
	if errors.Is(err, models.ErrBackupExists) {
		return fmt.Errorf("%s already exists; a backup never overwrites a file, so choose a new name", file)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s (%d bytes).\n", db, file, size)
	return nil
}
