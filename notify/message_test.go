package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func validMessage() Message {
	return Message{Key: "remind/acme/policy/2026-03-01/p-17/1", To: []string{"ada@example.com"},
		Subject: "Please acknowledge the policy", Text: "Hello"}
}

func TestValidate(t *testing.T) {
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", MaxAddressLen) + ".com"
	tests := []struct {
		name  string
		edit  func(*Message)
		field string // in the error; "" means valid
	}{
		{"valid", func(*Message) {}, ""},
		{"key with slash and spaces", func(m *Message) { m.Key = "ack/p 1/ü" }, ""},
		{"empty key", func(m *Message) { m.Key = "" }, "Key is empty"},
		{"key too long", func(m *Message) { m.Key = strings.Repeat("k", MaxKeyLen+1) }, "Key is"},
		{"key with LF", func(m *Message) { m.Key = "a\nBcc: x@y" }, "Key: control"},
		{"key invalid UTF-8", func(m *Message) { m.Key = "a\xff" }, "Key: invalid UTF-8"},
		{"subject CRLF injection", func(m *Message) { m.Subject = "hi\r\nBcc: eve@example.com" }, "Subject: control"},
		{"subject NUL", func(m *Message) { m.Subject = "a\x00" }, "Subject: control"},
		{"subject line separator", func(m *Message) { m.Subject = "a\u2028b" }, "Subject: control"},
		{"subject C1 control", func(m *Message) { m.Subject = "a\u0085b" }, "Subject: control"},
		{"subject too long", func(m *Message) { m.Subject = strings.Repeat("s", MaxSubjectLen+1) }, "Subject is"},
		{"no recipients (a webhook)", func(m *Message) { m.To = nil }, ""},
		{"address with display name", func(m *Message) { m.To = []string{"Ada <ada@example.com>"} }, "To[0]"},
		{"address with CRLF", func(m *Message) { m.To = []string{"ada@example.com\r\nBcc: eve@example.com"} }, "To[0]"},
		{"address with comma", func(m *Message) { m.To = []string{"ada@example.com, eve@example.com"} }, "To[0]"},
		{"address without domain", func(m *Message) { m.To = []string{"ada"} }, "To[0]"},
		{"address not ASCII", func(m *Message) { m.To = []string{"zoë@example.com"} }, "To[0]"},
		{"address too long", func(m *Message) { m.To = []string{long} }, "To[0]"},
		{"duplicate address", func(m *Message) { m.To = []string{"a@example.com", "A@example.com"} }, "To[1]"},
		{"too many recipients", func(m *Message) {
			m.To = nil
			for i := 0; i <= MaxRecipients; i++ {
				m.To = append(m.To, "p"+strings.Repeat("x", i)+"@example.com")
			}
		}, "To has"},
		{"text with tabs and line breaks", func(m *Message) { m.Text = "a\tb\r\nc\nd\re" }, ""},
		{"text with NUL", func(m *Message) { m.Text = "a\x00" }, "Text: control"},
		{"text with escape", func(m *Message) { m.Text = "a\x1b[31m" }, "Text: control"},
		{"text invalid UTF-8", func(m *Message) { m.Text = "\xc3" }, "Text: invalid UTF-8"},
		{"text with U+FFFD", func(m *Message) { m.Text = "a\uFFFDb" }, ""},
		{"text too long", func(m *Message) { m.Text = strings.Repeat("t", MaxTextLen+1) }, "Text is"},
		{"data valid", func(m *Message) { m.Data = json.RawMessage(`{"occurrence":"2026-03-01"}`) }, ""},
		{"data invalid", func(m *Message) { m.Data = json.RawMessage(`{"a":`) }, "Data is not"},
		{"data two values", func(m *Message) { m.Data = json.RawMessage(`1 2`) }, "Data is not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validMessage()
			tt.edit(&m)
			err := m.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Validate = %q, want it to name %q", err, tt.field)
			}
		})
	}
}

func TestEncodeKey(t *testing.T) {
	for _, tt := range []struct{ key, want string }{
		{"ack/policy/sha256:ab12/p-17", "ack/policy/sha256:ab12/p-17"},
		{"a b", "a%20b"},
		{"100%", "100%25"},
		{"ü", "%C3%BC"},
	} {
		if got := EncodeKey(tt.key); got != tt.want {
			t.Errorf("EncodeKey(%q) = %q, want %q", tt.key, got, tt.want)
		}
		if back, err := url.PathUnescape(EncodeKey(tt.key)); err != nil || back != tt.key {
			t.Errorf("PathUnescape(EncodeKey(%q)) = %q, %v", tt.key, back, err)
		}
	}
}

func TestMessageID(t *testing.T) {
	key := "remind/acme/policy/2026-03-01/p-17/1"
	sum := sha256.Sum256([]byte(key))
	want := "<" + hex.EncodeToString(sum[:16]) + "@ismscomms>"
	if got := MessageID(key); got != want {
		t.Errorf("MessageID = %q, want %q", got, want)
	}
	if _, err := mail.ParseAddress("x " + strings.Trim(MessageID(key), "")); err != nil {
		t.Errorf("the Message-ID is not a valid msg-id (addr-spec in angle brackets): %v", err)
	}
}

var wantHeaders = []string{"Content-Transfer-Encoding", "Content-Type", "Date", "From", "Message-Id",
	"Mime-Version", "Subject", "To", "X-Ismscomms-Key"}

// checkComposed parses raw and checks every property of an e-mail composed
// from m: exactly the expected headers, each decoding back to its field,
// and the body decoding back to the text.
func checkComposed(t *testing.T, raw []byte, from string, m Message, date time.Time) {
	t.Helper()
	for i, line := range bytes.Split(raw, []byte("\r\n")) {
		if len(line) > 998 {
			t.Fatalf("line %d is %d bytes, more than 998", i+1, len(line))
		}
		if bytes.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, line)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail does not parse the message: %v\n%s", err, raw)
	}
	var keys []string
	for k := range msg.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, wantHeaders) {
		t.Fatalf("headers %q, want %q", keys, wantHeaders)
	}
	for _, k := range keys {
		if n := len(msg.Header[k]); n != 1 {
			t.Fatalf("header %s appears %d times", k, n)
		}
	}
	if got := msg.Header.Get("From"); got != from {
		t.Errorf("From = %q, want %q", got, from)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil {
		t.Fatalf("To: %v", err)
	}
	var addrs []string
	for _, a := range to {
		addrs = append(addrs, a.Address)
	}
	if !slices.Equal(addrs, m.To) {
		t.Errorf("To = %q, want %q", addrs, m.To)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("Subject decodes to %q (%v), want %q; raw %q", subject, err, m.Subject, msg.Header.Get("Subject"))
	}
	if got := msg.Header.Get("Message-Id"); got != MessageID(m.Key) {
		t.Errorf("Message-ID = %q, want %q", got, MessageID(m.Key))
	}
	if got, err := url.PathUnescape(msg.Header.Get(HeaderKey)); err != nil || got != m.Key {
		t.Errorf("%s decodes to %q (%v), want %q", HeaderKey, got, err, m.Key)
	}
	if d, err := msg.Header.Date(); err != nil || !d.Equal(date.Truncate(time.Second)) {
		t.Errorf("Date = %v (%v), want %v", d, err, date)
	}
	if got := msg.Header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := msg.Header.Get("Content-Transfer-Encoding"); got != "quoted-printable" {
		t.Errorf("Content-Transfer-Encoding = %q", got)
	}
	if got := msg.Header.Get("Mime-Version"); got != "1.0" {
		t.Errorf("MIME-Version = %q", got)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("the body does not decode: %v", err)
	}
	if got, want := lf(string(body)), lf(m.Text); got != want {
		t.Errorf("the body decodes to %q, want %q", got, want)
	}
}

// lf turns every line break into LF.
func lf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func TestCompose(t *testing.T) {
	date := time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	from, _ := mail.ParseAddress("Informationssicherheit Müller <isms@example.com>")
	for _, tt := range []struct{ name, subject, text string }{
		{"ascii", "Please acknowledge the policy", "Hello,\n\nplease read it.\n"},
		{"umlauts", "Richtlinie bestätigen – Frist 15. März", "Grüße\r\naus Köln"},
		{"looks encoded", "=?utf-8?q?forged?=", "x"},
		{"double spaces", "  two  spaces ", "x"},
		{"long ascii", strings.Repeat("word ", 150), strings.Repeat("long line without breaks ", 40)},
		{"long unicode", strings.Repeat("€ü日本", 60), "."},
		{"empty", "", ""},
		{"dots and spaces", "a.b", ".\n.\r\n..\nline with trailing spaces   \n\ttab\rlone CR\n=3D literal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := Message{Key: "k/" + tt.name + " ü%", To: []string{"ada@example.com", "bob@example.org"},
				Subject: tt.subject, Text: tt.text}
			if err := m.Validate(); err != nil {
				t.Fatal(err)
			}
			checkComposed(t, compose(from, m, date), from.String(), m, date)
		})
	}
}

func FuzzCompose(f *testing.F) {
	f.Add("k", "Subject", "Body", "ada@example.com")
	f.Add("a/b c", "Grüße\r\nBcc: eve@example.com", "line\r\n.\r\nQUIT\r\n", "ada@example.com\r\nBcc: eve@example.com")
	f.Add("%41", "=?utf-8?b?QUJD?=", "=\n=3D\r\r\n  \n", "a@b.c,d@e.f")
	f.Add(strings.Repeat("k", 256), strings.Repeat("ü ", 300), strings.Repeat("x", 2000), "\"q d\"@example.com")
	date := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	from, _ := mail.ParseAddress("ISMS <isms@example.com>")
	f.Fuzz(func(t *testing.T, key, subject, text, to string) {
		m := Message{Key: key, Subject: subject, Text: text, To: strings.Split(to, ",")}
		err := m.Validate()
		if strings.ContainsAny(subject, "\r\n") || strings.ContainsAny(key, "\r\n") || strings.ContainsAny(to, "\r\n") {
			if err == nil {
				t.Fatalf("Validate accepted a line break in a header field: %+v", m)
			}
		}
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, not ErrInvalid", err)
			}
			return
		}
		checkComposed(t, compose(from, m, date), from.String(), m, date)
	})
}
