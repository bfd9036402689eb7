// Package public holds the static files Undersigned serves under /static/,
// embedded into the binary.
package public

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
	"sync"
)

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

// hashes are the first hex digits of the SHA-256 of each file of Files, by
// name, read once.
var hashes = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	err := fs.WalkDir(Files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := Files.ReadFile(name)
		sum := sha256.Sum256(b)
		out[name] = hex.EncodeToString(sum[:5])
		return err
	})
	if err != nil {
		panic(err) // the files are in the binary
	}
	return out
})

// URL returns the address of the static file name with a hash of its
// content in the file's name, "/static/style.0a1b2c3d4e.css": a browser
// may keep it for ever, since a new version of the file has a new address.
// A name Files lacks has its plain address.
func URL(name string) string {
	h, ok := hashes()[name]
	if !ok {
		return "/static/" + name
	}
	ext := path.Ext(name)
	return "/static/" + strings.TrimSuffix(name, ext) + "." + h + ext
}

// Lookup returns the name of the file an address under /static/ names,
// with a hash or without one, and whether the address carries the hash of
// its current content. An address with another hash, from a page older than
// the file, names the file still. It returns "" for no file of Files.
func Lookup(address string) (name string, current bool) {
	if _, ok := hashes()[address]; ok {
		return address, false
	}
	ext := path.Ext(address)
	base := strings.TrimSuffix(address, ext)
	dot := strings.LastIndexByte(base, '.')
	if dot < 0 {
		return "", false
	}
	name = base[:dot] + ext
	h, ok := hashes()[name]
	if !ok {
		return "", false
	}
	return name, base[dot+1:] == h
}
