package views_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"undersigned/views"
)

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
		got := string(views.RenderMarkdown(tt.in))
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
	// A list as long but flat is the yardstick: rendering in time that
	// grows with the nesting, rather than with the length, takes hundreds
	// of times as long, while the race detector and a busy machine slow
	// both alike.
	flat := renderTime(strings.Repeat("- x\n", 15000))
	for name, src := range tests {
		if took := renderTime(src); took > 4*flat && took > 100*time.Millisecond {
			t.Errorf("%s: rendering %d bytes took %v, a flat list as long %v", name, len(src), took, flat)
		}
		out := string(views.RenderMarkdown(src))
		if depth := strings.Count(out, "<blockquote>") + strings.Count(out, "<ul>") + strings.Count(out, "<ol>"); !strings.Contains(out, "x") || depth == 0 {
			t.Errorf("%s: rendered as %.200q", name, out)
		}
	}
	nested := string(views.RenderMarkdown(strings.Repeat(">", 25) + " x"))
	if n := strings.Count(nested, "<blockquote>"); n != 20 {
		t.Errorf("25 nested blockquotes render %d deep, want 20", n)
	}
	if !strings.Contains(nested, "&gt;&gt;&gt;&gt;&gt; x") {
		t.Errorf("the markers beyond 20 levels are not kept as text: %q", nested)
	}
}

// renderTime is the shortest of three renderings of src, as HTML and as
// the PDF's plain blocks.
func renderTime(src string) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		views.RenderMarkdown(src)
		views.PlainBlocks(src)
		best = min(best, time.Since(start))
	}
	return best
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
		out := string(views.RenderMarkdown(src))
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
	want := []views.PlainBlock{
		{Text: "We are deeply concerned with the situation in Azerbaijan. It worsens daily."},
		{Text: "release all prisoners;", Marker: "•", Depth: 1},
		{Text: "end the crackdown.", Marker: "•", Depth: 1},
		{Text: "first", Marker: "3.", Depth: 1},
		{Text: "second", Marker: "4.", Depth: 1},
	}
	got := views.PlainBlocks(src)
	if len(got) != len(want) {
		t.Fatalf("PlainBlocks = %#v, want %#v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("block %d = %#v, want %#v", i, got[i], want[i])
		}
	}
}

// An update shows rendered, its script dropped; the index and the feed show
// its opening words as plain text.
func TestExcerptIsTheRenderedTextCutAtAWord(t *testing.T) {
	src := "Two of the prisoners were **released** on 7 February; <script>alert(1)</script>the others remain in detention, and their trials go on."
	if out := string(views.RenderMarkdown(src)); strings.Contains(out, "<script") || !strings.Contains(out, "<strong>released</strong>") {
		t.Errorf("rendered %q", out)
	}
	if got, want := views.Excerpt(src, 40), "Two of the prisoners were released on 7…"; got != want {
		t.Errorf("excerpt %q, want %q", got, want)
	}
	if got, want := views.Excerpt("First *news*.", 40), "First news."; got != want {
		t.Errorf("excerpt %q, want %q", got, want)
	}
}
