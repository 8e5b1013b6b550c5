package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a [Message], checked by [Message.Validate].
const (
	// MaxKeyLen is the longest idempotency key, in bytes: the longest
	// idempotency key a store accepts.
	MaxKeyLen = 256
	// MaxRecipients is the most addresses one message may have.
	MaxRecipients = 100
	// MaxAddressLen is the longest address, in bytes (RFC 5321's limit on
	// a forward path).
	MaxAddressLen = 254
	// MaxSubjectLen is the longest subject, in bytes.
	MaxSubjectLen = 998
	// MaxTextLen is the longest body text, in bytes.
	MaxTextLen = 1 << 20
	// MaxDataLen is the longest structured data, in bytes of JSON.
	MaxDataLen = 1 << 20
)

// Notifier sends one message. Notify returns nil once the receiver (an
// SMTP server, a webhook endpoint) has accepted the message, and an
// [*Error] otherwise, which says whether the failure is permanent
// (errors.Is(err, ErrPermanent)) or may be retried. A temporary failure may
// come after the receiver accepted the message (a lost reply): delivery is
// at least once, and the receiver de-duplicates by the message's Key, which
// every notifier passes on (as the Message-ID and X-Ismscomms-Key of an
// e-mail, as the Idempotency-Key header of a webhook).
//
// The notifiers of this package are safe for concurrent use by multiple
// goroutines.
type Notifier interface {
	Notify(ctx context.Context, m Message) error
}

// Message is one notification: who gets it, what it says, and the
// idempotency key that identifies it across retries.
type Message struct {
	// Key is the idempotency key: opaque, non-empty UTF-8 text without
	// control characters, at most MaxKeyLen bytes (the rule for a
	// store's idempotency keys, so a delivery log's key fits). Two sends
	// of the same message carry the same key.
	Key string
	// To are the recipients' addresses: bare addresses such as
	// "ada@example.com" (no display name, no comment), ASCII only. An
	// e-mail needs at least one and shows all of them in its To header,
	// so send one message per person where they must not see each other;
	// a webhook passes them on as information.
	To []string
	// Subject is a single line of text without control characters, at
	// most MaxSubjectLen bytes.
	Subject string
	// Text is the plain-text body: UTF-8 with no control characters other
	// than tab and line breaks, at most MaxTextLen bytes. Line breaks
	// (LF, CRLF or a lone CR) travel as CRLF in an e-mail.
	Text string
	// Data is optional structured data for a webhook: one JSON value, at
	// most MaxDataLen bytes. An e-mail does not carry it.
	Data json.RawMessage
}

// Validate checks the message against the rules of its fields and returns
// an error matching ErrInvalid that names the field, or nil.
func (m Message) Validate() error {
	if err := checkKey(m.Key); err != nil {
		return err
	}
	if len(m.To) > MaxRecipients {
		return invalidf("To has %d addresses, more than %d", len(m.To), MaxRecipients)
	}
	seen := make(map[string]bool, len(m.To))
	for i, a := range m.To {
		if err := checkAddress(a); err != nil {
			return invalidf("To[%d]: %w", i, err)
		}
		if l := strings.ToLower(a); seen[l] {
			return invalidf("To[%d]: %q is listed twice", i, a)
		} else {
			seen[l] = true
		}
	}
	if len(m.Subject) > MaxSubjectLen {
		return invalidf("Subject is %d bytes, more than %d", len(m.Subject), MaxSubjectLen)
	}
	if err := checkLine(m.Subject); err != nil {
		return invalidf("Subject: %w", err)
	}
	if len(m.Text) > MaxTextLen {
		return invalidf("Text is %d bytes, more than %d", len(m.Text), MaxTextLen)
	}
	if err := checkText(m.Text); err != nil {
		return invalidf("Text: %w", err)
	}
	if len(m.Data) > 0 {
		if len(m.Data) > MaxDataLen {
			return invalidf("Data is %d bytes, more than %d", len(m.Data), MaxDataLen)
		}
		if !json.Valid(m.Data) {
			return invalidf("Data is not one valid JSON value")
		}
	}
	return nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w message: "+format, append([]any{ErrInvalid}, args...)...)
}

func checkKey(k string) error {
	switch {
	case k == "":
		return invalidf("Key is empty")
	case len(k) > MaxKeyLen:
		return invalidf("Key is %d bytes, more than %d", len(k), MaxKeyLen)
	}
	if err := checkLine(k); err != nil {
		return invalidf("Key: %w", err)
	}
	return nil
}

// checkLine accepts valid UTF-8 without control characters (C0, DEL, C1)
// and without the Unicode line and paragraph separators.
func checkLine(s string) error {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !validRuneAt(s, i):
			return fmt.Errorf("invalid UTF-8 at byte %d", i)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return fmt.Errorf("control character %U at byte %d", r, i)
		}
	}
	return nil
}

func checkText(s string) error {
	for i, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r == utf8.RuneError && !validRuneAt(s, i):
			return fmt.Errorf("invalid UTF-8 at byte %d", i)
		case unicode.IsControl(r):
			return fmt.Errorf("control character %U at byte %d", r, i)
		}
	}
	return nil
}

func validRuneAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size > 1 // a literal U+FFFD is 3 bytes; an invalid byte decodes with size 1
}

// checkAddress accepts a bare ASCII address that net/mail parses to
// itself.
func checkAddress(a string) error {
	if a == "" {
		return fmt.Errorf("empty address")
	}
	if len(a) > MaxAddressLen {
		return fmt.Errorf("address is %d bytes, more than %d", len(a), MaxAddressLen)
	}
	for i := 0; i < len(a); i++ {
		if a[i] <= ' ' || a[i] >= 0x7f {
			return fmt.Errorf("address %q: byte %d is not printable ASCII", a, i)
		}
	}
	p, err := mail.ParseAddress(a)
	if err != nil {
		return fmt.Errorf("address %q: %w", a, err)
	}
	if p.Name != "" || p.Address != a {
		return fmt.Errorf("address %q is not a bare address (want only local@domain)", a)
	}
	at := strings.LastIndexByte(a, '@')
	if at <= 0 || at == len(a)-1 {
		return fmt.Errorf("address %q has no local part or domain", a)
	}
	return nil
}

// EncodeKey returns the key as it travels in a header (X-Ismscomms-Key,
// Idempotency-Key): every byte outside '!'..'~', and '%' itself,
// percent-encoded as %XX. A key of printable ASCII without spaces or '%'
// (such as "ack/policy/sha256:…/p-17") travels unchanged; url.PathUnescape
// decodes any of them back to the key.
func EncodeKey(key string) string {
	n := 0
	for i := 0; i < len(key); i++ {
		if c := key[i]; c <= ' ' || c >= 0x7f || c == '%' {
			n++
		}
	}
	if n == 0 {
		return key
	}
	const hex = "0123456789ABCDEF"
	var b bytes.Buffer
	b.Grow(len(key) + 2*n)
	for i := 0; i < len(key); i++ {
		if c := key[i]; c <= ' ' || c >= 0x7f || c == '%' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
