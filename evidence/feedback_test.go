package evidence_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/store"
)

func scoreOf(n int) *int { return &n }

// feedbackPlan is the test plan with a feedback policy (scale 1 to 5,
// handled within 5 business days) and objectives on feedback.
func feedbackPlan() comms.Plan {
	p := drillPlan()
	p.Feedback = &comms.Feedback{Scale: &comms.Scale{Min: 1, Max: 5}, HandleWithin: "5bd"}
	p.Objectives = []comms.Objective{
		{ID: "satisfied", Measure: comms.MeasureSatisfaction, Target: "4", Period: comms.PeriodMonthly},
		{ID: "employees-satisfied", Measure: comms.MeasureSatisfaction, Target: "4", Period: comms.PeriodQuarterly, Scope: comms.ObjectiveScope{Stakeholder: "employees"}},
		{ID: "handled", Measure: comms.MeasureFeedbackResponseTime, Target: "5bd", Period: comms.PeriodQuarterly},
	}
	return p
}

func feedbackRecord(seq int64, from, received string, score *int, handled string) comms.Record {
	r := comms.Record{Seq: seq, Type: comms.RecordTypeFeedback, PlanID: "acme", From: from, Channel: "email", SentAt: at(received), Score: score}
	if handled != "" {
		r.HandledAt = at(handled)
	}
	return r
}

// feedbackRecords: #1 handled in two days; #2 open, closed late by its
// correction #5; #3 off the scale and overdue; #4 a drill's; #6 a
// correction of a record the log does not have; #7 open, in time.
func feedbackRecords() []comms.Record {
	r1 := feedbackRecord(1, "employees", "2026-01-05 10:00", scoreOf(4), "2026-01-07 10:00")
	r1.ActivityID = "newsletter"
	r2 := feedbackRecord(2, "management", "2026-02-02 10:00", scoreOf(2), "")
	r3 := feedbackRecord(3, "employees", "2026-03-02 10:00", scoreOf(9), "")
	r4 := feedbackRecord(4, "employees", "2026-03-03 10:00", scoreOf(1), "")
	r4.Drill, r4.EventID = true, "drill-1"
	r5 := r2
	r5.Seq, r5.Corrects, r5.HandledAt = 5, 2, at("2026-02-16 10:00")
	r6 := feedbackRecord(6, "employees", "2026-03-10 10:00", scoreOf(1), "2026-03-11 10:00")
	r6.Corrects = 99
	r7 := feedbackRecord(7, "employees", "2026-03-30 10:00", scoreOf(5), "")
	return []comms.Record{r1, r2, r3, r4, r5, r6, r7}
}

func feedbackInput() evidence.Input {
	drill := comms.Event{ID: "drill-1", Kind: comms.EventKindDrill, Exercises: comms.EventKindIncident, Scenario: "phishing",
		Milestones: []comms.Milestone{{Name: "aware", At: at("2026-03-03 09:00")}}}
	return evidence.Input{Plan: feedbackPlan(), Records: feedbackRecords(), Events: []comms.Event{drill},
		From: at("2026-01-01 00:00"), To: at("2026-04-01 00:00"), Now: at("2026-04-01 12:00")}
}

// TestFeedback recomputes every feedback figure from the records.
func TestFeedback(t *testing.T) {
	rep, err := evidence.Evaluate(feedbackInput())
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Feedback
	ref := at("2026-04-01 00:00").Add(-time.Nanosecond) // the end of the period, before Now
	if !f.At.Equal(ref) {
		t.Errorf("At = %v, want %v", f.At, ref)
	}
	type item struct {
		seq, last int64
		state     evidence.FeedbackState
		score     int // 0: none
		due       string
		handling  time.Duration
	}
	want := []item{
		{1, 1, evidence.FeedbackHandled, 4, "2026-01-12", 48 * time.Hour},
		{2, 5, evidence.FeedbackHandledLate, 2, "2026-02-09", 14 * 24 * time.Hour},
		{3, 3, evidence.FeedbackOverdue, 0, "2026-03-09", ref.Sub(at("2026-03-02 10:00"))},
		{7, 7, evidence.FeedbackOpen, 5, "2026-04-06", ref.Sub(at("2026-03-30 10:00"))},
	}
	if len(f.Items) != len(want) {
		t.Fatalf("items: %+v", f.Items)
	}
	for i, w := range want {
		it := f.Items[i]
		score := 0
		if it.Score != nil {
			score = *it.Score
		}
		due := it.Due.In(berlin)
		if it.Seq != w.seq || it.Last != w.last || it.State != w.state || score != w.score || due.Format("2006-01-02") != w.due ||
			due.Format("15:04:05") != "23:59:59" || it.Handling != w.handling {
			t.Errorf("item %d: %+v, want %+v", i, it, w)
		}
	}
	tot := f.Total
	if tot.Received != 4 || tot.Scored != 3 || tot.Handled != 2 || tot.HandledLate != 1 || tot.Open != 1 || tot.Overdue != 1 ||
		tot.Satisfaction != 11.0/3 || tot.MeanHandling != (48*time.Hour+14*24*time.Hour)/2 || tot.Longest != want[2].handling {
		t.Errorf("total: %+v", tot)
	}
	groups := func(gs []evidence.FeedbackGroup) map[string]string {
		m := map[string]string{}
		for _, g := range gs {
			m[g.Key] = strings.TrimSpace(strings.Join([]string{itoa(g.Received), itoa(g.Scored), score(g.Satisfaction), itoa(g.Overdue)}, " "))
		}
		return m
	}
	if got, w := groups(f.ByStakeholder), map[string]string{"employees": "3 2 4.50 1", "management": "1 1 2.00 0"}; !reflect.DeepEqual(got, w) {
		t.Errorf("by stakeholder %v, want %v", got, w)
	}
	if got, w := groups(f.ByActivity), map[string]string{"newsletter": "1 1 4.00 0", "": "3 2 3.50 1"}; !reflect.DeepEqual(got, w) {
		t.Errorf("by activity %v, want %v", got, w)
	}
	if got, w := groups(f.Monthly), map[string]string{"2026-01": "1 1 4.00 0", "2026-02": "1 1 2.00 0", "2026-03": "2 1 5.00 1"}; !reflect.DeepEqual(got, w) {
		t.Errorf("monthly %v, want %v", got, w)
	}
	// The score off the scale and the stray correction are record
	// problems; the drill's feedback is nowhere.
	var problems []int64
	for _, p := range rep.RecordProblems {
		problems = append(problems, p.Seq)
	}
	if !reflect.DeepEqual(problems, []int64{6, 3}) && !reflect.DeepEqual(problems, []int64{3, 6}) {
		t.Errorf("record problems: %+v", rep.RecordProblems)
	}

	// Without the drill's record, the same figures.
	in := feedbackInput()
	in.Records = append(in.Records[:3:3], in.Records[4:]...)
	without, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(rep.Feedback)
	b, _ := json.Marshal(without.Feedback)
	if !bytes.Equal(a, b) {
		t.Errorf("the drill's feedback changed the figures:\n%s\n%s", a, b)
	}
	oa, _ := json.Marshal(rep.Objectives)
	ob, _ := json.Marshal(without.Objectives)
	if !bytes.Equal(oa, ob) {
		t.Errorf("the drill's feedback changed the objectives:\n%s\n%s", oa, ob)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// score shows a mean with two decimals, "-" for none.
func score(v float64) string {
	if v < 0 {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// TestFeedbackObjectives judges the feedback objectives per period from
// the records.
func TestFeedbackObjectives(t *testing.T) {
	rep, err := evidence.Evaluate(feedbackInput())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range rep.Objectives {
		var parts []string
		for _, p := range o.Periods {
			v := score(p.Value)
			if o.Kind == comms.MeasureKindDuration {
				v = p.Duration.String()
			}
			if p.Status == evidence.ObjectiveNoData {
				v = "-"
			}
			parts = append(parts, p.Label+"="+v+"/"+string(p.Status)+"/"+itoa(p.Basis))
		}
		got[o.ID] = strings.Join(parts, " ") + " " + string(o.Trend)
	}
	ref := at("2026-04-01 00:00").Add(-time.Nanosecond)
	want := map[string]string{
		// Jan 4 (#1); Feb 2 (#2); Mar 5 (#7; #3 off the scale, #4 a drill's).
		"satisfied": "2026-01=4.00/met/1 2026-02=2.00/missed/1 2026-03=5.00/met/1 improving",
		// Employees: 4 and 5.
		"employees-satisfied": "2026-Q1=4.50/met/2 ",
		// #2 took 14 days (5bd from 2 Feb ends 9 Feb): missed; the
		// longest is #3's age.
		"handled": "2026-Q1=" + ref.Sub(at("2026-03-02 10:00")).String() + "/missed/4 ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("objectives:\n got %v\nwant %v", got, want)
	}
}

// The feedback and objectives sections in all three forms.
func TestFeedbackRendered(t *testing.T) {
	rep, err := evidence.Evaluate(feedbackInput())
	if err != nil {
		t.Fatal(err)
	}
	md, html, js := writeAll(t, rep)
	for _, w := range []string{"## Feedback received", "## Objectives", "| satisfied | satisfaction | at-least 4 |", "| 2026-02 | 2.00 | missed | 1 |", "overdue", "off plan version 0's scale of 1 to 5", "## Record problems"} {
		if !strings.Contains(md, w) {
			t.Errorf("Markdown lacks %q", w)
		}
	}
	for _, w := range []string{`id="feedback"`, `id="objectives"`, `class="chart-objective"`, `class="bar bad"`, `class="target"`, "handled-late"} {
		if !strings.Contains(html, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	if strings.Contains(html, "<script") {
		t.Error("a script in the HTML")
	}
	var back evidence.Assessment
	if err := json.Unmarshal([]byte(js), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Feedback.Items) != len(rep.Feedback.Items) {
		t.Fatalf("items read back: %+v", back.Feedback.Items)
	}
	{
		for i := range back.Feedback.Items {
			if back.Feedback.Items[i].Handling != rep.Feedback.Items[i].Handling || back.Feedback.Items[i].State != rep.Feedback.Items[i].State {
				t.Errorf("item %d read back: %+v, want %+v", i, back.Feedback.Items[i], rep.Feedback.Items[i])
			}
		}
	}
	if back.Feedback.Total.Satisfaction != rep.Feedback.Total.Satisfaction || back.Feedback.Total.Longest != rep.Feedback.Total.Longest ||
		len(back.Objectives) != 3 || back.Objectives[2].Periods[0].Duration != rep.Objectives[2].Periods[0].Duration ||
		back.Objectives[0].Periods[1].Value != 2 {
		t.Errorf("JSON read back: %+v %+v", back.Feedback.Total, back.Objectives)
	}
	if !strings.Contains(js, `"value_seconds"`) || !strings.Contains(js, `"satisfaction": 3.6666`) {
		t.Errorf("JSON lacks value_seconds or the satisfaction")
	}
}

// Scores given on an older plan version's scale are mapped onto the
// scale in force before they are averaged, never mixed raw (review 3,
// minor point): 5 of 1–5 is 10 of 0–10.
func TestFeedbackAcrossScales(t *testing.T) {
	v1 := feedbackPlan()
	v2 := feedbackPlan()
	v2.Feedback = &comms.Feedback{Scale: &comms.Scale{Min: 0, Max: 10}}
	v2.Objectives = []comms.Objective{{ID: "satisfied", Measure: comms.MeasureSatisfaction, Target: "8", Period: comms.PeriodQuarterly}}
	in := evidence.Input{
		Versions: []store.Version{
			{PlanID: "acme", Number: 1, Plan: v1, SavedAt: at("2025-12-01 10:00")},
			{PlanID: "acme", Number: 2, Plan: v2, SavedAt: at("2026-02-01 00:00")},
		},
		Records: []comms.Record{
			feedbackRecord(1, "employees", "2026-01-05 10:00", scoreOf(5), "2026-01-06 10:00"), // v1: 10 of 0–10
			feedbackRecord(2, "employees", "2026-01-06 10:00", scoreOf(2), "2026-01-07 10:00"), // v1: 2.5
			feedbackRecord(3, "employees", "2026-02-05 10:00", scoreOf(9), "2026-02-06 10:00"), // v2: 9 (off v1's scale)
		},
		From: at("2026-01-01 00:00"), To: at("2026-04-01 00:00"), Now: at("2026-04-01 12:00"),
	}
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Feedback.Total
	if f.Scored != 3 || score(f.Satisfaction) != "7.17" {
		t.Errorf("scored %d, satisfaction %v: want 3, (10+2.5+9)/3 = 7.17", f.Scored, f.Satisfaction)
	}
	if len(rep.RecordProblems) != 0 {
		t.Errorf("record problems: %+v", rep.RecordProblems)
	}
	if len(rep.Objectives) != 1 || len(rep.Objectives[0].Periods) != 1 || score(rep.Objectives[0].Periods[0].Value) != "7.17" || rep.Objectives[0].Periods[0].Status != evidence.ObjectiveMissed {
		t.Errorf("objective: %+v", rep.Objectives)
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "5 of 1–5 (10.00)") {
		t.Errorf("the report does not say a score was given on another scale:\n%s", md.String())
	}
}
