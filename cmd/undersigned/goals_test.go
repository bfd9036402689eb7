package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

// TestBrowserGoalProgress: a letter with a goal of 20 that 22 signed shows
// its progress bar, named by its text, on its page and in its frame, both
// passing axe and html-validate; the text stays in print and in forced
// colours, and the bar fills from the right in a letter in Arabic.
func TestBrowserGoalProgress(t *testing.T) {
	srv, setupLink := serveFresh(t)
	b := startBrowser(t, "http://"+srv.addr)
	letterPath := publishSeedLetter(t, srv.addr, setupLink)
	coord := loggedIn(t, srv.addr, coordinatorEmail, coordinatorPassword)
	const editor = "/dashboard/letters/1"
	settings := handlertest.Settings("listed")
	settings.Set("goal_signatures", "20")
	coord.Get(editor)
	coord.Post(editor+"/settings", settings).Expect(t, http.StatusSeeOther)
	signer := handlertest.OverServer(t, srv.addr)
	signer.Get(letterPath)
	for i, sig := range modeltest.AzerbaijanSignatories {
		signer.Post(letterPath+"/sign", handlertest.SignForm(sig.Name, sig.Country, modeltest.SignerEmail(i))).Expect(t, http.StatusSeeOther)
	}

	v := b.newTab(t)
	v.open(letterPath, http.StatusOK)
	v.expectText("22 of 20 signatures", "Goal reached: 20 signatures")
	if name := eval[string](v, `document.getElementById(document.querySelector('progress').getAttribute('aria-labelledby')).textContent`); name != "22 of 20 signatures" {
		t.Errorf("the progress bar is named %q", name)
	}
	v.check("goal-letter")
	for _, media := range []emulation.SetEmulatedMediaParams{
		{Media: "print"},
		{Features: []*emulation.MediaFeature{{Name: "forced-colors", Value: "active"}}},
	} {
		v.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, media)
			return err
		}))
		if shown := eval[bool](v, `(() => { const p = document.querySelector('.goal-text'), s = getComputedStyle(p);
			return p.offsetHeight > 0 && s.visibility === 'visible' && s.display !== 'none'; })()`); !shown {
			t.Errorf("in %s %v the goal's text is not shown", media.Media, media.Features)
		}
	}
	e := b.newTab(t)
	e.open(letterPath+"/embed", http.StatusOK)
	e.expectText("22 of 20 signatures")
	e.check("goal-embed")

	settings.Set("lang", "ar")
	coord.Post(editor+"/settings", settings).Expect(t, http.StatusSeeOther)
	r := b.newTab(t)
	r.open(letterPath, http.StatusOK)
	if !eval[bool](r, `document.querySelector('progress').matches(':dir(rtl)')`) {
		t.Errorf("in a letter in Arabic the progress bar does not read right to left")
	}
	r.check("goal-letter-ar")
	t.Run("the pages are valid HTML", b.validateHTML)
}
