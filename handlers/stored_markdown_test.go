package handlers_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// oldSchemaRows is a letter as the schema before migration 0014 stored it,
// each text's Markdown beside HTML an older renderer made of it: tags and
// attributes today's sanitiser drops, and words its Markdown no longer says.
// The letter reads revision 2; revision 1, a French translation and an
// update go with it.
const oldSchemaRows = `
INSERT INTO organisations (name, created_at) VALUES ('ICDR', '2024-11-01 09:00:00+00:00');
INSERT INTO letters (organisation_id, slug, title, body, body_html, closing, closing_html, lang, state,
	published_at, list_changed_at, revision, revised_at, created_at, updated_at)
SELECT id, 'political-prisoners', 'Political prisoners in Azerbaijan',
	'We call for the release of **all** political prisoners.',
	'<p onclick="alert(1)">Stale letter: we call for the release of <b>some</b> prisoners.</p>',
	'*Sincerely,*', '<p><a href="javascript:alert(1)">Stale closing</a></p>', 'en', 'open',
	'2024-11-11 09:00:00+00:00', '2024-11-11 09:00:00+00:00', 2, '2024-11-12 09:00:00+00:00',
	'2024-11-01 09:00:00+00:00', '2024-11-12 09:00:00+00:00'
FROM organisations;
INSERT INTO letter_revisions (letter_id, number, title, body, body_html, closing, closing_html, created_at)
SELECT id, 1, title, 'We call for the release of **the** prisoners.', '<p>Stale revision</p>', closing, closing_html,
	'2024-11-11 09:00:00+00:00'
FROM letters;
INSERT INTO letter_revisions (letter_id, number, title, body, body_html, closing, closing_html, created_at)
SELECT id, 2, title, body, body_html, closing, closing_html, '2024-11-12 09:00:00+00:00' FROM letters;
INSERT INTO letter_translations (letter_id, lang, title, body, body_html, closing, closing_html, published_at, created_at, updated_at)
SELECT id, 'fr', 'Les prisonniers politiques en Azerbaïdjan',
	'Nous demandons la libération de **tous** les prisonniers politiques.', '<p>Stale translation</p>',
	'*Cordialement,*', '<p>Stale closing</p>',
	'2024-11-11 09:00:00+00:00', '2024-11-11 09:00:00+00:00', '2024-11-12 09:00:00+00:00'
FROM letters;
INSERT INTO letter_updates (letter_id, posted_on, body, body_html, created_at)
SELECT id, '2024-11-20', 'Two of the prisoners were **released**.', '<p>Stale update</p>', '2024-11-20 09:00:00+00:00'
FROM letters;
`

// migrateTo applies the migrations before version to the fresh database dsn
// names, from their files, as a server of that schema did.
func migrateTo(t *testing.T, dsn, version string) {
	t.Helper()
	dialect, timestamp := "sqlite", "DATETIME"
	if models.IsPostgres(dsn) {
		dialect, timestamp = "postgres", "TIMESTAMPTZ"
	}
	db := modeltest.RawDB(t, dsn)
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at ` + timestamp + ` NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	names, err := filepath.Glob(filepath.Join("..", "models", "migrations", dialect, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names { // Glob sorts them
		v := strings.TrimSuffix(filepath.Base(name), ".sql")
		if v >= version {
			break
		}
		body, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("migration %s: %v", v, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES ('` + v + `', '2024-11-01 09:00:00+00:00')`); err != nil {
			t.Fatal(err)
		}
	}
}

// A database written before Markdown was the only text stored keeps its
// letter, and every page shows what today's renderer makes of the letter's
// Markdown: not the HTML stored beside it, which an older renderer or
// sanitiser made.
func TestALetterStoredWithItsHTMLShowsTodaysRenderingOfItsMarkdown(t *testing.T) {
	dsn := modeltest.DSN(t)
	migrateTo(t, dsn, "0014")
	if _, err := modeltest.RawDB(t, dsn).Exec(oldSchemaRows); err != nil {
		t.Fatalf("rows of the old schema: %v", err)
	}
	store, err := models.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open the old database: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	visitor := newSiteOn(t, store, handlers.Config{}).client()

	page := visitor.Get("/letters/political-prisoners").Expect(t, http.StatusOK, "Political prisoners in Azerbaijan")
	page.ExpectMarkup(t,
		`<div class="letter-body"><p>We call for the release of <strong>all</strong> political prisoners.</p>`,
		`<div class="letter-closing"><p><em>Sincerely,</em></p>`,
		`<div class="update-body"><p>Two of the prisoners were <strong>released</strong>.</p>`)
	revision := visitor.Get("/letters/political-prisoners/revisions/1").Expect(t, http.StatusOK).ExpectMarkup(t, `<div class="letter-body"><p>We call for the release of <strong>the</strong> prisoners.</p>`)
	french := visitor.Get("/letters/political-prisoners/fr").Expect(t, http.StatusOK).ExpectMarkup(t, `<p>Nous demandons la libération de <strong>tous</strong> les prisonniers politiques.</p>`, `<p><em>Cordialement,</em></p>`)
	api := visitor.Get("/letters/political-prisoners.json").Expect(t, http.StatusOK).ExpectMarkup(t, `"body_html":"\u003cp\u003eWe call for the release of \u003cstrong\u003eall\u003c/strong\u003e political prisoners.\u003c/p\u003e\n"`)
	for path, r := range map[string]handlertest.Response{"letter": page, "revision": revision, "translation": french, "API": api} {
		for _, stale := range []string{"Stale", "onclick", "javascript:"} {
			if strings.Contains(r.Markup, stale) {
				t.Errorf("the %s shows the stored HTML's %q", path, stale)
			}
		}
	}
}
