package handlertest

import (
	"bytes"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
)

// Response is what a request got back.
type Response struct {
	Status   int
	Body     string // the page without its <bdi> tags (see WithoutIsolates)
	Markup   string // the page as sent
	Location string
	Header   http.Header
}

// ReadResponse reads resp whole and closes its body.
func ReadResponse(resp *http.Response) (Response, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Body: WithoutIsolates(string(body)), Markup: string(body),
		Location: resp.Header.Get("Location"), Header: resp.Header}, err
}

// isolate is a <bdi> tag, which isolates a name's direction and changes
// none of its text.
var isolate = regexp.MustCompile(`</?bdi( lang="[^"]*")?>`)

// WithoutIsolates is a page's markup without its <bdi> tags, for tests of
// what it says; the tests of directions read the tags in Response.Markup.
func WithoutIsolates(page string) string { return isolate.ReplaceAllString(page, "") }

// Expect fails the test unless r has the status and contains every
// fragment, in its text without <bdi> tags or as sent.
func (r Response) Expect(t testing.TB, status int, fragments ...string) Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.Status, status, Excerpt(r.Body))
	}
	for _, f := range fragments {
		if !strings.Contains(r.Body, f) && !strings.Contains(r.Markup, f) {
			t.Fatalf("body lacks %q (whole page in %s):\n%s", f, keep(r.Body), Excerpt(r.Body))
		}
	}
	return r
}

// ExpectMarkup fails the test unless r's markup, <bdi> tags and all,
// contains every fragment.
func (r Response) ExpectMarkup(t testing.TB, fragments ...string) Response {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(r.Markup, f) {
			t.Fatalf("markup lacks %q (whole page in %s):\n%s", f, keep(r.Markup), Excerpt(r.Markup))
		}
	}
	return r
}

// Shows fails the test unless the page, read as text (entities decoded, as
// a reader sees it), contains every fragment.
func (r Response) Shows(t testing.TB, fragments ...string) Response {
	t.Helper()
	text := html.UnescapeString(r.Body)
	for _, f := range fragments {
		if !strings.Contains(text, f) {
			t.Fatalf("the page does not say %q:\n%s", f, Excerpt(text))
		}
	}
	return r
}

// keep writes a failing page where its reader can open it whole, and
// returns the file's name.
func keep(page string) string {
	name := filepath.Join(os.TempDir(), "last-failure.html")
	os.WriteFile(name, []byte(page), 0o644)
	return name
}

// Excerpt is the start of a page's main content, for a failure message.
func Excerpt(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 3000 {
		s = s[:3000] + "…"
	}
	return s
}

// checkHeadingLevels fails the test when a heading skips a level (an h3
// right after an h1), which leaves a screen reader's outline with a hole:
// every page a Client loads is checked.
func checkHeadingLevels(t testing.TB, path, page string) {
	t.Helper()
	z := xhtml.NewTokenizer(bytes.NewReader([]byte(page)))
	prev := 0
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return
		case xhtml.StartTagToken:
			name, _ := z.TagName()
			if len(name) != 2 || name[0] != 'h' || name[1] < '1' || name[1] > '6' {
				continue
			}
			level := int(name[1] - '0')
			if level > prev+1 {
				t.Errorf("%s: an h%d follows an h%d, skipping a level", path, level, prev)
			}
			prev = level
		}
	}
}
