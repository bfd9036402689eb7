package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/views"
)

// embargoed are the seed letter's settings with the list hidden until
// launch, as the settings form sends them (in UTC, to the second).
func embargoed(launch time.Time) url.Values {
	f := listAtOnce()
	f.Set("list_hidden_until", launch.UTC().Format("2006-01-02T15:04:05"))
	return f
}

// TestAnEmbargoedListIsInNoPublicOutputUntilItsLaunch walks every public
// output of a letter with signatures, in its original and its French
// translation: before the launch none names a signatory (the count shows,
// and the pages say when the list comes), no dated list is out and none
// can be published; from the launch, every output that lists signatories
// names them. The store's clock cannot be moved from here, so the launch
// is a few seconds ahead and the test waits for it; the PDF read before it
// is kept by the page cache a minute, so this also shows that a page kept
// before the launch does not outlive it.
func TestAnEmbargoedListIsInNoPublicOutputUntilItsLaunch(t *testing.T) {
	pdftotext := needPdftotext(t)
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, coord, editor, "fr", seedFrench)
	names := []string{"Zarina Testova", "Ostrava Rights Collective"}
	s.signAndKeepLink(handlertest.SignForm(names[0], "AZ", "zarina@example.org"))
	s.signAndKeepLink(handlertest.OrgForm("Petr Novy", names[1], "CZ", "petr@example.org"))
	dated := publishList(t, coord, editor) // published before the embargo was set
	launch := time.Now().Add(6 * time.Second).Truncate(time.Second)
	coord.Get(editor)
	coord.Post(editor+"/settings", embargoed(launch)).Expect(t, http.StatusSeeOther)

	slug := strings.TrimPrefix(seedSlug, "/letters/")
	outputs := []struct {
		path  string
		names bool // it names the signatories once they are out
		pdf   bool
	}{
		{seedSlug, true, false},
		{seedSlug + "/signatories", true, false},
		{seedSlug + "/signatories.json", true, false},
		{seedSlug + "/signatories.csv", true, false},
		{seedSlug + ".json", false, false},
		{"/api/letters", false, false},
		{"/api/letters/" + slug, false, false},
		{"/api/letters/" + slug + "/signatories", true, false},
		{"/feed.atom", false, false},
		{"/", false, false},
		{seedSlug + "/embed", false, false},
		{seedSlug + "/print", true, false},
		{seedSlug + "/packet.pdf", true, true},
		{dated, true, false},
		{seedSlug + "/fr", true, false},
		{seedSlug + "/fr/signatories", true, false},
		{seedSlug + "/fr/signatories.json", true, false},
		{seedSlug + "/fr/signatories.csv", true, false},
		{seedSlug + "/fr/print", true, false},
		{seedSlug + "/fr/packet.pdf", true, true},
		{strings.Replace(dated, seedSlug, seedSlug+"/fr", 1), true, false},
	}
	read := func(path string, pdf bool) (int, string) {
		r := s.client().Get(path)
		if pdf && r.Status == http.StatusOK {
			return r.Status, extractText(t, pdftotext, r.Body)
		}
		return r.Status, r.Body
	}

	for _, o := range outputs {
		status, body := read(o.path, o.pdf)
		if o.path == dated || strings.Contains(o.path, "/as-of/") {
			if status != http.StatusNotFound {
				t.Errorf("before the launch, the dated list %s answers %d, want 404", o.path, status)
			}
			continue
		}
		if status != http.StatusOK {
			t.Errorf("before the launch, %s answers %d, want 200", o.path, status)
		}
		for _, name := range names {
			if strings.Contains(body, name) {
				t.Errorf("before the launch, %s names %s", o.path, name)
			}
		}
	}
	when := views.FormatDateTime("en", launch)
	s.client().Get(seedSlug).Expect(t, http.StatusOK, "2 signatures", "The list of signatories will be published on "+when+".")
	s.client().Get(seedSlug+"/signatories").Expect(t, http.StatusOK, "The list of signatories will be published on "+when+".")
	s.client().Get(seedSlug+"/fr").Expect(t, http.StatusOK, htmlEscape(views.Message("fr", "campaign.list_hidden", "date", views.FormatDateTime("fr", launch))))
	s.client().Get(seedSlug+".json").Expect(t, http.StatusOK, `"list_hidden_until":"`+launch.UTC().Format(time.RFC3339)+`"`, `"countries":[]`)
	coord.Get(editor)
	coord.Post(editor+"/snapshots", url.Values{}).Expect(t, http.StatusConflict, "The list is hidden until its launch on "+when)
	if time.Now().After(launch) {
		t.Fatal("the walk before the launch ended after it: the launch must be further ahead")
	}

	time.Sleep(time.Until(launch) + 50*time.Millisecond)
	for _, o := range outputs {
		status, body := read(o.path, o.pdf)
		if status != http.StatusOK {
			t.Errorf("after the launch, %s answers %d, want 200", o.path, status)
		}
		for _, name := range names {
			if shown := strings.Contains(body, name); shown != o.names {
				t.Errorf("after the launch, %s names %s: %v, want %v", o.path, name, shown, o.names)
			}
		}
	}
	s.client().Get(seedSlug+".json").Expect(t, http.StatusOK, `"list_hidden_until":null`, `"code":"AZ"`)
}

// TestAPageCachedBeforeTheLaunchIsNotServedAfterIt reads the letter's page
// and its list, which the page cache keeps up to a second, until the last
// moment before the launch; the first read after it names the signatory.
func TestAPageCachedBeforeTheLaunchIsNotServedAfterIt(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("c@example.org", "ICDR")
	s.signAndKeepLink(handlertest.SignForm("Zarina Testova", "AZ", "zarina@example.org"))
	launch := time.Now().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	coord.Get(editor)
	coord.Post(editor+"/settings", embargoed(launch)).Expect(t, http.StatusSeeOther)

	pages := []string{seedSlug, seedSlug + "/signatories", seedSlug + "/signatories.json"}
	for time.Until(launch) > 30*time.Millisecond {
		for _, path := range pages {
			if body := s.client().Get(path).Body; strings.Contains(body, "Zarina Testova") && time.Now().Before(launch) {
				t.Fatalf("%s names the signatory before the launch", path)
			}
		}
	}
	time.Sleep(time.Until(launch))
	for _, path := range pages {
		s.client().Get(path).Expect(t, http.StatusOK, "Zarina Testova")
	}
}

// TestTheCampaignSettingsAreValidatedAndKept: the settings form refuses a
// line that is no domain, a letter sent after today and a launch that is
// no date and time, each beside its field with everything typed kept
// (422); saved, the settings are what the editor shows again.
func TestTheCampaignSettingsAreValidatedAndKept(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("c@example.org", "ICDR")
	coord.Get(editor)
	tomorrowButOne := time.Now().UTC().AddDate(0, 0, 2).Format(time.DateOnly)
	for _, tc := range []struct {
		field, value, message string
	}{
		{"signer_domains", "ICDR.org\ngmail", "“gmail” is not an email domain: write one per line, such as icdr.org."},
		{"sent_on", tomorrowButOne, "A letter cannot have been sent after today: enter the date it was sent."},
		{"sent_on", "11/11/2024", "Please enter a date as YYYY-MM-DD."},
		{"list_hidden_until", "tomorrow at nine", "Enter a date and time in UTC, such as 2024-11-11T09:00."},
	} {
		f := withSettings("invitations_only", "mark_verified")
		f.Set("signer_domains", "forum2000.cz")
		f.Set("sent_on", "2024-11-11")
		f.Set(tc.field, tc.value)
		r := coord.Post(editor+"/settings", f).Expect(t, http.StatusUnprocessableEntity)
		r.Shows(t, tc.message)
		r.ExpectMarkup(t, `id="f-`+tc.field+`-error"`, `name="invitations_only" value="true" checked`, `name="mark_verified" value="true" checked`)
		for _, field := range []string{"signer_domains", "sent_on"} {
			if want := htmlEscape(strings.ToLower(f.Get(field))); !strings.Contains(r.Body, want) {
				t.Errorf("refused for its %s, the form lost its %s %q", tc.field, field, want)
			}
		}
	}

	f := withSettings("invitations_only", "mark_verified")
	f.Set("signer_domains", "@ICDR.org\n\nforum2000.cz ")
	f.Set("list_hidden_until", "2030-01-02T09:30")
	f.Set("sent_on", "2024-11-11")
	coord.Post(editor+"/settings", f).Expect(t, http.StatusSeeOther)
	coord.Get(editor).ExpectMarkup(t, `name="invitations_only" value="true" checked`, `name="mark_verified" value="true" checked`,
		">icdr.org\nforum2000.cz</textarea>", `type="datetime-local" value="2030-01-02T09:30"`, `type="date" value="2024-11-11"`)
}

// TestAMembersOnlyLetterSaysSoAndTakesItsDomainsOnly: the letter's page
// says above its form that it is signed by invitation, and from which
// domains; the public form refuses any other address beside the email
// field, keeping what was typed, and takes one at a listed domain. Listing
// none, it takes no one.
func TestAMembersOnlyLetterSaysSoAndTakesItsDomainsOnly(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("c@example.org", "ICDR")
	f := withSettings("invitations_only")
	f.Set("signer_domains", "icdr.org\nforum2000.cz")
	coord.Get(editor)
	coord.Post(editor+"/settings", f).Expect(t, http.StatusSeeOther)

	signer := s.client()
	signer.Get(seedSlug).Shows(t, "Signatures to this letter are by invitation, and open here to email addresses at icdr.org and forum2000.cz.")
	r := signer.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@gmail.com")).Expect(t, http.StatusUnprocessableEntity)
	r.Shows(t, "This letter is signed by invitation: sign with an email address at icdr.org and forum2000.cz, or through the link in your invitation email.")
	r.ExpectMarkup(t, `id="f-email-error"`, `value="Leyla Yunus"`, `value="leyla@gmail.com"`)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "Leyla@ICDR.org")).Expect(t, http.StatusSeeOther)
	if n := s.signatures(); n != 1 {
		t.Fatalf("%d signatures stored, want the one from icdr.org", n)
	}

	coord.Post(editor+"/settings", withSettings("invitations_only")).Expect(t, http.StatusSeeOther)
	signer = s.client()
	signer.Get(seedSlug).Shows(t, "Signatures to this letter are by invitation: if you were invited, please sign through the link in your invitation email.")
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Jakub Klepal", "CZ", "jakub@icdr.org")).Expect(t, http.StatusUnprocessableEntity).
		Shows(t, "This letter is signed by invitation only: please sign through the link in your invitation email.")
	if n := s.signatures(); n != 1 {
		t.Errorf("%d signatures stored, want no second one", n)
	}
}

// TestALetterSentBeforeItWentOnlineIsDatedAsSent: its page, print page,
// JSON and PDF date it as sent; the page and the JSON still say when it
// was published here.
func TestALetterSentBeforeItWentOnlineIsDatedAsSent(t *testing.T) {
	pdftotext := needPdftotext(t)
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("c@example.org", "ICDR")
	f := listAtOnce()
	f.Set("sent_on", "2024-11-11")
	coord.Get(editor)
	coord.Post(editor+"/settings", f).Expect(t, http.StatusSeeOther)

	today := time.Now().UTC()
	for _, path := range []string{seedSlug, seedSlug + "/print"} {
		s.client().Get(path).Expect(t, http.StatusOK, `Sent on <time datetime="2024-11-11">November 11, 2024</time> · published here on <time datetime="`+
			today.Format(time.DateOnly)+`">`+views.FormatDate("en", today)+`</time>`)
	}
	s.client().Get(seedSlug+".json").Expect(t, http.StatusOK, `"published_at":"`+time.Now().UTC().Format("2006-01-02T"), `"sent_on":"2024-11-11"`)
	pdf := s.client().Get(seedSlug+"/packet.pdf").Expect(t, http.StatusOK)
	if text := extractText(t, pdftotext, pdf.Body); !strings.Contains(text, "in Azerbaijan November 11, 2024") {
		t.Errorf("the PDF is not dated as sent:\n%.600s", text)
	}
}
