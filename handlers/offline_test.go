package handlers_test

import (
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
)

// offlineImport is the import form for lines gathered at source ("paper",
// "event" named event, or "online"), shown as display.
func offlineImport(lines, display, source, event string) url.Values {
	f := importForm(lines, "individual")
	f.Set("import_display", display)
	f.Set("import_source", source)
	f.Set("import_event", event)
	return f
}

// importOffline previews form and confirms it, as a coordinator does.
func importOffline(t *testing.T, coord *handlertest.Client, letterPath string, form url.Values, says string) {
	t.Helper()
	coord.Get(letterPath + "/import")
	preview := coord.PostMultipart(letterPath+"/import/preview", form, "", "").Expect(t, http.StatusOK, says,
		`<input type="hidden" name="import_source" value="`+form.Get("import_source")+`">`)
	confirm := confirmForm(t, preview)
	for _, field := range []string{"import_display", "import_source", "import_event"} {
		m := regexp.MustCompile(`name="` + field + `" value="([^"]*)"`).FindStringSubmatch(preview.Markup)
		confirm.Set(field, m[1])
	}
	coord.PostMultipart(letterPath+"/import", confirm, "", "").Expect(t, http.StatusSeeOther)
}

// Signatures gathered on paper or at an event are imported with their
// source and counted apart: the letter, its list, its JSON and its CSV say
// how many and where, the coordinators find them by source, and removing
// them takes them out of that count.
func TestOfflineSignaturesAreCountedApartEverywhere(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	s.signIn("Online Signer", "CZ", "online@example.org", false)
	v := s.client()

	coord.Get(letterPath+"/import").Expect(t, http.StatusOK, "Where were these signatures gathered?",
		`<input type="radio" id="f-import_source-online" name="import_source" value="online" checked>`,
		`<label for="f-import_event">Name of the event</label>`)

	// At one event, anonymously: the letter names the event.
	event := "Climate March, Prague"
	importOffline(t, coord, letterPath, offlineImport("Marta Novak, CZ\nJan Dvorak, CZ\n", "anonymous", "event", event),
		"Gathered at <bdi>Climate March, Prague</bdi>: the letter counts them apart.")
	v.Get(seedSlug).Expect(t, http.StatusOK).
		ExpectMarkup(t, "3 signatures, of which 2 gathered at <bdi>Climate March, Prague</bdi>")

	// On paper too: the letter says how many were gathered offline.
	importOffline(t, coord, letterPath, offlineImport("Paper One, Forum 2000, CZ\nPaper Two, FR\nPaper Three, GE\n", "full", "paper", ""),
		"Gathered on paper: the letter counts them apart.")
	v.Get(seedSlug).Expect(t, http.StatusOK, "6 signatures, of which 5 gathered offline", "Paper One, Forum 2000, Czechia")
	v.Get(seedSlug+"/signatories").Expect(t, http.StatusOK, "6 signatures, of which 5 gathered offline")

	var letter handlers.APILetter
	decodeJSON(t, v.Get(seedSlug+".json").Expect(t, http.StatusOK), &letter)
	want := handlers.APIOffline{Count: 5, BySource: []handlers.APIOfflineCount{{Source: "paper", Count: 3}, {Source: event, Count: 2}}}
	if letter.Counts.Total != 6 || !reflect.DeepEqual(letter.Offline, want) {
		t.Errorf("JSON: %d signatures, offline %+v; want 6, of which %+v", letter.Counts.Total, letter.Offline, want)
	}

	// The public CSV names where a named signer signed, never where an
	// anonymous one did.
	sources := map[string]string{}
	for _, row := range readCSV(t, v.Get(seedSlug+"/signatories.csv").Expect(t, http.StatusOK))[1:] {
		sources[row[7]] += row[9] + ";"
	}
	if wantSources := map[string]string{"Online Signer, Czechia": ";", "Paper One, Forum 2000, Czechia": "paper;", "Paper Two, France": "paper;",
		"Paper Three, Georgia": "paper;", "Anonymous, Czechia": ";;"}; !reflect.DeepEqual(sources, wantSources) {
		t.Errorf("public CSV sources by entry: %q, want %q", sources, wantSources)
	}
	// The coordinators' CSV does, for every signature.
	coordCSV := readCSV(t, coord.Get(letterPath+"/signatures.csv").Expect(t, http.StatusOK))
	if header := coordCSV[0]; header[len(header)-1] != "source" {
		t.Errorf("coordinators' CSV header %q has no source last", header)
	}
	count := map[string]int{}
	for _, row := range coordCSV[1:] {
		count[row[len(row)-1]]++
	}
	if !reflect.DeepEqual(count, map[string]int{"": 1, "paper": 3, event: 2}) {
		t.Errorf("coordinators' CSV sources: %v", count)
	}

	// The signatures page filters by source, and tags each.
	page := coord.Get(letterPath+"/signatures?source=offline%3Apaper").Expect(t, http.StatusOK, "3 signatures match",
		`<option value="offline:paper" selected>On paper</option>`, `<option value="offline:Climate March, Prague">At Climate March, Prague</option>`,
		`<span class="tag">On paper</span>`)
	if strings.Contains(page.Body, "Online Signer") || strings.Contains(page.Body, "Marta") {
		t.Error("the filter on paper shows signatures from elsewhere")
	}
	coord.Get(letterPath+"/signatures?source=offline%3A").Expect(t, http.StatusUnprocessableEntity, "Please choose one of the options.")

	// Removed, the paper signatures leave the count gathered offline.
	batch := url.Values{"action": {"remove"}, "reason": {"entered twice"}, "source": {"offline:paper"}}
	for _, m := range regexp.MustCompile(`name="sig" value="(\d+)"`).FindAllStringSubmatch(page.Markup, -1) {
		batch.Add("sig", m[1])
	}
	coord.Post(letterPath+"/signatures/batch", batch).Expect(t, http.StatusSeeOther)
	v.Get(seedSlug).Expect(t, http.StatusOK).ExpectMarkup(t, "3 signatures, of which 2 gathered at <bdi>Climate March, Prague</bdi>")
}

// An import from an event needs the event's name, short enough to read
// beside a count: refused with 422, the form as sent, the error beside the
// field and in the summary, and nothing stored.
func TestAnEventWithoutANameOrTooLongANameIsRefused(t *testing.T) {
	for _, c := range []struct{ name, event, says string }{
		{"no name", "  ", "Name the event where these signatures were gathered."},
		{"too long", strings.Repeat("Climate March ", 8), "Shorten the event’s name to at most 100 characters."},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSite(t, handlers.Config{})
			coord, letterPath := s.publishedLetter("c@example.org", "Org")
			coord.Get(letterPath + "/import")
			form := offlineImport("Marta Novak, CZ\n", "full", "event", c.event)
			for _, path := range []string{"/import/preview", "/import"} {
				r := coord.PostMultipart(letterPath+path, form, "", "").Expect(t, http.StatusUnprocessableEntity,
					`href="#f-import_event"`, `<p class="error-message" id="f-import_event-error">`, c.says,
					`value="event" checked>`, "Marta Novak, CZ</textarea>")
				if value := strings.TrimSpace(c.event); value != "" && !strings.Contains(r.Body, `value="`+value+`"`) {
					t.Errorf("%s: the event's name is not kept", path)
				}
			}
			if n := s.signatures(); n != 0 {
				t.Errorf("a refused import stored %d signatures", n)
			}
		})
	}
}
