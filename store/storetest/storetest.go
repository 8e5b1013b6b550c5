// Package storetest is the conformance suite for store.Store. Every
// implementation in this module passes it, and a vendor that brings its own
// database runs it against its own Store:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s := mystore.Open(...)
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Run runs one subtest per rule of the contract on the store.Store
// interface, named after the heading of its documentation the rule is
// under (Tenants, Missing, Sequences, Order, Validation, Values,
// Cancellation, Concurrency), then per method (SavePlan/…, SaveEvent/…,
// Events/…, AppendRecord/…, Records/…, Verify/…), then per optional
// capability of the store package's documentation (Capabilities/Closer,
// Pinger, IntegrityChecker, RosterStore/…, BatchAppender/…, AckReader/…,
// TreeReader/…, LeafVerifier; skipped for a store that does not have it).
// Each clause's comment quotes the rule it checks. It checks error
// categories with errors.Is, never messages, and needs no clock: it runs
// against a store with the real one.
//
// RunDeliveryLog runs the clauses of store.DeliveryLog against stores
// whose clock it controls (leases run out when it moves the clock on).
//
// RunTamper checks, given a way to edit the store behind its back, that
// Verify, Records and AppendRecord notice; RunReliability is the heavier
// part of the contract, for CI.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

// Run runs the conformance suite: one subtest per rule of the contract
// written on store.Store, named after the heading it is under. newStore
// returns a new, empty store for each subtest; register its cleanup with
// t.Cleanup (a store that implements io.Closer may have been closed by
// the clause already: Close again must return nil).
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	for _, c := range clauses {
		t.Run(c.name, func(t *testing.T) {
			c.fn(t, newStore(t))
		})
	}
}

// clauses are the rules of the contract, in the order of the interface
// documentation: its sections, then its methods, then the optional
// capabilities of the package documentation.
var clauses = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"Tenants/AnyValidID", testTenantAnyValidID},
	{"Tenants/Invalid", testTenantInvalid},
	{"Tenants/Isolation", testIsolation},
	{"Missing/Lookups", testMissingLookups},
	{"Missing/Listings", testMissingListings},
	{"Sequences/Lazy", testSequencesLazy},
	{"Sequences/ErrorLast", testSequencesErrorLast},
	{"Sequences/Again", testSequencesAgain},
	{"Sequences/EarlyStop", testSequencesEarlyStop},
	{"Sequences/StoreCallsInLoop", testSequencesStoreCalls},
	{"Sequences/RecordsWhileAppending", testRecordsWhileAppending},
	{"Order/Plans", testOrderPlans},
	{"Order/Versions", testOrderVersions},
	{"Order/Records", testOrderRecords},
	{"Order/Events", testOrderEvents},
	{"Validation/Plans", testPlanInvalid},
	{"Validation/StoredFormLimit", testPlanLimit},
	{"Validation/Events", testEventInvalid},
	{"Validation/Records", testRecordInvalid},
	{"Validation/Queries", testQueryInvalid},
	{"Validation/NoReferences", testNoReferences},
	{"Values/Copies", testCopies},
	{"Values/Times", testTimes},
	{"Cancellation", testCancellation},
	{"Concurrency/Appends", testConcurrentAppends},
	{"Concurrency/SavePlan", testConcurrentSavePlan},
	{"Concurrency/IdempotentRetries", testConcurrentRetries},
	{"SavePlan/Versions", testPlanVersions},
	{"SavePlan/Conflict", testPlanConflict},
	{"SavePlan/Large", testPlanLarge},
	{"SaveEvent/Replace", testEventReplace},
	{"Events/Query", testEventQuery},
	{"AppendRecord/Chain", testRecordChain},
	{"AppendRecord/Fields", testRecordFields},
	{"AppendRecord/Corrections", testCorrections},
	{"AppendRecord/NeverChanged", testRecordsNeverChanged},
	{"AppendRecord/Idempotent", testIdempotent},
	{"AppendRecord/IdempotentNormalised", testIdempotentNormalised},
	{"AppendRecord/IdempotentConflict", testIdempotentConflict},
	{"AppendRecord/IdempotentForGood", testIdempotentForGood},
	{"AppendRecord/IdempotentChecksFirst", testIdempotentChecksFirst},
	{"AppendRecord/Acks", testAcks},
	{"AppendRecord/AcksInvalid", testAckInvalid},
	{"AppendRecord/Programme", testProgrammeRecords},
	{"Records/Query", testRecordQuery},
	{"Records/Paging", testRecordPaging},
	{"Verify/Head", testVerifyHead},
	{"Capabilities/Closer", testCloser},
	{"Capabilities/Pinger", testPinger},
	{"Capabilities/IntegrityChecker", testIntegrityChecker},
	{"Capabilities/RosterStore/Versions", testRosterVersions},
	{"Capabilities/RosterStore/Conflict", testRosterConflict},
	{"Capabilities/RosterStore/Isolation", testRosterIsolation},
	{"Capabilities/RosterStore/Validation", testRosterInvalid},
	{"Capabilities/RosterStore/Missing", testRosterMissing},
	{"Capabilities/RosterStore/Copies", testRosterCopies},
	{"Capabilities/RosterStore/Cancellation", testRosterCancellation},
	{"Capabilities/RosterStore/Large", testRosterLarge},
	{"Capabilities/BatchAppender/Append", testBatchAppend},
	{"Capabilities/BatchAppender/AllOrNothing", testBatchAllOrNothing},
	{"Capabilities/BatchAppender/Concurrent", testBatchConcurrent},
	{"Capabilities/AckReader/Query", testAckReaderQuery},
	{"Capabilities/AckReader/Invalid", testAckReaderInvalid},
	{"Capabilities/TreeReader/Leaves", testTreeLeaves},
	{"Capabilities/TreeReader/Proofs", testTreeProofs},
	{"Capabilities/TreeReader/Batch", testTreeBatch},
	{"Capabilities/TreeReader/Tenants", testTreeTenants},
	{"Capabilities/TreeReader/Invalid", testTreeInvalid},
	{"Capabilities/LeafVerifier", testLeafVerifier},
}

var ctx = context.Background()

// Plan returns a small valid plan with the given ID; n varies its content.
func Plan(id string, n int) comms.Plan {
	return comms.Plan{
		Format:       comms.Format,
		ID:           id,
		Organization: fmt.Sprintf("Org %d — ünïcödé", n),
		TimeZone:     "Europe/Berlin",
		Review:       "FREQ=YEARLY",
		Roles:        []comms.Role{{ID: "iso", Name: "Information Security Officer"}},
		Stakeholders: []comms.Stakeholder{{ID: "employees", Name: "All Employees", Scope: comms.ScopeInternal, Kind: comms.StakeholderKindEmployees, Size: 10 + n}},
		Channels:     []comms.Channel{{ID: "email", Name: "Email", Kind: comms.ChannelKindEmail, Reach: []comms.Scope{comms.ScopeInternal}, MaxClassification: comms.ClassificationInternal}},
		Activities: []comms.Activity{{
			ID:   "policy",
			Name: "Policy",
			What: comms.Message{Topic: comms.TopicPolicy, Message: fmt.Sprintf("Version %d", n), Classification: comms.ClassificationInternal},
			Whom: []string{"employees"}, How: []string{"email"}, Owner: "iso",
			When: comms.Timing{RRule: "FREQ=YEARLY", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 15}, Hour: 9}, Within: "14d"},
		}},
	}
}

func mustSave(t *testing.T, s store.Store, tenant string, p comms.Plan, expect int) int {
	t.Helper()
	v, err := s.SavePlan(ctx, tenant, p, expect)
	if err != nil {
		t.Fatalf("SavePlan(%s, %s, expect %d): %v", tenant, p.ID, expect, err)
	}
	return v
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatalf("listing: %v", err)
		}
		out = append(out, v)
	}
	return out
}

func near(t *testing.T, what string, got time.Time, before, after time.Time) {
	t.Helper()
	if got.Before(before.Add(-5*time.Second)) || got.After(after.Add(5*time.Second)) {
		t.Errorf("%s = %v, not between %v and %v", what, got, before, after)
	}
}
