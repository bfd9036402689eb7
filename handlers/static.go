package handlers

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"mime"
	"path"

	"github.com/gofiber/fiber/v2"

	"undersigned/public"
)

// Cache lifetimes of static files: for ever at the address with the hash
// of their content, which changes with them; an hour at an address without
// it, or with an old one, still linked from pages older than the file.
const (
	cacheForEver = "public, max-age=31536000, immutable"
	cacheAnHour  = "public, max-age=3600"
)

// staticFile is a file of public/ ready to send: its bytes, its type and,
// for text, its bytes compressed.
type staticFile struct {
	body, gzipped []byte
	contentType   string
}

// readStaticFiles reads the files of public/ once, compressing those of
// text at once.
func readStaticFiles() (map[string]*staticFile, error) {
	out := map[string]*staticFile{}
	err := fs.WalkDir(public.Files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f := &staticFile{contentType: mime.TypeByExtension(path.Ext(name))}
		if f.body, err = public.Files.ReadFile(name); err != nil {
			return err
		}
		if compressible(f.contentType) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzipLevel) // the level is valid
			zw.Write(f.body)
			zw.Close() // writes to memory, which does not fail
			f.gzipped = buf.Bytes()
		}
		out[name] = f
		return nil
	})
	return out, err
}

// static serves the files of public/ from memory. Pages link them at the
// address public.URL gives, with a hash of their content.
func (h *Handler) static(c *fiber.Ctx) error {
	name, current := public.Lookup(c.Params("*"))
	f := h.staticFiles[name]
	if f == nil {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, cacheAnHour)
	if current {
		c.Set(fiber.HeaderCacheControl, cacheForEver)
	}
	c.Set(fiber.HeaderContentType, f.contentType)
	if f.gzipped != nil && acceptsGzip(c) {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(f.gzipped)
	}
	return c.Send(f.body)
}
