package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Header names an e-mail of [SMTP] carries besides the usual ones.
const (
	// HeaderKey carries the message's idempotency key, encoded by
	// [EncodeKey].
	HeaderKey = "X-Ismscomms-Key"
)

// MessageID returns the Message-ID an e-mail for the key carries:
// "<" + the first 32 hex digits of SHA-256(key) + "@ismscomms>". The same
// key always gives the same Message-ID, so a mail system that de-duplicates
// by Message-ID drops a resent copy.
func MessageID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "<" + hex.EncodeToString(sum[:])[:32] + "@ismscomms>"
}

// compose builds the RFC 5322 message: headers, then the Text as
// quoted-printable UTF-8. m must be valid.
func compose(from *mail.Address, m Message, date time.Time) []byte {
	var b bytes.Buffer
	b.Grow(len(m.Text)*11/10 + 512)
	b.WriteString("From: ")
	b.WriteString(from.String())
	b.WriteString("\r\nTo: ")
	for i, a := range m.To {
		if i > 0 {
			b.WriteString(",\r\n ")
		}
		b.WriteString(a)
	}
	b.WriteString("\r\nSubject: ")
	writeUnstructured(&b, len("Subject: "), m.Subject)
	b.WriteString("\r\nDate: ")
	b.WriteString(date.Format(time.RFC1123Z))
	b.WriteString("\r\nMessage-ID: ")
	b.WriteString(MessageID(m.Key))
	b.WriteString("\r\n" + HeaderKey + ": ")
	// At most 3*MaxKeyLen characters: one line of under 998.
	b.WriteString(EncodeKey(m.Key))
	b.WriteString("\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	// Every line break (CRLF, LF, a lone CR) becomes LF here and CRLF in
	// the writer.
	text := strings.ReplaceAll(m.Text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	qp.Write([]byte(text)) // a bytes.Buffer does not fail
	qp.Close()
	return b.Bytes()
}

// writeUnstructured writes an unstructured header value (RFC 5322 section
// 3.2.5) so that it decodes back to s exactly: as is when s is short
// printable ASCII that a reader cannot mistake for something else, as
// RFC 2047 Q-encoded words (UTF-8) folded onto lines otherwise.
func writeUnstructured(b *bytes.Buffer, used int, s string) {
	if plainHeader(s, used) {
		b.WriteString(s)
		return
	}
	const (
		prefix  = "=?utf-8?q?"
		suffix  = "?="
		maxWord = 75 // RFC 2047 section 2
	)
	word := len(prefix)
	b.WriteString(prefix)
	for _, r := range s {
		var enc [12]byte
		n := qRune(enc[:0], r)
		if word+len(n)+len(suffix) > maxWord {
			b.WriteString(suffix + "\r\n " + prefix)
			word = len(prefix)
		}
		b.Write(n)
		word += len(n)
	}
	b.WriteString(suffix)
}

// plainHeader reports whether s can be written as is: printable ASCII,
// no space at either end (a reader trims it), nothing a decoder would take for an
// encoded word, and short enough for one line.
func plainHeader(s string, used int) bool {
	if used+len(s) > 78 || strings.Contains(s, "=?") || strings.HasPrefix(s, " ") ||
		strings.HasSuffix(s, " ") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// qRune appends the Q encoding (RFC 2047 section 4.2, with the stricter
// rules of section 5(3) for a word in an unstructured header) of r.
func qRune(dst []byte, r rune) []byte {
	const hexUpper = "0123456789ABCDEF"
	if r == ' ' {
		return append(dst, '_')
	}
	if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' ||
		r >= '0' && r <= '9' || strings.ContainsRune("!*+-/", r)) {
		return append(dst, byte(r))
	}
	var buf [utf8.UTFMax]byte
	for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
		dst = append(dst, '=', hexUpper[c>>4], hexUpper[c&15])
	}
	return dst
}
