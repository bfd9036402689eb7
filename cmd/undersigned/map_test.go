package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

// TestBrowserWorldMap looks at the map of signatories by country on seed
// 003's letter as readers do: on a 390 px phone and a 1280 px desktop it
// fits the screen, passes axe, and the page asks nothing of another host;
// Georgia, with the most entries, is the darkest shade; printed, the map
// stays (the charts go); in forced colours each step is hatched, as its
// legend is, and countries without entries take the user's background. In
// a letter in Arabic the map's words are Arabic and its legend starts at
// the right.
func TestBrowserWorldMap(t *testing.T) {
	srv, setupLink := serveFresh(t)
	b := startBrowser(t, "http://"+srv.addr)
	letterPath := publishSeedLetter(t, srv.addr, setupLink)
	signer := signSeedList(t, srv.addr, letterPath)

	for _, width := range []int64{phoneWidth, 1280} {
		t.Run(fmt.Sprintf("at %d px", width), func(t *testing.T) {
			v := b.newTab(t, chromedp.EmulateViewport(width, phoneHeight))
			requested := v.requests()
			v.open(letterPath, http.StatusOK)
			eval[bool](v, `(document.querySelector('figure.map').scrollIntoView(), true)`)
			v.viewportShot(fmt.Sprintf("map-%d", width))
			v.check(fmt.Sprintf("map-%d", width))
			if over := v.horizontalOverflow(); over > 0 {
				t.Errorf("the page is %d px wider than the screen", over)
			}
			if w := eval[float64](v, `document.querySelector('figure.map svg').getBoundingClientRect().width`); w < float64(width)/2-40 || w > float64(width) {
				t.Errorf("the map is %.0f px wide on a %d px screen", w, width)
			}
			if fill := v.fillOf("Georgia"); fill != "rgb(28, 61, 102)" {
				t.Errorf("Georgia, 4 entries, the most, is filled %s, want the fourth step's rgb(28, 61, 102)", fill)
			}
			for _, u := range requested() {
				if p, err := url.Parse(u); err != nil || p.Scheme != "data" && p.Host != srv.addr {
					t.Errorf("the letter page asked another host for %s", u)
				}
			}
		})
	}

	t.Run("in print and in forced colours", func(t *testing.T) {
		v := b.newTab(t)
		v.open(letterPath, http.StatusOK)
		v.emulate(emulation.SetEmulatedMediaParams{Media: "print"})
		eval[bool](v, `(document.querySelector('figure.map').scrollIntoView(), true)`)
		v.viewportShot("map-print")
		shown := eval[[]bool](v, `['figure.map', 'figure.map .map-legend', '#chart-time-caption'].map(s => document.querySelector(s).offsetHeight > 0)`)
		if !shown[0] || !shown[1] || shown[2] {
			t.Errorf("printed, the map, its legend and the time chart are shown %v, want the map and legend only", shown)
		}
		v.emulate(emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "forced-colors", Value: "active"}}})
		eval[bool](v, `(document.querySelector('figure.map').scrollIntoView(), true)`)
		v.viewportShot("map-forced-colours")
		if fill := v.fillOf("Georgia"); fill != `url("#map-hatch-4")` {
			t.Errorf("in forced colours Georgia is filled %s, want the fourth hatch", fill)
		}
		legend := eval[string](v, `getComputedStyle(document.querySelector('.map-legend rect.map-4')).fill`)
		none := eval[[]string](v, `[getComputedStyle(document.querySelector('figure.map path.map-0')).fill, getComputedStyle(document.body).backgroundColor]`)
		if legend != `url("#map-hatch-4")` || none[0] != none[1] {
			t.Errorf("in forced colours the legend's fourth step is %s and a country without entries %s on a page %s: want the fourth hatch and the page's colour", legend, none[0], none[1])
		}
	})

	t.Run("in a letter in Arabic", func(t *testing.T) {
		coord := loggedIn(t, srv.addr, coordinatorEmail, coordinatorPassword)
		arabic := publishArabicLetter(t, coord)
		signer.Get(arabic)
		for i, country := range []string{"EG", "EG", "JO"} {
			signer.Post(arabic+"/sign", handlertest.SignForm(fmt.Sprintf("سلمى %d", i), country, fmt.Sprintf("salma%d@example.org", i))).Expect(t, http.StatusSeeOther)
		}
		a := b.newTab(t, chromedp.EmulateViewport(phoneWidth, phoneHeight))
		a.open(arabic+"?lang=ar", http.StatusOK)
		eval[bool](a, `(document.querySelector('figure.map').scrollIntoView(), true)`)
		a.viewportShot("map-arabic")
		a.check("map-arabic")
		if caption := a.text(`//figure[contains(@class, "map")]/figcaption`); caption != "خريطة الموقّعين حسب البلد" {
			t.Errorf("the map's caption is %q", caption)
		}
		if fill := a.fillOf("مصر"); fill != "rgb(58, 107, 163)" {
			t.Errorf("Egypt, 2 entries, is filled %s, want the second step's rgb(58, 107, 163)", fill)
		}
		gap := eval[float64](a, `(() => { const ul = document.querySelector('.map-legend');
			return ul.getBoundingClientRect().right - ul.firstElementChild.getBoundingClientRect().right; })()`)
		if gap < 0 || gap > 2 {
			t.Errorf("the legend's first step ends %.0f px from the legend's right edge, want at it", gap)
		}
		if over := a.horizontalOverflow(); over > 0 {
			t.Errorf("the page is %d px wider than the screen", over)
		}
	})

	t.Run("the pages are valid HTML", b.validateHTML)
}

// signSeedList signs seed 003's list onto the letter at letterPath, over
// HTTP; it returns the signer's client.
func signSeedList(t *testing.T, addr, letterPath string) *handlertest.Client {
	t.Helper()
	signer := handlertest.OverServer(t, addr)
	signer.Get(letterPath)
	for i, sig := range modeltest.AzerbaijanSignatories {
		signer.Post(letterPath+"/sign", handlertest.SignForm(sig.Name, sig.Country, modeltest.SignerEmail(i))).Expect(t, http.StatusSeeOther)
	}
	return signer
}

// fillOf is the computed fill of the country on the map whose title names
// it, with its figure ("Georgia 4", "مصر: 2").
func (tb *tab) fillOf(country string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(() => {
		const t = [...document.querySelectorAll('figure.map path > title')].find(t => /^[:\s]/.test(t.textContent.slice(%d)) && t.textContent.startsWith(%q));
		return t ? getComputedStyle(t.parentNode).fill : 'no such country';
	})()`, len([]rune(country)), country))
}

// emulate has the tab show its page for other media or media features.
func (tb *tab) emulate(media emulation.SetEmulatedMediaParams) {
	tb.t.Helper()
	tb.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, media)
		return err
	}))
}

// requests records the address of every request the tab makes from now
// on; the function it returns lists them.
func (tb *tab) requests() func() []string {
	var mu sync.Mutex
	var urls []string
	events := chromedp.Events(tb.ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			mu.Lock()
			urls = append(urls, ev.Request.URL)
			mu.Unlock()
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), urls...)
	}
}
