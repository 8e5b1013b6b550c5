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
// Run runs one subtest per clause of the contract: plan versions and
// conflicts, the limit on a plan's stored form, events, the record chain
// and its verification, querying and paging, isolation of every method
// between tenants, validation, context cancellation, and concurrent
// writers. It checks error categories with errors.Is, never messages.
//
// RunTamper checks that Verify notices edits made behind the store's back,
// given a way to make them; RunReliability is the heavier part of the
// contract, for CI.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

// Run runs the conformance suite. newStore returns a new, empty store for
// each subtest; register its cleanup with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Plans/Versions", testPlanVersions},
		{"Plans/Conflict", testPlanConflict},
		{"Plans/NotFound", testPlanNotFound},
		{"Plans/Invalid", testPlanInvalid},
		{"Plans/Copies", testPlanCopies},
		{"Plans/StoredFormLimit", testPlanLimit},
		{"Plans/Large", testPlanLarge},
		{"Events", testEvents},
		{"Records/Chain", testRecordChain},
		{"Records/Fields", testRecordFields},
		{"Records/Query", testRecordQuery},
		{"Records/Paging", testRecordPaging},
		{"Records/Corrections", testCorrections},
		{"Records/Invalid", testRecordInvalid},
		{"Isolation", testIsolation},
		{"Tenant/Invalid", testTenantInvalid},
		{"Cancellation", testCancellation},
		{"Concurrency/Appends", testConcurrentAppends},
		{"Concurrency/SavePlan", testConcurrentSavePlan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
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
	first, err := s.PlanVersion(ctx, "t1", "plan", 1)
	if err != nil {
		t.Fatal(err)
	}
	if first.Number != 1 || first.SavedBy != "alice" || first.Note != "first draft" || !reflect.DeepEqual(first.Plan, Plan("plan", 1)) {
		t.Errorf("version 1 = %+v", first)
	}
	vs := collect(t, s.Versions(ctx, "t1", "plan"))
	if len(vs) != 2 || vs[0].Number != 1 || vs[1].Number != 2 {
		t.Errorf("Versions: %+v", vs)
	}
	ps := collect(t, s.Plans(ctx, "t1"))
	if len(ps) != 2 || ps[0].PlanID != "another" || ps[1].PlanID != "plan" || ps[1].Number != 2 {
		t.Errorf("Plans: %+v", ps)
	}
}

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

func testPlanNotFound(t *testing.T, s store.Store) {
	if _, err := s.Plan(ctx, "t1", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Plan: %v, want ErrNotFound", err)
	}
	mustSave(t, s, "t1", Plan("plan", 1), 0)
	for _, v := range []int{2, 99, -1} {
		if _, err := s.PlanVersion(ctx, "t1", "plan", v); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PlanVersion %d: %v, want ErrNotFound", v, err)
		}
	}
	if vs := collect(t, s.Versions(ctx, "t1", "nope")); len(vs) != 0 {
		t.Errorf("Versions of a missing plan: %v", vs)
	}
	if _, err := s.Event(ctx, "t1", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Event: %v, want ErrNotFound", err)
	}
}

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

func testPlanCopies(t *testing.T, s store.Store) {
	p := Plan("plan", 1)
	mustSave(t, s, "t1", p, 0)
	p.Activities[0].Whom[0] = "changed-after-save"
	v, _ := s.Plan(ctx, "t1", "plan")
	if v.Plan.Activities[0].Whom[0] != "employees" {
		t.Error("the store shares memory with the saved plan")
	}
	v.Plan.Activities[0].Whom[0] = "changed-after-read"
	again, _ := s.Plan(ctx, "t1", "plan")
	if again.Plan.Activities[0].Whom[0] != "employees" {
		t.Error("the store shares memory with a returned plan")
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

// planOfSize returns a valid plan whose stored form (store.EncodePlan) is
// exactly size bytes, at most store.MaxStoredPlan.
func planOfSize(t *testing.T, id string, size int) comms.Plan {
	t.Helper()
	encoded := func(p comms.Plan) int {
		t.Helper()
		body, err := store.EncodePlan(p)
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

func event(id, kind string, at time.Time) comms.Event {
	return comms.Event{ID: id, Kind: kind, Title: "Event " + id, Labels: map[string]string{"severity": "major"},
		Milestones: []comms.Milestone{{Name: "detected", At: at}, {Name: "aware", At: at.Add(2 * time.Hour), Note: "DPO informed"}}}
}

func sameEvent(a, b comms.Event) bool {
	if a.ID != b.ID || a.Kind != b.Kind || a.Title != b.Title || !reflect.DeepEqual(a.Labels, b.Labels) || len(a.Milestones) != len(b.Milestones) {
		return false
	}
	for i := range a.Milestones {
		x, y := a.Milestones[i], b.Milestones[i]
		if x.Name != y.Name || x.Note != y.Note || !x.At.Equal(y.At) {
			return false
		}
	}
	return true
}

func testEvents(t *testing.T, s store.Store) {
	base := time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)
	e1 := event("inc-1", "incident", base)
	if err := s.SaveEvent(ctx, "t1", e1); err != nil {
		t.Fatal(err)
	}
	got, err := s.Event(ctx, "t1", "inc-1")
	if err != nil || !sameEvent(got, e1) {
		t.Fatalf("Event = %+v, %v", got, err)
	}
	// Update: a new milestone, and a corrected one.
	e1.Milestones = append(e1.Milestones, comms.Milestone{Name: "classified", At: base.Add(30 * time.Hour)})
	e1.Milestones[1].At = base.Add(3 * time.Hour)
	if err := s.SaveEvent(ctx, "t1", e1); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Event(ctx, "t1", "inc-1"); !sameEvent(got, e1) {
		t.Errorf("updated event = %+v", got)
	}
	if err := s.SaveEvent(ctx, "t1", event("inc-0", "incident", base.Add(-48*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveEvent(ctx, "t1", event("pol-1", "policy", base.Add(24*time.Hour))); err != nil {
		t.Fatal(err)
	}
	ids := func(q store.EventQuery) []string {
		var out []string
		for _, e := range collect(t, s.Events(ctx, "t1", q)) {
			out = append(out, e.ID)
		}
		return out
	}
	if got := ids(store.EventQuery{}); !slices.Equal(got, []string{"inc-0", "inc-1", "pol-1"}) {
		t.Errorf("Events by time: %v", got)
	}
	if got := ids(store.EventQuery{From: base, To: base.Add(24 * time.Hour)}); !slices.Equal(got, []string{"inc-1"}) {
		t.Errorf("Events [from, to): %v", got)
	}
	if got := ids(store.EventQuery{Kind: "policy"}); !slices.Equal(got, []string{"pol-1"}) {
		t.Errorf("Events by kind: %v", got)
	}
	// Times finer than a microsecond: bounds in the same microsecond as
	// the start select exactly.
	fine := base.Add(-96*time.Hour + 500*time.Nanosecond)
	if err := s.SaveEvent(ctx, "t1", event("fine", "drill", fine)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q    store.EventQuery
		want []string
	}{
		{store.EventQuery{Kind: "drill", From: fine.Add(-200 * time.Nanosecond)}, []string{"fine"}},
		{store.EventQuery{Kind: "drill", From: fine.Add(200 * time.Nanosecond)}, nil},
		{store.EventQuery{Kind: "drill", To: fine.Add(200 * time.Nanosecond)}, []string{"fine"}},
		{store.EventQuery{Kind: "drill", To: fine.Add(-200 * time.Nanosecond)}, nil},
		{store.EventQuery{To: base.Add(-48 * time.Hour)}, []string{"fine"}},
	} {
		if got := ids(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("Events(%+v): %v, want %v", tc.q, got, tc.want)
		}
	}
	for _, bad := range []comms.Event{{Kind: "incident"}, {ID: "x"}, {ID: "x", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware"}}}} {
		if err := s.SaveEvent(ctx, "t1", bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("SaveEvent(%+v): %v, want ErrInvalid", bad, err)
		}
	}
}

// Record returns a record for activity a sent at the given time.
func Record(a string, sent time.Time) comms.Record {
	return comms.Record{PlanID: "plan", PlanVersion: 1, ActivityID: a, SentAt: sent, Channel: "email", Audiences: []string{"employees"},
		Sender: "alice@example.org", SenderRole: "iso", Subject: "Subject " + a, Digest: "sha256:00", Reached: 10, Acknowledged: 7}
}

func mustAppend(t *testing.T, s store.Store, tenant string, r comms.Record) comms.Record {
	t.Helper()
	got, err := s.AppendRecord(ctx, tenant, r)
	if err != nil {
		t.Fatalf("AppendRecord: %v", err)
	}
	return got
}

func testRecordChain(t *testing.T, s store.Store) {
	if head, err := s.Verify(ctx, "t1"); err != nil || head != (store.Head{}) {
		t.Errorf("Verify of an empty log: %+v, %v; want the zero Head", head, err)
	}
	sent := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	var appended []comms.Record
	before := time.Now()
	for i := 0; i < 5; i++ {
		appended = append(appended, mustAppend(t, s, "t1", Record(fmt.Sprintf("a%d", i), sent.Add(time.Duration(i)*time.Hour))))
	}
	after := time.Now()
	prev := ""
	for i, r := range appended {
		if r.Seq != int64(i+1) || r.PrevHash != prev || len(r.Hash) != 64 || r.Type != comms.RecordTypeSent {
			t.Errorf("record %d: seq %d prev %q hash %q type %q", i, r.Seq, r.PrevHash, r.Hash, r.Type)
		}
		near(t, "RecordedAt", r.RecordedAt, before, after)
		if !r.SentAt.Equal(sent.Add(time.Duration(i) * time.Hour)) {
			t.Errorf("SentAt changed: %v", r.SentAt)
		}
		want, _ := store.Seal("t1", r.Seq, r.PrevHash, r.RecordedAt, Record(fmt.Sprintf("a%d", i), sent.Add(time.Duration(i)*time.Hour)))
		if want.Hash != r.Hash {
			t.Errorf("record %d: hash %s, the canonical encoding gives %s", r.Seq, r.Hash, want.Hash)
		}
		prev = r.Hash
	}
	listed := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
	if !reflect.DeepEqual(stripTimes(listed), stripTimes(appended)) {
		t.Errorf("Records differs from what AppendRecord returned:\n%+v\n%+v", listed, appended)
	}
	last := appended[len(appended)-1]
	if head, err := s.Verify(ctx, "t1"); err != nil || head != (store.Head{Seq: last.Seq, Hash: last.Hash}) {
		t.Errorf("Verify: %+v, %v; want the last record's sequence number and hash", head, err)
	}
}

// stripTimes makes records comparable with DeepEqual (time.Time holds a
// location pointer); times are compared separately.
func stripTimes(rs []comms.Record) []comms.Record {
	out := make([]comms.Record, len(rs))
	for i, r := range rs {
		r.SentAt, r.RecordedAt, r.Occurrence = r.SentAt.UTC(), r.RecordedAt.UTC(), r.Occurrence.UTC()
		out[i] = r
	}
	return out
}

func testRecordFields(t *testing.T, s store.Store) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	in := comms.Record{
		Type: comms.RecordTypeWaived, PlanID: "plan", PlanVersion: 3, ActivityID: "policy",
		Occurrence: time.Date(2026, 1, 15, 9, 0, 0, 0, berlin), EventID: "inc-1",
		SentAt: time.Date(2026, 1, 16, 10, 11, 12, 123456789, berlin), Channel: "email",
		Audiences: []string{"employees", "contractors"}, Sender: "Zoë <zoe@example.org>", SenderRole: "iso",
		Subject: "Ümlauts, \"quotes\", <tags> & \u2028", Digest: "sha256:abc", Reached: 100, Acknowledged: 42,
		Note: "Waived: the office was closed\nsecond line",
	}
	got := mustAppend(t, s, "t1", in)
	listed := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
	if len(listed) != 1 {
		t.Fatalf("%d records", len(listed))
	}
	for _, r := range []comms.Record{got, listed[0]} {
		want := in
		want.Seq, want.RecordedAt, want.Hash = 1, r.RecordedAt, r.Hash
		want.SentAt = in.SentAt.Truncate(time.Microsecond)
		if !reflect.DeepEqual(stripTimes([]comms.Record{r}), stripTimes([]comms.Record{want})) || !r.Occurrence.Equal(in.Occurrence) {
			t.Errorf("record fields did not survive:\n got %+v\nwant %+v", r, want)
		}
	}
}

func testRecordQuery(t *testing.T, s store.Store) {
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 12; i++ {
		r := Record(fmt.Sprintf("a%d", i%3), base.Add(time.Duration(i)*24*time.Hour))
		if i%4 == 0 {
			r.PlanID, r.EventID = "other", "inc-1"
		}
		mustAppend(t, s, "t1", r)
	}
	seqs := func(q store.RecordQuery) []int64 {
		var out []int64
		for _, r := range collect(t, s.Records(ctx, "t1", q)) {
			out = append(out, r.Seq)
		}
		return out
	}
	tests := []struct {
		q    store.RecordQuery
		want []int64
	}{
		{store.RecordQuery{ActivityID: "a1"}, []int64{2, 5, 8, 11}},
		{store.RecordQuery{PlanID: "other"}, []int64{1, 5, 9}},
		{store.RecordQuery{EventID: "inc-1", ActivityID: "a0"}, []int64{1}},
		{store.RecordQuery{From: base.Add(3 * 24 * time.Hour), To: base.Add(6 * 24 * time.Hour)}, []int64{4, 5, 6}},
		{store.RecordQuery{After: 10}, []int64{11, 12}},
		{store.RecordQuery{ActivityID: "a2", Limit: 2}, []int64{3, 6}},
		{store.RecordQuery{ActivityID: "nope"}, nil},
		// Bounds finer than the microsecond SentAt is kept to.
		{store.RecordQuery{From: base.Add(time.Nanosecond), To: base.Add(24*time.Hour + time.Nanosecond)}, []int64{2}},
		{store.RecordQuery{From: base.Add(-time.Nanosecond), To: base.Add(-time.Nanosecond)}, nil},
	}
	for _, tc := range tests {
		if got := seqs(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("Records(%+v) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func testRecordPaging(t *testing.T, s store.Store) {
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	const n = 700
	for i := 0; i < n; i++ {
		mustAppend(t, s, "t1", Record("a", base.Add(time.Duration(i)*time.Minute)))
	}
	var got []int64
	after := int64(0)
	for {
		page := collect(t, s.Records(ctx, "t1", store.RecordQuery{After: after, Limit: 100}))
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			got = append(got, r.Seq)
		}
		after = page[len(page)-1].Seq
	}
	if len(got) != n || got[0] != 1 || got[n-1] != n {
		t.Errorf("paging gave %d records", len(got))
	}
	// Stopping early is allowed.
	count := 0
	for range s.Records(ctx, "t1", store.RecordQuery{}) {
		if count++; count == 3 {
			break
		}
	}
	if count != 3 {
		t.Error("early stop")
	}
}

func testCorrections(t *testing.T, s store.Store) {
	first := mustAppend(t, s, "t1", Record("a", time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)))
	fix := Record("a", time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))
	fix.Corrects, fix.Reached, fix.Note = first.Seq, 12, "reach count was wrong"
	if got := mustAppend(t, s, "t1", fix); got.Corrects != 1 || got.Seq != 2 {
		t.Errorf("correction = %+v", got)
	}
	fix.Corrects = 3
	if _, err := s.AppendRecord(ctx, "t1", fix); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("correcting a record that does not exist: %v, want ErrInvalid", err)
	}
	if _, err := s.Verify(ctx, "t1"); err != nil {
		t.Error(err)
	}
}

func testRecordInvalid(t *testing.T, s store.Store) {
	ok := Record("a", time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))
	bad := []func(*comms.Record){
		func(r *comms.Record) { r.SentAt = time.Time{} },
		func(r *comms.Record) { r.Seq = 7 },
		func(r *comms.Record) { r.Hash = "abc" },
		func(r *comms.Record) { r.RecordedAt = time.Now() },
		func(r *comms.Record) { r.Type = "maybe" },
		func(r *comms.Record) { r.Type = comms.RecordTypeWaived; r.Note = "" },
		func(r *comms.Record) { r.Reached = -1 },
		func(r *comms.Record) { r.Acknowledged = r.Reached + 1 },
	}
	for i, change := range bad {
		r := ok
		change(&r)
		if _, err := s.AppendRecord(ctx, "t1", r); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("invalid record %d: %v, want ErrInvalid", i, err)
		}
	}
	if rs := collect(t, s.Records(ctx, "t1", store.RecordQuery{})); len(rs) != 0 {
		t.Errorf("invalid records were appended: %d", len(rs))
	}
	if r := mustAppend(t, s, "t1", ok); r.Seq != 1 {
		t.Errorf("a rejected record used up sequence numbers: %d", r.Seq)
	}
}

// Tenants share nothing, whatever IDs they use, through every method.
func testIsolation(t *testing.T, s store.Store) {
	a, b := "acme", "acme-2"
	when := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	mustSave(t, s, a, Plan("plan", 1), 0)
	mustSave(t, s, a, Plan("plan", 2), 1)
	mustSave(t, s, a, Plan("only-a", 1), 0)
	if err := s.SaveEvent(ctx, a, event("inc-1", "incident", when)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		mustAppend(t, s, a, Record("a", when))
	}

	// B sees none of A's data...
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
	// ...and writing under the same IDs neither conflicts with nor changes A.
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
	if va, _ := s.Plan(ctx, a, "plan"); va.Number != 2 || !reflect.DeepEqual(va.Plan, Plan("plan", 2)) {
		t.Errorf("B's save changed A's plan: %+v", va)
	}
	if ea, _ := s.Event(ctx, a, "inc-1"); ea.Title != "Event inc-1" {
		t.Errorf("B's event replaced A's: %+v", ea)
	}
	if ra := collect(t, s.Records(ctx, a, store.RecordQuery{})); len(ra) != 3 || ra[2].ActivityID != "a" {
		t.Errorf("A's records: %+v", ra)
	}
	if ps := collect(t, s.Plans(ctx, b)); len(ps) != 1 || ps[0].Plan.Activities[0].What.Message != "Version 7" {
		t.Errorf("Plans of B: %+v", ps)
	}
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

func testTenantInvalid(t *testing.T, s store.Store) {
	for _, tenant := range []string{"", "a\x00b", "line\nbreak"} {
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

func testCancellation(t *testing.T, s store.Store) {
	mustSave(t, s, "t1", Plan("plan", 1), 0)
	mustAppend(t, s, "t1", Record("a", time.Now()))
	c, cancel := context.WithCancel(ctx)
	cancel()
	checks := map[string]error{}
	_, checks["SavePlan"] = s.SavePlan(c, "t1", Plan("plan", 2), 1)
	_, checks["Plan"] = s.Plan(c, "t1", "plan")
	_, checks["PlanVersion"] = s.PlanVersion(c, "t1", "plan", 1)
	checks["SaveEvent"] = s.SaveEvent(c, "t1", event("e", "incident", time.Now()))
	_, checks["Event"] = s.Event(c, "t1", "e")
	_, checks["AppendRecord"] = s.AppendRecord(c, "t1", Record("a", time.Now()))
	_, checks["Verify"] = s.Verify(c, "t1")
	checks["Plans"] = firstErr(s.Plans(c, "t1"))
	checks["Versions"] = firstErr(s.Versions(c, "t1", "plan"))
	checks["Events"] = firstErr(s.Events(c, "t1", store.EventQuery{}))
	checks["Records"] = firstErr(s.Records(c, "t1", store.RecordQuery{}))
	for name, err := range checks {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v, want context.Canceled", name, err)
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

func testConcurrentAppends(t *testing.T, s store.Store) {
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := s.AppendRecord(ctx, "t1", Record(fmt.Sprintf("w%d", w), time.Now())); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rs := collect(t, s.Records(ctx, "t1", store.RecordQuery{}))
	if len(rs) != writers*each {
		t.Fatalf("%d records, want %d", len(rs), writers*each)
	}
	for i, r := range rs {
		if r.Seq != int64(i+1) {
			t.Fatalf("sequence has a gap or duplicate at %d: %d", i+1, r.Seq)
		}
	}
	if _, err := s.Verify(ctx, "t1"); err != nil {
		t.Error(err)
	}
}

func testConcurrentSavePlan(t *testing.T, s store.Store) {
	mustSave(t, s, "t1", Plan("plan", 0), 0)
	for round := 1; round <= 5; round++ {
		const writers = 6
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, conflicts := 0, 0
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.SavePlan(ctx, "t1", Plan("plan", round*10+w), round)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.Is(err, store.ErrConflict):
					conflicts++
				default:
					t.Errorf("SavePlan: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 || conflicts != writers-1 {
			t.Fatalf("round %d: %d saves succeeded and %d conflicted; want 1 and %d", round, wins, conflicts, writers-1)
		}
	}
}

// RunReliability is the heavier part of the contract, for CI: 8 goroutines
// appending 1,000 records each to one tenant (8,000 records, sequence
// 1..8000 with no gap or duplicate, a chain that verifies), and 100 rounds
// of 8 writers saving a plan with the same expected version (exactly one
// succeeds each round, the others get ErrConflict). Run it under -race.
func RunReliability(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Run("Appends/8x1000", func(t *testing.T) {
		s := newStore(t)
		const writers, each = 8, 1000
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					if _, err := s.AppendRecord(ctx, "tenant", Record(fmt.Sprintf("w%d-%d", w, i), time.Now())); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		seen := make([]bool, writers*each+1)
		n := 0
		for r, err := range s.Records(ctx, "tenant", store.RecordQuery{}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			if r.Seq < 1 || r.Seq > writers*each || seen[r.Seq] || r.Seq != int64(n) {
				t.Fatalf("record %d has sequence number %d", n, r.Seq)
			}
			seen[r.Seq] = true
		}
		if n != writers*each {
			t.Fatalf("%d records, want %d", n, writers*each)
		}
		if _, err := s.Verify(ctx, "tenant"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("SavePlan/100rounds", func(t *testing.T) {
		s := newStore(t)
		mustSave(t, s, "tenant", Plan("plan", 0), 0)
		for round := 1; round <= 100; round++ {
			const writers = 8
			var wg sync.WaitGroup
			results := make(chan error, writers)
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := s.SavePlan(ctx, "tenant", Plan("plan", round*10+w), round)
					results <- err
				}()
			}
			wg.Wait()
			close(results)
			wins := 0
			for err := range results {
				switch {
				case err == nil:
					wins++
				case !errors.Is(err, store.ErrConflict):
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if wins != 1 {
				t.Fatalf("round %d: %d writers succeeded, want exactly 1", round, wins)
			}
		}
		if v, err := s.Plan(ctx, "tenant", "plan"); err != nil || v.Number != 101 {
			t.Fatalf("after 100 rounds: version %d, %v", v.Number, err)
		}
	})
}

// Tamperer changes what a store keeps behind its back, as someone with
// write access to its database would (plain SQL as the tables' owner, for
// a database store). RunTamper uses it to check that Verify notices.
type Tamperer interface {
	// SetColumn overwrites a stored copy of one field of record seq of
	// tenant, one the store keeps apart from the hashed body to select
	// by: column is "plan_id", "activity_id" or "event_id" (value is a
	// string) or "sent_at" (value is a time.Time). It calls t.Skip if the
	// store keeps no such copy, t.Fatal if the edit fails.
	SetColumn(t *testing.T, tenant string, seq int64, column string, value any)
	// SetBody overwrites the stored body (the canonical encoding) of
	// record seq of tenant, leaving its stored hash as it was.
	SetBody(t *testing.T, tenant string, seq int64, body []byte)
}

// RunTamper runs the tamper clauses of the contract. newStore returns a
// new, empty store for each subtest, and a Tamperer for it. Each clause
// appends six records to a tenant, edits record 3 behind the store's back
// and checks that Verify fails with a *store.ChainError naming record 3
// (and, for a column, the column), and that Records never returns a
// record whose content contradicts its query or its stored hash.
func RunTamper(t *testing.T, newStore func(t *testing.T) (store.Store, Tamperer)) {
	base := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	fill := func(t *testing.T, s store.Store) []comms.Record {
		t.Helper()
		var out []comms.Record
		for i := 0; i < 6; i++ {
			r := Record(fmt.Sprintf("a%d", i%2), base.Add(time.Duration(i)*24*time.Hour))
			r.EventID = fmt.Sprintf("inc-%d", i%2)
			out = append(out, mustAppend(t, s, "t1", r))
		}
		mustAppend(t, s, "t2", Record("a0", base))
		return out
	}
	// Record 3 is plan "plan", activity "a0", event "inc-0", sent base+2d.
	// Each edit moves it out of the first query and into the second.
	columns := []struct {
		column   string
		value    any
		from, to store.RecordQuery
	}{
		{"plan_id", "other", store.RecordQuery{PlanID: "plan"}, store.RecordQuery{PlanID: "other"}},
		{"activity_id", "a1", store.RecordQuery{ActivityID: "a0"}, store.RecordQuery{ActivityID: "a1"}},
		{"event_id", "inc-1", store.RecordQuery{EventID: "inc-0"}, store.RecordQuery{EventID: "inc-1"}},
		{"sent_at", base.Add(-30 * 24 * time.Hour), store.RecordQuery{From: base}, store.RecordQuery{To: base}},
	}
	for _, tc := range columns {
		t.Run("Column/"+tc.column, func(t *testing.T) {
			s, tamper := newStore(t)
			appended := fill(t, s)
			tamper.SetColumn(t, "t1", 3, tc.column, tc.value)
			_, err := s.Verify(ctx, "t1")
			var ce *store.ChainError
			if !errors.As(err, &ce) || ce.Seq != 3 || ce.Column != tc.column || ce.Tenant != "t1" {
				t.Fatalf("Verify after editing the %s column of record 3: %v; want a *ChainError at record 3 naming the column", tc.column, err)
			}
			if head, err := s.Verify(ctx, "t2"); err != nil || head.Seq != 1 {
				t.Errorf("Verify of another tenant: %+v, %v", head, err)
			}
			for _, q := range []store.RecordQuery{tc.from, tc.to, {}} {
				for r, err := range s.Records(ctx, "t1", q) {
					if err != nil {
						if !errors.As(err, &ce) || ce.Seq != 3 {
							t.Errorf("Records(%+v): %v; want a record or a *ChainError at record 3", q, err)
						}
						break
					}
					if !reflect.DeepEqual(stripTimes([]comms.Record{r}), stripTimes(appended[r.Seq-1:r.Seq])) {
						t.Errorf("Records(%+v) returned record %d with content other than appended:\n got %+v\nwant %+v", q, r.Seq, r, appended[r.Seq-1])
					} else if !q.Match(r) {
						t.Errorf("Records(%+v) returned record %d, whose content does not match the query", q, r.Seq)
					}
				}
			}
		})
	}
	t.Run("Body", func(t *testing.T) {
		s, tamper := newStore(t)
		appended := fill(t, s)
		// A well-formed encoding of the same record with another subject:
		// the edit an attacker would make.
		r := appended[2]
		r.Subject = "rewritten"
		_, body := store.Seal("t1", r.Seq, r.PrevHash, r.RecordedAt, r)
		tamper.SetBody(t, "t1", 3, body)
		_, err := s.Verify(ctx, "t1")
		var ce *store.ChainError
		if !errors.As(err, &ce) || ce.Seq != 3 || ce.Column != "" {
			t.Fatalf("Verify after editing the body of record 3: %v; want a *ChainError at record 3", err)
		}
		for r, err := range s.Records(ctx, "t1", store.RecordQuery{}) {
			if err != nil {
				if !errors.As(err, &ce) || ce.Seq != 3 {
					t.Errorf("Records: %v; want a record or a *ChainError at record 3", err)
				}
				break
			}
			if !reflect.DeepEqual(stripTimes([]comms.Record{r}), stripTimes(appended[r.Seq-1:r.Seq])) {
				t.Errorf("Records returned record %d with content other than appended (subject %q)", r.Seq, r.Subject)
			}
		}
	})
}
