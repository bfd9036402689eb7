// Package public holds the static files Undersigned serves under /static/,
// embedded into the binary.
package public

import "embed"

// Files are the stylesheet, the icon and the one script: it moves the
// focus to a refused form's error summary.
//
//go:embed *.css *.svg *.js
var Files embed.FS

// Fonts are DejaVu Sans and its bold, which the server's PDF of a delivery
// packet embeds: a font of the binary's own, so that the PDF does not depend
// on the fonts of the host it runs on. Their licence, which allows
// redistribution, is fonts/LICENSE-DejaVu.txt.
//
//go:embed fonts/*.ttf
var Fonts embed.FS
