package store

import (
	"errors"
	"fmt"
	"strings"
)

// Errors, by category. Every error a Store returns that falls in one of
// these categories wraps it; test with errors.Is.
var (
	// ErrNotFound: the plan, version or event does not exist for the tenant.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a stale expected version, or an idempotency key that
	// the tenant used for another record; nothing was changed.
	ErrConflict = errors.New("store: conflict")
	// ErrInvalid: the input is malformed (an invalid plan, event, record or
	// query, an invalid tenant ID, a plan whose stored form is over the
	// limit). Validation problems are wrapped too.
	ErrInvalid = errors.New("store: invalid")
	// ErrChainBroken: Verify found a record whose hash, link, sequence
	// number or stored columns are wrong, or a listing or an append met
	// such a record; the error is a *ChainError.
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
	// ErrClosed: a method of a store that was closed (see io.Closer in the
	// package documentation).
	ErrClosed = errors.New("store: closed")
)

// ChainError names the first record of a tenant's log whose hash, link,
// sequence number or stored columns are wrong.
type ChainError struct {
	Tenant string
	// Seq is the sequence number of the first bad record (for a missing
	// record, the number that should have come next).
	Seq int64
	// Column, when what is wrong is a copy of a record field that the
	// store keeps outside the hashed body to select by, names it:
	// "plan_id", "activity_id", "event_id", "sent_at",
	// "idempotency_key", or, copies that [AckReader] reads, "person_id",
	// "digest" or "channel" (see store/driver.Columns). Empty otherwise.
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
