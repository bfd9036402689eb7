package models_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/models/modeltest/suites"
)

func TestChartFiguresCountListedSignaturesByDayAndCountry(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	day := time.Date(2024, 11, 9, 23, 30, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return day })
	for i, sig := range modeltest.AzerbaijanSignatories {
		if i == 10 {
			day = day.Add(48 * time.Hour) // November 11, after a day without signatures
		}
		sig.Sign(t, s, l.ID, i)
	}
	// One signer is counted without being listed: their country stays out of the chart.
	if _, err := s.AddSignature(ctx, l.ID, models.NewSignature{Kind: models.KindIndividual, Display: models.DisplayCounted,
		Name: "Hidden", Country: "AZ", Email: "hidden@example.org"}, modeltest.Mail); err != nil {
		t.Fatal(err)
	}
	l = reload(t, s, l.Slug)

	days, err := s.SignaturesByDay(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 2 || !days[0].Day.Equal(time.Date(2024, 11, 9, 0, 0, 0, 0, time.UTC)) || days[0].Count != 10 ||
		!days[1].Day.Equal(time.Date(2024, 11, 11, 0, 0, 0, 0, time.UTC)) || days[1].Count != 13 {
		t.Errorf("by day: %+v, want 10 on November 9 and 13 (the counted-only signer too) on November 11", days)
	}

	countries, err := s.CountryCounts(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, c := range countries {
		total += c.Count
	}
	if total != 22 || countries[0] != (models.CountryCount{Country: "GE", Count: 4}) ||
		countries[1] != (models.CountryCount{Country: "CZ", Count: 3}) {
		t.Errorf("by country: %+v, want Georgia 4, Czechia 3 first and 22 in all (the counted-only signer left out)", countries)
	}
	for _, c := range countries {
		if c.Country == "AZ" && c.Count != 2 {
			t.Errorf("Azerbaijan counts %d, want the two Yunuses only", c.Count)
		}
	}
}

// oracleCounts groups a letter's signatures as the charts and the letter's
// JSON did before its counts were kept (kept here as the reference only):
// "dimension:key" → count, for each dimension of letter_counts.
func oracleCounts(t *testing.T, db *sql.DB, dialect models.Dialect, letterID int64) map[string]int64 {
	t.Helper()
	day := map[models.Dialect]string{models.SQLite: "date(created_at)", models.Postgres: "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"}[dialect]
	source := "CASE WHEN offline_source <> '' THEN 'offline:' || offline_source WHEN email_key LIKE 'import:%' THEN 'import' ELSE 'form' END"
	where := fmt.Sprintf("letter_id = %d AND status = 'listed'", letterID)
	return scanCounts(t, db, fmt.Sprintf(`
		SELECT 'country', country, COUNT(*) FROM signatures WHERE %[1]s AND display <> 'counted' GROUP BY country
		UNION ALL SELECT 'day', %[2]s, COUNT(*) FROM signatures WHERE %[1]s GROUP BY %[2]s
		UNION ALL SELECT 'kind', kind, COUNT(*) FROM signatures WHERE %[1]s GROUP BY kind
		UNION ALL SELECT 'source', %[3]s, COUNT(*) FROM signatures WHERE %[1]s GROUP BY %[3]s`, where, day, source))
}

// scanCounts reads rows of (dimension, key, count) as oracleCounts returns them.
func scanCounts(t *testing.T, db *sql.DB, query string) map[string]int64 {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var dimension, key string
		var n int64
		if err := rows.Scan(&dimension, &key, &n); err != nil {
			t.Fatal(err)
		}
		out[dimension+":"+key] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// keptCounts reads a letter's counts as its public reads give them
// (CountryCounts, SignaturesByDay, checking their order), and its counts
// by kind and source as stored, in oracleCounts' form.
func keptCounts(t *testing.T, s *models.Store, db *sql.DB, l *models.Letter) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	out := scanCounts(t, db, fmt.Sprintf(
		"SELECT dimension, key, n FROM letter_counts WHERE letter_id = %d AND dimension IN ('kind', 'source') AND n > 0", l.ID))
	countries, err := s.CountryCounts(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range countries {
		if i > 0 && (c.Count > countries[i-1].Count || c.Count == countries[i-1].Count && c.Country < countries[i-1].Country) {
			t.Errorf("countries out of order: %+v", countries)
		}
		out["country:"+c.Country] = c.Count
	}
	days, err := s.SignaturesByDay(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range days {
		if i > 0 && !d.Day.After(days[i-1].Day) {
			t.Errorf("days out of order: %+v", days)
		}
		out["day:"+d.Day.Format(time.DateOnly)] = d.Count
	}
	return out
}

// Whatever happens to a letter's signatures (signed, confirmed, reviewed,
// imported online, on paper or at events, filled in bulk, hidden or shown,
// withdrawn, removed, erased unconfirmed), the counts its charts and JSON
// read equal what grouping its listed signatures gives, after every step
// of a random mix of them.
func TestKeptCountsEqualGroupingTheSignaturesWhateverHappens(t *testing.T) {
	s, dsn := modeltest.OpenDSN(t)
	db := modeltest.RawDB(t, dsn)
	changeAtRandom(t, s, 300, func(l *models.Letter, step int, op string) {
		want, got := oracleCounts(t, db, s.Dialect(), l.ID), keptCounts(t, s, db, l)
		if !maps.Equal(got, want) {
			t.Fatalf("after step %d (%s), the counts kept are %v, grouping the signatures gives %v", step, op, got, want)
		}
	})
}

// changeAtRandom opens a letter and makes steps random changes to its
// signatures (signed, confirmed and perhaps verified by domain, reviewed,
// imported online, on paper or at events, filled in bulk, hidden or
// shown, resorted, withdrawn, removed, verified by hand, merged, erased
// unconfirmed, and the letter's settings), calling check with the letter
// after each step.
func changeAtRandom(t *testing.T, s *models.Store, steps int, check func(l *models.Letter, step int, op string)) {
	ctx := context.Background()
	u, l := openLetter(t, s)
	// A partner whose signers write from the fixture's domain: its
	// organisation's signatures are listed without review once confirmed.
	if _, err := s.AddPartner(ctx, l.OrganisationID, models.PartnerInput{Name: "Organisation", Domains: "example.org"}); err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 15))
	now := time.Date(2024, 11, 9, 20, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	countries := []string{"AZ", "GE", "CZ", "FR", "US"}
	names := []string{"Aliyev", "Brown", "Brown", "Browne", "Mammadova", "Zeynalov", "Ísmayılov", "de la Cruz"}
	name := func(n int) string { return names[rnd.IntN(len(names))] + " " + strconv.Itoa(n) }
	displays := []models.Display{models.DisplayFull, models.DisplayAnonymous, models.DisplayCounted}
	offline := []string{"", models.OfflinePaper, "Climate March", "Прага, 17 ноября"} // imported online, on paper, at events
	kinds := []models.SignatureKind{models.KindIndividual, models.KindOrganisation}
	var confirmTokens, manageTokens []string
	pick := func(tokens []string) string {
		if len(tokens) == 0 {
			return "none"
		}
		return tokens[rnd.IntN(len(tokens))]
	}
	anyone := func() (int64, error) {
		page, _, err := s.CoordinatorSignatures(ctx, l, 0, 20)
		if err != nil || len(page) == 0 {
			return 0, err
		}
		return page[rnd.IntN(len(page))].ID, nil
	}
	entry := func(sig *models.Signature) string { return listEntry(sig) }
	n := 0
	for step := range steps {
		now = now.Add(time.Duration(rnd.IntN(6*60)) * time.Minute)
		var op string
		var err error
		switch r := rnd.IntN(100); {
		case r < 35:
			op, n = "sign", n+1
			email := modeltest.SignerEmail(n)
			if rnd.IntN(10) == 0 {
				email = modeltest.SignerEmail(rnd.IntN(n)) // signing again
			}
			affiliation := "Organisation " + strconv.Itoa(n)
			if rnd.IntN(3) == 0 {
				affiliation = "Organisation" // the partner, or a duplicate of it
			}
			var signed *models.Signed
			signed, err = s.AddSignature(ctx, l.ID, models.NewSignature{Kind: kinds[rnd.IntN(2)], Name: name(n),
				Affiliation: affiliation, Country: countries[rnd.IntN(len(countries))], Email: email,
				Display: displays[rnd.IntN(3)]}, modeltest.Mail)
			if err == nil {
				manageTokens = append(manageTokens, signed.ManageToken)
				confirmTokens = append(confirmTokens, signed.ConfirmToken)
			}
		case r < 52:
			op = "confirm"
			_, _, err = s.Confirm(ctx, pick(confirmTokens))
		case r < 58:
			op = "withdraw"
			_, err = s.Withdraw(ctx, pick(manageTokens))
		case r < 65:
			op = "display"
			err = s.SetDisplay(ctx, pick(manageTokens), displays[rnd.IntN(3)], entry)
		case r < 71:
			op = "moderate"
			var queue []models.Signature
			if queue, _, err = s.ReviewQueue(ctx, l, models.ReviewFilter{}, 0, 5); err == nil {
				ids := make([]int64, 0, len(queue))
				for _, sig := range queue {
					ids = append(ids, sig.ID)
				}
				_, err = s.Moderate(ctx, l, u.ID, ids, rnd.IntN(3) > 0, entry)
			}
		case r < 76:
			op = "remove"
			var id int64
			if id, err = anyone(); err == nil && id != 0 {
				err = s.RemoveSignature(ctx, l, u.ID, id, entry, "fake")
			}
		case r < 81:
			op = "sort name"
			var id int64
			if id, err = anyone(); err == nil && id != 0 {
				err = s.SetSortName(ctx, l, u.ID, id, entry, names[rnd.IntN(len(names))])
			}
		case r < 86:
			op = "import"
			kind := kinds[rnd.IntN(2)]
			src := "name,affiliation,country\n"
			for range 1 + rnd.IntN(6) {
				n++
				src += fmt.Sprintf("%s,Organisation %d,%s\n", name(n), n, countries[rnd.IntN(len(countries))])
			}
			var rows []models.ImportRow
			if rows, err = models.ParseImport(models.ImportCSV, src, kind); err == nil {
				_, err = s.ImportSignatures(ctx, l, u.ID, kind, displays[rnd.IntN(3)], offline[rnd.IntN(len(offline))], rows)
			}
		case r < 91:
			op = "bulk"
			start := n
			n += 8
			_, err = s.AddSignaturesInBatches(ctx, l.ID, 8, 3, func(i int) models.NewSignature {
				return models.NewSignature{Kind: kinds[rnd.IntN(2)], Name: name(start + i), Affiliation: "Organisation",
					Country: countries[rnd.IntN(len(countries))], Email: modeltest.SignerEmail(start + i), Display: displays[rnd.IntN(3)]}
			})
		case r < 93:
			op = "erase"
			now = now.Add(15 * 24 * time.Hour) // past the links' expiry and the week after
			_, err = s.EraseExpired(ctx)
		case r < 95:
			op = "verify"
			var id int64
			if id, err = anyone(); err == nil && id != 0 {
				_, err = s.VerifySignatures(ctx, l, u.ID, []int64{id})
			}
		case r < 97:
			op = "merge"
			var id, into int64
			if id, err = anyone(); err == nil && id != 0 {
				if into, err = anyone(); err == nil {
					err = s.MergeSignature(ctx, l, u.ID, id, into, entry)
				}
			}
		default:
			op = "settings"
			modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) {
				st.ConfirmEmail, st.ReviewIndividuals, st.ReviewOrganisations = rnd.IntN(2) == 0, rnd.IntN(3) == 0, rnd.IntN(2) == 0
			})
		}
		// A rule a step breaks (a link used twice, a signature gone) is
		// an answer, not a failure of the test.
		if err != nil && !errors.Is(err, models.ErrNotFound) && !errors.Is(err, models.ErrAlreadyConfirmed) &&
			!errors.Is(err, models.ErrLinkExpired) && !errors.Is(err, models.ErrAlreadySigned) &&
			!errors.Is(err, models.ErrBulkNeedsNoConfirmation) && !errors.Is(err, models.ErrNotOrganisation) &&
			!errors.Is(err, models.ErrCannotMerge) {
			t.Fatalf("step %d, %s: %v", step, op, err)
		}
		l = reload(t, s, l.Slug)
		check(l, step, op)
	}
}

// The letter's charts and JSON read its counts by country and by day at a
// cost that does not grow with its list: for a letter of 100,000 signatures
// about as fast as for one of 1,000, where grouping the signatures took
// about a hundred times as long. The fastest of many reads is compared,
// which a busy machine slows least.
func TestCountsOfALongListReadAsFastAsOfAShortOne(t *testing.T) {
	if testing.Short() {
		suites.Skip(t, "skipped in -short: fills a letter with 100,000 signatures")
	}
	short, long := fastestCountsRead(t, 1000), fastestCountsRead(t, 100_000)
	if long > 10*short+time.Millisecond {
		t.Errorf("the counts of a letter of 100,000 signatures read in %v, of 1,000 in %v: the read grows with the list", long, short)
	}
}

// fastestCountsRead fills a letter with n signatures and returns the
// fastest of 30 reads of its counts by country and by day.
func fastestCountsRead(t *testing.T, n int) time.Duration {
	ctx := context.Background()
	s := modeltest.Open(t)
	s.SetClock(func() time.Time { return time.Date(2024, 11, 9, 12, 0, 0, 0, time.UTC) }) // one day, whenever the test runs
	l := bigLetter(t, s, n)
	fastest := time.Hour
	for range 30 {
		start := time.Now()
		countries, err := s.CountryCounts(ctx, l)
		if err != nil || len(countries) != 5 {
			t.Fatalf("counts by country: %v, %v", countries, err)
		}
		days, err := s.SignaturesByDay(ctx, l)
		if err != nil || len(days) != 1 || days[0].Count != int64(n) {
			t.Fatalf("counts by day: %v, %v", days, err)
		}
		fastest = min(fastest, time.Since(start))
	}
	t.Logf("%d signatures: %v", n, fastest)
	return fastest
}

// A database upgraded from before the counts were kept gets them from its
// signatures: the migration that adds them counts what was listed.
func TestCountsMigrationCountsTheSignaturesAlreadyThere(t *testing.T) {
	ctx := context.Background()
	s, dsn := modeltest.OpenDSN(t)
	u, l := openLetter(t, s) // asks for confirmation: the first signatures wait for it, uncounted
	day := time.Date(2024, 11, 9, 23, 30, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return day })
	for i, sig := range modeltest.AzerbaijanSignatories[:5] {
		sig.Sign(t, s, l.ID, i)
	}
	modeltest.ListAtOnce(t, s, l)
	day = day.Add(time.Hour) // November 10
	for i, sig := range modeltest.AzerbaijanSignatories[5:] {
		sig.Sign(t, s, l.ID, 5+i)
	}
	rows, err := models.ParseImport(models.ImportCSV, "name,affiliation,country\nKRIK,KRIK,RS\nCAD,CAD,CL\n", models.KindOrganisation)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportSignatures(ctx, l, u.ID, models.KindOrganisation, models.DisplayCounted, "", rows); err != nil {
		t.Fatal(err)
	}
	s, raw := migrateAgain(t, s, dsn, "DROP TABLE letter_counts", "DELETE FROM schema_migrations WHERE version LIKE '%_letter_counts'")
	want, got := oracleCounts(t, raw, s.Dialect(), l.ID), keptCounts(t, s, raw, l)
	if !maps.Equal(got, want) || want["day:2024-11-10"] != 19 || want["source:import"] != 2 {
		t.Errorf("after the migration, the counts kept are %v, grouping the signatures gives %v", got, want)
	}
}
