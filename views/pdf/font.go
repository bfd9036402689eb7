package pdf

import (
	"bytes"
	"fmt"
	"unicode"

	"github.com/go-text/typesetting/font"
)

// Font is a TrueType font a Document embeds and shapes text with. It is
// safe for concurrent use: each Document makes its own faces of it.
type Font struct {
	name string // its PostScript name, as the PDF names it
	data []byte
	font *font.Font
	upem float64
}

// ParseFont reads a TrueType font file.
func ParseFont(name string, data []byte) (*Font, error) {
	face, err := font.ParseTTF(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse font %s: %w", name, err)
	}
	return &Font{name: name, data: data, font: face.Font, upem: float64(face.Upem())}, nil
}

// scriptName is the Unicode name of the script of r ("Han", "Ethiopic").
func scriptName(r rune) string {
	for name, table := range unicode.Scripts {
		if unicode.Is(table, r) {
			return name
		}
	}
	return "Unknown"
}
