package store

import (
	"context"
	"iter"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store/internal/saveinfo"
)

// Store persists, per tenant, communication plans (every version kept),
// events with their milestones, and an append-only, hash-chained log of
// communication records.
//
// This comment is the contract of every implementation: store/storetest
// checks each of its rules, in clauses named after its headings
// (storetest.Run). An implementation builds on store/driver.
//
// # Tenants
//
// Every method takes a tenant ID. Any non-empty ID of at most [MaxIDLen]
// bytes of UTF-8 without control characters names a tenant, whether or
// not anything was stored for it; any other ID fails every method with
// ErrInvalid. Tenants share nothing: no method reads, lists, changes,
// conflicts with or verifies another tenant's data, whatever IDs the two
// use. Plan versions, sequence numbers and idempotency keys are counted
// per tenant.
//
// # What is missing
//
// A lookup of one thing the tenant does not have (Plan, PlanVersion,
// Event) fails with ErrNotFound. A listing of things the tenant has none
// of (the Plans, Events or Records of a tenant that stored nothing, the
// Versions of an unknown plan, a query that matches nothing) is an empty
// sequence, without error. Verify of a tenant without records returns the
// zero Head and no error.
//
// # Sequences
//
// Plans, Versions, Events and Records return an iter.Seq2 that does
// nothing until it is iterated: the call itself never fails, and every
// error, an invalid tenant or a done context included, arrives in the
// sequence. An error arrives once, as the last pair, with the zero value:
// the sequence stops after it. Each iteration runs the query anew and sees
// the store as it is then, so a sequence may be iterated any number of
// times, and a loop may stop early. No sequence holds a lock or a
// transaction while the loop body runs: the body may call the store,
// writes included. Records yields every record it selects that was
// appended before the iteration began, each once and in order, even while
// records are appended; those appended during the iteration may or may
// not be yielded.
//
// # Order
//
// Plans yields the latest version of each plan in byte order of plan ID.
// Versions yields a plan's versions oldest first. Records yields records
// by sequence number. Events yields events by the time of their first
// milestone (comms.Event.Start: the earliest; the zero time for an event
// without milestones), equal times in byte order of ID.
//
// # Validation
//
// The store checks what it is asked to keep, and refuses with ErrInvalid
// an invalid plan (wrapping the *comms.PlanError of comms.Plan.Validate),
// a plan whose stored form is over MaxStoredPlan bytes, an invalid event
// (see SaveEvent) and an invalid record (see AppendRecord); and a
// RecordQuery with a negative After or Limit. It does not check what
// records and events refer to: a record's plan, plan version, activity,
// occurrence and event are kept as given, whether a stored plan has them
// or not (checking them is the caller's, through the checked append that
// sits above the store). A lookup by an ID that names nothing fails with
// ErrNotFound, whatever the ID. A write refused with ErrInvalid or
// ErrConflict changes nothing.
//
// # Values
//
// Nothing a method returns shares memory with the store or with what it
// was given. Records come back with their times in UTC, to the microsecond;
// a version's SavedAt is in UTC; an event comes back with the instants it
// was saved with.
//
// # Cancellation
//
// Every method takes a context first and honours it: a method called, or a
// sequence iterated, with a done context fails with the context's error
// (errors.Is context.Canceled or context.DeadlineExceeded) and changes
// nothing.
//
// # Concurrency
//
// A Store is safe for concurrent use by multiple goroutines. Concurrent
// appends to one tenant form one chain, with no gap and no sequence number
// twice. Of concurrent SavePlan calls with the same expected version,
// exactly one succeeds and the others fail with ErrConflict. Concurrent
// appends of one record with the same idempotency key store it once, and
// each returns it.
//
// # Optional capabilities
//
// A store may implement io.Closer, [Pinger] and [IntegrityChecker], found
// by type assertion; the package documentation says what each promises.
type Store interface {
	// SavePlan saves p as the next version of the plan with p.ID and
	// returns its number: 1 for a new plan, then one more than the latest.
	// expect is the version the caller read, 0 to create the plan; if it
	// is not the latest (0 when there is none), SavePlan fails with
	// ErrConflict. Who saved the version and why come from the context
	// (see [WithSaveInfo]); SavedAt is the time of the store's clock.
	SavePlan(ctx context.Context, tenant string, p comms.Plan, expect int) (version int, err error)
	// Plan returns the latest version of a plan.
	Plan(ctx context.Context, tenant, id string) (Version, error)
	// PlanVersion returns version v of a plan; v 0 means the latest, as
	// Plan. A version that does not exist (negative, or past the latest)
	// fails with ErrNotFound.
	PlanVersion(ctx context.Context, tenant, id string, v int) (Version, error)
	// Plans yields the latest version of each of the tenant's plans.
	Plans(ctx context.Context, tenant string) iter.Seq2[Version, error]
	// Versions yields every version of a plan.
	Versions(ctx context.Context, tenant, id string) iter.Seq2[Version, error]

	// SaveEvent creates an event, or replaces the tenant's event with its
	// ID, milestones and all: events are not versioned. An event needs an
	// ID and a kind, and each of its milestones a name and a time; those
	// three are at most [MaxIDLen] bytes without NUL, and all of its text
	// is valid UTF-8.
	SaveEvent(ctx context.Context, tenant string, e comms.Event) error
	// Event returns an event as it was last saved.
	Event(ctx context.Context, tenant, id string) (comms.Event, error)
	// Events yields the events q selects: those whose first milestone is
	// at or after q.From and before q.To (a zero bound is open), of kind
	// q.Kind if it is set.
	Events(ctx context.Context, tenant string, q EventQuery) iter.Seq2[comms.Event, error]

	// AppendRecord appends r to the tenant's log and returns it as stored:
	// with its sequence number (1 for the tenant's first record, then one
	// more than the last), RecordedAt from the store's clock, PrevHash (the
	// previous record's Hash, empty for the first) and Hash, the SHA-256 of
	// the record's canonical encoding (see store/driver.Seal), and with an
	// empty Type made comms.RecordTypeSent. Records are never changed or
	// removed: a correction is a new record whose Corrects names the one
	// it corrects.
	//
	// r must leave Seq, RecordedAt, PrevHash and Hash zero and set SentAt.
	// Its Type is empty, sent, waived or ack, and a waiver gives its reason
	// in Note. An acknowledgement (ack) names its PersonID, ActivityID and
	// Digest (the message version), and no Recipients, Reached,
	// Acknowledged, Occurrence or Corrects; its Evidence kind is at most
	// [MaxIDLen] bytes and its reference at most [MaxEvidenceRef], both
	// without control characters. Only an acknowledgement has a PersonID
	// or Evidence. Recipients, on a sent record only, are at most
	// [MaxRecipients] distinct non-empty IDs of at most [MaxIDLen] bytes
	// without control characters, and Reached is 0 or their number.
	// Reached, Acknowledged, Corrects and PlanVersion are not negative,
	// and Acknowledged is at most Reached where Reached is set; Corrects, if set, names an earlier record of the tenant. Its IDs
	// (PlanID, ActivityID, EventID, Channel, SenderRole, each of
	// Audiences) are at most [MaxIDLen] bytes without NUL, its
	// IdempotencyKey at most [MaxIDLen] bytes without control characters,
	// and all of its text is valid UTF-8.
	// Otherwise AppendRecord fails with ErrInvalid, whatever its
	// idempotency key names.
	//
	// An idempotency key makes an append safe to retry. If
	// r.IdempotencyKey is set and the tenant has a record with that key,
	// AppendRecord appends nothing: it returns that record, as it was
	// returned when it was appended, if r is the same record (equal in
	// every field the caller sets, once times are taken in UTC to the
	// microsecond and an empty Type as sent), and otherwise fails with
	// ErrConflict. A key stays the tenant's for good. AppendRecord never
	// returns, for a key, a stored record whose hashed content does not
	// carry the key or does not match its stored hash: it fails with a
	// *ChainError naming the record instead.
	AppendRecord(ctx context.Context, tenant string, r comms.Record) (comms.Record, error)
	// Records yields the tenant's records that q selects (see
	// [RecordQuery]). It never yields a record whose content does not
	// match its stored hash, or does not match q (as a store that selects
	// by stored copies of fields could, were a copy edited): it fails
	// with a *ChainError naming the record instead.
	Records(ctx context.Context, tenant string, q RecordQuery) iter.Seq2[comms.Record, error]
	// Verify walks the tenant's whole log and returns the head it
	// verified: the last record's sequence number and hash, the zero Head
	// for an empty log. It fails with a *ChainError naming the first
	// record whose hash, link to the record before it, sequence number or
	// stored copies of fields (those that queries and idempotency keys
	// select by) disagree with its hashed content, or the first record
	// missing from the log, the newest included (the store keeps the head
	// apart from the log).
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
// inclusive, To exclusive; zero bounds are open. The zero EventQuery
// selects every event.
type EventQuery struct {
	From, To time.Time
	Kind     string // only events of this kind, if set
}

// RecordQuery selects records. Empty fields match everything: the zero
// RecordQuery selects the whole log.
type RecordQuery struct {
	PlanID     string
	ActivityID string
	EventID    string
	// From (inclusive) and To (exclusive) bound SentAt.
	From, To time.Time
	// After is a cursor: only records with a greater sequence number.
	// Pass the last Seq of one page to get the next. Not negative.
	After int64
	// Limit caps the number of records; 0 means no limit. Not negative.
	Limit int
}

// Head is the end of a tenant's log: the sequence number of its last
// record (which, with numbers 1, 2, 3, ... and no gaps, is the number of
// records) and that record's hash. [Store.Verify] returns the head it
// verified; compare it with one recorded elsewhere (a previous report
// prints it) to notice a log cut short together with the head the store
// keeps. The zero Head is an empty log.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// MaxStoredPlan is the largest stored form of a plan (compact JSON, see
// store/driver.EncodePlan) a store accepts and reads back:
// comms.MaxPlanSize, the most the plan decoders read. One limit for
// saving and reading, so that a store never accepts a plan it cannot read
// back.
const MaxStoredPlan = comms.MaxPlanSize

// MaxIDLen is the longest ID a store accepts, in bytes: a tenant ID, an
// event's ID, kind and milestone names, a record's plan, activity, event,
// channel, sender role and audience IDs, and an idempotency key. (Plan
// IDs are shorter still: see comms.Plan.Validate.)
const MaxIDLen = 256

// MaxRecipients is the most people one record's Recipients may name: a
// delivery to more is recorded as several records.
const MaxRecipients = 100_000

// MaxEvidenceRef is the longest evidence reference of an acknowledgement
// (comms.AckEvidence.Ref), in bytes.
const MaxEvidenceRef = 2048

// SaveInfo says who saved a plan version and why.
type SaveInfo struct {
	By   string
	Note string
}

// WithSaveInfo returns a context that makes SavePlan record who saved the
// version and an optional note.
func WithSaveInfo(ctx context.Context, info SaveInfo) context.Context {
	return saveinfo.With(ctx, info)
}
