package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/ismscomms/ismscomms/notify"
)

// A receiver verifies the signature over the exact body, then
// de-duplicates by the key.
func ExampleWebhook() {
	secret := []byte("a secret of at least 16 bytes, 32 random ones best")
	seen := map[string]bool{}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		err := notify.VerifySignature(secret, r.Header.Get(notify.HeaderTimestamp),
			r.Header.Get(notify.HeaderSignature), body, time.Now(), 0)
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p notify.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		if seen[p.Key] {
			fmt.Println("duplicate:", r.Header.Get(notify.HeaderIdempotencyKey))
		} else {
			seen[p.Key] = true
			fmt.Printf("to %v: %s\n", p.To, p.Subject)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	hook, err := notify.NewWebhook(notify.WebhookConfig{URL: receiver.URL + "/ismscomms", Secret: secret})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := notify.Message{
		Key:     "remind/acme/policy/2026-03-01/p-17/chase-1",
		To:      []string{"ada@example.com"},
		Subject: "Please acknowledge the security policy",
		Text:    "The policy changed on 1 March; please read and acknowledge it.",
	}
	for range 2 { // a sender that crashed before marking the first send
		if err := hook.Notify(context.Background(), m); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// to [ada@example.com]: Please acknowledge the security policy
	// duplicate: remind/acme/policy/2026-03-01/p-17/chase-1
}
