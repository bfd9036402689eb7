package pdf

import (
	"bytes"
	"fmt"

	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
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

// scriptCode is the ISO 15924 code of a script, which the library keeps
// as its four letters' bytes.
func scriptCode(s language.Script) string {
	return string([]byte{byte(s >> 24), byte(s >> 16), byte(s >> 8), byte(s)})
}
