package handlers

import (
	"compress/flate"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// compressible reports whether a response of this type is worth
// compressing: text. Images, fonts and PDFs are compressed already.
func compressible(contentType string) bool {
	t, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "text/html", "text/css", "text/csv", "text/plain", "application/json", "application/atom+xml", "image/svg+xml":
		return true
	}
	return false
}

// acceptsGzip reports whether the client takes a gzipped answer.
func acceptsGzip(c *fiber.Ctx) bool { return c.Context().Request.Header.HasAcceptEncoding("gzip") }

// gzipResponse compresses the response as it stands, if the client accepts
// it: fasthttp compresses a body in memory at once, and a streamed body as
// it is written, a few kilobytes at a time, so that a long export is never
// held whole. It leaves alone a body that has an encoding already, such as
// a cached page's, compressed when it was kept. It compresses fast rather
// than small: every answer costs it again.
var gzipResponse = fasthttp.CompressHandlerLevel(func(*fasthttp.RequestCtx) {}, fasthttp.CompressBestSpeed)

// compress compresses the text responses of clients that accept gzip,
// error pages included: it runs above the middleware that renders them.
func compress(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil && compressible(string(c.Response().Header.ContentType())) {
		c.Vary(fiber.HeaderAcceptEncoding)
		gzipResponse(c.Context())
	}
	return err
}

// gzipLevel is the compression of static files: compressed once, at
// start, and served many times.
const gzipLevel = flate.DefaultCompression
