package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

// TestBrowserRightToLeft looks at pages in two directions as a reader sees
// them, on a 390 px phone and a 1280 px desktop. An Arabic letter in the
// interface in Arabic (<html dir="rtl">) mirrors: its main landmark reads right to left, the signing form's first
// control sits at the form's right edge, and nothing is wider than the
// screen (the honeypot's "left: -10000px" made it 10,000 px wider, since
// a page written right to left scrolls to its left). In an English letter,
// an entry mixing an Arabic name and organisation with a country in English
// starts at the left, as every row of the list does, its parts in the order
// signed. The coordinator's table of signatures, in Arabic, mirrors too.
func TestBrowserRightToLeft(t *testing.T) {
	srv := start(t, modeltest.DSN(t), freeAddr(t))
	b := startBrowser(t, "http://"+srv.addr)
	english := publishSeedLetter(t, srv.addr, srv.console.setupLink(t))
	coord := loggedIn(t, srv.addr, coordinatorEmail, coordinatorPassword)
	arabic := publishArabicLetter(t, coord)
	signer := handlertest.OverServer(t, srv.addr)
	signer.Get(english)
	mixed := handlertest.SignForm("سلمى إبراهيم", "JO", "salma@example.org")
	mixed.Set("affiliation", "مركز القاهرة لدراسات حقوق الإنسان")
	signer.Post(english+"/sign", mixed).Expect(t, http.StatusSeeOther)

	for _, width := range []int64{phoneWidth, 1280} {
		t.Run(fmt.Sprintf("an Arabic letter mirrors at %d px", width), func(t *testing.T) {
			a := b.newTab(t, chromedp.EmulateViewport(width, phoneHeight))
			a.open(arabic+"?lang=ar", http.StatusOK)
			name := fmt.Sprintf("rtl-arabic-%d", width)
			a.viewportShot(name)
			a.check(name)
			if dir := eval[string](a, `getComputedStyle(document.querySelector('main')).direction`); dir != "rtl" {
				t.Errorf("main reads %s, want rtl", dir)
			}
			gap := eval[float64](a, `(() => {
				const form = document.querySelector('form[action*="/sign"]');
				const first = form.querySelector('input:not([type=hidden]), select, textarea');
				return form.getBoundingClientRect().right - first.getBoundingClientRect().right;
			})()`)
			if gap < 0 || gap > 8 {
				t.Errorf("the form's first control ends %.0f px from the form's right edge, want at it", gap)
			}
			if over := a.horizontalOverflow(); over > 0 {
				t.Errorf("the page is %d px wider than the screen", over)
			}
		})
	}

	for _, width := range []int64{phoneWidth, 1280} {
		t.Run(fmt.Sprintf("the coordinator's table mirrors at %d px", width), func(t *testing.T) {
			c := b.newTab(t, chromedp.EmulateViewport(width, phoneHeight))
			c.login()
			c.navigate(http.StatusOK, chromedp.Click(`//tr[td[contains(normalize-space(), "Joint statement")]]//a[starts-with(normalize-space(), "Signatures")]`))
			c.open(eval[string](c, `location.pathname`)+"?lang=ar", http.StatusOK)
			name := fmt.Sprintf("rtl-signatures-%d", width)
			c.viewportShot(name)
			c.check(name)
			// The first column at the table's right, its heading's text at
			// the column's right.
			gaps := eval[[]float64](c, `(() => {
				const table = document.querySelector('table'), th = table.querySelector('th');
				const r = document.createRange(); r.selectNodeContents(th);
				return [table.getBoundingClientRect().right - th.getBoundingClientRect().right, th.getBoundingClientRect().right - r.getBoundingClientRect().right];
			})()`)
			if gaps[0] > 1 || gaps[1] > 10 {
				t.Errorf("the first column ends %.0f px from the table's right edge, its heading %.0f px from the column's, want both at it", gaps[0], gaps[1])
			}
			if over := c.horizontalOverflow(); over > 0 {
				t.Errorf("the page is %d px wider than the screen", over)
			}
		})
	}

	t.Run("a mixed entry in an English list starts at the left", func(t *testing.T) {
		e := b.newTab(t)
		e.open(english+"/signatories", http.StatusOK)
		e.check("rtl-mixed-entry")
		// Where the row starts, and where each of its parts' text starts.
		at := eval[[]float64](e, `(() => {
			const row = [...document.querySelectorAll('.signatory-list li')].find(li => li.textContent.includes('Jordan'));
			const left = n => { const r = document.createRange(); r.selectNodeContents(n); return r.getBoundingClientRect().left; };
			return [row.getBoundingClientRect().left, ...[...row.querySelectorAll('bdi')].map(left)];
		})()`)
		if len(at) != 4 {
			t.Fatalf("the entry has %d isolated parts, want 3 (name, organisation, country)", len(at)-1)
		}
		if at[1]-at[0] > 2 {
			t.Errorf("the entry's name starts %.0f px right of its row's left edge, want at it", at[1]-at[0])
		}
		if !(at[1] < at[2] && at[2] < at[3]) {
			t.Errorf("the entry's parts start at %v px: not name, organisation, country from the left", at[1:])
		}
		eval[bool](e, `(document.querySelector('.signatory-list').scrollIntoView(), true)`)
		e.viewportShot("rtl-mixed-entry")
	})

	t.Run("every page checked is valid HTML", func(t *testing.T) {
		b.validateHTML(t)
	})
	t.Logf("screenshots and page sources: %s", b.artefacts)
}

// publishArabicLetter drafts and opens a letter in Arabic, with the parts a
// letter has (addressees, subject, demands), for people and organisations;
// it returns its public path.
func publishArabicLetter(t *testing.T, coord *handlertest.Client) string {
	t.Helper()
	coord.Get("/dashboard/letters/new")
	editor := strings.TrimSuffix(coord.Post("/dashboard/letters", url.Values{
		"title": {"الحرية للمعتقلين السياسيين في أذربيجان"}, "slug": {"arabic"}, "action": {"save"},
		"initiators": {"مركز القاهرة لدراسات حقوق الإنسان\nForum 2000"},
		"addressees": {"الدول الأعضاء في مجلس حقوق الإنسان"}, "subject": {"المعتقلون السياسيون في أذربيجان"}, "salutation": {"أصحاب السعادة،"},
		"body":          {strings.Repeat("نحن، المنظمات الموقعة أدناه، ندعو إلى الإفراج الفوري عن جميع المعتقلين السياسيين. ", 12)},
		"group_lead_in": {"نطالب السلطات بما يلي:"}, "group_demands": {"الإفراج عن جميع المعتقلين السياسيين\nاحترام القانون الدولي لحقوق الإنسان"},
		"closing": {"مع فائق الاحترام،"},
	}).Expect(t, http.StatusSeeOther).Location, "?saved=1")
	coord.Get(editor)
	coord.Post(editor+"/settings", url.Values{"lang": {"ar"}, "signers": {"both"}, "list_order": {"alphabetical"}, "retention_days": {"180"}, "listed": {"true"}}).Expect(t, http.StatusSeeOther)
	coord.Post(editor+"/state", url.Values{"state": {"open"}}).Expect(t, http.StatusSeeOther)
	return "/letters/arabic"
}
