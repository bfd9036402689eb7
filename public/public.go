// Package public holds the static files Undersigned serves under /static/,
// embedded into the binary.
package public

import "embed"

// Files are the stylesheet and icons.
//
//go:embed *.css *.svg
var Files embed.FS
