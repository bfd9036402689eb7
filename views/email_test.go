package views

import (
	"strings"
	"testing"
	"time"
)

// Every email is composed whole, in one language: each named parameter
// filled and none left in braces, the date in the email's language, and an
// email asked for in a language the catalogue lacks comes whole in English,
// saying so, rather than half translated.
func TestEmailsComposedWhole(t *testing.T) {
	until := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	params := map[string][]any{
		"confirm":   {"title", "Free them all", "confirm_url", "https://x.test/confirm/c", "until", until, "manage_url", "https://x.test/signature/m"},
		"signed":    {"title", "Free them all", "manage_url", "https://x.test/signature/m"},
		"again":     {"title", "Free them all", "manage_url", "https://x.test/signature/m"},
		"reconfirm": {"title", "Free them all", "signed", 1, "current", 2, "revision_url", "https://x.test/letters/l/revisions/1", "confirm_url", "https://x.test/reconfirm/r"},
	}
	for kind, p := range params {
		for _, lang := range []string{"en", "xx"} {
			e := ComposeEmail(lang, kind, p...)
			if e.Lang != "en" {
				t.Errorf("%s in %s says it is in %q, want en", kind, lang, e.Lang)
			}
			text := e.Subject + "\n" + e.Body
			if strings.ContainsAny(text, "{}%") || !strings.Contains(e.Subject, "Free them all") {
				t.Errorf("%s in %s is not filled in:\n%s", kind, lang, text)
			}
			for i := 1; i < len(p); i += 2 {
				if s, ok := p[i].(string); ok && strings.HasPrefix(s, "https://") && !strings.Contains(e.Body, s) {
					t.Errorf("%s in %s lacks its link %s:\n%s", kind, lang, s, e.Body)
				}
			}
		}
	}
	if e := ComposeEmail("en", "confirm", params["confirm"]...); !strings.Contains(e.Body, "The link works until December 4, 2026.") {
		t.Errorf("the confirmation email does not date its link:\n%s", e.Body)
	}
}
