package models_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// Every read of signatures that a signer, a reader or a coordinator waits
// for finds its rows through an index, never by scanning the table: at a
// million signatures a scan is seconds. The indexes are also what each new
// signature costs the single writer, so this test is what says an index
// can go: it fails if a query it runs loses the index it needs. It runs the
// store's own methods and asks SQLite how it runs each statement they send.
func TestReadsOfSignaturesUseAnIndex(t *testing.T) {
	ctx := context.Background()
	s, path := modeltest.OpenSQLite(t)
	raw := modeltest.RawDB(t, path)
	raw.SetMaxOpenConns(1) // one connection, which has the store's temporary tables
	u, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	for i := range 40 {
		sign(t, s, l, bulkSigner(i))
	}
	modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) {
		st.ConfirmEmail, st.ReviewIndividuals, st.ReviewOrganisations = true, true, true
	})
	recorded := s.RecordStatements(t)
	mail := modeltest.Mail
	entry := func(sig *models.Signature) string { return sig.Name }
	// check runs what a user does and fails on a step of its statements'
	// plans that does more than may allows.
	check := func(what string, may allowed, run func() error) {
		t.Helper()
		recorded()
		if err := run(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		stmts := recorded()
		if len(stmts) == 0 {
			t.Fatalf("%s sent no statement", what)
		}
		for _, st := range stmts {
			if strings.HasPrefix(st.SQL, "CREATE TEMP TABLE") { // what a statement below may join
				if _, err := raw.Exec(st.SQL); err != nil {
					t.Fatal(err)
				}
				continue
			}
			// The outbox keeps two weeks of sent mail: a withdrawal that
			// looks for its signer's mail waiting there must not read it all.
			if !strings.Contains(st.SQL, "signatures") && !strings.Contains(st.SQL, "outbox") ||
				strings.HasPrefix(st.SQL, "INSERT INTO") {
				continue
			}
			for _, step := range queryPlan(t, raw, st) {
				if may.refuses(step) {
					t.Errorf("%s: %q: %s", what, st.SQL, step)
				}
			}
		}
	}

	ada := models.NewSignature{Kind: models.KindIndividual, Name: "Ada Lovelace", Country: "GB", Email: "ada@example.org", News: true}
	check("signing", seeks, func() error { _, err := s.AddSignature(ctx, l.ID, ada, mail); return err })
	check("signing again", seeks, func() error {
		if _, err := s.AddSignature(ctx, l.ID, ada, mail); !errors.Is(err, models.ErrAlreadySigned) {
			return fmt.Errorf("signed twice: %v", err)
		}
		return nil
	})
	confirm, _ := mailedLinks(t, s, ada.Email)
	check("the confirmation page", seeks, func() error { _, _, err := s.Confirmation(ctx, confirm); return err })
	check("a resent confirmation", seeks, func() error { _, err := s.ResendConfirmation(ctx, confirm, mail); return err })
	confirm, _ = mailedLinks(t, s, ada.Email)
	check("confirming", seeks, func() error { _, _, err := s.Confirm(ctx, confirm); return err })
	check("a reminder", seeks, func() error { return s.RemindSigner(ctx, l.ID, ada.Email, mail) })
	_, manage := mailedLinks(t, s, ada.Email)
	check("the private page", seeks, func() error { _, _, err := s.SignatureByManageToken(ctx, manage); return err })
	check("hiding one's name", seeks, func() error { return s.SetDisplay(ctx, manage, models.DisplayAnonymous, entry) })

	grace := models.NewSignature{Kind: models.KindIndividual, Name: "Grace Hopper", Country: "US", Email: "grace@example.org"}
	signAndConfirm(t, s, l, grace)
	var queue []models.Signature
	check("the review queue", sorts, func() error {
		var err error
		queue, _, err = s.ReviewQueue(ctx, l, models.ReviewFilter{}, 0, 20)
		return err
	})
	check("the review queue by kind and country", seeks, func() error {
		_, _, err := s.ReviewQueue(ctx, l, models.ReviewFilter{Kind: models.KindIndividual, Country: "GB"}, 0, 20)
		return err
	})
	check("approving", seeks, func() error {
		_, err := s.Moderate(ctx, l, u.ID, []int64{queue[len(queue)-1].ID}, true, entry)
		return err
	})
	check("the counts by status", sorts, func() error { _, err := s.StatusCounts(ctx, l.ID); return err })
	check("the coordinators' list", readsTheLetter, func() error { _, _, err := s.CoordinatorSignatures(ctx, l, 20, 20); return err })
	check("the coordinators' export", sorts, func() error {
		return s.EachSignature(ctx, l, func(*models.Signature) error { return nil })
	})
	check("a correction of the sort name", seeks, func() error {
		return s.SetSortName(ctx, l, u.ID, queue[len(queue)-1].ID, entry, "Lovelace")
	})
	check("a removal", seeks, func() error { return s.RemoveSignature(ctx, l, u.ID, queue[len(queue)-1].ID, entry, "fake") })
	check("withdrawing", seeks, func() error { _, err := s.Withdraw(ctx, manage); return err })

	check("a dated list", sorts, func() error { _, err := s.PublishSnapshot(ctx, l, "Anonymous"); return err })
	for _, order := range []models.ListOrder{models.OrderAlphabetical, models.OrderSigned} {
		modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) { st.ListOrder = order })
		l = reload(t, s, l.Slug)
		check("a page of the list in "+string(order)+" order", seeks, func() error {
			_, err := s.Signatories(ctx, l, 3, 20)
			return err
		})
		check("the list's export in "+string(order)+" order", seeks, func() error {
			return s.EachPublicSignatory(ctx, l, func(*models.Signature) error { return nil })
		})
	}
}

// allowed is what a read of signatures may do beyond seeking, in an
// index, the rows it needs in the order it needs them.
type allowed int

const (
	seeks          allowed = iota // nothing more: a public list is read in its order
	sorts                         // sort what it seeks, such as the rows in review
	readsTheLetter                // read every signature of the letter: the coordinators' page sorts them newest first
)

// refuses says whether a step of a query plan does more than a allows:
// scanning signatures, reading each of a letter's rows (a search on the
// letter alone, not from the index only) or sorting.
func (a allowed) refuses(step string) bool {
	table := strings.TrimPrefix(strings.TrimPrefix(step, "SCAN "), "SEARCH ")
	if table == "outbox" {
		return true // every email of the last two weeks
	}
	if !strings.HasPrefix(table, "signatures ") && !strings.HasPrefix(table, "s ") && table != "s" && table != "signatures" {
		return a < sorts && strings.Contains(step, "TEMP B-TREE")
	}
	switch {
	case strings.HasPrefix(step, "SCAN"):
		return true // every signature, of every letter
	case strings.HasSuffix(step, "(letter_id=?)") && !strings.Contains(step, "COVERING INDEX"):
		return a < readsTheLetter
	}
	return false
}

// queryPlan returns the steps of SQLite's plan for a statement.
func queryPlan(t *testing.T, raw *sql.DB, st models.Statement) []string {
	t.Helper()
	rows, err := raw.Query("EXPLAIN QUERY PLAN "+st.SQL, st.Vars...)
	if err != nil {
		t.Fatalf("explain %q: %v", st.SQL, err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return steps
}
