package driver

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/store"
)

// CheckDeliveryKey returns a store.ErrInvalid error for a delivery key
// that is empty, over store.MaxDeliveryKey bytes, or not UTF-8 without
// control characters.
func CheckDeliveryKey(key string) error {
	switch {
	case key == "":
		return invalid("delivery key is empty")
	case len(key) > store.MaxDeliveryKey:
		return invalid("delivery key is %d bytes, over the limit of %d", len(key), store.MaxDeliveryKey)
	case badText(key):
		return invalid("delivery key %q holds invalid UTF-8 or control characters", key)
	}
	return nil
}

// CheckLease returns a store.ErrInvalid error for a lease that is not
// more than zero and at most store.MaxLease.
func CheckLease(lease time.Duration) error {
	if lease <= 0 || lease > store.MaxLease {
		return invalid("lease %s is not more than 0 and at most %s", lease, store.MaxLease)
	}
	return nil
}

// CheckClaim checks the key of a claim given to MarkSent or Release. (A
// claim with a valid key that the store never made fails with
// store.ErrLeaseLost, not here.)
func CheckClaim(c store.Claim) error {
	return CheckDeliveryKey(c.Key)
}

// CheckJob returns a store.ErrInvalid error for a checkpoint's job name
// that is not a valid ID (as a tenant ID: non-empty, at most
// store.MaxIDLen bytes, no control characters).
func CheckJob(job string) error {
	if p := idProblem(job, false, true); p != "" {
		return invalid("job %q %s", job, p)
	}
	return nil
}

// CheckCheckpoint returns a store.ErrInvalid error for a checkpoint time
// that is zero or outside the years 0001 to 9999.
func CheckCheckpoint(at time.Time) error {
	if at.IsZero() || badTime(at) {
		return invalid("checkpoint %s is zero or outside the years 0001 to 9999", at.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// CheckDeliveryQuery returns a store.ErrInvalid error for a query with a
// negative Limit or an unknown State.
func CheckDeliveryQuery(q store.DeliveryQuery) error {
	if q.Limit < 0 {
		return invalid("delivery query limit %d is negative", q.Limit)
	}
	switch q.State {
	case "", store.DeliveryClaimed, store.DeliveryReleased, store.DeliverySent:
	default:
		return invalid("delivery query state %q is not claimed, released or sent", q.State)
	}
	return nil
}

// DeliveryMatches reports whether d matches q, ignoring q.After and
// q.Limit.
func DeliveryMatches(q store.DeliveryQuery, d store.Delivery) bool {
	return strings.HasPrefix(d.Key, q.Prefix) && (q.State == "" || d.State == q.State)
}

// NewClaimToken returns a new random claim token (128 bits, hex).
func NewClaimToken() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// DeliveryTime is how a store keeps a delivery log's time: in UTC, to the
// microsecond (truncated).
func DeliveryTime(t time.Time) time.Time { return norm(t) }

// Reason is what a store keeps of a Release's reason: control characters
// replaced by spaces, invalid UTF-8 by U+FFFD, cut at a character
// boundary to at most store.MaxDeliveryError bytes.
func Reason(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= store.MaxDeliveryError {
		return s
	}
	cut := store.MaxDeliveryError
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// StoredDelivery is a delivery as a store keeps it: with the token of its
// current claim.
type StoredDelivery struct {
	store.Delivery
	Token string
}

// NextClaim is the state machine of [store.DeliveryLog.Claim] for stores
// that read the key's row and write it back in one transaction: cur is
// the key's row, if exists. It returns the row to write and the claim, or
// ok false (write nothing).
func NextClaim(cur StoredDelivery, exists bool, key string, now time.Time, lease time.Duration) (next StoredDelivery, c store.Claim, ok bool) {
	now = DeliveryTime(now)
	if exists {
		switch {
		case cur.State == store.DeliverySent:
			return cur, store.Claim{}, false
		case cur.State == store.DeliveryClaimed && now.Before(cur.LeaseUntil):
			return cur, store.Claim{}, false
		}
	}
	next = cur
	next.Key = key
	next.State = store.DeliveryClaimed
	next.Attempts = cur.Attempts + 1
	next.ClaimedAt = now
	next.LeaseUntil = DeliveryTime(now.Add(lease))
	next.SentAt = time.Time{}
	next.Token = NewClaimToken()
	return next, ClaimOf(next), true
}

// ClaimOf returns the claim a stored delivery holds.
func ClaimOf(d StoredDelivery) store.Claim {
	return store.Claim{Key: d.Key, Token: d.Token, Attempt: d.Attempts, At: d.ClaimedAt, Until: d.LeaseUntil}
}

// NextMarkSent is the state machine of [store.DeliveryLog.MarkSent]: the
// row to write (changed false: write nothing, and succeed), or
// store.ErrLeaseLost.
func NextMarkSent(cur StoredDelivery, exists bool, c store.Claim, now time.Time) (next StoredDelivery, changed bool, err error) {
	if !exists || cur.Token != c.Token {
		return cur, false, lost(c, "is not the key's current claim")
	}
	switch cur.State {
	case store.DeliverySent:
		return cur, false, nil
	case store.DeliveryReleased:
		return cur, false, lost(c, "was released")
	}
	next = cur
	next.State = store.DeliverySent
	next.SentAt = DeliveryTime(now)
	return next, true, nil
}

// NextRelease is the state machine of [store.DeliveryLog.Release]: the
// row to write, or store.ErrLeaseLost.
func NextRelease(cur StoredDelivery, exists bool, c store.Claim, reason string, now time.Time) (StoredDelivery, error) {
	if !exists || cur.Token != c.Token {
		return cur, lost(c, "is not the key's current claim")
	}
	switch cur.State {
	case store.DeliverySent:
		return cur, lost(c, "marked the key sent")
	case store.DeliveryReleased:
		return cur, lost(c, "was released")
	}
	next := cur
	next.State = store.DeliveryReleased
	next.LeaseUntil = DeliveryTime(now)
	next.LastError = Reason(reason)
	return next, nil
}

func lost(c store.Claim, why string) error {
	return fmt.Errorf("%w: claim %d of delivery key %q %s", store.ErrLeaseLost, c.Attempt, c.Key, why)
}

// LostClaim is the store.ErrLeaseLost error of MarkSent or Release for a
// store that decides in SQL (no row matched the key and token).
func LostClaim(c store.Claim) error {
	return lost(c, "is not the key's current claim")
}
