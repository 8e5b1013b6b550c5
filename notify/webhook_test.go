package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/notify"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// receiver is a webhook endpoint that verifies every request and answers
// with the next of its statuses (the last one repeats).
type receiver struct {
	t        *testing.T
	mu       sync.Mutex
	statuses []int
	header   http.Header // set on every response
	bodies   [][]byte
	keys     []string
	times    []time.Time
	bad      []string
	now      func() time.Time // the receiver's clock; nil means time.Now
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.times = append(rc.times, time.Now())
	now := time.Now()
	if rc.now != nil {
		now = rc.now()
	}
	if err := notify.VerifySignature(secret, r.Header.Get(notify.HeaderTimestamp), r.Header.Get(notify.HeaderSignature), body, now, time.Minute); err != nil {
		rc.bad = append(rc.bad, err.Error())
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		rc.bad = append(rc.bad, fmt.Sprintf("%s with Content-Type %q", r.Method, r.Header.Get("Content-Type")))
	}
	rc.bodies = append(rc.bodies, body)
	rc.keys = append(rc.keys, r.Header.Get(notify.HeaderIdempotencyKey))
	status := rc.statuses[min(len(rc.bodies), len(rc.statuses))-1]
	for k, v := range rc.header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, "status %d", status)
}

func (rc *receiver) attempts() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.bad) > 0 {
		rc.t.Errorf("the receiver rejected requests: %q", rc.bad)
	}
	return len(rc.bodies)
}

func startReceiver(t *testing.T, statuses ...int) (*receiver, *httptest.Server) {
	rc := &receiver{t: t, statuses: statuses, header: http.Header{}}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, srv
}

func newWebhook(t *testing.T, url string, edit func(*notify.WebhookConfig)) *notify.Webhook {
	t.Helper()
	c := notify.WebhookConfig{URL: url, Secret: secret, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
	if edit != nil {
		edit(&c)
	}
	w, err := notify.NewWebhook(c)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

var hookMsg = notify.Message{Key: "remind/acme/policy/2026-03-01/p 17/ü", To: []string{"ada@example.com"},
	Subject: "Bitte bestätigen", Text: "Hallo\nAda", Data: json.RawMessage(`{"activity": "policy", "step": 1}`)}

func TestWebhookDelivers(t *testing.T) {
	rc, srv := startReceiver(t, 200)
	rc.now = fixedNow
	w := newWebhook(t, srv.URL+"/hook?tenant=acme", func(c *notify.WebhookConfig) { c.Now = fixedNow })
	if err := w.Notify(context.Background(), hookMsg); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if n := rc.attempts(); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	var p notify.Payload
	if err := json.Unmarshal(rc.bodies[0], &p); err != nil {
		t.Fatal(err)
	}
	if p.Key != hookMsg.Key || p.Subject != hookMsg.Subject || p.Text != hookMsg.Text ||
		strings.Join(p.To, ",") != "ada@example.com" || string(p.Data) != `{"activity":"policy","step":1}` || !p.SentAt.Equal(sentAt) {
		t.Errorf("payload %+v (data %s)", p, p.Data)
	}
	if want := notify.EncodeKey(hookMsg.Key); rc.keys[0] != want || want != "remind/acme/policy/2026-03-01/p%2017/%C3%BC" {
		t.Errorf("Idempotency-Key = %q, want %q", rc.keys[0], want)
	}
}

func TestWebhookNoRecipientsIsAnEmptyList(t *testing.T) {
	rc, srv := startReceiver(t, 204)
	w := newWebhook(t, srv.URL, nil)
	if err := w.Notify(context.Background(), notify.Message{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	rc.attempts()
	if !strings.Contains(string(rc.bodies[0]), `"to":[]`) || strings.Contains(string(rc.bodies[0]), `"data"`) {
		t.Errorf("body %s: want \"to\":[] and no data", rc.bodies[0])
	}
}

func TestWebhookRetries(t *testing.T) {
	rc, srv := startReceiver(t, 500, 502, 200)
	w := newWebhook(t, srv.URL, nil)
	if err := w.Notify(context.Background(), hookMsg); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if n := rc.attempts(); n != 3 {
		t.Fatalf("%d requests, want 3 (500, 502, 200)", n)
	}
	for i := 1; i < 3; i++ {
		if string(rc.bodies[i]) != string(rc.bodies[0]) || rc.keys[i] != rc.keys[0] {
			t.Errorf("attempt %d sent another body or key", i+1)
		}
	}
}

func TestWebhookGivesUpTemporarily(t *testing.T) {
	rc, srv := startReceiver(t, 503)
	w := newWebhook(t, srv.URL, func(c *notify.WebhookConfig) { c.MaxAttempts = 3 })
	err := w.Notify(context.Background(), hookMsg)
	var ne *notify.Error
	if !errors.As(err, &ne) || ne.Permanent || ne.Code != 503 || ne.Attempts != 3 {
		t.Fatalf("Notify = %#v, want a temporary error after 3 attempts with code 503", err)
	}
	if n := rc.attempts(); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
}

func TestWebhookPermanent(t *testing.T) {
	for _, status := range []int{400, 401, 404, 410, 422, 301, 302, 307} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			rc, srv := startReceiver(t, status)
			rc.header.Set("Location", srv.URL+"/elsewhere")
			w := newWebhook(t, srv.URL, nil)
			err := w.Notify(context.Background(), hookMsg)
			var ne *notify.Error
			if !errors.As(err, &ne) || !errors.Is(err, notify.ErrPermanent) || ne.Code != status {
				t.Fatalf("Notify = %v, want permanent with code %d", err, status)
			}
			if n := rc.attempts(); n != 1 {
				t.Fatalf("%d requests, want 1 (no retry, no redirect followed)", n)
			}
		})
	}
}

func TestWebhookRetryAfter(t *testing.T) {
	rc, srv := startReceiver(t, 429, 200)
	rc.header.Set("Retry-After", "1")
	w := newWebhook(t, srv.URL, func(c *notify.WebhookConfig) { c.MaxBackoff = 2 * time.Second })
	if err := w.Notify(context.Background(), hookMsg); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if n := rc.attempts(); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
	// A lower bound only: a slow machine makes the gap longer, never shorter.
	if gap := rc.times[1].Sub(rc.times[0]); gap < 900*time.Millisecond {
		t.Errorf("the retry came %v after a Retry-After of 1s", gap)
	}
}

func TestWebhookRetryAfterBeyondBound(t *testing.T) {
	rc, srv := startReceiver(t, 429, 200)
	rc.header.Set("Retry-After", "3600")
	w := newWebhook(t, srv.URL, nil)
	err := w.Notify(context.Background(), hookMsg)
	if err == nil || notify.IsPermanent(err) || !strings.Contains(err.Error(), "asks to wait") {
		t.Fatalf("Notify = %v, want a temporary error saying the receiver asks to wait", err)
	}
	if n := rc.attempts(); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

func TestWebhookNeverSleepsPastTheContext(t *testing.T) {
	rc, srv := startReceiver(t, 500)
	w := newWebhook(t, srv.URL, func(c *notify.WebhookConfig) { c.Backoff, c.MaxBackoff = time.Hour, time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := w.Notify(ctx, hookMsg)
	if err == nil || notify.IsPermanent(err) || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("Notify = %v, want a temporary error about the deadline", err)
	}
	if n := rc.attempts(); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	if ctx.Err() != nil {
		t.Fatal("Notify waited until the context's deadline")
	}
}

func TestWebhookCancelDuringBackoff(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		cancel() // while the sender is about to back off for an hour
		w.WriteHeader(500)
	}))
	defer srv.Close()
	w := newWebhook(t, srv.URL, func(c *notify.WebhookConfig) { c.Backoff, c.MaxBackoff = time.Hour, time.Hour })
	err := w.Notify(ctx, hookMsg)
	if !errors.Is(err, context.Canceled) || notify.IsPermanent(err) || calls != 1 {
		t.Fatalf("Notify = %v after %d calls, want a temporary error wrapping context.Canceled after 1", err, calls)
	}
}

func TestWebhookNetworkErrorIsRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	w := newWebhook(t, url, func(c *notify.WebhookConfig) { c.MaxAttempts = 2 })
	err := w.Notify(context.Background(), hookMsg)
	var ne *notify.Error
	if !errors.As(err, &ne) || ne.Permanent || ne.Attempts != 2 {
		t.Fatalf("Notify = %#v, want a temporary error after 2 attempts", err)
	}
}

func TestWebhookCapsTheResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		chunk := []byte(strings.Repeat("x", 4096))
		for i := 0; i < 4096; i++ { // 16 MiB, or until the client hangs up
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	w := newWebhook(t, srv.URL+"/secret-token-path", nil)
	err := w.Notify(context.Background(), hookMsg)
	if err == nil || len(err.Error()) > 400 {
		t.Fatalf("Notify = %d bytes of error, want a short one", len(fmt.Sprint(err)))
	}
	if strings.Contains(err.Error(), "secret-token-path") {
		t.Errorf("the error shows the URL's path: %v", err)
	}
}

func TestNewWebhookRejects(t *testing.T) {
	for _, tt := range []struct {
		name, url string
		secret    []byte
		want      string
	}{
		{"plain http off loopback", "http://hooks.example.com/x", secret, "loopback"},
		{"userinfo", "https://bob:hunter2@hooks.example.com/x", secret, "userinfo"},
		{"ftp", "ftp://hooks.example.com/x", secret, "scheme"},
		{"no host", "https:///x", secret, "no host"},
		{"relative", "/hook", secret, "scheme"},
		{"short secret", "https://hooks.example.com/x", []byte("short"), "Secret"},
		{"no secret", "https://hooks.example.com/x", nil, "Secret"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := notify.NewWebhook(notify.WebhookConfig{URL: tt.url, Secret: tt.secret})
			if !errors.Is(err, notify.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewWebhook = %v, want ErrInvalid naming %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "bob") {
				t.Errorf("the error shows the userinfo: %v", err)
			}
		})
	}
}

func TestSignKnownVector(t *testing.T) {
	// Computed independently: python3 -c 'import hmac,hashlib;
	// print(hmac.new(b"0123456789abcdef0123456789abcdef",
	// b"1767225600."+b"{\"key\":\"k\"}", hashlib.sha256).hexdigest())'
	ts, sig := notify.Sign(secret, time.Unix(1767225600, 0), []byte(`{"key":"k"}`))
	if ts != "1767225600" || sig != "sha256=ef65571bf29013fbf307102102b5eb9e4f9a4116b4c26e621681453d461a7aaa" {
		t.Fatalf("Sign = %q, %q", ts, sig)
	}
}

func TestVerifySignature(t *testing.T) {
	now := time.Unix(1767225600, 0)
	body := []byte(`{"key":"k"}`)
	ts, sig := notify.Sign(secret, now, body)
	other := "sha256=" + strings.Repeat("0", 64)
	for _, tt := range []struct {
		name          string
		secret        []byte
		ts, sig, body string
		now           time.Time
		ok            bool
	}{
		{"valid", secret, ts, sig, string(body), now, true},
		{"valid within tolerance", secret, ts, sig, string(body), now.Add(4 * time.Minute), true},
		{"one of several", secret, ts, other + ", " + sig, string(body), now, true},
		{"wrong secret", []byte("another secret of 32 bytes......"), ts, sig, string(body), now, false},
		{"tampered body", secret, ts, sig, `{"key":"K"}`, now, false},
		{"tampered timestamp", secret, "1767225601", sig, string(body), now, false},
		{"stale", secret, ts, sig, string(body), now.Add(6 * time.Minute), false},
		{"from the future", secret, ts, sig, string(body), now.Add(-6 * time.Minute), false},
		{"no timestamp", secret, "", sig, string(body), now, false},
		{"timestamp not a number", secret, "-1", sig, string(body), now, false},
		{"huge timestamp", secret, "99999999999999999999", sig, string(body), now, false},
		{"no signature", secret, ts, "", string(body), now, false},
		{"other scheme", secret, ts, "sha1=" + strings.TrimPrefix(sig, "sha256="), string(body), now, false},
		{"not hex", secret, ts, "sha256=zz", string(body), now, false},
		{"no secret", nil, ts, sig, string(body), now, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := notify.VerifySignature(tt.secret, tt.ts, tt.sig, []byte(tt.body), tt.now, 0)
			if tt.ok != (err == nil) {
				t.Fatalf("VerifySignature = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, notify.ErrSignature) {
				t.Fatalf("VerifySignature = %v, not ErrSignature", err)
			}
		})
	}
}
