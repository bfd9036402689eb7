package pdf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// subsetTrueType returns the TrueType font data keeping only the outlines
// of the glyphs used (and of the glyphs they are composed of), and only
// the tables a PDF viewer reads from an embedded CIDFontType2. Glyph IDs
// are unchanged, their outlines emptied, so that the PDF's glyph IDs are
// the shaper's: the full DejaVu Sans is 740 KB, a packet uses a few
// hundred glyphs of it.
func subsetTrueType(data []byte, used map[uint16]bool) ([]byte, error) {
	tables, err := sfntTables(data)
	if err != nil {
		return nil, err
	}
	head, loca, glyf, maxp := tables["head"], tables["loca"], tables["glyf"], tables["maxp"]
	if len(head) < 54 || len(maxp) < 6 || glyf == nil || loca == nil {
		return nil, errors.New("not a TrueType font with outlines")
	}
	n := int(binary.BigEndian.Uint16(maxp[4:]))
	long := binary.BigEndian.Uint16(head[50:]) == 1
	if (long && len(loca) < 4*(n+1)) || (!long && len(loca) < 2*(n+1)) {
		return nil, errors.New("short loca table")
	}
	glyph := func(g int) []byte {
		var from, to int
		if long {
			from, to = int(binary.BigEndian.Uint32(loca[4*g:])), int(binary.BigEndian.Uint32(loca[4*g+4:]))
		} else {
			from, to = 2*int(binary.BigEndian.Uint16(loca[2*g:])), 2*int(binary.BigEndian.Uint16(loca[2*g+2:]))
		}
		if from > to || to > len(glyf) {
			return nil
		}
		return glyf[from:to]
	}
	keep := map[int]bool{0: true}
	var add func(g int)
	add = func(g int) {
		if g >= n || keep[g] {
			return
		}
		keep[g] = true
		for _, c := range components(glyph(g)) {
			add(c)
		}
	}
	for g := range used {
		add(int(g))
	}
	newGlyf := make([]byte, 0, len(glyf)/8)
	newLoca := make([]byte, 4*(n+1))
	for g := range n {
		binary.BigEndian.PutUint32(newLoca[4*g:], uint32(len(newGlyf)))
		if keep[g] {
			newGlyf = append(newGlyf, glyph(g)...)
			for len(newGlyf)%4 != 0 {
				newGlyf = append(newGlyf, 0)
			}
		}
	}
	binary.BigEndian.PutUint32(newLoca[4*n:], uint32(len(newGlyf)))
	newHead := append([]byte(nil), head...)
	binary.BigEndian.PutUint32(newHead[8:], 0) // checkSumAdjustment, unchecked in a PDF
	binary.BigEndian.PutUint16(newHead[50:], 1)
	out := map[string][]byte{"head": newHead, "loca": newLoca, "glyf": newGlyf}
	for _, tag := range []string{"cvt ", "fpgm", "prep", "hhea", "hmtx", "maxp"} {
		if t, ok := tables[tag]; ok {
			out[tag] = t
		}
	}
	return writeSfnt(out), nil
}

// components are the glyphs a composite glyph is made of.
func components(g []byte) []int {
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil
	}
	var out []int
	for p := 10; p+4 <= len(g); {
		flags := binary.BigEndian.Uint16(g[p:])
		out = append(out, int(binary.BigEndian.Uint16(g[p+2:])))
		p += 4
		if flags&0x1 != 0 { // ARG_1_AND_2_ARE_WORDS
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&0x8 != 0: // WE_HAVE_A_SCALE
			p += 2
		case flags&0x40 != 0: // WE_HAVE_AN_X_AND_Y_SCALE
			p += 4
		case flags&0x80 != 0: // WE_HAVE_A_TWO_BY_TWO
			p += 8
		}
		if flags&0x20 == 0 { // MORE_COMPONENTS
			break
		}
	}
	return out
}

// sfntTables reads an OpenType file's table directory.
func sfntTables(data []byte) (map[string][]byte, error) {
	if len(data) < 12 {
		return nil, errors.New("short font file")
	}
	out := map[string][]byte{}
	count := int(binary.BigEndian.Uint16(data[4:]))
	for i := range count {
		rec := 12 + 16*i
		if rec+16 > len(data) {
			return nil, errors.New("short table directory")
		}
		off, n := binary.BigEndian.Uint32(data[rec+8:]), binary.BigEndian.Uint32(data[rec+12:])
		if uint64(off)+uint64(n) > uint64(len(data)) {
			return nil, fmt.Errorf("table %q past the end of the file", data[rec:rec+4])
		}
		out[string(data[rec:rec+4])] = data[off : off+n]
	}
	return out, nil
}

// writeSfnt writes tables as an OpenType file, its directory sorted by tag.
func writeSfnt(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for tag := range tables {
		tags = append(tags, tag)
	}
	sort.Strings(tags)
	n := len(tags)
	pow := 1
	for pow*2 <= n {
		pow *= 2
	}
	log := 0
	for 1<<(log+1) <= pow {
		log++
	}
	out := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(16*pow))
	binary.BigEndian.PutUint16(out[8:], uint16(log))
	binary.BigEndian.PutUint16(out[10:], uint16(16*(n-pow)))
	for i, tag := range tags {
		t := tables[tag]
		rec := out[12+16*i:]
		copy(rec, tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(t))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(t)))
		out = append(out, t...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out
}

func checksum(t []byte) uint32 {
	var sum uint32
	for i := 0; i < len(t); i += 4 {
		var w [4]byte
		copy(w[:], t[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
