package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// listShape is what the first page of a list's JSON says of the whole list.
type listShape struct {
	Pages  int `json:"pages"`
	Counts struct {
		Organisations int64 `json:"organisations"`
		Individuals   int64 `json:"individuals"`
	} `json:"counts"`
}

// entries is how many entries the list shows: those counted without a
// name are not on it.
func (s listShape) entries() int64 { return s.Counts.Organisations + s.Counts.Individuals }

// readListShape reads the shape of the list of the letter at letter from
// its JSON, the server's own count and page size: the last page is the
// one the server says it is.
func readListShape(ctx context.Context, letter string) (listShape, error) {
	var shape listShape
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, letter+"/signatories.json", nil)
	if err != nil {
		return shape, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return shape, fmt.Errorf("read the list's JSON: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return shape, fmt.Errorf("read the list's JSON: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&shape); err != nil {
		return shape, fmt.Errorf("read the list's JSON: %w", err)
	}
	return shape, nil
}

// printWorkers is the most print pages read at once, whatever -workers
// says: each is the whole list, and the server takes 4 downloads at once
// from one address.
const printWorkers = 2

// printTimeout is the longest loadgen waits for one print page: the
// server's own limit on a download.
const printTimeout = 10 * time.Minute

// errNotWhole answers a print page that came with status 200 but not
// whole: cut short before its last entry or its end.
const errNotWhole = "200, but not whole"

// printReading is what one print page read brought.
type printReading struct {
	sent, html, entries int64 // bytes on the wire, bytes of HTML, entries on the list
	closed              bool  // the page ends with </html>
	took                time.Duration
}

// printTargeter GETs the print page at u, at most printWorkers at once,
// each read to its end as a reader's browser would, counting the list's
// entries: a page is whole when it has all entries and ends with </html>.
// Its summary gives the bytes and the time per page, which say more of an
// answer this large than requests per second do.
func printTargeter(u string, entries int64, gzip bool) *scenarioTargeter {
	path, _ := url.Parse(u)
	header := http.Header{"Accept-Encoding": {"identity"}}
	if gzip {
		header.Set("Accept-Encoding", "gzip")
	}
	var mu sync.Mutex
	var readings []printReading
	tr := &scenarioTargeter{
		what: "GET " + path.RequestURI(),
		kind: onePage,
		want: map[string]uint16{"page": http.StatusOK},
	}
	tr.attack = func(ctx context.Context, cfg config) <-chan *vegeta.Result {
		client := &http.Client{Timeout: printTimeout, Transport: &http.Transport{DisableCompression: true}}
		out := make(chan *vegeta.Result)
		until := time.Now().Add(cfg.duration)
		var sent atomic.Int64
		var wg sync.WaitGroup
		for range min(cfg.workers, printWorkers) {
			wg.Go(func() {
				for time.Now().Before(until) && ctx.Err() == nil && sent.Add(1) <= int64(cfg.maxRequests) {
					r, reading := readPrint(ctx, client, u, header, entries)
					if reading != nil {
						mu.Lock()
						readings = append(readings, *reading)
						mu.Unlock()
					}
					out <- r
				}
			})
		}
		go func() {
			wg.Wait()
			client.CloseIdleConnections()
			close(out)
		}()
		return out
	}
	tr.summary = func(w io.Writer) {
		mu.Lock()
		defer mu.Unlock()
		printSummary(w, readings, entries)
	}
	return tr
}

// readPrint GETs one print page and reads it whole: its result, and what
// it brought when the answer was a 200.
func readPrint(ctx context.Context, client *http.Client, u string, header http.Header, entries int64) (*vegeta.Result, *printReading) {
	r := &vegeta.Result{Attack: "print", Method: http.MethodGet, URL: u, Timestamp: time.Now()}
	defer func() { r.Latency = time.Since(r.Timestamp) }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		r.Error = err.Error()
		return r, nil
	}
	req.Header = header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		r.Error = err.Error()
		return r, nil
	}
	defer resp.Body.Close()
	r.Code = uint16(resp.StatusCode)
	wire := &countingReader{r: resp.Body}
	var body io.Reader = wire
	if resp.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(wire)
		if err != nil {
			r.Code, r.Error = 0, "gzip: "+err.Error()
			return r, nil
		}
		body = gz
	}
	reading, err := readList(body)
	r.BytesIn = uint64(wire.n)
	reading.sent, reading.took = wire.n, time.Since(r.Timestamp)
	switch {
	case r.Code != http.StatusOK:
		return r, nil
	case err != nil:
		r.Code, r.Error = 0, err.Error()
	case !reading.closed || reading.entries != entries:
		r.Code, r.Error = 0, errNotWhole
	}
	return r, &reading
}

// listItem begins each entry of a list's page, one a line; the entries
// come after the first line holding listStart.
var listItem, listStart = []byte("    <li>"), []byte(`class="signatory-list"`)

// readList reads a print page to its end: its size, its list's entries,
// and whether it ends with </html>.
func readList(r io.Reader) (printReading, error) {
	var p printReading
	br := bufio.NewReaderSize(r, 64<<10)
	inList, lineStart := false, true
	var tail []byte
	for {
		line, err := br.ReadSlice('\n')
		p.html += int64(len(line))
		if lineStart && inList && bytes.HasPrefix(line, listItem) {
			p.entries++
		}
		inList = inList || bytes.Contains(line, listStart)
		lineStart = err != bufio.ErrBufferFull
		if t := bytes.TrimSpace(line); len(t) > 0 {
			tail = append(tail[:0], t[max(0, len(t)-len("</html>")):]...)
		}
		switch err {
		case nil, bufio.ErrBufferFull:
		case io.EOF:
			p.closed = string(tail) == "</html>"
			return p, nil
		default:
			return p, err
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// printSummary says how many print pages came whole, and their size and
// time on average.
func printSummary(w io.Writer, readings []printReading, entries int64) {
	if len(readings) == 0 {
		fmt.Fprintln(w, "print: no page answered 200")
		return
	}
	var whole int
	var sent, html, fewest int64 = 0, 0, entries
	var took time.Duration
	for _, p := range readings {
		if p.closed && p.entries == entries {
			whole++
		}
		sent, html, took = sent+p.sent, html+p.html, took+p.took
		fewest = min(fewest, p.entries)
	}
	n := int64(len(readings))
	fmt.Fprintf(w, "print: %d of %d pages whole (%d entries, then </html>); fewest entries %d; per page %.3g MB sent, %.3g MB of HTML, in %s (%.3g MB/s sent)\n",
		whole, n, entries, fewest, float64(sent/n)/1e6, float64(html/n)/1e6, (took / time.Duration(n)).Round(time.Millisecond), float64(sent)/1e6/took.Seconds())
}
