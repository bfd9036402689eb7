package models_test

import (
	"io"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
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

func TestRenderMarkdownKeepsTheSafeSubsetOnly(t *testing.T) {
	tests := []struct{ in, want, unwanted string }{
		{"*free* **now**", "<em>free</em> <strong>now</strong>", ""},
		{"[CIVICUS](https://civicus.org)", `<a href="https://civicus.org" rel="nofollow">CIVICUS</a>`, ""},
		{"- one\n- two", "<li>one</li>", ""},
		{"<script>alert(1)</script>", "", "<script"},
		{"[x](javascript:alert(1))", "", "javascript:"},
		{`<img src=x onerror=alert(1)>`, "", "onerror"},
		{"<svg onload=alert(1)>", "", "<svg"},
	}
	for _, tt := range tests {
		got := models.RenderMarkdown(tt.in)
		if tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("RenderMarkdown(%q) = %q, want it to contain %q", tt.in, got, tt.want)
		}
		if tt.unwanted != "" && strings.Contains(got, tt.unwanted) {
			t.Errorf("RenderMarkdown(%q) = %q contains %q", tt.in, got, tt.unwanted)
		}
	}
}

// A letter's Markdown renders in bounded time however deeply it nests: a
// body of 59,000 nested ">" took seconds, as goldmark's time grows with the
// square of the depth. Beyond 20 levels, markers are read as text.
func TestRenderMarkdownTimeIsBoundedWhateverTheNesting(t *testing.T) {
	tests := map[string]string{
		"blockquotes":         strings.Repeat(">", 59000) + " x",
		"spaced blockquotes":  strings.Repeat("> ", 29500) + "x",
		"lists":               strings.Repeat("- ", 29500) + "x",
		"ordered lists":       strings.Repeat("1. ", 19600) + "x",
		"quotes in lists":     strings.Repeat("> - ", 14700) + "x",
		"a deep line a line":  strings.Repeat(strings.Repeat(">", 40)+" x\n", 1400),
		"indented list items": indentedList(60000),
	}
	for name, src := range tests {
		start := time.Now()
		out := models.RenderMarkdown(src)
		models.PlainBlocks(src)
		if took := time.Since(start); took > 500*time.Millisecond {
			t.Errorf("%s: rendering %d bytes took %v", name, len(src), took)
		}
		if depth := strings.Count(out, "<blockquote>") + strings.Count(out, "<ul>") + strings.Count(out, "<ol>"); !strings.Contains(out, "x") || depth == 0 {
			t.Errorf("%s: rendered as %.200q", name, out)
		}
	}
	nested := models.RenderMarkdown(strings.Repeat(">", 25) + " x")
	if n := strings.Count(nested, "<blockquote>"); n != 20 {
		t.Errorf("25 nested blockquotes render %d deep, want 20", n)
	}
	if !strings.Contains(nested, "&gt;&gt;&gt;&gt;&gt; x") {
		t.Errorf("the markers beyond 20 levels are not kept as text: %q", nested)
	}
}

// indentedList is a list each of whose items is nested in the one before,
// by indentation, n bytes long.
func indentedList(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(strings.Repeat(" ", 2*i) + "- x\n")
	}
	return b.String()
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

// FuzzRenderMarkdown checks that no letter text, however hostile, comes out
// of RenderMarkdown as markup that runs code or loads anything. The output is
// read by the HTML tokenizer, as a browser reads it (entities in attributes
// decoded, raw-text elements respected), rather than searched for substrings.
// Not by the tree parser: it gives up past 512 open elements, and the fuzzer
// soon writes 600 nested ** (testdata/fuzz/FuzzRenderMarkdown/591e6f9b25610247).
func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range []string{
		"We demand that the authorities:\n\n- release *all* prisoners\n- **now**\n\n> as of November 11, 2024",
		"[CIVICUS](https://civicus.org) and <mailto:info@example.org>",
		"<script>alert(1)</script>",
		"[x](javascript:alert(1))",
		"[x](JaVaScRiPt&#58;alert(1))",
		"[x]( \tjava\nscript:alert(1))",
		"[x](vbscript:msgbox(1))",
		"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"![x](javascript:alert(1))",
		`<img src=x onerror=alert(1)>`,
		"<svg onload=alert(1)>",
		"<iframe src=//evil.example></iframe>",
		"<style>body{display:none}</style>",
		`<a href="https://ok.example" onclick="alert(1)">x</a>`,
		"<!-- <script>alert(1)</script> -->",
		"`<script>alert(1)</script>`\n\n    <script>alert(1)</script>",
		"[x][r]\n\n[r]: javascript:alert(1)",
		"ليلى يونس, Владимир Кара-Мурза, Pavel Ps\u030ceja",
		"bell\a nul\x00 bad \xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out := models.RenderMarkdown(src)
		z := html.NewTokenizer(strings.NewReader(out))
		for {
			switch z.Next() {
			case html.ErrorToken:
				if z.Err() != io.EOF {
					t.Fatalf("RenderMarkdown(%q) = %q: %v", src, out, z.Err())
				}
				return
			case html.TextToken:
			case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
				if tok := z.Token(); !safeMarkdownTag(tok) {
					t.Errorf("RenderMarkdown(%q) = %q: %s outside the safe subset", src, out, tok)
				}
			default:
				t.Errorf("RenderMarkdown(%q) = %q: unexpected %s", src, out, z.Token())
			}
		}
	})
}

// safeMarkdownTag reports whether tok is one of the elements a letter may
// contain, with no attribute but a safe link and its rel.
func safeMarkdownTag(tok html.Token) bool {
	switch tok.Data {
	case "p", "em", "strong", "ul", "ol", "li", "br", "blockquote":
		return len(tok.Attr) == 0
	case "a":
		for _, a := range tok.Attr {
			if !(a.Key == "rel" || a.Key == "href" && safeHref(a.Val)) {
				return false
			}
		}
		return true
	}
	return false
}

// safeHref reports whether a link, read the way a browser reads it (outer
// spaces and controls trimmed, tabs and newlines dropped, scheme in any
// case), goes to http, https or mailto.
func safeHref(href string) bool {
	href = strings.TrimFunc(href, func(r rune) bool { return r <= ' ' })
	href = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(href)
	scheme, _, ok := strings.Cut(href, ":")
	if !ok {
		return false // bluemonday drops relative links unless told otherwise
	}
	switch strings.ToLower(scheme) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

func TestPlainBlocksReadMarkdownAsItsParagraphsAndItems(t *testing.T) {
	src := "We are *deeply* concerned with **the situation** in [Azerbaijan](https://example.org).\n" +
		"It worsens <b>daily</b>.\n\n" +
		"- release `all` prisoners;\n- end the _crackdown_.\n\n" +
		"3. first\n4. second\n\n<div>raw HTML</div>\n"
	want := []models.PlainBlock{
		{Text: "We are deeply concerned with the situation in Azerbaijan. It worsens daily."},
		{Text: "release all prisoners;", Marker: "•", Depth: 1},
		{Text: "end the crackdown.", Marker: "•", Depth: 1},
		{Text: "first", Marker: "3.", Depth: 1},
		{Text: "second", Marker: "4.", Depth: 1},
	}
	got := models.PlainBlocks(src)
	if len(got) != len(want) {
		t.Fatalf("PlainBlocks = %#v, want %#v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("block %d = %#v, want %#v", i, got[i], want[i])
		}
	}
}
