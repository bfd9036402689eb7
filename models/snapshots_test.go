package models_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/models/modeltest/suites"
)

// snapshotEntries reads a page of a snapshot as "kind: entry" lines.
func snapshotEntries(t *testing.T, s *models.Store, snap *models.Snapshot, offset, limit int) []string {
	t.Helper()
	page, err := s.SnapshotEntries(context.Background(), snap, offset, limit)
	if err != nil {
		t.Fatalf("snapshot entries: %v", err)
	}
	out := []string{}
	for _, e := range page {
		out = append(out, string(e.Kind)+": "+e.Entry)
	}
	return out
}

// liveList reads the whole public list as "kind: entry" lines, through the
// Go rendering of entries the live pages use.
func liveList(t *testing.T, s *models.Store, l *models.Letter) []string {
	t.Helper()
	page, err := s.Signatories(context.Background(), l, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, sig := range page {
		out = append(out, string(sig.Kind)+": "+listEntry(&sig))
	}
	return out
}

func entryTexts(es []models.SnapshotEntry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Entry)
	}
	return out
}

// A snapshot freezes the list as it read, each entry as its signer chose to
// appear then, in order and by section; what happens to the list afterwards
// (new signatures, display changes, corrected sort names) leaves it as it
// was, but for a withdrawal, whose entry goes. The next day's snapshot says
// what was added and what went.
func TestSnapshotFreezesTheListAsItRead(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	clock := stoppedClock(s, asOf)
	u, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	var bummel int64 // Andreas Bummel, second on the list by name
	for i, sig := range modeltest.AzerbaijanSignatories {
		if signed := sig.Sign(t, s, l.ID, i); signed.Name == "Andreas Bummel" {
			bummel = signed.ID
		}
	}
	anonymous := person("Gubad Ibadoghlu", "AZ", "gubad@example.org")
	anonymous.Display = models.DisplayAnonymous
	counted := person("Carl Counted", "US", "counted@example.org")
	counted.Display = models.DisplayCounted
	sign(t, s, l, anonymous)
	sign(t, s, l, counted)
	civic := sign(t, s, l, organisation("Civic IDEA", "GE", "office@civicidea.example"))
	tenzer := sign(t, s, l, models.NewSignature{Kind: models.KindIndividual, Name: "Zoé Zed", Role: "Director", Affiliation: "CERAP",
		Country: "FR", Country2: "CZ", Email: "zoe@example.org"})
	l = reload(t, s, l.Slug)
	before := liveList(t, s, l)

	first, err := s.PublishSnapshot(ctx, l, "Anonymous")
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if !first.AsOf.Equal(time.Date(2024, 11, 11, 0, 0, 0, 0, time.UTC)) || first.Title != l.Title {
		t.Errorf("snapshot as of %v titled %q", first.AsOf, first.Title)
	}
	if first.OrganisationCount != 1 || first.IndividualCount != 24 || first.UnlistedCount != 1 || first.SignatureCount() != 26 {
		t.Errorf("counts: %d organisations, %d individuals, %d unlisted", first.OrganisationCount, first.IndividualCount, first.UnlistedCount)
	}
	// The SQL that freezes entries reads exactly as the live list's Go does.
	if got := snapshotEntries(t, s, first, 0, 1000); !slices.Equal(got, before) {
		t.Fatalf("snapshot\n%s\nwant the live list\n%s", strings.Join(got, "\n"), strings.Join(before, "\n"))
	}
	for _, want := range []string{"organisation: Civic IDEA, Georgia", "individual: Anonymous, Azerbaijan", "individual: Zoé Zed, Director, CERAP, France/Czechia"} {
		if !slices.Contains(before, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	if slices.ContainsFunc(before, func(e string) bool { return strings.Contains(e, "Counted") || strings.Contains(e, "Gubad") }) {
		t.Error("the list names a signer who chose not to be named")
	}
	// Pages read by position.
	if got := snapshotEntries(t, s, first, 20, 3); !slices.Equal(got, before[20:23]) {
		t.Errorf("entries 21-23: %q, want %q", got, before[20:23])
	}

	// Same day: refused, whatever changed.
	if _, err := s.PublishSnapshot(ctx, l, "Anonymous"); !errors.Is(err, models.ErrSnapshotExists) {
		t.Fatalf("second snapshot the same day: err = %v, want ErrSnapshotExists", err)
	}

	// The list changes.
	clock.advance(day)
	if _, err := s.Withdraw(ctx, tenzer.ManageToken); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDisplay(ctx, civic.ManageToken, models.DisplayAnonymous, listEntry); err != nil {
		t.Fatal(err)
	}
	sign(t, s, l, person("Maiko Ichihara", "JP", "maiko@example.org"))
	sign(t, s, l, anonymous2())
	if err := s.SetSortName(ctx, l, u.ID, bummel, listEntry, "Zzz"); err != nil {
		t.Fatal(err)
	}
	// Only the withdrawal and the name now hidden reach the published
	// list: their entries go.
	kept := slices.DeleteFunc(slices.Clone(before), func(e string) bool {
		return strings.Contains(e, "Zoé Zed") || e == "organisation: Civic IDEA, Georgia"
	})
	if got := snapshotEntries(t, s, first, 0, 1000); !slices.Equal(got, kept) {
		t.Errorf("the first snapshot after the list changed:\n%s\nwant all but the withdrawn and the now anonymous entries", strings.Join(got, "\n"))
	}
	if first, err = s.SnapshotByID(ctx, l.ID, first.ID); err != nil || first.IndividualCount != 23 || first.OrganisationCount != 0 || first.WithdrawnCount != 2 {
		t.Errorf("first snapshot after a withdrawal: %+v (%v), want 23 individuals, no organisation, 2 withdrawn", first, err)
	}

	l = reload(t, s, l.Slug)
	second, err := s.PublishSnapshot(ctx, l, "Anonymous")
	if err != nil {
		t.Fatalf("publish the next day: %v", err)
	}
	if second.PreviousID == nil || *second.PreviousID != first.ID || second.AddedCount != 3 || second.GoneCount != 0 {
		t.Errorf("second snapshot: previous %v, added %d, gone %d; want %d, 3, 0", second.PreviousID, second.AddedCount, second.GoneCount, first.ID)
	}
	added, gone, err := s.SnapshotChanges(ctx, second, 100)
	if err != nil {
		t.Fatal(err)
	}
	// A second "Anonymous, Azerbaijan" is a new entry though one read so before.
	if want := []string{"Anonymous, Georgia", "Maiko Ichihara, Japan", "Anonymous, Azerbaijan"}; !slices.Equal(entryTexts(added), want) {
		t.Errorf("added %q, want %q", entryTexts(added), want)
	}
	if len(gone) != 0 {
		t.Errorf("gone %q, want none: the entries that went left the first list too", entryTexts(gone))
	}
	if added, _, _ := s.SnapshotChanges(ctx, second, 1); len(added) != 1 {
		t.Errorf("changes capped at 1: %d added", len(added))
	}
	if added, gone, _ := s.SnapshotChanges(ctx, first, 100); added != nil || gone != nil {
		t.Error("the first snapshot has changes")
	}
	list, err := s.Snapshots(ctx, l.ID)
	if err != nil || len(list) != 2 || list[0].ID != second.ID {
		t.Errorf("snapshots newest first: %+v (%v)", list, err)
	}
	got, err := s.SnapshotAsOf(ctx, l.ID, time.Date(2024, 11, 12, 15, 0, 0, 0, time.UTC))
	if err != nil || got.ID != second.ID {
		t.Errorf("snapshot as of November 12: %+v (%v)", got, err)
	}
}

// A signer who withdraws, or whom a coordinator removes, leaves every dated
// list that named them, and the lists still compare entry for entry: two
// signers reading "Anonymous, Belarus" alike, one of whom withdraws, leave
// no change between a list published before and one published after.
func TestWithdrawalRedactsDatedLists(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	clock := stoppedClock(s, asOf)
	u, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	hidden := func(name, email string) models.NewSignature {
		in := person(name, "BY", email)
		in.Display = models.DisplayAnonymous
		return in
	}
	first := sign(t, s, l, hidden("Ales Bialiatski", "ales@example.org"))
	sign(t, s, l, hidden("Maria Kalesnikava", "maria@example.org"))
	igor := sign(t, s, l, person("Igor Blazevic", "CZ", "igor@example.org"))
	fake := sign(t, s, l, person("Fake Person", "RU", "fake@example.org"))
	l = reload(t, s, l.Slug)
	monday, err := s.PublishSnapshot(ctx, l, "Anonymous")
	if err != nil {
		t.Fatal(err)
	}
	clock.advance(day)
	tuesday, err := s.PublishSnapshot(ctx, l, "Anonymous")
	if err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{first.ManageToken, igor.ManageToken} {
		if _, err := s.Withdraw(ctx, token); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RemoveSignature(ctx, l, u.ID, fake.Signature.ID, listEntry, "not a real person"); err != nil {
		t.Fatal(err)
	}
	want := []string{"individual: Anonymous, Belarus"}
	for _, snap := range []*models.Snapshot{monday, tuesday} {
		if got := snapshotEntries(t, s, snap, 0, 100); !slices.Equal(got, want) {
			t.Errorf("snapshot of %v reads %q, want %q", snap.AsOf, got, want)
		}
		got, err := s.SnapshotByID(ctx, l.ID, snap.ID)
		if err != nil || got.IndividualCount != 1 || got.WithdrawnCount != 3 || got.AddedCount != 0 || got.GoneCount != 0 {
			t.Errorf("snapshot of %v: %+v (%v), want 1 individual, 3 withdrawn, no changes", snap.AsOf, got, err)
		}
	}
	clock.advance(day)
	wednesday, err := s.PublishSnapshot(ctx, reload(t, s, l.Slug), "Anonymous")
	if err != nil {
		t.Fatal(err)
	}
	added, gone, err := s.SnapshotChanges(ctx, wednesday, 100)
	if err != nil || len(added) != 0 || len(gone) != 0 || wednesday.AddedCount != 0 || wednesday.GoneCount != 0 {
		t.Errorf("changes since the redacted list: added %q, gone %q (%v)", entryTexts(added), entryTexts(gone), err)
	}
}

// A withdrawal reaches the dated lists published before entries kept their
// signature too, by the entry's text: a named signer leaves them, and of
// two identical anonymous entries, which name no one, both stay.
func TestWithdrawalRedactsListsPublishedBeforeTheUpgrade(t *testing.T) {
	ctx := context.Background()
	s, dsn := modeltest.OpenDSN(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	igor := sign(t, s, l, person("Igor Blazevic", "CZ", "igor@example.org"))
	sign(t, s, l, person("Igor Blazevic", "CZ", "igor.other@example.org")) // a namesake
	hidden := sign(t, s, l, anonymous2())
	sign(t, s, l, person("Maiko Ichihara", "JP", "maiko@example.org"))
	snap, err := s.PublishSnapshot(ctx, reload(t, s, l.Slug), "Anonymous")
	if err != nil {
		t.Fatal(err)
	}
	db := modeltest.RawDB(t, dsn)
	if _, err := db.Exec(`UPDATE snapshot_entries SET signature_id = NULL`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, token := range []string{igor.ManageToken, hidden.ManageToken} {
		if _, err := s.Withdraw(ctx, token); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"individual: Igor Blazevic, Czechia", "individual: Maiko Ichihara, Japan", "individual: Anonymous, Azerbaijan"}
	if got := snapshotEntries(t, s, snap, 0, 100); !slices.Equal(got, want) {
		t.Errorf("old snapshot after withdrawals reads %q, want %q", got, want)
	}
}

func anonymous2() models.NewSignature {
	in := person("Leyla Yunus", "AZ", "leyla@example.org")
	in.Display = models.DisplayAnonymous
	return in
}

func TestDraftListIsNotPublished(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, org := modeltest.Coordinator(t, s, "c@example.org", "Org")
	l, err := s.CreateLetter(ctx, u.ID, org, modeltest.Azerbaijan)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishSnapshot(ctx, l, "Anonymous"); !errors.Is(err, models.ErrLetterNotOpen) {
		t.Errorf("snapshot of a draft: err = %v, want ErrLetterNotOpen", err)
	}
}

func TestLetterUpdates(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	older, err := s.AddUpdate(ctx, l, time.Date(2017, 2, 1, 0, 0, 0, 0, time.UTC), "First *news*.")
	if err != nil {
		t.Fatal(err)
	}
	news := "Two of the prisoners were **released** on 7 February; <script>alert(1)</script>the others remain in detention, and their trials go on."
	newer, err := s.AddUpdate(ctx, l, time.Date(2017, 2, 8, 13, 0, 0, 0, time.UTC), news)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.LetterUpdates(ctx, l.ID)
	if err != nil || len(list) != 2 || list[0].ID != newer.ID || list[0].Body != news || !list[0].PostedOn.Equal(time.Date(2017, 2, 8, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("updates: %+v (%v)", list, err)
	}
	latest, err := s.LatestUpdates(ctx, []int64{l.ID, l.ID + 1})
	if err != nil || len(latest) != 1 || latest[l.ID].ID != newer.ID {
		t.Errorf("latest: %+v (%v)", latest, err)
	}
	other := &models.Letter{ID: l.ID + 1}
	if err := s.DeleteUpdate(ctx, other, newer.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("deleting through another letter: err = %v", err)
	}
	if err := s.DeleteUpdate(ctx, l, newer.ID); err != nil {
		t.Fatal(err)
	}
	if latest, _ := s.LatestUpdates(ctx, []int64{l.ID}); latest[l.ID].ID != older.ID {
		t.Errorf("after deleting the newest, latest is %+v", latest[l.ID])
	}
}

// On a list in Arabic the parts of an entry are joined by the Arabic comma
// and its countries named in Arabic, on the live list and in the SQL that
// freezes a dated list alike.
func TestArabicEntriesReadInArabic(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	stoppedClock(s, asOf)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) { st.Lang = "ar" })
	sign(t, s, l, models.NewSignature{Kind: models.KindIndividual, Name: "سلمى إبراهيم", Role: "مديرة", Affiliation: "مركز القاهرة",
		Country: "EG", Country2: "JO", Email: "salma@example.org"})
	l = reload(t, s, l.Slug)
	page, err := s.Signatories(ctx, l, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := "سلمى إبراهيم، مديرة، مركز القاهرة، مصر/الأردن"
	if got := page[0].Entry(l.Lang, "اسم غير معلن"); got != want {
		t.Errorf("live entry %q, want %q", got, want)
	}
	snap, err := s.PublishSnapshot(ctx, l, "اسم غير معلن")
	if err != nil {
		t.Fatal(err)
	}
	if got := snapshotEntries(t, s, snap, 0, 10); !slices.Equal(got, []string{"individual: " + want}) {
		t.Errorf("dated entry %q, want %q", got, want)
	}
}

// The changes a dated list shows since the one before are read at a cost
// that does not grow with the list: for 100,000 names about as fast as for
// 1,000, where looking for entries gone, when none went, walked the whole
// list. The fastest of many reads is compared, which a busy machine slows
// least.
func TestChangesOfALongDatedListReadAsFastAsOfAShortOne(t *testing.T) {
	if testing.Short() {
		suites.Skip(t, "skipped in -short: fills a letter with 100,000 signatures, twice dated")
	}
	short, long := fastestChangesRead(t, 1000), fastestChangesRead(t, 100_000)
	if long > short+short/4+2*time.Millisecond {
		t.Errorf("the changes of a dated list of 100,000 names read in %v, of 1,000 in %v: the read grows with the list", long, short)
	}
}

// fastestChangesRead publishes a letter's list of n signatures on one day,
// and on the next with 10 more, and returns the fastest of 20 reads of
// the changes the second shows.
func fastestChangesRead(t *testing.T, n int) time.Duration {
	ctx := context.Background()
	s := modeltest.Open(t)
	day := time.Date(2024, 11, 9, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return day })
	l := bigLetter(t, s, n)
	if _, err := s.PublishSnapshot(ctx, l, "Anonymous"); err != nil {
		t.Fatal(err)
	}
	day = day.AddDate(0, 0, 1)
	if _, err := s.AddSignaturesInBatches(ctx, l.ID, 10, 10, func(i int) models.NewSignature { return bulkSigner(n + i) }); err != nil {
		t.Fatal(err)
	}
	second, err := s.PublishSnapshot(ctx, reload(t, s, l.Slug), "Anonymous")
	if err != nil {
		t.Fatal(err)
	}
	fastest := time.Hour
	for range 20 {
		start := time.Now()
		added, gone, err := s.SnapshotChanges(ctx, second, 20)
		took := time.Since(start)
		if err != nil || len(gone) != 0 || len(added) != int(second.AddedCount) || second.AddedCount == 0 {
			t.Fatalf("changes: %d added (of %d), %d gone, %v", len(added), second.AddedCount, len(gone), err)
		}
		fastest = min(fastest, took)
	}
	t.Logf("%d signatures: %v", n, fastest)
	return fastest
}

// A database upgraded from before the changes were kept gets them from its
// dated lists: the migration that adds them compares each with the one
// before, as publishing does.
func TestChangesMigrationKeepsTheChangesOfListsAlreadyPublished(t *testing.T) {
	ctx := context.Background()
	s, dsn := modeltest.OpenDSN(t)
	day := time.Date(2024, 11, 9, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return day })
	l := bigLetter(t, s, 30)
	if _, err := s.PublishSnapshot(ctx, l, "Anonymous"); err != nil {
		t.Fatal(err)
	}
	day = day.AddDate(0, 0, 1)
	if _, err := s.AddSignaturesInBatches(ctx, l.ID, 3, 3, func(i int) models.NewSignature { return bulkSigner(30 + i) }); err != nil {
		t.Fatal(err)
	}
	second, err := s.PublishSnapshot(ctx, reload(t, s, l.Slug), "Anonymous")
	if err != nil {
		t.Fatal(err)
	}
	published, _, err := s.SnapshotChanges(ctx, second, 100)
	if err != nil || len(published) != 3 {
		t.Fatalf("changes as published: %v, %v", entryTexts(published), err)
	}
	raw := modeltest.RawDB(t, dsn)
	for _, stmt := range []string{"DROP TABLE snapshot_changes", "DELETE FROM schema_migrations WHERE version LIKE '%_snapshot_changes'"} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if s, err = models.Open(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	added, gone, err := s.SnapshotChanges(ctx, second, 100)
	if err != nil || !slices.Equal(entryTexts(added), entryTexts(published)) || len(gone) != 0 {
		t.Errorf("after the migration, added %q and gone %q (%v); as published, added %q", entryTexts(added), entryTexts(gone), err, entryTexts(published))
	}
}
