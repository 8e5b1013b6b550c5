package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// Any valid ID names a tenant, stored or not: the longest, Unicode,
// punctuation. A tenant that stored nothing has nothing.
func testTenantAnyValidID(t *testing.T, s store.Store) {
	for _, tenant := range []string{strings.Repeat("t", 256), "Ünïcödé 🔐 tenant", "a b/c:d@e%f'g\"h", "1"} {
		if ps := collect(t, s.Plans(ctx, tenant)); len(ps) != 0 {
			t.Errorf("Plans of new tenant %q: %d plans", tenant, len(ps))
		}
		if head, err := s.Verify(ctx, tenant); err != nil || head != (store.Head{}) {
			t.Errorf("Verify of new tenant %q: %+v, %v", tenant, head, err)
		}
		if v := mustSave(t, s, tenant, Plan("plan", 1), 0); v != 1 {
			t.Errorf("tenant %q: first version %d", tenant, v)
		}
		if err := s.SaveEvent(ctx, tenant, event("inc-1", "incident", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))); err != nil {
			t.Errorf("tenant %q: SaveEvent: %v", tenant, err)
		}
		r := mustAppend(t, s, tenant, Record("a", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)))
		want, _ := driver.Seal(tenant, 1, "", r.RecordedAt, Record("a", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)))
		if r.Seq != 1 || r.Hash != want.Hash {
			t.Errorf("tenant %q: record %d hashed %s, want %s (the tenant ID as given is part of the hash)", tenant, r.Seq, r.Hash, want.Hash)
		}
		if v, err := s.Plan(ctx, tenant, "plan"); err != nil || v.Number != 1 {
			t.Errorf("tenant %q: Plan: %+v, %v", tenant, v, err)
		}
		if _, err := s.Event(ctx, tenant, "inc-1"); err != nil {
			t.Errorf("tenant %q: Event: %v", tenant, err)
		}
		if head, err := s.Verify(ctx, tenant); err != nil || head.Seq != 1 {
			t.Errorf("tenant %q: Verify: %+v, %v", tenant, head, err)
		}
	}
}

// A lookup of one thing the tenant does not have is ErrNotFound, whatever
// the ID.
func testMissingLookups(t *testing.T, s store.Store) {
	for _, tenant := range []string{"t1", "never-stored"} {
		for _, id := range []string{"nope", "", "x\x00y", strings.Repeat("x", 10_000)} {
			if _, err := s.Plan(ctx, tenant, id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Plan(%q, %.20q): %v, want ErrNotFound", tenant, id, err)
			}
			for _, v := range []int{0, 1} {
				if _, err := s.PlanVersion(ctx, tenant, id, v); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("PlanVersion(%q, %.20q, %d): %v, want ErrNotFound", tenant, id, v, err)
				}
			}
			if _, err := s.Event(ctx, tenant, id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Event(%q, %.20q): %v, want ErrNotFound", tenant, id, err)
			}
		}
		if tenant == "t1" {
			continue
		}
	}
	mustSave(t, s, "t1", Plan("plan", 1), 0)
	mustSave(t, s, "t1", Plan("plan", 2), 1)
	for _, v := range []int{3, 99, -1, -2} {
		if _, err := s.PlanVersion(ctx, "t1", "plan", v); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PlanVersion %d of a plan with 2 versions: %v, want ErrNotFound", v, err)
		}
	}
	if err := s.SaveEvent(ctx, "t1", event("inc-1", "incident", time.Now())); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Event(ctx, "t1", "inc-2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Event of another ID: %v, want ErrNotFound", err)
	}
}

// A listing of things the tenant has none of is empty, without error;
// Verify of a tenant without records is the zero Head.
func testMissingListings(t *testing.T, s store.Store) {
	empty := func(name string, n int, err error) {
		t.Helper()
		if n != 0 || err != nil {
			t.Errorf("%s: %d values, error %v; want an empty sequence", name, n, err)
		}
	}
	check := func(tenant string) {
		t.Helper()
		n, err := count(s.Versions(ctx, tenant, "nope"))
		empty("Versions of an unknown plan of "+tenant, n, err)
		n, err = count(s.Events(ctx, tenant, store.EventQuery{}))
		empty("Events of "+tenant, n, err)
		n, err = count(s.Records(ctx, tenant, store.RecordQuery{}))
		empty("Records of "+tenant, n, err)
		if head, err := s.Verify(ctx, tenant); err != nil || head != (store.Head{}) {
			t.Errorf("Verify of %s: %+v, %v; want the zero Head", tenant, head, err)
		}
	}
	n, err := count(s.Plans(ctx, "never-stored"))
	empty("Plans of a tenant that stored nothing", n, err)
	check("never-stored")
	// A tenant with plans, but no events and no records.
	mustSave(t, s, "t1", Plan("plan", 1), 0)
	check("t1")
	// Queries that match nothing.
	mustAppend(t, s, "t1", Record("a", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)))
	if err := s.SaveEvent(ctx, "t1", event("inc-1", "incident", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	n, err = count(s.Records(ctx, "t1", store.RecordQuery{ActivityID: "nope"}))
	empty("Records of an unknown activity", n, err)
	n, err = count(s.Records(ctx, "t1", store.RecordQuery{After: 1}))
	empty("Records after the last", n, err)
	n, err = count(s.Events(ctx, "t1", store.EventQuery{Kind: "nope"}))
	empty("Events of an unknown kind", n, err)
}

// count iterates seq to its end: the values before an error, and the
// error.
func count[T any](seq func(func(T, error) bool)) (int, error) {
	n := 0
	for _, err := range seq {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Tenants share nothing, whatever IDs they use, through every method.
func testIsolation(t *testing.T, s store.Store) {
	a, b := "acme", "acme-2"
	when := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	fillIsolated(t, s, a, when)
	isolatedReads(t, s, b)
	isolatedWrites(t, s, a, b, when)
	if _, err := s.Verify(ctx, a); err != nil {
		t.Errorf("Verify A: %v", err)
	}
	if _, err := s.Verify(ctx, b); err != nil {
		t.Errorf("Verify B: %v", err)
	}
	// A tenant that never wrote has an empty, valid log.
	if _, err := s.Verify(ctx, "nobody"); err != nil {
		t.Errorf("Verify of an unknown tenant: %v", err)
	}
}

// fillIsolated gives tenant a two versions of plan "plan", plan "only-a",
// event "inc-1" and three records with the keys key-0 to key-2.
func fillIsolated(t *testing.T, s store.Store, a string, when time.Time) {
	t.Helper()
	mustSave(t, s, a, Plan("plan", 1), 0)
	mustSave(t, s, a, Plan("plan", 2), 1)
	mustSave(t, s, a, Plan("only-a", 1), 0)
	if err := s.SaveEvent(ctx, a, event("inc-1", "incident", when)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		r := Record("a", when)
		r.IdempotencyKey = fmt.Sprintf("key-%d", i)
		mustAppend(t, s, a, r)
	}
}

// isolatedReads checks that tenant b, which never wrote, sees none of
// what fillIsolated gave another tenant, through any read.
func isolatedReads(t *testing.T, s store.Store, b string) {
	if _, err := s.Plan(ctx, b, "plan"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Plan: B sees A's plan: %v", err)
	}
	if _, err := s.PlanVersion(ctx, b, "plan", 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PlanVersion: B sees A's plan: %v", err)
	}
	if vs := collect(t, s.Versions(ctx, b, "plan")); len(vs) != 0 {
		t.Errorf("Versions: B sees %d of A's versions", len(vs))
	}
	if ps := collect(t, s.Plans(ctx, b)); len(ps) != 0 {
		t.Errorf("Plans: B sees A's plans")
	}
	if _, err := s.Event(ctx, b, "inc-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Event: B sees A's event: %v", err)
	}
	if es := collect(t, s.Events(ctx, b, store.EventQuery{})); len(es) != 0 {
		t.Errorf("Events: B sees A's events")
	}
	if rs := collect(t, s.Records(ctx, b, store.RecordQuery{})); len(rs) != 0 {
		t.Errorf("Records: B sees A's records")
	}
}

// isolatedWrites checks that tenant b, writing under the IDs and keys
// fillIsolated gave tenant a, neither conflicts with nor changes a.
func isolatedWrites(t *testing.T, s store.Store, a, b string, when time.Time) {
	if v := mustSave(t, s, b, Plan("plan", 7), 0); v != 1 {
		t.Errorf("B's first version is %d", v)
	}
	if _, err := s.SavePlan(ctx, b, Plan("plan", 8), 2); !errors.Is(err, store.ErrConflict) {
		t.Errorf("B's expect follows A's versions: %v", err)
	}
	eb := event("inc-1", "incident", when.Add(time.Hour))
	eb.Title = "B's incident"
	if err := s.SaveEvent(ctx, b, eb); err != nil {
		t.Fatal(err)
	}
	rb := mustAppend(t, s, b, Record("b", when))
	if rb.Seq != 1 || rb.PrevHash != "" {
		t.Errorf("B's chain continues A's: %+v", rb)
	}
	// A's idempotency keys are not B's: the same key, another record,
	// appended to B.
	kb := Record("b", when)
	kb.IdempotencyKey = "key-1"
	if r, err := s.AppendRecord(ctx, b, kb); err != nil || r.Seq != 2 || r.ActivityID != "b" {
		t.Errorf("B's record under A's key: %+v, %v; want B's record 2", r, err)
	}
	if va, _ := s.Plan(ctx, a, "plan"); va.Number != 2 || !reflect.DeepEqual(va.Plan, Plan("plan", 2)) {
		t.Errorf("B's save changed A's plan: %+v", va)
	}
	if ea, _ := s.Event(ctx, a, "inc-1"); ea.Title != "Event inc-1" {
		t.Errorf("B's event replaced A's: %+v", ea)
	}
	if ra := collect(t, s.Records(ctx, a, store.RecordQuery{})); len(ra) != 3 || ra[2].ActivityID != "a" || ra[1].IdempotencyKey != "key-1" {
		t.Errorf("A's records: %+v", ra)
	}
	if ps := collect(t, s.Plans(ctx, b)); len(ps) != 1 || ps[0].Plan.Activities[0].What.Message != "Version 7" {
		t.Errorf("Plans of B: %+v", ps)
	}
}

// Any other tenant ID fails every method with ErrInvalid.
func testTenantInvalid(t *testing.T, s store.Store) {
	for _, tenant := range []string{"", "a\x00b", "line\nbreak", "del\x7f", "bad \xff UTF-8", strings.Repeat("t", 257)} {
		checks := map[string]error{}
		_, checks["SavePlan"] = s.SavePlan(ctx, tenant, Plan("p", 1), 0)
		_, checks["Plan"] = s.Plan(ctx, tenant, "p")
		_, checks["PlanVersion"] = s.PlanVersion(ctx, tenant, "p", 1)
		checks["SaveEvent"] = s.SaveEvent(ctx, tenant, event("e", "incident", time.Now()))
		_, checks["Event"] = s.Event(ctx, tenant, "e")
		_, checks["AppendRecord"] = s.AppendRecord(ctx, tenant, Record("a", time.Now()))
		_, checks["Verify"] = s.Verify(ctx, tenant)
		for _, seq := range []struct {
			name string
			err  error
		}{
			{"Plans", firstErr(s.Plans(ctx, tenant))},
			{"Versions", firstErr(s.Versions(ctx, tenant, "p"))},
			{"Events", firstErr(s.Events(ctx, tenant, store.EventQuery{}))},
			{"Records", firstErr(s.Records(ctx, tenant, store.RecordQuery{}))},
		} {
			checks[seq.name] = seq.err
		}
		for name, err := range checks {
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s with tenant %q: %v, want ErrInvalid", name, tenant, err)
			}
		}
	}
}

func firstErr[T any](seq func(func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

// A method called, or a sequence iterated, with a done context fails with
// the context's error and changes nothing.
func testCancellation(t *testing.T, s store.Store) {
	mustSave(t, s, "t1", Plan("plan", 1), 0)
	mustAppend(t, s, "t1", keyed("msg-1", "a", time.Now()))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	expired, cancel2 := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel2()
	for _, tc := range []struct {
		c    context.Context
		want error
	}{{cancelled, context.Canceled}, {expired, context.DeadlineExceeded}} {
		c := tc.c
		checks := map[string]error{}
		_, checks["SavePlan"] = s.SavePlan(c, "t1", Plan("plan", 2), 1)
		_, checks["Plan"] = s.Plan(c, "t1", "plan")
		_, checks["PlanVersion"] = s.PlanVersion(c, "t1", "plan", 1)
		checks["SaveEvent"] = s.SaveEvent(c, "t1", event("e", "incident", time.Now()))
		_, checks["Event"] = s.Event(c, "t1", "e")
		_, checks["AppendRecord"] = s.AppendRecord(c, "t1", Record("a", time.Now()))
		_, checks["AppendRecord, a retry"] = s.AppendRecord(c, "t1", keyed("msg-1", "a", time.Now()))
		_, checks["Verify"] = s.Verify(c, "t1")
		checks["Plans"] = firstErr(s.Plans(c, "t1"))
		checks["Versions"] = firstErr(s.Versions(c, "t1", "plan"))
		checks["Events"] = firstErr(s.Events(c, "t1", store.EventQuery{}))
		checks["Records"] = firstErr(s.Records(c, "t1", store.RecordQuery{}))
		checks["Records matching nothing"] = firstErr(s.Records(c, "t1", store.RecordQuery{ActivityID: "x\x00"}))
		for name, err := range checks {
			if !errors.Is(err, tc.want) {
				t.Errorf("%s with a done context: %v, want %v", name, err, tc.want)
			}
		}
	}
	// Nothing changed.
	if v, _ := s.Plan(ctx, "t1", "plan"); v.Number != 1 {
		t.Errorf("a cancelled SavePlan saved version %d", v.Number)
	}
	if _, err := s.Event(ctx, "t1", "e"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a cancelled SaveEvent saved: %v", err)
	}
	if rs := collect(t, s.Records(ctx, "t1", store.RecordQuery{})); len(rs) != 1 {
		t.Errorf("a cancelled AppendRecord appended: %d records", len(rs))
	}
}
