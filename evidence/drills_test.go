package evidence_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/memory"
)

// drillPlan is the test plan with a yearly drill and a lessons-learned
// activity after an incident's closure.
func drillPlan() comms.Plan {
	p := plan(false)
	p.Activities = append(p.Activities,
		comms.Activity{ID: "drill", Name: "Incident drill", What: comms.Message{Topic: comms.TopicDrill, Message: "Exercise"},
			Whom: []string{"management"}, How: []string{"email"}, Owner: "iso",
			When: comms.Timing{RRule: "FREQ=YEARLY", Start: dt("2026-01-20T09:00"), Within: "30d"}},
		comms.Activity{ID: "lessons", Name: "Lessons learned", What: comms.Message{Topic: comms.TopicLessonsLearned, Message: "Lessons"},
			Whom: []string{"management"}, How: []string{"email"}, Owner: "iso",
			When: comms.Timing{Trigger: "incident.closed", Within: "10d"}})
	return p
}

func drillRecord(r comms.Record, event string) comms.Record {
	r.EventID, r.Drill = event, true
	return r
}

// drillTenant is one tenant's events and records: a real incident with
// its notification, a second real incident whose notification was never
// sent, and a drill with its own (late) notification and its lessons; and
// hostile records: a drill record naming the unanswered real incident
// (sent in time: counted, it would make that notification on time), and
// a record not marked as a drill answering the drill.
func drillTenant() (events []comms.Event, records []comms.Record, drillOnly []comms.Record) {
	inc := comms.Event{ID: "inc-1", Kind: comms.EventKindIncident, Milestones: []comms.Milestone{{Name: "aware", At: at("2026-03-07 10:00")}}}
	inc2 := comms.Event{ID: "inc-2", Kind: comms.EventKindIncident, Milestones: []comms.Milestone{{Name: "aware", At: at("2026-09-01 10:00")}}}
	drill := comms.Event{ID: "drill-1", Kind: comms.EventKindDrill, Exercises: comms.EventKindIncident, Scenario: "ransomware on the file servers",
		Milestones: []comms.Milestone{{Name: "aware", At: at("2026-05-05 10:00")}, {Name: "closed", At: at("2026-05-06 10:00")}}}
	events = []comms.Event{inc, inc2, drill}
	real := []comms.Record{
		sent("newsletter", "2026-01-01 10:00", 90, 40),
		sent("newsletter", "2026-02-01 10:00", 80, 30),
		sent("audit-results", "2026-01-15 11:00", 10, 10),
		sent("drill", "2026-01-21 09:00", 10, 0),
		withEvent(sent("breach", "2026-03-08 09:00", 1, 0), "inc-1"),
	}
	breach := sent("breach", "2026-05-09 12:00", 1, 0) // 74h after awareness: late
	lessons := sent("lessons", "2026-05-08 10:00", 10, 0)
	lessons.Audiences, lessons.Subject, lessons.Note = []string{"management"}, "Drill lessons", "escalation list out of date"
	drillOnly = []comms.Record{
		drillRecord(breach, "drill-1"),
		drillRecord(lessons, "drill-1"),
		drillRecord(sent("breach", "2026-09-01 12:00", 1, 0), "inc-2"),
		withEvent(sent("breach", "2026-05-05 11:00", 1, 0), "drill-1"),
	}
	for i := range drillOnly {
		drillOnly[i].Seq = int64(100 + i)
	}
	for i := range real {
		real[i].Seq = int64(1 + i)
	}
	return events, append(real, drillOnly...), real
}

func withEvent(r comms.Record, id string) comms.Record {
	r.EventID = id
	return r
}

// figures is everything of a report that counts real evidence.
func figures(t *testing.T, rep *evidence.Assessment) string {
	t.Helper()
	b, err := json.MarshalIndent(map[string]any{
		"kpis": rep.KPIs, "activities": rep.Activities, "monthly": rep.Monthly, "occurrences": rep.Occurrences,
		"ad_hoc": rep.AdHoc, "deviations": rep.Deviations, "acknowledgements": rep.Acknowledgements,
	}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDrillsNeverCount is issue 16's acceptance test: in one tenant a
// drill and real incidents with records each; every figure of the report
// is that of the same tenant without the drill's records, and the drill
// section lists the drill's deadlines.
func TestDrillsNeverCount(t *testing.T) {
	events, all, real := drillTenant()
	in := evidence.Input{Plan: drillPlan(), Events: events, From: at("2026-01-01 00:00"), To: at("2027-01-01 00:00"), Now: at("2027-01-10 00:00")}
	in.Records = all
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	in.Records = real
	without, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := figures(t, rep), figures(t, without); got != want {
		t.Errorf("the drill's records changed the figures:\n got %s\nwant %s", got, want)
	}
	// The figures are those of the real records: inc-2's notification
	// missed (the drill record naming it does not count), no ad hoc.
	var inc2 *evidence.Occurrence
	for i, o := range rep.Occurrences {
		if o.EventID == "inc-2" && o.ActivityID == "breach" {
			inc2 = &rep.Occurrences[i]
		}
		if o.EventID == "drill-1" {
			t.Errorf("a drill's deadline among the occurrences: %+v", o)
		}
	}
	if inc2 == nil || inc2.Status != evidence.StatusMissed {
		t.Errorf("inc-2's notification: %+v, want missed", inc2)
	}
	if rep.KPIs.AdHoc != 0 || len(rep.KPIs.Timeliness) != 1 || rep.KPIs.Timeliness[0].Count != 2 || rep.KPIs.Timeliness[0].OnTime != 1 || rep.KPIs.Timeliness[0].Missed != 1 {
		t.Errorf("ad hoc %d, timeliness %+v: want none ad hoc, gdpr-art33 2 notifications, 1 on time, 1 missed", rep.KPIs.AdHoc, rep.KPIs.Timeliness)
	}

	// The drill section: the deadlines the incident would have owed.
	if len(rep.Drills) != 1 {
		t.Fatalf("drills: %+v", rep.Drills)
	}
	d := rep.Drills[0]
	if d.EventID != "drill-1" || d.Scenario != "ransomware on the file servers" || d.Exercises != "incident" || !d.Start.Equal(at("2026-05-05 10:00")) {
		t.Errorf("drill: %+v", d)
	}
	got := map[string]string{}
	for _, o := range d.Deadlines {
		got[o.ActivityID] = string(o.Status) + " due " + o.Due.Format("2006-01-02 15:04")
		if o.Record != nil && !o.Record.Drill {
			t.Errorf("drill deadline %s answered by a real record #%d", o.ActivityID, o.Record.Seq)
		}
	}
	want := map[string]string{
		"breach":  "late due 2026-05-08 10:00",
		"lessons": "on-time due 2026-05-16 23:59",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("drill deadline %s: %q, want %q (all: %v)", id, got[id], w, got)
		}
	}
	if d.Met != 1 || d.Late != 1 || d.Missed != 0 {
		t.Errorf("drill counts met %d late %d missed %d", d.Met, d.Late, d.Missed)
	}
	if len(d.Lessons) != 1 || d.Lessons[0].Note != "escalation list out of date" {
		t.Errorf("lessons: %+v", d.Lessons)
	}
	// The hostile records are reported, not dropped silently.
	var problems []string
	for _, p := range rep.RecordProblems {
		problems = append(problems, p.EventID)
	}
	if strings.Join(problems, " ") != "drill-1 inc-2" {
		t.Errorf("record problems: %+v", rep.RecordProblems)
	}
	if len(rep.DrillYears) != 1 || rep.DrillYears[0].Drills != 1 || rep.DrillYears[0].Missing() {
		t.Errorf("drill years: %+v", rep.DrillYears)
	}

	// Every writer says it.
	var md, html bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"## Drills", "ransomware on the file servers", "| late |", "escalation list out of date", "## Record problems"} {
		if !strings.Contains(md.String(), w) {
			t.Errorf("Markdown lacks %q", w)
		}
	}
	for _, w := range []string{`id="drills"`, "ransomware on the file servers", `class="status s-late"`, "escalation list out of date", `id="record-problems"`} {
		if !strings.Contains(html.String(), w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back evidence.Assessment
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Drills) != 1 || len(back.Drills[0].Deadlines) != len(d.Deadlines) || back.Drills[0].Deadlines[0].Status != d.Deadlines[0].Status {
		t.Errorf("JSON round trip: %+v", back.Drills)
	}
}

// A year of the period without a drill, when the plan plans one, is
// flagged; a year not over is not.
func TestDrillYears(t *testing.T) {
	events, all, _ := drillTenant()
	rep, err := evidence.Evaluate(evidence.Input{Plan: drillPlan(), Events: events, Records: all,
		From: at("2025-01-01 00:00"), To: at("2027-06-01 00:00"), Now: at("2027-06-01 00:00")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, y := range rep.DrillYears {
		s := "ok"
		switch {
		case y.Missing():
			s = "missing"
		case !y.Complete:
			s = "open"
		}
		got = append(got, s)
	}
	if strings.Join(got, " ") != "missing ok open" {
		t.Errorf("drill years %+v: %v, want 2025 missing, 2026 ok, 2027 open", rep.DrillYears, got)
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "No drill was held in 2025") || strings.Contains(md.String(), "No drill was held in 2027") {
		t.Errorf("Markdown's drill years:\n%s", md.String())
	}
	// A plan that plans no drill flags no year.
	p := plan(false)
	rep, err = evidence.Evaluate(evidence.Input{Plan: p, Events: events, Records: all, From: at("2025-01-01 00:00"), To: at("2027-01-01 00:00"), Now: at("2027-06-01 00:00")})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.DrillYears) != 0 {
		t.Errorf("drill years without a planned drill: %+v", rep.DrillYears)
	}
}

// AppendRecord refuses a drill record for a real incident and a real
// record for a drill, and takes a drill record for the drill, whose
// incident activities answer the kind it exercises.
func TestAppendRecordDrill(t *testing.T) {
	ctx := context.Background()
	now := at("2026-06-01 00:00")
	mem := memory.New(&memory.Options{Now: func() time.Time { return now }})
	if _, err := mem.SavePlan(ctx, "t", drillPlan(), 0); err != nil {
		t.Fatal(err)
	}
	events, _, _ := drillTenant()
	for _, e := range events {
		if err := mem.SaveEvent(ctx, "t", e); err != nil {
			t.Fatal(err)
		}
	}
	breach := sent("breach", "2026-05-05 11:00", 1, 0)
	if _, err := evidence.AppendRecord(ctx, mem, "t", drillRecord(breach, "drill-1"), now); err != nil {
		t.Errorf("a drill record for the drill: %v", err)
	}
	for name, r := range map[string]comms.Record{
		"drill record for a real incident": drillRecord(breach, "inc-1"),
		"real record for a drill":          withEvent(breach, "drill-1"),
	} {
		_, err := evidence.AppendRecord(ctx, mem, "t", r, now)
		if !errors.Is(err, evidence.ErrRefused) || !errors.Is(err, comms.ErrDrillMismatch) {
			t.Errorf("%s: %v, want refused with comms.ErrDrillMismatch", name, err)
		}
	}
}

// Feedback received is no communication sent: a feedback record about an
// activity, in an occurrence's window, never answers the occurrence nor
// counts as ad hoc.
func TestFeedbackIsNoEvidence(t *testing.T) {
	events, _, real := drillTenant()
	in := evidence.Input{Plan: drillPlan(), Events: events, Records: real, From: at("2026-01-01 00:00"), To: at("2027-01-01 00:00"), Now: at("2027-01-10 00:00")}
	without, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	score := 2
	in.Records = append(real[:len(real):len(real)],
		comms.Record{Seq: 50, Type: comms.RecordTypeFeedback, PlanID: "acme", ActivityID: "newsletter", SentAt: at("2026-03-02 10:00"), Channel: "email", From: "employees", Score: &score},
		comms.Record{Seq: 51, Type: comms.RecordTypeFeedback, PlanID: "acme", SentAt: at("2026-03-03 10:00"), Channel: "email", From: "employees", Score: &score})
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := figures(t, rep), figures(t, without); got != want {
		t.Errorf("feedback records changed the figures:\n got %s\nwant %s", got, want)
	}
}

// An event of kind drill saved before that kind was reserved for
// exercises names neither what it exercises nor its scenario, and its
// records are not marked as a drill's (review 3, defect 3). The store
// keeps accepting it, so that a milestone can still be added; the report
// reads it as a drill of unknown scenario: never as an incident (its
// aware milestone starts no breach notification), its records as its
// own and in no KPI, and none of them a record problem.
func TestLegacyDrill(t *testing.T) {
	ctx := context.Background()
	p := drillPlan()
	p.Activities = append(p.Activities, comms.Activity{ID: "drill-notice", Name: "Drill notice", What: comms.Message{Topic: comms.TopicDrill, Message: "A drill is running"},
		Whom: []string{"management"}, How: []string{"email"}, Owner: "iso", When: comms.Timing{Trigger: "drill.started", Within: "1h"}})
	legacy := comms.Event{ID: "fire-drill", Kind: comms.EventKindDrill, Title: "Spring drill",
		Milestones: []comms.Milestone{{Name: "started", At: at("2026-04-14 09:00")}, {Name: "aware", At: at("2026-04-14 09:05")}}}
	if !evidence.LegacyDrill(legacy) {
		t.Fatal("LegacyDrill is false for a drill naming neither exercises nor scenario")
	}

	mem := memory.New(nil)
	if err := mem.SaveEvent(ctx, "t", legacy); err != nil {
		t.Fatalf("saving a drill event of the old shape: %v", err)
	}
	later := legacy
	later.Milestones = append(slices.Clone(legacy.Milestones), comms.Milestone{Name: "closed", At: at("2026-04-14 12:00")})
	if err := mem.SaveEvent(ctx, "t", later); err != nil {
		t.Errorf("a new milestone on a drill event of the old shape: %v", err)
	}
	for name, e := range map[string]comms.Event{
		"exercises without a scenario": {ID: "d2", Kind: comms.EventKindDrill, Exercises: comms.EventKindIncident},
		"a scenario without exercises": {ID: "d3", Kind: comms.EventKindDrill, Scenario: "fire"},
		"a scenario on an incident":    {ID: "i1", Kind: comms.EventKindIncident, Scenario: "fire"},
	} {
		if err := mem.SaveEvent(ctx, "t", e); err == nil {
			t.Errorf("%s: saved, want refused", name)
		}
	}

	real := []comms.Record{sent("newsletter", "2026-04-01 10:00", 90, 40), sent("audit-results", "2026-04-15 11:00", 10, 10)}
	notice := withEvent(sent("drill-notice", "2026-04-14 09:30", 10, 0), "fire-drill") // written before records had a drill mark
	breach := withEvent(sent("breach", "2026-04-14 10:00", 1, 0), "fire-drill")
	for i, r := range []*comms.Record{&real[0], &real[1], &notice, &breach} {
		r.Seq = int64(i + 1)
	}
	in := evidence.Input{Plan: p, From: at("2026-04-01 00:00"), To: at("2026-05-01 00:00"), Now: at("2026-05-01 12:00")}
	bare := in
	bare.Records = real
	want, err := evidence.Evaluate(bare)
	if err != nil {
		t.Fatal(err)
	}
	in.Records, in.Events = append(slices.Clone(real), notice, breach), []comms.Event{later}
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := figures(t, rep), figures(t, want); got != want {
		t.Errorf("the legacy drill's records count in the figures:\n%s\nwant\n%s", got, want)
	}
	if len(rep.RecordProblems) != 0 {
		t.Errorf("record problems %+v, want none", rep.RecordProblems)
	}
	if len(rep.Drills) != 1 {
		t.Fatalf("%d drills, want the legacy one", len(rep.Drills))
	}
	d := rep.Drills[0]
	if d.EventID != "fire-drill" || !d.Legacy || d.Exercises != "" || d.Scenario != "" {
		t.Errorf("drill %s legacy %v exercises %q scenario %q", d.EventID, d.Legacy, d.Exercises, d.Scenario)
	}
	if len(d.Deadlines) != 1 || d.Deadlines[0].ActivityID != "drill-notice" || d.Deadlines[0].Status != evidence.StatusOnTime || d.Met != 1 {
		t.Errorf("deadlines %+v, want drill-notice on time alone (no incident clock)", d.Deadlines)
	}
	for _, o := range rep.Occurrences {
		if o.EventID == "fire-drill" {
			t.Errorf("occurrence %s of the legacy drill among the real ones", o.ActivityID)
		}
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if want := "Exercises unknown; scenario: unknown (a drill event saved before drills named them)."; !strings.Contains(md.String(), want) {
		t.Errorf("Markdown lacks %q", want)
	}
}

// Holding a drill is the evidence of the recurring activity of topic
// drill that plans it (review 3, defect 6): a drill that began in an
// occurrence's window answers it on time, one after its deadline (before
// the next occurrence) late; a real incident in the window answers
// nothing, and the drill's own records still count in no KPI.
func TestDrillHeldAnswersDrillActivity(t *testing.T) {
	drill := func(id, start string) comms.Event {
		return comms.Event{ID: id, Kind: comms.EventKindDrill, Exercises: comms.EventKindIncident, Scenario: "phishing",
			Milestones: []comms.Milestone{{Name: "aware", At: at(start)}}}
	}
	events := []comms.Event{
		drill("drill-1", "2026-02-01 10:00"), // in 2026's window (20 Jan + 30d)
		{ID: "inc-1", Kind: comms.EventKindIncident, Milestones: []comms.Milestone{{Name: "aware", At: at("2027-01-25 10:00")}}},
		drill("drill-2", "2027-03-01 10:00"), // after 2027's deadline: late
	}
	records := []comms.Record{drillRecord(sent("breach", "2026-02-01 12:00", 1, 0), "drill-1")}
	rep, err := evidence.Evaluate(evidence.Input{Plan: drillPlan(), Events: events, Records: records,
		From: at("2026-01-01 00:00"), To: at("2028-01-01 00:00"), Now: at("2028-01-10 00:00")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range rep.Occurrences {
		if o.ActivityID == "drill" {
			got = append(got, fmt.Sprintf("%s %s %s %v", o.At.Format("2006-01-02"), o.Status, o.HeldAs, o.Delay))
			if o.Record != nil {
				t.Errorf("occurrence %v answered by record #%d", o.At, o.Record.Seq)
			}
		}
	}
	want := []string{"2026-01-20 on-time drill-1 0s", "2027-01-20 late drill-2 226h0m1s"}
	if !slices.Equal(got, want) {
		t.Errorf("drill occurrences:\n got %q\nwant %q", got, want)
	}
	for _, a := range rep.Activities {
		if a.ActivityID == "drill" && (a.OnTime != 1 || a.Late != 1 || a.Missed != 0) {
			t.Errorf("drill activity: %+v", a)
		}
	}
	for _, ar := range rep.KPIs.Audiences {
		if ar.StakeholderID == "management" && ar.Records != 0 {
			t.Errorf("a held drill counted as reaching its audience: %+v", ar)
		}
	}
	var md, html bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{md.String(), html.String()} {
		if !strings.Contains(out, "held as drill") || !strings.Contains(out, "drill-2") {
			t.Errorf("the report does not say the drill was held:\n%s", out)
		}
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"held_as": "drill-1"`) && !strings.Contains(js.String(), `"held_as":"drill-1"`) {
		t.Errorf("JSON lacks held_as")
	}
}

// Feedback about a drill is the drill's: listed in its entry, never in
// the feedback figures; feedback contradicting the event it names is a
// record problem (review 4, defect 4).
func TestDrillFeedback(t *testing.T) {
	in := feedbackInput()
	three := 3
	on := feedbackRecord(20, "employees", "2026-03-04 10:00", &three, "")
	on.Drill, on.EventID = true, "drill-1"
	unmarked := feedbackRecord(21, "employees", "2026-03-04 11:00", &three, "")
	unmarked.EventID = "drill-1"
	in.Records = append(in.Records, on, unmarked)
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	base, err := evidence.Evaluate(feedbackInput())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Feedback.Total != base.Feedback.Total {
		t.Errorf("drill feedback changed the figures: %+v, want %+v", rep.Feedback.Total, base.Feedback.Total)
	}
	var got []int64
	for _, d := range rep.Drills {
		for _, r := range d.Feedback {
			got = append(got, r.Seq)
		}
	}
	// #4 is feedbackRecords' own drill feedback.
	if !slices.Equal(got, []int64{4, 20}) {
		t.Errorf("the drill's feedback: %v, want #4 and #20", got)
	}
	found := false
	for _, p := range rep.RecordProblems {
		found = found || p.Seq == 21
	}
	if !found {
		t.Errorf("feedback not marked as a drill's answering the drill is no record problem: %+v", rep.RecordProblems)
	}
	var md, html bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{md.String(), html.String()} {
		if !strings.Contains(out, "Feedback on the drill") || !strings.Contains(out, "score 3") {
			t.Errorf("the drill's feedback is not shown:\n%s", out)
		}
	}
}

// A record answering a legacy drill (not marked, written before records
// could be) delivers no message version: the acknowledgement figures are
// those without it (review 4, minor point).
func TestLegacyDrillDeliversNothing(t *testing.T) {
	old := comms.Event{ID: "old-drill", Kind: comms.EventKindDrill, Milestones: []comms.Milestone{{Name: "started", At: at("2026-03-03 09:00")}}}
	delivery := comms.Record{PlanID: "acme", ActivityID: "policy", EventID: "old-drill", SentAt: at("2026-03-03 09:30"), Digest: d2, Channel: "intranet",
		Recipients: []string{"alice", "bob", "erin"}}
	roster := people()
	in := evidence.Input{Versions: history(comms.ChangeMaterial), Roster: &roster, Events: []comms.Event{old},
		From: at("2026-01-01 00:00"), To: at("2026-06-01 00:00"), Now: at("2026-06-01 12:00")}
	in.Records = januaryLog()
	without, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	in.Records = append(januaryLog(), delivery)
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := figures(t, rep), figures(t, without); got != want {
		t.Errorf("a legacy drill's record counted as a delivery:\n got %s\nwant %s", got, want)
	}
}

// A drill answers an occurrence only where the version that planned it
// makes the activity one of topic drill, at most one occurrence of each
// activity, on time in the window and late after it alike for every
// drill activity; a drill not yet begun answers nothing (review 5).
func TestDrillHeldPerVersionAndActivity(t *testing.T) {
	monthly := func(id string, topic comms.Topic) comms.Activity {
		return comms.Activity{ID: id, What: comms.Message{Topic: topic, Message: "m"}, Whom: []string{"management"}, How: []string{"email"}, Owner: "iso",
			When: comms.Timing{RRule: "FREQ=MONTHLY", Start: dt("2026-01-01T09:00"), Within: "8d"}}
	}
	v1, v2 := plan(false), plan(false)
	v1.Activities = append(v1.Activities, monthly("exercise", comms.TopicDrill), monthly("tabletop", comms.TopicDrill))
	v2.Activities = append(v2.Activities, monthly("exercise", comms.TopicAwareness), monthly("tabletop", comms.TopicDrill))
	drill := func(id, start string) comms.Event {
		return comms.Event{ID: id, Kind: comms.EventKindDrill, Exercises: comms.EventKindIncident, Scenario: "s", Milestones: []comms.Milestone{{Name: "aware", At: at(start)}}}
	}
	in := evidence.Input{Versions: []store.Version{
		{PlanID: "acme", Number: 1, Plan: v1, SavedAt: at("2025-12-01 10:00")},
		{PlanID: "acme", Number: 2, Plan: v2, SavedAt: at("2026-03-01 00:00")},
	}, Events: []comms.Event{drill("D1", "2026-01-20 10:00"), drill("D2", "2026-04-03 10:00"), drill("D3", "2026-05-03 10:00")},
		From: at("2026-01-01 00:00"), To: at("2026-06-01 00:00"), Now: at("2026-05-02 12:00")}
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range rep.Occurrences {
		got[o.ActivityID+" "+o.At.Format("01")] = string(o.Status) + " " + o.HeldAs
	}
	for k, want := range map[string]string{
		"exercise 01": "late D1", "tabletop 01": "late D1", // D1 after the 9 January deadline: late, for both
		"exercise 04": "missed ", // of topic awareness from March: no drill answers it
		"tabletop 04": "on-time D2",
		"tabletop 05": "due ", // D3 has not begun at Now
	} {
		if got[k] != want {
			t.Errorf("%s: %q, want %q", k, got[k], want)
		}
	}
}
