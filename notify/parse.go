package notify

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Environment variables a program that calls [Parse] reads the secrets
// from, so that they never appear in its arguments (the ismscomms CLI does).
const (
	// EnvSMTPPassword holds the SMTP password for Options.Password.
	EnvSMTPPassword = "ISMSCOMMS_SMTP_PASSWORD"
	// EnvWebhookSecret holds the webhook secret for Options.Secret.
	EnvWebhookSecret = "ISMSCOMMS_WEBHOOK_SECRET"
)

// Options are what [Parse] takes from elsewhere than the URL: secrets and
// the transport.
type Options struct {
	// Password is the SMTP password of the URL's user.
	Password string
	// Secret is the webhook's HMAC secret.
	Secret []byte
	// TLSConfig is SMTPConfig.TLSConfig.
	TLSConfig *tls.Config
	// Client is WebhookConfig.Client.
	Client *http.Client
	// Timeout is SMTPConfig.Timeout or WebhookConfig.Timeout.
	Timeout time.Duration
	// Now is SMTPConfig.Now or WebhookConfig.Now.
	Now func() time.Time
}

// Parse returns the notifier a URL describes, as a command line takes it
// (ismscomms remind --send URL):
//
//	smtp://user@host:587?from=ops@example.com     SMTP with STARTTLS (the port defaults to 587)
//	smtps://user@host:465?from=ops@example.com    SMTP over TLS (the port defaults to 465)
//	smtp://127.0.0.1:2525?from=…&tls=none         plain SMTP, loopback only, no login
//	https://hooks.example.com/ismscomms           a webhook (http only to a loopback host)
//
// The SMTP query parameters are from (required: the From header, such as
// "ISMS <ops@example.com>", URL-encoded), helo (the EHLO name) and tls
// (starttls or none, for smtp://); others are an error. The user is
// optional; its password comes from opts.Password, never from the URL: a
// URL with a password is an error, and so is a webhook without
// opts.Secret. A webhook URL's query is the receiver's and is kept as is.
//
// Errors match ErrInvalid and show only the URL's scheme and host, never
// its userinfo, path or query.
func Parse(rawURL string, opts Options) (Notifier, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, userinfo and all
		}
		return nil, fmt.Errorf("%w notifier URL: it does not parse: %v", ErrInvalid, err)
	}
	// Only the scheme and host show in errors: the userinfo may hold a
	// password, the query or path of a webhook a token.
	shown := u.Scheme + "://" + u.Host
	switch u.Scheme {
	case "smtp", "smtps":
		if _, ok := u.User.Password(); ok {
			return nil, fmt.Errorf("%w notifier URL %s: a password in the URL is not accepted (it would show in the process list); set %s", ErrInvalid, shown, EnvSMTPPassword)
		}
		return parseSMTP(u, shown, opts)
	case "https", "http":
		if u.User != nil {
			return nil, fmt.Errorf("%w notifier URL %s: a webhook URL takes no userinfo (the request is authenticated by its signature)", ErrInvalid, shown)
		}
		if len(opts.Secret) == 0 {
			return nil, fmt.Errorf("%w notifier URL %s: a webhook needs a secret to sign with; set %s", ErrInvalid, shown, EnvWebhookSecret)
		}
		w, err := NewWebhook(WebhookConfig{URL: rawURL, Secret: opts.Secret, Client: opts.Client,
			Timeout: opts.Timeout, Now: opts.Now})
		if err != nil {
			return nil, err
		}
		return w, nil
	case "":
		return nil, fmt.Errorf("%w notifier URL %s: no scheme (want smtp://, smtps:// or https://)", ErrInvalid, shown)
	default:
		return nil, fmt.Errorf("%w notifier URL %s: unknown scheme %q (want smtp, smtps or https)", ErrInvalid, shown, u.Scheme)
	}
}

func parseSMTP(u *url.URL, shown string, opts Options) (Notifier, error) {
	if u.Opaque != "" || u.Host == "" {
		return nil, fmt.Errorf("%w notifier URL %s: no host (want %s://[user@]host[:port]?from=…)", ErrInvalid, shown, u.Scheme)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("%w notifier URL %s: an SMTP URL has no path", ErrInvalid, shown)
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("%w notifier URL %s: an SMTP URL has no fragment", ErrInvalid, shown)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w notifier URL %s: query: %v", ErrInvalid, shown, err)
	}
	c := SMTPConfig{TLSConfig: opts.TLSConfig, Timeout: opts.Timeout, Now: opts.Now}
	if u.User != nil {
		// A password is only used with a user: a program may set it from
		// the environment whatever the URL.
		c.Username, c.Password = u.User.Username(), opts.Password
	}
	for k, v := range q {
		if len(v) != 1 {
			return nil, fmt.Errorf("%w notifier URL %s: parameter %q is given %d times", ErrInvalid, shown, k, len(v))
		}
		switch k {
		case "from":
			c.From = v[0]
		case "helo":
			c.Hostname = v[0]
		case "tls":
			if u.Scheme == "smtps" {
				return nil, fmt.Errorf("%w notifier URL %s: smtps is always TLS; tls= is for smtp://", ErrInvalid, shown)
			}
			switch TLSMode(v[0]) {
			case TLSStartTLS, TLSNone:
				c.TLS = TLSMode(v[0])
			default:
				return nil, fmt.Errorf("%w notifier URL %s: tls=%q (want %s or %s)", ErrInvalid, shown, v[0], TLSStartTLS, TLSNone)
			}
		default:
			return nil, fmt.Errorf("%w notifier URL %s: unknown parameter %q (want from, helo or tls)", ErrInvalid, shown, k)
		}
	}
	if c.From == "" {
		return nil, fmt.Errorf("%w notifier URL %s: from= is required (the sender's address)", ErrInvalid, shown)
	}
	port := u.Port()
	if port == "" {
		port = "587"
		if u.Scheme == "smtps" {
			port = "465"
		}
	}
	c.Addr = net.JoinHostPort(u.Hostname(), port)
	if u.Scheme == "smtps" {
		c.TLS = TLSImplicit
	}
	if c.Username != "" && c.Password == "" {
		return nil, fmt.Errorf("%w notifier URL %s: the URL names a user but no password is given; set %s", ErrInvalid, shown, EnvSMTPPassword)
	}
	s, err := NewSMTP(c)
	if err != nil {
		return nil, fmt.Errorf("%w (notifier URL %s)", err, shown)
	}
	return s, nil
}
