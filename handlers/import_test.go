package handlers_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// importForm is the import form with pasted lines.
func importForm(lines, kind string) url.Values {
	return url.Values{"lines": {lines}, "import_kind": {kind}, "import_display": {"full"}}
}

// carriedSource finds what a preview carries to its confirming form.
var carriedSource = regexp.MustCompile(`<input type="hidden" name="(lines|csv)" value="([^"]*)">`)

// confirmForm is the preview's confirming form as a browser sends it.
func confirmForm(t *testing.T, preview handlertest.Response) url.Values {
	t.Helper()
	m := carriedSource.FindStringSubmatch(preview.Body)
	if m == nil {
		t.Fatalf("the preview has no confirming form:\n%s", handlertest.Excerpt(preview.Body))
	}
	kind := regexp.MustCompile(`name="import_kind" value="([^"]*)"`).FindStringSubmatch(preview.Body)
	return url.Values{m[1]: {html.UnescapeString(m[2])}, "import_kind": {kind[1]}, "import_display": {"full"}}
}

// importSettings keep the defaults a coordinator would leave on, email
// confirmation and review, to show they do not hold back names the
// coordinators entered, and list in signing order.
func importSettings() url.Values {
	f := withSettings("confirm_email", "review_individuals", "review_organisations")
	f.Set("list_order", "signed")
	return f
}

func TestSeedListImportedThroughPreviewAndConfirmation(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", importSettings())
	coord.Get(letterPath+"/signatures").Expect(t, http.StatusOK, `href="`+letterPath+`/import"`, "Add signatories collected elsewhere")
	coord.Get(letterPath+"/import").Expect(t, http.StatusOK, `enctype="multipart/form-data"`, `<label for="f-lines">Signatories, one per line`,
		`<label for="f-csv_file">Or a CSV file`, `<option value="individual" selected>`, `<option value="full" selected>`)

	preview := coord.PostMultipart(letterPath+"/import/preview", importForm(modeltest.AzerbaijanListText, "individual"), "", "").Expect(t, http.StatusOK, "To add: 22. Already on the list or repeated, skipped: 0. Cannot be read: 0.",
		"<caption>Each line of the import", "<td>Javier El-Hage</td>", "<td>Bolivia/United States</td>",
		"<td>Nyaradzo Mashayamombe</td>\n    <td></td>\n    <td>Zimbabwe</td>", "Add 22 signatories to the list")
	if n := strings.Count(preview.Body, "Will be added"); n != 22 {
		t.Errorf("the preview shows %d rows to add, want 22", n)
	}
	if strings.Contains(preview.Body, "has-error") {
		t.Error("the preview shows an error")
	}
	if n := s.signatures(); n != 0 {
		t.Fatalf("the preview stored %d signatures", n)
	}

	r := coord.PostMultipart(letterPath+"/import", confirmForm(t, preview), "", "").Expect(t, http.StatusSeeOther)
	if r.Location != letterPath+"/import?imported=22&skipped=0" {
		t.Fatalf("redirected to %q", r.Location)
	}
	coord.Get(r.Location).Expect(t, http.StatusOK, "Added to the list: 22. Skipped as already on the list or repeated: 0.")
	if l := s.letter(); l.IndividualCount != 22 || l.SignatureCount() != 22 {
		t.Errorf("counted %d individuals, %d in all; want 22", l.IndividualCount, l.SignatureCount())
	}

	// The public list reads as the seed did, in its order.
	list := s.client().Get(seedSlug+"/signatories").Expect(t, http.StatusOK, "Javier El-Hage, Human Rights Foundation, Bolivia/United States",
		"Nyaradzo Mashayamombe, Zimbabwe<", "Carl Gershman, formerly NED, United States", "Pavel Pšeja, CEVRO University, Czechia",
		"Andrea Ngombet, Sassoufit collective, Republic of the Congo")
	last := -1
	for _, sig := range modeltest.AzerbaijanSignatories {
		at := strings.Index(list.Body, sig.Name+",")
		if at < last {
			t.Errorf("%s is out of the seed's order", sig.Name)
		}
		last = at
	}
	coord.Get(letterPath+"/signatures").Expect(t, http.StatusOK,
		`<bdi>Coordinator Org</bdi> (<bdi>Org</bdi>): added signatories collected elsewhere (marked “added by the coordinators”): <bdi>22</bdi>`,
		`<span class="tag">added by the coordinators</span>`)

	// The same list again adds no one, and says why.
	coord.Get(letterPath + "/import")
	again := coord.PostMultipart(letterPath+"/import/preview", importForm(modeltest.AzerbaijanListText, "individual"), "", "").Expect(t, http.StatusOK, "To add: 0. Already on the list or repeated, skipped: 22.", "Nothing to add")
	if strings.Contains(again.Body, `action="`+letterPath+`/import" enctype`) {
		t.Error("a preview with nothing to add offers to confirm")
	}
}

func TestImportWithAnUnreadableLineWritesNothing(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", importSettings())
	coord.Get(letterPath + "/import")
	lines := modeltest.AzerbaijanListText + "Anna Novak, Civic IDEA, Narnia\n"
	preview := coord.PostMultipart(letterPath+"/import/preview", importForm(lines, "individual"), "", "").Expect(t, http.StatusUnprocessableEntity, "To add: 22. Already on the list or repeated, skipped: 0. Cannot be read: 1.",
		`<tr class="has-error">`, "<td>23</td>", "Anna Novak, Civic IDEA, Narnia</td>", "Country not recognised: “Narnia”",
		`href="#f-lines"`, "Lines that cannot be read: 1.", `aria-invalid="true"`, "Anna Novak, Civic IDEA, Narnia</textarea>")
	if strings.Contains(preview.Body, "Add 22 signatories") {
		t.Error("a preview with an unreadable line offers to confirm")
	}
	// Sent anyway, as a stale page or a script would: all or none.
	coord.PostMultipart(letterPath+"/import", importForm(lines, "individual"), "", "").Expect(t, http.StatusUnprocessableEntity, "Country not recognised")
	if n := s.signatures(); n != 0 {
		t.Fatalf("a refused import stored %d signatures", n)
	}
}

func TestImportFromACSVFile(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", importSettings())
	coord.Get(letterPath + "/import")
	file := "\ufeffName;Affiliation;Role;Country;Country2\r\nLeyla Yunus;Institute for Peace and Democracy;;Azerbaijan;Netherlands\r\n" +
		"Javier El-Hage;Human Rights Foundation;;Bolivia/USA;\r\n"
	form := url.Values{"import_kind": {"individual"}, "import_display": {"anonymous"}}
	preview := coord.PostMultipart(letterPath+"/import/preview", form, "list.csv", file).Expect(t, http.StatusOK, "To add: 2.", "<td>Azerbaijan/Netherlands</td>", "<td>Bolivia/United States</td>", `name="csv"`)
	coord.PostMultipart(letterPath+"/import", confirmForm(t, preview), "", "").Expect(t, http.StatusSeeOther)
	if l := s.letter(); l.IndividualCount != 2 {
		t.Errorf("counted %d, want 2", l.IndividualCount)
	}
}

func TestImportFormRefusesWhatItCannotRead(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", importSettings())
	coord.Get(letterPath + "/import")
	tests := []struct {
		name        string
		form        url.Values
		file, csv   string
		field, text string
	}{
		{name: "nothing", form: importForm("  \n", "individual"), field: "lines", text: "Paste at least one line"},
		{name: "no kind", form: importForm("Anna Novak, France", ""), field: "import_kind", text: "Choose whether they signed as individuals or on behalf of organisations"},
		{name: "control characters", form: importForm("Anna\x00Novak, France", "individual"), field: "lines", text: "cannot be shown"},
		{name: "lines and a file", form: importForm("Anna Novak, France", "individual"), file: "list.csv", csv: "name,country\nA,France\n", field: "csv_file", text: "not both"},
		{name: "CSV without header", form: importForm("", "individual"), file: "list.csv", csv: "Anna Novak,Civic IDEA,France\n", field: "csv_file", text: "first row must name"},
		{name: "not a CSV", form: importForm("", "individual"), file: "list.xlsx", csv: "PK\x03\x04\x00\x00\xff", field: "csv_file", text: "not a CSV file in UTF-8"},
		{name: "file too large", form: importForm("", "individual"), file: "list.csv", csv: "name,country\n" + strings.Repeat("Anna Novak,France\n", models.ImportMaxBytes/18+1), field: "csv_file", text: "at most 5,000 lines and 200 KB"},
		{name: "too many lines", form: importForm(strings.Repeat("A B, France\n", models.ImportMaxRows+1), "individual"), field: "lines", text: "at most 5,000 lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := coord.PostMultipart(letterPath+"/import/preview", tt.form, tt.file, tt.csv).Expect(t, http.StatusUnprocessableEntity, `href="#f-`+tt.field+`"`, `id="f-`+tt.field+`-error"`, tt.text)
			if v := tt.form.Get("lines"); strings.TrimSpace(v) != "" && !strings.Contains(v, "\x00") && len(v) < 1000 &&
				!strings.Contains(r.Body, html.EscapeString(strings.TrimSpace(v))+"</textarea>") {
				t.Errorf("the lines were not kept")
			}
		})
	}

	// Organisations where the letter takes individuals only.
	coord.Get(letterPath)
	individuals := importSettings()
	individuals.Set("signers", "individuals")
	coord.Post(letterPath+"/settings", individuals).Expect(t, http.StatusSeeOther)
	coord.Get(letterPath + "/import")
	coord.PostMultipart(letterPath+"/import/preview", importForm("Civic IDEA, Georgia", "organisation"), "", "").Expect(t, http.StatusUnprocessableEntity, `href="#f-import_kind"`, "does not take signatures of this kind")

	// A closed letter's list no longer changes.
	coord.Post(letterPath+"/state", url.Values{"state": {"closed"}}).Expect(t, http.StatusSeeOther)
	coord.Get(letterPath+"/import").Expect(t, http.StatusOK, "takes no signatures now")
	coord.PostMultipart(letterPath+"/import", importForm("Anna Novak, France", "individual"), "", "").Expect(t, http.StatusConflict, "takes no signatures now")
	if n := s.signatures(); n != 0 {
		t.Fatalf("refused imports stored %d signatures", n)
	}
}

func TestOrganisationsImportedAsOrganisations(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", importSettings())
	coord.Get(letterPath + "/import")
	preview := coord.PostMultipart(letterPath+"/import/preview", importForm("Civic IDEA, Georgia\nCentre for Peace, Justice and Reconciliation, Kenya\n", "organisation"), "", "").Expect(t, http.StatusOK, "To add: 2.", "<td>Centre for Peace, Justice and Reconciliation</td>")
	coord.PostMultipart(letterPath+"/import", confirmForm(t, preview), "", "").Expect(t, http.StatusSeeOther)
	if l := s.letter(); l.OrganisationCount != 2 {
		t.Errorf("counted %d organisations, want 2", l.OrganisationCount)
	}
	s.client().Get(seedSlug).Expect(t, http.StatusOK, "Civic IDEA, Georgia", "Centre for Peace, Justice and Reconciliation, Kenya")
}
