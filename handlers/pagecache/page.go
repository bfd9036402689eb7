package pagecache

import (
	"bytes"
	"io"
	"sync/atomic"
	"time"
)

// Page is a page the cache keeps: its body cut at its slots, and Meta.
type Page[M any] struct {
	Meta M
	pageAge
	parts    [][]byte // the body between slots
	fills    []Slot   // the slot after each part but the last
	deflated [][]byte // the parts compressed, if the page is kept compressed
	size     int
	read     atomic.Int64 // when it was last given, in Unix nanoseconds
}

// pageAge says when a page was made, and until when it holds.
type pageAge struct {
	generation uint64
	made       time.Time // when its rendering began
	expires    time.Time // when it no longer holds, whatever else; zero for never
}

// expired reports whether the page no longer holds at now, such as a
// letter's page without its list once the list is published.
func (a pageAge) expired(now time.Time) bool { return !a.expires.IsZero() && !now.Before(a.expires) }

// cut splits body at every placeholder of slots.
func (p *Page[M]) cut(body []byte, slots []Slot, placeholders []string) {
	for {
		at, which := -1, 0
		for i, ph := range placeholders {
			if j := bytes.Index(body, []byte(ph)); j >= 0 && (at < 0 || j < at) {
				at, which = j, i
			}
		}
		if at < 0 {
			p.parts = append(p.parts, body)
			return
		}
		p.parts = append(p.parts, body[:at])
		p.fills = append(p.fills, slots[which])
		body = body[at+len(placeholders[which]):]
	}
}

// Compressed reports whether the page is kept gzipped too.
func (p *Page[M]) Compressed() bool { return p.deflated != nil }

// Write writes the page to w, with fill(slot) in each slot: as one gzip
// stream if gzipped, which only a Compressed page can be written as.
func (p *Page[M]) Write(w io.Writer, gzipped bool, fill func(Slot) []byte) {
	if gzipped && p.Compressed() {
		z := newGzipJoin(w)
		for i := range p.parts {
			z.compressed(p.deflated[i], p.parts[i])
			if i < len(p.fills) {
				z.stored(fill(p.fills[i]))
			}
		}
		z.close()
		return
	}
	for i, part := range p.parts {
		w.Write(part)
		if i < len(p.fills) {
			w.Write(fill(p.fills[i]))
		}
	}
}

// given notes that p is being given to a reader now, and returns it.
func (p *Page[M]) given() *Page[M] {
	p.read.Store(time.Now().UnixNano())
	return p
}
