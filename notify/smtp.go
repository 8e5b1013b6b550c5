package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// TLSMode says how an [SMTP] notifier protects its connection.
type TLSMode string

// The TLS modes. The zero value means TLSStartTLS.
const (
	// TLSStartTLS connects in plain text and upgrades with STARTTLS
	// before anything else (submission, port 587). A server that does
	// not offer STARTTLS is an error: there is no silent downgrade.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte (smtps, port 465).
	TLSImplicit TLSMode = "implicit"
	// TLSNone sends in plain text. It is accepted only for a loopback
	// host (a relay on the same machine) and never with a Username.
	TLSNone TLSMode = "none"
)

// SMTPConfig configures [NewSMTP].
type SMTPConfig struct {
	// Addr is the server's host:port, such as "mail.example.com:587".
	Addr string
	// From is the sender: "ops@example.com" or "ISMS <ops@example.com>".
	// Its address is also the envelope sender.
	From string
	// Username and Password log in with AUTH PLAIN, which is only ever
	// sent over TLS. An empty Username sends without logging in.
	Username string
	Password string
	// TLS is the TLS mode; empty means TLSStartTLS.
	TLS TLSMode
	// TLSConfig is the TLS configuration to use, for a private CA for
	// example; nil means the system's roots. Its ServerName defaults to
	// the host of Addr and its MinVersion to TLS 1.2.
	TLSConfig *tls.Config
	// Hostname is the name given in EHLO; empty means "localhost".
	Hostname string
	// Timeout bounds one send (connect, the whole dialogue, the reply to
	// the data); zero means 30 seconds. A context deadline that is earlier
	// wins.
	Timeout time.Duration
	// Now returns the time written into the Date header; nil means
	// time.Now.
	Now func() time.Time
}

// SMTP is a [Notifier] that sends each message as one e-mail over its own
// connection to an SMTP server, with net/smtp. It is safe for concurrent
// use by multiple goroutines.
//
// The e-mail carries From, To, Subject (RFC 2047 Q-encoded UTF-8 when it
// is not plain ASCII), Date, Message-ID (see [MessageID]) and
// X-Ismscomms-Key (see [HeaderKey]) headers and a text/plain; charset=utf-8
// body in quoted-printable. A message's Data is not sent.
//
// A reply of 5xx from the server (a rejected login, sender, recipient or
// message) is a permanent error; a 4xx reply, a network failure, a timeout,
// a cancelled context, a server that does not offer STARTTLS or AUTH when
// they are needed, and a TLS handshake failure are temporary (nothing was
// sent in the clear). A recipient that is refused aborts the send before
// the data: a message goes to all its recipients or to none.
type SMTP struct {
	addr, host string
	from       *mail.Address
	user, pass string
	mode       TLSMode
	tls        *tls.Config
	helo       string
	timeout    time.Duration
	now        func() time.Time
}

// NewSMTP returns an SMTP notifier, or an error matching ErrInvalid when
// the configuration is not valid.
func NewSMTP(c SMTPConfig) (*SMTP, error) {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil || host == "" || port == "" {
		return nil, fmt.Errorf("%w SMTP config: Addr %q is not host:port", ErrInvalid, c.Addr)
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("%w SMTP config: From %q: %v", ErrInvalid, c.From, err)
	}
	if err := checkAddress(from.Address); err != nil {
		return nil, fmt.Errorf("%w SMTP config: From: %v", ErrInvalid, err)
	}
	if err := checkLine(from.Name); err != nil {
		return nil, fmt.Errorf("%w SMTP config: From's name: %v", ErrInvalid, err)
	}
	s := &SMTP{addr: c.Addr, host: host, from: from, user: c.Username, pass: c.Password,
		mode: c.TLS, helo: c.Hostname, timeout: c.Timeout, now: c.Now}
	if s.mode == "" {
		s.mode = TLSStartTLS
	}
	switch s.mode {
	case TLSStartTLS, TLSImplicit:
	case TLSNone:
		if !loopbackHost(host) {
			return nil, fmt.Errorf("%w SMTP config: TLS mode %q is only allowed for a loopback host, not %q", ErrInvalid, TLSNone, host)
		}
		if c.Username != "" {
			return nil, fmt.Errorf("%w SMTP config: a Username with TLS mode %q would send the password in the clear", ErrInvalid, TLSNone)
		}
	default:
		return nil, fmt.Errorf("%w SMTP config: unknown TLS mode %q (want %q, %q or %q)", ErrInvalid, c.TLS, TLSStartTLS, TLSImplicit, TLSNone)
	}
	if c.Username == "" && c.Password != "" {
		return nil, fmt.Errorf("%w SMTP config: a Password without a Username", ErrInvalid)
	}
	if err := checkLine(c.Username); err != nil {
		return nil, fmt.Errorf("%w SMTP config: Username: %v", ErrInvalid, err)
	}
	if strings.ContainsRune(c.Password, 0) {
		return nil, fmt.Errorf("%w SMTP config: the Password contains a NUL byte", ErrInvalid)
	}
	if s.helo == "" {
		s.helo = "localhost"
	} else if !validHELO(s.helo) {
		return nil, fmt.Errorf("%w SMTP config: Hostname %q is not a domain name or address literal", ErrInvalid, c.Hostname)
	}
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	if s.now == nil {
		s.now = time.Now
	}
	if c.TLSConfig != nil {
		s.tls = c.TLSConfig.Clone()
	} else {
		s.tls = &tls.Config{}
	}
	if s.tls.ServerName == "" {
		s.tls.ServerName = host
	}
	if s.tls.MinVersion == 0 {
		s.tls.MinVersion = tls.VersionTLS12
	}
	return s, nil
}

// Notify sends m as one e-mail to all of m.To. See [SMTP] for which
// failures are permanent.
func (s *SMTP) Notify(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return permanent("smtp", 0, err)
	}
	if len(m.To) == 0 {
		return permanent("smtp", 0, invalidf("To is empty: an e-mail needs a recipient"))
	}
	raw := compose(s.from, m, s.now())
	if err := s.send(ctx, m.To, raw); err != nil {
		if ctx.Err() != nil {
			return temporary("smtp", 0, fmt.Errorf("send to %s: %w", s.addr, context.Cause(ctx)))
		}
		return err
	}
	return nil
}

func (s *SMTP) send(ctx context.Context, to []string, raw []byte) error {
	deadline := time.Now().Add(s.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var conn net.Conn
	var err error
	dialer := &net.Dialer{}
	if s.mode == TLSImplicit {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: s.tls}).DialContext(dctx, "tcp", s.addr)
	} else {
		conn, err = dialer.DialContext(dctx, "tcp", s.addr)
	}
	if err != nil {
		return temporary("smtp", 0, fmt.Errorf("connect to %s: %w", s.addr, err))
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	// Cancelling the context interrupts whatever read or write is under way.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return s.fail("greeting", err)
	}
	defer c.Close()
	if err := c.Hello(s.helo); err != nil {
		return s.fail("EHLO", err)
	}
	if s.mode == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return temporary("smtp", 0, fmt.Errorf("%s does not offer STARTTLS, which is required (nothing was sent)", s.addr))
		}
		if err := c.StartTLS(s.tls); err != nil {
			return s.fail("STARTTLS", err)
		}
	}
	if s.user != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return temporary("smtp", 0, fmt.Errorf("%s does not offer AUTH, and a Username is configured", s.addr))
		}
		if err := c.Auth(smtp.PlainAuth("", s.user, s.pass, s.host)); err != nil {
			return s.fail("AUTH", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return s.fail("MAIL FROM", err)
	}
	for _, a := range to {
		if err := c.Rcpt(a); err != nil {
			return s.fail("RCPT TO "+a, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return s.fail("DATA", err)
	}
	if _, err := w.Write(raw); err != nil {
		return s.fail("DATA", err)
	}
	if err := w.Close(); err != nil {
		return s.fail("end of DATA", err)
	}
	// The server has taken the message; a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

// fail classifies an error of step: an SMTP reply of 5xx is permanent,
// anything else temporary.
func (s *SMTP) fail(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		e := fmt.Errorf("%s at %s: %w", step, s.addr, err)
		if te.Code >= 500 && te.Code < 600 {
			return permanent("smtp", te.Code, e)
		}
		return temporary("smtp", te.Code, e)
	}
	return temporary("smtp", 0, fmt.Errorf("%s at %s: %w", step, s.addr, err))
}

// validHELO accepts a domain name of letters, digits, '-' and '.', or an
// address literal in brackets.
func validHELO(h string) bool {
	if len(h) > 255 {
		return false
	}
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		ip := strings.TrimPrefix(h[1:len(h)-1], "IPv6:")
		return net.ParseIP(ip) != nil
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// loopbackHost reports whether host is "localhost" or a loopback IP
// address.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return ip != nil && ip.IsLoopback()
}
