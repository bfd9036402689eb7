package packet

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"undersigned/models/modeltest"
	"undersigned/models/modeltest/suites"
)

// TestMain says at the end which tests were skipped for a missing tool.
func TestMain(m *testing.M) { os.Exit(suites.Run(m)) }

// letter is a letter of every part, its list the entries given, read by
// a Sections that counts its reads in *reads.
func letter(entries []string, reads *int) *Letter {
	date := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	return &Letter{
		Lang: "en", Title: "Joint statement on political prisoners", Initiators: []string{"Forum 2000"},
		Date: date, AsOf: date.AddDate(0, 0, 3), Addressees: []string{"Members of PACE"},
		Subject: "Political prisoners", Salutation: "Excellencies,",
		Body:       "We, the undersigned, write to you.\n\n1. an item",
		Demands:    []DemandGroup{{LeadIn: "We demand that the authorities:", Items: []string{"release them"}}},
		Closing:    "Sincerely,",
		Signatures: int64(len(entries)) + 1, Unlisted: 1,
		PrintURL: "https://example.org/letters/statement/print",
		Sections: func(each func(Section)) error {
			*reads++
			each(Section{Count: int64(len(entries)), Entries: slices.Values(entries)})
			return nil
		},
	}
}

// TestPacketReadsItsListAgainOnlyForAScriptItLacks: the list is read from
// the store once for a packet in scripts its fonts have, and once more
// for a packet that must say, on its first page, which script it cannot
// show and where the print page is.
func TestPacketReadsItsListAgainOnlyForAScriptItLacks(t *testing.T) {
	pdftotext := modeltest.Tool(t, "pdftotext", "apt-get install poppler-utils")
	for _, tc := range []struct {
		entries []string
		reads   int
		notice  bool
	}{
		{[]string{"Leyla Yunus, Azerbaijan", "ليلى يونس, Azerbaijan", "Андрей Сахаров, Russia"}, 1, false},
		{[]string{"Leyla Yunus, Azerbaijan", "王小明, Taiwan"}, 2, true},
	} {
		var reads int
		out, err := Write(letter(tc.entries, &reads))
		if err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, pdftotext, out)
		if reads != tc.reads {
			t.Errorf("%q: the list was read %d times, want %d", tc.entries, reads, tc.reads)
		}
		notice := strings.Index(text, "cannot show the letters of some names or text written in Han")
		if (notice >= 0) != tc.notice || notice > strings.Index(text, "An initiative of") ||
			tc.notice && !strings.Contains(text, "example.org/letters/statement/print") {
			t.Errorf("%q: the first page's notice of a missing script is at %d (want one: %v):\n%.1500s", tc.entries, notice, tc.notice, text)
		}
		for _, want := range append([]string{"Individuals (", "1 more person signed without being named."}, tc.entries[0]) {
			if !strings.Contains(text, want) {
				t.Errorf("%q: the packet lacks %q:\n%.1500s", tc.entries, want, text)
			}
		}
	}
}

// TestPacketFailsWhenItsListCannotBeRead: a list whose reading fails half
// way makes no PDF, rather than a packet that silently lacks signatories.
func TestPacketFailsWhenItsListCannotBeRead(t *testing.T) {
	var reads int
	l := letter([]string{"Leyla Yunus, Azerbaijan"}, &reads)
	lost := errors.New("connection lost")
	l.Sections = func(each func(Section)) error {
		each(Section{Count: 2, Entries: slices.Values([]string{"Leyla Yunus, Azerbaijan"})})
		return lost
	}
	if out, err := Write(l); !errors.Is(err, lost) || out != nil {
		t.Errorf("a list that failed to read made %d bytes of PDF and error %v, want none and the read's", len(out), err)
	}
}

// pdfText is a PDF's text as pdftotext reads it, its spaces and line
// breaks folded to single spaces.
func pdfText(t *testing.T, pdftotext string, pdf []byte) string {
	t.Helper()
	cmd := exec.Command(pdftotext, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestPacketNamesAtMostItsLimitAndSaysWhereTheRestAre: a list longer than
// the packet may hold is still a PDF: it names the first Most entries, in
// the list's order, and says so on its first page and where it stops,
// with the print page's address, which names them all.
func TestPacketNamesAtMostItsLimitAndSaysWhereTheRestAre(t *testing.T) {
	pdftotext := modeltest.Tool(t, "pdftotext", "apt-get install poppler-utils")
	var reads int
	l := letter([]string{"Leyla Yunus, Azerbaijan", "Arif Yunus, Azerbaijan", "Anar Mammadli, Azerbaijan", "Rasul Jafarov, Azerbaijan"}, &reads)
	l.Most = 2
	out, err := Write(l)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdfText(t, pdftotext, out)), " ")
	first := strings.Index(text, "This PDF names the first 2 of the list’s 4 named signatories, in its order. The print page has them all: open https://example.org/letters/statement/print")
	if first < 0 || first > strings.Index(text, "An initiative of") {
		t.Errorf("the first page does not say the packet names 2 of 4 and where the rest are:\n%.1500s", text)
	}
	for _, named := range []string{"Leyla Yunus", "Arif Yunus"} {
		if !strings.Contains(text, named) {
			t.Errorf("the packet lacks %s, among the first two:\n%s", named, text)
		}
	}
	for _, left := range []string{"Anar Mammadli", "Rasul Jafarov"} {
		if strings.Contains(text, left) {
			t.Errorf("the packet names %s, beyond its limit of two", left)
		}
	}
	if !strings.Contains(strings.ReplaceAll(text, " ", ""), "…and2morenamedsignatories,ontheprintpage:https://example.org/letters/statement/print") { // a line may break in the address
		t.Errorf("the list does not say where the rest are where it stops:\n%s", text)
	}
}
