package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

// listings returns the four listings of tenant, as sequences of any, for
// the clauses that treat them alike.
func listings(c context.Context, s store.Store, tenant string) map[string]func() func(func(any, error) bool) {
	return map[string]func() func(func(any, error) bool){
		"Plans":    func() func(func(any, error) bool) { return anySeq(s.Plans(c, tenant)) },
		"Versions": func() func(func(any, error) bool) { return anySeq(s.Versions(c, tenant, "plan")) },
		"Events":   func() func(func(any, error) bool) { return anySeq(s.Events(c, tenant, store.EventQuery{})) },
		"Records":  func() func(func(any, error) bool) { return anySeq(s.Records(c, tenant, store.RecordQuery{})) },
	}
}

func anySeq[T any](seq func(func(T, error) bool)) func(func(any, error) bool) {
	return func(yield func(any, error) bool) {
		for v, err := range seq {
			if !yield(v, err) {
				return
			}
		}
	}
}

// fillAll saves two versions of "plan", an event and n records for tenant.
func fillAll(t *testing.T, s store.Store, tenant string, n int) {
	t.Helper()
	mustSave(t, s, tenant, Plan("plan", 1), 0)
	mustSave(t, s, tenant, Plan("plan", 2), 1)
	if err := s.SaveEvent(ctx, tenant, event("inc-1", "incident", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		mustAppend(t, s, tenant, Record(fmt.Sprintf("a%d", i), time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Minute)))
	}
}

// A sequence does nothing until it is iterated: made before the writes
// and iterated after them, it sees them; made with an invalid tenant or a
// done context, the call does not fail.
func testSequencesLazy(t *testing.T, s store.Store) {
	plans, versions := s.Plans(ctx, "t1"), s.Versions(ctx, "t1", "plan")
	events, records := s.Events(ctx, "t1", store.EventQuery{}), s.Records(ctx, "t1", store.RecordQuery{})
	done, cancel := context.WithCancel(ctx)
	cancel()
	for name, made := range map[string]any{
		"Plans":                  s.Plans(ctx, ""),
		"Versions":               s.Versions(done, "t1", "plan"),
		"Events with a done ctx": s.Events(done, "t1", store.EventQuery{}),
		"Records":                s.Records(ctx, "\x00", store.RecordQuery{Limit: -1}),
	} {
		if reflect.ValueOf(made).IsNil() {
			t.Errorf("%s returned a nil sequence", name)
		}
	}
	fillAll(t, s, "t1", 3)
	if n := len(collect(t, plans)); n != 1 {
		t.Errorf("Plans made before the save: %d plans, want 1", n)
	}
	if n := len(collect(t, versions)); n != 2 {
		t.Errorf("Versions made before the saves: %d versions, want 2", n)
	}
	if n := len(collect(t, events)); n != 1 {
		t.Errorf("Events made before the save: %d events, want 1", n)
	}
	if n := len(collect(t, records)); n != 3 {
		t.Errorf("Records made before the appends: %d records, want 3", n)
	}
}

// An error arrives once, as the last pair, with the zero value.
func testSequencesErrorLast(t *testing.T, s store.Store) {
	fillAll(t, s, "t1", 3)
	done, cancel := context.WithCancel(ctx)
	cancel()
	for _, tc := range []struct {
		why    string
		c      context.Context
		tenant string
	}{{"a done context", done, "t1"}, {"an invalid tenant", ctx, "bad\nid"}} {
		for name, seq := range listings(tc.c, s, tc.tenant) {
			var pairs, errs int
			var zero bool
			for v, err := range seq() {
				pairs++
				if err != nil {
					errs++
					zero = reflect.ValueOf(v).IsZero()
				}
			}
			if errs != 1 || pairs != 1 || !zero {
				t.Errorf("%s with %s: %d pairs, %d errors (zero value: %v); want exactly one pair, an error with the zero value", name, tc.why, pairs, errs, zero)
			}
		}
	}
	if err := firstErr(s.Records(ctx, "t1", store.RecordQuery{Limit: -1})); err == nil {
		t.Fatal("Records with a negative Limit: no error")
	}
	var pairs int
	for _, err := range s.Records(ctx, "t1", store.RecordQuery{After: -1}) {
		pairs++
		if err == nil {
			t.Error("Records with a negative After yielded a record")
		}
	}
	if pairs != 1 {
		t.Errorf("Records with a negative After: %d pairs, want one error", pairs)
	}
}

// Each iteration runs the query anew and sees the store as it is then.
func testSequencesAgain(t *testing.T, s store.Store) {
	plans, versions := s.Plans(ctx, "t1"), s.Versions(ctx, "t1", "plan")
	events, records := s.Events(ctx, "t1", store.EventQuery{}), s.Records(ctx, "t1", store.RecordQuery{Limit: 5})
	lens := func() [4]int {
		return [4]int{len(collect(t, plans)), len(collect(t, versions)), len(collect(t, events)), len(collect(t, records))}
	}
	if got := lens(); got != [4]int{} {
		t.Errorf("first iteration of an empty store: %v values", got)
	}
	fillAll(t, s, "t1", 3)
	if got := lens(); got != [4]int{1, 2, 1, 3} {
		t.Errorf("second iteration: %v plans, versions, events, records; want [1 2 1 3]", got)
	}
	mustSave(t, s, "t1", Plan("plan", 3), 2)
	mustSave(t, s, "t1", Plan("other", 1), 0)
	if err := s.SaveEvent(ctx, "t1", event("inc-2", "incident", time.Now())); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		mustAppend(t, s, "t1", Record("b", time.Now()))
	}
	if got := lens(); got != [4]int{2, 3, 2, 5} {
		t.Errorf("third iteration: %v plans, versions, events, records; want [2 3 2 5]", got)
	}
	if got := lens(); got != [4]int{2, 3, 2, 5} {
		t.Errorf("fourth iteration, nothing written since: %v", got)
	}
}

// A loop may stop early, at any value, on any page.
func testSequencesEarlyStop(t *testing.T, s store.Store) {
	fillAll(t, s, "t1", 520)
	mustSave(t, s, "t1", Plan("plan-2", 1), 0)
	if err := s.SaveEvent(ctx, "t1", event("inc-2", "incident", time.Now())); err != nil {
		t.Fatal(err)
	}
	for name, seq := range listings(ctx, s, "t1") {
		n := 0
		for _, err := range seq() {
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if n++; n == 1 {
				break
			}
		}
		if n != 1 {
			t.Errorf("%s: %d values after a break at the first", name, n)
		}
	}
	for _, stop := range []int{1, 255, 256, 257, 499, 500, 501, 519} {
		n := 0
		for range s.Records(ctx, "t1", store.RecordQuery{}) {
			if n++; n == stop {
				break
			}
		}
		if n != stop {
			t.Errorf("Records: %d values after a break at %d", n, stop)
		}
	}
}

// No sequence holds a lock or a transaction while the loop body runs: the
// body may call the store, writes included. (A store that does deadlocks;
// the clause fails after a generous timeout.)
func testSequencesStoreCalls(t *testing.T, s store.Store) {
	fillAll(t, s, "t1", 3)
	finished := make(chan error, 1)
	go func() {
		finished <- func() error {
			i := 0
			for name, seq := range listings(ctx, s, "t1") {
				for _, err := range seq() {
					if err != nil {
						return fmt.Errorf("%s: %w", name, err)
					}
					i++
					if _, err := s.SavePlan(ctx, "t1", Plan(fmt.Sprintf("in-loop-%d", i), i), 0); err != nil {
						return fmt.Errorf("SavePlan in the loop over %s: %w", name, err)
					}
					if err := s.SaveEvent(ctx, "t1", event(fmt.Sprintf("in-loop-%d", i), "maintenance", time.Now())); err != nil {
						return fmt.Errorf("SaveEvent in the loop over %s: %w", name, err)
					}
					if _, err := s.AppendRecord(ctx, "t1", Record("in-loop", time.Now())); err != nil {
						return fmt.Errorf("AppendRecord in the loop over %s: %w", name, err)
					}
					if _, err := s.Verify(ctx, "t1"); err != nil {
						return fmt.Errorf("Verify in the loop over %s: %w", name, err)
					}
					for _, err := range s.Records(ctx, "t1", store.RecordQuery{Limit: 1}) {
						if err != nil {
							return fmt.Errorf("Records in the loop over %s: %w", name, err)
						}
					}
					break
				}
			}
			return nil
		}()
	}()
	select {
	case err := <-finished:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("calls to the store from a loop over one of its sequences did not return in 2 minutes: the sequence holds a lock")
	}
}

// Records yields every record appended before the iteration began, each
// once and in order, while records are appended from the loop body (and
// from another goroutine).
func testRecordsWhileAppending(t *testing.T, s store.Store) {
	const before = 520 // more than a page of the memory and SQLite stores
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < before; i++ {
		mustAppend(t, s, "t1", Record("a", base.Add(time.Duration(i)*time.Minute)))
	}
	stop := make(chan struct{})
	appended := make(chan error, 1)
	go func() {
		defer close(appended)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.AppendRecord(ctx, "t1", Record("b", base)); err != nil {
				appended <- err
				return
			}
			if i > 200 {
				return
			}
		}
	}()
	var seqs []int64
	for r, err := range s.Records(ctx, "t1", store.RecordQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, r.Seq)
		if len(seqs)%100 == 0 {
			mustAppend(t, s, "t1", Record("c", base))
		}
	}
	close(stop)
	if err := <-appended; err != nil {
		t.Fatal(err)
	}
	if len(seqs) < before {
		t.Fatalf("Records yielded %d records, fewer than the %d appended before it began", len(seqs), before)
	}
	for i, seq := range seqs {
		if i < before && seq != int64(i+1) {
			t.Fatalf("Records yielded record %d at position %d: one of those appended before was missed", seq, i+1)
		}
		if i > 0 && seq <= seqs[i-1] {
			t.Fatalf("Records yielded record %d after record %d", seq, seqs[i-1])
		}
	}
}

// Nothing a method returns shares memory with the store or with what it
// was given.
func testCopies(t *testing.T, s store.Store) {
	p := Plan("plan", 1)
	mustSave(t, s, "t1", p, 0)
	p.Activities[0].Whom[0] = "changed-after-save"
	v, _ := s.Plan(ctx, "t1", "plan")
	if v.Plan.Activities[0].Whom[0] != "employees" {
		t.Error("the store shares memory with the saved plan")
	}
	v.Plan.Activities[0].Whom[0] = "changed-after-read"
	for _, vs := range [][]store.Version{{mustPlan(t, s)}, collect(t, s.Plans(ctx, "t1")), collect(t, s.Versions(ctx, "t1", "plan"))} {
		if vs[0].Plan.Activities[0].Whom[0] != "employees" {
			t.Error("the store shares memory with a returned plan")
		}
		vs[0].Plan.Activities[0].Whom[0] = "changed-after-read"
	}

	e := event("inc-1", "incident", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	if err := s.SaveEvent(ctx, "t1", e); err != nil {
		t.Fatal(err)
	}
	e.Milestones[0].Name, e.Labels["severity"] = "changed-after-save", "changed-after-save"
	for i := 0; i < 3; i++ {
		got, err := s.Event(ctx, "t1", "inc-1")
		if err != nil {
			t.Fatal(err)
		}
		listed := collect(t, s.Events(ctx, "t1", store.EventQuery{}))
		for _, g := range []comms.Event{got, listed[0]} {
			if g.Milestones[0].Name != "detected" || g.Labels["severity"] != "major" {
				t.Fatalf("the store shares memory with a saved or returned event: %+v", g)
			}
			g.Milestones[0].Name, g.Labels["severity"] = "changed-after-read", "changed-after-read"
		}
	}

	r := Record("a", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	r.Audiences = []string{"employees", "contractors"}
	got := mustAppend(t, s, "t1", r)
	r.Audiences[0] = "changed-after-append"
	got.Audiences[1] = "changed-after-append"
	for i := 0; i < 3; i++ {
		listed := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
		if !slices.Equal(listed[0].Audiences, []string{"employees", "contractors"}) {
			t.Fatalf("the store shares memory with an appended or returned record: %q", listed[0].Audiences)
		}
		listed[0].Audiences[0] = "changed-after-read"
	}
}

func mustPlan(t *testing.T, s store.Store) store.Version {
	t.Helper()
	v, err := s.Plan(ctx, "t1", "plan")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Records come back with their times in UTC, to the microsecond; a
// version's SavedAt is in UTC; an event comes back with the instants it
// was saved with.
func testTimes(t *testing.T, s store.Store) {
	tokyo := time.FixedZone("JST", 9*3600)
	sent := time.Date(2026, 3, 1, 18, 0, 0, 123456789, tokyo)
	occ := time.Date(2026, 3, 1, 9, 0, 0, 999, tokyo)
	r := Record("a", sent)
	r.Occurrence = occ
	got := mustAppend(t, s, "t1", r)
	listed := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
	for _, g := range []comms.Record{got, listed[0]} {
		for name, tc := range map[string]struct{ got, want time.Time }{
			"SentAt":     {g.SentAt, sent.Truncate(time.Microsecond)},
			"Occurrence": {g.Occurrence, occ.Truncate(time.Microsecond)},
			"RecordedAt": {g.RecordedAt, g.RecordedAt.Truncate(time.Microsecond)},
		} {
			if tc.got.Location() != time.UTC || !tc.got.Equal(tc.want) {
				t.Errorf("record %s = %v (%s), want %v in UTC", name, tc.got, tc.got.Location(), tc.want.UTC())
			}
		}
	}
	mustSave(t, s, "t1", Plan("plan", 1), 0)
	for _, v := range []store.Version{mustPlan(t, s), collect(t, s.Versions(ctx, "t1", "plan"))[0]} {
		if v.SavedAt.Location() != time.UTC || v.SavedAt.IsZero() {
			t.Errorf("SavedAt = %v (%s), want a time in UTC", v.SavedAt, v.SavedAt.Location())
		}
	}
	e := event("inc-1", "incident", time.Date(2026, 3, 1, 9, 0, 0, 123456789, tokyo))
	if err := s.SaveEvent(ctx, "t1", e); err != nil {
		t.Fatal(err)
	}
	ge, _ := s.Event(ctx, "t1", "inc-1")
	if !sameEvent(ge, e) {
		t.Errorf("event instants changed: %+v, want %+v", ge.Milestones, e.Milestones)
	}
}
