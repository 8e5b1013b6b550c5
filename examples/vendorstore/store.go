// Package vendorstore shows a GRC vendor wrapping its own persistence as a
// store.Store and proving it meets the contract with storetest.Run (see
// store_test.go).
//
// The vendor's product already has a database layer; here it is stood in
// for by the in-memory store (store/memory), behind a wrapper that adds
// what products add: metrics per operation and a product limit on plan
// size. Whatever the wrapper does, the conformance suite checks that
// versions, conflicts, the record chain, idempotent appends, tenant
// isolation, validation and cancellation still behave as the contract
// says.
//
// Note that the record hash covers the tenant ID as stored: a wrapper must
// not rename tenants on their way in, or its hashes no longer follow the
// documented encoding (storetest catches that). Idempotency keys pass
// through untouched in the record, so that a caller's retry after a
// timeout returns the stored record instead of appending it twice
// (storetest's AppendRecord/Idempotent clauses check it). And a wrapper
// hides the optional capabilities of what it wraps, such as
// store.IntegrityChecker, store.Pinger and io.Closer: forward one only
// where the wrapped store has it, or a caller that finds it will believe
// a check ran.
//
// A vendor that writes a store of its own, rather than wrapping one,
// builds it on store/driver, as store/memory does.
package vendorstore

import (
	"context"
	"fmt"
	"iter"
	"sync/atomic"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

// MaxActivities is the product's limit on the size of a plan. A product's
// own limits must leave room for what the contract requires a store to
// accept: storetest saves plans of 20,000 activities, and plans whose
// stored form is exactly store.MaxStoredPlan (about 21,000 small
// activities).
const MaxActivities = 25_000

// Store wraps another store.Store.
type Store struct {
	inner store.Store
	// Calls counts operations, as a metrics exporter would.
	Calls atomic.Int64
}

// New wraps inner.
func New(inner store.Store) *Store { return &Store{inner: inner} }

var _ store.Store = (*Store)(nil)

func (s *Store) t(org string) string { s.Calls.Add(1); return org }

func (s *Store) SavePlan(ctx context.Context, org string, p comms.Plan, expect int) (int, error) {
	if len(p.Activities) > MaxActivities {
		// The product's own rule, in the contract's error category.
		return 0, fmt.Errorf("%w: plan %s has %d activities; the limit is %d", store.ErrInvalid, p.ID, len(p.Activities), MaxActivities)
	}
	return s.inner.SavePlan(ctx, s.t(org), p, expect)
}

func (s *Store) Plan(ctx context.Context, org, id string) (store.Version, error) {
	return s.inner.Plan(ctx, s.t(org), id)
}

func (s *Store) PlanVersion(ctx context.Context, org, id string, v int) (store.Version, error) {
	return s.inner.PlanVersion(ctx, s.t(org), id, v)
}

func (s *Store) Plans(ctx context.Context, org string) iter.Seq2[store.Version, error] {
	return s.inner.Plans(ctx, s.t(org))
}

func (s *Store) Versions(ctx context.Context, org, id string) iter.Seq2[store.Version, error] {
	return s.inner.Versions(ctx, s.t(org), id)
}

func (s *Store) SaveEvent(ctx context.Context, org string, e comms.Event) error {
	return s.inner.SaveEvent(ctx, s.t(org), e)
}

func (s *Store) Event(ctx context.Context, org, id string) (comms.Event, error) {
	return s.inner.Event(ctx, s.t(org), id)
}

func (s *Store) Events(ctx context.Context, org string, q store.EventQuery) iter.Seq2[comms.Event, error] {
	return s.inner.Events(ctx, s.t(org), q)
}

func (s *Store) AppendRecord(ctx context.Context, org string, r comms.Record) (comms.Record, error) {
	return s.inner.AppendRecord(ctx, s.t(org), r)
}

func (s *Store) Records(ctx context.Context, org string, q store.RecordQuery) iter.Seq2[comms.Record, error] {
	return s.inner.Records(ctx, s.t(org), q)
}

func (s *Store) Verify(ctx context.Context, org string) (store.Head, error) {
	return s.inner.Verify(ctx, s.t(org))
}
