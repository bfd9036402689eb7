package pagecache

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"io"
	"sync"
)

// deflaters are writers kept between pages: making one costs more than
// compressing a page. A page is compressed once and served many times, so
// at the default level rather than the fastest.
var deflaters = sync.Pool{New: func() any {
	w, err := flate.NewWriter(nil, flate.DefaultCompression)
	if err != nil {
		panic(err) // only for a level out of range
	}
	return w
}}

// deflateParts compresses each part on its own, each ending on a byte
// boundary, so that one gzip stream per request can be made of the parts
// and, between them, the bytes of each visitor's own, without compressing
// anything again (see gzipJoin).
func deflateParts(parts [][]byte) [][]byte {
	zw := deflaters.Get().(*flate.Writer)
	defer deflaters.Put(zw)
	var buf bytes.Buffer
	out := make([][]byte, len(parts))
	for i, part := range parts {
		zw.Reset(&buf)
		zw.Write(part) // a bytes.Buffer does not fail
		zw.Flush()     // the sync flush ends the part on a byte boundary, and not as the last block
		out[i] = bytes.Clone(buf.Bytes())
		buf.Reset()
	}
	zw.Reset(nil) // lets go of buf
	return out
}

// gzipJoin writes a gzip stream (RFC 1952) made of parts compressed by
// deflateParts and of other bytes, stored uncompressed in deflate's stored
// blocks (RFC 1951, 3.2.4). The checksum covers the page as read, so it
// is computed again for each request: a pass over the bytes, far cheaper
// than compressing them.
type gzipJoin struct {
	w    io.Writer
	crc  uint32
	size uint32
}

// gzipHeader is a gzip member's header: deflate, no name, no time, an
// unknown system.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}

func newGzipJoin(w io.Writer) *gzipJoin {
	w.Write(gzipHeader)
	return &gzipJoin{w: w}
}

// compressed writes a part compressed by deflateParts; raw is the part as read.
func (z *gzipJoin) compressed(deflated, raw []byte) {
	z.w.Write(deflated)
	z.count(raw)
}

// stored writes b uncompressed, in stored blocks of at most 65,535 bytes.
func (z *gzipJoin) stored(b []byte) {
	z.count(b)
	for len(b) > 0 {
		n := min(len(b), 0xffff)
		z.block(false, b[:n])
		b = b[n:]
	}
}

// close ends the stream with an empty last block and the trailer.
func (z *gzipJoin) close() {
	z.block(true, nil)
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], z.crc)
	binary.LittleEndian.PutUint32(trailer[4:], z.size)
	z.w.Write(trailer[:])
}

func (z *gzipJoin) count(b []byte) {
	z.crc = crc32.Update(z.crc, crc32.IEEETable, b)
	z.size += uint32(len(b)) // the size modulo 2³², as gzip keeps it
}

// block writes one stored block: on a byte boundary, its header is a byte
// (the last-block bit, type 00), then its length and the length's
// complement.
func (z *gzipJoin) block(last bool, b []byte) {
	head := [5]byte{}
	if last {
		head[0] = 1
	}
	binary.LittleEndian.PutUint16(head[1:3], uint16(len(b)))
	binary.LittleEndian.PutUint16(head[3:5], ^uint16(len(b)))
	z.w.Write(head[:])
	z.w.Write(b)
}
