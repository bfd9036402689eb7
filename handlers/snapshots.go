package handlers

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// changesShown is how many added and how many gone entries a dated list's
// page shows; it says how many more there are. The store keeps 100 of each
// when a list is published (models' changesKept): more would not show.
const changesShown = 100

// DatedListView links a published dated list.
type DatedListView struct {
	AsOf  time.Time
	Count int64 // signatures counted on that date
	URL   string
}

func datedListPath(l *models.Letter, asOf time.Time) string {
	return letterPath(l) + "/as-of/" + asOf.Format(time.DateOnly)
}

// datedLists returns the letter's published lists, newest first.
func (h *Handler) datedLists(ctx context.Context, l *models.Letter) ([]DatedListView, error) {
	snaps, err := h.store.Snapshots(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	out := make([]DatedListView, len(snaps))
	for i := range snaps {
		out[i] = DatedListView{AsOf: snaps[i].AsOf, Count: snaps[i].SignatureCount(), URL: datedListPath(l, snaps[i].AsOf)}
	}
	return out, nil
}

// SnapshotView is the view of a dated list: the list as it read on its
// date, and on its first page what changed since the previous one.
type SnapshotView struct {
	Letter     LetterView // only what was frozen: title, language, date, counts
	Sections   []SectionView
	Pagination Pagination
	Previous   *DatedListView
	Added      []string
	Gone       []string
	AddedCount int64
	GoneCount  int64
	AddedMore  int64
	GoneMore   int64
	Withdrawn  int64 // entries taken off since publication
}

// snapshot shows a letter's list as published on a date. Everything on the
// page comes from the frozen snapshot, so that its body reads byte for byte
// the same whatever happens to the letter and its list later, but for the
// entries withdrawn since, which it no longer shows and counts instead.
func (h *Handler) snapshot(c *fiber.Ctx) error {
	date, err := time.Parse(time.DateOnly, c.Params("date"))
	if err != nil {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	l, err := h.publicVersion(c)
	if err != nil {
		return err
	}
	if h.hiddenUntil(c, l) != nil {
		return fiber.ErrNotFound // no dated list is out before the launch, whenever it was published
	}
	snap, err := h.store.SnapshotAsOf(ctx, l.ID, date)
	if err != nil {
		return err
	}
	page := pageNumber(c)
	offset := (page - 1) * signatoriesPerPage
	if page > 1 && int64(offset) >= snap.NamedCount() {
		return fiber.ErrNotFound
	}
	entries, err := h.store.SnapshotEntries(ctx, snap, offset, signatoriesPerPage)
	if err != nil {
		return err
	}
	title, lang, mainLang := h.snapshotVersion(c, l, snap)
	v := SnapshotView{
		Letter: LetterView{Title: title, Slug: l.Slug, Lang: lang, AsOf: snap.AsOf, Count: snap.SignatureCount(),
			Unlisted: snap.UnlistedCount, Path: letterPath(l)},
		Sections:   h.snapshotSections(snap, entries),
		Pagination: paginate(c.Path(), page, snap.NamedCount(), signatoriesPerPage),
		Withdrawn:  snap.WithdrawnCount,
	}
	if slices.ContainsFunc(entries, func(e models.SnapshotEntry) bool { return e.SignedRevision != nil }) {
		v.Letter.Earlier = &EarlierNote{Text: views.Message(mainLang, "snapshot.earlier")}
	}
	if page == 1 && snap.PreviousID != nil {
		if err := h.setChanges(ctx, l, snap, &v); err != nil {
			return err
		}
	}
	p := h.page(c, h.msg(c, "snapshot.title", "title", title, "date", h.date(c, snap.AsOf)), v)
	p.Version = mainLang
	// Nothing on the page may vary per visitor or per request: no CSRF
	// token, no coordinator's name, no "today".
	p.CSRFToken, p.Coordinator = nil, ""
	p.Canonical = h.absolute(c.Path())
	// A dated list is never indexed, whatever the letter allows now: its
	// body cannot follow a later change of that setting, and names found
	// through a search engine can put signers at risk.
	p.Robots = "noindex"
	c.Set("X-Robots-Tag", "noindex")
	// A withdrawal changes it: caches ask again each time, so that a
	// withdrawn name is not served from a copy.
	c.Set("Cache-Control", "no-cache")
	return h.render(c, fiber.StatusOK, "snapshot", p)
}

// snapshotVersion is the title and language of snap, a dated list of the
// version l, and the language of its page's main part (see inVersion). A
// translation's dated list is the same list under the translated title:
// the snapshot froze the original's.
func (h *Handler) snapshotVersion(c *fiber.Ctx, l *models.Letter, snap *models.Snapshot) (title, lang, mainLang string) {
	title, lang = snap.Title, snap.Lang
	if l.IsTranslation() {
		title, lang = l.Title, l.Lang
	}
	if views.LetterLanguage(lang) {
		return title, lang, lang
	}
	return title, lang, h.lang(c)
}

// setChanges fills in what changed since the snapshot before snap.
func (h *Handler) setChanges(ctx context.Context, l *models.Letter, snap *models.Snapshot, v *SnapshotView) error {
	prev, err := h.store.SnapshotByID(ctx, l.ID, *snap.PreviousID)
	if err != nil {
		return err
	}
	added, gone, err := h.store.SnapshotChanges(ctx, snap, changesShown)
	if err != nil {
		return err
	}
	v.Previous = &DatedListView{AsOf: prev.AsOf, Count: prev.SignatureCount(), URL: datedListPath(l, prev.AsOf)}
	v.Added, v.Gone = h.entryTexts(snap.Lang, added), h.entryTexts(snap.Lang, gone)
	v.AddedCount, v.GoneCount = snap.AddedCount, snap.GoneCount
	v.AddedMore, v.GoneMore = snap.AddedCount-int64(len(added)), snap.GoneCount-int64(len(gone))
	return nil
}

func (h *Handler) entryTexts(lang string, entries []models.SnapshotEntry) []string {
	out := make([]string, len(entries))
	for i := range entries {
		out[i] = h.snapshotEntry(lang, &entries[i])
	}
	return out
}

// snapshotEntry is a frozen entry as its dated list reads it: marked, as the
// live list marks it, when its signer had agreed to an earlier revision.
// The changes since the previous list carry the same mark, explained by the
// list's legend.
func (h *Handler) snapshotEntry(lang string, e *models.SnapshotEntry) string {
	if e.SignedRevision != nil {
		return h.earlierMark(lang, e.Entry)
	}
	return e.Entry
}

// snapshotSections groups a page of frozen entries into its sections.
func (h *Handler) snapshotSections(snap *models.Snapshot, entries []models.SnapshotEntry) []SectionView {
	var out []SectionView
	for i := range entries {
		e := &entries[i]
		if len(out) == 0 || out[len(out)-1].Kind != e.Kind {
			count := snap.IndividualCount
			if e.Kind == models.KindOrganisation {
				count = snap.OrganisationCount
			}
			out = append(out, SectionView{Kind: e.Kind, Count: count})
		}
		out[len(out)-1].Entries = append(out[len(out)-1].Entries, h.snapshotEntry(snap.Lang, e))
	}
	return out
}

// publishSnapshot freezes the letter's list as of today.
func (h *Handler) publishSnapshot(c *fiber.Ctx, l *models.Letter) error {
	// Frozen in the letter's language, as its country names, not in the
	// coordinator's interface language.
	_, err := h.store.PublishSnapshot(c.UserContext(), l, views.Message(l.Lang, "list.anonymous"))
	switch {
	case errors.Is(err, models.ErrSnapshotExists):
		return h.editorProblem(c, l, fiber.StatusConflict, h.msg(c, "editor.snapshot_exists"))
	case errors.Is(err, models.ErrLetterNotOpen):
		return h.editorProblem(c, l, fiber.StatusConflict, h.msg(c, "editor.snapshot_draft"))
	case errors.Is(err, models.ErrListHidden):
		return h.editorProblem(c, l, fiber.StatusConflict, h.msg(c, "campaign.snapshot_hidden", "date", views.FormatDateTime(h.lang(c), *l.ListHiddenUntil)))
	case err != nil:
		return err
	}
	return c.Redirect(editorPath(l)+"?published=1#dated-lists", fiber.StatusSeeOther)
}

// editorProblem shows the letter's editor with a problem in its error summary.
func (h *Handler) editorProblem(c *fiber.Ctx, l *models.Letter, status int, problem string) error {
	v, err := h.letterEditorView(c, c.UserContext(), l, letterFormOf(l), settingsFormOf(l))
	if err != nil {
		return err
	}
	p := h.page(c, h.msg(c, "editor.title", "title", l.Title), v)
	p.Problem = problem
	return h.render(c, status, "editor", p)
}
