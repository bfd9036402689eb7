package models

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gosimple/slug"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// NormalizeText trims surrounding space and puts s in Unicode NFC, so that
// "Pšeja" typed on two keyboards is stored as one string. Invalid UTF-8 is
// returned unchanged for ValidPlainText to refuse.
func NormalizeText(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return norm.NFC.String(strings.TrimSpace(s))
}

// NormalizeMultiline is NormalizeText for text areas: line endings become
// "\n" and every line loses its trailing space.
func NormalizeMultiline(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	return NormalizeText(strings.Join(lines, "\n"))
}

// ValidPlainText reports whether s is valid UTF-8 without control characters
// (newlines and tabs allowed when multiline).
func ValidPlainText(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufffd' {
			return false
		}
	}
	return true
}

// InvisibleIn returns the first invisible formatting character (Unicode
// category Cf) in a name, affiliation, role or line of names, and whether
// there is one. Such characters show nothing, yet a bidi override (U+202E)
// reverses the rest of a list entry, a mark (U+200F) moves its punctuation,
// and a zero-width space makes a second "Amnesty" that no duplicate check
// finds. Pages already isolate each name's direction (dir="auto", <bdi>),
// so no name needs them. The exception is the joiners, ZWNJ (U+200C) and
// ZWJ (U+200D): Persian writes "حسین‌زاده" with a ZWNJ, Indic scripts and
// emoji need both; they are kept between two letters, marks or symbols, and
// refused anywhere else (at an edge, beside a space, alone).
func InvisibleIn(s string) (rune, bool) {
	prev := ' '
	for i, r := range s {
		if !unicode.Is(unicode.Cf, r) {
			prev = r
			continue
		}
		if r == '\u200c' || r == '\u200d' {
			rest := s[i+utf8.RuneLen(r):]
			next, _ := utf8.DecodeRuneInString(rest)
			if rest != "" && joinable(prev) && joinable(next) {
				prev = r
				continue
			}
		}
		return r, true
	}
	return 0, false
}

// joinable reports whether a joiner may stand beside r.
func joinable(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.So, r)
}

// InvisibleInEmail is InvisibleIn for an email address, which no script
// needs a joiner in: every formatting character is refused.
func InvisibleInEmail(s string) (rune, bool) {
	for _, r := range s {
		if unicode.Is(unicode.Cf, r) {
			return r, true
		}
	}
	return 0, false
}

// CodePoint writes r as Unicode charts name it: "U+202E".
func CodePoint(r rune) string { return fmt.Sprintf("U+%04X", r) }

// Lines splits a text area into its non-empty lines.
func Lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// EmailKey is the form of a coordinator's email address that accounts are
// found by: trimmed and lower-cased.
func EmailKey(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// SignerEmailKey is the form of a signer's email address that the
// one-signature-per-email rule compares: EmailKey, and for Gmail, which
// ignores them, without the dots and the +tag of the local part.
func SignerEmailKey(email string) string {
	key := EmailKey(email)
	local, domain, ok := strings.Cut(key, "@")
	if !ok || (domain != "gmail.com" && domain != "googlemail.com") {
		return key
	}
	local, _, _ = strings.Cut(local, "+")
	return strings.ReplaceAll(local, ".", "") + "@gmail.com"
}

// DefaultSortName is the part of a name an alphabetical list sorts by: the
// last word of a person's name ("Kara-Murza" for "Vladimir Kara-Murza"), or
// the whole name of an organisation.
func DefaultSortName(kind SignatureKind, name string) string {
	if kind == KindOrganisation {
		return name
	}
	fields := strings.Fields(name)
	if len(fields) == 0 {
		return name
	}
	return fields[len(fields)-1]
}

// foldingMarks keeps the transformers SortKey uses. A chained transformer
// keeps state, so each call needs its own; making one allocated some 10 KB,
// a fifth of all a signing crowd allocated.
var foldingMarks = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// SortKey folds a sort name for ordering: case and diacritics dropped, so
// that "Pšeja" sorts with "Pseja" and "Čapek" with "Capek".
func SortKey(sortName string) string {
	foldMarks := foldingMarks.Get().(transform.Transformer)
	defer foldingMarks.Put(foldMarks)
	folded, _, err := transform.String(foldMarks, sortName) // which resets it first
	if err != nil {
		folded = sortName
	}
	return strings.ToLower(folded)
}

// Slugify makes a URL slug from a title: lower-case ASCII letters and digits
// joined by single hyphens, at most 80 characters, cut between words. A
// title in another script is transliterated (gosimple/slug): an Arabic or
// Russian title gives a readable address, not an empty one.
func Slugify(title string) string {
	key := slug.Make(title)
	var b strings.Builder
	hyphen := false
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
	}
	out := b.String()
	if len(out) > 80 {
		out = out[:81]
		if cut := strings.LastIndexByte(out, '-'); cut > 0 {
			out = out[:cut]
		} else {
			out = out[:80]
		}
	}
	return strings.Trim(out, "-")
}

// ValidDomain reports whether s is an email domain as DomainOf gives one:
// lower-case ASCII labels of letters, digits and inner hyphens, of 63
// characters at most, two at least, the last not a number. A domain in
// another script is written as its "xn--" form, as addresses carry it.
func ValidDomain(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 || len(s) > 253 {
		return false
	}
	for _, label := range labels {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := range len(label) {
			if b := label[i]; (b < 'a' || b > 'z') && (b < '0' || b > '9') && b != '-' {
				return false
			}
		}
	}
	_, err := strconv.Atoi(labels[len(labels)-1])
	return err != nil
}

// ValidSlug reports whether slug is what Slugify produces.
func ValidSlug(slug string) bool {
	return slug != "" && len(slug) <= 80 && Slugify(slug) == slug
}
