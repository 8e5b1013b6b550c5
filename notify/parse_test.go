package notify_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/notify"
	"github.com/ismscomms/ismscomms/notify/notifytest"
)

func TestParseSendsThroughTheURL(t *testing.T) {
	srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{})
	from := url.QueryEscape("ISMS <isms@example.com>")
	n, err := notify.Parse("smtp://"+srv.Username+"@"+srv.Addr+"?from="+from+"&helo=sender.example.com",
		notify.Options{Password: srv.Password, TLSConfig: srv.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(context.Background(), notify.Message{Key: "k", To: []string{"ada@example.com"}, Subject: "s", Text: "t"}); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	got := srv.Messages(t)
	if len(got) != 1 || got[0].From != "isms@example.com" {
		t.Fatalf("received %+v", got)
	}
}

func TestParse(t *testing.T) {
	opts := notify.Options{Password: "pw", Secret: secret}
	for _, tt := range []struct {
		url  string
		want string // the notifier's type
	}{
		{"smtp://bob@mail.example.com?from=isms@example.com", "smtp"},
		{"smtp://mail.example.com:2525/?from=isms@example.com&tls=starttls", "smtp"},
		{"smtps://bob@mail.example.com?from=ISMS+%3Cisms@example.com%3E", "smtp"},
		{"smtp://127.0.0.1:2525?from=isms@example.com&tls=none", "smtp"},
		{"https://hooks.example.com/ismscomms?token=abc", "webhook"},
		{"http://127.0.0.1:8080/hook", "webhook"},
		{"http://[::1]:8080/hook", "webhook"},
	} {
		n, err := notify.Parse(tt.url, opts)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.url, err)
			continue
		}
		switch n.(type) {
		case *notify.SMTP:
			if tt.want != "smtp" {
				t.Errorf("Parse(%q) is SMTP", tt.url)
			}
		case *notify.Webhook:
			if tt.want != "webhook" {
				t.Errorf("Parse(%q) is a webhook", tt.url)
			}
		}
	}
}

func TestParseRejects(t *testing.T) {
	opts := notify.Options{Password: "pw", Secret: secret}
	for _, tt := range []struct {
		name, url string
		opts      notify.Options
		want      string
	}{
		{"password in URL", "smtp://bob:hunter2@mail.example.com?from=isms@example.com", opts, "ISMSCOMMS_SMTP_PASSWORD"},
		{"password in a broken URL", "smtp://bob:hunter2@mail example.com?from=a@b.c", opts, "does not parse"},
		{"user without password", "smtp://bob@mail.example.com?from=isms@example.com", notify.Options{}, "ISMSCOMMS_SMTP_PASSWORD"},
		{"no from", "smtp://mail.example.com", opts, "from= is required"},
		{"bad from", "smtp://mail.example.com?from=nobody", opts, "From"},
		{"unknown parameter", "smtp://mail.example.com?from=a@b.c&password=hunter2", opts, "unknown parameter"},
		{"repeated parameter", "smtp://mail.example.com?from=a@b.c&from=d@e.f", opts, "2 times"},
		{"tls on smtps", "smtps://mail.example.com?from=a@b.c&tls=none", opts, "always TLS"},
		{"tls unknown", "smtp://mail.example.com?from=a@b.c&tls=maybe", opts, "tls="},
		{"plain off loopback", "smtp://mail.example.com?from=a@b.c&tls=none", opts, "loopback"},
		{"plain with login", "smtp://bob@127.0.0.1?from=a@b.c&tls=none", opts, "in the clear"},
		{"path", "smtp://mail.example.com/inbox?from=a@b.c", opts, "no path"},
		{"no host", "smtp:?from=a@b.c", opts, "no host"},
		{"no scheme", "mail.example.com", opts, "no scheme"},
		{"unknown scheme", "imap://bob:hunter2@mail.example.com", opts, "unknown scheme"},
		{"webhook without secret", "https://hooks.example.com/x", notify.Options{}, "ISMSCOMMS_WEBHOOK_SECRET"},
		{"webhook with userinfo", "https://bob:hunter2@hooks.example.com/x", opts, "userinfo"},
		{"webhook plain http", "http://hooks.example.com/hunter2", opts, "loopback"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := notify.Parse(tt.url, tt.opts)
			if !errors.Is(err, notify.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse = %v, want ErrInvalid naming %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "bob") {
				t.Errorf("the error shows a secret or the userinfo: %v", err)
			}
		})
	}
}
