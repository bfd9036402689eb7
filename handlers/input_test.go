package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
)

// An invisible formatting character in a list entry changes how the list
// reads: U+202E reverses the rest of the entry, so "Leyla Yunus, Azerbaijan"
// can be made to show a country or a name that was never typed. The signing
// form refuses it in the field it is in, says which character, keeps what
// was typed and stores nothing.
func TestSigningFormRefusesInvisibleFormattingCharacters(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	tests := []struct {
		field, value, message string
	}{
		{"name", "Leyla \u202eYunus", "Your name contains an invisible formatting character (U+202E)"},
		{"name", "\u200fLeyla Yunus", "Your name contains an invisible formatting character (U+200F)"},
		{"name", "Leyla Yunus\u200c", "Your name contains an invisible formatting character (U+200C)"},
		{"affiliation", "Institute for \u2066Peace", "The organisation or affiliation contains an invisible formatting character (U+2066)"},
		{"role", "Dir\u200bector", "Your title or role contains an invisible formatting character (U+200B)"},
		{"email", "leyla\u202e@example.org", "Your email address contains an invisible formatting character (U+202E)"},
		{"email", "ley\u200cla@example.org", "Your email address contains an invisible formatting character (U+200C)"},
	}
	for _, tt := range tests {
		t.Run(tt.field+" "+tt.message[len(tt.message)-7:], func(t *testing.T) {
			visitor := s.client()
			visitor.Get(seedSlug)
			form := handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")
			form.Set("role", "Director")
			form.Set(tt.field, tt.value)
			visitor.Post(seedSlug+"/sign", form).Expect(t, http.StatusUnprocessableEntity,
				`href="#f-`+tt.field+`"`, `id="f-`+tt.field+`-error"`, `<option value="AZ" selected>`).Shows(t, tt.message, `value="`+tt.value+`"`)
		})
	}
	if n := s.signatures(); n != 0 {
		t.Fatalf("refused signatures stored: %d", n)
	}
	// The joiners Persian, Indic scripts and emoji need stay, inside a word.
	visitor := s.client()
	visitor.Get(seedSlug)
	visitor.Post(seedSlug+"/sign", handlertest.SignForm("مهدی حسین\u200cزاده", "IR", "mehdi@example.org")).Expect(t, http.StatusSeeOther)
	visitor.Post(seedSlug+"/sign", handlertest.SignForm("Shreya \u0915\u094d\u200d\u0937", "IN", "shreya@example.org")).Expect(t, http.StatusSeeOther)
}

// The import refuses the same characters, row by row, naming the field, in
// its preview and when its confirmation is sent anyway, as a stale page
// would: all or nothing.
func TestImportRefusesInvisibleFormattingCharacters(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", importSettings())
	lines := "Leyla Yunus, Institute for Peace, Azerbaijan\nArif \u202eYunus, Institute for Peace, Azerbaijan\n" +
		"Anar Mammadli, EMDS\u2069, Azerbaijan\n"
	for _, step := range []string{"/import/preview", "/import"} {
		coord.Get(letterPath + "/import")
		r := coord.PostMultipart(letterPath+step, importForm(lines, "individual"), "", "").Expect(t, http.StatusUnprocessableEntity).Shows(t, "To add: 1. Already on the list or repeated, skipped: 0. Cannot be read: 2.",
			"The name contains an invisible formatting character (U+202E)",
			"The organisation or affiliation contains an invisible formatting character (U+2069)",
			"Arif \u202eYunus, Institute for Peace, Azerbaijan\nAnar Mammadli, EMDS\u2069, Azerbaijan</textarea>")
		if strings.Contains(r.Body, `action="`+letterPath+`/import" enctype`) {
			t.Errorf("%s: a preview with refused lines offers to confirm", step)
		}
	}
	if n := s.signatures(); n != 0 {
		t.Fatalf("a refused import stored %d signatures", n)
	}
}

// A coordinator's account and the editor's lines of names are held to the
// same rule: they are shown on public pages too.
func TestCoordinatorFormsRefuseInvisibleFormattingCharacters(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord := s.coordinator("c@example.org", "Org")
	coord.Get("/dashboard/letters/new")
	form := handlertest.LetterForm("save")
	form.Set("initiators", "CIVICUS\nFreedom \u202eNow")
	coord.Post("/dashboard/letters", form).Expect(t, http.StatusUnprocessableEntity,
		`href="#f-initiators"`).Shows(t, "invisible formatting character (U+202E)", "Freedom \u202eNow</textarea>")
}

// Coordinators' forms speak to coordinators: the signer's hints about the
// list and one signature per email address do not belong there.
func TestCoordinatorFormsHaveTheirOwnHints(t *testing.T) {
	s := newSite(t, handlers.Config{})
	signerHints := []string{"One signature per email address", "As it should appear on the list"}
	login := s.client().Get("/login").Expect(t, http.StatusOK)
	lead := s.coordinator("lead@example.org", "Forum 2000")
	join := s.client().Get(invite(t, lead, "1")).Expect(t, http.StatusOK, "You log in with this address. It is never shown publicly.", "Shown to your colleagues")
	// A new password's rule is the coordinator's to know; not at login.
	pages := map[string][]string{login.Body: append(signerHints, "At least 10 characters"), join.Body: signerHints}
	for body, hints := range pages {
		for _, hint := range hints {
			if strings.Contains(body, hint) {
				t.Errorf("a coordinator's form says %q:\n%s", hint, handlertest.Excerpt(body))
			}
		}
	}
}

// The affiliation field is never marked "(optional)" beside a hint that
// says it is required: it says what the letter's kinds of signer need.
func TestAffiliationFieldSaysWhenItIsNeeded(t *testing.T) {
	label := `<label for="f-affiliation">Organisation or affiliation`
	tests := []struct {
		signers string
		want    []string
		not     []string
	}{
		{"both", []string{label + `</label>`, "Needed when you sign on behalf of an organisation; optional for individuals."}, []string{"Required when"}},
		{"organisations", []string{label + `</label>`, "The name of the organisation you sign for.", `name="affiliation" type="text" value="" required`}, []string{"optional for individuals"}},
		{"individuals", []string{label + ` <span class="optional">(optional)</span></label>`, "Where you work or what you belong to"}, []string{"on behalf of", "Required when"}},
	}
	for _, tt := range tests {
		t.Run(tt.signers, func(t *testing.T) {
			s := newSite(t, handlers.Config{})
			settings := listAtOnce()
			settings.Set("signers", tt.signers)
			s.openLetter("c@example.org", "Org", settings)
			page := s.client().Get(seedSlug).Expect(t, http.StatusOK, tt.want...)
			for _, unwanted := range tt.not {
				if strings.Contains(page.Body, unwanted) {
					t.Errorf("the signing form says %q", unwanted)
				}
			}
		})
	}
}

// A number field says what number it takes, not how many characters.
func TestRetentionDaysAsksForANumberOfDays(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", nil)
	for days, message := range map[string]string{"-5": "Enter a number of days, 1 or more.", "0": "Enter a number of days, 1 or more.", "5000": "Enter a number of days, 3,650 or fewer."} {
		settings := listAtOnce()
		settings.Set("retention_days", days)
		r := coord.Post(letterPath+"/settings", settings).Expect(t, http.StatusUnprocessableEntity, `href="#f-retention_days"`, message, `name="retention_days" type="number" value="`+days+`"`)
		if strings.Contains(r.Body, "characters") {
			t.Errorf("retention of %s days: the page speaks of characters", days)
		}
	}
}

// Counts read as English does: "1 second", "10 minutes", never "minute(s)".
// (TestRetryTimesReadAsPeopleSay reads the waits of the signing limits.)
func TestMessagesUseRealPlurals(t *testing.T) {
	s := newSite(t, handlers.Config{Limits: handlers.Limits{Login: handlers.RateLimit{Max: 1, Window: time.Minute}}})
	s.coordinator("c@example.org", "Org")
	visitor := s.client()
	visitor.Get("/login")
	visitor.Post("/login", url.Values{"email": {"c@example.org"}, "password": {"wrong password"}})
	r := visitor.Post("/login", url.Values{"email": {"c@example.org"}, "password": {"wrong password"}}).Expect(t, http.StatusTooManyRequests, "try again in 1 second.")
	if strings.Contains(r.Body, "(s)") {
		t.Errorf("the login page says %q", "(s)")
	}

	s = newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", importSettings())
	coord.Get(letterPath + "/import")
	coord.PostMultipart(letterPath+"/import/preview", importForm("Leyla Yunus, Institute for Peace, Azerbaijan", "individual"), "", "").Expect(t, http.StatusOK, "Add 1 signatory to the list")
}

// Every page keeps its heading levels in order (which
// every test's client checks): here the pages of a letter with a list,
// as a reader, a signer and its coordinator see them.
func TestPagesKeepHeadingLevelsInOrder(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	signer := s.client()
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")).Expect(t, http.StatusSeeOther)
	org := handlertest.SignForm("Jakub Klepal", "CZ", "forum@example.org")
	org.Set("kind", "organisation")
	org.Set("affiliation", "Forum 2000 Foundation")
	signer.Post(seedSlug+"/sign", org).Expect(t, http.StatusSeeOther)
	for _, path := range []string{seedSlug, seedSlug + "/signatories", seedSlug + "/print", seedSlug + "/thanks", "/", "/privacy", "/login"} {
		signer.Get(path).Expect(t, http.StatusOK)
	}
	for _, path := range []string{"/dashboard", letterPath, letterPath + "/signatures", letterPath + "/import"} {
		coord.Get(path).Expect(t, http.StatusOK)
	}
	s.client().Get(seedSlug+"/signatories").Expect(t, http.StatusOK, `<h2 class="count">2 signatures</h2>`, `<h3 id="section-organisation">Organisations (1)</h3>`)
}

// People of one family name are listed by given name, and people of one
// name in the order they signed, in every form of the list: the Browns
// signed as Michael, Sarah, Emily (of the United Kingdom, then of Ireland)
// and David, and came out in that order.
func TestFamilyNameOrderBreaksTiesByGivenNameThenSigningOrder(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	signer := s.client()
	signer.Get(seedSlug)
	for i, who := range []struct{ name, country string }{
		{"Michael Brown", "GB"}, {"Sarah Brown", "GB"}, {"Emily Brown", "GB"}, {"Emily Brown", "IE"}, {"David Brown", "GB"}, {"Anna Browne", "GB"},
	} {
		signer.Post(seedSlug+"/sign", handlertest.SignForm(who.name, who.country, "brown"+strconv.Itoa(i)+"@example.org")).Expect(t, http.StatusSeeOther)
	}
	order := []string{"David Brown, United Kingdom", "Emily Brown, United Kingdom", "Emily Brown, Ireland", "Michael Brown, United Kingdom",
		"Sarah Brown, United Kingdom", "Anna Browne, United Kingdom"}
	dated := publishList(t, coord, letterPath)
	for _, path := range []string{seedSlug, seedSlug + "/signatories", seedSlug + "/print", dated} {
		assertOrder(t, signer.Get(path).Expect(t, http.StatusOK).Body, order...)
	}
	var csvEntries []string
	for _, row := range readCSV(t, signer.Get(seedSlug+"/signatories.csv").Expect(t, http.StatusOK))[1:] {
		csvEntries = append(csvEntries, row[7]) // the entry, as the list reads
	}
	if strings.Join(csvEntries, "; ") != strings.Join(order, "; ") {
		t.Errorf("the CSV lists %q, want %q", csvEntries, order)
	}
	var jsonEntries []string
	for _, e := range order {
		jsonEntries = append(jsonEntries, `"entry":"`+e+`"`)
	}
	assertOrder(t, signer.Get(seedSlug+"/signatories.json").Expect(t, http.StatusOK).Body, jsonEntries...)
}
