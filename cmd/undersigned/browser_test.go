package main

// The browser side of the tests: the real binary on a fresh database, driven
// through Debian's Chromium with chromedp as a person would, by visible
// labels and button text. Every key page is checked by axe-core (WCAG 2.1 A
// and AA) and html-validate, screenshotted, and its HTML kept, in a folder the
// tests print at the end.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"undersigned/models/modeltest"
	"undersigned/models/modeltest/suites"
)

// ciTools is the folder .ci/run installs axe-core and html-validate into (npm ci --prefix .ci).
var ciTools = filepath.Join("..", "..", ".ci", "node_modules")

// needBrowser returns the path of Chromium and the axe-core source, or
// skips the test with how to run it; under CI=true a missing tool fails.
func needBrowser(t *testing.T) (chromium string, axe string) {
	t.Helper()
	missing := func(what string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI: %s is missing; .ci/run installs it", what)
		}
		suites.Skip(t, fmt.Sprintf("browser tests skipped: %s not found. To run them: apt-get install chromium && npm ci --prefix .ci && go test ./cmd/undersigned", what))
	}
	chromium = os.Getenv("UNDERSIGNED_CHROMIUM")
	if chromium == "" {
		chromium, _ = exec.LookPath("chromium")
	}
	if chromium == "" {
		missing("Chromium (Debian's chromium package)")
	}
	src, err := os.ReadFile(filepath.Join(ciTools, "axe-core", "axe.min.js"))
	if err != nil {
		missing("axe-core (npm ci --prefix .ci)")
	}
	if _, err := os.Stat(filepath.Join(ciTools, ".bin", "html-validate")); err != nil {
		missing("html-validate (npm ci --prefix .ci)")
	}
	return chromium, string(src)
}

// emptyArtefacts empties $UNDERSIGNED_ARTEFACTS once per run, so that the
// browser tests after the first add to it.
var emptyArtefacts sync.Once

// artefactDir is where screenshots and page sources land: $UNDERSIGNED_ARTEFACTS
// (emptied first), or a new undersigned-browser-* folder in the temporary directory.
func artefactDir(t *testing.T) string {
	dir := os.Getenv("UNDERSIGNED_ARTEFACTS")
	if dir == "" {
		dir, err := os.MkdirTemp("", "undersigned-browser-")
		if err != nil {
			t.Fatal(err)
		}
		return dir
	}
	dir, _ = filepath.Abs(dir)
	var err error
	emptyArtefacts.Do(func() { err = os.RemoveAll(dir) })
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser is one Chromium process with the tools that check its pages.
type browser struct {
	t         *testing.T
	ctx       context.Context
	base      string // the server's URL
	axe       string
	artefacts string

	mu     sync.Mutex
	pages  []string // the page sources saved, for html-validate
	axeRan int
}

// startBrowser starts headless Chromium with the flags these machines need.
func startBrowser(t *testing.T, base string) *browser {
	t.Helper()
	chromium, axe := needBrowser(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, base: base, axe: axe, artefacts: artefactDir(t)}
}

// tab is one visitor's window, in a browser context of its own (cookies not shared).
type tab struct {
	b   *browser
	t   *testing.T
	ctx context.Context

	noScript bool // JavaScript is off: axe cannot run in this tab

	mu      sync.Mutex
	lastDoc network.RequestID // the request of the page on screen
}

// newTab opens a window for t in a fresh browser context.
func (b *browser) newTab(t *testing.T, setup ...chromedp.Action[chromedp.Void]) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, setup...); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	tb := &tab{b: b, t: t, ctx: ctx}
	responses := chromedp.Events(ctx, network.ResponseReceived)
	go func() {
		for ev, err := range responses {
			if err != nil {
				return
			}
			if ev.Type == network.ResourceTypeDocument {
				tb.mu.Lock()
				tb.lastDoc = ev.RequestID
				tb.mu.Unlock()
			}
		}
	}()
	return tb
}

// Selectors that find things as a person does: by a label's text, a
// button's text, a link's text.

// field is the control labelled label (the label's own text, without its
// "(optional)" mark), optionally inside the fieldset whose legend is within.
func field(label string, within ...string) string {
	sel := fmt.Sprintf(`//*[@id = ../label[normalize-space(text()[1]) = %s]/@for]`, xpathString(label))
	if len(within) > 0 {
		sel = fmt.Sprintf(`//fieldset[legend[normalize-space() = %s]]`, xpathString(within[0])) + sel
	}
	return sel
}

// rowButton is the button with text in the table row that mentions entry.
func rowButton(entry, text string) string {
	return fmt.Sprintf(`//tr[td[contains(normalize-space(), %s)]]//button[normalize-space() = %s]`, xpathString(entry), xpathString(text))
}

func button(text string) string { return `//button[normalize-space() = ` + xpathString(text) + `]` }
func link(text string) string   { return `//a[normalize-space() = ` + xpathString(text) + `]` }

// xpathString is s as an XPath string literal. Go's %q will not do: XPath
// reads its escapes, such as the \u00a0 of French's no-break space before
// a colon, as they are written.
func xpathString(s string) string {
	if strings.Contains(s, `"`) {
		return "'" + s + "'"
	}
	return `"` + s + `"`
}

// stepTimeout bounds every step, so that an element that never appears
// fails the test quickly instead of waiting for it forever.
const stepTimeout = 20 * time.Second

// step returns the tab's context limited to stepTimeout; the tab stays open
// when it ends.
func (tb *tab) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(tb.ctx, stepTimeout)
}

// do runs steps, failing the test on error.
func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("%v (an element a step looks for may be missing)", err)
	}
}

// run runs one action that returns a value, failing the test on error.
func run[T any](tb *tab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page, awaiting a promise.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	return run(tb, fmt.Sprintf("evaluate %.60q", expr), chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// navigate runs steps that load a page (a link followed, a form sent) and
// fails unless the page answers with status want.
func (tb *tab) navigate(want int64, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		tb.t.Fatalf("loading a page: %v", err)
	}
	if resp.Status != want {
		tb.t.Fatalf("%s answered %d, want %d", resp.URL, resp.Status, want)
	}
}

// open loads a path of the site and expects status want.
func (tb *tab) open(path string, want int64) {
	tb.t.Helper()
	tb.navigate(want, chromedp.Navigate(tb.b.base+path))
}

// text returns the visible text of the first element sel finds, spaces folded.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return strings.Join(strings.Fields(run(tb, "text of "+sel, chromedp.Text(sel))), " ")
}

// value returns the value of the control sel finds.
func (tb *tab) value(sel string) string {
	tb.t.Helper()
	return run(tb, "value of "+sel, chromedp.Value(sel))
}

// checked reports whether the checkbox or radio button sel finds is ticked.
func (tb *tab) checked(sel string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf(`document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue.checked`, sel))
}

// mainText is the text of the page's main landmark, spaces folded.
func (tb *tab) mainText() string { return tb.text(`//main`) }

// expectText fails unless the main landmark shows every fragment.
func (tb *tab) expectText(fragments ...string) {
	tb.t.Helper()
	main := tb.mainText()
	for _, f := range fragments {
		if !strings.Contains(main, f) {
			tb.t.Fatalf("page does not show %q; it shows:\n%.3000s", f, main)
		}
	}
}

// press sends keys to whatever has the focus, as a keyboard does.
func (tb *tab) press(keys string) { tb.do(chromedp.KeyEvent(keys)) }

// tabTo presses Tab until the focus is on the element sel (an XPath)
// finds, checking at each stop that the focused element shows a focus
// indicator. It fails after 80 presses.
func (tb *tab) tabTo(sel string) {
	tb.t.Helper()
	for range 80 {
		tb.press(kb.Tab)
		focus := eval[struct {
			Reached bool   `json:"reached"`
			Outline bool   `json:"outline"`
			Element string `json:"element"`
		}](tb, fmt.Sprintf(`(() => {
			const e = document.activeElement, s = getComputedStyle(e);
			const want = document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
			return {reached: e === want, outline: s.outlineStyle !== 'none' && s.outlineWidth !== '0px', element: e.outerHTML.slice(0, 120)};
		})()`, sel))
		if !focus.Outline {
			tb.t.Errorf("the focused element shows no focus outline: %s", focus.Element)
		}
		if focus.Reached {
			return
		}
	}
	tb.t.Fatalf("80 presses of Tab never reached %s", sel)
}

// axeViolation is what axe-core reports of one broken rule.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// check looks at the page on screen as a key page: it saves a screenshot
// and the HTML the server sent under name (for html-validate), and runs
// axe-core, failing on any serious or critical violation of the WCAG 2.1 A
// and AA rules.
func (tb *tab) check(name string) {
	tb.t.Helper()
	b := tb.b
	tb.screenshot(name)

	tb.mu.Lock()
	req := tb.lastDoc
	tb.mu.Unlock()
	body, err := chromedp.Call(tb.ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: req})
	if err != nil {
		tb.t.Fatalf("source of %s: %v", name, err)
	}
	source := filepath.Join(b.artefacts, name+".html")
	if err := os.WriteFile(source, body.Body, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	if n := strings.Count(string(body.Body), "<h1"); n != 1 {
		tb.t.Errorf("%s has %d h1 elements, want 1", name, n)
	}

	b.mu.Lock()
	b.pages = append(b.pages, source)
	b.mu.Unlock()
	if tb.noScript {
		return
	}
	tb.do(chromedp.Evaluate[chromedp.Void](b.axe))
	raw := eval[string](tb, `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
		.then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))))`)
	var violations []axeViolation
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		tb.t.Fatalf("axe result of %s: %v", name, err)
	}
	for _, v := range violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			tb.t.Errorf("axe on %s: %s (%s): %s; at %s", name, v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "))
		}
	}
	b.mu.Lock()
	b.axeRan++
	b.mu.Unlock()
}

// screenshot saves a picture of the whole page as name.png among the artefacts.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	shot := run(tb, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(tb.b.artefacts, name+".png"), shot, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// horizontalOverflow returns how many CSS pixels the page is wider than the viewport.
func (tb *tab) horizontalOverflow() int {
	return eval[int](tb, `document.documentElement.scrollWidth - window.innerWidth`)
}

// validateHTML runs html-validate on every page source the browser saved.
func (b *browser) validateHTML(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	pages := slices.Clone(b.pages)
	b.mu.Unlock()
	if len(pages) == 0 {
		t.Fatal("no pages were checked")
	}
	cmd := exec.Command(filepath.Join(ciTools, ".bin", "html-validate"), append([]string{"--config", filepath.Join("..", "..", ".ci", "htmlvalidate.json")}, pages...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("html-validate found errors in the key pages:\n%s", out)
		return
	}
	t.Logf("html-validate: %d key pages, no errors", len(pages))
}

// serveFresh starts the binary with flags on a fresh database and a free
// loopback port, and returns it and the one-time setup link it printed.
func serveFresh(t *testing.T, flags ...string) (srv *server, setupLink string) {
	t.Helper()
	srv = start(t, modeltest.DSN(t), freeAddr(t), flags...)
	return srv, srv.console.setupLink(t)
}
