package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Translation is a letter's whole text in a language other than its
// original: everything signers agree to but the initiators, whose names
// are not translated. The letter's list, count and settings are shared by
// every version; each signature records the version its signer read.
type Translation struct {
	ID       int64
	LetterID int64
	Lang     string // a BCP 47 tag, unique per letter and never the original's
	TranslatedText
	PublishedAt *time.Time // nil while a draft; then when it was first published
	CorrectedAt *time.Time // when its published text was last corrected, if it was
	// BehindSince is when the original was revised in substance after the
	// translation was last saved; nil while it is up to date.
	BehindSince *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TranslatedText is the text of a translation: what its signers agree to.
type TranslatedText struct {
	Title        string
	Summary      string
	Addressees   string
	Subject      string
	Salutation   string
	Body         string
	Closing      string
	DemandGroups string // JSON, as a revision stores them, in the original's order
}

// TranslationRevision is a translation's text as it read up to revision
// Number of its letter, frozen when a change of substance replaced it:
// what its signers agreed to.
type TranslationRevision struct {
	ID       int64
	LetterID int64
	Lang     string
	Number   int
	TranslatedText
	CreatedAt time.Time
}

// TableName is the translations' table.
func (Translation) TableName() string { return "letter_translations" }

// Published reports whether the translation is public (once its letter is).
func (t *Translation) Published() bool { return t.PublishedAt != nil }

// Groups returns the translation's demand groups as drafted.
func (t *TranslatedText) Groups() ([]DemandGroupText, error) {
	var groups []revisionGroup
	if err := json.Unmarshal([]byte(t.DemandGroups), &groups); err != nil {
		return nil, fmt.Errorf("demand groups of a translation: %w", err)
	}
	out := make([]DemandGroupText, len(groups))
	for i, g := range groups {
		out[i] = DemandGroupText(g)
	}
	return out, nil
}

// Text returns the translation as the editor's form holds it.
func (t *TranslatedText) Text() (LetterText, error) {
	groups, err := t.Groups()
	return LetterText{
		Title: t.Title, Summary: t.Summary, Addressees: t.Addressees, Subject: t.Subject, Salutation: t.Salutation,
		Body: t.Body, Closing: t.Closing, Groups: groups,
	}, err
}

// apply sets the translation's text to text: the slug and initiators of a
// letter's text are the letter's, not a translation's.
func (t *TranslatedText) apply(text LetterText) error {
	groups := translationGroups(text)
	stored := make([]revisionGroup, len(groups))
	for i, g := range groups {
		stored[i] = revisionGroup(g)
	}
	js, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	t.Title, t.Summary, t.Addressees, t.Subject, t.Salutation = text.Title, text.Summary, text.Addressees, text.Subject, text.Salutation
	t.Body, t.Closing = text.Body, text.Closing
	t.DemandGroups = string(js)
	return nil
}

// translationGroups are text's demand groups with their demands one per
// line, up to the last one written: unlike the original's, an empty group
// before it stays, since the n-th group translates the original's n-th.
func translationGroups(text LetterText) []DemandGroupText {
	out := make([]DemandGroupText, len(text.Groups))
	last := 0
	for i, g := range text.Groups {
		out[i] = DemandGroupText{LeadIn: strings.TrimSpace(g.LeadIn), Demands: strings.Join(Lines(g.Demands), "\n")}
		if out[i] != (DemandGroupText{}) {
			last = i + 1
		}
	}
	return out[:last]
}

// TranslationGap is one part of the original a translation lacks, or one
// it has that the original does not.
type TranslationGap struct {
	// Field is the part: "title", "summary", "addressees", "subject",
	// "salutation", "body", "closing", or for a demand group "group" (the
	// whole group is missing, or is extra when Original is 0),
	// "group_lead_in" or "group_demands".
	Field string
	// Group is the demand group's number, from 1.
	Group int
	// Original and Here are the numbers of demands of the group, or of
	// demand groups, in the original and in the translation.
	Original, Here int
}

// IncompleteError refuses to publish a translation that lacks a part of the original.
type IncompleteError struct {
	Gaps []TranslationGap
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("translation incomplete: %d parts differ from the original", len(e.Gaps))
}

// ErrTranslationLang refuses a translation into the letter's original
// language, or into a language the letter already has: its address would
// be another version's.
var ErrTranslationLang = errors.New("the letter already has a version in that language")

// TranslationGaps returns what text, a translation of l, lacks of l's text:
// each part the original has and it leaves empty, each demand group
// missing, and each group whose number of demands differs (demands are
// translated one for one, in the same order). A translation may leave out
// no demand: signers of each version must agree to the same demands.
func (l *Letter) TranslationGaps(text LetterText) []TranslationGap {
	var gaps []TranslationGap
	for _, f := range []struct {
		name           string
		original, here string
	}{
		{"title", l.Title, text.Title}, {"summary", l.Summary, text.Summary}, {"addressees", l.Addressees, text.Addressees},
		{"subject", l.Subject, text.Subject}, {"salutation", l.Salutation, text.Salutation}, {"body", l.Body, text.Body},
		{"closing", l.Closing, text.Closing},
	} {
		if strings.TrimSpace(f.original) != "" && strings.TrimSpace(f.here) == "" {
			gaps = append(gaps, TranslationGap{Field: f.name})
		}
	}
	groups := translationGroups(text)
	for i, g := range l.DemandGroups {
		n := len(g.DemandList())
		switch {
		case i >= len(groups) || groups[i] == (DemandGroupText{}):
			gaps = append(gaps, TranslationGap{Field: "group", Group: i + 1, Original: n})
			continue
		case strings.TrimSpace(g.LeadIn) != "" && groups[i].LeadIn == "":
			gaps = append(gaps, TranslationGap{Field: "group_lead_in", Group: i + 1})
		}
		if here := len(Lines(groups[i].Demands)); here != n {
			gaps = append(gaps, TranslationGap{Field: "group_demands", Group: i + 1, Original: n, Here: here})
		}
	}
	for i := len(l.DemandGroups); i < len(groups); i++ {
		gaps = append(gaps, TranslationGap{Field: "group", Group: i + 1, Here: len(Lines(groups[i].Demands))})
	}
	return gaps
}

// Version returns the letter as it reads in lang: l itself for its
// original language, else a copy reading its translation into lang, which
// must be published (else ErrNotFound). The copy keeps the letter's
// identity, list, counts and settings; its Original names the original's
// language.
func (l *Letter) Version(lang string) (*Letter, error) {
	if lang == l.Lang {
		return l, nil
	}
	i := slices.IndexFunc(l.Translations, func(t Translation) bool { return t.Lang == lang && t.Published() })
	if i < 0 {
		return nil, ErrNotFound
	}
	t := &l.Translations[i]
	v, err := l.Reading(t.Lang, &t.TranslatedText, t.CorrectedAt)
	if err == nil {
		v.TranslationBehind = t.BehindSince
	}
	return v, err
}

// Reading returns a copy of l reading t, its translation into lang,
// published or not (a coordinator previews a draft), corrected at
// corrected: see Version.
func (l *Letter) Reading(lang string, t *TranslatedText, corrected *time.Time) (*Letter, error) {
	groups, err := t.Groups()
	if err != nil {
		return nil, err
	}
	v := *l
	v.Original, v.Lang = l.OriginalLang(), lang
	v.Title, v.Summary, v.Addressees, v.Subject, v.Salutation = t.Title, t.Summary, t.Addressees, t.Subject, t.Salutation
	v.Body, v.Closing = t.Body, t.Closing
	v.CorrectedAt = corrected
	v.DemandGroups = make([]DemandGroup, len(groups))
	for i, g := range groups {
		v.DemandGroups[i] = DemandGroup{LetterID: l.ID, Position: i + 1, LeadIn: g.LeadIn, Demands: g.Demands}
	}
	return &v, nil
}

// versionOf is l as the signer of sig read it, for their emails to name
// it: l itself when that version is no longer published.
func (l *Letter) versionOf(sig *Signature) *Letter {
	if v, err := l.Version(sig.Lang); err == nil {
		return v
	}
	return l
}

// IsTranslation reports whether l reads a translation (see Version).
func (l *Letter) IsTranslation() bool { return l.Original != "" }

// OriginalLang is the language of the letter's original text.
func (l *Letter) OriginalLang() string {
	if l.IsTranslation() {
		return l.Original
	}
	return l.Lang
}

// Versions returns the languages the letter can be read in: its original
// first, then its published translations.
func (l *Letter) Versions() []string {
	out := []string{l.OriginalLang()}
	for _, t := range l.Translations {
		if t.Published() {
			out = append(out, t.Lang)
		}
	}
	return out
}

// LaterTranslations returns the published translations added after the
// letter was published, oldest first: the letter dates each, since some
// signed before it existed.
func (l *Letter) LaterTranslations() []Translation {
	var out []Translation
	for _, t := range l.Translations {
		if t.Published() && l.PublishedAt != nil && t.PublishedAt.After(*l.PublishedAt) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b Translation) int { return a.PublishedAt.Compare(*b.PublishedAt) })
	return out
}

// publishedTranslations preloads a letter's published translations.
func publishedTranslations(db *gorm.DB) *gorm.DB {
	return db.Preload("Translations", func(db *gorm.DB) *gorm.DB {
		return db.Where("published_at IS NOT NULL").Order("lang")
	})
}

// allTranslations preloads a letter's translations, drafts too.
func allTranslations(db *gorm.DB) *gorm.DB {
	return db.Preload("Translations", func(db *gorm.DB) *gorm.DB { return db.Order("lang") })
}

// SaveTranslation saves text as l's translation into lang, drafting it
// when there is none, and publishes it when publish is set. A published
// translation stays published, so saving it is publishing it again: the
// text must then be complete (an *IncompleteError says what it lacks, and
// nothing is saved). A translation into the original's language is
// ErrTranslationLang. Once people have signed through a published
// translation, its text changes by CorrectTranslation or ReviseTranslation
// only (ErrTranslationSigned). The caller has authorised access to l.
func (s *Store) SaveTranslation(ctx context.Context, l *Letter, lang string, text LetterText, publish bool) (*Translation, error) {
	var t Translation
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		cur, err := s.translationTarget(tx, l.ID, lang, &t)
		if err != nil {
			return err
		}
		if t.Published() {
			signed, err := versionSigned(tx, l.ID, lang)
			if err != nil {
				return err
			}
			if signed {
				return ErrTranslationSigned
			}
		}
		publish = publish || t.Published()
		if publish {
			if gaps := cur.TranslationGaps(text); len(gaps) > 0 {
				return &IncompleteError{Gaps: gaps}
			}
		}
		now := s.now()
		if err := t.apply(text); err != nil {
			return err
		}
		if publish && t.PublishedAt == nil {
			t.PublishedAt = &now
		}
		t.UpdatedAt, t.BehindSince = now, nil
		if t.ID == 0 {
			t.LetterID, t.Lang, t.CreatedAt = l.ID, lang, now
			return tx.Create(&t).Error
		}
		return tx.Save(&t).Error
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// ErrTranslationSigned refuses to edit in place a translation people have
// signed through: a correction or a revision changes it.
var ErrTranslationSigned = errors.New("the translation has been signed: correct or revise it")

// translationTarget reads, in tx, the letter a translation into lang
// belongs to, with its demand groups, and the translation into t when there
// is one.
func (s *Store) translationTarget(tx *gorm.DB, letterID int64, lang string, t *Translation) (*Letter, error) {
	var cur Letter
	if err := withGroups(tx).Take(&cur, letterID).Error; err != nil {
		return nil, notFound(err)
	}
	if lang == cur.Lang {
		return nil, ErrTranslationLang
	}
	err := tx.Where("letter_id = ? AND lang = ?", letterID, lang).Take(t).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	return &cur, nil
}

// versionSigned reports whether anyone has signed the letter through its
// version in lang, signatures since withdrawn or removed included.
func versionSigned(tx *gorm.DB, letterID int64, lang string) (bool, error) {
	var signed bool
	err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM signatures WHERE letter_id = ? AND lang = ?)`, letterID, lang).Scan(&signed).Error
	return signed, err
}

// Translation returns l's translation into lang, draft or published, or ErrNotFound.
func (s *Store) Translation(ctx context.Context, l *Letter, lang string) (*Translation, error) {
	var t Translation
	if err := s.read.WithContext(ctx).Where("letter_id = ? AND lang = ?", l.ID, lang).Take(&t).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// signedTranslation reads, in tx, l's published translation into lang for
// a change of its text, which must leave it complete (*IncompleteError),
// with the letter and its demand groups.
func (s *Store) signedTranslation(tx *gorm.DB, letterID int64, lang string, text LetterText) (*Letter, *Translation, error) {
	var t Translation
	cur, err := s.translationTarget(tx, letterID, lang, &t)
	if err != nil {
		return nil, nil, err
	}
	if !t.Published() {
		return nil, nil, ErrNotFound
	}
	if gaps := cur.TranslationGaps(text); len(gaps) > 0 {
		return nil, nil, &IncompleteError{Gaps: gaps}
	}
	return cur, &t, nil
}

// CorrectTranslation changes the text of l's published translation into
// lang without a new revision: for typos and formatting, which change
// nothing its signers agreed to. They are not asked again; the translation
// says when it was corrected, and the audit log who corrected it, with
// detail. The caller has authorised access to l.
func (s *Store) CorrectTranslation(ctx context.Context, userID int64, l *Letter, lang string, text LetterText, detail string) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		_, t, err := s.signedTranslation(tx, l.ID, lang, text)
		if err != nil {
			return err
		}
		if err := t.apply(text); err != nil {
			return err
		}
		now := s.now()
		t.CorrectedAt, t.UpdatedAt = &now, now
		if err := tx.Save(t).Error; err != nil {
			return fmt.Errorf("correct the %s translation: %w", lang, err)
		}
		return s.audit(tx, l.ID, &userID, nil, AuditCorrect, detail)
	})
}

// ReviseTranslation makes text, a change of substance of l's published
// translation into lang, the letter's next revision, and asks the signers
// of earlier revisions through that version to agree to it (as
// ReviseLetterText does for the original), in one transaction. The
// translation's text until now is frozen as a TranslationRevision. The
// original and the other translations read the same in the new revision:
// their signers agreed to what it says in their language, and move to it
// without being asked again. It returns how many signers it asked. The
// caller has authorised access to l.
func (s *Store) ReviseTranslation(ctx context.Context, userID int64, l *Letter, lang string, text LetterText, mail ReconfirmationMail, detail func(asked, revision int) string) (int, error) {
	asked := 0
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		cur, t, err := s.signedTranslation(tx, l.ID, lang, text)
		if err != nil {
			return err
		}
		edited := t.TranslatedText
		if err := edited.apply(text); err != nil || edited == t.TranslatedText {
			return err // saving the form unchanged makes no revision
		}
		if err := freeze(tx, cur); err != nil {
			return err
		}
		now := s.now()
		frozen := TranslationRevision{LetterID: l.ID, Lang: lang, Number: cur.Revision, TranslatedText: t.TranslatedText, CreatedAt: now}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&frozen).Error; err != nil {
			return fmt.Errorf("freeze the %s translation: %w", lang, err)
		}
		t.TranslatedText, t.CorrectedAt, t.UpdatedAt, t.BehindSince = edited, nil, now, nil
		if err := tx.Save(t).Error; err != nil {
			return err
		}
		next := *cur
		next.Revision, next.RevisedAt, next.CorrectedAt, next.UpdatedAt = cur.Revision+1, &now, nil, now
		if err := saveText(tx, &next); err != nil {
			return err
		}
		stored, err := revisionOf(&next, now, &userID)
		if err != nil {
			return err
		}
		if err := tx.Create(stored).Error; err != nil {
			return err
		}
		if err := carryForward(tx, l.ID, lang, cur.Revision); err != nil {
			return err
		}
		asked, err = s.askReconfirmation(tx, l.ID, userID, mail, detail)
		l.Revision, l.RevisedAt, l.CorrectedAt = next.Revision, next.RevisedAt, nil
		return err
	})
	return asked, err
}

// carryForward moves the signers of revision n of a letter through a
// version other than lang, whose text the next revision leaves as it is,
// to the next revision, in tx; a request to agree to n, which some of them
// have, now asks about the next: it shows the same text.
func carryForward(tx *gorm.DB, letterID int64, lang string, n int) error {
	err := tx.Exec("UPDATE signatures SET revision = ? WHERE letter_id = ? AND lang <> ? AND revision = ?", n+1, letterID, lang, n).Error
	if err != nil {
		return fmt.Errorf("carry signers forward: %w", err)
	}
	return tx.Exec("UPDATE signatures SET reconfirm_asked = ? WHERE letter_id = ? AND lang <> ? AND reconfirm_asked = ?",
		n+1, letterID, lang, n).Error
}

// TranslationAt returns the text of l's translation into lang as it read
// at revision n of the letter: the one frozen first at n or later. A text
// never replaced since is ErrNotFound: it is the current one.
func (s *Store) TranslationAt(ctx context.Context, l *Letter, lang string, n int) (*TranslationRevision, error) {
	var r TranslationRevision
	err := s.read.WithContext(ctx).Where("letter_id = ? AND lang = ? AND number >= ?", l.ID, lang, n).Order("number").Take(&r).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}
