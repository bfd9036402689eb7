package models_test

import (
	"strings"
	"sync"
	"testing"

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
		{"rtl override \u202e", false, true}, // a format character, shown safely with dir="auto"
	}
	for _, tt := range tests {
		if got := models.ValidPlainText(tt.in, tt.multiline); got != tt.ok {
			t.Errorf("ValidPlainText(%q, %v) = %v, want %v", tt.in, tt.multiline, got, tt.ok)
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
