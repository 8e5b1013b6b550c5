package store

import (
	"context"
	"errors"
	"iter"
	"time"
)

// DeliveryLog is an optional capability of a Store (find it by type
// assertion): the log a sender keeps so that each notification (a
// reminder, an escalation) goes out once, whatever crashes, retries and
// concurrent senders there are. Each notification has an idempotency key
// (remind.Due gives one); a sender claims the key for a lease, sends, and
// marks the key sent:
//
//	dl, ok := st.(store.DeliveryLog)
//	c, ok, err := dl.Claim(ctx, tenant, key, 5*time.Minute)
//	if err != nil || !ok {
//		return err // !ok: sent already, or another sender holds it
//	}
//	if err := notifier.Send(ctx, msg); err != nil {
//		return dl.Release(ctx, tenant, c, err.Error()) // retry later
//	}
//	return dl.MarkSent(ctx, tenant, c)
//
// A sender that crashes between Claim and MarkSent leaves a claim whose
// lease runs out; the key can then be claimed again, and the message is
// sent again: delivery is at least once, exactly once only while senders
// do not crash. Pass the key to the receiver (a Message-ID, an
// Idempotency-Key header) so that it can drop the duplicate.
//
// The delivery log is operational state, not evidence: it is not part of
// the hash-chained record log, Verify does not check it, and anyone who
// can write the database can change it (at worst, a reminder is sent
// again or not at all). What was communicated is evidenced by records.
// It is kept per tenant like everything else (in PostgreSQL under
// row-level security). Times come from the store's clock (the Now of the
// store's options), in UTC to the microsecond, so that a test can move
// leases on.
//
// The rules of [Store] hold for its methods too, as
// storetest.RunDeliveryLog checks: tenants share nothing, a done context
// fails a method with its error and changes nothing, nothing returned
// shares memory with the store, a listing is lazy and may be iterated
// again, after Close every method fails with ErrClosed, and a store
// opened read-only fails the writes with ErrReadOnly. Of concurrent
// claims of one key, from any number of goroutines, processes or
// application servers on one database, at most one succeeds while its
// lease lasts.
type DeliveryLog interface {
	// Claim takes the tenant's key for the caller for lease (more than
	// zero, at most [MaxLease]). ok is false, with the zero Claim and no
	// error, if the key was marked sent, or is claimed by another whose
	// lease has not run out. A key never seen, one released, and one
	// whose claim's lease ran out (a crashed sender) are claimed:
	// Attempt counts the claims of the key, 1 for the first. A key is
	// non-empty valid UTF-8 of at most [MaxDeliveryKey] bytes without
	// control characters; another key, or lease, fails with ErrInvalid.
	Claim(ctx context.Context, tenant, key string, lease time.Duration) (c Claim, ok bool, err error)
	// MarkSent records that c's message was sent. Only the current claim
	// of the key may mark it, even after its lease ran out as long as no
	// other claim took the key meanwhile: a claim that is not the key's
	// current one (the key was claimed again, or released) fails with
	// ErrLeaseLost, and so does a key never claimed. Marking with the
	// claim that marked the key sent again is a no-op.
	MarkSent(ctx context.Context, tenant string, c Claim) error
	// Release gives c back after a failure that a retry may cure, so that
	// the next claim need not wait for the lease to run out; reason (the
	// error's text, say) is kept as the delivery's LastError, control
	// characters replaced by spaces, invalid UTF-8 replaced and cut to
	// [MaxDeliveryError] bytes. A claim that is not the key's current
	// one, or whose key was marked sent, fails with ErrLeaseLost.
	Release(ctx context.Context, tenant string, c Claim, reason string) error
	// Delivery returns the tenant's delivery with key; a key never
	// claimed fails with ErrNotFound.
	Delivery(ctx context.Context, tenant, key string) (Delivery, error)
	// Deliveries yields the tenant's deliveries that q selects, in byte
	// order of key.
	Deliveries(ctx context.Context, tenant string, q DeliveryQuery) iter.Seq2[Delivery, error]
	// Checkpoint returns the time the tenant's job (an ID of at most
	// [MaxIDLen] bytes without control characters, such as "remind")
	// last set, or the zero time if it never set one.
	Checkpoint(ctx context.Context, tenant, job string) (time.Time, error)
	// SetCheckpoint moves the job's checkpoint to at, unless it is at a
	// later time already: a checkpoint never moves back, so that two
	// runs finishing out of order leave the later. It returns the
	// checkpoint now in force. A zero at, or one outside the years 0001
	// to 9999, fails with ErrInvalid.
	SetCheckpoint(ctx context.Context, tenant, job string, at time.Time) (time.Time, error)
}

// Claim is the claim of a delivery's key that [DeliveryLog.Claim]
// returns: the sender holds the key until Until.
type Claim struct {
	Key string `json:"key"`
	// Token identifies this claim among the key's claims: MarkSent and
	// Release accept only the current one.
	Token string `json:"token"`
	// Attempt counts the key's claims, this one included, from 1.
	Attempt int `json:"attempt"`
	// At is when the key was claimed, and Until when the lease runs out,
	// by the store's clock.
	At    time.Time `json:"at"`
	Until time.Time `json:"until"`
}

// DeliveryState is the state of a delivery in the log. The values are
// stored; they never change meaning.
type DeliveryState string

// The states of a delivery.
const (
	// DeliveryClaimed: a sender holds the key (or held it: once
	// LeaseUntil has passed, the key may be claimed again).
	DeliveryClaimed DeliveryState = "claimed"
	// DeliveryReleased: the last claim was given back after a failure;
	// the next Claim takes the key.
	DeliveryReleased DeliveryState = "released"
	// DeliverySent: the message was sent; the key is never claimed again.
	DeliverySent DeliveryState = "sent"
)

// Delivery is one key of the delivery log, as [DeliveryLog.Delivery] and
// [DeliveryLog.Deliveries] return it.
type Delivery struct {
	Key   string        `json:"key"`
	State DeliveryState `json:"state"`
	// Attempts counts the key's claims.
	Attempts int `json:"attempts"`
	// ClaimedAt is the time of the last claim, LeaseUntil the end of its
	// lease; SentAt, for a sent delivery, when it was marked sent.
	ClaimedAt  time.Time `json:"claimed_at"`
	LeaseUntil time.Time `json:"lease_until"`
	SentAt     time.Time `json:"sent_at,omitzero"`
	// LastError is the reason given with the last Release, "" if none.
	LastError string `json:"last_error,omitempty"`
}

// Expired reports whether d is a claim whose lease has run out at now,
// which the next Claim takes.
func (d Delivery) Expired(now time.Time) bool {
	return d.State == DeliveryClaimed && !now.Before(d.LeaseUntil)
}

// DeliveryQuery selects deliveries; the zero DeliveryQuery selects all.
type DeliveryQuery struct {
	// Prefix, if set, selects the keys that start with it.
	Prefix string
	// State, if set, selects the deliveries in that state.
	State DeliveryState
	// After is a cursor: only keys after it in byte order. Pass the last
	// Key of one page to get the next.
	After string
	// Limit caps the number of deliveries; 0 means no limit. Not negative.
	Limit int
}

// Limits of the delivery log.
const (
	// MaxDeliveryKey is the longest key of the delivery log, in bytes:
	// room for a tenant, activity, occurrence, person and step.
	MaxDeliveryKey = 1024
	// MaxDeliveryError is the most of a Release's reason that is kept, in
	// bytes.
	MaxDeliveryError = 1024
	// MaxLease is the longest lease a claim may take.
	MaxLease = 24 * time.Hour
)

// ErrLeaseLost: MarkSent or Release with a claim that is no longer the
// key's current one: its lease ran out and another sender claimed the
// key, or it was released, or (for Release) the key was marked sent.
// Nothing was changed. A sender that gets it after sending has sent a
// message that another sender may send again.
var ErrLeaseLost = errors.New("store: delivery claim lost")
