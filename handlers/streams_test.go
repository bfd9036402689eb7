package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// signMany fills the seed letter with n signatories at once. Their entries
// are long enough that the exports outgrow a socket's buffers, and they tie
// in the list's order: three signers share each name, a third of them are
// anonymous (who all sort last), and some are counted but not listed.
func (s *site) signMany(n int) {
	s.t.Helper()
	_, err := s.store.AddSignaturesInBatches(context.Background(), s.letter().ID, n, 5_000, func(i int) models.NewSignature {
		in := models.NewSignature{Kind: models.KindIndividual, Name: fmt.Sprintf("Şigner %05d Of A \"Long\" List", i/3),
			Affiliation: "Organisation " + strconv.Itoa(i%37) + " for Democracy, Human Rights", Role: "=Director",
			Country: "AZ", Country2: "NL", Email: strconv.Itoa(i) + "@example.org"}
		switch {
		case i%10 == 0:
			in.Kind, in.Affiliation = models.KindOrganisation, fmt.Sprintf("+Organisation %05d", i/20)
		case i%3 == 0:
			in.Display = models.DisplayAnonymous
		case i%29 == 0:
			in.Display = models.DisplayCounted
		}
		return in
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// serve serves the app on a loopback port until the test ends. The
// server's sockets have small send buffers, as a busy server's have: a list
// of a few thousand entries fills them as one of tens of thousands fills
// the default ones.
func (s *site) serve() string {
	s.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.t.Fatal(err)
	}
	go s.app.Listener(smallSendBuffers{ln})
	s.t.Cleanup(func() { s.app.ShutdownWithTimeout(5 * time.Second) })
	return ln.Addr().String()
}

type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		c.(*net.TCPConn).SetWriteBuffer(4096)
	}
	return c, err
}

// dial opens a connection to addr with a receive buffer as small as the
// system allows, and asks for path with the header lines given.
func dial(t *testing.T, addr, path string, header ...string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1024) })
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: undersigned.test\r\n"
	for _, h := range header {
		req += h + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	return conn
}

// slowReader asks for path and reads the answer one byte every 100 ms
// until stop is closed, as an attacker holding a download open does. It
// hands back what it read.
func slowReader(t *testing.T, addr, path string, stop <-chan struct{}, header ...string) <-chan string {
	conn := dial(t, addr, path, header...)
	got := make(chan string, 1)
	go func() {
		defer conn.Close()
		var read []byte
		b := make([]byte, 1)
		for {
			select {
			case <-stop:
				got <- string(read)
				return
			case <-time.After(100 * time.Millisecond):
			}
			conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			n, err := conn.Read(b)
			read = append(read, b[:n]...)
			if ne, ok := err.(net.Error); err != nil && !(ok && ne.Timeout()) {
				got <- string(read)
				return
			}
		}
	}()
	return got
}

// TestSlowReadersOfExportsDoNotStallTheSite is the attack of finding 2:
// forty sockets read the public and the coordinator's CSV, the print page
// and the JSON list of a letter with 5,000 signatories, one byte every
// 100 ms. Meanwhile the health check and a page of the list, which no
// cache holds, answer within a second, every time, for six seconds; and
// every slow reader is being answered.
func TestSlowReadersOfExportsDoNotStallTheSite(t *testing.T) {
	s := newSite(t, handlers.Config{Exports: handlers.ExportLimits{PerClient: 40, Overall: 40}})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	s.signMany(5_000)
	addr := s.serve()

	stop := make(chan struct{})
	defer func() {
		if !isClosed(stop) {
			close(stop)
		}
	}()
	var readers []<-chan string
	for range 10 {
		readers = append(readers,
			slowReader(t, addr, seedSlug+"/signatories.csv", stop),
			slowReader(t, addr, seedSlug+"/print", stop),
			slowReader(t, addr, seedSlug+"/signatories.json?page=3", stop),
			slowReader(t, addr, letterPath+"/signatures.csv", stop, coord.Cookies.Header()))
	}
	time.Sleep(500 * time.Millisecond) // the exports fill the sockets' buffers

	client := &http.Client{Timeout: time.Second}
	var mu sync.Mutex
	var failed []string
	check := func(path string) {
		began := time.Now()
		resp, err := client.Get("http://" + addr + path)
		took := time.Since(began)
		what := ""
		if err != nil {
			what = err.Error()
		} else {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			what = resp.Status
		}
		if err != nil || resp.StatusCode != http.StatusOK || took > time.Second {
			mu.Lock()
			failed = append(failed, fmt.Sprintf("%s after %v: %s", path, took.Round(time.Millisecond), what))
			mu.Unlock()
		}
	}
	checks := 0
	for end := time.Now().Add(6 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		var wg sync.WaitGroup
		for _, path := range []string{"/healthz", seedSlug + "/signatories?page=7"} {
			wg.Add(1)
			go func() { defer wg.Done(); check(path) }()
			checks++
		}
		wg.Wait()
	}
	close(stop)
	if len(failed) > 0 {
		t.Errorf("%d of %d requests failed or took over a second while slow readers held exports:\n%s", len(failed), checks, strings.Join(failed, "\n"))
	}
	for _, got := range readers {
		if r := <-got; !strings.HasPrefix(r, "HTTP/1.1 200") {
			t.Errorf("a slow reader was answered %q, want 200", r)
		}
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// TestDownloadsBeyondTheCapAreRefused: with two downloads per client and
// three in all, a client's third download and the site's fourth are
// answered 429 with Retry-After and a page that says why, while the JSON
// list and the health check still answer; once a download ends, its slot
// is free again.
func TestDownloadsBeyondTheCapAreRefused(t *testing.T) {
	s := newSite(t, handlers.Config{Exports: handlers.ExportLimits{PerClient: 2, Overall: 3}, TrustedProxies: []string{"127.0.0.1"}})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	s.signMany(5_000)
	addr := s.serve()
	from := func(ip string) string { return "X-Forwarded-For: " + ip }

	stop, stopLast := make(chan struct{}), make(chan struct{})
	defer close(stop)
	slowReader(t, addr, seedSlug+"/signatories.csv", stop, from("203.0.113.1"))
	slowReader(t, addr, seedSlug+"/print", stop, from("203.0.113.1"))
	last := slowReader(t, addr, seedSlug+"/signatories.csv", stopLast, from("203.0.113.2"))
	time.Sleep(500 * time.Millisecond)

	get := func(path, ip string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
		req.Header.Set("X-Forwarded-For", ip)
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp
	}
	refused := func(path, ip, why string) {
		t.Helper()
		resp := get(path, ip)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" ||
			!strings.Contains(string(body), "Too many downloads at once") || !strings.Contains(string(body), why) {
			t.Errorf("%s from %s: %s, Retry-After %q, want 429 saying %q:\n%s", path, ip, resp.Status, resp.Header.Get("Retry-After"), why, handlertest.Excerpt(string(body)))
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || resp.Header.Get("Content-Disposition") != "" {
			t.Errorf("%s from %s: the refusal is %q, %q, not a page", path, ip, ct, resp.Header.Get("Content-Disposition"))
		}
	}
	answered := func(path, ip string) {
		t.Helper()
		resp := get(path, ip)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s from %s: %s, want 200", path, ip, resp.Status)
		}
	}
	refused(seedSlug+"/signatories.csv", "203.0.113.1", "Your connection already has as many downloads")
	refused(seedSlug+"/print", "203.0.113.3", "The site is sending as many lists as it can at once")
	answered(seedSlug+"/signatories.json", "203.0.113.1")
	answered("/healthz", "203.0.113.3")
	// The public's downloads keep no coordinator from their own list.
	coord.Get(letterPath+"/signatures.csv").Expect(t, http.StatusOK, "Of A \"\"Long\"\" List")

	// A reader that hangs up frees its slot: another client's download goes through.
	close(stopLast)
	<-last
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp := get(seedSlug+"/signatories.csv", "203.0.113.3")
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("2 s after a reader hung up, a download is still %s", resp.Status)
		}
	}
}

// listItem is an entry of the print page's list.
var listItem = regexp.MustCompile(`<li>(<bdi>.*?)</li>`)

// printEntries are the entries of a print page, in its order.
func printEntries(page string) []string {
	var out []string
	for _, m := range listItem.FindAllStringSubmatch(page, -1) {
		out = append(out, html.UnescapeString(handlertest.WithoutIsolates(m[1])))
	}
	return out
}

// jsonEntries reads the whole public list page by page from the JSON API,
// whose pages are read apart from the exports.
func jsonEntries(t *testing.T, v *handlertest.Client) []handlers.APISignatory {
	t.Helper()
	var out []handlers.APISignatory
	for n := 1; ; n++ {
		var page handlers.APISignatoriesPage
		decodeJSON(t, v.Get(fmt.Sprintf("%s/signatories.json?page=%d", seedSlug, n)).Expect(t, http.StatusOK), &page)
		out = append(out, page.Signatories...)
		if page.Links.Next == nil {
			return out
		}
	}
}

// TestExportsReadTheListAsItsPagesDo: the CSV and the print page of a list
// of 5,000, read in chunks, hold every entry of the list's pages once, in
// their order, in either order of the list, across entries that tie on
// their name; the CSV's cells are those of the JSON list, formula-safe.
// The coordinator's CSV lists the named signatures, then those counted but
// not listed, each organisations first, in the list's order.
func TestExportsReadTheListAsItsPagesDo(t *testing.T) {
	store, dsn := modeltest.OpenDSN(t)
	s := newSiteOn(t, store, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	s.signMany(5_000)
	v := s.client()
	for _, order := range []string{"alphabetical", "signed"} {
		settings := listAtOnce()
		settings.Set("list_order", order)
		coord.Get(letterPath)
		coord.Post(letterPath+"/settings", settings).Expect(t, http.StatusSeeOther)

		list := jsonEntries(t, v)
		if len(list) < 4_000 {
			t.Fatalf("the list has %d entries", len(list))
		}
		want := [][]string{{"kind", "name", "affiliation", "role", "country", "country2", "countries", "entry", "verified", "source"}}
		var entries []string
		for _, e := range list {
			row := []string{e.Kind, e.Name, e.Affiliation, e.Role, e.Country, e.Country2, e.Countries, e.Entry, strconv.FormatBool(e.Verified), e.Source}
			for i, cell := range row {
				if cell != "" && strings.ContainsAny(cell[:1], "=+-@") {
					row[i] = "'" + cell
				}
			}
			want = append(want, row)
			entries = append(entries, e.Entry)
		}
		if got := readCSV(t, v.Get(seedSlug+"/signatories.csv").Expect(t, http.StatusOK)); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s: the CSV's %d rows are not the list's %d", order, len(got), len(want))
		}
		if got := printEntries(v.Get(seedSlug+"/print").Expect(t, http.StatusOK).Markup); !slices.Equal(got, entries) {
			t.Errorf("%s: the print page's %d entries are not the list's %d", order, len(got), len(entries))
		}

		sortOrder := "sort_key, id"
		if order == "signed" {
			sortOrder = "id"
		}
		rows, err := modeltest.RawDB(t, dsn).Query(`SELECT email FROM signatures WHERE status = 'listed'
			ORDER BY display = 'counted', kind DESC, ` + sortOrder)
		if err != nil {
			t.Fatal(err)
		}
		wantEmails := []string{"email"}
		for rows.Next() {
			var email string
			rows.Scan(&email)
			wantEmails = append(wantEmails, email)
		}
		rows.Close()
		var emails []string
		for _, row := range readCSV(t, coord.Get(letterPath+"/signatures.csv").Expect(t, http.StatusOK)) {
			emails = append(emails, row[7])
		}
		if !slices.Equal(emails, wantEmails) {
			t.Errorf("%s: the coordinator's CSV has %d signatures, want %d in list order", order, len(emails), len(wantEmails))
		}
	}
}

// TestAListChangingDuringADownloadIsReadOnce: while a client is part-way
// through the print page and the CSV, into the list of individuals, a
// coordinator removes the first ten of them and people sign. Every entry
// that was on the list throughout is in each download exactly once, in
// order.
func TestAListChangingDuringADownloadIsReadOnce(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	s.signMany(5_000)
	addr := s.serve()
	ctx := context.Background()
	coord, err := s.store.Authenticate(ctx, "c@example.org", modeltest.Password)
	if err != nil {
		t.Fatal(err)
	}
	l := s.letter()
	before := jsonEntries(t, s.client())
	first, err := s.store.SectionSignatories(ctx, l, models.KindIndividual, 0, 10)
	if err != nil {
		t.Fatal(err)
	}

	marker, _, _ := strings.Cut(first[0].Name, " Of") // as it reads in HTML and CSV
	type download struct {
		body io.Reader
		read []byte
	}
	var downloads []*download
	for _, path := range []string{seedSlug + "/print", seedSlug + "/signatories.csv"} {
		conn := dial(t, addr, path, "Connection: close")
		defer conn.Close()
		resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 1024), nil)
		if err != nil {
			t.Fatal(err)
		}
		d := &download{body: resp.Body}
		// Read until the first individual: the server has read their chunk of the list.
		for b := make([]byte, 512); !strings.Contains(string(d.read), marker); {
			n, err := d.body.Read(b)
			if err != nil {
				t.Fatalf("%s: %v after %d bytes", path, err, len(d.read))
			}
			d.read = append(d.read, b[:n]...)
		}
		downloads = append(downloads, d)
	}
	removed := map[string]bool{}
	for _, sig := range first {
		if err := s.store.RemoveSignature(ctx, l, coord.ID, sig.ID, func(*models.Signature) string { return "" }, "test"); err != nil {
			t.Fatal(err)
		}
		removed[sig.Entry("en", "Anonymous")] = true
	}
	for i := range 30 {
		in := models.NewSignature{Kind: models.KindIndividual, Name: fmt.Sprintf("Added %c Later", 'A'+i%26), Country: "FR", Email: fmt.Sprintf("added%d@example.org", i)}
		if _, err := s.store.AddSignature(ctx, l.ID, in, nil); err != nil {
			t.Fatal(err)
		}
	}
	var throughout []string
	for _, e := range before {
		if !removed[e.Entry] {
			throughout = append(throughout, e.Entry)
		}
	}

	for i, d := range downloads {
		rest, err := io.ReadAll(d.body)
		if err != nil {
			t.Fatal(err)
		}
		body := string(append(d.read, rest...))
		var got []string
		if i == 0 {
			got = printEntries(body)
		} else {
			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range rows[1:] {
				got = append(got, strings.TrimPrefix(row[7], "'"))
			}
		}
		got = slices.DeleteFunc(got, func(e string) bool { return removed[e] || strings.HasPrefix(e, "Added ") })
		if !slices.Equal(got, throughout) {
			t.Errorf("download %d has %d entries of the %d there throughout, not each once in order", i, len(got), len(throughout))
			for j := range min(len(got), len(throughout)) {
				if got[j] != throughout[j] {
					t.Errorf("first difference at %d: %q, want %q", j, got[j], throughout[j])
					break
				}
			}
		}
	}
}

// pacedReader asks for path and reads up to chunk bytes every 100 ms until
// the answer ends or the server drops it; it hands back what it read and
// whether the chunked body ended properly.
func pacedReader(t *testing.T, addr, path string, chunk int) <-chan pacedRead {
	conn := dial(t, addr, path)
	got := make(chan pacedRead, 1)
	go func() {
		defer conn.Close()
		var read []byte
		b := make([]byte, chunk)
		for {
			time.Sleep(100 * time.Millisecond)
			conn.SetReadDeadline(time.Now().Add(80 * time.Millisecond))
			n, err := io.ReadFull(conn, b)
			read = append(read, b[:n]...)
			whole := bytes.HasSuffix(read, []byte("\r\n0\r\n\r\n")) // the connection stays open after it
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				err = nil
			}
			if err != nil || whole {
				got <- pacedRead{body: string(read), whole: whole}
				return
			}
		}
	}()
	return got
}

type pacedRead struct {
	body  string
	whole bool // the chunked body's last chunk arrived
}

// TestDownloadsGoOnAtAReadersPaceAndDropStalledOnes: a download has no
// deadline of its own, only a pace. With a stall of 1.5 s and a pace of
// 40 kB/s, a reader taking 60 kB/s gets the whole CSV of 2,000 signatories
// (several stalls' worth of time); one that stops reading is dropped soon
// after, and so is one reading steadily but at 10 kB/s, below the pace;
// the log says so for both.
func TestDownloadsGoOnAtAReadersPaceAndDropStalledOnes(t *testing.T) {
	var log lockedBuffer
	s := newSiteLogging(t, modeltest.Open(t), handlers.Config{Exports: handlers.ExportLimits{Stall: 1500 * time.Millisecond, MinRate: 40_000}}, &log)
	s.publishedLetter("c@example.org", "Org")
	s.signMany(2_000)
	addr := s.serve()

	started := time.Now()
	steady := pacedReader(t, addr, seedSlug+"/signatories.csv", 6_000)
	slow := pacedReader(t, addr, seedSlug+"/signatories.csv", 1_000)
	stalled := dial(t, addr, seedSlug+"/signatories.csv")
	defer stalled.Close()

	r := <-steady
	if took := time.Since(started); !r.whole || took < 3*time.Second {
		t.Errorf("the steady reader read %d bytes in %v, whole: %v; want the whole list, over several seconds", len(r.body), took, r.whole)
	}
	if rows := strings.Count(r.body, "Şigner "); rows < 1_000 {
		t.Errorf("the steady reader got %d entries, want the whole list", rows)
	}
	if r := <-slow; r.whole {
		t.Errorf("a reader at 10 kB/s, below the pace of 40 kB/s, got the whole list (%d bytes)", len(r.body))
	}
	for end := time.Now().Add(5 * time.Second); strings.Count(log.String(), "download dropped") < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("the stalled and the slow readers were not both logged as dropped:\n%s", log.String())
		}
	}
	if strings.Contains(log.String(), "127.0.0.1") {
		t.Errorf("the log names the client's address:\n%s", log.String())
	}
}
