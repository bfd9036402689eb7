package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// addPartner adds a partner to a directory, failing the test on refusal.
func addPartner(t *testing.T, s *models.Store, org int64, in models.PartnerInput) *models.Partner {
	t.Helper()
	p, err := s.AddPartner(context.Background(), org, in)
	if err != nil {
		t.Fatalf("add partner %s: %v", in.Name, err)
	}
	return p
}

// directorySize counts the partners of a directory.
func directorySize(t *testing.T, s *models.Store, org int64) int64 {
	t.Helper()
	_, total, err := s.Partners(context.Background(), org, models.PartnerFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// A directory holds an organisation once: by its name however written,
// and by its email domains, whatever the name. The refusal names the
// partner already there, so that the coordinator can open it.
func TestPartnerDuplicatesAreCaughtByNameAndDomain(t *testing.T) {
	s := modeltest.Open(t)
	ctx := context.Background()
	_, org := modeltest.Coordinator(t, s, "c@icdr.example", "ICDR")
	_, other := modeltest.Coordinator(t, s, "c@civicus.example", "CIVICUS")
	forum := addPartner(t, s, org, models.PartnerInput{Name: "Forum 2000 Foundation", Countries: "CZ", Domains: "forum2000.cz\n@Forum2000.org"})

	tests := []struct {
		name   string
		in     models.PartnerInput
		domain string // the domain named, or "" for the name
	}{
		{"same name in capitals and with a hyphen", models.PartnerInput{Name: " FORUM-2000 foundation "}, ""},
		{"same name with accents", models.PartnerInput{Name: "Förum 2000 Foundation"}, ""},
		{"another name, a domain of the partner", models.PartnerInput{Name: "Nadace Forum 2000", Domains: "FORUM2000.org"}, "forum2000.org"},
		{"another name, an address at the domain", models.PartnerInput{Name: "Forum Prague", Domains: "info@forum2000.cz"}, "forum2000.cz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.AddPartner(ctx, org, tt.in)
			var dup *models.DuplicatePartnerError
			if !errors.As(err, &dup) || !errors.Is(err, models.ErrDuplicatePartner) {
				t.Fatalf("err = %v, want a DuplicatePartnerError", err)
			}
			if dup.Existing.ID != forum.ID || dup.Existing.Name != "Forum 2000 Foundation" || dup.Domain != tt.domain {
				t.Errorf("names %+v (domain %q), want Forum 2000 Foundation (domain %q)", dup.Existing, dup.Domain, tt.domain)
			}
		})
	}
	if n := directorySize(t, s, org); n != 1 {
		t.Errorf("the directory has %d partners after refusals, want 1", n)
	}
	// Another organisation's directory is its own.
	addPartner(t, s, other, models.PartnerInput{Name: "Forum 2000 Foundation", Domains: "forum2000.cz"})
	// A partner comes with its first contacts, or not at all.
	krik, err := s.AddPartner(ctx, org, models.PartnerInput{Name: "KRIK"}, models.PartnerContact{Name: "Stevan", Email: "Stevan@krik.rs"})
	if err != nil || len(krik.Contacts) != 1 || krik.Contacts[0].PartnerID != krik.ID || krik.Contacts[0].Email != "stevan@krik.rs" {
		t.Fatalf("with a contact: %+v, %v", krik, err)
	}
	for _, contacts := range [][]models.PartnerContact{
		{{Name: "No address"}},
		{{Name: "Desk", Email: "desk@civicidea.ge"}, {Name: "Desk again", Email: "DESK@civicidea.ge"}},
	} {
		if _, err := s.AddPartner(ctx, org, models.PartnerInput{Name: "Civic IDEA"}, contacts...); !errors.Is(err, models.ErrInvalidPartner) {
			t.Errorf("with contacts %+v: err = %v, want ErrInvalidPartner", contacts, err)
		}
	}
	if n := directorySize(t, s, org); n != 2 {
		t.Errorf("the directory has %d partners, want 2", n)
	}
	// Refused input is refused whoever calls.
	if _, err := s.AddPartner(ctx, org, models.PartnerInput{Name: "Civic IDEA", Countries: "Narnia"}); !errors.Is(err, models.ErrInvalidPartner) {
		t.Errorf("a partner in Narnia: err = %v, want ErrInvalidPartner", err)
	}
}

func TestPartnerInputIsReadAsTyped(t *testing.T) {
	in, invalid := models.PartnerInput{Name: "  KRIK ", Countries: "Serbia; FR\nAllemagne, Czech Republic;RS", Domains: "Info@KRIK.rs; krik.rs\n@krik.org",
		Tags: "media; investigative\nmedia", Website: " https://www.krik.rs "}.Check("fr")
	if len(invalid) > 0 {
		t.Fatalf("refused: %+v", invalid)
	}
	want := models.PartnerInput{Name: "KRIK", Countries: "RS\nFR\nDE\nCZ", Domains: "krik.rs\nkrik.org", Tags: "media\ninvestigative", Website: "https://www.krik.rs"}
	if in != want {
		t.Errorf("read as %+v, want %+v", in, want)
	}
	for _, tt := range []struct {
		in          models.PartnerInput
		field, code string
	}{
		{models.PartnerInput{}, "name", "required"},
		{models.PartnerInput{Name: "KRIK", Countries: "Serbia; Narnia"}, "countries", models.ProblemUnknownCountry},
		{models.PartnerInput{Name: "KRIK", Domains: "krik"}, "domains", models.ProblemBadDomain},
		{models.PartnerInput{Name: "KRIK", Domains: "krik rs.org"}, "domains", models.ProblemBadDomain},
		{models.PartnerInput{Name: "KRIK", Website: "krik"}, "website", "http_url"},
		{models.PartnerInput{Name: "KRIK", Website: "javascript:alert(1)"}, "website", "http_url"},
	} {
		if _, invalid := tt.in.Check(); len(invalid) == 0 || invalid[0].Field != tt.field || invalid[0].Code != tt.code {
			t.Errorf("%+v: %+v, want %s %s", tt.in, invalid, tt.field, tt.code)
		}
	}
}

func TestUpdatePartner(t *testing.T) {
	s := modeltest.Open(t)
	ctx := context.Background()
	_, org := modeltest.Coordinator(t, s, "c@icdr.example", "ICDR")
	_, other := modeltest.Coordinator(t, s, "c@civicus.example", "CIVICUS")
	krik := addPartner(t, s, org, models.PartnerInput{Name: "KRIK", Countries: "RS", Domains: "krik.rs"})
	addPartner(t, s, org, models.PartnerInput{Name: "Civic IDEA", Domains: "civicidea.ge"})

	// Its own name and domain are no duplicate of itself.
	p, err := s.UpdatePartner(ctx, org, krik.ID, models.PartnerInput{Name: "KRIK", Countries: "RS\nME", Domains: "krik.rs\nkrik.org", Tags: "media"})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	got, err := s.Partner(ctx, org, krik.ID)
	if err != nil || got.Countries != "RS\nME" || got.Tags != "media" || len(got.Domains) != 2 || got.Domains[0].Domain != "krik.org" || got.CreatedAt.Unix() != krik.CreatedAt.Unix() {
		t.Fatalf("after update: %+v, %v (returned %+v)", got, err, p)
	}
	for _, in := range []models.PartnerInput{{Name: "civic idea"}, {Name: "KRIK", Domains: "civicidea.ge"}} {
		var dup *models.DuplicatePartnerError
		if _, err := s.UpdatePartner(ctx, org, krik.ID, in); !errors.As(err, &dup) || dup.Existing.Name != "Civic IDEA" {
			t.Errorf("update to %+v: err = %v, want a duplicate of Civic IDEA", in, err)
		}
	}
	// A domain dropped is free for another partner.
	if _, err := s.UpdatePartner(ctx, org, krik.ID, models.PartnerInput{Name: "KRIK", Domains: "krik.rs"}); err != nil {
		t.Fatal(err)
	}
	addPartner(t, s, org, models.PartnerInput{Name: "KRIK Montenegro", Domains: "krik.org"})
	// Another organisation's partner is not found, nor changed, nor deleted.
	if _, err := s.UpdatePartner(ctx, other, krik.ID, models.PartnerInput{Name: "Taken"}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("update from another organisation: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Partner(ctx, other, krik.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("read from another organisation: err = %v, want ErrNotFound", err)
	}
	if err := s.DeletePartner(ctx, other, krik.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("delete from another organisation: err = %v, want ErrNotFound", err)
	}
	if err := s.DeletePartner(ctx, org, krik.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Partner(ctx, org, krik.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a deleted partner: err = %v", err)
	}
	addPartner(t, s, org, models.PartnerInput{Name: "KRIK", Domains: "krik.rs"}) // its domain went with it
}

func TestPartnerContacts(t *testing.T) {
	s := modeltest.Open(t)
	ctx := context.Background()
	_, org := modeltest.Coordinator(t, s, "c@icdr.example", "ICDR")
	_, other := modeltest.Coordinator(t, s, "c@civicus.example", "CIVICUS")
	krik := addPartner(t, s, org, models.PartnerInput{Name: "KRIK"})
	c, err := s.AddPartnerContact(ctx, krik.ID, models.PartnerContact{Name: " Stevan Dojčinović ", Role: "Editor", Email: " Stevan@KRIK.rs", Lang: "fr"})
	if err != nil || c.Email != "stevan@krik.rs" || c.Name != "Stevan Dojčinović" {
		t.Fatalf("add contact: %+v, %v", c, err)
	}
	for _, tt := range []struct {
		c    models.PartnerContact
		want error
	}{
		{models.PartnerContact{Email: "desk@krik.rs"}, models.ErrInvalidPartner},
		{models.PartnerContact{Name: "Desk", Email: "krik.rs"}, models.ErrInvalidPartner},
		{models.PartnerContact{Name: "Desk", Email: "desk@krik.rs", Lang: "not a language!"}, models.ErrInvalidPartner},
		{models.PartnerContact{Name: "Stevan again", Email: "STEVAN@krik.rs"}, models.ErrDuplicateContact},
	} {
		if _, err := s.AddPartnerContact(ctx, krik.ID, tt.c); !errors.Is(err, tt.want) {
			t.Errorf("%+v: err = %v, want %v", tt.c, err, tt.want)
		}
	}
	if _, invalid := (models.PartnerContact{Name: "Desk", Email: "desk@krik.rs", Lang: "de"}).Check("en", "fr"); len(invalid) != 1 || invalid[0].Code != models.ProblemBadLang {
		t.Errorf("a language the interface lacks: %+v", invalid)
	}
	if err := s.RemovePartnerContact(ctx, other, krik.ID, c.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("removed from another organisation: err = %v", err)
	}
	if err := s.RemovePartnerContact(ctx, org, krik.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Partner(ctx, org, krik.ID); len(p.Contacts) != 0 {
		t.Errorf("contacts after removal: %+v", p.Contacts)
	}
}

func TestPartnersAreFilteredAndPaged(t *testing.T) {
	s := modeltest.Open(t)
	ctx := context.Background()
	_, org := modeltest.Coordinator(t, s, "c@icdr.example", "ICDR")
	_, other := modeltest.Coordinator(t, s, "c@civicus.example", "CIVICUS")
	for _, in := range []models.PartnerInput{
		{Name: "Civic IDEA", Countries: "GE", Tags: "ICDR", Domains: "civicidea.ge"},
		{Name: "Sapari", Countries: "GE", Tags: "women\nICDR"},
		{Name: "Forum 2000", Countries: "CZ", Tags: "ICDR"},
		{Name: "CEVRO Univerzita", Countries: "CZ\nSK", Tags: "academia"},
		{Name: "Institut pour la démocratie", Countries: "AZ\nNL", Tags: "ICDR_old"},
	} {
		addPartner(t, s, org, in)
	}
	addPartner(t, s, other, models.PartnerInput{Name: "Georgian Young Lawyers", Countries: "GE", Tags: "ICDR"})
	civic, _, _ := s.Partners(ctx, org, models.PartnerFilter{Query: "civic", Limit: 10})
	if _, err := s.AddPartnerContact(ctx, civic[0].ID, models.PartnerContact{Name: "Tinatin Khidasheli", Email: "t@civicidea.ge"}); err != nil {
		t.Fatal(err)
	}

	names := func(ps []models.Partner) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return strings.Join(out, ", ")
	}
	tests := []struct {
		f     models.PartnerFilter
		want  string
		total int64
	}{
		{models.PartnerFilter{Limit: 10}, "CEVRO Univerzita, Civic IDEA, Forum 2000, Institut pour la démocratie, Sapari", 5},
		{models.PartnerFilter{Country: "ge", Limit: 10}, "Civic IDEA, Sapari", 2},
		{models.PartnerFilter{Country: "SK", Limit: 10}, "CEVRO Univerzita", 1},
		{models.PartnerFilter{Country: "G", Limit: 10}, "", 0},
		{models.PartnerFilter{Tag: "ICDR", Limit: 10}, "Civic IDEA, Forum 2000, Sapari", 3},
		{models.PartnerFilter{Tag: "ICDR%", Limit: 10}, "", 0},
		{models.PartnerFilter{Tag: "ICDR", Country: "GE", Limit: 10}, "Civic IDEA, Sapari", 2},
		{models.PartnerFilter{Query: "DEMOCRATIE", Limit: 10}, "Institut pour la démocratie", 1},
		{models.PartnerFilter{Query: "forum-2000", Limit: 10}, "Forum 2000", 1},
		{models.PartnerFilter{Query: "forum 2000 foundation", Limit: 10}, "", 0},
		{models.PartnerFilter{Offset: 2, Limit: 2}, "Forum 2000, Institut pour la démocratie", 5},
	}
	for _, tt := range tests {
		got, total, err := s.Partners(ctx, org, tt.f)
		if err != nil || names(got) != tt.want || total != tt.total {
			t.Errorf("%+v: %q of %d, %v; want %q of %d", tt.f, names(got), total, err, tt.want, tt.total)
		}
	}
	got, _, _ := s.Partners(ctx, org, models.PartnerFilter{Country: "GE", Limit: 1})
	if len(got[0].Domains) != 1 || got[0].Domains[0].Domain != "civicidea.ge" || len(got[0].Contacts) != 1 || got[0].Contacts[0].Name != "Tinatin Khidasheli" {
		t.Errorf("details not loaded: %+v", got[0])
	}
}

// The organisations on the lists of an organisation's past letters fill
// its directory: those listed as themselves, once each, and none that is
// there already.
func TestPartnersFromPastLetters(t *testing.T) {
	s := modeltest.Open(t)
	ctx := context.Background()
	u, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	org := l.OrganisationID
	addPartner(t, s, org, models.PartnerInput{Name: "Forum 2000", Countries: "CZ"})
	sign := func(n int, name, org, country string, display models.Display) {
		in := models.NewSignature{Kind: models.KindOrganisation, Name: name, Affiliation: org, Country: country, Email: modeltest.SignerEmail(n), Display: display}
		if _, err := s.AddSignature(ctx, l.ID, in, modeltest.Mail); err != nil {
			t.Fatalf("sign for %s: %v", org, err)
		}
	}
	sign(1, "Tinatin Khidasheli", "Civic IDEA", "GE", models.DisplayFull)
	sign(2, "Jakub Klepal", "FORUM 2000", "CZ", models.DisplayFull)                    // in the directory already
	sign(3, "Baia Pataraia", "Sapari", "GE", models.DisplayAnonymous)                  // not listed as itself
	sign(4, "Ucha Nanuashvili", "Democracy Research Center", "GE", models.DisplayFull) // then removed
	sign(5, "Another person", "Civic Idea", "AM", models.DisplayFull)                  // the same organisation again
	if _, err := s.AddSignature(ctx, l.ID, models.NewSignature{Kind: models.KindIndividual, Name: "Igor Blazevic", Affiliation: "Prague Civil Society Centre",
		Country: "CZ", Email: modeltest.SignerEmail(6)}, modeltest.Mail); err != nil {
		t.Fatal(err)
	}
	sigs, _, _ := s.CoordinatorSignatures(ctx, l, 0, 10)
	for _, sig := range sigs {
		if sig.Affiliation == "Democracy Research Center" {
			if err := s.RemoveSignature(ctx, l, u.ID, sig.ID, func(*models.Signature) string { return "" }, "asked to"); err != nil {
				t.Fatal(err)
			}
		}
	}
	// This organisation's letters are not another's past.
	_, org2 := modeltest.Coordinator(t, s, "c@civicus.example", "CIVICUS")

	n, err := s.AddPartnersFromLetters(ctx, org)
	if err != nil || n != 1 {
		t.Fatalf("added %d, %v; want 1", n, err)
	}
	got, total, _ := s.Partners(ctx, org, models.PartnerFilter{Limit: 10})
	if total != 2 || got[0].Name != "Civic IDEA" || got[0].Countries != "GE\nAM" || got[1].Name != "Forum 2000" {
		t.Errorf("directory: %+v", got)
	}
	if n, err := s.AddPartnersFromLetters(ctx, org); err != nil || n != 0 {
		t.Errorf("a second time: added %d, %v; want 0", n, err)
	}
	if n, _ := s.AddPartnersFromLetters(ctx, org2); n != 0 {
		t.Errorf("the other organisation got %d partners", n)
	}

	// The letters it co-initiates are its past too, once it accepted.
	c, l2 := openLetterOf(t, s, "c@third.example", "Third")
	modeltest.ListAtOnce(t, s, l2)
	if _, err := s.AddSignature(ctx, l2.ID, models.NewSignature{Kind: models.KindOrganisation, Name: "Vanja Calovic", Affiliation: "MANS",
		Country: "ME", Email: modeltest.SignerEmail(7), Display: models.DisplayFull}, modeltest.Mail); err != nil {
		t.Fatal(err)
	}
	toOrg := coInvite(t, s, l2, c, "coordinator@icdr.example")
	if n, _ := s.AddPartnersFromLetters(ctx, org); n != 0 {
		t.Errorf("a letter it is only invited to co-initiate gave %d partners", n)
	}
	if err := s.AcceptCoInitiation(ctx, toOrg, u.ID, org); err != nil {
		t.Fatal(err)
	}
	if n, err := s.AddPartnersFromLetters(ctx, org); err != nil || n != 1 {
		t.Errorf("from the letter it co-initiates: added %d, %v; want MANS", n, err)
	}
	if n, _ := s.AddPartnersFromLetters(ctx, org2); n != 0 {
		t.Errorf("the other organisation got %d partners of a letter it does not initiate", n)
	}
}

// partnerCSV is a directory's CSV with every column.
const partnerCSV = "name,countries,website,domains,tags,contact_name,contact_role,contact_email,contact_lang\n"

func TestPartnerImportPreviewsEachRowAndSavesAllOrNothing(t *testing.T) {
	s, dsn := modeltest.OpenDSN(t)
	ctx := context.Background()
	_, org := modeltest.Coordinator(t, s, "c@icdr.example", "ICDR")
	forum := addPartner(t, s, org, models.PartnerInput{Name: "Forum 2000", Domains: "forum2000.cz"})
	src := partnerCSV +
		"Civic IDEA,Georgia,https://civicidea.ge,civicidea.ge,ICDR,Tinatin Khidasheli,Chair,tinatin@civicidea.ge,en\n" + // 2: new
		"KRIK,Serbia;Montenegro,,krik.rs,media;ICDR,Stevan Dojcinovic,,stevan@krik.rs,\n" + // 3: new
		"civic idea,,,,,Desk,,desk@civicidea.ge,fr\n" + // 4: a contact for line 2
		"Forum-2000,,,,,,,,\n" + // 5: in the directory
		"Nadace Forum,CZ,,FORUM2000.cz,,,,,\n" + // 6: in the directory by domain
		"KRIK Serbia,RS,,krik.rs,,,,,\n" + // 7: the domain of line 3
		"Civic IDEA,,,,,Desk again,,DESK@civicidea.ge,\n" + // 8: line 2's organisation, a contact it has
		"Sapari,Georgia,,,,,,,\n" // 9: new, no contact
	rows, err := models.ParsePartnerImport(src, "en", "fr")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkPartnerDuplicates(ctx, org, rows); err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		line, sameAs, repeats int
		existing              int64
		isNew                 bool
	}
	want := []outcome{{2, 0, 0, 0, true}, {3, 0, 0, 0, true}, {4, 2, 0, 0, false}, {5, 0, 0, forum.ID, false},
		{6, 0, 0, forum.ID, false}, {7, 0, 3, 0, false}, {8, 0, 2, 0, false}, {9, 0, 0, 0, true}}
	for i, w := range want {
		r := rows[i]
		got := outcome{r.Line, r.SameAs, r.Repeats, 0, r.NewPartner()}
		if r.Existing != nil {
			got.existing = r.Existing.ID
		}
		if got != w || r.Problem != nil {
			t.Errorf("row %d: %+v (problem %+v), want %+v", i, got, r.Problem, w)
		}
	}
	if rows[4].Existing == nil || rows[4].Existing.Name != "Forum 2000" {
		t.Errorf("the duplicate by domain names %+v", rows[4].Existing)
	}
	if n := directorySize(t, s, org); n != 1 {
		t.Fatalf("the preview wrote: %d partners", n)
	}

	// The seventh insert fails: nothing is written.
	modeltest.FailInsertsInto(t, dsn, "partners", "Sapari")
	if _, err := s.ImportPartners(ctx, org, rows); err == nil {
		t.Fatal("an import whose last insert fails succeeded")
	}
	if n := directorySize(t, s, org); n != 1 {
		t.Fatalf("a failed import left %d partners, want 1", n)
	}
	modeltest.RawDB(t, dsn).Exec("DROP TRIGGER fail_inserts_partners" + map[bool]string{true: " ON partners", false: ""}[models.IsPostgres(dsn)])

	res, err := s.ImportPartners(ctx, org, rows)
	if err != nil || res != (models.PartnerImportResult{Partners: 3, Contacts: 3, Skipped: 4}) {
		t.Fatalf("import: %+v, %v", res, err)
	}
	civic, _, _ := s.Partners(ctx, org, models.PartnerFilter{Query: "Civic IDEA", Limit: 1})
	if len(civic) != 1 || len(civic[0].Contacts) != 2 || civic[0].Contacts[1].Email != "desk@civicidea.ge" || civic[0].Contacts[1].Lang != "fr" ||
		civic[0].Website != "https://civicidea.ge" || civic[0].Tags != "ICDR" {
		t.Errorf("Civic IDEA: %+v", civic)
	}
}

func TestPartnerImportSaysWhyARowCannotBeRead(t *testing.T) {
	tests := []struct {
		row, field, code string
	}{
		{"KRIK,Narnia,,,,,,,", "countries", models.ProblemUnknownCountry},
		{"KRIK,,,,,Stevan,,stevan-at-krik.rs,", "contact_email", "email"},
		{"KRIK,,,,,,,stevan@krik.rs,", "contact_name", "required"},
		{"KRIK,,,,,Stevan,,stevan@krik.rs,de", "contact_lang", models.ProblemBadLang},
		{"KRIK,,,krik,,,,,", "domains", models.ProblemBadDomain},
		{",RS,,,,,,,", "name", "required"},
		{`"KRIK,RS`, "", models.ProblemBadRecord},
	}
	for _, tt := range tests {
		rows, err := models.ParsePartnerImport(partnerCSV+tt.row+"\n", "en", "fr")
		if err != nil || len(rows) != 1 || rows[0].Problem == nil || rows[0].Problem.Field != tt.field || rows[0].Problem.Code != tt.code {
			t.Errorf("%s: %+v, %v; want %s %s", tt.row, rows, err, tt.field, tt.code)
		}
	}
	for src, want := range map[string]error{
		"":                        models.ErrImportEmpty,
		"country,email\nCZ,a@b.c": models.ErrImportHeader,
		partnerCSV:                models.ErrImportEmpty,
		partnerCSV + strings.Repeat("KRIK\n", models.ImportMaxRows+1): models.ErrImportTooLarge,
	} {
		if _, err := models.ParsePartnerImport(src); !errors.Is(err, want) {
			t.Errorf("%.40q: err = %v, want %v", src, err, want)
		}
	}
}
