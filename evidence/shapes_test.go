package evidence_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/regulation"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/memory"
)

// utcStore is filledStore: a store returns every time in UTC (the test
// of the zones checks it does).
func utcStore(t *testing.T) (*memory.Store, evidence.Input) {
	t.Helper()
	return filledStore(t)
}

func inBerlin(t *testing.T, what string, tt time.Time) {
	t.Helper()
	if !tt.IsZero() && tt.Location().String() != "Europe/Berlin" {
		t.Errorf("%s %v is not in the plan's zone", what, tt)
	}
}

// TestBuildOptions: missing required options are ErrInvalid errors, not
// panics or defaults read from the clock; a zero period is the year
// before Now.
func TestBuildOptions(t *testing.T) {
	ctx := context.Background()
	mem, in := utcStore(t)
	for _, tc := range []struct {
		name string
		opts evidence.BuildOptions
	}{
		{"no tenant", evidence.BuildOptions{PlanID: "acme", Now: in.Now}},
		{"no plan", evidence.BuildOptions{Tenant: "t", Now: in.Now}},
		{"no now", evidence.BuildOptions{Tenant: "t", PlanID: "acme", From: in.From, To: in.To}},
		{"period backwards", evidence.BuildOptions{Tenant: "t", PlanID: "acme", From: in.To, To: in.From, Now: in.Now}},
	} {
		if _, err := evidence.Build(ctx, mem, tc.opts); !errors.Is(err, evidence.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tc.name, err)
		}
	}
	if _, err := evidence.Build(ctx, nil, evidence.BuildOptions{Tenant: "t", PlanID: "acme", Now: in.Now}); !errors.Is(err, evidence.ErrInvalid) {
		t.Errorf("no store: %v", err)
	}
	if _, err := evidence.IncidentClock(ctx, nil, evidence.ClockOptions{Tenant: "t", EventID: "e", PlanID: "acme", Now: in.Now}); !errors.Is(err, evidence.ErrInvalid) {
		t.Errorf("clock without a store: %v", err)
	}
	if _, err := evidence.AppendRecord(ctx, nil, "t", comms.Record{PlanID: "acme"}, in.Now); !errors.Is(err, evidence.ErrInvalid) {
		t.Errorf("append without a store: %v", err)
	}
	if _, err := evidence.SaveMilestone(ctx, nil, "t", "e", comms.Milestone{Name: "aware", At: in.Now}, evidence.MilestoneOptions{Force: true}); !errors.Is(err, evidence.ErrInvalid) {
		t.Errorf("milestone without a store: %v", err)
	}
	if _, err := evidence.Build(ctx, mem, evidence.BuildOptions{Tenant: "t", PlanID: "nope", Now: in.Now}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown plan: %v", err)
	}
	rep, err := evidence.Build(ctx, mem, evidence.BuildOptions{Tenant: "t", PlanID: "acme", Now: in.Now})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.To.Equal(in.Now) || !rep.From.Equal(in.Now.AddDate(-1, 0, 0)) {
		t.Errorf("default period %v to %v", rep.From, rep.To)
	}
}

// TestBuildAppliesPlanProfiles: the findings of the report check the
// profiles the plan declares, unasked; CheckOptions add to them.
func TestBuildAppliesPlanProfiles(t *testing.T) {
	ctx := context.Background()
	mem := memory.New(nil)
	p := plan(false)
	p.Profiles = []string{"gdpr"}
	if _, err := mem.SavePlan(ctx, "t", p, 0); err != nil {
		t.Fatal(err)
	}
	now := at("2026-12-03 12:00")
	rep, err := evidence.Build(ctx, mem, evidence.BuildOptions{Tenant: "t", PlanID: "acme", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// The plan fulfils gdpr-art33 but not gdpr-art34.
	if !rep.Checks.Has("REG-MISSING") || !strings.Contains(findingText(rep, "REG-MISSING"), "gdpr-art34") {
		t.Errorf("the plan's gdpr profile was not applied: %v", rep.Checks.Findings)
	}
	rep, err = evidence.Build(ctx, mem, evidence.BuildOptions{Tenant: "t", PlanID: "acme", Now: now,
		CheckOptions: []matrix.CheckOption{matrix.Profile("nis2")}})
	if err != nil {
		t.Fatal(err)
	}
	if text := findingText(rep, "REG-MISSING"); !strings.Contains(text, "gdpr-art34") || !strings.Contains(text, "nis2-early-warning") {
		t.Errorf("nis2 on top of the plan's gdpr: %s", text)
	}
}

func findingText(rep *evidence.Assessment, rule string) string {
	var b strings.Builder
	for _, f := range rep.Checks.Findings {
		if f.Rule == rule {
			b.WriteString(f.Message + "\n")
		}
	}
	return b.String()
}

// TestAssessmentInPlanZone: a store keeps records in UTC; the assessment of
// a Berlin plan has its occurrences, deadlines, records and notifications
// in Berlin.
func TestAssessmentInPlanZone(t *testing.T) {
	ctx := context.Background()
	mem, in := utcStore(t)
	rep, err := evidence.Build(ctx, mem, evidence.BuildOptions{Tenant: "t", PlanID: "acme", From: in.From, To: in.To, Now: in.Now})
	if err != nil {
		t.Fatal(err)
	}
	records := 0
	for _, o := range rep.Occurrences {
		inBerlin(t, o.ActivityID+" at", o.At)
		inBerlin(t, o.ActivityID+" due", o.Due)
		if o.Record != nil {
			records++
			inBerlin(t, o.ActivityID+" record sent", o.Record.SentAt)
			inBerlin(t, o.ActivityID+" record recorded", o.Record.RecordedAt)
			inBerlin(t, o.ActivityID+" record occurrence", o.Record.Occurrence)
		}
	}
	for _, r := range rep.AdHoc {
		inBerlin(t, "ad hoc record", r.SentAt)
	}
	for _, d := range rep.Deviations {
		inBerlin(t, "deviation", d.SentAt)
	}
	for _, n := range rep.KPIs.Notifications {
		inBerlin(t, "notification start", n.Start)
		inBerlin(t, "notification sent", n.Sent)
	}
	if records < 7 || len(rep.AdHoc) != 1 || len(rep.KPIs.Notifications) == 0 {
		t.Fatalf("the test saw %d records, %d ad hoc, %d notifications", records, len(rep.AdHoc), len(rep.KPIs.Notifications))
	}
	// The store returns records in UTC: the report moved them.
	for r, err := range mem.Records(ctx, "t", store.RecordQuery{Limit: 1}) {
		if err != nil || r.SentAt.Location() != time.UTC {
			t.Errorf("the memory store returns %v, not UTC: the test shows nothing", r.SentAt.Location())
		}
	}
}

// clockStore holds the test plan's first version and the incident inc-1
// (aware 10 September), for tenant "t".
func clockStore(t *testing.T) *memory.Store {
	t.Helper()
	ctx := context.Background()
	mem := memory.New(&memory.Options{Now: func() time.Time { return at("2026-09-01 00:00") }})
	if _, err := mem.SavePlan(ctx, "t", plan(false), 0); err != nil {
		t.Fatal(err)
	}
	e := comms.Event{ID: "inc-1", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware", At: at("2026-09-10 10:00").UTC()}}}
	if err := mem.SaveEvent(ctx, "t", e); err != nil {
		t.Fatal(err)
	}
	return mem
}

// TestIncidentClockFromStore: the store-backed clock reads the event, the
// version in force when it began and its records, and shows Berlin times.
func TestIncidentClockFromStore(t *testing.T) {
	ctx := context.Background()
	mem := clockStore(t)
	now := at("2026-09-12 12:00")
	r := sent("breach", "2026-09-11 09:49", 0, 0)
	r.EventID, r.SentAt = "inc-1", r.SentAt.UTC()
	if _, err := mem.AppendRecord(ctx, "t", r); err != nil {
		t.Fatal(err)
	}
	other := r
	other.PlanID = "another-plan"
	if _, err := mem.AppendRecord(ctx, "t", other); err != nil {
		t.Fatal(err)
	}
	c, err := evidence.IncidentClock(ctx, mem, evidence.ClockOptions{Tenant: "t", EventID: "inc-1", PlanID: "acme", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if c.Event.ID != "inc-1" || c.Version.Number != 1 || len(c.Owed) != 1 {
		t.Fatalf("clock: %+v", c)
	}
	o := c.Owed[0]
	if o.ActivityID != "breach" || o.Status != regulation.OwedStatusDone || o.String() != "done 2026-09-11 09:49 CEST" {
		t.Errorf("owed: %s %s %q", o.ActivityID, o.Status, o.String())
	}
	inBerlin(t, "the event's milestone", c.Event.Milestones[0].At)
	inBerlin(t, "now", c.Now)
	inBerlin(t, "due", o.Due)

	// The same from an equal plan that is not stored.
	p := plan(false)
	c2, err := evidence.IncidentClock(ctx, mem, evidence.ClockOptions{Tenant: "t", EventID: "inc-1", Plan: &p, Now: now})
	if err != nil || !reflect.DeepEqual(c2.Owed, c.Owed) || c2.Version.Number != 0 {
		t.Errorf("with a plan given: %+v %v", c2, err)
	}

	for _, tc := range []struct {
		name string
		opts evidence.ClockOptions
		want error
	}{
		{"no tenant", evidence.ClockOptions{EventID: "inc-1", PlanID: "acme", Now: now}, evidence.ErrInvalid},
		{"no event", evidence.ClockOptions{Tenant: "t", PlanID: "acme", Now: now}, evidence.ErrInvalid},
		{"no plan", evidence.ClockOptions{Tenant: "t", EventID: "inc-1", Now: now}, evidence.ErrInvalid},
		{"no now", evidence.ClockOptions{Tenant: "t", EventID: "inc-1", PlanID: "acme"}, evidence.ErrInvalid},
		{"unknown event", evidence.ClockOptions{Tenant: "t", EventID: "inc-9", PlanID: "acme", Now: now}, store.ErrNotFound},
		{"unknown plan", evidence.ClockOptions{Tenant: "t", EventID: "inc-1", PlanID: "nope", Now: now}, store.ErrNotFound},
		{"another tenant", evidence.ClockOptions{Tenant: "u", EventID: "inc-1", PlanID: "acme", Now: now}, store.ErrNotFound},
	} {
		if _, err := evidence.IncidentClock(ctx, mem, tc.opts); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestIncidentClockVersionInForce: an event is judged under the version in
// force when it began, as Build judges it, not the latest.
func TestIncidentClockVersionInForce(t *testing.T) {
	ctx := context.Background()
	clock := at("2026-01-01 00:00")
	mem := memory.New(&memory.Options{Now: func() time.Time { return clock }})
	if _, err := mem.SavePlan(ctx, "t", plan(false), 0); err != nil {
		t.Fatal(err)
	}
	clock = at("2026-09-11 00:00")
	later := plan(false)
	later.Activities[2].When.Within = "48h"
	if _, err := mem.SavePlan(ctx, "t", later, 1); err != nil {
		t.Fatal(err)
	}
	for id, aware := range map[string]string{"before": "2026-09-10 10:00", "after": "2026-09-12 10:00"} {
		if err := mem.SaveEvent(ctx, "t", comms.Event{ID: id, Kind: "incident", Milestones: []comms.Milestone{{Name: "aware", At: at(aware)}}}); err != nil {
			t.Fatal(err)
		}
		c, err := evidence.IncidentClock(ctx, mem, evidence.ClockOptions{Tenant: "t", EventID: id, PlanID: "acme", Now: at("2026-09-13 00:00")})
		if err != nil {
			t.Fatal(err)
		}
		want, within := 1, 72*time.Hour
		if id == "after" {
			want, within = 2, 48*time.Hour
		}
		if c.Version.Number != want || !c.Owed[0].PlanDue.Equal(at(aware).Add(within)) {
			t.Errorf("event %s: version %d, plan due %v", id, c.Version.Number, c.Owed[0].PlanDue)
		}
	}
}

// TestAppendRecordChecked: the checked append refuses, before writing
// anything, every record the plan version it names does not provide for,
// listing every problem; and appends the others, naming the version.
func TestAppendRecordChecked(t *testing.T) {
	ctx := context.Background()
	mem := clockStore(t)
	if err := mem.SaveEvent(ctx, "t", comms.Event{ID: "crisis-1", Kind: "crisis", Milestones: []comms.Milestone{{Name: "declared", At: at("2026-09-10 10:00")}}}); err != nil {
		t.Fatal(err)
	}
	now := at("2026-09-12 12:00")
	ok := sent("newsletter", "2026-09-01 10:00", 90, 60)
	ok.Occurrence = at("2026-09-01 09:00")
	for _, tc := range []struct {
		name  string
		edit  func(*comms.Record)
		want  []string
		is    error
		notIs error
	}{
		{"unknown activity, channel and audience", func(r *comms.Record) {
			r.ActivityID, r.Channel, r.Audiences, r.Occurrence = "newsleter", "fax", []string{"martians"}, time.Time{}
		}, []string{`activity_id: plan acme has no activity "newsleter"`, `channel: plan acme has no channel "fax"`, `audiences[0]: plan acme has no stakeholder "martians"`}, evidence.ErrRefused, nil},
		{"not an occurrence", func(r *comms.Record) { r.Occurrence = at("2026-09-02 09:00") },
			[]string{"occurrence: 2026-09-02T09:00:00+02:00 is not an occurrence of activity newsletter (FREQ=MONTHLY;BYMONTHDAY=1); the next is 2026-10-01T09:00:00+02:00"}, evidence.ErrRefused, nil},
		{"an occurrence in UTC is the same instant", func(r *comms.Record) { r.Occurrence = at("2026-09-02 09:00").UTC() },
			[]string{"occurrence: 2026-09-02T09:00:00+02:00 is not"}, evidence.ErrRefused, nil},
		{"unknown event", func(r *comms.Record) { *r = sent("breach", "2026-09-11 10:00", 0, 0); r.EventID = "inc-9" },
			[]string{"event_id: tenant t has no event inc-9"}, store.ErrNotFound, nil},
		{"event of another kind", func(r *comms.Record) { *r = sent("breach", "2026-09-11 10:00", 0, 0); r.EventID = "crisis-1" },
			[]string{"event_id: event crisis-1 is of kind crisis; activity breach answers incident events (incident.aware)"}, evidence.ErrRefused, store.ErrNotFound},
		{"sent in the future", func(r *comms.Record) { r.SentAt = at("2026-09-13 10:00") },
			[]string{"sent_at: 2026-09-13T10:00:00+02:00 is after the reference time 2026-09-12T12:00:00+02:00"}, evidence.ErrRefused, nil},
	} {
		r := ok
		tc.edit(&r)
		_, err := evidence.AppendRecord(ctx, mem, "t", r, now)
		var rerr *evidence.RecordError
		if !errors.As(err, &rerr) || !errors.Is(err, evidence.ErrRefused) || !errors.Is(err, tc.is) || tc.notIs != nil && errors.Is(err, tc.notIs) {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if rerr.PlanID != "acme" || rerr.Version != 1 || len(rerr.Problems) != len(tc.want) {
			t.Errorf("%s: %+v", tc.name, rerr)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tc.name, err, w)
			}
		}
	}
	for _, tc := range []struct {
		name string
		edit func(*comms.Record)
		want error
	}{
		{"no plan", func(r *comms.Record) { r.PlanID = "" }, evidence.ErrInvalid},
		{"unknown plan", func(r *comms.Record) { r.PlanID = "nope" }, store.ErrNotFound},
		{"unknown version", func(r *comms.Record) { r.PlanVersion = 7 }, store.ErrNotFound},
		{"what the store refuses", func(r *comms.Record) { r.Hash = "abc" }, store.ErrInvalid},
	} {
		r := ok
		tc.edit(&r)
		if _, err := evidence.AppendRecord(ctx, mem, "t", r, now); !errors.Is(err, tc.want) || errors.Is(err, evidence.ErrRefused) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := evidence.AppendRecord(ctx, mem, "t", ok, time.Time{}); !errors.Is(err, evidence.ErrInvalid) {
		t.Errorf("no reference time: %v", err)
	}
	if head, _ := mem.Verify(ctx, "t"); head.Seq != 0 {
		t.Fatalf("refused records were appended: %d", head.Seq)
	}

	got, err := evidence.AppendRecord(ctx, mem, "t", ok, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != 1 || got.PlanVersion != 1 || got.Hash == "" || got.Subject != ok.Subject || got.Reached != 90 {
		t.Errorf("appended: %+v", got)
	}
	inBerlin(t, "the appended record's SentAt", got.SentAt)
	inBerlin(t, "the appended record's RecordedAt", got.RecordedAt)
	// A triggered activity's record for an event of its kind.
	b := sent("breach", "2026-09-11 10:00", 0, 0)
	b.EventID = "inc-1"
	if got, err := evidence.AppendRecord(ctx, mem, "t", b, now); err != nil || got.Seq != 2 {
		t.Errorf("breach record: %+v %v", got, err)
	}
}

// TestSaveMilestoneChecked: a milestone that starts nothing of the plan is
// refused unless forced (then a warning), with the milestones that do;
// aware before detected is saved with a warning.
func TestSaveMilestoneChecked(t *testing.T) {
	ctx := context.Background()
	mem := clockStore(t)
	opts := evidence.MilestoneOptions{PlanID: "acme"}
	m := func(name, when string) comms.Milestone { return comms.Milestone{Name: name, At: at(when)} }

	_, err := evidence.SaveMilestone(ctx, mem, "t", "inc-1", m("awre", "2026-09-10 11:00"), opts)
	var merr *evidence.MilestoneError
	if !errors.As(err, &merr) || !errors.Is(err, evidence.ErrRefused) || !errors.Is(err, evidence.ErrStartsNothing) ||
		!reflect.DeepEqual(merr.Starting, []string{"aware"}) ||
		err.Error() != "evidence: incident.awre starts no communication of plan acme; the milestones that do are: aware" {
		t.Fatalf("a milestone that starts nothing: %v", err)
	}
	e, _ := mem.Event(ctx, "t", "inc-1")
	if len(e.Milestones) != 1 {
		t.Fatalf("a refused milestone was saved: %+v", e.Milestones)
	}

	forced := opts
	forced.Force = true
	res, err := evidence.SaveMilestone(ctx, mem, "t", "inc-1", m("awre", "2026-09-10 11:00"), forced)
	if err != nil || len(res.Warnings) != 1 || !errors.Is(res.Warnings[0], evidence.ErrStartsNothing) || errors.Is(res.Warnings[0], evidence.ErrRefused) {
		t.Fatalf("forced: %+v %v", res, err)
	}
	if len(res.Event.Milestones) != 2 {
		t.Errorf("forced: %+v", res.Event)
	}

	// detected starts nothing in this plan either; with the plan given
	// (a file, say), and the crisis kind that nothing answers.
	p := plan(false)
	_, err = evidence.SaveMilestone(ctx, mem, "t", "inc-1", m("detected", "2026-09-10 12:00"), evidence.MilestoneOptions{Plan: &p})
	if !errors.Is(err, evidence.ErrStartsNothing) {
		t.Errorf("detected under the test plan: %v", err)
	}
	if err := mem.SaveEvent(ctx, "t", comms.Event{ID: "crisis-1", Kind: "crisis", Milestones: []comms.Milestone{m("declared", "2026-09-10 10:00")}}); err != nil {
		t.Fatal(err)
	}
	_, err = evidence.SaveMilestone(ctx, mem, "t", "crisis-1", m("over", "2026-09-11 10:00"), opts)
	if !errors.As(err, &merr) || len(merr.Starting) != 0 || !strings.Contains(err.Error(), "none of its activities is triggered by crisis events") {
		t.Errorf("a kind nothing answers: %v", err)
	}

	// Aware before detected: saved, with a warning naming both times in
	// the plan's zone.
	p.Activities = append(p.Activities, comms.Activity{ID: "staff", When: comms.Timing{Trigger: "incident.detected", Within: "1h"}})
	res, err = evidence.SaveMilestone(ctx, mem, "t", "inc-1", comms.Milestone{Name: "detected", At: at("2026-09-10 12:00").UTC()}, evidence.MilestoneOptions{Plan: &p})
	var oerr *evidence.OrderError
	if err != nil || len(res.Warnings) != 1 || !errors.As(res.Warnings[0], &oerr) || !errors.Is(res.Warnings[0], evidence.ErrMilestoneOrder) ||
		res.Warnings[0].Error() != "evidence: inc-1 became aware at 2026-09-10T10:00:00+02:00, before it was detected at 2026-09-10T12:00:00+02:00: the deadlines that count from awareness started first" {
		t.Fatalf("aware before detected: %+v %v", res.Warnings, err)
	}
	for _, ms := range res.Event.Milestones {
		inBerlin(t, "milestone "+ms.Name, ms.At)
	}

	// Without a plan: only forced, unchecked.
	if _, err := evidence.SaveMilestone(ctx, mem, "t", "inc-1", m("anything", "2026-09-11 10:00"), evidence.MilestoneOptions{}); !errors.Is(err, evidence.ErrInvalid) {
		t.Errorf("no plan, not forced: %v", err)
	}
	if res, err := evidence.SaveMilestone(ctx, mem, "t", "inc-1", m("anything", "2026-09-11 10:00"), evidence.MilestoneOptions{Force: true}); err != nil || len(res.Warnings) != 1 {
		t.Errorf("no plan, forced: %+v %v", res, err) // the order warning stays
	}
	for _, tc := range []struct {
		name      string
		tenant    string
		event     string
		milestone comms.Milestone
		want      error
	}{
		{"unknown event", "t", "inc-9", m("aware", "2026-09-11 10:00"), store.ErrNotFound},
		{"another tenant", "u", "inc-1", m("aware", "2026-09-11 10:00"), store.ErrNotFound},
		{"no name", "t", "inc-1", comms.Milestone{At: at("2026-09-11 10:00")}, evidence.ErrInvalid},
		{"no time", "t", "inc-1", comms.Milestone{Name: "aware"}, evidence.ErrInvalid},
		{"no tenant", "", "inc-1", m("aware", "2026-09-11 10:00"), evidence.ErrInvalid},
	} {
		if _, err := evidence.SaveMilestone(ctx, mem, tc.tenant, tc.event, tc.milestone, opts); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestStartingMilestones: the milestones that start a clock are those the
// plan's activities are triggered by and those the clocks of the
// obligations they declare count from (DORA's initial notification is
// triggered by classification, and due no later than 24 hours after
// awareness).
func TestStartingMilestones(t *testing.T) {
	ctx := context.Background()
	dora := comms.Plan{ID: "dora", Activities: []comms.Activity{
		{ID: "dora", When: comms.Timing{Trigger: "incident.classified"}, Obligations: []string{"dora-initial"}},
		{ID: "crisis", When: comms.Timing{Trigger: "crisis.declared"}},
		{ID: "chained", When: comms.Timing{Trigger: comms.ActivityTriggerPrefix + "dora"}},
		{ID: "recurring", When: comms.Timing{RRule: "FREQ=YEARLY"}},
	}}
	mem := memory.New(nil)
	for _, tc := range []struct {
		kind string
		want []string
	}{
		{"incident", []string{"classified", "aware"}},
		{"crisis", []string{"declared"}},
		{"policy", nil},
	} {
		e := comms.Event{ID: tc.kind, Kind: tc.kind, Milestones: []comms.Milestone{{Name: "opened", At: at("2026-09-01 10:00")}}}
		if err := mem.SaveEvent(ctx, "t", e); err != nil {
			t.Fatal(err)
		}
		_, err := evidence.SaveMilestone(ctx, mem, "t", e.ID, comms.Milestone{Name: "nonesuch", At: at("2026-09-01 11:00")}, evidence.MilestoneOptions{Plan: &dora})
		var merr *evidence.MilestoneError
		if !errors.As(err, &merr) || !reflect.DeepEqual(merr.Starting, tc.want) {
			t.Errorf("%s events: %v, want the milestones %q", tc.kind, err, tc.want)
		}
		for _, name := range tc.want {
			if _, err := evidence.SaveMilestone(ctx, mem, "t", e.ID, comms.Milestone{Name: name, At: at("2026-09-01 11:00")}, evidence.MilestoneOptions{Plan: &dora}); err != nil {
				t.Errorf("%s.%s: %v", tc.kind, name, err)
			}
		}
	}
}

// TestOpenEventChecked: OpenEvent checks a new event's kind and milestones
// against the plan as SaveMilestone checks a milestone, and refuses an
// event the tenant has; nothing refused is saved.
func TestOpenEventChecked(t *testing.T) {
	ctx := context.Background()
	mem := clockStore(t) // plan acme: aware starts its activities
	opts := evidence.MilestoneOptions{PlanID: "acme"}
	ev := func(id, kind, milestone string) comms.Event {
		return comms.Event{ID: id, Kind: kind, Milestones: []comms.Milestone{{Name: milestone, At: at("2026-09-20 10:00")}}}
	}
	for _, tc := range []struct {
		e    comms.Event
		opts evidence.MilestoneOptions
		want error
	}{
		{ev("inc-2", "incident", "detected"), opts, evidence.ErrStartsNothing},
		{ev("inc-2", "nosuchkind", "aware"), opts, evidence.ErrRefused},
		{ev("inc-1", "incident", "aware"), opts, store.ErrConflict},
		{ev("inc-2", "incident", "aware"), evidence.MilestoneOptions{}, evidence.ErrInvalid},
		{comms.Event{ID: "inc-2", Kind: "incident"}, opts, evidence.ErrInvalid},
	} {
		if _, err := evidence.OpenEvent(ctx, mem, "t", tc.e, tc.opts); !errors.Is(err, tc.want) {
			t.Errorf("OpenEvent(%s %s.%v, %+v) = %v, want %v", tc.e.ID, tc.e.Kind, tc.e.Milestones, tc.opts, err, tc.want)
		}
	}
	if _, err := mem.Event(ctx, "t", "inc-2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused event was saved: %v", err)
	}
	res, err := evidence.OpenEvent(ctx, mem, "t", ev("inc-2", "incident", "aware"), opts)
	if err != nil || len(res.Warnings) != 0 || res.Event.Start().IsZero() {
		t.Fatalf("OpenEvent of a checked event: %+v %v", res, err)
	}
	inBerlin(t, "the saved milestone", res.Event.Milestones[0].At)
	forced := opts
	forced.Force = true
	res, err = evidence.OpenEvent(ctx, mem, "t", ev("crisis-9", "crisis", "declared"), forced)
	if err != nil || len(res.Warnings) != 1 || !errors.Is(res.Warnings[0], evidence.ErrStartsNothing) {
		t.Fatalf("a forced event: %+v %v", res, err)
	}
}
