package models_test

import (
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"undersigned/models"
)

func TestNormalizeTextComposesAndTrims(t *testing.T) {
	decomposed := "  Pavel Ps\u030ceja\t"
	if got := models.NormalizeText(decomposed); got != "Pavel Pšeja" {
		t.Errorf("NormalizeText(%q) = %q, want %q", decomposed, got, "Pavel Pšeja")
	}
}

func TestValidPlainText(t *testing.T) {
	tests := []struct {
		in        string
		multiline bool
		ok        bool
	}{
		{"ليلى يونس", false, true},
		{"Владимир Кара-Мурза", false, true},
		{"a\nb", false, false},
		{"a\nb", true, true},
		{"bell\a", true, false},
		{"nul\x00", false, false},
		{"bad \xff utf-8", false, false},
		{"rtl override \u202e", false, true}, // a letter's text may need marks; names are held to InvisibleIn
	}
	for _, tt := range tests {
		if got := models.ValidPlainText(tt.in, tt.multiline); got != tt.ok {
			t.Errorf("ValidPlainText(%q, %v) = %v, want %v", tt.in, tt.multiline, got, tt.ok)
		}
	}
}

// A name may not carry an invisible formatting character, except the
// joiners inside a word, where Persian, Indic scripts and emoji need them.
func TestInvisibleIn(t *testing.T) {
	tests := []struct {
		in    string
		found rune
	}{
		{"Leyla Yunus", 0},
		{"Leyla \u202eYunus", 0x202e},
		{"\u2067ليلى يونس\u2069", 0x2067},
		{"Leyla\u200eYunus", 0x200e},
		{"\u061cليلى", 0x061c},
		{"Amn\u200besty", 0x200b},
		{"\ufeffLeyla", 0xfeff},
		{"Leyla\u2060Yunus", 0x2060},
		{"Menschen\u00adrechte", 0x00ad},
		{"مهدی حسین\u200cزاده", 0},        // Persian: ZWNJ inside a word
		{"\u0915\u094d\u200d\u0937", 0},   // Devanagari: ZWJ after a virama
		{"\U0001f469\u200d\U0001f4bb", 0}, // an emoji sequence
		{"\u200cLeyla", 0x200c},
		{"Leyla\u200d", 0x200d},
		{"Leyla \u200cYunus", 0x200c},
		{"Leyla\u200c\u200cYunus", 0x200c},
	}
	for _, tt := range tests {
		r, found := models.InvisibleIn(tt.in)
		if found != (tt.found != 0) || r != tt.found {
			t.Errorf("InvisibleIn(%q) = %U, %v; want %U", tt.in, r, found, tt.found)
		}
	}
	for _, email := range []string{"ley\u200cla@example.org", "leyla@exa\u200dmple.org", "\ufeffleyla@example.org"} {
		if _, found := models.InvisibleInEmail(email); !found {
			t.Errorf("InvisibleInEmail(%q) finds nothing", email)
		}
	}
	if _, found := models.InvisibleInEmail("leyla.yunus+letters@example.org"); found {
		t.Error("InvisibleInEmail refuses a plain address")
	}
}

// SignerEmailKey folds the ways of writing one mailbox that a signer could
// use to sign twice: case and spaces everywhere, and for Gmail, which
// delivers them all to one inbox, the dots and +tag of the local part and
// the googlemail.com domain. Other providers may treat dots and + as part
// of distinct addresses, so those stay.
func TestSignerEmailKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Leyla.Yunus@Example.org", "leyla.yunus@example.org"},
		{"  leyla@example.org\t", "leyla@example.org"},
		{"Leyla.Yunus@Gmail.com", "leylayunus@gmail.com"},
		{"leyla.yunus+letters@gmail.com", "leylayunus@gmail.com"},
		{"l.e.y.l.a+one+two@googlemail.com", "leyla@gmail.com"},
		{" LeylaYunus@GOOGLEMAIL.COM ", "leylayunus@gmail.com"},
		{"leyla.yunus+letters@example.org", "leyla.yunus+letters@example.org"},
		{"leyla.yunus+letters@gmail.com.example.org", "leyla.yunus+letters@gmail.com.example.org"},
		{"leyla.yunus@mail.gmail.com", "leyla.yunus@mail.gmail.com"},
		{"not an address", "not an address"},
	}
	for _, tt := range tests {
		if got := models.SignerEmailKey(tt.in); got != tt.want {
			t.Errorf("SignerEmailKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSlugify(t *testing.T) {
	tests := map[string]string{
		"Joint Letter to UN Human Rights Council: More attention needed": "joint-letter-to-un-human-rights-council-more-attention-needed",
		"Česká republika — 2024":                                         "ceska-republika-2024",
		"  !!! ":                                                         "",
		strings.Repeat("x", 100):                                         strings.Repeat("x", 80),
		strings.Repeat("long ", 40):                                      strings.TrimRight(strings.Repeat("long-", 16), "-"),
	}
	for in, want := range tests {
		if got := models.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

// Signers sign at the same moment: folding their names must not share state.
func TestSortKeyIsSafeForConcurrentSigners(t *testing.T) {
	names := map[string]string{"Pšeja": "pseja", "Čapek": "capek", "Kara-Murza": "kara-murza", "Ichihara": "ichihara"}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				for in, want := range names {
					if got := models.SortKey(in); got != want {
						t.Errorf("SortKey(%q) = %q, want %q", in, got, want)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

// Every signature of a crowd folds a sort key in the single writer's
// path and the handlers'; making the folding transformer anew for each
// allocated some 10 KB in 7 allocations, a fifth of all a signing run
// allocated. The transformers are kept and used again.
func TestSortKeyAllocatesLittle(t *testing.T) {
	for _, name := range []string{"Yunus", "Кара-Мурза"} {
		// The key itself and the lower-cased copy; a race build's pool
		// drops a quarter of what it is given, hence the margin.
		if n := testing.AllocsPerRun(200, func() { models.SortKey(name) }); n > 4 {
			t.Errorf("SortKey(%q) allocates %.0f times, want at most 4", name, n)
		}
	}
}

// FuzzNormalizeText feeds every form field's normaliser whatever a signer's
// browser, keyboard or bot may send. None may panic, and text that passes
// ValidPlainText must be what we promise to store: valid UTF-8, NFC, trimmed,
// and unchanged by a second pass (an edited signature must not drift).
func FuzzNormalizeText(f *testing.F) {
	for _, s := range []string{
		"Pavel Ps\u030ceja",
		"  Ле\u0301ся Украї\u0308нка\t",
		"ليلى يونس",
		"مُحَمَّد",
		"Václav Havel\r\nPraha",
		" \u0301x",
		"bell\a nul\x00 del\x7f",
		"bad \xff\xfe utf-8 \xc3",
		"\u2028line\u2029para\ufeff",
		"rtl \u202eoverride",
		"İSTANBUL ẞ K",
		"Joint Letter — Česká republika 2024",
		"  Jakub@Forum2000.EXAMPLE ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := models.NormalizeText(s)
		if models.ValidPlainText(n, false) {
			if !utf8.ValidString(n) || !norm.NFC.IsNormalString(n) {
				t.Errorf("NormalizeText(%q) = %q: not valid NFC", s, n)
			}
			if n != strings.TrimSpace(n) {
				t.Errorf("NormalizeText(%q) = %q: not trimmed", s, n)
			}
			if again := models.NormalizeText(n); again != n {
				t.Errorf("NormalizeText not idempotent: %q -> %q -> %q", s, n, again)
			}
		}
		if r, found := models.InvisibleIn(n); found && !unicode.Is(unicode.Cf, r) {
			t.Errorf("InvisibleIn(%q) refuses %U, not a formatting character", n, r)
		}
		if m := models.NormalizeMultiline(s); models.ValidPlainText(m, true) && models.NormalizeMultiline(m) != m {
			t.Errorf("NormalizeMultiline not idempotent: %q -> %q -> %q", s, m, models.NormalizeMultiline(m))
		}

		// Only names that passed ValidPlainText reach SortKey; on invalid
		// UTF-8, x/text/norm may read a bad lead byte and the valid letter
		// after it as one unit and leave that letter's accent on.
		if key := models.SortKey(s); utf8.ValidString(s) && models.SortKey(key) != key {
			t.Errorf("SortKey not idempotent: %q -> %q -> %q", s, key, models.SortKey(key))
		}
		if slug := models.Slugify(s); slug != "" && !models.ValidSlug(slug) {
			t.Errorf("Slugify(%q) = %q, not a valid slug", s, slug)
		}
		if key := models.EmailKey(s); models.EmailKey(key) != key {
			t.Errorf("EmailKey not idempotent: %q -> %q -> %q", s, key, models.EmailKey(key))
		}
		// The key is stored: folding it again must find the same signature.
		if key := models.SignerEmailKey(s); models.SignerEmailKey(key) != key {
			t.Errorf("SignerEmailKey not idempotent: %q -> %q -> %q", s, key, models.SignerEmailKey(key))
		}
	})
}
