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
// (test with errors.Is); a broken chain is a *[ChainError]. A store opened
// read-only fails its writes with [ErrReadOnly].
type Store interface {
	// SavePlan saves p as the next version of the plan with p.ID. expect
	// is the version the caller read, 0 to create the plan; if it is not
	// the latest version, SavePlan fails with ErrConflict and changes
	// nothing. An invalid plan fails with ErrInvalid wrapping its
	// *comms.PlanError. A plan whose stored form is larger than a store
	// reads back (see [EncodePlan]) fails with ErrInvalid too, and nothing
	// is saved. Who saved it and why come from the context (see
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
	// It never returns a record whose content does not match its stored
	// hash or does not match q (as a store that selects by stored copies
	// of fields could, were a copy edited): it fails with a *ChainError
	// naming the record instead.
	Records(ctx context.Context, tenant string, q RecordQuery) iter.Seq2[comms.Record, error]
	// Verify walks the tenant's whole log and returns the head it
	// verified (how many records, and the last one's hash), or a
	// *ChainError naming the first record whose hash, link or sequence
	// number is wrong, or whose stored columns (the copies of its fields
	// that queries select by) disagree with its hashed content. An empty
	// log verifies as the zero Head.
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

// RecordQuery selects records. Empty fields match everything. Database
// stores compare From and To through [RecordQuery.SentBounds].
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

// SentBounds returns q.From and q.To as a database store compares them
// with SentAt, which it keeps to the microsecond: rounded up to the
// microsecond (a zero bound stays zero). Because every SentAt is a whole
// microsecond (see [Seal]), a record is at or after From exactly when it
// is at or after the rounded From, and before To exactly when it is
// before the rounded To; comparing with the bounds as given, truncated to
// microseconds as drivers send them, would select records Match does not.
func (q RecordQuery) SentBounds() (from, to time.Time) {
	return ceilMicro(q.From), ceilMicro(q.To)
}

func ceilMicro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	if c := t.Truncate(time.Microsecond); !c.Equal(t) {
		return c.Add(time.Microsecond)
	}
	return t
}

// StartBounds returns q.From and q.To widened to whole microseconds (From
// rounded down, To up), for a store that keeps an event's start to the
// microsecond in a column to select by while its body keeps the exact
// time: a query with these bounds returns every event that matches q, and
// perhaps some in the same microsecond as a bound, which the store then
// drops with [EventMatches].
func (q EventQuery) StartBounds() (from, to time.Time) {
	if !q.From.IsZero() {
		from = q.From.Truncate(time.Microsecond)
	}
	return from, ceilMicro(q.To)
}

// matchColumns is Match on the stored copies of the fields it reads.
func (q RecordQuery) matchColumns(c Columns) bool {
	switch {
	case q.PlanID != "" && c.PlanID != q.PlanID,
		q.ActivityID != "" && c.ActivityID != q.ActivityID,
		q.EventID != "" && c.EventID != q.EventID,
		!q.From.IsZero() && c.SentAt.Before(q.From),
		!q.To.IsZero() && !c.SentAt.Before(q.To):
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
	// an empty tenant, a plan whose stored form is over the limit). Validation
	// problems are wrapped too.
	ErrInvalid = errors.New("store: invalid")
	// ErrChainBroken: Verify found a record whose hash, link, sequence
	// number or stored columns are wrong, or a listing met such a record;
	// the error is a *ChainError.
	ErrChainBroken = errors.New("store: record chain broken")
	// ErrCorrupt: what the store holds is damaged in a way it can tell but
	// not repair: an index that no longer matches its table (see
	// [IntegrityChecker]), or a stored plan or event whose columns disagree
	// with its body. A *CorruptError carries the details where there are
	// any.
	ErrCorrupt = errors.New("store: storage is corrupt")
	// ErrReadOnly: a write to a store opened read-only, or to a database
	// the store cannot write (read-only media, a read-only transaction).
	ErrReadOnly = errors.New("store: read-only")
)

// ChainError names the first record of a tenant's log whose hash, link,
// sequence number or stored columns are wrong.
type ChainError struct {
	Tenant string
	// Seq is the sequence number of the first bad record (for a missing
	// record, the number that should have come next).
	Seq int64
	// Column, when what is wrong is a copy of a record field that the
	// store keeps outside the hashed body to query by, names it:
	// "plan_id", "activity_id", "event_id" or "sent_at" (see [Columns]).
	// Empty otherwise.
	Column string
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("store: record chain of tenant %q broken at record %d: %s", e.Tenant, e.Seq, e.Reason)
}

// Is makes errors.Is(err, ErrChainBroken) true.
func (e *ChainError) Is(target error) bool { return target == ErrChainBroken }

// CorruptError describes damage to a store's storage that [Store.Verify]
// cannot see, as an [IntegrityChecker] found it.
type CorruptError struct {
	// Problems describe the damage, one line each, at most
	// MaxCorruptProblems of them.
	Problems []string
	// More counts the problems left out of Problems.
	More int
	// Records are the records the damage affects (a record an index
	// misses or misstates, so that a query through it would hide the
	// record or return it for the wrong query), where the store can tell;
	// in order of tenant and sequence number, at most MaxCorruptProblems.
	Records []RecordRef
	// Err is the store's own category, if it has one (sqlite.ErrCorrupt);
	// errors.Is sees it.
	Err error
}

// MaxCorruptProblems bounds the problems and records a *CorruptError
// lists.
const MaxCorruptProblems = 100

// RecordRef names one record of one tenant's log.
type RecordRef struct {
	Tenant string `json:"tenant"`
	Seq    int64  `json:"seq"`
}

func (e *CorruptError) Error() string {
	var b strings.Builder
	b.WriteString("store: storage is corrupt")
	if len(e.Records) > 0 {
		b.WriteString(": affects ")
		for i, r := range e.Records {
			if i > 0 {
				b.WriteString(", ")
			}
			if i == 5 {
				fmt.Fprintf(&b, "and %d more", len(e.Records)-5)
				break
			}
			fmt.Fprintf(&b, "record %d of tenant %q", r.Seq, r.Tenant)
		}
	}
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p)
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "; and %d more problems", e.More)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// Unwrap returns Err.
func (e *CorruptError) Unwrap() error { return e.Err }

// IntegrityChecker is an optional capability of a Store (find it by type
// assertion, as database/sql finds driver.Pinger): checking the storage
// itself for damage that [Store.Verify] cannot see. Verify reads each
// record from its table; a query that selects records through an index
// reads the index first, so an index that no longer matches its table can
// hide a record from a query, or return it for the wrong one, while Verify
// says intact. store/sqlite implements it with PRAGMA integrity_check.
//
//	if ic, ok := st.(store.IntegrityChecker); ok {
//		err = ic.CheckIntegrity(ctx) // nil, a *CorruptError, or why it could not check
//	}
type IntegrityChecker interface {
	// CheckIntegrity checks the whole database, every tenant's data. It
	// returns nil, an error wrapping ErrCorrupt (a *CorruptError naming
	// the affected records where it can), or the error that kept it from
	// checking.
	CheckIntegrity(ctx context.Context) error
}

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
	case r.Type != "" && r.Type != comms.RecordTypeSent && r.Type != comms.RecordTypeWaived:
		return invalid("unknown record type %q", r.Type)
	case r.Type == comms.RecordTypeWaived && strings.TrimSpace(r.Note) == "":
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
