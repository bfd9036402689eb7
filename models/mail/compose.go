package mail

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// compose writes a message as plain UTF-8 text, quoted-printable, which
// keeps every line 7-bit and short whatever the script; its subject in
// RFC 2047 encoded words, one line each; its language in Content-Language;
// and a Message-ID made from its outbox id so that a copy could be
// recognised.
func (s *SMTP) compose(msg Message) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <outbox-%s.%d@%s>\r\n",
		s.from, msg.To, encodeHeader(msg.Subject), msg.CreatedAt.Format(time.RFC1123Z),
		strconv.FormatInt(msg.ID, 10), msg.CreatedAt.Unix(), s.hostname)
	if msg.Lang != "" {
		fmt.Fprintf(&b, "Content-Language: %s\r\n", msg.Lang)
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(msg.Body, "\n", "\r\n")))
	qp.Close()
	return b.Bytes()
}

// encodeHeader encodes text for a mail header: as is when it is ASCII, or
// else as RFC 2047 encoded words, which Go's encoder keeps to 75
// characters each but puts on one line; folding the line between them
// keeps a long title in Arabic or Georgian under the 998 bytes a line may
// hold. A control character becomes a space, so that no text, however it
// got in, can end the header and add another.
func encodeHeader(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", s), "?= =?", "?=\r\n =?")
}
