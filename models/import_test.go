package models_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// seedRows is what seed 003's printed list parses to, line by line. Carl
// Gershman's "formerly NED" is kept as the affiliation: a parser cannot tell
// a role from an organisation, and the entry reads as the seed did.
var seedRows = []models.ImportRow{
	{Name: "Igor Blazevic", Affiliation: "Prague Civil Society Centre", Country: "CZ"},
	{Name: "Andreas Bummel", Affiliation: "Democracy Without Borders", Country: "FR"},
	{Name: "Ketevan Chachava", Affiliation: "Center for Development and Democracy", Country: "GE"},
	{Name: "Javier El-Hage", Affiliation: "Human Rights Foundation", Country: "BO", Country2: "US"},
	{Name: "Stevan Dojcinovic", Affiliation: "KRIK", Country: "RS"},
	{Name: "Carl Gershman", Affiliation: "formerly NED", Country: "US"},
	{Name: "Sascha Hannig", Affiliation: "CAD", Country: "CL"},
	{Name: "Maiko Ichihara", Affiliation: "Hitotsubashi University", Country: "JP"},
	{Name: "Vladimir Kara-Murza", Affiliation: "Free Russia Foundation", Country: "RU"},
	{Name: "Tinatin Khidasheli", Affiliation: "Civic IDEA", Country: "GE"},
	{Name: "Jakub Klepal", Affiliation: "Forum 2000", Country: "CZ"},
	{Name: "Jessica Ludwig", Affiliation: "George W. Bush Institute", Country: "US"},
	{Name: "Nyaradzo Mashayamombe", Country: "ZW"},
	{Name: "Constanza Mazzina", Affiliation: "Cescos", Country: "AR"},
	{Name: "Ucha Nanuashvili", Affiliation: "Democracy Research Center (DRC)", Country: "GE"},
	{Name: "Andrea Ngombet", Affiliation: "Sassoufit collective", Country: "CG"},
	{Name: "Baia Pataraia", Affiliation: "Sapari", Country: "GE"},
	{Name: "Pavel Pšeja", Affiliation: "CEVRO University", Country: "CZ"},
	{Name: "Niranjan Sahoo", Affiliation: "Observer Research Foundation", Country: "IN"},
	{Name: "Nicolas Tenzer", Affiliation: "CERAP", Country: "FR"},
	{Name: "Leyla Yunus", Affiliation: "Institute for Peace and Democracy", Country: "AZ", Country2: "NL"},
	{Name: "Arif Yunus", Affiliation: "Institute for Peace and Democracy", Country: "AZ", Country2: "NL"},
}

// parsed drops what the comparison of a row does not look at.
func parsed(r models.ImportRow) models.ImportRow {
	r.Line, r.Source = 0, ""
	return r
}

func TestEverySeedLineParses(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(modeltest.AzerbaijanListText), "\n")
	if len(lines) != len(seedRows) {
		t.Fatalf("the fixture has %d lines, the table %d", len(lines), len(seedRows))
	}
	for i, line := range lines {
		t.Run(line, func(t *testing.T) {
			rows, err := models.ParseImport(models.ImportLines, line, models.KindIndividual)
			if err != nil || len(rows) != 1 {
				t.Fatalf("rows %v, error %v", rows, err)
			}
			if got := parsed(rows[0]); got != seedRows[i] {
				t.Errorf("parsed as %+v, want %+v", got, seedRows[i])
			}
		})
	}
	rows, err := models.ParseImport(models.ImportLines, modeltest.AzerbaijanListText, models.KindIndividual)
	if err != nil || len(rows) != 22 || rows[21].Line != 22 || rows[0].Source != "Igor Blazevic, Prague Civil Society Centre, Czechia" {
		t.Fatalf("the whole list: %d rows, error %v, first %+v", len(rows), err, rows[0])
	}
}

func TestCountriesAreFoundByTheirManyNames(t *testing.T) {
	tests := map[string]string{
		"USA": "US", "US": "US", "U.S.A.": "US", "United States of America": "US", "united states": "US", "usa": "US",
		"UK": "GB", "Great Britain": "GB", "GBR": "GB", "United Kingdom": "GB",
		"Russia": "RU", "Russian Federation": "RU", "RUS": "RU",
		"Czech Republic": "CZ", "Czechia": "CZ", "CZE": "CZ",
		"Republic of Congo": "CG", "Congo-Brazzaville": "CG", "Republic of the Congo": "CG",
		"DRC": "CD", "Democratic Republic of the Congo": "CD", "DR Congo": "CD",
		"Ivory Coast": "CI", "Côte d'Ivoire": "CI", "Cote d’Ivoire": "CI", "CÔTE D'IVOIRE": "CI",
		"South Korea": "KR", "Republic of Korea": "KR", "North Korea": "KP", "DPRK": "KP",
		"Iran": "IR", "Syria": "SY", "Vietnam": "VN", "Viet Nam": "VN", "Laos": "LA", "Lao PDR": "LA",
		"Moldova": "MD", "Tanzania": "TZ", "Bolivia": "BO", "Venezuela": "VE",
		"Türkiye": "TR", "Turkiye": "TR", "Turkey": "TR",
		"Holland": "NL", "The Netherlands": "NL", "the netherlands": "NL", "Netherlands": "NL", "NLD": "NL",
		"Burma": "MM", "Myanmar": "MM", "Macedonia": "MK", "North Macedonia": "MK",
		"Palestine": "PS", "State of Palestine": "PS", "Taiwan": "TW", "Kosovo": "XK", "XK": "XK",
		"eSwatini": "SZ", "Eswatini": "SZ", "Swaziland": "SZ", "Cabo Verde": "CV", "Cape Verde": "CV",
		"Timor-Leste": "TL", "Timor Leste": "TL", "East Timor": "TL",
		"Åland Islands": "AX", "Aland Islands": "AX", "São Tomé and Príncipe": "ST", "Sao Tome and Principe": "ST",
		"St Kitts and Nevis": "KN", "St. Lucia": "LC", "Bosnia & Herzegovina": "BA", "The Gambia": "GM",
		"Zimbabwe": "ZW", "ZWE": "ZW", "zw": "ZW", "  India ": "IN",
	}
	for name, want := range tests {
		if got, ok := models.LookupCountry(name); !ok || got != want {
			t.Errorf("LookupCountry(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	for _, name := range []string{"Narnia", "", "Korea", "Europe", "U", "USSR", "Czechoslovakia"} {
		if code, ok := models.LookupCountry(name); ok {
			t.Errorf("LookupCountry(%q) = %q, want no country", name, code)
		}
	}
	// Every country on the signing form is found by its own name and code.
	for _, c := range models.Countries() {
		if got, ok := models.LookupCountry(c.Name); !ok || got != c.Code {
			t.Errorf("LookupCountry(%q) = %q, want %s", c.Name, got, c.Code)
		}
		if got, ok := models.LookupCountry(c.Code); !ok || got != c.Code {
			t.Errorf("LookupCountry(%q) = %q", c.Code, got)
		}
	}
}

// A coalition's list names countries in the language it was collected in:
// each language of the interface is read, as are English and ISO codes,
// whatever the case and accents.
func TestImportReadsCountriesInTheInterfaceLanguages(t *testing.T) {
	langs := []string{"en", "fr", "es", "ru", "ar"}
	src := "Anna Novak, Allemagne\nIvan Petrov, Германия\nسلمى إبراهيم، ألمانيا\nJuan Pérez, ALEMANIA\nLéa Martin, Côte d’Ivoire/Égypte\nOmar, Civic, مصر\n"
	rows, err := models.ParseImport(models.ImportLines, src, models.KindIndividual, langs...)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"DE", ""}, {"DE", ""}, {"DE", ""}, {"DE", ""}, {"CI", "EG"}, {"EG", ""}}
	for i, r := range rows {
		if r.Problem != nil || r.Country != want[i][0] || r.Country2 != want[i][1] {
			t.Errorf("line %d %q: %s/%s, problem %+v; want %s/%s", r.Line, r.Source, r.Country, r.Country2, r.Problem, want[i][0], want[i][1])
		}
	}
	for _, lang := range langs[1:] {
		for _, c := range models.CountriesIn(lang) {
			if got, ok := models.LookupCountry(c.Name, langs...); !ok || got != c.Code {
				t.Errorf("LookupCountry(%q) = %q, want %s (%s)", c.Name, got, c.Code, lang)
			}
		}
	}
	if code, ok := models.LookupCountry("Allemagne"); ok {
		t.Errorf("a French name found without French: %s", code)
	}
}

func TestImportLinesSayWhyTheyCannotBeImported(t *testing.T) {
	tests := []struct {
		line    string
		kind    models.SignatureKind
		want    models.ImportRow
		problem *models.Invalid
	}{
		{line: "Anna Novak, Civic IDEA, Narnia", problem: &models.Invalid{Field: "country", Code: models.ProblemUnknownCountry, Params: map[string]any{"country": "Narnia"}}},
		{line: "Anna Novak", problem: &models.Invalid{Field: "country", Code: "required"}},
		{line: "Anna Novak, Civic IDEA,", problem: &models.Invalid{Field: "country", Code: "required"}},
		{line: ", Civic IDEA, Georgia", problem: &models.Invalid{Field: "name", Code: "required"}},
		{line: ", Georgia", kind: models.KindOrganisation, problem: &models.Invalid{Field: "affiliation", Code: "required"}},
		{line: "Anna Novak, Georgia/Narnia", problem: &models.Invalid{Field: "country", Code: models.ProblemUnknownCountry, Params: map[string]any{"country": "Narnia"}}},
		{line: "Anna Novak, France/Germany/Italy", problem: &models.Invalid{Field: "country", Code: models.ProblemTooManyCountries}},
		{line: "Anna Novak, USA/United States", problem: &models.Invalid{Field: "country2", Code: "same_country"}},
		{line: strings.Repeat("a", 201) + ", France", problem: &models.Invalid{Field: "name", Code: "too_long", Params: map[string]any{"max": 200}}},
		{line: "Anna Novak, " + strings.Repeat("a", 201) + ", France", problem: &models.Invalid{Field: "affiliation", Code: "too_long", Params: map[string]any{"max": 200}}},
		{line: "Anna\x00Novak, France", problem: &models.Invalid{Field: "name", Code: "plain_text"}},
		{line: "Anna \xff Novak, France", problem: &models.Invalid{Field: "name", Code: "plain_text"}},
		{line: "Anna\u202eNovak, France", problem: &models.Invalid{Field: "name", Code: "invisible", Params: map[string]any{"char": "U+202E"}}},
		// Read as written: list markers go, several middle parts stay one affiliation.
		{line: "1. Anna Novak, Director, Civic IDEA, Georgia", want: models.ImportRow{Name: "Anna Novak", Affiliation: "Director, Civic IDEA", Country: "GE"}},
		{line: "• Ahmed Saleh، مركز القاهرة، Egypt", want: models.ImportRow{Name: "Ahmed Saleh", Affiliation: "مركز القاهرة", Country: "EG"}},
		{line: "Pavel Ps\u030ceja, CEVRO, CZE", want: models.ImportRow{Name: "Pavel Pšeja", Affiliation: "CEVRO", Country: "CZ"}},
		{line: "Ana Silva, Kralendijk Museum, Bonaire, Sint Eustatius and Saba", want: models.ImportRow{Name: "Ana Silva", Affiliation: "Kralendijk Museum", Country: "BQ"}},
		{line: "Human Rights Foundation, Bolivia/USA", kind: models.KindOrganisation, want: models.ImportRow{Affiliation: "Human Rights Foundation", Country: "BO", Country2: "US"}},
		{line: "Centre for Peace, Justice and Reconciliation, Kenya", kind: models.KindOrganisation, want: models.ImportRow{Affiliation: "Centre for Peace, Justice and Reconciliation", Country: "KE"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			kind := tt.kind
			if kind == "" {
				kind = models.KindIndividual
			}
			rows, err := models.ParseImport(models.ImportLines, tt.line, kind)
			if err != nil || len(rows) != 1 {
				t.Fatalf("rows %v, error %v", rows, err)
			}
			got := rows[0]
			if !reflect.DeepEqual(got.Problem, tt.problem) {
				t.Fatalf("problem %+v, want %+v", got.Problem, tt.problem)
			}
			if tt.problem == nil && parsed(got) != tt.want {
				t.Errorf("parsed as %+v, want %+v", parsed(got), tt.want)
			}
		})
	}
}

func TestImportSourcesAsAWhole(t *testing.T) {
	tests := []struct {
		name   string
		format models.ImportFormat
		src    string
		err    error
		rows   int
	}{
		{"empty", models.ImportLines, "\n  \n", models.ErrImportEmpty, 0},
		{"too many rows", models.ImportLines, strings.Repeat("A B, France\n", models.ImportMaxRows+1), models.ErrImportTooLarge, 0},
		{"too many bytes", models.ImportLines, strings.Repeat("x", models.ImportMaxBytes+1), models.ErrImportTooLarge, 0},
		{"as many rows as allowed", models.ImportLines, strings.Repeat("A B, France\n", models.ImportMaxRows), nil, models.ImportMaxRows},
		{"CSV without header", models.ImportCSV, "Anna Novak,Civic IDEA,Georgia\n", models.ErrImportHeader, 0},
		{"CSV header only", models.ImportCSV, "name,country\n", models.ErrImportEmpty, 0},
		{"CSV", models.ImportCSV, "\ufeffName,Affiliation,Role,Country,Country2\r\nJavier El-Hage,Human Rights Foundation,,Bolivia,USA\r\n\"Gershman, Carl\",NED,formerly,US,\r\n,,,,\r\n", nil, 2},
		{"CSV with semicolons", models.ImportCSV, "name;country;email\nAnna Novak;Bolivia/USA;a@example.org\n", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := models.ParseImport(tt.format, tt.src, models.KindIndividual)
			if !errors.Is(err, tt.err) || len(rows) != tt.rows {
				t.Fatalf("%d rows, error %v; want %d, %v", len(rows), err, tt.rows, tt.err)
			}
		})
	}
	rows, _ := models.ParseImport(models.ImportCSV, "name,affiliation,role,country,country2\nJavier El-Hage,Human Rights Foundation,,Bolivia,USA\nCarl Gershman,NED,formerly,Bolivia/USA,Chile\nA,\"unclosed,France\n", models.KindIndividual)
	want := []models.ImportRow{
		{Line: 2, Name: "Javier El-Hage", Affiliation: "Human Rights Foundation", Country: "BO", Country2: "US"},
		{Line: 3, Name: "Carl Gershman", Affiliation: "NED", Role: "formerly", Problem: &models.Invalid{Field: "country", Code: models.ProblemTooManyCountries}},
		{Line: 4, Problem: &models.Invalid{Code: models.ProblemBadRecord}},
	}
	if len(rows) != len(want) {
		t.Fatalf("CSV rows %+v", rows)
	}
	for i := range want {
		got := rows[i]
		got.Source = ""
		if got.Problem != nil {
			got.Country, got.Country2 = "", ""
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("CSV row %d: %+v, want %+v", i, got, want[i])
		}
	}
}

func TestImportAddsAllOrNothingInOrder(t *testing.T) {
	s := modeltest.Open(t)
	ctx := context.Background()
	u, l := openLetter(t, s) // confirmation by email and review of organisations, as a new letter has
	modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) { st.ListOrder = models.OrderSigned })
	modeltest.AzerbaijanSignatories[1].Sign(t, s, l.ID, 1) // Andreas Bummel signed online already, unconfirmed

	// One bad line stops the whole import.
	bad, _ := models.ParseImport(models.ImportLines, modeltest.AzerbaijanListText+"Anna Novak, Narnia\n", models.KindIndividual)
	if _, err := s.ImportSignatures(ctx, l, u.ID, models.KindIndividual, models.DisplayFull, "", bad); !errors.Is(err, models.ErrImportInvalid) {
		t.Fatalf("import with a bad line: %v", err)
	}
	if counts, _ := s.StatusCounts(ctx, l.ID); counts[models.StatusListed] != 0 {
		t.Fatalf("a refused import listed %d", counts[models.StatusListed])
	}

	rows, err := models.ParseImport(models.ImportLines, modeltest.AzerbaijanListText+"Igor Blažević, Prague Civil Society Centre, CZ\n", models.KindIndividual)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkImportDuplicates(ctx, l, models.KindIndividual, rows); err != nil {
		t.Fatal(err)
	}
	if !rows[1].Duplicate || !rows[22].Duplicate || rows[0].Duplicate {
		t.Fatalf("duplicates not flagged: Bummel %v, second Blazevic %v, first %v", rows[1].Duplicate, rows[22].Duplicate, rows[0].Duplicate)
	}
	res, err := s.ImportSignatures(ctx, l, u.ID, models.KindIndividual, models.DisplayFull, "", rows)
	if err != nil || res != (models.ImportResult{Added: 21, Skipped: 2}) {
		t.Fatalf("import: %+v, %v", res, err)
	}
	l, err = s.PublicLetter(ctx, l.Slug)
	if err != nil || l.IndividualCount != 21 {
		t.Fatalf("count after the import: %d (%v)", l.IndividualCount, err)
	}
	list, err := s.Signatories(ctx, l, 0, 100)
	if err != nil || len(list) != 21 {
		t.Fatalf("list: %d, %v", len(list), err)
	}
	var names []string
	for _, sig := range list {
		names = append(names, sig.Name)
	}
	var want []string
	for i, r := range seedRows {
		if i != 1 {
			want = append(want, r.Name)
		}
	}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("list in signing order:\n%v\nwant\n%v", names, want)
	}
	if got := list[2].Entry("en", "Anonymous"); got != "Javier El-Hage, Human Rights Foundation, Bolivia/United States" {
		t.Errorf("El-Hage reads %q", got)
	}
	audit, _ := s.AuditLog(ctx, l, 10)
	if len(audit) != 1 || audit[0].Action != models.AuditImport || audit[0].Detail != "21" || audit[0].UserName != u.Name {
		t.Errorf("audit log %+v", audit)
	}

	// Importing the same list again adds no one.
	again, _ := models.ParseImport(models.ImportLines, modeltest.AzerbaijanListText, models.KindIndividual)
	if res, err := s.ImportSignatures(ctx, l, u.ID, models.KindIndividual, models.DisplayFull, "", again); err != nil || res.Added != 0 || res.Skipped != 22 {
		t.Errorf("second import: %+v, %v", res, err)
	}

	// Organisations only where the letter takes them; nothing once it is closed.
	orgs, _ := models.ParseImport(models.ImportLines, "Civic IDEA, Georgia", models.KindOrganisation)
	modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) { st.Signers = models.SignersIndividuals })
	if _, err := s.ImportSignatures(ctx, l, u.ID, models.KindOrganisation, models.DisplayFull, "", orgs); !errors.Is(err, models.ErrKindNotAllowed) {
		t.Errorf("organisations on an individuals-only letter: %v", err)
	}
	if err := s.SetLetterState(ctx, l, models.StateClosed); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportSignatures(ctx, l, u.ID, models.KindIndividual, models.DisplayFull, "", bad[:1]); !errors.Is(err, models.ErrLetterClosed) {
		t.Errorf("import into a closed letter: %v", err)
	}
}

// Signatures gathered on paper or at an event are counted apart by source,
// listed as their display says, found by the coordinators' filter, and
// leave their source's count when removed.
func TestOfflineSignaturesAreCountedBySourceAndLeaveTheCountWhenRemoved(t *testing.T) {
	s := modeltest.Open(t)
	u, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	sign(t, s, l, person("Online Signer", "CZ", "online@example.org"))
	ctx := context.Background()
	for _, from := range []struct {
		display        models.Display
		offline, lines string
	}{
		{models.DisplayFull, "", "Emailed Signer, CZ\n"},
		{models.DisplayFull, models.OfflinePaper, "Paper One, Forum 2000, CZ\nPaper Two, FR\nPaper Three, GE\n"},
		{models.DisplayAnonymous, "Climate March", "March One, AZ\nMarch Two, AZ\n"},
	} {
		rows, err := models.ParseImport(models.ImportLines, from.lines, models.KindIndividual)
		if err == nil {
			_, err = s.ImportSignatures(ctx, l, u.ID, models.KindIndividual, from.display, from.offline, rows)
		}
		if err != nil {
			t.Fatalf("import from %q: %v", from.offline, err)
		}
	}
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
