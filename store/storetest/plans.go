package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// SavePlan returns the version number, 1 for a new plan, then one more
// than the latest; who saved it and why come from the context; Plan and
// PlanVersion 0 return the latest; Plans the latest of each plan.
func testPlanVersions(t *testing.T, s store.Store) {
	before := time.Now()
	c := store.WithSaveInfo(ctx, store.SaveInfo{By: "alice", Note: "first draft"})
	if v, err := s.SavePlan(c, "t1", Plan("plan", 1), 0); err != nil || v != 1 {
		t.Fatalf("create: %d, %v", v, err)
	}
	c = store.WithSaveInfo(ctx, store.SaveInfo{By: "bob"})
	if v, err := s.SavePlan(c, "t1", Plan("plan", 2), 1); err != nil || v != 2 {
		t.Fatalf("update: %d, %v", v, err)
	}
	mustSave(t, s, "t1", Plan("another", 1), 0)
	after := time.Now()

	latest, err := s.Plan(ctx, "t1", "plan")
	if err != nil {
		t.Fatal(err)
	}
	if latest.Number != 2 || latest.PlanID != "plan" || latest.SavedBy != "bob" || latest.Note != "" || !reflect.DeepEqual(latest.Plan, Plan("plan", 2)) {
		t.Errorf("latest = %+v", latest)
	}
	near(t, "SavedAt", latest.SavedAt, before, after)
	if v := mustSave(t, s, "t1", Plan("plan", 3), 2); v != 3 {
		t.Errorf("the version after 2 is %d, want 3", v)
	}
	first, err := s.PlanVersion(ctx, "t1", "plan", 1)
	if err != nil {
		t.Fatal(err)
	}
	if first.Number != 1 || first.SavedBy != "alice" || first.Note != "first draft" || !reflect.DeepEqual(first.Plan, Plan("plan", 1)) {
		t.Errorf("version 1 = %+v", first)
	}
	if v, err := s.PlanVersion(ctx, "t1", "plan", 0); err != nil || v.Number != 3 || !reflect.DeepEqual(v.Plan, Plan("plan", 3)) {
		t.Errorf("PlanVersion 0 = version %d, %v; want the latest, 3", v.Number, err)
	}
	ps := collect(t, s.Plans(ctx, "t1"))
	if len(ps) != 2 || ps[0].PlanID != "another" || ps[1].PlanID != "plan" || ps[1].Number != 3 || !reflect.DeepEqual(ps[1].Plan, Plan("plan", 3)) {
		t.Errorf("Plans: %+v; want the latest version of each plan", ps)
	}
}

// Plans yields the latest version of each plan in byte order of plan ID,
// which a database's collation (case- or accent-insensitive, or one that
// ignores punctuation) does not follow.
func testOrderPlans(t *testing.T, s store.Store) {
	ids := []string{"b", "a_b", "B", "a-b", "ab", "a", "Z", "a.b", "0", "A", "a9", "aB"}
	for i, id := range ids {
		mustSave(t, s, "t1", Plan(id, i), 0)
	}
	mustSave(t, s, "t1", Plan("a", 99), 1)
	var got []string
	for _, v := range collect(t, s.Plans(ctx, "t1")) {
		got = append(got, v.PlanID)
		if v.PlanID == "a" && v.Number != 2 {
			t.Errorf("Plans yields version %d of plan a, want the latest, 2", v.Number)
		}
	}
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Plans in order %q, want byte order %q", got, want)
	}
}

// Versions yields a plan's versions oldest first.
func testOrderVersions(t *testing.T, s store.Store) {
	for v := 1; v <= 12; v++ {
		mustSave(t, s, "t1", Plan("plan", v), v-1)
		if v%4 == 0 {
			mustSave(t, s, "t1", Plan(fmt.Sprintf("other-%d", v), v), 0)
		}
	}
	vs := collect(t, s.Versions(ctx, "t1", "plan"))
	if len(vs) != 12 {
		t.Fatalf("Versions: %d versions, want 12", len(vs))
	}
	for i, v := range vs {
		if v.Number != i+1 || v.PlanID != "plan" || !reflect.DeepEqual(v.Plan, Plan("plan", i+1)) {
			t.Errorf("Versions[%d] = version %d of %q, want version %d of plan", i, v.Number, v.PlanID, i+1)
		}
	}
}

// An expected version that is not the latest (0 when there is none)
// fails with ErrConflict and changes nothing.
func testPlanConflict(t *testing.T, s store.Store) {
	mustSave(t, s, "t1", Plan("plan", 1), 0)
	mustSave(t, s, "t1", Plan("plan", 2), 1)
	for _, expect := range []int{0, 1, 3} {
		if _, err := s.SavePlan(ctx, "t1", Plan("plan", 9), expect); !errors.Is(err, store.ErrConflict) {
			t.Errorf("stale expect %d: %v, want ErrConflict", expect, err)
		}
	}
	if _, err := s.SavePlan(ctx, "t1", Plan("new", 1), 1); !errors.Is(err, store.ErrConflict) {
		t.Errorf("expect 1 on a new plan: %v, want ErrConflict", err)
	}
	v, err := s.Plan(ctx, "t1", "plan")
	if err != nil || v.Number != 2 || !reflect.DeepEqual(v.Plan, Plan("plan", 2)) {
		t.Errorf("a conflict changed the plan: %+v, %v", v, err)
	}
	if _, err := s.Plan(ctx, "t1", "new"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a conflict created a plan: %v", err)
	}
}

// An invalid plan is refused with ErrInvalid wrapping the
// *comms.PlanError of comms.Plan.Validate, and nothing is saved.
func testPlanInvalid(t *testing.T, s store.Store) {
	bad := Plan("plan", 1)
	bad.Activities[0].Whom = []string{"nobody"}
	bad.TimeZone = "Mars/Olympus"
	_, err := s.SavePlan(ctx, "t1", bad, 0)
	var perr *comms.PlanError
	if !errors.Is(err, store.ErrInvalid) || !errors.As(err, &perr) || len(perr.Problems) != 2 {
		t.Errorf("invalid plan: %v, want ErrInvalid wrapping a PlanError with 2 problems", err)
	}
	if _, err := s.SavePlan(ctx, "t1", comms.Plan{}, 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a plan without ID: %v, want ErrInvalid", err)
	}
	if _, err := s.Plan(ctx, "t1", "plan"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an invalid plan was saved: %v", err)
	}
}

// LargePlan returns a valid plan with the given ID and n activities, each
// a yearly policy message of about 150 bytes in its stored form: 20,000 of
// them make a stored form of about 3 MiB, within store.MaxStoredPlan.
func LargePlan(id string, n int) comms.Plan {
	p := Plan(id, 0)
	p.Activities = make([]comms.Activity, n)
	for i := range p.Activities {
		p.Activities[i] = comms.Activity{
			ID:   fmt.Sprintf("a%05d", i),
			What: comms.Message{Topic: comms.TopicPolicy, Message: fmt.Sprintf("M%05d", i), Classification: comms.ClassificationInternal},
			Whom: []string{"employees"}, How: []string{"email"}, Owner: "iso",
			When: comms.Timing{RRule: "FREQ=YEARLY", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 1 + i%28}, Hour: 9}},
		}
	}
	return p
}

// planOfSize returns a valid plan whose stored form (driver.EncodePlan) is
// exactly size bytes, at most store.MaxStoredPlan.
func planOfSize(t *testing.T, id string, size int) comms.Plan {
	t.Helper()
	encoded := func(p comms.Plan) int {
		t.Helper()
		body, err := driver.EncodePlan(p)
		if err != nil {
			t.Fatalf("EncodePlan of a %d-activity plan: %v", len(p.Activities), err)
		}
		return len(body)
	}
	one, two := encoded(LargePlan(id, 1)), encoded(LargePlan(id, 2))
	per := two - one
	n := (size-one)/per - 1
	p := LargePlan(id, n)
	pad := size - encoded(p)
	if pad < 0 || pad > 4*per {
		t.Fatalf("planOfSize: %d activities leave %d bytes to pad", n, pad)
	}
	last := &p.Activities[len(p.Activities)-1]
	last.What.Message += strings.Repeat("x", pad)
	if got := encoded(p); got != size {
		t.Fatalf("planOfSize: %d bytes, want %d", got, size)
	}
	return p
}

// A plan whose stored form is over the limit is refused with ErrInvalid
// and nothing is saved; one exactly at the limit saves and reads back.
func testPlanLimit(t *testing.T, s store.Store) {
	at := planOfSize(t, "plan", store.MaxStoredPlan)
	// One more ASCII letter: one more byte of stored form.
	over := LargePlan("plan", 0)
	over.Activities = slices.Clone(at.Activities)
	last := &over.Activities[len(over.Activities)-1]
	last.What.Message += "x"
	if _, err := s.SavePlan(ctx, "t1", over, 0); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("a plan whose stored form is %d bytes: %v, want ErrInvalid", store.MaxStoredPlan+1, err)
	}
	if _, err := s.Plan(ctx, "t1", "plan"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused plan was saved: %v", err)
	}
	if ps := collect(t, s.Plans(ctx, "t1")); len(ps) != 0 {
		t.Fatalf("the refused plan is listed: %d plans", len(ps))
	}
	mustSave(t, s, "t1", at, 0)
	got, err := s.Plan(ctx, "t1", "plan")
	if err != nil {
		t.Fatalf("a plan whose stored form is exactly the limit does not read back: %v", err)
	}
	if !reflect.DeepEqual(got.Plan, at) {
		t.Error("the plan at the limit read back different")
	}
	// Over the limit as a new version: refused, and the latest version
	// stays.
	if _, err := s.SavePlan(ctx, "t1", over, 1); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("a new version over the limit: %v, want ErrInvalid", err)
	}
	if vs := collect(t, s.Versions(ctx, "t1", "plan")); len(vs) != 1 {
		t.Errorf("after the refused version: %d versions, want 1", len(vs))
	}
	if v := mustSave(t, s, "t1", Plan("plan", 2), 1); v != 2 {
		t.Errorf("the refused version used up a version number: saved %d", v)
	}
}

// A plan of 20,000 activities saves, reads back equal, and lists.
func testPlanLarge(t *testing.T, s store.Store) {
	p := LargePlan("big", 20_000)
	mustSave(t, s, "t1", p, 0)
	got, err := s.Plan(ctx, "t1", "big")
	if err != nil {
		t.Fatalf("reading back a plan of 20,000 activities: %v", err)
	}
	if !reflect.DeepEqual(got.Plan, p) {
		t.Error("the plan of 20,000 activities read back different")
	}
	if ps := collect(t, s.Plans(ctx, "t1")); len(ps) != 1 || len(ps[0].Plan.Activities) != 20_000 {
		t.Errorf("Plans: %d plans", len(ps))
	}
}
