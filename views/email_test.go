package views

import (
	"strings"
	"testing"
	"time"
)

// Every email is composed whole, in one language: in each language of the
// catalogue that has it, each named parameter filled and none left in
// braces, every link in; the date in the email's language; and an email
// asked for in a language the catalogue lacks comes whole in English,
// saying so, rather than half translated.
func TestEmailsComposedWhole(t *testing.T) {
	until := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	params := map[EmailKind][]any{
		ConfirmEmail:        {"title", "Free them all", "confirm_url", "https://x.test/confirm/c", "until", until, "manage_url", "https://x.test/signature/m"},
		SignedEmail:         {"title", "Free them all", "manage_url", "https://x.test/signature/m"},
		AgainEmail:          {"title", "Free them all", "manage_url", "https://x.test/signature/m"},
		ReconfirmEmail:      {"title", "Free them all", "signed", 1, "current", 2, "revision_url", "https://x.test/letters/l/revisions/1", "confirm_url", "https://x.test/reconfirm/r"},
		InviteEmail:         {"name", "Anar", "inviter", "Ana", "organisation", "ICDR", "partner", "CNIS", "title", "Free them all", "deadline", "", "sign_url", "https://x.test/invited/i", "decline_url", "https://x.test/invited/i/decline"},
		InviteReminderEmail: {"name", "Anar", "inviter", "Ana", "organisation", "ICDR", "partner", "CNIS", "title", "Free them all", "deadline", "", "sign_url", "https://x.test/invited/i", "decline_url", "https://x.test/invited/i/decline"},
		CoInitiationEmail:   {"title", "Free them all", "name", "Jakub Klepal", "organisation", "Forum 2000", "url", "https://x.test/dashboard/co-initiations/t", "until", until},
	}
	for kind, p := range params {
		for _, lang := range append([]string{"xx"}, Languages...) {
			want := DefaultLang
			if l := langs[lang]; l != nil && l.has(kind.subject, kind.body) {
				want = lang
			}
			e := ComposeEmail(lang, kind, p...)
			if e.Lang != want {
				t.Errorf("%s in %s says it is in %q, want %s", kind.body, lang, e.Lang, want)
			}
			text := e.Subject + "\n" + e.Body
			if strings.ContainsAny(text, "{}%") || !strings.Contains(e.Subject, "Free them all") {
				t.Errorf("%s in %s is not filled in:\n%s", kind.body, lang, text)
			}
			for i := 1; i < len(p); i += 2 {
				if s, ok := p[i].(string); ok && strings.HasPrefix(s, "https://") && !strings.Contains(e.Body, s) {
					t.Errorf("%s in %s lacks its link %s:\n%s", kind.body, lang, s, e.Body)
				}
			}
		}
	}
	if e := ComposeEmail("en", ConfirmEmail, params[ConfirmEmail]...); !strings.Contains(e.Body, "The link works until December 4, 2026.") {
		t.Errorf("the confirmation email does not date its link:\n%s", e.Body)
	}
}
