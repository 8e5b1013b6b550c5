package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/comms"
)

// Store persists, per tenant, communication plans (every version kept),
// events with their milestones, and an append-only, hash-chained log of
// communication records. A tenant can never read, list, overwrite or verify
// another tenant's data through any method, whatever IDs they share.
//
// Every method takes a context first and honours its cancellation.
// Implementations are safe for concurrent use by multiple goroutines.
// Errors are categorised by [ErrNotFound], [ErrConflict] and [ErrInvalid]
// (test with errors.Is); a broken chain is a *[ChainError].
type Store interface {
	// SavePlan saves p as the next version of the plan with p.ID. expect
	// is the version the caller read, 0 to create the plan; if it is not
	// the latest version, SavePlan fails with ErrConflict and changes
	// nothing. An invalid plan fails with ErrInvalid wrapping its
	// *comms.PlanError. Who saved it and why come from the context (see
	// [WithSaveInfo]).
	SavePlan(ctx context.Context, tenant string, p comms.Plan, expect int) (version int, err error)
	// Plan returns the latest version of a plan.
	Plan(ctx context.Context, tenant, id string) (Version, error)
	// PlanVersion returns version v of a plan.
	PlanVersion(ctx context.Context, tenant, id string, v int) (Version, error)
	// Plans lists the latest version of each of the tenant's plans, by ID.
	Plans(ctx context.Context, tenant string) iter.Seq2[Version, error]
	// Versions lists every version of a plan, oldest first.
	Versions(ctx context.Context, tenant, id string) iter.Seq2[Version, error]

	// SaveEvent creates or replaces an event and its milestones.
	SaveEvent(ctx context.Context, tenant string, e comms.Event) error
	// Event returns an event.
	Event(ctx context.Context, tenant, id string) (comms.Event, error)
	// Events lists events by time (their first milestone), oldest first.
	Events(ctx context.Context, tenant string, q EventQuery) iter.Seq2[comms.Event, error]

	// AppendRecord appends r to the tenant's log and returns it as stored:
	// with its sequence number (1, 2, 3, ... with no gaps), the time it was
	// recorded, the previous record's hash and its own (see [Seal]).
	// Records are never updated or deleted; a correction is a new record
	// whose Corrects names the record it corrects.
	AppendRecord(ctx context.Context, tenant string, r comms.Record) (comms.Record, error)
	// Records lists the tenant's records that match q, in sequence order.
	Records(ctx context.Context, tenant string, q RecordQuery) iter.Seq2[comms.Record, error]
	// Verify walks the tenant's whole log and returns the head it
	// verified (how many records, and the last one's hash), or a
	// *ChainError naming the first record whose hash or link is wrong.
	// An empty log verifies as the zero Head.
	Verify(ctx context.Context, tenant string) (Head, error)
}

// Version is one saved version of a plan.
type Version struct {
	PlanID string `json:"plan_id"`
	// Number counts the plan's versions from 1.
	Number int        `json:"version"`
	Plan   comms.Plan `json:"plan"`
	// SavedAt is when the version was saved; SavedBy and Note come from
	// the SaveInfo in the saving context.
	SavedAt time.Time `json:"saved_at"`
	SavedBy string    `json:"saved_by,omitempty"`
	Note    string    `json:"note,omitempty"`
}

// EventQuery selects events by the time of their first milestone: From
// inclusive, To exclusive; zero bounds are open.
type EventQuery struct {
	From, To time.Time
	Kind     string // only events of this kind, if set
}

// RecordQuery selects records. Empty fields match everything.
type RecordQuery struct {
	PlanID     string
	ActivityID string
	EventID    string
	// From (inclusive) and To (exclusive) bound SentAt.
	From, To time.Time
	// After is a cursor: only records with a greater sequence number.
	// Pass the last Seq of one page to get the next.
	After int64
	// Limit caps the number of records; 0 means no limit.
	Limit int
}

// Match reports whether r matches q, ignoring After and Limit.
func (q RecordQuery) Match(r comms.Record) bool {
	switch {
	case q.PlanID != "" && r.PlanID != q.PlanID,
		q.ActivityID != "" && r.ActivityID != q.ActivityID,
		q.EventID != "" && r.EventID != q.EventID,
		!q.From.IsZero() && r.SentAt.Before(q.From),
		!q.To.IsZero() && !r.SentAt.Before(q.To):
		return false
	}
	return true
}

// Pages yields the records q selects, reading them a page at a time by
// keyset paging on the sequence number: fetch returns, in sequence order,
// at most limit records of q with a sequence number greater than after.
// Pages starts after q.After, stops at q.Limit, and reads the next page
// only when the caller has taken the whole of the last one, so a database
// store holds no transaction open while the caller works.
func Pages(q RecordQuery, pageSize int, fetch func(after int64, limit int) iter.Seq2[comms.Record, error]) iter.Seq2[comms.Record, error] {
	return func(yield func(comms.Record, error) bool) {
		after, n := q.After, 0
		for {
			limit := pageSize
			if q.Limit > 0 {
				limit = min(limit, q.Limit-n)
			}
			got := 0
			for rec, err := range fetch(after, limit) {
				if err != nil {
					yield(comms.Record{}, err)
					return
				}
				if !yield(rec, nil) {
					return
				}
				after = rec.Seq
				got++
				n++
			}
			if got < limit || (q.Limit > 0 && n >= q.Limit) {
				return
			}
		}
	}
}

// SaveInfo says who saved a plan version and why.
type SaveInfo struct {
	By   string
	Note string
}

type saveInfoKey struct{}

// WithSaveInfo returns a context that makes SavePlan record who saved the
// version and an optional note.
func WithSaveInfo(ctx context.Context, info SaveInfo) context.Context {
	return context.WithValue(ctx, saveInfoKey{}, info)
}

// SaveInfoFrom returns the SaveInfo of ctx (zero if none); implementations
// of Store call it in SavePlan.
func SaveInfoFrom(ctx context.Context) SaveInfo {
	info, _ := ctx.Value(saveInfoKey{}).(SaveInfo)
	return info
}

// Errors, by category. Every error a Store returns that falls in one of
// these categories wraps it.
var (
	// ErrNotFound: the plan, version or event does not exist for the tenant.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a stale expected version; nothing was changed.
	ErrConflict = errors.New("store: conflict")
	// ErrInvalid: the input is malformed (an invalid plan, event or record,
	// an empty tenant). Validation problems are wrapped too.
	ErrInvalid = errors.New("store: invalid")
	// ErrChainBroken: Verify found a record whose hash or link is wrong;
	// the error is a *ChainError.
	ErrChainBroken = errors.New("store: record chain broken")
)

// ChainError names the first record of a tenant's log whose hash, link or
// sequence number is wrong.
type ChainError struct {
	Tenant string
	// Seq is the sequence number of the first bad record (for a missing
	// record, the number that should have come next).
	Seq    int64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("store: record chain of tenant %q broken at record %d: %s", e.Tenant, e.Seq, e.Reason)
}

// Is makes errors.Is(err, ErrChainBroken) true.
func (e *ChainError) Is(target error) bool { return target == ErrChainBroken }

// invalid wraps ErrInvalid with a message.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// CheckTenant returns an ErrInvalid error for a tenant ID that is empty,
// too long or holds control characters.
func CheckTenant(tenant string) error {
	switch {
	case tenant == "":
		return invalid("empty tenant ID")
	case len(tenant) > 256:
		return invalid("tenant ID longer than 256 bytes")
	case !utf8.ValidString(tenant) || strings.ContainsFunc(tenant, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return invalid("tenant ID %q holds invalid or control characters", tenant)
	}
	return nil
}

// CheckPlan validates a plan for saving: an ErrInvalid error wrapping its
// *comms.PlanError, or nil.
func CheckPlan(p comms.Plan) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("%w: plan %q: %w", ErrInvalid, p.ID, err)
	}
	return nil
}

// CheckEvent validates an event for saving.
func CheckEvent(e comms.Event) error {
	switch {
	case e.ID == "":
		return invalid("event has no ID")
	case e.Kind == "":
		return invalid("event %s has no kind", e.ID)
	}
	for i, m := range e.Milestones {
		if m.Name == "" {
			return invalid("event %s: milestone %d has no name", e.ID, i)
		}
		if m.At.IsZero() {
			return invalid("event %s: milestone %s has no time", e.ID, m.Name)
		}
	}
	return nil
}

// CheckRecord validates a record before it is appended: what the caller
// must set (SentAt; a reason for a waiver) and what it must leave to the
// store (Seq, RecordedAt, PrevHash, Hash).
func CheckRecord(r comms.Record) error {
	switch {
	case r.Seq != 0 || r.Hash != "" || r.PrevHash != "" || !r.RecordedAt.IsZero():
		return invalid("Seq, RecordedAt, PrevHash and Hash are assigned by the store; leave them zero")
	case r.SentAt.IsZero():
		return invalid("record has no SentAt")
	case r.Type != "" && r.Type != comms.RecordSent && r.Type != comms.RecordWaived:
		return invalid("unknown record type %q", r.Type)
	case r.Type == comms.RecordWaived && strings.TrimSpace(r.Note) == "":
		return invalid("a waiver record needs its reason in Note")
	case r.Reached < 0 || r.Acknowledged < 0:
		return invalid("negative reached or acknowledged count")
	case r.Reached > 0 && r.Acknowledged > r.Reached:
		return invalid("acknowledged (%d) exceeds reached (%d)", r.Acknowledged, r.Reached)
	case r.Corrects < 0 || r.PlanVersion < 0:
		return invalid("negative Corrects or PlanVersion")
	}
	return nil
}
