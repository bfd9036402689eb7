package models

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// listCounts are changes to a letter's counters.
type listCounts struct{ individuals, organisations, unlisted int }

// The dimensions a letter's signatures are counted by in letter_counts.
const (
	byCountry = "country" // entries shown on the list, by first country (CountryCounts)
	byDay     = "day"     // listed signatures, by the day (UTC) they were made (SignaturesByDay)
	byKind    = "kind"    // listed signatures, individual or organisation
	bySource  = "source"  // listed signatures, by SourceKey
)

// The sources of signatures (Signature.SourceKey), as they are counted
// and filtered: signed on the site, added by the coordinators from a list
// collected online, or gathered offline, on paper or at a named event.
// SourceOffline, as a filter, is every offline source at once.
const (
	SourceForm    = "form"
	SourceImport  = "import"
	SourceOffline = "offline"
	// OfflinePaper is the offline source of signatures gathered on paper;
	// any other is an event's name.
	OfflinePaper = "paper"
)

// offlinePrefix starts the source key of a signature gathered offline,
// before its offline source: "offline:paper", "offline:Climate March".
const offlinePrefix = SourceOffline + ":"

// SourceKey is where the signature comes from, as letter_counts counts it
// and the coordinators' filter selects it: SourceForm, SourceImport, or
// "offline:" and its offline source.
func (s Signature) SourceKey() string {
	switch {
	case s.OfflineSource != "":
		return offlinePrefix + s.OfflineSource
	case s.AddedByCoordinators():
		return SourceImport
	}
	return SourceForm
}

// OfflineSourceKey is the source key of signatures gathered at source.
func OfflineSourceKey(source string) string { return offlinePrefix + source }

// IsSourceKey says whether key names a source, as SignatureFilter.Source
// takes it: SourceForm, SourceImport, SourceOffline, or an offline
// source's key.
func IsSourceKey(key string) bool {
	if source, ok := strings.CutPrefix(key, offlinePrefix); ok {
		return source != ""
	}
	return key == SourceForm || key == SourceImport || key == SourceOffline
}

// countKey is one row of letter_counts: a letter's count of one key of a
// dimension.
type countKey struct {
	letterID       int64
	dimension, key string
}

// tally gathers the change that signatures joining or leaving lists make
// to their letters' counters and counts, so that a transaction writes it
// once, however many signatures it moved (writeTally). Every change to
// which signatures are listed, or to where an entry sits on its list, goes
// through a tally: the counters, counts and the lists' buckets are then
// what grouping the listed signatures would give, without anyone reading
// them all.
type tally struct {
	counters map[int64]listCounts
	counts   map[countKey]int
	entries  []listEntry // the entries joining or leaving public lists, for their buckets
}

// add counts delta signatures like sig; one that is not listed counts nowhere.
func (t *tally) add(sig *Signature, delta int) {
	if sig.Status != StatusListed || delta == 0 {
		return
	}
	if t.counters == nil {
		t.counters, t.counts = map[int64]listCounts{}, map[countKey]int{}
	}
	id := sig.LetterID
	c := t.counters[id]
	switch {
	case sig.Display == DisplayCounted:
		c.unlisted += delta
	case sig.Kind == KindOrganisation:
		c.organisations += delta
	default:
		c.individuals += delta
	}
	t.counters[id] = c
	t.counts[countKey{id, byDay, sig.CreatedAt.UTC().Format(time.DateOnly)}] += delta
	t.counts[countKey{id, byKind, string(sig.Kind)}] += delta
	t.counts[countKey{id, bySource, sig.SourceKey()}] += delta
	if sig.Display != DisplayCounted {
		t.counts[countKey{id, byCountry, sig.Country}] += delta
		t.entries = append(t.entries, listEntry{letterID: id, kind: sig.Kind, sortKey: sig.SortKey, id: sig.ID, delta: delta})
	}
}

// countsPerStatement bounds the rows of one statement of writeTally: four
// bound variables each, far under SQLite's limit.
const countsPerStatement = 1000

// writeTally writes t in tx: one update of each letter's counters, which
// marks its list changed, and one statement for all the counts, whatever
// the number of signatures tallied; then the buckets of the lists
// (writeBuckets). It reports whether a list changed.
func (s *Store) writeTally(tx *gorm.DB, t *tally) (listed bool, err error) {
	// A letter tallied had a listed signature join or leave, or change
	// (SetDisplay), even when its counters end where they were.
	for id, c := range t.counters {
		listed = true
		if err := s.addCounts(tx, id, c); err != nil {
			return false, fmt.Errorf("count signatures: %w", err)
		}
	}
	keys := make([]countKey, 0, len(t.counts))
	for k, n := range t.counts {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	// Sorted: writers sharing rows take them in one order and cannot deadlock.
	slices.SortFunc(keys, func(a, b countKey) int {
		return cmp.Or(cmp.Compare(a.letterID, b.letterID), strings.Compare(a.dimension, b.dimension), strings.Compare(a.key, b.key))
	})
	for chunk := range slices.Chunk(keys, countsPerStatement) {
		values := make([]any, 0, 4*len(chunk))
		for _, k := range chunk {
			values = append(values, k.letterID, k.dimension, k.key, t.counts[k])
		}
		err := tx.Exec("INSERT INTO letter_counts (letter_id, dimension, key, n) VALUES (?, ?, ?, ?)"+
			strings.Repeat(", (?, ?, ?, ?)", len(chunk)-1)+
			" ON CONFLICT (letter_id, dimension, key) DO UPDATE SET n = letter_counts.n + excluded.n", values...).Error
		if err != nil {
			return false, fmt.Errorf("count signatures: %w", err)
		}
	}
	// After the letters' counters: on PostgreSQL their rows stay locked to
	// this transaction, which then keeps the buckets alone.
	return listed, s.writeBuckets(tx, t.entries)
}

// addCounts changes a letter's counters by c, in one update of its row, and
// marks its list changed. A goal the change reaches is recorded there and
// then as a milestone (recordMilestones): every count moves through here,
// whether signed, confirmed, imported or listed by a coordinator.
func (s *Store) addCounts(tx *gorm.DB, letterID int64, c listCounts) error {
	var after goalCounts
	err := tx.Raw(`UPDATE letters SET individual_count = individual_count + ?, organisation_count = organisation_count + ?,
		unlisted_count = unlisted_count + ?, list_changed_at = ?, updated_at = ? WHERE id = ?
		RETURNING individual_count + organisation_count + unlisted_count, organisation_count, signature_goal, organisation_goal`,
		c.individuals, c.organisations, c.unlisted, s.now(), s.now(), letterID).
		Row().Scan(&after.signatures, &after.organisations, &after.signatureGoal, &after.organisationGoal)
	if err != nil {
		return err
	}
	return s.recordMilestones(tx, letterID, c, after)
}

// goalCounts are a letter's counts that goals aim at, and its goals.
type goalCounts struct{ signatures, organisations, signatureGoal, organisationGoal int64 }

// The kinds of milestone: the goal of signatures or of organisations reached.
const (
	MilestoneSignatures    = "signatures"
	MilestoneOrganisations = "organisations"
)

// recordMilestones records, in tx, each goal of a letter that the change c
// reached: its count was under the goal before c and is not after. A
// comparison, not a scan; and the unique index on milestones keeps one per
// goal, should the count fall under it and reach it again.
func (s *Store) recordMilestones(tx *gorm.DB, letterID int64, c listCounts, after goalCounts) error {
	for _, m := range []struct {
		kind               string
		goal, after, moved int64
	}{
		{MilestoneSignatures, after.signatureGoal, after.signatures, int64(c.individuals + c.organisations + c.unlisted)},
		{MilestoneOrganisations, after.organisationGoal, after.organisations, int64(c.organisations)},
	} {
		if m.goal == 0 || m.after < m.goal || m.after-m.moved >= m.goal {
			continue
		}
		now := s.now()
		err := tx.Exec(`INSERT INTO letter_updates (letter_id, posted_on, body, created_at, milestone, goal)
			VALUES (?, ?, '', ?, ?, ?) ON CONFLICT DO NOTHING`, letterID, Day(now), now, m.kind, m.goal).Error
		if err != nil {
			return fmt.Errorf("record a milestone: %w", err)
		}
	}
	return nil
}

// keyCount is a letter's count of one key of a dimension.
type keyCount struct {
	Key string
	N   int64
}

// letterCounts reads a letter's counts of one dimension in order, without
// the keys whose signatures all left: a few rows, however long the list.
func (s *Store) letterCounts(ctx context.Context, l *Letter, dimension, order string) ([]keyCount, error) {
	var out []keyCount
	err := s.read.WithContext(ctx).Table("letter_counts").Select("key, n").
		Where("letter_id = ? AND dimension = ? AND n > 0", l.ID, dimension).Order(order).Scan(&out).Error
	return out, err
}

// DayCount is how many of a letter's counted signatures were made on a day (UTC).
type DayCount struct {
	Day   time.Time
	Count int64
}

// SignaturesByDay counts a letter's counted signatures (listed, named or
// not) by the day they were made, oldest first. Days without signatures are
// left out. It reads the counts kept as signatures come and go, not the
// signatures.
func (s *Store) SignaturesByDay(ctx context.Context, l *Letter) ([]DayCount, error) {
	rows, err := s.letterCounts(ctx, l, byDay, "key") // the day as text, YYYY-MM-DD, in UTC
	if err != nil {
		return nil, fmt.Errorf("signatures by day: %w", err)
	}
	out := make([]DayCount, 0, len(rows))
	for _, r := range rows {
		day, err := time.Parse(time.DateOnly, r.Key)
		if err != nil {
			return nil, fmt.Errorf("signatures by day: day %q: %w", r.Key, err)
		}
		out = append(out, DayCount{Day: day, Count: r.N})
	}
	return out, nil
}

// SourceCount is how many of a letter's counted signatures were gathered
// at one offline source: OfflinePaper, or an event's name.
type SourceCount struct {
	Source string
	Count  int64
}

// OfflineCounts returns how many of a letter's counted signatures (listed,
// named or not) were gathered at each offline source, most first, then by
// name; none for a letter signed on the site only. It reads the counts kept
// as signatures come and go: a few rows, however long the list.
func (s *Store) OfflineCounts(ctx context.Context, l *Letter) ([]SourceCount, error) {
	rows, err := s.letterCounts(ctx, l, bySource, "n DESC, key")
	if err != nil {
		return nil, fmt.Errorf("counts by source: %w", err)
	}
	var out []SourceCount
	for _, r := range rows {
		if source, ok := strings.CutPrefix(r.Key, offlinePrefix); ok {
			out = append(out, SourceCount{Source: source, Count: r.N})
		}
	}
	return out, nil
}
