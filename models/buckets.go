package models

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// A page of a letter's public list is found by its number (?page=N is a
// permanent address) and read by a seek, not by skipping every entry
// before it: each section of the list (organisations, individuals) is cut,
// in each of the list's two orders, into buckets of consecutive entries,
// whose starts and sizes are kept in list_buckets. Page N adds up the sizes
// of the buckets before it, seeks to the start of its own and skips at most
// the entries of one bucket: its cost grows with the number of buckets (a
// list's length over bucketSize), read from a small table, never with the
// number of entries before it.
//
// The buckets are kept by the transactions that change the list, in the
// tally they already write (writeTally), not rebuilt in the background:
// a bucket's size is then exact in every committed state, so a reader that
// reads the buckets and the page in one snapshot (pageStart) gets what
// OFFSET would give in that snapshot, while people sign. Every write
// transaction is serialised, by SQLite's single writer and by PostgreSQL's
// write lock (Store.serialised), so two writers never split one bucket.
// Boundaries of every Kth entry, rebuilt in the background, would be out of
// date after the first signature of a new name, which moves every later
// entry one place.
// bucketSize is the size a bucket is cut to: a page skips at most twice
// as many entries, and the last page of a million entries adds up a few
// thousand buckets. A variable, so that a test of a short list can see
// buckets split and go.
var bucketSize int64 = 512

// bucketsPerStatement bounds the entries one statement of writeBuckets
// takes: six bound variables each, in each order, far under SQLite's limit.
const bucketsPerStatement = 1000

// listEntry is a change of one entry of a public list: delta 1 where it
// joins the list, -1 where it leaves it.
type listEntry struct {
	letterID int64
	kind     SignatureKind
	sortKey  string
	id       int64
	delta    int
}

// bucketOrders are the orders a list is kept in buckets by: both, so that
// a letter's coordinators may change its order at any time.
var bucketOrders = []ListOrder{OrderAlphabetical, OrderSigned}

// bucketStart is where an entry sits in a list's order, as list_buckets'
// start_key and start_id say it: the signing order orders by id alone.
func bucketStart(e listEntry, order ListOrder) (string, int64) {
	if order == OrderSigned {
		return "", e.id
	}
	return e.sortKey, e.id
}

// bucket is a row of list_buckets.
type bucket struct {
	id       int64
	letterID int64
	kind     SignatureKind
	order    ListOrder
	startKey string
	startID  int64
	n        int64
}

// writeBuckets adds entries to the buckets of their lists in tx: each
// joins, or leaves, the last bucket that starts at or before it. A bucket
// grown past twice bucketSize is cut in pieces, and one left empty goes
// (but the first of its section, which starts before any entry).
func (s *Store) writeBuckets(tx *gorm.DB, entries []listEntry) error {
	if len(entries) == 0 {
		return nil
	}
	if err := firstBuckets(tx, entries); err != nil {
		return fmt.Errorf("keep the list's buckets: %w", err)
	}
	touched := map[int64]bucket{} // as the last statement that changed each left it
	for chunk := range slices.Chunk(entries, bucketsPerStatement/len(bucketOrders)) {
		changed, err := addToBuckets(tx, chunk)
		if err != nil {
			return fmt.Errorf("keep the list's buckets: %w", err)
		}
		for _, b := range changed {
			touched[b.id] = b
		}
	}
	for _, id := range slices.Sorted(maps.Keys(touched)) {
		b := touched[id]
		var err error
		switch {
		case b.n > 2*bucketSize:
			err = splitBucket(tx, b)
		case b.n == 0:
			err = tx.Exec("DELETE FROM list_buckets WHERE id = ?", b.id).Error
		}
		if err != nil {
			return fmt.Errorf("keep the list's buckets: %w", err)
		}
	}
	return nil
}

// firstBuckets makes sure each section the entries are in has its first
// bucket, in each order.
func firstBuckets(tx *gorm.DB, entries []listEntry) error {
	type section struct {
		letterID int64
		kind     SignatureKind
	}
	var values []any
	seen := map[section]bool{}
	for _, e := range entries {
		if sec := (section{e.letterID, e.kind}); !seen[sec] {
			seen[sec] = true
			for _, order := range bucketOrders {
				values = append(values, e.letterID, e.kind, order)
			}
		}
	}
	return tx.Exec("INSERT INTO list_buckets (letter_id, kind, list_order, start_key, start_id, n) VALUES (?, ?, ?, '', 0, 0)"+
		strings.Repeat(", (?, ?, ?, '', 0, 0)", len(values)/3-1)+
		" ON CONFLICT (letter_id, kind, list_order, start_key, start_id) DO NOTHING", values...).Error
}

// addToBuckets adds entries to their buckets, in every order, with one
// statement, and returns the buckets changed as they are now.
func addToBuckets(tx *gorm.DB, entries []listEntry) ([]bucket, error) {
	var values []any
	for _, e := range entries {
		for _, order := range bucketOrders {
			key, id := bucketStart(e, order)
			values = append(values, e.letterID, e.kind, order, key, id, e.delta)
		}
	}
	// The casts give PostgreSQL the types of the VALUES' columns.
	row := "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT))"
	rows, err := tx.Raw(`WITH e (letter_id, kind, list_order, start_key, start_id, delta) AS (VALUES `+
		row+strings.Repeat(", "+row, len(values)/6-1)+`),
		hit AS (SELECT e.delta, (SELECT b.id FROM list_buckets b
			WHERE b.letter_id = e.letter_id AND b.kind = e.kind AND b.list_order = e.list_order
			AND (b.start_key, b.start_id) <= (e.start_key, e.start_id)
			ORDER BY b.start_key DESC, b.start_id DESC LIMIT 1) AS bucket FROM e)
		UPDATE list_buckets SET n = n + (SELECT SUM(hit.delta) FROM hit WHERE hit.bucket = list_buckets.id)
		WHERE id IN (SELECT bucket FROM hit)
		RETURNING id, letter_id, kind, list_order, start_key, start_id, n`, values...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bucket
	for rows.Next() {
		var b bucket
		if err := rows.Scan(&b.id, &b.letterID, &b.kind, &b.order, &b.startKey, &b.startID, &b.n); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// seek narrows q, a query of one section of a list, to its entries from
// the one at (startKey, startID) on, in the list's order.
func seek(q *gorm.DB, order ListOrder, startKey string, startID int64) *gorm.DB {
	if order == OrderSigned {
		return q.Where("id >= ?", startID).Order("id")
	}
	return q.Where("(sort_key, id) >= (?, ?)", startKey, startID).Order("sort_key, id")
}

// splitBucket cuts b, grown past twice bucketSize, into pieces of about
// bucketSize entries: it reads where each piece starts, in the section's
// index, and nothing more.
func splitBucket(tx *gorm.DB, b bucket) error {
	var starts []struct {
		SortKey string
		ID      int64
	}
	q := tx.Model(&Signature{}).Select("sort_key", "id").Where("letter_id = ? AND kind = ? AND "+onList, b.letterID, b.kind)
	if err := seek(q, b.order, b.startKey, b.startID).Limit(int(b.n)).Scan(&starts).Error; err != nil {
		return err
	}
	if int64(len(starts)) != b.n {
		return fmt.Errorf("bucket %d counts %d entries, the list has %d", b.id, b.n, len(starts))
	}
	pieces := (b.n + bucketSize - 1) / bucketSize
	size := int((b.n + pieces - 1) / pieces)
	if err := tx.Exec("UPDATE list_buckets SET n = ? WHERE id = ?", size, b.id).Error; err != nil {
		return err
	}
	for at := size; at < len(starts); at += size {
		e := listEntry{sortKey: starts[at].SortKey, id: starts[at].ID}
		key, id := bucketStart(e, b.order)
		err := tx.Exec("INSERT INTO list_buckets (letter_id, kind, list_order, start_key, start_id, n) VALUES (?, ?, ?, ?, ?, ?)",
			b.letterID, b.kind, b.order, key, id, min(size, len(starts)-at)).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// pageStart finds, in db, where the entry at offset of a section sits: the
// start of the bucket that holds it, and how many entries of the bucket
// come before it. found is false when the section has fewer entries.
func pageStart(db *gorm.DB, l *Letter, kind SignatureKind, order ListOrder, offset int64) (b bucket, skip int64, found bool, err error) {
	rows, err := db.Table("list_buckets").Select("start_key, start_id, n").
		Where("letter_id = ? AND kind = ? AND list_order = ?", l.ID, kind, order).Order("start_key, start_id").Rows()
	if err != nil {
		return b, 0, false, err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(&b.startKey, &b.startID, &b.n); err != nil {
			return b, 0, false, err
		}
		if offset < b.n {
			return b, offset, true, nil
		}
		offset -= b.n
	}
	return b, 0, false, rows.Err()
}

// readSnapshot runs fn in one read transaction, which sees a single state
// of the database throughout: SQLite's read transactions do; PostgreSQL's
// must ask for repeatable read.
func (s *Store) readSnapshot(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var opts *sql.TxOptions
	if s.dialect == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return s.read.WithContext(ctx).Transaction(fn, opts)
}
