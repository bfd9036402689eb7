package public

import (
	"regexp"
	"strings"
	"testing"
)

// physical matches a declaration tied to the left or the right of the
// screen rather than to where a line starts and ends: in a page written
// right to left it would not mirror. Top and bottom are left alone: they
// are the same in both directions.
var physical = regexp.MustCompile(`(?i)` +
	`\b(margin|padding|border|scroll-margin|scroll-padding)-(left|right)\b` + // margin-left, border-right-width…
	`|(^|[\s;{])(left|right)\s*:` + // left: 0
	`|\b(text-align|float|clear)\s*:\s*(left|right)\b` + // text-align: right
	`|\bborder-(top|bottom)-(left|right)-radius\b`)

// comment is a CSS comment, whose words are no declaration.
var comment = regexp.MustCompile(`(?s)/\*.*?\*/`)

// The stylesheet lays pages out with logical properties only (margin-inline-
// start, text-align: start…), so that a page or a section with dir="rtl"
// mirrors: header, letter, form, lists, tables and the printed page alike.
// Nothing needs to stay physical; a rule that must (a drawing, say) would be
// listed here with the reason.
func TestStylesheetMirrorsRightToLeft(t *testing.T) {
	css, err := Files.ReadFile("style.css")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(comment.ReplaceAllStringFunc(string(css), blankLines), "\n") {
		if m := physical.FindString(line); m != "" {
			t.Errorf("style.css:%d: %q is physical; use its logical twin (inline-start/end, inset-inline-*, start/end)", i+1, strings.TrimSpace(m))
		}
	}
}

// blankLines replaces a comment by its line breaks, so that the lines after
// it keep their numbers.
func blankLines(c string) string { return strings.Repeat("\n", strings.Count(c, "\n")) }
