package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // letters' timezones read the same on a server without a zoneinfo database

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LetterState is where a letter is in its life: drafted, open for
// signatures, or closed (still public, taking no more signatures).
type LetterState string

// The states of a letter.
const (
	StateDraft  LetterState = "draft"
	StateOpen   LetterState = "open"
	StateClosed LetterState = "closed"
)

// Signers says who may sign a letter.
type Signers string

// Who may sign.
const (
	SignersIndividuals   Signers = "individuals"
	SignersOrganisations Signers = "organisations"
	SignersBoth          Signers = "both"
)

// ListOrder is how a letter's signatories are listed.
type ListOrder string

// The orders of a signatory list.
const (
	OrderAlphabetical ListOrder = "alphabetical" // by sort name, the family name unless corrected
	OrderSigned       ListOrder = "signed"       // in signing order
)

// Letter is a joint letter or statement.
type Letter struct {
	ID             int64
	OrganisationID int64
	Slug           string
	Title          string
	Summary        string
	Initiators     string // one initiating organisation per line
	Addressees     string // one "To:" line per line
	Subject        string
	Salutation     string
	Body           string // Markdown, the only form stored: pages render it on read
	Closing        string // Markdown
	Lang           string
	Signers        Signers
	Listed         bool
	ListOrder      ListOrder
	State          LetterState
	ClosesOn       *time.Time // the last day signatures are taken, at midnight UTC (see ClosesAt)
	Timezone       string     // an IANA name: where ClosesOn is a day
	PublishedAt    *time.Time
	ListChangedAt  *time.Time
	ClosedAt       *time.Time // when it was last closed; retention counts from here
	Revision       int        // the number of the current revision of the text, from 1
	RevisedAt      *time.Time // when the current revision was made; nil for revision 1
	CorrectedAt    *time.Time // when the current revision's text was last corrected, if it was

	ConfirmEmail        bool // new signatures wait for the signer to open an emailed link
	ReviewIndividuals   bool // confirmed signatures of individuals wait for a coordinator
	ReviewOrganisations bool // confirmed signatures of organisations wait for a coordinator
	AllowIndexing       bool // search engines may index the pages that name signers
	RetentionDays       int  // signers' emails are erased this many days after closing

	// A sign-on campaign's settings. InvitationsOnly: signatures come only
	// through partners' invitations, and from SignerDomains (one per line)
	// if any; ListHiddenUntil: the list stays out of every public output
	// until then; SentOn: the date the letter was sent, when it differs
	// from the date it went online; MarkVerified: the public list marks
	// verified organisations.
	InvitationsOnly bool
	SignerDomains   string
	ListHiddenUntil *time.Time
	SentOn          *time.Time
	MarkVerified    bool

	// Counters of listed signatures: named on the list by kind, and counted
	// but not named.
	IndividualCount   int64
	OrganisationCount int64
	UnlistedCount     int64

	// Goals: the signatures counted (SignatureCount) and the organisations
	// listed the letter aims for, 0 for none; reaching one is recorded as a
	// milestone among its updates (see addCounts).
	SignatureGoal    int64
	OrganisationGoal int64

	CreatedAt time.Time
	UpdatedAt time.Time

	DemandGroups []DemandGroup `gorm:"foreignKey:LetterID"`
	Translations []Translation `gorm:"foreignKey:LetterID"` // the published ones only, for the public

	// Initiating are the organisations on Undersigned that initiate the
	// letter, its own then its co-initiators (see InitiatingOrganisations),
	// read with a published letter or a coordinator's: the initiators shown
	// above it come from them (InitiatorNames).
	Initiating []Organisation `gorm:"-"`

	// Original is the original's language when this value reads one of
	// its translations (see Version); empty for the original.
	Original string `gorm:"-"`
	// TranslationBehind is, for a translation, when the original was
	// revised after it was last saved (Translation.BehindSince).
	TranslationBehind *time.Time `gorm:"-"`
}

// DemandGroup is a lead-in ("We demand that the authorities:") followed by
// its demands, one per line.
type DemandGroup struct {
	ID       int64
	LetterID int64
	Position int
	LeadIn   string
	Demands  string
}

// DemandList returns the group's demands in order.
func (g DemandGroup) DemandList() []string { return Lines(g.Demands) }

// LetterText is the part of a letter that signers agree to, with the rules
// a draft must meet (see Validate).
type LetterText struct {
	Title      string            `field:"title" validate:"required,max=200,text"`
	Slug       string            `field:"slug" validate:"omitempty,max=80,slug"` // empty: derived from the title
	Summary    string            `field:"summary" validate:"max=600,multiline"`
	Initiators string            `field:"initiators" validate:"max=2000,multiline,visible"`
	Addressees string            `field:"addressees" validate:"max=2000,multiline,visible"`
	Subject    string            `field:"subject" validate:"max=300,text"`
	Salutation string            `field:"salutation" validate:"max=200,text"`
	Body       string            `field:"body" validate:"max=60000,multiline"`
	Closing    string            `field:"closing" validate:"max=10000,multiline"`
	Groups     []DemandGroupText `field:"group_lead_in" validate:"max=50,dive"` // too many: said at the first lead-in
}

// DemandGroupText is one demand group as drafted.
type DemandGroupText struct {
	LeadIn  string `field:"group_lead_in" validate:"max=1000,text"`
	Demands string `field:"group_demands" validate:"max=20000,multiline"`
}

// LetterSettings is the part of a letter that stays editable after
// signatures exist, with the rules it must meet (see Validate).
type LetterSettings struct {
	Lang                string `field:"lang" validate:"required,max=35,bcp47"`
	ClosesOn            *time.Time
	Timezone            string  `field:"timezone" validate:"max=64,timezone"`
	Signers             Signers `field:"signers" validate:"required,oneof=individuals organisations both"`
	Listed              bool
	ListOrder           ListOrder `field:"list_order" validate:"required,oneof=alphabetical signed"`
	ConfirmEmail        bool
	ReviewIndividuals   bool
	ReviewOrganisations bool
	AllowIndexing       bool
	RetentionDays       int `field:"retention_days" validate:"min=1,max=3650"`

	// A campaign's settings (see Letter): the domains are lower-case, as
	// DomainOf gives a signer's; ListHiddenUntil is in UTC; SentOn is a
	// day at midnight UTC, not after today (see UpdateLetterSettings).
	InvitationsOnly bool
	SignerDomains   []string `field:"signer_domains" validate:"max=50,dive,max=253,domain"`
	ListHiddenUntil *time.Time
	SentOn          *time.Time
	MarkVerified    bool

	// Goals (see Letter), nil for none. A goal changed must be above the
	// count it aims at (GoalTooLow); one kept as it is may be reached.
	SignatureGoal    *int64 `field:"goal_signatures" validate:"omitempty,min=1,max=100000000"`
	OrganisationGoal *int64 `field:"goal_organisations" validate:"omitempty,min=1,max=100000000"`
}

// GoalTooLow refuses a goal set at or under the count it aims at: it would
// be reached already. Field is the setting's field, Count the count.
type GoalTooLow struct {
	Field string
	Count int64
}

func (e *GoalTooLow) Error() string {
	return fmt.Sprintf("the goal %s must be above the count, %d", e.Field, e.Count)
}

// DefaultLetterSettings are the settings of a new letter: signatures are
// confirmed by email, organisations' endorsements are reviewed (what
// coalitions check), pages naming signers are not indexed, and signers'
// emails are kept 180 days after the letter closes.
func DefaultLetterSettings() LetterSettings {
	return LetterSettings{
		Lang: "en", Timezone: "UTC", Signers: SignersBoth, Listed: true, ListOrder: OrderAlphabetical,
		ConfirmEmail: true, ReviewOrganisations: true, RetentionDays: 180,
	}
}

// SignatureCount is the number of signatures counted: named on the list or not.
func (l *Letter) SignatureCount() int64 {
	return l.IndividualCount + l.OrganisationCount + l.UnlistedCount
}

// NamedCount is the number of entries on the list.
func (l *Letter) NamedCount() int64 { return l.IndividualCount + l.OrganisationCount }

// InitiatorList returns the initiating organisations.
func (l *Letter) InitiatorList() []string { return Lines(l.Initiators) }

// AddresseeList returns the "To:" lines.
func (l *Letter) AddresseeList() []string { return Lines(l.Addressees) }

// AsOf is the date the signatory list last changed, or its publication date.
func (l *Letter) AsOf() time.Time {
	switch {
	case l.ListChangedAt != nil:
		return *l.ListChangedAt
	case l.PublishedAt != nil:
		return *l.PublishedAt
	}
	return l.UpdatedAt
}

// Date is the letter's date: when it was published, or today for a draft.
func (l *Letter) Date(now time.Time) time.Time {
	if l.PublishedAt != nil {
		return *l.PublishedAt
	}
	return now
}

// SignerDomainList returns the email domains a members-only letter takes
// signatures from through its public form.
func (l *Letter) SignerDomainList() []string { return Lines(l.SignerDomains) }

// ListHidden reports whether the letter's list is kept out of every public
// output at now: it is embargoed until ListHiddenUntil, its launch. Its
// count is not: the public may know how many signed, not who.
func (l *Letter) ListHidden(now time.Time) bool {
	return l.ListHiddenUntil != nil && now.Before(*l.ListHiddenUntil)
}

// AcceptsPublicSigner returns nil when the letter's public signing form may
// take a signature from email, or ErrInvitationOnly: a members-only letter
// takes there only addresses at one of its SignerDomains (exactly: a
// subdomain is another organisation's), and none when it lists none.
// Invitations sign through their own link, which this rule does not bind.
func (l *Letter) AcceptsPublicSigner(email string) error {
	if !l.InvitationsOnly {
		return nil
	}
	if d := DomainOf(email); d != "" && slices.Contains(l.SignerDomainList(), d) {
		return nil
	}
	return ErrInvitationOnly
}

// IsPublic reports whether the letter has been published.
func (l *Letter) IsPublic() bool { return l.State == StateOpen || l.State == StateClosed }

// locations holds the timezones loaded by name: time.LoadLocation reads a
// file each time, and the signature writer asks for every signature.
var locations sync.Map // string → *time.Location

// Location is the letter's timezone; UTC for a name the timezone database
// does not know (settings check it when they are set).
func (l *Letter) Location() *time.Location {
	if loc, ok := locations.Load(l.Timezone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(l.Timezone)
	if err != nil {
		return time.UTC
	}
	locations.Store(l.Timezone, loc)
	return loc
}

// ClosesAt is the moment signatures close, in the letter's timezone: the
// end of its closing day there (shown as 23:59 of that day); nil when it
// has no closing date.
func (l *Letter) ClosesAt() *time.Time {
	if l.ClosesOn == nil {
		return nil
	}
	y, m, d := l.ClosesOn.UTC().Date()
	at := time.Date(y, m, d+1, 0, 0, 0, 0, l.Location())
	return &at
}

// StateAt is the letter's state as every output shows it at now: an open
// letter reads closed from its closing moment on, with no write needed.
func (l *Letter) StateAt(now time.Time) LetterState {
	if at := l.ClosesAt(); l.State == StateOpen && at != nil && !now.Before(*at) {
		return StateClosed
	}
	return l.State
}

// AcceptsSignatures returns nil when the letter takes signatures at now,
// or why it does not.
func (l *Letter) AcceptsSignatures(now time.Time) error {
	switch l.StateAt(now) {
	case StateDraft:
		return ErrLetterNotOpen
	case StateClosed:
		return ErrLetterClosed
	}
	return nil
}

// OffersNews reports whether the letter's public form may offer news by
// email: only where the signer proves the address by opening the link
// emailed to it, so that no one asks news to be sent to someone else.
// (An invitation's form offers it too: its link went to the address.)
func (l *Letter) OffersNews() bool { return l.ConfirmEmail }

// AllowsKind reports whether the letter takes signatures of this kind.
func (l *Letter) AllowsKind(k SignatureKind) bool {
	switch l.Signers {
	case SignersIndividuals:
		return k == KindIndividual
	case SignersOrganisations:
		return k == KindOrganisation
	}
	return k == KindIndividual || k == KindOrganisation
}

func (t LetterText) apply(l *Letter) {
	l.Title, l.Slug, l.Summary = t.Title, t.Slug, t.Summary
	l.Initiators, l.Addressees, l.Subject, l.Salutation = t.Initiators, t.Addressees, t.Subject, t.Salutation
	l.Body, l.Closing = t.Body, t.Closing
}

func (t LetterText) groups(letterID int64) []DemandGroup {
	var out []DemandGroup
	for _, g := range t.Groups {
		if strings.TrimSpace(g.LeadIn) == "" && len(Lines(g.Demands)) == 0 {
			continue // an emptied group is removed
		}
		out = append(out, DemandGroup{LetterID: letterID, Position: len(out) + 1, LeadIn: g.LeadIn, Demands: strings.Join(Lines(g.Demands), "\n")})
	}
	return out
}

func (st LetterSettings) apply(l *Letter) {
	l.Lang, l.ClosesOn, l.Signers, l.Listed, l.ListOrder = st.Lang, st.ClosesOn, st.Signers, st.Listed, st.ListOrder
	l.Timezone = st.Timezone
	l.ConfirmEmail, l.ReviewIndividuals, l.ReviewOrganisations = st.ConfirmEmail, st.ReviewIndividuals, st.ReviewOrganisations
	l.AllowIndexing, l.RetentionDays = st.AllowIndexing, st.RetentionDays
	l.InvitationsOnly, l.SignerDomains, l.MarkVerified = st.InvitationsOnly, strings.Join(st.SignerDomains, "\n"), st.MarkVerified
	l.ListHiddenUntil, l.SentOn = st.ListHiddenUntil, st.SentOn
	l.SignatureGoal, l.OrganisationGoal = goalOrNone(st.SignatureGoal), goalOrNone(st.OrganisationGoal)
}

// goalOrNone is a goal as a letter keeps it: 0 for none.
func goalOrNone(goal *int64) int64 {
	if goal == nil {
		return 0
	}
	return *goal
}

// CreateLetter drafts a new letter for an organisation the user belongs to.
func (s *Store) CreateLetter(ctx context.Context, userID, orgID int64, text LetterText) (*Letter, error) {
	member, err := s.IsMember(ctx, userID, orgID)
	if err != nil {
		return nil, err
	}
	if !member {
		return nil, ErrNotFound
	}
	now := s.now()
	l := &Letter{OrganisationID: orgID, State: StateDraft, Timezone: "UTC", Revision: 1, CreatedAt: now, UpdatedAt: now}
	DefaultLetterSettings().apply(l)
	text.apply(l)
	err = s.transaction(ctx, func(tx *gorm.DB) error {
		if err := assignSlug(tx, l, text.Slug == ""); err != nil {
			return err
		}
		if err := tx.Omit(clause.Associations).Create(l).Error; err != nil {
			return fmt.Errorf("create letter: %w", err)
		}
		return replaceGroups(tx, l, text)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// UpdateLetterText changes a letter's text. Until anyone has signed, the
// text is edited in place. Once anyone has signed, the text is what they
// agreed to: the edit becomes the letter's next revision instead (see
// revise), made by userID, and the slug no longer changes.
func (s *Store) UpdateLetterText(ctx context.Context, userID int64, l *Letter, text LetterText) error {
	return s.transaction(ctx, func(tx *gorm.DB) error { return s.updateText(tx, userID, l, text) })
}

// updateText is UpdateLetterText in tx.
func (s *Store) updateText(tx *gorm.DB, userID int64, l *Letter, text LetterText) error {
	cur, locked, err := currentText(tx, l.ID)
	if err != nil {
		return err
	}
	if locked {
		return s.revise(tx, userID, l, cur, text)
	}
	return s.editInPlace(tx, l, cur, text)
}

// currentText reads the letter with its demand groups in tx, and whether
// anyone has signed it.
func currentText(tx *gorm.DB, letterID int64) (*Letter, bool, error) {
	var cur Letter
	if err := withGroups(tx).Take(&cur, letterID).Error; err != nil {
		return nil, false, notFound(err)
	}
	locked, err := textLocked(tx, letterID)
	return &cur, locked, err
}

// editInPlace replaces the text of cur, a letter no one has signed, in tx.
func (s *Store) editInPlace(tx *gorm.DB, l, cur *Letter, text LetterText) error {
	// A copy of revision 1 frozen by the migration no longer reads so.
	if err := tx.Where("letter_id = ? AND number = 1", l.ID).Delete(&LetterRevision{}).Error; err != nil {
		return err
	}
	*l = *cur
	text.apply(l)
	if err := assignSlug(tx, l, text.Slug == ""); err != nil {
		return err
	}
	l.UpdatedAt = s.now()
	if err := saveText(tx, l); err != nil {
		return err
	}
	return replaceGroups(tx, l, text)
}

// TextLocked reports whether the letter has been signed, so that a change
// of its text makes a new revision.
func (s *Store) TextLocked(ctx context.Context, letterID int64) (bool, error) {
	return textLocked(s.read.WithContext(ctx), letterID)
}

// textLocked also counts signatures since removed or withdrawn, which the
// audit log remembers (a download of the list, a co-initiator's
// acceptance or a delivery is no signature), and a letter already revised, whose
// signatures may all have been erased since.
func textLocked(db *gorm.DB, letterID int64) (bool, error) {
	var locked bool
	err := db.Raw(`SELECT EXISTS (SELECT 1 FROM signatures WHERE letter_id = ?)
		OR EXISTS (SELECT 1 FROM audit_log WHERE letter_id = ? AND action NOT IN ?)
		OR EXISTS (SELECT 1 FROM letters WHERE id = ? AND revision > 1)`,
		letterID, letterID, []AuditAction{AuditExport, AuditCoInitiate, AuditDeliver}, letterID).Scan(&locked).Error
	return locked, err
}

// UpdateLetterSettings changes the settings that stay editable at all
// times. The original's language may change (it was mislabelled) but not
// to a translation's: ErrTranslationLang. Signatures of the original follow
// its language.
//
// A letter cannot have been sent after today: ErrSentOnFuture. Today is
// the date anywhere on Earth, so that a letter sent this morning in
// Auckland may say so while it is still yesterday in UTC.
func (s *Store) UpdateLetterSettings(ctx context.Context, l *Letter, st LetterSettings) error {
	if st.SentOn != nil && st.SentOn.After(Day(s.now().Add(14*time.Hour))) {
		return ErrSentOnFuture
	}
	was := *l
	st.apply(l)
	l.UpdatedAt = s.now()
	return s.transaction(ctx, func(tx *gorm.DB) error {
		if err := checkGoals(tx, &was, l); err != nil {
			return err
		}
		if l.Lang != was.Lang {
			var taken bool
			err := tx.Raw("SELECT EXISTS (SELECT 1 FROM letter_translations WHERE letter_id = ? AND lang = ?)", l.ID, l.Lang).Scan(&taken).Error
			if err != nil {
				return err
			}
			if taken {
				return ErrTranslationLang
			}
			if err := tx.Model(&Signature{}).Where("letter_id = ? AND lang = ?", l.ID, was.Lang).Update("lang", l.Lang).Error; err != nil {
				return err
			}
		}
		return tx.Model(l).Select("lang", "closes_on", "timezone", "signers", "listed", "list_order", "confirm_email", "review_individuals",
			"review_organisations", "allow_indexing", "retention_days", "invitations_only", "signer_domains", "list_hidden_until", "sent_on",
			"mark_verified", "signature_goal", "organisation_goal", "updated_at").Updates(l).Error
	})
}

// checkGoals refuses, in tx, a goal of l changed from was's to one its
// count has reached already: GoalTooLow. The counts are read in tx, as the
// writer last left them.
func checkGoals(tx *gorm.DB, was, l *Letter) error {
	if l.SignatureGoal == was.SignatureGoal && l.OrganisationGoal == was.OrganisationGoal {
		return nil
	}
	var now Letter
	err := tx.Select("individual_count", "organisation_count", "unlisted_count").Take(&now, l.ID).Error
	if err != nil {
		return notFound(err)
	}
	if g := l.SignatureGoal; g != 0 && g != was.SignatureGoal && g <= now.SignatureCount() {
		return &GoalTooLow{Field: "goal_signatures", Count: now.SignatureCount()}
	}
	if g := l.OrganisationGoal; g != 0 && g != was.OrganisationGoal && g <= now.OrganisationCount {
		return &GoalTooLow{Field: "goal_organisations", Count: now.OrganisationCount}
	}
	return nil
}

// SetLetterState publishes, closes or reopens a letter. Publishing makes
// the publication date the letter's date; a published letter never returns
// to draft.
func (s *Store) SetLetterState(ctx context.Context, l *Letter, to LetterState) error {
	allowed := map[LetterState][]LetterState{
		StateDraft:  {StateOpen},
		StateOpen:   {StateClosed},
		StateClosed: {StateOpen},
	}
	ok := false
	for _, next := range allowed[l.State] {
		ok = ok || next == to
	}
	if !ok {
		return ErrInvalidTransition
	}
	now := s.now()
	updates := map[string]any{"state": to, "updated_at": now}
	if l.State == StateDraft {
		updates["published_at"] = now
		updates["list_changed_at"] = now
	}
	updates["closed_at"] = nil
	if to == StateClosed {
		updates["closed_at"] = now
	}
	return s.transaction(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Letter{}).Where("id = ? AND state = ?", l.ID, l.State).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrInvalidTransition // changed by someone else meanwhile
		}
		return tx.Take(l, l.ID).Error
	})
}

// assignSlug checks that l.Slug is free; when derive is set it derives it
// from the title and picks the first free "-2", "-3"… variant instead.
func assignSlug(tx *gorm.DB, l *Letter, derive bool) error {
	base := l.Slug
	if derive {
		base = Slugify(l.Title)
		if base == "" {
			return ErrSlugNeeded // a generic address would say nothing of the letter
		}
	}
	for n := 1; ; n++ {
		candidate := base
		if n > 1 {
			candidate = base + "-" + strconv.Itoa(n)
		}
		var taken int64
		if err := tx.Model(&Letter{}).Where("slug = ? AND id <> ?", candidate, l.ID).Count(&taken).Error; err != nil {
			return err
		}
		if taken == 0 {
			l.Slug = candidate
			return nil
		}
		if !derive {
			return ErrSlugTaken
		}
	}
}

func replaceGroups(tx *gorm.DB, l *Letter, text LetterText) error {
	if err := tx.Where("letter_id = ?", l.ID).Delete(&DemandGroup{}).Error; err != nil {
		return err
	}
	l.DemandGroups = text.groups(l.ID)
	if len(l.DemandGroups) == 0 {
		return nil
	}
	return tx.Create(&l.DemandGroups).Error
}

func withGroups(db *gorm.DB) *gorm.DB {
	return db.Preload("DemandGroups", func(db *gorm.DB) *gorm.DB { return db.Order("position") })
}

// PublicLetter returns a published letter by its slug, with its demand
// groups and its initiating organisations.
//
// A letter read in the last second is not read again while the store's
// generation stays the same (see generation.go): every public request of a
// crowd starts here. The requests that find it stale at once share one read.
func (s *Store) PublicLetter(ctx context.Context, slug string) (*Letter, error) {
	if !slugShaped(slug) {
		return nil, ErrNotFound // before it becomes a key of the shared read
	}
	if l := s.generation.letter(slug); l != nil {
		return l, nil
	}
	// The read is shared: one client leaving must not fail the others'.
	ctx = context.WithoutCancel(ctx)
	return s.generation.share(slug, func(gen uint64) (*Letter, error) {
		var l Letter
		err := publishedTranslations(withGroups(s.read.WithContext(ctx))).Where("slug = ? AND state IN ?", slug, []LetterState{StateOpen, StateClosed}).Take(&l).Error
		if err != nil {
			return nil, notFound(err)
		}
		if err := loadInitiating(s.read.WithContext(ctx), &l); err != nil {
			return nil, err
		}
		s.generation.keep(gen, &l)
		return &l, nil
	})
}

// slugShaped reports whether slug may be a letter's, as Slugify and
// assignSlug make them: lower-case ASCII letters, digits and hyphens, 80
// characters and a "-N" suffix at most. It is cheap, for every public
// request: whatever else a path holds is no letter's address.
func slugShaped(slug string) bool {
	if slug == "" || len(slug) > 100 {
		return false
	}
	for i := range len(slug) {
		if b := slug[i]; (b < 'a' || b > 'z') && (b < '0' || b > '9') && b != '-' {
			return false
		}
	}
	return true
}

// CoordinatorLetter returns a letter one of the user's organisations
// initiates (drafted or co-initiates), or ErrNotFound: other
// organisations' letters do not exist for them.
func (s *Store) CoordinatorLetter(ctx context.Context, userID, letterID int64) (*Letter, error) {
	var l Letter
	db := s.read.WithContext(ctx)
	err := allTranslations(withGroups(db)).Where("letters.id = ?", letterID).
		Where(`EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ? AND (m.organisation_id = letters.organisation_id
			OR m.organisation_id IN (SELECT organisation_id FROM letter_co_initiators WHERE letter_id = letters.id)))`, userID).
		Take(&l).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &l, loadInitiating(db, &l)
}

// PublicLetters returns a page of published, listed letters, newest first,
// with their initiating organisations, and how many there are in all.
func (s *Store) PublicLetters(ctx context.Context, offset, limit int) ([]Letter, int64, error) {
	db := s.read.WithContext(ctx).Model(&Letter{}).Where("state IN ? AND listed", []LetterState{StateOpen, StateClosed})
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var letters []Letter
	if err := publishedTranslations(db).Order("published_at DESC, id DESC").Offset(offset).Limit(limit).Find(&letters).Error; err != nil {
		return nil, 0, err
	}
	page := make([]*Letter, len(letters))
	for i := range letters {
		page[i] = &letters[i]
	}
	return letters, total, loadInitiating(s.read.WithContext(ctx), page...)
}

// OrganisationLetters is an organisation and its letters, for the dashboard.
type OrganisationLetters struct {
	Organisation Organisation
	Letters      []Letter
}

// CoordinatorLetters returns the user's organisations, each with the
// letters it drafted or co-initiates, newest first.
func (s *Store) CoordinatorLetters(ctx context.Context, userID int64) ([]OrganisationLetters, error) {
	orgs, err := s.Organisations(ctx, userID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	db := s.read.WithContext(ctx)
	var co []CoInitiator
	if err := db.Where("organisation_id IN ?", ids).Find(&co).Error; err != nil {
		return nil, err
	}
	coInitiating := map[int64][]int64{} // letter → the user's organisations co-initiating it
	for _, c := range co {
		coInitiating[c.LetterID] = append(coInitiating[c.LetterID], c.OrganisationID)
	}
	var letters []Letter
	err = db.Where("organisation_id IN ? OR id IN (SELECT letter_id FROM letter_co_initiators WHERE organisation_id IN ?)", ids, ids).
		Order("created_at DESC, id DESC").Find(&letters).Error
	if err != nil {
		return nil, err
	}
	out := make([]OrganisationLetters, len(orgs))
	index := map[int64]int{}
	for i, o := range orgs {
		out[i].Organisation = o
		index[o.ID] = i
	}
	for _, l := range letters {
		for _, org := range append([]int64{l.OrganisationID}, coInitiating[l.ID]...) {
			if i, ok := index[org]; ok {
				out[i].Letters = append(out[i].Letters, l)
			}
		}
	}
	return out, nil
}

// isDuplicate reports whether err is a unique-constraint violation.
func isDuplicate(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey)
}
