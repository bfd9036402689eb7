package handlers_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"undersigned/handlers"
)

// The interface speaks the visitor's language: the one they chose in the
// header's switcher (remembered), else the one their browser prefers among
// the site's, else the site's own; Arabic pages read right to left.
func TestTheInterfaceSpeaksTheVisitorsLanguage(t *testing.T) {
	s := newSite(t, handlers.Config{Lang: "fr"})
	get := func(path, acceptLanguage, cookie string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "lang", Value: cookie})
		}
		resp, err := s.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for _, c := range []struct {
		name, path, accept, cookie string
		want                       []string
	}{
		{"the site's default", "/login", "", "", []string{`<html lang="fr" dir="ltr">`, "Connexion"}},
		{"the browser's language", "/login", "ar-EG,ar;q=0.9,en;q=0.5", "", []string{`<html lang="ar" dir="rtl">`}},
		{"the browser's second choice", "/login", "de-DE,de;q=0.9,ru;q=0.8", "", []string{`<html lang="ru" dir="ltr">`}},
		{"no language the site has", "/login", "de-DE,ja;q=0.5", "", []string{`<html lang="fr"`}},
		{"a broken header", "/login", ";;;q=,,", "", []string{`<html lang="fr"`}},
		{"the chosen one over the browser's", "/login", "ar", "es", []string{`<html lang="es" dir="ltr">`}},
		{"a cookie naming no language", "/login", "ru", "xx-evil", []string{`<html lang="ru"`}},
		{"the switcher's link", "/login?lang=ar", "en", "", []string{`<html lang="ar" dir="rtl">`}},
		{"an unknown language in the query", "/login?lang=zz", "es", "", []string{`<html lang="es"`}},
	} {
		resp := get(c.path, c.accept, c.cookie)
		body := readBody(t, resp)
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page lacks %q", c.name, w)
			}
		}
		if vary := strings.Join(resp.Header.Values("Vary"), ","); !strings.Contains(vary, "Accept-Language") || !strings.Contains(vary, "Cookie") {
			t.Errorf("%s: Vary %q: a shared cache would serve one language to all", c.name, vary)
		}
	}

	// The switcher's link is remembered, and the switcher offers each
	// language named in itself, marked with its language.
	resp := get("/login?lang=ru", "", "")
	var remembered string
	for _, ck := range resp.Cookies() {
		if ck.Name == "lang" {
			remembered = ck.Value
		}
	}
	if remembered != "ru" {
		t.Errorf("the chosen language is not remembered: cookie %q", remembered)
	}
	body := readBody(t, get("/login", "", "ru"))
	for _, w := range []string{`<html lang="ru"`, `href="/login?lang=ar" lang="ar" dir="rtl" hreflang="ar">العربية</a>`, `lang="fr" dir="ltr" hreflang="fr">français</a>`, `hreflang="ru" aria-current="true">русский</a>`} {
		if !strings.Contains(body, w) {
			t.Errorf("the switcher lacks %q", w)
		}
	}

	// The switcher keeps the page's other parameters: the second page of a
	// list stays the second page.
	if body := readBody(t, get("/?page=2&lang=fr", "", "")); !strings.Contains(body, `href="/?lang=ar&amp;page=2"`) {
		t.Error("the switcher's link to Arabic loses the page's other parameters")
	}

	// A cached page is kept per language: the French visitor after the
	// Arabic one reads French.
	if body := readBody(t, get("/", "ar", "")); !strings.Contains(body, `lang="ar"`) {
		t.Error("the Arabic front page is not Arabic")
	}
	if body := readBody(t, get("/", "fr", "")); !strings.Contains(body, `<html lang="fr"`) {
		t.Error("the cache served the Arabic page to a French visitor")
	}
}

// A site whose default language the interface lacks does not start.
func TestAnUnknownDefaultLanguageIsRefused(t *testing.T) {
	_, _, err := handlers.New(t.Context(), nil, nil, handlers.Config{BaseURL: "http://x.test", Lang: "tlh"})
	if err == nil || !strings.Contains(err.Error(), "tlh") {
		t.Fatalf("err = %v, want one naming the language", err)
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
