package models_test

import (
	"context"
	"reflect"
	"testing"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// importFrom imports lines as individuals shown as display, gathered at
// offline ("" for a list collected online).
func importFrom(t *testing.T, s *models.Store, l *models.Letter, userID int64, display models.Display, offline, lines string) {
	t.Helper()
	rows, err := models.ParseImport(models.ImportLines, lines, models.KindIndividual)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportSignatures(context.Background(), l, userID, models.KindIndividual, display, offline, rows); err != nil {
		t.Fatalf("import from %q: %v", offline, err)
	}
}

// Signatures gathered on paper or at an event are counted apart by source,
// listed as their display says, found by the coordinators' filter, and
// leave their source's count when removed.
func TestOfflineSignaturesAreCountedBySourceAndLeaveTheCountWhenRemoved(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	sign(t, s, l, person("Online Signer", "CZ", "online@example.org"))
	importFrom(t, s, l, u.ID, models.DisplayFull, "", "Emailed Signer, CZ\n")
	importFrom(t, s, l, u.ID, models.DisplayFull, models.OfflinePaper, "Paper One, Forum 2000, CZ\nPaper Two, FR\nPaper Three, GE\n")
	importFrom(t, s, l, u.ID, models.DisplayAnonymous, "Climate March", "March One, AZ\nMarch Two, AZ\n")
	l = reload(t, s, l.Slug)

	offline := func() []models.SourceCount {
		t.Helper()
		got, err := s.OfflineCounts(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := []models.SourceCount{{Source: models.OfflinePaper, Count: 3}, {Source: "Climate March", Count: 2}}
	if got := offline(); l.SignatureCount() != 7 || !reflect.DeepEqual(got, want) {
		t.Errorf("%d signatures, offline %+v; want 7, of which %+v", l.SignatureCount(), got, want)
	}

	// The public list says where a named signer signed; not where an
	// anonymous one did, which could tell who they are.
	list, err := s.Signatories(ctx, l, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]string{}
	for _, sig := range list {
		sources[listEntry(&sig)] = sig.OfflineSource
	}
	if sources["Paper One, Forum 2000, Czechia"] != models.OfflinePaper || sources["Online Signer, Czechia"] != "" ||
		sources["Emailed Signer, Czechia"] != "" || sources["Anonymous, Azerbaijan"] != "" {
		t.Errorf("sources on the public list: %q", sources)
	}

	// The coordinators find each source.
	ids := map[string][]int64{}
	for _, source := range []string{models.SourceForm, models.SourceImport, models.SourceOffline,
		models.OfflineSourceKey(models.OfflinePaper), models.OfflineSourceKey("Climate March")} {
		page, total, err := s.SearchSignatures(ctx, l, models.SignatureFilter{Source: source}, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, sig := range page {
			ids[source] = append(ids[source], sig.ID)
		}
		if want := map[string]int{"form": 1, "import": 1, "offline": 5, "offline:paper": 3, "offline:Climate March": 2}[source]; int(total) != want || len(page) != want {
			t.Errorf("filtered by %q: %d of %d, want %d", source, len(page), total, want)
		}
	}

	// Removed, an entry leaves its source's count; a source with none left
	// is no longer counted.
	if err := s.RemoveSignature(ctx, l, u.ID, ids["offline:paper"][0], listEntry, "duplicate"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ActOnSignatures(ctx, l, u.ID, ids["offline:Climate March"], models.BatchRemove, "not signed", listEntry); err != nil {
		t.Fatal(err)
	}
	l = reload(t, s, l.Slug)
	if got := offline(); l.SignatureCount() != 4 || !reflect.DeepEqual(got, []models.SourceCount{{Source: models.OfflinePaper, Count: 2}}) {
		t.Errorf("after removals: %d signatures, offline %+v; want 4, of which 2 on paper", l.SignatureCount(), got)
	}
}
