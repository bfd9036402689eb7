package mail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// compose writes a message as plain UTF-8 text, quoted-printable, which
// keeps every line 7-bit and short whatever the script; its subject in
// RFC 2047 encoded words, one line each; its language in Content-Language;
// and a Message-ID made from its outbox id so that a copy could be
// recognised. A message with files is multipart/mixed: the text first,
// then each file in base64.
func (s *SMTP) compose(msg Message) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <outbox-%s.%d@%s>\r\n",
		s.from, msg.To, encodeHeader(msg.Subject), msg.CreatedAt.Format(time.RFC1123Z),
		strconv.FormatInt(msg.ID, 10), msg.CreatedAt.Unix(), s.hostname)
	if msg.ReplyTo != "" {
		fmt.Fprintf(&b, "Reply-To: %s\r\n", headerValue(msg.ReplyTo))
	}
	if msg.ListUnsubscribe != "" {
		// RFC 8058: a mail program may unsubscribe with one POST to the
		// address, without opening a page.
		fmt.Fprintf(&b, "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", headerValue(msg.ListUnsubscribe))
	}
	if msg.Lang != "" {
		fmt.Fprintf(&b, "Content-Language: %s\r\n", headerValue(msg.Lang))
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	if len(msg.Attachments) == 0 {
		b.WriteString(textHeader + "\r\n")
		writeText(&b, msg.Body)
		return b.Bytes()
	}
	parts := multipart.NewWriter(&b)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", parts.Boundary())
	text, _ := parts.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	writeText(text, msg.Body)
	for _, a := range msg.Attachments {
		// FormatMediaType quotes the name, in RFC 2231's words when it is
		// not ASCII.
		w, _ := parts.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {headerValue(a.ContentType)},
			"Content-Transfer-Encoding": {"base64"},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": headerValue(a.Filename)})},
		})
		writeBase64(w, a.Data)
	}
	parts.Close()
	return b.Bytes()
}

// textHeader is the headers of a message's text.
const textHeader = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"

// writeText writes body in quoted-printable, its lines ending in CRLF.
func writeText(w io.Writer, body string) {
	qp := quotedprintable.NewWriter(w)
	qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	qp.Close()
}

// writeBase64 writes data in base64 in lines of 76 characters, as RFC 2045 asks.
func writeBase64(w io.Writer, data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		w.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	w.Write([]byte(enc + "\r\n"))
}

// encodeHeader encodes text for a mail header: as is when it is ASCII, or
// else as RFC 2047 encoded words, which Go's encoder keeps to 75
// characters each but puts on one line; folding the line between them
// keeps a long title in Arabic or Georgian under the 998 bytes a line may
// hold. A control character becomes a space, so that no text, however it
// got in, can end the header and add another.
func encodeHeader(s string) string {
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", headerValue(s)), "?= =?", "?=\r\n =?")
}

// headerValue is s with each control character a space, so that no value,
// however it got in, can end its header and add another.
func headerValue(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
