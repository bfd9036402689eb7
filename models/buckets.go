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
// before it. Each section of the list (organisations, individuals) is
// cut, in each of the list's two orders, into buckets of consecutive
// entries, and its buckets into chapters of consecutive buckets, whose
// starts and sizes are kept in list_buckets (level 0 the buckets, 1 the
// chapters; a chapter starts where a bucket does). Page N counts through
// the chapters to the one that holds its first entry, from whichever end
// of the section is nearer, then likewise through that chapter's buckets,
// seeks to the start of its bucket and skips the entries of the bucket
// before it: some hundred small rows at most at a million entries, never
// the entries before the page.
//
// The sizes are kept by the transactions that change the list, in the
// tally they already write (writeTally), not rebuilt in the background: a
// size is then exact in every committed state, so a reader that reads the
// sizes and the page in one snapshot (readSnapshot) gets what OFFSET would
// give in that snapshot, while people sign. Every write transaction is
// serialised, by SQLite's single writer and by PostgreSQL's write lock
// (Store.serialised), so two writers never split one bucket. Boundaries
// of every Kth entry, rebuilt in the background, would be out of date
// after the first signature of a new name, which moves every later entry
// one place.

// levelSizes are the sizes buckets (level 0) and chapters (level 1) are
// cut to once they hold twice as many: a page skips fewer than twice a
// bucket's size of entries, and counts through at most half the chapters
// (30 at a million entries) and half a chapter's buckets. A variable, so
// that a test of a short list can see them split and go.
var levelSizes = [2]int64{512, 16384}

// bucketsPerStatement bounds the entries of one statement of writeBuckets,
// five bound variables each, far under SQLite's limit.
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

// bucket is a row of list_buckets: a bucket or a chapter.
type bucket struct {
	id       int64
	letterID int64
	kind     SignatureKind
	order    ListOrder
	level    int
	startKey string
	startID  int64
	n        int64
}

// writeBuckets adds entries to the buckets and chapters of their lists in
// tx: each joins, or leaves, the last bucket, and chapter, that starts at
// or before it. One grown past twice its level's size is cut in pieces;
// an empty one goes, but a bucket where a chapter starts.
func (s *Store) writeBuckets(tx *gorm.DB, entries []listEntry) error {
	if len(entries) == 0 || s.loading {
		return nil
	}
	if err := firstBuckets(tx, entries); err != nil {
		return fmt.Errorf("keep the list's buckets: %w", err)
	}
	touched := map[int64]bucket{} // as the last statement that changed each left it
	for chunk := range slices.Chunk(entries, bucketsPerStatement) {
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
		case b.n > 2*levelSizes[b.level] && b.level == 0:
			err = splitBucket(tx, b)
		case b.n > 2*levelSizes[b.level]:
			err = splitChapter(tx, b)
		case b.n == 0:
			// A chapter's first bucket stays, so that the chapter starts where a bucket does.
			err = tx.Exec(`DELETE FROM list_buckets WHERE id = ? AND NOT EXISTS (SELECT 1 FROM list_buckets c
				WHERE c.letter_id = ? AND c.kind = ? AND c.list_order = ? AND c.level > ? AND c.start_key = ? AND c.start_id = ?)`,
				b.id, b.letterID, b.kind, b.order, b.level, b.startKey, b.startID).Error
		}
		if err != nil {
			return fmt.Errorf("keep the list's buckets: %w", err)
		}
	}
	return nil
}

// firstBuckets makes sure each section the entries are in has its first
// bucket and chapter, in each order, which start before any entry.
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
				for level := range levelSizes {
					values = append(values, e.letterID, e.kind, order, level)
				}
			}
		}
	}
	return tx.Exec("INSERT INTO list_buckets (letter_id, kind, list_order, level, start_key, start_id, n) VALUES (?, ?, ?, ?, '', 0, 0)"+
		strings.Repeat(", (?, ?, ?, ?, '', 0, 0)", len(values)/4-1)+
		" ON CONFLICT (letter_id, kind, list_order, level, start_key, start_id) DO NOTHING", values...).Error
}

// addToBuckets adds entries to their buckets and chapters, in every order,
// with one statement, and returns those changed as they are now.
func addToBuckets(tx *gorm.DB, entries []listEntry) ([]bucket, error) {
	values := make([]any, 0, 5*len(entries))
	for _, e := range entries {
		values = append(values, e.letterID, e.kind, e.sortKey, e.id, e.delta)
	}
	// The casts give PostgreSQL the types of the VALUES' columns; each
	// entry is in every order and level (bucketOrders, levelSizes); hit
	// and sums are materialised, or SQLite would find every entry's bucket
	// again for each bucket it updates.
	row := "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT))"
	rows, err := tx.Raw(`WITH listed (letter_id, kind, sort_key, id, delta) AS (VALUES `+
		row+strings.Repeat(", "+row, len(entries)-1)+`),
		e AS (SELECT letter_id, kind, list_order, level, CASE WHEN list_order = 'signed' THEN '' ELSE sort_key END AS start_key,
			id AS start_id, delta FROM listed
			CROSS JOIN (SELECT 'alphabetical' AS list_order UNION ALL SELECT 'signed') AS orders
			CROSS JOIN (SELECT 0 AS level UNION ALL SELECT 1) AS levels),
		hit AS MATERIALIZED (SELECT e.delta, (SELECT b.id FROM list_buckets b
			WHERE b.letter_id = e.letter_id AND b.kind = e.kind AND b.list_order = e.list_order AND b.level = e.level
			AND (b.start_key, b.start_id) <= (e.start_key, e.start_id)
			ORDER BY b.start_key DESC, b.start_id DESC LIMIT 1) AS bucket FROM e),
		sums AS MATERIALIZED (SELECT bucket, SUM(delta) AS delta FROM hit GROUP BY bucket)
		UPDATE list_buckets SET n = n + sums.delta FROM sums WHERE list_buckets.id = sums.bucket
		RETURNING list_buckets.id, letter_id, kind, list_order, level, start_key, start_id, n`, values...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bucket
	for rows.Next() {
		var b bucket
		if err := rows.Scan(&b.id, &b.letterID, &b.kind, &b.order, &b.level, &b.startKey, &b.startID, &b.n); err != nil {
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

// piece is a part of a bucket or chapter being cut: where it starts, and
// how many entries it holds.
type piece struct {
	startKey string
	startID  int64
	n        int64
}

// splitBucket cuts b, a bucket grown past twice its size, into pieces of
// about that size: it reads where each piece starts, in the section's
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
	pieces := make([]piece, len(starts))
	for i, st := range starts {
		key, id := bucketStart(listEntry{sortKey: st.SortKey, id: st.ID}, b.order)
		pieces[i] = piece{key, id, 1}
	}
	return cut(tx, b, pieces)
}

// splitChapter cuts c, a chapter grown past twice its size, into pieces
// of about that size, each starting where one of its buckets does.
func splitChapter(tx *gorm.DB, c bucket) error {
	rows, err := tx.Table("list_buckets").Select("start_key, start_id, n").
		Where("letter_id = ? AND kind = ? AND list_order = ? AND level = ? AND (start_key, start_id) >= (?, ?)",
			c.letterID, c.kind, c.order, c.level-1, c.startKey, c.startID).Order("start_key, start_id").Rows()
	if err != nil {
		return err
	}
	var pieces []piece
	for total := int64(0); total < c.n && rows.Next(); {
		var p piece
		if err := rows.Scan(&p.startKey, &p.startID, &p.n); err != nil {
			rows.Close()
			return err
		}
		pieces, total = append(pieces, p), total+p.n
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return cut(tx, c, pieces)
}

// cut splits b, whose entries are the parts given in order, into about
// b.n over its level's size pieces of about equal size, each made of
// whole parts.
func cut(tx *gorm.DB, b bucket, parts []piece) error {
	pieces := (b.n + levelSizes[b.level] - 1) / levelSizes[b.level]
	size := (b.n + pieces - 1) / pieces
	var cuts []piece
	for _, p := range parts {
		if len(cuts) == 0 || cuts[len(cuts)-1].n >= size {
			cuts = append(cuts, piece{p.startKey, p.startID, 0})
		}
		cuts[len(cuts)-1].n += p.n
	}
	var sum int64
	for _, p := range cuts {
		sum += p.n
	}
	if sum != b.n {
		return fmt.Errorf("bucket %d counts %d entries, its parts %d", b.id, b.n, sum)
	}
	if err := tx.Exec("UPDATE list_buckets SET n = ? WHERE id = ?", cuts[0].n, b.id).Error; err != nil {
		return err
	}
	for _, p := range cuts[1:] {
		err := tx.Exec("INSERT INTO list_buckets (letter_id, kind, list_order, level, start_key, start_id, n) VALUES (?, ?, ?, ?, ?, ?, ?)",
			b.letterID, b.kind, b.order, b.level, p.startKey, p.startID, p.n).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// pageStart finds, in db, where the entry at offset of a section sits: the
// start of the bucket that holds it, and how many entries of the bucket
// come before it. found is false when the section has fewer entries. It
// reads the chapters, then the buckets of the chapter found, from
// whichever end of them is nearer the entry.
func pageStart(db *gorm.DB, l *Letter, kind SignatureKind, order ListOrder, offset int64) (p piece, skip int64, found bool, err error) {
	// The letter's counter of the section is kept with its buckets.
	column := "individual_count"
	if kind == KindOrganisation {
		column = "organisation_count"
	}
	if err := db.Table("letters").Select(column).Where("id = ?", l.ID).Row().Scan(&p.n); err != nil {
		return p, 0, false, err
	}
	if offset >= p.n {
		return p, 0, false, nil
	}
	var to *piece // where the pieces read end: the chapter's end, or none
	for level := len(levelSizes) - 1; level >= 0; level-- {
		if p, offset, to, err = within(db, l, kind, order, level, p, to, offset); err != nil {
			return p, 0, false, err
		}
	}
	return p, offset, true, nil
}

// within finds, among the buckets or chapters of a level that start from
// span's start on, before to (if any), and hold span.n entries, the one
// that holds the entry at offset, how many of its entries come before it,
// and where the next one starts (nil at the end of the list).
func within(db *gorm.DB, l *Letter, kind SignatureKind, order ListOrder, level int, span piece, to *piece, offset int64) (p piece, skip int64, next *piece, err error) {
	q := db.Table("list_buckets").Select("start_key, start_id, n").
		Where("letter_id = ? AND kind = ? AND list_order = ? AND level = ? AND (start_key, start_id) >= (?, ?)",
			l.ID, kind, order, level, span.startKey, span.startID)
	if to != nil {
		q = q.Where("(start_key, start_id) < (?, ?)", to.startKey, to.startID)
	}
	backwards := offset >= span.n/2
	if backwards { // count from the end: offset becomes the entries after the one sought
		q, offset = q.Order("start_key DESC, start_id DESC"), span.n-1-offset
	} else {
		q = q.Order("start_key, start_id")
	}
	rows, err := q.Rows()
	if err != nil {
		return p, 0, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(&p.startKey, &p.startID, &p.n); err != nil {
			return p, 0, nil, err
		}
		switch {
		case offset >= p.n:
			offset -= p.n
			if backwards {
				to = &piece{p.startKey, p.startID, p.n}
			}
		case backwards:
			return p, p.n - 1 - offset, to, nil
		case rows.Next():
			next = &piece{}
			err := rows.Scan(&next.startKey, &next.startID, &next.n)
			return p, offset, next, err
		default:
			return p, offset, to, rows.Err()
		}
	}
	if err := rows.Err(); err != nil {
		return p, 0, nil, err
	}
	return p, 0, nil, fmt.Errorf("the buckets of level %d of list %d count fewer entries than %d", level, l.ID, span.n)
}

// bucketsMigration is the migration that cuts the lists into buckets.
const bucketsMigration = "migrations/sqlite/0019_list_buckets.sql"

// cutBuckets cuts the lists of a file just loaded into buckets, at once,
// as bucketsMigration cut the lists there before it: at a million
// signatures, in a fraction of the time keeping them batch by batch takes.
func (s *Store) cutBuckets() error {
	body, err := migrationFiles.ReadFile(bucketsMigration)
	if err != nil {
		return err
	}
	err = s.write.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DROP TABLE list_buckets").Error; err != nil {
			return err
		}
		return tx.Exec(string(body)).Error
	})
	if err != nil {
		return fmt.Errorf("cut the lists into buckets: %w", err)
	}
	return nil
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
