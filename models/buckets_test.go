package models_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/models/modeltest/suites"
)

// oracleList reads the ids of a letter's public list in an order, organisations
// first, as the pages were read before they were sought (kept here as
// the reference only): every entry, with OFFSET and LIMIT.
func oracleList(t *testing.T, db *sql.DB, l *models.Letter, order models.ListOrder, offset, limit int) []int64 {
	t.Helper()
	by := "sort_key, id"
	if order == models.OrderSigned {
		by = "id"
	}
	rows, err := db.Query(fmt.Sprintf(`SELECT id FROM signatures WHERE letter_id = %d AND status = 'listed' AND display <> 'counted'
		ORDER BY CASE WHEN kind = 'organisation' THEN 0 ELSE 1 END, %s LIMIT %d OFFSET %d`, l.ID, by, limit, offset))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// pageIDs reads page (from 1) of a letter's public list as visitors do,
// in an order, and returns its entries' ids.
func pageIDs(t *testing.T, s *models.Store, l *models.Letter, order models.ListOrder, page, perPage int) []int64 {
	t.Helper()
	shown := *l
	shown.ListOrder = order
	sigs, err := s.Signatories(context.Background(), &shown, (page-1)*perPage, perPage)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, sig := range sigs {
		ids = append(ids, sig.ID)
	}
	return ids
}

// checkPages fails the test unless every page of l's public list, in both
// orders, and the page after the last, holds what OFFSET reads.
func checkPages(t *testing.T, s *models.Store, db *sql.DB, l *models.Letter, perPage int, when string) {
	t.Helper()
	for _, order := range []models.ListOrder{models.OrderAlphabetical, models.OrderSigned} {
		pages := int(l.OrganisationCount+l.IndividualCount)/perPage + 2
		for page := 1; page <= pages; page++ {
			want, got := oracleList(t, db, l, order, (page-1)*perPage, perPage), pageIDs(t, s, l, order, page, perPage)
			if !slices.Equal(got, want) {
				t.Fatalf("%s, page %d in %s order: %v, OFFSET reads %v", when, page, order, got, want)
			}
		}
	}
}

// Whatever happens to a letter's signatures (signed, confirmed, reviewed,
// imported, filled in bulk, hidden or shown, resorted, withdrawn, removed),
// every page of its list, sought from the buckets, holds what reading the
// whole list with OFFSET gives, after every step of a random mix of them,
// in both orders. The buckets and chapters are small here, so that they
// split and go at every turn.
func TestEveryPageSoughtEqualsThePageByOffsetWhateverHappens(t *testing.T) {
	s, dsn := modeltest.OpenDSN(t)
	models.SetBucketSizes(t, 2, 6)
	db := modeltest.RawDB(t, dsn)
	var longest int64
	changeAtRandom(t, s, 300, func(l *models.Letter, step int, op string) {
		checkPages(t, s, db, l, 4, fmt.Sprintf("after step %d (%s)", step, op))
		longest = max(longest, l.OrganisationCount+l.IndividualCount)
	})
	t.Logf("the list had %d entries at most", longest)
	if longest < 20 {
		t.Errorf("the list had %d entries at most: too few to test its chapters", longest)
	}
}

// A database upgraded from before the lists were cut into buckets gets
// them from its signatures: every page after the migration holds what
// OFFSET reads, and the list goes on growing from there,
// by thousands at a time.
func TestBucketsMigrationCutsTheListsAlreadyThere(t *testing.T) {
	ctx := context.Background()
	s, dsn := modeltest.OpenDSN(t)
	l := bigLetter(t, s, 1300)
	s, raw := migrateAgain(t, s, dsn, "DROP TABLE list_buckets", "DELETE FROM schema_migrations WHERE version LIKE '%_list_buckets'")
	checkPages(t, s, raw, l, 100, "after the migration")
	// In one transaction, more than one statement of writeBuckets takes.
	if _, err := s.AddSignaturesInBatches(ctx, l.ID, 3000, 3000, func(i int) models.NewSignature {
		return models.NewSignature{Kind: models.KindIndividual, Name: "Later " + strconv.Itoa(i), Country: "FR",
			Email: "later" + strconv.Itoa(i) + "@example.org", Display: models.DisplayFull}
	}); err != nil {
		t.Fatal(err)
	}
	checkPages(t, s, raw, reload(t, s, l.Slug), 100, "after 3,000 more")
}

// A file filled in bulk for a load test (OpenForLoading) has its lists cut
// into buckets as it closes: the server that opens it then serves every
// page as OFFSET would.
func TestAListLoadedInBulkIsCutIntoBucketsAsTheFileCloses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "undersigned.db")
	s, err := models.OpenForLoading(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	l := bigLetter(t, s, 3000)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = models.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkPages(t, s, modeltest.RawDB(t, path), l, 100, "after loading")
}

// The last page of a list of 100,000 entries reads about as fast as its
// second page, where skipping every entry before it took a hundred times
// as long: a public page never reads the list up to itself. The fastest
// of many reads is compared, which a busy machine slows least.
func TestTheLastPageOfALongListReadsAsFastAsTheSecond(t *testing.T) {
	if testing.Short() {
		suites.Skip(t, "skipped in -short: fills a letter with 100,000 signatures")
	}
	s := modeltest.Open(t)
	l := bigLetter(t, s, 100_000)
	listed := int(l.OrganisationCount + l.IndividualCount)
	second, last := fastestPageRead(t, s, l, 100), fastestPageRead(t, s, l, (listed-1)/100*100)
	t.Logf("page 2: %v, the last page: %v", second, last)
	if last > 3*second+time.Millisecond {
		t.Errorf("the last page of %d entries reads in %v, the second in %v: the read grows with the list", listed, last, second)
	}
}

// fastestPageRead returns the fastest of 30 reads of the page of l's
// public list that starts at offset.
func fastestPageRead(t *testing.T, s *models.Store, l *models.Letter, offset int) time.Duration {
	fastest := time.Hour
	for range 30 {
		start := time.Now()
		sigs, err := s.Signatories(context.Background(), l, offset, 100)
		if err != nil || len(sigs) == 0 {
			t.Fatalf("page at %d: %d entries, %v", offset, len(sigs), err)
		}
		fastest = min(fastest, time.Since(start))
	}
	return fastest
}

// Every page of a dated list holds what reading it with OFFSET gives,
// sought by position while the list is whole and read by offset once
// entries were withdrawn from it, leaving gaps in the positions.
func TestEveryPageOfADatedListEqualsThePageByOffset(t *testing.T) {
	ctx := context.Background()
	s, dsn := modeltest.OpenDSN(t)
	db := modeltest.RawDB(t, dsn)
	l := bigLetter(t, s, 60)
	snap, err := s.PublishSnapshot(ctx, l, "Anonymous")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := modeltest.Coordinator(t, s, "moderator@icdr.example", "ICDR") // whom the log names
	check := func(when string) {
		for offset := range snap.OrganisationCount + snap.IndividualCount + 2 {
			page, err := s.SnapshotEntries(ctx, snap, int(offset), 7)
			if err != nil {
				t.Fatal(err)
			}
			var got, want []int64
			for _, e := range page {
				got = append(got, e.Position)
			}
			rows, err := db.Query(fmt.Sprintf("SELECT position FROM snapshot_entries WHERE snapshot_id = %d ORDER BY position LIMIT 7 OFFSET %d", snap.ID, offset))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var p int64
				if err := rows.Scan(&p); err != nil {
					t.Fatal(err)
				}
				want = append(want, p)
			}
			rows.Close()
			if !slices.Equal(got, want) {
				t.Fatalf("%s, the page at %d holds positions %v, OFFSET reads %v", when, offset, got, want)
			}
		}
	}
	check("whole")
	sigs, _, err := s.CoordinatorSignatures(ctx, l, 0, 60)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{5, 30, 31} {
		if err := s.RemoveSignature(ctx, l, u.ID, sigs[i].ID, listEntry, "fake"); err != nil {
			t.Fatal(err)
		}
	}
	check("after three removals")
}
