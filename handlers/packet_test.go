package handlers_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

const seedTitle = "Joint statement on the human rights situation in Azerbaijan"

// packetSite publishes seed 003's letter with its list (an Arabic and a
// Cyrillic name, a signer counted only, an organisation) and an anonymous
// signer.
func packetSite(t *testing.T) *site {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	signSeedList(t, s)
	anonymous := handlertest.SignForm("Aigerim Seitkali", "KZ", "aigerim@example.kz")
	anonymous.Set("display", "anonymous")
	signer := s.client()
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", anonymous).Expect(t, http.StatusSeeOther)
	return s
}

// TestPacketPDFIsMadeOnceForACrowd: the PDF of a long list costs the
// server much time and memory, and its link is public. A crowd asking for
// it at once gets one PDF, made once; a change to the list is in the PDF a
// second later.
func TestPacketPDFIsMadeOnceForACrowd(t *testing.T) {
	var log lockedBuffer
	s := newSiteLogging(t, modeltest.Open(t), handlers.Config{}, &log)
	s.publishedLetter("c@example.org", "Org")
	signSeedList(t, s)
	made := func() int { return strings.Count(log.String(), "delivery packet made") }

	const crowd = 16
	pdfs := make([]handlertest.Response, crowd)
	began := time.Now()
	var wg sync.WaitGroup
	for i := range crowd {
		wg.Go(func() { pdfs[i] = s.client().Get(seedSlug + "/packet.pdf") })
	}
	wg.Wait()
	took := time.Since(began)
	for i, r := range pdfs {
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "%PDF-") || r.Body != pdfs[0].Body {
			t.Fatalf("visitor %d got status %d and %d bytes, not the PDF the first got", i, r.Status, len(r.Body))
		}
	}
	// One PDF a second at most: once, when the crowd came within a second.
	if n, most := made(), 1+int(took/time.Second); n > most {
		t.Errorf("%d visitors within %v had the PDF made %d times, want at most %d", crowd, took.Round(time.Millisecond), n, most)
	}
	// Nothing changed: a visitor asking again past the cache's second gets
	// the same PDF, not made again.
	before := made()
	time.Sleep(1100 * time.Millisecond)
	if r := s.client().Get(seedSlug + "/packet.pdf"); r.Body != pdfs[0].Body || made() != before {
		t.Errorf("with the list unchanged, the PDF was made again (%d times, %d before)", made(), before)
	}

	signer := s.client()
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Natalia Morozova", "NO", "natalia@example.org")).Expect(t, http.StatusSeeOther)
	time.Sleep(time.Second)
	r := s.client().Get(seedSlug+"/packet.pdf").Expect(t, http.StatusOK, "%PDF-")
	if text := extractText(t, needPdftotext(t), r.Body); !strings.Contains(text, "Natalia Morozova, Norway") {
		t.Errorf("a second after a new signature, the PDF lacks it:\n%.2000s", text)
	}
	if n := made(); n < 2 {
		t.Errorf("the PDF was made %d times in all, want it made again after the change", n)
	}
}

// TestPacketPDFIsMadeOnceWhateverTheInterfaceLanguage: the packet is in
// its version's language, whatever the interface's, so a visitor who asks
// for it with each ?lang= (or Accept-Language) in turn gets the one PDF,
// not the server making it once per interface language.
func TestPacketPDFIsMadeOnceWhateverTheInterfaceLanguage(t *testing.T) {
	var log lockedBuffer
	s := newSiteLogging(t, modeltest.Open(t), handlers.Config{}, &log)
	s.publishedLetter("c@example.org", "Org")
	signSeedList(t, s)
	first := s.client().Get(seedSlug+"/packet.pdf").Expect(t, http.StatusOK, "%PDF-")
	for _, lang := range []string{"fr", "es", "ru", "ar", "en-XA"} {
		if r := s.client().Get(seedSlug + "/packet.pdf?lang=" + lang); r.Body != first.Body {
			t.Errorf("with ?lang=%s the packet differs from the first visitor's", lang)
		}
	}
	if n := strings.Count(log.String(), "delivery packet made"); n != 1 {
		t.Errorf("asked for in six interface languages within a second, the PDF was made %d times, want once", n)
	}
}

// lockedBuffer is a buffer several goroutines write to, as a log.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestPacketPDFIsOfferedAndSent(t *testing.T) {
	s := packetSite(t)
	v := s.client()
	v.Get(seedSlug).Expect(t, http.StatusOK, `href="`+seedSlug+`/packet.pdf">Download the PDF</a>`)
	v.Get(seedSlug+"/print").Expect(t, http.StatusOK, `href="`+seedSlug+`/packet.pdf">Download the PDF</a>`)

	r := v.Get(seedSlug+"/packet.pdf").Expect(t, http.StatusOK, "%PDF-")
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type %q, want application/pdf", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "joint-statement-on-the-human-rights-situation-in-azerbaijan.pdf") {
		t.Errorf("Content-Disposition %q does not name the file after the letter", cd)
	}
	if r.Header.Get("X-Robots-Tag") != "noindex" {
		t.Error("the PDF names signers without X-Robots-Tag noindex")
	}
}

// TestPacketPDFReadsAsTheList extracts the PDF's text as a reader's tools
// do (pdftotext): every name reads as signed, in its script, and the
// choices of signers who are anonymous or counted only are kept.
func TestPacketPDFReadsAsTheList(t *testing.T) {
	pdftotext := needPdftotext(t)
	s := packetSite(t)
	pdf := s.client().Get(seedSlug+"/packet.pdf").Expect(t, http.StatusOK, "%PDF-")
	text := extractText(t, pdftotext, pdf.Body)

	want := []string{seedTitle, "Signatories as of ", "Page 1 of ", "To:", "RE: Political prisoners in Azerbaijan", "Excellencies,",
		"We further call on the international community to:", "Sincerely,", "Organisations (1)", "Individuals (25)",
		"Forum 2000 Foundation, Czechia", "ليلى يونس, Azerbaijan", "Андрей Сахаров, Russia",
		"Pavel Pšeja, CEVRO University, Czechia", "Anonymous, Kazakhstan", "1 more person signed without being named."}
	for _, sig := range modeltest.AzerbaijanSignatories {
		want = append(want, sig.Name)
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF's text lacks %q:\n%.3000s", w, text)
		}
	}
	for _, secret := range []string{"Hidden Signer", "Aigerim", "@example"} {
		if strings.Contains(text, secret) {
			t.Errorf("the PDF shows %q", secret)
		}
	}
	if strings.Index(text, "Sincerely,") > strings.Index(text, "Organisations (1)") { // the running head names the list on every page
		t.Error("the list comes before the letter's closing")
	}
}

// TestPacketPDFReadsInEveryScript: the packet of an English letter whose
// list mixes scripts and directions, and the packet of an Arabic letter
// signed in Arabic with vowel marks, are made (no refusal), and their text
// as pdftotext extracts it holds each entry as typed, in logical order.
func TestPacketPDFReadsInEveryScript(t *testing.T) {
	pdftotext := needPdftotext(t)
	t.Run("English letter, mixed list", func(t *testing.T) {
		s := newSite(t, handlers.Config{})
		coord, letterPath := s.publishedLetter("c@example.org", "Org")
		signer := s.client()
		signer.Get(seedSlug)
		sign := func(name, affiliation, country, email string) {
			form := handlertest.SignForm(name, country, email)
			form.Set("affiliation", affiliation)
			signer.Post(seedSlug+"/sign", form).Expect(t, http.StatusSeeOther)
		}
		sign("سلمى إبراهيم", "Cairo Institute for Human Rights Studies", "EG", "salma@example.org")
		sign("مُحَمَّد عَبْد الله", "مركز القاهرة", "JO", "m@example.org")
		sign("דוד גרוסמן", "", "IL", "david@example.org")
		reviseSeedLetter(t, coord, letterPath, "substance") // the signers so far agreed to revision 1
		sign("Андрей Сахаров", "", "RU", "andrei@example.org")
		sign("Νίκος Καζαντζάκης", "", "GR", "nikos@example.org")
		sign("ნიკო ფიროსმანი", "", "GE", "niko@example.org")
		sign("Հովհաննես Թումանյան", "", "AM", "hovhannes@example.org")

		text := packetText(t, s, pdftotext, seedSlug)
		for _, entry := range []string{"سلمى إبراهيم, Cairo Institute for Human Rights Studies, Egypt *", "مُحَمَّد عَبْد الله, مركز القاهرة, Jordan *",
			"דוד גרוסמן, Israel *", "Андрей Сахаров, Russia", "Νίκος Καζαντζάκης, Greece", "ნიკო ფიროსმანი, Georgia", "Հովհաննես Թումանյան, Armenia", seedTitle} {
			if !strings.Contains(text, norm.NFKC.String(entry)) {
				t.Errorf("the PDF's text lacks %q:\n%.3000s", entry, text)
			}
		}
	})
	t.Run("Arabic letter", func(t *testing.T) {
		s := newSite(t, handlers.Config{})
		coord := s.coordinator("c@example.org", "Org")
		coord.Get("/dashboard/letters/new")
		form := handlertest.LetterForm("save")
		for field, value := range map[string]string{
			"title": "بيان مشترك بشأن المعتقلين السياسيين", "slug": "bayan", "subject": "المعتقلون السياسيون في أذربيجان",
			"salutation": "أصحاب السعادة", "closing": "مع فائق التقدير", "initiators": "مركز القاهرة لدراسات حقوق الإنسان",
			"body":       "نحن، المنظمات الموقِّعة أدناه، نُعرب عن قلقنا البالغ إزاء حقوق الإنسان؛ لا سلام بلا عدالة.",
			"addressees": "أعضاء الجمعية البرلمانية لمجلس أوروبا",
		} {
			form.Set(field, value)
		}
		form["group_lead_in"] = []string{"نطالب السلطات بما يلي:", "وندعو المجتمع الدولي إلى:"}
		form["group_demands"] = []string{"الإفراج عن جميع المعتقلين السياسيين", "متابعة المحاكمات"}
		path := strings.TrimSuffix(coord.Post("/dashboard/letters", form).Expect(t, http.StatusSeeOther).Location, "?saved=1")
		settings := listAtOnce()
		settings.Set("lang", "ar")
		coord.Get(path)
		coord.Post(path+"/settings", settings).Expect(t, http.StatusSeeOther)
		coord.Post(path+"/state", url.Values{"state": {"open"}}).Expect(t, http.StatusSeeOther)

		signer := s.client()
		signer.Get("/letters/bayan")
		names := []string{"مُحَمَّد عَبْد الله", "فَاطِمَة الزَّهْرَاء", "سلمى إبراهيم"}
		for i, name := range names {
			form := handlertest.SignForm(name, "EG", modeltest.SignerEmail(i))
			form.Set("affiliation", "مركز القاهرة للدراسات")
			signer.Post("/letters/bayan/sign", form).Expect(t, http.StatusSeeOther)
		}
		// pdftotext orders right-to-left lines by a rule of its own that
		// takes commas for digits, which it keeps left to right: a comma
		// comes out after the space that follows it ("ليلى ,يونس").
		text := strings.NewReplacer(" ,", ", ", " ،", "، ").Replace(packetText(t, s, pdftotext, "/letters/bayan"))
		want := append([]string{"بيان مشترك بشأن المعتقلين السياسيين", "أصحاب السعادة", "نحن، المنظمات الموقِّعة أدناه، نُعرب عن قلقنا البالغ إزاء حقوق الإنسان؛ لا سلام بلا عدالة.",
			"مع فائق التقدير", "الإفراج عن جميع المعتقلين السياسيين"}, names...)
		for _, name := range names {
			want = append(want, name+"، مركز القاهرة للدراسات، مصر")
		}
		for _, w := range want {
			if !strings.Contains(text, norm.NFKC.String(w)) {
				t.Errorf("the PDF's text lacks %q:\n%.3000s", w, text)
			}
		}
	})
}

// TestPacketPDFSaysWhichScriptsItCannotShow: a name in a script the
// packet's fonts lack (Chinese) does not cost the list its PDF: the packet
// is made, and its first page says which script it cannot show and where
// the print page is.
func TestPacketPDFSaysWhichScriptsItCannotShow(t *testing.T) {
	pdftotext := needPdftotext(t)
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	signer := s.client()
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("王小明", "TW", "w@example.org")).Expect(t, http.StatusSeeOther)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Андрей Сахаров", "RU", "andrei@example.org")).Expect(t, http.StatusSeeOther)

	text := packetText(t, s, pdftotext, seedSlug)
	notice := strings.Index(text, "This PDF cannot show the letters of some names or text written in Han")
	if notice < 0 || notice > strings.Index(text, "An initiative of") || !strings.Contains(text, "open the print page, http://") {
		t.Errorf("the first page does not say which script the PDF cannot show, before the letter:\n%.2000s", text)
	}
	if !strings.Contains(text, "Андрей Сахаров, Russia") {
		t.Errorf("the list is not in the PDF:\n%.3000s", text)
	}
}

// packetText is the text of a letter's packet, which must be a PDF.
func packetText(t *testing.T, s *site, pdftotext, letter string) string {
	t.Helper()
	r := s.client().Get(letter+"/packet.pdf").Expect(t, http.StatusOK, "%PDF-")
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("the packet is %s, not a PDF", ct)
	}
	return extractText(t, pdftotext, r.Body)
}

func TestPacketPDFOfADraftIsNotFound(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord := s.coordinator("c@example.org", "Org")
	coord.Get("/dashboard/letters/new")
	coord.Post("/dashboard/letters", handlertest.LetterForm("save")).Expect(t, http.StatusSeeOther)
	s.client().Get(seedSlug+"/packet.pdf").Expect(t, http.StatusNotFound)
}

// needPdftotext returns pdftotext's path, or skips the test without it;
// CI installs it, so there its absence fails.
func needPdftotext(t *testing.T) string {
	t.Helper()
	return modeltest.Tool(t, "pdftotext", "apt-get install poppler-utils")
}

// extractText is a PDF's text as pdftotext reads it, in NFKC (Arabic
// presentation forms as their letters), without the direction marks it
// adds around right-to-left text, and with its spaces and line breaks
// folded to single spaces.
func extractText(t *testing.T, pdftotext, pdf string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "packet.pdf")
	if err := os.WriteFile(file, []byte(pdf), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Map(func(r rune) rune {
		if r == '\u200e' || r == '\u200f' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return -1
		}
		return r
	}, norm.NFKC.String(string(out)))
	return strings.Join(strings.Fields(text), " ")
}

// TestPacketOfALongListIsAPDFThatSaysWhatItLeavesOut: a list of 100,000
// named signatories, more than the server's PDF holds, still gets a PDF
// at its .pdf address, never a page of HTML: it says on its first page
// that it names the first 20,000 and that the print page has them all.
func TestPacketOfALongListIsAPDFThatSaysWhatItLeavesOut(t *testing.T) {
	pdftotext := needPdftotext(t)
	store, dsn := modeltest.OpenDSN(t)
	s := newSiteOn(t, store, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	signSeedList(t, s)
	if _, err := modeltest.RawDB(t, dsn).Exec(`UPDATE letters SET individual_count = 100000`); err != nil {
		t.Fatal(err)
	}
	late := s.client() // a signature, which the store sees: it reads the letter again
	late.Get(seedSlug)
	late.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla2@example.org")).Expect(t, http.StatusSeeOther)

	text := packetText(t, s, pdftotext, seedSlug)
	if !strings.Contains(text, "This PDF names the first 20,000 of the list’s 100,") || !strings.Contains(text, "The print page has them all") {
		t.Errorf("the PDF of a list of 100,000 does not say what it leaves out:\n%.1500s", text)
	}
}
