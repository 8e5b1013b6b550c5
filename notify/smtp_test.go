package notify_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/notify"
	"github.com/ismscomms/ismscomms/notify/notifytest"
)

var sentAt = time.Date(2026, 3, 2, 8, 15, 0, 0, time.UTC)

func fixedNow() time.Time { return sentAt }

func newSMTP(t *testing.T, c notify.SMTPConfig) *notify.SMTP {
	t.Helper()
	if c.From == "" {
		c.From = "ISMS Büro <isms@example.com>"
	}
	c.Now = fixedNow
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	n, err := notify.NewSMTP(c)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSMTPSendsOverSTARTTLS(t *testing.T) {
	srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{})
	n := newSMTP(t, notify.SMTPConfig{Addr: srv.Addr, Username: srv.Username, Password: srv.Password,
		TLSConfig: srv.TLSConfig(), Hostname: "sender.example.com"})
	m := notify.Message{
		Key:     "remind/acme/policy/2026-03-01/p-17/chase-1",
		To:      []string{"ada@example.com", "bob@example.org"},
		Subject: "Richtlinie bestätigen – Frist 15. März",
		Text:    "Hallo Ada,\n\nbitte bestätige die Richtlinie.\n.\n..a line of dots\nTrailing spaces   \n" + strings.Repeat("lang ", 40) + "\n=3D\n",
	}
	if err := n.Notify(context.Background(), m); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	got := srv.Messages(t)
	if len(got) != 1 {
		t.Fatalf("the server received %d messages, want 1", len(got))
	}
	r := got[0]
	if r.From != "isms@example.com" || strings.Join(r.To, ",") != "ada@example.com,bob@example.org" {
		t.Errorf("envelope from %q to %q", r.From, r.To)
	}
	msg, err := r.Parse()
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	sum := sha256.Sum256([]byte(m.Key))
	if got, want := h.Get("Message-Id"), "<"+hex.EncodeToString(sum[:])[:32]+"@ismscomms>"; got != want {
		t.Errorf("Message-ID = %q, want %q", got, want)
	}
	if got := h.Get("X-Ismscomms-Key"); got != m.Key {
		t.Errorf("X-Ismscomms-Key = %q, want %q", got, m.Key)
	}
	if raw := h.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?q?") {
		t.Errorf("a non-ASCII Subject is not RFC 2047 encoded: %q", raw)
	}
	if s, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject")); err != nil || s != m.Subject {
		t.Errorf("Subject decodes to %q (%v), want %q", s, err, m.Subject)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "ISMS Büro" || from[0].Address != "isms@example.com" {
		t.Errorf("From = %v (%v)", from, err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Address != "ada@example.com" || to[1].Address != "bob@example.org" {
		t.Errorf("To = %v (%v)", to, err)
	}
	if d, err := h.Date(); err != nil || !d.Equal(sentAt) {
		t.Errorf("Date = %v (%v), want %v", d, err, sentAt)
	}
	if h.Get("Content-Type") != "text/plain; charset=utf-8" || h.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Errorf("Content-Type %q, Content-Transfer-Encoding %q", h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"))
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.ReplaceAll(string(body), "\r\n", "\n"), m.Text; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	if bytes.Contains(r.Raw, []byte("bestätige")) {
		t.Error("the raw message carries 8-bit text; the body must be quoted-printable")
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{Mode: notifytest.ModeImplicit})
	n := newSMTP(t, notify.SMTPConfig{Addr: srv.Addr, Username: srv.Username, Password: srv.Password,
		TLSConfig: srv.TLSConfig(), TLS: notify.TLSImplicit})
	if err := n.Notify(context.Background(), notify.Message{Key: "k1", To: []string{"ada@example.com"}, Subject: "s", Text: "t"}); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if got := len(srv.Messages(t)); got != 1 {
		t.Fatalf("the server received %d messages, want 1", got)
	}
}

func TestSMTPRequiresSTARTTLS(t *testing.T) {
	srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{Mode: notifytest.ModePlain})
	n := newSMTP(t, notify.SMTPConfig{Addr: srv.Addr, TLSConfig: srv.TLSConfig()})
	err := n.Notify(context.Background(), notify.Message{Key: "k", To: []string{"ada@example.com"}, Subject: "s", Text: "t"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("Notify to a server without STARTTLS = %v, want an error naming STARTTLS", err)
	}
	if notify.IsPermanent(err) {
		t.Errorf("a missing STARTTLS (possibly stripped on the way) is reported permanent: %v", err)
	}
	if got := len(srv.Messages(t)); got != 0 {
		t.Fatalf("the message went out in the clear (%d received)", got)
	}

	// The same server is fine for an explicit plain-text send on loopback.
	plain := newSMTP(t, notify.SMTPConfig{Addr: srv.Addr, TLS: notify.TLSNone})
	if err := plain.Notify(context.Background(), notify.Message{Key: "k", To: []string{"ada@example.com"}, Subject: "s", Text: "t"}); err != nil {
		t.Fatalf("plain Notify on loopback: %v", err)
	}
	if got := len(srv.Messages(t)); got != 1 {
		t.Fatalf("the server received %d messages, want 1", got)
	}
}

func TestSMTPWrongPasswordIsPermanent(t *testing.T) {
	srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{})
	n := newSMTP(t, notify.SMTPConfig{Addr: srv.Addr, Username: srv.Username, Password: srv.Password + "x",
		TLSConfig: srv.TLSConfig()})
	err := n.Notify(context.Background(), notify.Message{Key: "k", To: []string{"ada@example.com"}, Subject: "s", Text: "t"})
	var ne *notify.Error
	if !errors.As(err, &ne) || !ne.Permanent || !errors.Is(err, notify.ErrPermanent) || ne.Code != 535 {
		t.Fatalf("Notify with a wrong password = %#v, want a permanent *notify.Error with code 535", err)
	}
	if strings.Contains(err.Error(), srv.Password) {
		t.Errorf("the error shows the password: %v", err)
	}
	if got := len(srv.Messages(t)); got != 0 {
		t.Fatalf("the server received %d messages, want 0", got)
	}
}

func TestSMTPUntrustedCertificate(t *testing.T) {
	srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{})
	n := newSMTP(t, notify.SMTPConfig{Addr: srv.Addr, Username: srv.Username, Password: srv.Password})
	err := n.Notify(context.Background(), notify.Message{Key: "k", To: []string{"ada@example.com"}, Subject: "s", Text: "t"})
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("Notify to a server with an untrusted certificate = %v, want a temporary error", err)
	}
	if got := len(srv.Messages(t)); got != 0 {
		t.Fatalf("the server received %d messages, want 0", got)
	}
}

// silentServer accepts connections and never says a word.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	return l.Addr().String()
}

func TestSMTPContextCancel(t *testing.T) {
	addr := silentServer(t)
	n := newSMTP(t, notify.SMTPConfig{Addr: addr, Timeout: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() {
		result <- n.Notify(ctx, notify.Message{Key: "k", To: []string{"ada@example.com"}, Subject: "s", Text: "t"})
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-result:
		if !errors.Is(err, context.Canceled) || notify.IsPermanent(err) {
			t.Fatalf("Notify after cancel = %v, want a temporary error wrapping context.Canceled", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Notify did not return after its context was cancelled")
	}
}

func TestSMTPTimeout(t *testing.T) {
	addr := silentServer(t)
	n := newSMTP(t, notify.SMTPConfig{Addr: addr, Timeout: 100 * time.Millisecond})
	err := n.Notify(context.Background(), notify.Message{Key: "k", To: []string{"ada@example.com"}, Subject: "s", Text: "t"})
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || notify.IsPermanent(err) {
		t.Fatalf("Notify to a silent server = %v, want a temporary timeout", err)
	}
}

func TestSMTPInvalidMessageIsPermanent(t *testing.T) {
	addr := silentServer(t) // never reached: validation comes first
	n := newSMTP(t, notify.SMTPConfig{Addr: addr, Timeout: time.Hour})
	for _, m := range []notify.Message{
		{Key: "k", To: []string{"ada@example.com"}, Subject: "hi\r\nBcc: eve@example.com"},
		{Key: "k", Subject: "no recipient"},
		{Key: "", To: []string{"ada@example.com"}},
	} {
		err := n.Notify(context.Background(), m)
		if !errors.Is(err, notify.ErrPermanent) || !errors.Is(err, notify.ErrInvalid) {
			t.Errorf("Notify(%+v) = %v, want permanent and invalid", m, err)
		}
	}
}

func TestNewSMTPRejects(t *testing.T) {
	for _, tt := range []struct {
		name string
		c    notify.SMTPConfig
		want string
	}{
		{"no port", notify.SMTPConfig{Addr: "mail.example.com", From: "a@example.com"}, "host:port"},
		{"bad from", notify.SMTPConfig{Addr: "mail.example.com:587", From: "not an address"}, "From"},
		{"from with CRLF", notify.SMTPConfig{Addr: "mail.example.com:587", From: "a@example.com\r\nBcc: e@x.y"}, "From"},
		{"plain text off loopback", notify.SMTPConfig{Addr: "mail.example.com:25", From: "a@example.com", TLS: notify.TLSNone}, "loopback"},
		{"login in plain text", notify.SMTPConfig{Addr: "127.0.0.1:25", From: "a@example.com", TLS: notify.TLSNone, Username: "u", Password: "p"}, "in the clear"},
		{"unknown mode", notify.SMTPConfig{Addr: "mail.example.com:587", From: "a@example.com", TLS: "ssl"}, "unknown TLS mode"},
		{"password without user", notify.SMTPConfig{Addr: "mail.example.com:587", From: "a@example.com", Password: "p"}, "without a Username"},
		{"bad helo", notify.SMTPConfig{Addr: "mail.example.com:587", From: "a@example.com", Hostname: "bad host\r\nRSET"}, "Hostname"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := notify.NewSMTP(tt.c)
			if !errors.Is(err, notify.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewSMTP = %v, want ErrInvalid naming %q", err, tt.want)
			}
		})
	}
	for _, addr := range []string{"127.0.0.1:25", "[::1]:25", "localhost:25"} {
		if _, err := notify.NewSMTP(notify.SMTPConfig{Addr: addr, From: "a@example.com", TLS: notify.TLSNone}); err != nil {
			t.Errorf("plain text to %s: %v", addr, err)
		}
	}
}

// One notifier used by several goroutines at once (run with -race); a
// resend of the same key carries the same Message-ID.
func TestSMTPConcurrentAndResend(t *testing.T) {
	srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{})
	n := newSMTP(t, notify.SMTPConfig{Addr: srv.Addr, Username: srv.Username, Password: srv.Password,
		TLSConfig: srv.TLSConfig()})
	keys := []string{"k/1", "k/2", "k/3", "k/1"} // k/1 resent
	errs := make(chan error, len(keys))
	for _, k := range keys {
		go func() {
			errs <- n.Notify(context.Background(), notify.Message{Key: k, To: []string{"ada@example.com"}, Subject: k, Text: k})
		}()
	}
	for range keys {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]string{} // Message-ID -> key
	got := srv.Messages(t)
	if len(got) != len(keys) {
		t.Fatalf("received %d messages, want %d", len(got), len(keys))
	}
	for _, r := range got {
		msg, err := r.Parse()
		if err != nil {
			t.Fatal(err)
		}
		id, key := msg.Header.Get("Message-Id"), msg.Header.Get(notify.HeaderKey)
		if prev, ok := ids[id]; ok && prev != key {
			t.Fatalf("keys %q and %q share Message-ID %s", prev, key, id)
		}
		ids[id] = key
	}
	if len(ids) != 3 {
		t.Fatalf("%d distinct Message-IDs for 3 distinct keys: %v", len(ids), ids)
	}
}
