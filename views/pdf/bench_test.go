package pdf

import (
	"strconv"
	"testing"
)

// BenchmarkList writes a list of 10,000 entries, as a packet does.
func BenchmarkList(b *testing.B) {
	f := testFont(b)
	for b.Loop() {
		d := New(Config{Lang: "en", Margin: 57, Top: 68, Bottom: 62}, nil, f)
		for i := range 10_000 {
			d.Paragraph(Style{Size: 10, Leading: 14}, Span{Text: "Signer " + strconv.Itoa(i) + ", Organisation " + strconv.Itoa(i%37) + ", France", Font: f})
		}
		if _, err := d.Finish(nil); err != nil {
			b.Fatal(err)
		}
	}
}
