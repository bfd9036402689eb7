package handlers_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// directory logs in a new coordinator of a new organisation and returns
// them with the path of its directory.
func (s *site) directory(email, org string) (*handlertest.Client, string, int64) {
	s.t.Helper()
	_, id := modeltest.Coordinator(s.t, s.store, email, org)
	c := s.client()
	c.LogIn(email, modeltest.Password)
	return c, "/dashboard/organisations/" + strconv.FormatInt(id, 10) + "/partners", id
}

// partnerForm is the directory's add form for an organisation, with its
// first contact.
func partnerForm(name, countries, domains, contact, email string) url.Values {
	return url.Values{"name": {name}, "countries": {countries}, "website": {""}, "domains": {domains}, "tags": {"ICDR"},
		"contact_name": {contact}, "contact_role": {""}, "contact_email": {email}, "contact_lang": {""}}
}

// partners is the directory of an organisation as stored.
func (s *site) partners(org int64) []models.Partner {
	s.t.Helper()
	ps, _, err := s.store.Partners(context.Background(), org, models.PartnerFilter{Limit: 100})
	if err != nil {
		s.t.Fatal(err)
	}
	return ps
}

func TestCoordinatorKeepsADirectoryOfPartners(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, dir, org := s.directory("c@icdr.example", "ICDR")
	coord.Get("/dashboard").Expect(t, http.StatusOK, `href="`+dir+`"`, "Partners of <bdi>ICDR</bdi>")
	coord.Get(dir).Expect(t, http.StatusOK, "The directory is empty", `<label for="f-name">Organisation’s name`, `name="contact_email"`)

	r := coord.Post(dir, partnerForm("Civic IDEA", "Georgia; Armenia", "civicidea.ge", "Tinatin Khidasheli", "Tinatin@CivicIdea.ge")).Expect(t, http.StatusSeeOther)
	ps := s.partners(org)
	if len(ps) != 1 || ps[0].Countries != "GE\nAM" || len(ps[0].Contacts) != 1 || ps[0].Contacts[0].Email != "tinatin@civicidea.ge" {
		t.Fatalf("stored %+v", ps)
	}
	page := dir + "/" + strconv.FormatInt(ps[0].ID, 10)
	if r.Location != page+"?saved=1" {
		t.Fatalf("redirected to %q", r.Location)
	}
	coord.Get(r.Location).Expect(t, http.StatusOK, "<h1><bdi>Civic IDEA</bdi></h1>", `value="Georgia; Armenia"`, `value="civicidea.ge"`,
		"<bdi>Tinatin Khidasheli</bdi>", "tinatin@civicidea.ge")

	// The same organisation again, however written or by its domain, is
	// refused with its values kept and a link to the partner there.
	for _, form := range []url.Values{
		partnerForm("CIVIC-IDEA", "GE", "", "", ""),
		partnerForm("Civic Idea Georgia", "Allemagne", "office@civicidea.ge", "Anna", "anna@example.org"),
	} {
		refused := coord.Post(dir, form).Expect(t, http.StatusUnprocessableEntity, `href="#f-`, `aria-invalid="true"`,
			`href="`+page+`" dir="auto"><bdi>Civic IDEA</bdi></a>`, `value="`+form.Get("name")+`"`, `value="`+form.Get("countries")+`"`)
		refused.Shows(t, "Civic IDEA")
	}
	// Invalid fields say what to do beside each, and in the summary.
	invalid := partnerForm("", "Narnia", "civicidea", "", "not-an-address")
	invalid.Set("website", "javascript:alert(1)")
	coord.Post(dir, invalid).Expect(t, http.StatusUnprocessableEntity, "Write the website’s full address",
		"Write the organisation’s name.", "Country not recognised: “Narnia”", "is not an email domain", "Write the contact’s name.",
		"Enter an email address like name@example.org", `value="Narnia"`, `value="not-an-address"`)
	if n := len(s.partners(org)); n != 1 {
		t.Fatalf("refused forms stored partners: %d", n)
	}

	// Edited, with another contact, and one removed.
	coord.Get(page)
	edit := url.Values{"name": {"Civic IDEA"}, "countries": {"GE"}, "website": {"https://civicidea.ge"}, "domains": {"civicidea.ge; civicidea.org"}, "tags": {"ICDR; watchdog"}}
	coord.Post(page, edit).Expect(t, http.StatusSeeOther)
	coord.Post(page+"/contacts", url.Values{"contact_name": {"Office"}, "contact_email": {"office@civicidea.ge"}, "contact_lang": {"fr"}}).Expect(t, http.StatusSeeOther)
	coord.Post(page+"/contacts", url.Values{"contact_name": {"Office again"}, "contact_email": {"OFFICE@civicidea.ge"}}).Expect(t, http.StatusUnprocessableEntity,
		"This partner already has a contact with this address.", `value="Office again"`)
	coord.Post(page+"/contacts", url.Values{"contact_name": {""}}).Expect(t, http.StatusUnprocessableEntity, "Write the contact’s name.")
	coord.Post(page+"/contacts", url.Values{"contact_name": {"Desk"}, "contact_email": {"desk@civicidea.ge"}, "contact_lang": {"de"}}).Expect(t, http.StatusUnprocessableEntity,
		"is not a language of this site")
	p := s.partners(org)[0]
	if p.Website != "https://civicidea.ge" || len(p.Domains) != 2 || p.Tags != "ICDR\nwatchdog" || len(p.Contacts) != 2 || p.Contacts[1].Lang != "fr" {
		t.Fatalf("after editing: %+v", p)
	}
	coord.Get(page).Expect(t, http.StatusOK, "français")
	coord.Post(page+"/contacts/"+strconv.FormatInt(p.Contacts[0].ID, 10)+"/delete", url.Values{}).Expect(t, http.StatusSeeOther)
	if p := s.partners(org)[0]; len(p.Contacts) != 1 || p.Contacts[0].Name != "Office" {
		t.Fatalf("after removing a contact: %+v", p.Contacts)
	}
	coord.Post(page+"/delete", url.Values{}).Expect(t, http.StatusSeeOther)
	coord.Get(dir+"?deleted=1").Expect(t, http.StatusOK, "The partner was removed from the directory.")
	if n := len(s.partners(org)); n != 0 {
		t.Fatalf("a deleted partner is still there")
	}
}

func TestDirectoryIsFilteredAndPaged(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, dir, org := s.directory("c@icdr.example", "ICDR")
	ctx := context.Background()
	for i := range 55 {
		in := models.PartnerInput{Name: "Partner " + strconv.Itoa(100+i), Countries: "CZ", Tags: "ICDR"}
		if i%5 == 0 {
			in.Countries, in.Tags = "GE", "media"
		}
		if _, err := s.store.AddPartner(ctx, org, in); err != nil {
			t.Fatal(err)
		}
	}
	coord.Get(dir).Expect(t, http.StatusOK, "55 partners", "Partner 100", "Partner 149", `href="`+dir+`?country=&amp;page=2&amp;q=&amp;tag="`)
	second := coord.Get(dir+"?page=2").Expect(t, http.StatusOK, "Partner 150", "Partner 154")
	if strings.Contains(second.Body, "Partner 149") {
		t.Error("the second page repeats the first")
	}
	geo := coord.Get(dir+"?country=GE&tag=media").Expect(t, http.StatusOK, "11 partners", "<option value=\"GE\" selected>", `value="media"`, "Georgia")
	if strings.Contains(geo.Body, "Partner 101") {
		t.Error("the filter shows a partner in Czechia")
	}
	coord.Get(dir+"?q=partner-1").Expect(t, http.StatusOK, "55 partners")
	coord.Get(dir+"?q=152").Expect(t, http.StatusOK, "1 partner<", "Partner 152")
	coord.Get(dir+"?q=nobody").Expect(t, http.StatusOK, "No partner matches this filter.")
}

// Another organisation's coordinator finds nothing of a directory: every
// route answers 404, whether it names the directory's organisation or
// their own with the other's partner, and nothing changes.
func TestDirectoryIsItsOrganisationsOnly(t *testing.T) {
	s := newSite(t, handlers.Config{})
	owner, dir, org := s.directory("owner@icdr.example", "ICDR")
	owner.Get(dir)
	owner.Post(dir, partnerForm("Civic IDEA", "GE", "civicidea.ge", "Tinatin Khidasheli", "tinatin@civicidea.ge")).Expect(t, http.StatusSeeOther)
	p := s.partners(org)[0]
	intruder, ownDir, _ := s.directory("intruder@example.org", "Intruder")
	intruder.Get("/dashboard")

	walked := 0
	for _, r := range s.app.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/dashboard/organisations/:org/partners") {
			continue
		}
		for _, base := range []string{dir, ownDir} {
			path := strings.NewReplacer("/dashboard/organisations/:org/partners", base, ":partner", strconv.FormatInt(p.ID, 10),
				":contact", strconv.FormatInt(p.Contacts[0].ID, 10)).Replace(r.Path)
			if base == ownDir && !strings.Contains(r.Path, ":partner") {
				continue // their own directory is theirs
			}
			var resp handlertest.Response
			switch r.Method {
			case http.MethodGet:
				resp = intruder.Get(path)
			case http.MethodPost:
				resp = intruder.Post(path, partnerForm("Hijacked", "", "", "Mallory", "mallory@example.org"))
			default:
				continue
			}
			walked++
			if resp.Status != http.StatusNotFound {
				t.Errorf("%s %s as another organisation: status %d, want 404", r.Method, path, resp.Status)
			}
			if strings.Contains(resp.Body, "Civic IDEA") || strings.Contains(resp.Body, "tinatin@") {
				t.Errorf("%s %s shows the other organisation's partner", r.Method, path)
			}
		}
	}
	if walked < 12 {
		t.Fatalf("walked only %d requests", walked)
	}
	if got := s.partners(org); len(got) != 1 || got[0].Name != "Civic IDEA" || len(got[0].Contacts) != 1 {
		t.Errorf("another organisation changed the directory: %+v", got)
	}
	// Nor does a form without the page's token change anything.
	owner.Get(dir)
	for _, path := range []string{dir, dir + "/from-letters", dir + "/" + strconv.FormatInt(p.ID, 10) + "/delete"} {
		if r := owner.PostRaw(path, partnerForm("Forged", "", "", "", "").Encode()); r.Status != http.StatusForbidden {
			t.Errorf("POST %s without a token: status %d, want 403", path, r.Status)
		}
	}
	if got := s.partners(org); len(got) != 1 {
		t.Errorf("forged forms changed the directory: %+v", got)
	}
}

// carriedCSV finds the file's text a partner import's preview carries.
var carriedCSV = regexp.MustCompile(`<input type="hidden" name="csv" value="([^"]*)">`)

// postPartnerFile sends a CSV file to the directory's import as the
// upload form does.
func postPartnerFile(c *handlertest.Client, path, content string) handlertest.Response {
	return c.PostFile(path, url.Values{}, "file", "partners.csv", content)
}

// twentyPartners is a partner directory's CSV of twenty organisations,
// the third with two contacts (its second row names it again).
func twentyPartners() string {
	var b strings.Builder
	b.WriteString("name,countries,website,domains,tags,contact_name,contact_role,contact_email,contact_lang\n")
	for i := 1; i <= 20; i++ {
		n := strconv.Itoa(i)
		b.WriteString("Partner " + n + ",Georgia;CZ,https://p" + n + ".example,p" + n + ".example,ICDR,Contact " + n + ",Director,c" + n + "@p" + n + ".example,fr\n")
	}
	b.WriteString("partner 3,,,,,Second contact,,second@p3.example,\n")
	return b.String()
}

func TestPartnerImportPreviewsThenSavesAll(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, dir, org := s.directory("c@icdr.example", "ICDR")
	coord.Get(dir).Expect(t, http.StatusOK, `href="`+dir+`/import"`)
	coord.Get(dir+"/import").Expect(t, http.StatusOK, `enctype="multipart/form-data"`, `<label for="f-file">CSV file`, `name="file" type="file"`)

	preview := postPartnerFile(coord, dir+"/import/preview", twentyPartners()).Expect(t, http.StatusOK,
		"Partners to add: 20. Contacts to add: 21. Already in the directory or repeated, skipped: 0. Cannot be read: 0.",
		"Adds a contact to the partner of line 4", "Import as previewed")
	if n := strings.Count(preview.Body, "Will be added"); n != 20 {
		t.Errorf("%d rows to add, want 20", n)
	}
	if n := len(s.partners(org)); n != 0 {
		t.Fatalf("the preview stored %d partners", n)
	}
	m := carriedCSV.FindStringSubmatch(preview.Body)
	if m == nil {
		t.Fatal("the preview has no confirming form")
	}
	r := coord.PostFile(dir+"/import", url.Values{"csv": {html.UnescapeString(m[1])}}, "file", "", "").Expect(t, http.StatusSeeOther)
	coord.Get(r.Location).Expect(t, http.StatusOK, "Partners added: 20. Contacts added: 21. Rows skipped: 0.")
	ps := s.partners(org)
	if len(ps) != 20 || ps[0].Name != "Partner 1" || ps[0].Countries != "GE\nCZ" || ps[0].Contacts[0].Lang != "fr" {
		t.Fatalf("imported %d: %+v", len(ps), ps[0])
	}
	for _, p := range ps {
		if p.Name == "Partner 3" && len(p.Contacts) != 2 {
			t.Errorf("Partner 3 has %d contacts, want 2", len(p.Contacts))
		}
	}

	// The same file again: every row is in the directory, named.
	again := postPartnerFile(coord, dir+"/import/preview", twentyPartners()).Expect(t, http.StatusOK,
		"Partners to add: 0. Contacts to add: 0. Already in the directory or repeated, skipped: 21.", "Nothing to add")
	again.ExpectMarkup(t, `Already in the directory as <a href="`+dir+"/"+strconv.FormatInt(ps[0].ID, 10)+`" dir="auto"><bdi>Partner 1</bdi></a>: skipped`)
}

func TestPartnerImportWithProblemsSavesNothing(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, dir, org := s.directory("c@icdr.example", "ICDR")
	coord.Get(dir + "/import")
	src := twentyPartners() + "Narnia Watch,Narnia,,,,,,,\nBad Mail,GE,,,,Someone,,someone-at-example.org,\nKRIK,RS,,krik,,,,,\n"
	for _, path := range []string{"/import/preview", "/import"} { // sent straight to confirm, as a stale page would
		r := postPartnerFile(coord, dir+path, src).Expect(t, http.StatusUnprocessableEntity,
			"Rows that cannot be read: 3.", `<tr class="has-error">`, "Countries: Country not recognised: “Narnia”",
			"Email address: Enter an email address like name@example.org", "Email domains: “krik” is not an email domain", `href="#f-file"`)
		if strings.Contains(r.Body, "Import as previewed") {
			t.Error("a preview with unreadable rows offers to confirm")
		}
	}
	postPartnerFile(coord, dir+"/import/preview", "country,email\nCZ,a@b.example\n").Expect(t, http.StatusUnprocessableEntity, "with at least name")
	postPartnerFile(coord, dir+"/import/preview", "").Expect(t, http.StatusUnprocessableEntity, "Choose a CSV file")
	postPartnerFile(coord, dir+"/import/preview", "name\n\x00\x01").Expect(t, http.StatusUnprocessableEntity, "This is not a CSV file in UTF-8")
	if n := len(s.partners(org)); n != 0 {
		t.Fatalf("refused imports stored %d partners", n)
	}
}

// An import is one transaction: when the database refuses its last
// partner, the nineteen before it are not written either.
func TestPartnerImportIsAllOrNothing(t *testing.T) {
	store, dsn := modeltest.OpenDSN(t)
	s := newSiteOn(t, store, handlers.Config{})
	coord, dir, org := s.directory("c@icdr.example", "ICDR")
	coord.Get(dir + "/import")
	preview := postPartnerFile(coord, dir+"/import/preview", twentyPartners()).Expect(t, http.StatusOK, "Partners to add: 20.")
	m := carriedCSV.FindStringSubmatch(preview.Body)
	modeltest.FailInsertsInto(t, dsn, "partners", "Partner 20")
	coord.PostFile(dir+"/import", url.Values{"csv": {html.UnescapeString(m[1])}}, "file", "", "").Expect(t, http.StatusInternalServerError)
	if n := len(s.partners(org)); n != 0 {
		t.Fatalf("a failed import left %d partners", n)
	}
}

func TestDirectoryFilledFromPastLetters(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, _ := s.publishedLetter("c@icdr.example", "ICDR")
	dir := "/dashboard/organisations/" + strconv.FormatInt(s.letter().OrganisationID, 10) + "/partners"
	signer := s.client()
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.OrgForm("Tinatin Khidasheli", "Civic IDEA", "GE", "tinatin@civicidea.ge")).Expect(t, http.StatusSeeOther)
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.OrgForm("Jakub Klepal", "Forum 2000", "CZ", "jakub@forum2000.cz")).Expect(t, http.StatusSeeOther)
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Igor Blazevic", "CZ", "igor@example.org")).Expect(t, http.StatusSeeOther)

	coord.Get(dir).Expect(t, http.StatusOK, "Add the organisations that signed your past letters")
	r := coord.Post(dir+"/from-letters", url.Values{}).Expect(t, http.StatusSeeOther)
	coord.Get(r.Location).Expect(t, http.StatusOK, "2 organisations that signed your letters were added to the directory.", "Civic IDEA", "Forum 2000")
	r = coord.Post(dir+"/from-letters", url.Values{}).Expect(t, http.StatusSeeOther)
	coord.Get(r.Location).Expect(t, http.StatusOK, "0 organisations that signed your letters were added")
}
