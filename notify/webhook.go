package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Header names of a webhook request of [Webhook].
const (
	// HeaderIdempotencyKey carries the message's key, encoded by
	// [EncodeKey]: the same on every attempt and every resend.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderTimestamp carries the time of the attempt in Unix seconds
	// (decimal), which the signature covers.
	HeaderTimestamp = "X-Ismscomms-Timestamp"
	// HeaderSignature carries "sha256=" and the lower-case hex
	// HMAC-SHA256 of the timestamp, ".", and the body (see [Sign]).
	HeaderSignature = "X-Ismscomms-Signature"
)

// MinSecretLen is the shortest webhook secret [NewWebhook] accepts, in
// bytes. 32 random bytes are recommended.
const MinSecretLen = 16

// DefaultTolerance is the tolerance [VerifySignature] uses when given
// none: how far a request's timestamp may be from the receiver's clock.
const DefaultTolerance = 5 * time.Minute

// maxResponse is how much of a response body a webhook send reads.
const maxResponse = 64 << 10

// Payload is the JSON body of a webhook request, for receivers to decode.
type Payload struct {
	// Key is the message's idempotency key, exactly.
	Key string `json:"key"`
	// To are the message's addresses (an empty list when it has none).
	To []string `json:"to"`
	// Subject and Text are the message's.
	Subject string `json:"subject"`
	Text    string `json:"text"`
	// Data is the message's structured data, or absent.
	Data json.RawMessage `json:"data,omitempty"`
	// SentAt is when the send began (the first attempt), in UTC.
	SentAt time.Time `json:"sent_at"`
}

// WebhookConfig configures [NewWebhook].
type WebhookConfig struct {
	// URL is the receiver's endpoint: https, or http to a loopback host
	// (a receiver on the same machine, a test).
	URL string
	// Secret is the HMAC-SHA256 key of the signature, at least
	// MinSecretLen bytes.
	Secret []byte
	// Client sends the requests; nil means a client of its own. Either
	// way redirects are not followed (a 3xx is a permanent error): the
	// signed request goes to the configured URL or nowhere.
	Client *http.Client
	// MaxAttempts bounds the requests of one send; zero means 4.
	MaxAttempts int
	// Backoff is the wait after the first failed attempt, doubled after
	// each further one up to MaxBackoff, each wait drawn at random
	// between half and all of it; zero means 1 second and 30 seconds.
	Backoff, MaxBackoff time.Duration
	// Timeout bounds one attempt; zero means 10 seconds.
	Timeout time.Duration
	// Now returns the time of the timestamp and of sent_at; nil means
	// time.Now.
	Now func() time.Time
}

// Webhook is a [Notifier] that POSTs each message as JSON ([Payload]) to
// one URL, signed with HMAC-SHA256. It is safe for concurrent use by
// multiple goroutines.
//
// # Request
//
// The request has Content-Type application/json, the Idempotency-Key,
// X-Ismscomms-Timestamp and X-Ismscomms-Signature headers (see
// [HeaderSignature]), and the body of [Payload]. The body is the same on
// every attempt of a send; the timestamp and signature are made anew for
// each. A receiver checks the signature with [VerifySignature] over the
// exact bytes of the body, then de-duplicates by the key.
//
// # Retries
//
// A 2xx status is success. A network error, a timeout of the attempt and
// the statuses 408, 429 and 5xx are retried, up to MaxAttempts requests,
// after an exponential backoff with jitter, or after the Retry-After of a
// 429 or 503 when it is within MaxBackoff; a Retry-After beyond it ends
// the send at once with a temporary error, as does a wait that would end
// after the context's deadline: Notify never sleeps past its context.
// When the attempts are used up the error is temporary. Any other status
// (a 4xx, a 3xx redirect, a 1xx) is a permanent error after one request.
type Webhook struct {
	url         *url.URL
	origin      string // scheme://host, for errors: the path may hold a token
	secret      []byte
	client      *http.Client
	maxAttempts int
	backoff     time.Duration
	maxBackoff  time.Duration
	timeout     time.Duration
	now         func() time.Time
}

// NewWebhook returns a webhook notifier, or an error matching ErrInvalid
// when the configuration is not valid. An error never shows the URL's
// userinfo, path or query.
func NewWebhook(c WebhookConfig) (*Webhook, error) {
	u, err := checkWebhookURL(c.URL)
	if err != nil {
		return nil, err
	}
	if len(c.Secret) < MinSecretLen {
		return nil, fmt.Errorf("%w webhook config: the Secret is %d bytes, fewer than %d", ErrInvalid, len(c.Secret), MinSecretLen)
	}
	w := &Webhook{url: u, origin: u.Scheme + "://" + u.Host, secret: bytes.Clone(c.Secret),
		maxAttempts: c.MaxAttempts, backoff: c.Backoff, maxBackoff: c.MaxBackoff,
		timeout: c.Timeout, now: c.Now}
	if c.MaxAttempts < 0 || c.Backoff < 0 || c.MaxBackoff < 0 || c.Timeout < 0 {
		return nil, fmt.Errorf("%w webhook config: a negative MaxAttempts, Backoff, MaxBackoff or Timeout", ErrInvalid)
	}
	if w.maxAttempts == 0 {
		w.maxAttempts = 4
	}
	if w.backoff == 0 {
		w.backoff = time.Second
	}
	if w.maxBackoff == 0 {
		w.maxBackoff = 30 * time.Second
	}
	if w.maxBackoff < w.backoff {
		w.maxBackoff = w.backoff
	}
	if w.timeout == 0 {
		w.timeout = 10 * time.Second
	}
	if w.now == nil {
		w.now = time.Now
	}
	client := &http.Client{}
	if c.Client != nil {
		copied := *c.Client
		client = &copied
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	w.client = client
	return w, nil
}

// checkWebhookURL accepts an absolute https URL, or http to a loopback
// host, without userinfo or fragment.
func checkWebhookURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, userinfo and all
		}
		return nil, fmt.Errorf("%w webhook config: the URL does not parse: %v", ErrInvalid, err)
	}
	shown := u.Scheme + "://" + u.Host
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("%w webhook config: URL scheme %q is not https", ErrInvalid, u.Scheme)
	case u.User != nil:
		return nil, fmt.Errorf("%w webhook config: URL %s has userinfo; the request is authenticated by its signature", ErrInvalid, shown)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("%w webhook config: URL %s has no host", ErrInvalid, shown)
	case u.Scheme == "https":
	case u.Scheme == "http" && loopbackHost(u.Hostname()):
	default:
		return nil, fmt.Errorf("%w webhook config: URL %s: plain http is only allowed to a loopback host; use https", ErrInvalid, shown)
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("%w webhook config: URL %s has a fragment", ErrInvalid, shown)
	}
	return u, nil
}

// Notify POSTs m to the webhook's URL, retrying as the type's
// documentation says.
func (w *Webhook) Notify(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return permanent("webhook", 0, err)
	}
	to := m.To
	if to == nil {
		to = []string{}
	}
	body, err := json.Marshal(Payload{Key: m.Key, To: to, Subject: m.Subject, Text: m.Text,
		Data: m.Data, SentAt: w.now().UTC().Truncate(time.Millisecond)})
	if err != nil { // Validate checked Data
		return permanent("webhook", 0, fmt.Errorf("encode the payload: %w", err))
	}
	var last *Error
	for attempt := 1; ; attempt++ {
		retryAfter, err := w.attempt(ctx, m.Key, body)
		if err == nil {
			return nil
		}
		err.Attempts = attempt
		if err.Permanent {
			return err
		}
		last = err
		if ctx.Err() != nil {
			last.Err = fmt.Errorf("%w (%w)", context.Cause(ctx), last.Err)
			return last
		}
		if attempt >= w.maxAttempts {
			return last
		}
		wait := w.delay(attempt)
		if retryAfter > 0 {
			if retryAfter > w.maxBackoff {
				last.Err = fmt.Errorf("%w; the receiver asks to wait %v, more than the %v this send waits", last.Err, retryAfter, w.maxBackoff)
				return last
			}
			wait = retryAfter
		}
		if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
			last.Err = fmt.Errorf("%w; the next attempt (in %v) would fall after the context's deadline", last.Err, wait)
			return last
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			last.Err = fmt.Errorf("%w (%w)", context.Cause(ctx), last.Err)
			return last
		case <-t.C:
		}
	}
}

// delay is the jittered exponential backoff after the attempt-th failure.
func (w *Webhook) delay(attempt int) time.Duration {
	d := w.backoff
	for i := 1; i < attempt && d < w.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, w.maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// attempt makes one request. It returns an error for anything but 2xx,
// with the Retry-After of a 429 or 503 response.
func (w *Webhook) attempt(ctx context.Context, key string, body []byte) (time.Duration, *Error) {
	actx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, w.url.String(), bytes.NewReader(body))
	if err != nil {
		return 0, permanent("webhook", 0, fmt.Errorf("make the request to %s: %w", w.origin, err))
	}
	now := w.now()
	ts, sig := Sign(w.secret, now, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ismscomms-notify")
	req.Header.Set(HeaderIdempotencyKey, EncodeKey(key))
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, sig)
	resp, err := w.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the whole URL
		}
		return 0, temporary("webhook", 0, fmt.Errorf("POST %s: %w", w.origin, err))
	}
	snippet, _ := readCapped(resp.Body)
	resp.Body.Close()
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return 0, nil
	}
	e := fmt.Errorf("POST %s: status %d%s", w.origin, code, describe(snippet))
	switch {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		return retryAfter(resp.Header.Get("Retry-After"), now), temporary("webhook", code, e)
	case code == http.StatusRequestTimeout || code >= 500 && code < 600:
		return 0, temporary("webhook", code, e)
	case code >= 300 && code < 400:
		return 0, permanent("webhook", code, fmt.Errorf("%w: a redirect is not followed; configure the final URL", e))
	default:
		return 0, permanent("webhook", code, e)
	}
}

// readCapped reads at most maxResponse bytes of r and returns the first
// 200.
func readCapped(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxResponse))
	if len(b) > 200 {
		b = b[:200]
	}
	return b, err
}

// describe quotes the start of a response body for an error message.
func describe(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	return ": " + strconv.QuoteToASCII(s)
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
// It returns 0 for none or a value that does not parse.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// Sign returns the values of the X-Ismscomms-Timestamp and
// X-Ismscomms-Signature headers of a webhook request with body sent at t:
//
//	timestamp = decimal Unix seconds of t
//	signature = "sha256=" + lower-case hex of HMAC-SHA256(secret, timestamp + "." + body)
func Sign(secret []byte, t time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(t.Unix(), 10)
	return timestamp, "sha256=" + hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret []byte, timestamp string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(timestamp))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// VerifySignature checks a webhook request for a receiver: timestamp and
// signature are the values of its X-Ismscomms-Timestamp and
// X-Ismscomms-Signature headers, body its exact bytes. It returns nil when
// the timestamp is within tolerance of now (zero or less means
// DefaultTolerance) and the signature matches the HMAC-SHA256 of
// timestamp "." body under secret; otherwise an error matching
// ErrSignature. The signature header may list several comma-separated
// "sha256=…" values (a sender rotating secrets); one match is enough. The
// comparison takes constant time.
//
// A valid signature proves the request came from a holder of the secret
// within the tolerance; a replay within it is caught by de-duplicating on
// the Idempotency-Key.
func VerifySignature(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if len(secret) == 0 {
		return fmt.Errorf("%w: no secret to verify with", ErrSignature)
	}
	if timestamp == "" || len(timestamp) > 19 || strings.Trim(timestamp, "0123456789") != "" {
		return fmt.Errorf("%w: the %s header %q is not Unix seconds", ErrSignature, HeaderTimestamp, limit(timestamp))
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: the %s header %q is not Unix seconds", ErrSignature, HeaderTimestamp, limit(timestamp))
	}
	if skew := now.Sub(time.Unix(sec, 0)); skew > tolerance || skew < -tolerance {
		return fmt.Errorf("%w: the timestamp is %v from now, more than the tolerance of %v", ErrSignature, skew.Round(time.Second), tolerance)
	}
	want := mac(secret, timestamp, body)
	found := false
	for v := range strings.SplitSeq(signature, ",") {
		v = strings.TrimSpace(v)
		hexSig, ok := strings.CutPrefix(v, "sha256=")
		if !ok {
			continue
		}
		found = true
		got, err := hex.DecodeString(hexSig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	if !found {
		return fmt.Errorf("%w: the %s header has no sha256= value", ErrSignature, HeaderSignature)
	}
	return fmt.Errorf("%w: no signature matches", ErrSignature)
}

func limit(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
