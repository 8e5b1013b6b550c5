package evidence_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
)

// reviewYear is a year of evidence for the feedback plan: the newsletter
// missed in March and August and late in June, the audit results late in
// October, the yearly drill activity on time, a real incident with its
// breach notification and lessons on time, a drill whose breach
// notification is late (and a drill's feedback, which never counts),
// scored feedback with one piece handled late and one open past its
// deadline, and two plan versions, the second approved.
func reviewYear(t *testing.T) evidence.Input {
	t.Helper()
	v1 := feedbackPlan()
	v1.Objectives = append(v1.Objectives, comms.Objective{ID: "on-time", Measure: comms.MeasureOnTimeRate, Target: "90%", Period: comms.PeriodQuarterly})
	v2 := v1
	v2.Approved = &comms.Approval{By: "ciso", Date: comms.Date{Year: 2026, Month: time.May, Day: 1}}
	from, to := at("2026-01-01 00:00"), at("2027-01-01 00:00")
	var records []comms.Record
	add := func(r comms.Record) {
		r.Seq = int64(len(records) + 1)
		records = append(records, r)
	}
	for _, a := range v1.Activities {
		if !a.When.Recurring() {
			continue
		}
		rule, err := schedule.ActivityRule(v1, a)
		if err != nil {
			t.Fatal(err)
		}
		for occ := range rule.Between(from, to) {
			r := sent(a.ID, "2026-01-01 00:00", 90, 60)
			r.Occurrence, r.SentAt = occ, occ.Add(2*time.Hour)
			switch {
			case a.ID == "newsletter" && (occ.Month() == time.March || occ.Month() == time.August):
				continue
			case a.ID == "newsletter" && occ.Month() == time.June, a.ID == "audit-results" && occ.Month() == time.October:
				r.SentAt = occ.AddDate(0, 0, 8)
			}
			if a.ID == "drill" {
				r.Audiences, r.SenderRole, r.Sender = []string{"management"}, "iso", "ina@acme.example"
			}
			add(r)
		}
	}
	inc := comms.Event{ID: "inc-1", Kind: comms.EventKindIncident, Milestones: []comms.Milestone{{Name: "aware", At: at("2026-05-04 10:00")}, {Name: "closed", At: at("2026-05-10 10:00")}}}
	drill := comms.Event{ID: "drill-1", Kind: comms.EventKindDrill, Exercises: comms.EventKindIncident, Scenario: "ransomware",
		Milestones: []comms.Milestone{{Name: "aware", At: at("2026-09-01 10:00")}}}
	b := sent("breach", "2026-05-06 10:00", 0, 0)
	b.EventID = inc.ID
	add(b)
	l := sent("newsletter", "2026-05-12 10:00", 0, 0)
	l.ActivityID, l.EventID, l.Audiences = "lessons", inc.ID, []string{"management"}
	add(l)
	add(drillRecord(sent("breach", "2026-09-05 10:00", 0, 0), drill.ID))
	df := feedbackRecord(0, "employees", "2026-09-02 10:00", scoreOf(1), "")
	df.Drill, df.EventID = true, drill.ID
	add(df)
	for _, f := range []struct {
		from, received, handled string
		score                   int
	}{
		{"employees", "2026-02-02 10:00", "2026-02-03 10:00", 2},
		{"management", "2026-03-02 10:00", "2026-03-16 10:00", 5}, // handled late
		{"employees", "2026-04-06 10:00", "2026-04-07 09:00", 3},
		{"employees", "2026-07-01 10:00", "2026-07-02 10:00", 4},
		{"management", "2026-10-05 10:00", "2026-10-06 10:00", 3},
		{"employees", "2026-12-01 10:00", "", 5}, // open past its deadline
	} {
		add(feedbackRecord(0, f.from, f.received, scoreOf(f.score), f.handled))
	}
	return evidence.Input{
		Versions: []store.Version{
			{PlanID: "acme", Number: 1, Plan: v1, SavedAt: at("2025-12-20 10:00"), SavedBy: "ina", Note: "first"},
			{PlanID: "acme", Number: 2, Plan: v2, SavedAt: at("2026-06-01 10:00"), SavedBy: "ciso", Note: "approved"},
		},
		Records: records, Events: []comms.Event{inc, drill},
		From: from, To: to, Now: at("2027-01-20 12:00"),
	}
}

// TestManagementReviewRecomputed recomputes every figure of the
// management-review input of a year from the records, the events and
// the plan: none is taken from the Assessment it was made from.
func TestManagementReviewRecomputed(t *testing.T) {
	in := reviewYear(t)
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.RecordProblems) > 0 {
		t.Fatalf("record problems: %+v", rep.RecordProblems)
	}
	rv := rep.ManagementReview(evidence.ReviewOptions{})
	plan := in.Versions[1].Plan
	loc := berlin

	// The occurrences, each with its deadline and the record naming it.
	type occ struct {
		activity, event string
		at, due         time.Time
		rec             *comms.Record
	}
	var occs []occ
	for _, a := range plan.Activities {
		within, err := schedule.ParseDeadline(a.When.Within)
		if err != nil {
			t.Fatal(err)
		}
		if a.When.Recurring() {
			rule, _ := schedule.ActivityRule(plan, a)
			for o := range rule.Between(in.From, in.To) {
				oc := occ{activity: a.ID, at: o, due: within.From(o, nil)}
				for i, r := range in.Records {
					if r.ActivityID == a.ID && r.Occurrence.Equal(o) {
						oc.rec = &in.Records[i]
					}
				}
				occs = append(occs, oc)
			}
			continue
		}
		kind, milestone, _ := a.When.TriggerParts()
		for _, e := range in.Events {
			if e.IsDrill() || e.Kind != kind {
				continue
			}
			for _, m := range e.Milestones {
				if m.Name != milestone {
					continue
				}
				oc := occ{activity: a.ID, event: e.ID, at: m.At, due: within.From(m.At, nil)}
				for i, r := range in.Records {
					if r.ActivityID == a.ID && r.EventID == e.ID && !r.Drill {
						oc.rec = &in.Records[i]
					}
				}
				occs = append(occs, oc)
			}
		}
	}
	status := func(o occ) evidence.Status {
		switch {
		case o.rec == nil:
			return evidence.StatusMissed
		case o.rec.SentAt.After(o.due):
			return evidence.StatusLate
		}
		return evidence.StatusOnTime
	}
	counts := map[evidence.Status]int{}
	byMonth := map[string]map[evidence.Status]int{}
	byQuarter := map[int][2]int{} // on time, judged
	var missed []occ
	for _, o := range occs {
		s := status(o)
		counts[s]++
		m := o.due.In(loc).Format("2006-01")
		if byMonth[m] == nil {
			byMonth[m] = map[evidence.Status]int{}
		}
		byMonth[m][s]++
		q := byQuarter[(int(o.due.In(loc).Month())-1)/3]
		q[1]++
		if s == evidence.StatusOnTime {
			q[0]++
		}
		byQuarter[(int(o.due.In(loc).Month())-1)/3] = q
		if s == evidence.StatusMissed {
			missed = append(missed, o)
		}
	}
	judged := counts[evidence.StatusOnTime] + counts[evidence.StatusLate] + counts[evidence.StatusMissed]
	k := rv.KPIs
	if k.Occurrences != len(occs) || k.OnTime != counts[evidence.StatusOnTime] || k.Late != counts[evidence.StatusLate] || k.Missed != counts[evidence.StatusMissed] || k.Due != 0 || k.Waived != 0 {
		t.Errorf("KPIs = %d occurrences, %d on time, %d late, %d missed, %d due, %d waived; recomputed %d, %v", k.Occurrences, k.OnTime, k.Late, k.Missed, k.Due, k.Waived, len(occs), counts)
	}
	if want := float64(counts[evidence.StatusOnTime]) / float64(judged); !near(k.OnTimeRate, want) {
		t.Errorf("on-time rate %v, recomputed %v", k.OnTimeRate, want)
	}
	if want := float64(judged-counts[evidence.StatusMissed]) / float64(judged); !near(k.Coverage, want) {
		t.Errorf("coverage %v, recomputed %v", k.Coverage, want)
	}
	var firstRate, lastRate float64 = -1, -1
	for _, m := range k.Monthly {
		c := byMonth[m.Month]
		if m.OnTime != c[evidence.StatusOnTime] || m.Late != c[evidence.StatusLate] || m.Missed != c[evidence.StatusMissed] {
			t.Errorf("month %s: %d/%d/%d, recomputed %v", m.Month, m.OnTime, m.Late, m.Missed, c)
		}
		if n := c[evidence.StatusOnTime] + c[evidence.StatusLate] + c[evidence.StatusMissed]; n > 0 {
			r := float64(c[evidence.StatusOnTime]) / float64(n)
			if firstRate < 0 {
				firstRate = r
			}
			lastRate = r
		}
	}
	wantTrend := evidence.TrendSteady
	if lastRate > firstRate {
		wantTrend = evidence.TrendImproving
	} else if lastRate < firstRate {
		wantTrend = evidence.TrendWorsening
	}
	if k.OnTimeTrend != wantTrend {
		t.Errorf("on-time trend %q, recomputed %q (%v to %v)", k.OnTimeTrend, wantTrend, firstRate, lastRate)
	}
	if len(rv.Overdue) != len(missed) {
		t.Errorf("overdue %d, recomputed %d", len(rv.Overdue), len(missed))
	}
	for i := range min(len(rv.Overdue), len(missed)) {
		if rv.Overdue[i].ActivityID != missed[i].activity || !rv.Overdue[i].At.Equal(missed[i].at) {
			t.Errorf("overdue[%d] = %s %v, recomputed %s %v", i, rv.Overdue[i].ActivityID, rv.Overdue[i].At, missed[i].activity, missed[i].at)
		}
	}

	// Feedback: the records of type feedback not of a drill.
	cal, err := schedule.PlanCalendar(plan, "")
	if err != nil {
		t.Fatal(err)
	}
	within, _ := schedule.ParseDeadline(plan.Feedback.HandleWithin)
	ref := in.To.Add(-time.Nanosecond)
	var received, handled, late, open, overdue, sum int
	type fbItem struct {
		from     string
		at       time.Time
		score    int
		handling time.Duration
		met      bool
	}
	var items []fbItem
	for _, r := range in.Records {
		if r.Type != comms.RecordTypeFeedback || r.Drill {
			continue
		}
		received++
		sum += *r.Score
		due := within.From(r.SentAt, cal)
		it := fbItem{from: r.From, at: r.SentAt, score: *r.Score}
		switch {
		case r.HandledAt.IsZero():
			it.handling, it.met = ref.Sub(r.SentAt), !ref.After(due)
			if ref.After(due) {
				overdue++
			} else {
				open++
			}
		default:
			handled++
			it.handling, it.met = r.HandledAt.Sub(r.SentAt), !r.HandledAt.After(due)
			if r.HandledAt.After(due) {
				late++
			}
		}
		items = append(items, it)
	}
	f := rv.Feedback.Total
	if f.Received != received || f.Scored != received || f.Handled != handled || f.HandledLate != late || f.Open != open || f.Overdue != overdue {
		t.Errorf("feedback %+v; recomputed received %d, handled %d, late %d, open %d, overdue %d", f, received, handled, late, open, overdue)
	}
	if want := float64(sum) / float64(received); !near(f.Satisfaction, want) {
		t.Errorf("satisfaction %v, recomputed %v", f.Satisfaction, want)
	}
	if len(rv.Feedback.Overdue) != overdue || len(rv.Feedback.HandledLate) != late {
		t.Errorf("feedback lists: %d overdue, %d handled late; recomputed %d, %d", len(rv.Feedback.Overdue), len(rv.Feedback.HandledLate), overdue, late)
	}

	// Objectives: each stands by its latest period with data.
	quarter := func(t time.Time) int { return (int(t.In(loc).Month()) - 1) / 3 }
	standing := map[string]evidence.ObjectiveStatus{}
	judge := func(met bool) evidence.ObjectiveStatus {
		if met {
			return evidence.ObjectiveMet
		}
		return evidence.ObjectiveMissed
	}
	{ // satisfied: monthly mean score, at least 4
		last := items[len(items)-1]
		s, n := 0, 0
		for _, it := range items {
			if it.at.In(loc).Month() == last.at.In(loc).Month() {
				s += it.score
				n++
			}
		}
		standing["satisfied"] = judge(float64(s)/float64(n) >= 4)
	}
	{ // employees-satisfied: quarterly mean of the employees' scores
		var lastQ, s, n int = -1, 0, 0
		for _, it := range items {
			if it.from == "employees" {
				lastQ = quarter(it.at)
			}
		}
		for _, it := range items {
			if it.from == "employees" && quarter(it.at) == lastQ {
				s += it.score
				n++
			}
		}
		standing["employees-satisfied"] = judge(float64(s)/float64(n) >= 4)
	}
	{ // handled: every piece of the latest quarter with feedback handled within 5bd
		lastQ, met := quarter(items[len(items)-1].at), true
		for _, it := range items {
			if quarter(it.at) == lastQ && !it.met {
				met = false
			}
		}
		standing["handled"] = judge(met)
	}
	{ // on-time: the latest quarter's on-time rate, at least 90%
		q := byQuarter[3]
		standing["on-time"] = judge(float64(q[0])/float64(q[1]) >= 0.9)
	}
	met, miss := 0, 0
	for _, o := range rv.Objectives {
		want, ok := standing[o.ID]
		if !ok {
			t.Errorf("objective %s not recomputed", o.ID)
			continue
		}
		if o.Standing != want {
			t.Errorf("objective %s stands %s, recomputed %s", o.ID, o.Standing, want)
		}
		if want == evidence.ObjectiveMet {
			met++
		} else {
			miss++
		}
	}
	if len(rv.Objectives) != len(standing) || rv.ObjectivesMet != met || rv.ObjectivesMissed != miss || rv.ObjectivesNoData != 0 || rv.ObjectivesNotJudged != 0 {
		t.Errorf("objectives: %d, met %d, missed %d, no data %d, not judged %d; recomputed %d, %d, %d", len(rv.Objectives), rv.ObjectivesMet, rv.ObjectivesMissed,
			rv.ObjectivesNoData, rv.ObjectivesNotJudged, len(standing), met, miss)
	}
	if met == 0 || miss == 0 {
		t.Errorf("the year should hold objectives met and missed: %d met, %d missed", met, miss)
	}

	// Drills: one, its breach notification 96 hours after awareness.
	if len(rv.Drills) != 1 || rv.Drills[0].EventID != "drill-1" || rv.Drills[0].Late != 1 || rv.Drills[0].Met != 0 || rv.Drills[0].Missed != 0 {
		t.Errorf("drills = %+v, want drill-1 with its one deadline late", rv.Drills)
	}
	if !rv.DrillsPlanned || len(rv.YearsWithoutDrill) != 0 {
		t.Errorf("drills planned %v, years without %v; want planned, none", rv.DrillsPlanned, rv.YearsWithoutDrill)
	}

	// Incidents: inc-1's breach notification and lessons, both on time.
	var incOcc, incOnTime int
	for _, o := range occs {
		if o.event == "inc-1" {
			incOcc++
			if status(o) == evidence.StatusOnTime {
				incOnTime++
			}
		}
	}
	if len(rv.Incidents) != 1 || rv.Incidents[0].EventID != "inc-1" || rv.Incidents[0].Communications != incOcc || rv.Incidents[0].OnTime != incOnTime ||
		len(rv.Incidents[0].Notifications) != 1 || rv.Incidents[0].Notifications[0].Status != evidence.StatusOnTime {
		t.Errorf("incidents = %+v; recomputed inc-1 with %d communications, %d on time, one notification on time", rv.Incidents, incOcc, incOnTime)
	}

	// Changes: since the day after version 2's approval (1 May), version 2.
	if rv.SinceFrom != evidence.SinceApproval || !rv.Since.Equal(at("2026-05-02 00:00")) || len(rv.Changes) != 1 || rv.Changes[0].Number != 2 {
		t.Errorf("changes since %v (%s): %+v; want version 2 since 2026-05-02", rv.Since, rv.SinceFrom, rv.Changes)
	}
	since := rep.ManagementReview(evidence.ReviewOptions{Since: at("2025-12-01 00:00")})
	if since.SinceFrom != evidence.SinceOption || len(since.Changes) != 2 || !since.ChangesFrom.Equal(in.From) {
		t.Errorf("changes since 2025-12-01: %+v from %v; want versions 1 and 2, known from the period's start", since.Changes, since.ChangesFrom)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// TestManagementReviewWriters: the Markdown and HTML carry the figures
// and escape what comes from outside as the report does.
func TestManagementReviewWriters(t *testing.T) {
	in := reviewYear(t)
	in.Versions[1].Plan.Organization = "Acme | <b>Evil</b> \u202eCorp"
	in.Versions[1].Note = "new\nline *bold*"
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	rv := rep.ManagementReview(evidence.ReviewOptions{})
	var md, html bytes.Buffer
	if err := rv.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := rv.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`# Management review input — Acme \| &lt;b&gt;Evil&lt;/b&gt; \\u202eCorp`,
		"## Objectives (9.3.2 c 4)", "## Feedback from interested parties (9.3.2 d)",
		"| 2 | 2026-06-01 10:00 CEST | ciso | new line \\*bold\\* |",
		"| drill-1 |", "| inc-1 |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	h := html.String()
	for _, want := range []string{
		`content="default-src 'none'; style-src 'unsafe-inline'"`, "Acme | &lt;b&gt;Evil&lt;/b&gt; \\u202eCorp", `id="escaped"`, `class="chart-objective"`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(h, "<b>Evil") || strings.Contains(h, "\u202e") || strings.Contains(md.String(), "\u202e") {
		t.Error("markup or a bidirectional control got through unescaped")
	}
	var zero evidence.ReviewInput
	if err := zero.WriteMarkdown(&md); err == nil {
		t.Error("a ReviewInput not made by ManagementReview was written")
	}
}

// TestManagementReviewPartialPeriod: an objective missed in every complete
// month and met three days into the current one stands missed, by its
// latest complete month; one with data only in a period not over counts
// "so far", apart from the met and missed, in the Markdown and the HTML
// (review 3, defect 8).
func TestManagementReviewPartialPeriod(t *testing.T) {
	p := plan(false)
	p.Objectives = []comms.Objective{
		{ID: "monthly", Measure: comms.MeasureOnTimeRate, Target: "100%", Period: comms.PeriodMonthly, Scope: comms.ObjectiveScope{Activity: "newsletter"}},
		{ID: "yearly", Measure: comms.MeasureOnTimeRate, Target: "30%", Period: comms.PeriodYearly, Scope: comms.ObjectiveScope{Activity: "newsletter"}},
	}
	records := []comms.Record{
		sent("newsletter", "2026-01-08 10:00", 90, 0), // late: due 6 Jan
		sent("newsletter", "2026-02-08 10:00", 90, 0), // late
		sent("newsletter", "2026-03-01 10:00", 90, 0), // on time, March so far
	}
	rep, err := evidence.Evaluate(evidence.Input{Plan: p, Records: records, From: at("2026-01-01 00:00"), To: at("2026-04-01 00:00"), Now: at("2026-03-03 12:00")})
	if err != nil {
		t.Fatal(err)
	}
	if got := objectivesOf(rep)["monthly"]; !strings.Contains(got, "2026-03=") || !strings.Contains(got, "met") {
		t.Fatalf("monthly objective %s: want March met so far", got)
	}
	rv := rep.ManagementReview(evidence.ReviewOptions{})
	byID := map[string]evidence.ReviewObjective{}
	for _, o := range rv.Objectives {
		byID[o.ID] = o
	}
	if m := byID["monthly"]; m.Standing != evidence.ObjectiveMissed || m.SoFar || m.Latest == nil || m.Latest.Label != "2026-02" {
		t.Errorf("monthly stands %s (so far %v, latest %v), want missed by 2026-02", m.Standing, m.SoFar, m.Latest)
	}
	if y := byID["yearly"]; y.Standing != evidence.ObjectiveMet || !y.SoFar {
		t.Errorf("yearly stands %s (so far %v), want met so far", y.Standing, y.SoFar)
	}
	if rv.ObjectivesMet != 0 || rv.ObjectivesMissed != 1 || rv.ObjectivesMetSoFar != 1 || rv.ObjectivesMissedSoFar != 0 {
		t.Errorf("met %d, missed %d, met so far %d, missed so far %d; want 0, 1, 1, 0",
			rv.ObjectivesMet, rv.ObjectivesMissed, rv.ObjectivesMetSoFar, rv.ObjectivesMissedSoFar)
	}
	var md, html strings.Builder
	if err := rv.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := rv.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	if want := "0 met, 1 missed (each by its latest complete period with data), 1 met so far"; !strings.Contains(md.String(), want) {
		t.Errorf("Markdown summary lacks %q", want)
	}
	for _, want := range []string{`<b>0</b><span>objectives met</span>`, `<b>1</b><span>objectives missed</span>`, `<b>1</b><span>objectives met so far</span>`} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML summary cards lack %q", want)
		}
	}
}

// The review input, recorded for the plan's management-review activity
// (ReviewInput.Record), carries the digest of what was written, and the
// next review counts the plan's changes from it (SinceReview); an explicit
// Since still wins.
func TestReviewRecorded(t *testing.T) {
	p := plan(false)
	review := comms.Activity{ID: "mgmt-review", What: comms.Message{Topic: comms.TopicManagementReview, Message: "Review input"},
		Whom: []string{"management"}, How: []string{"email"}, Owner: "iso", When: comms.Timing{RRule: "FREQ=YEARLY", Start: dt("2026-11-20T10:00"), Within: "14d"}}
	p.Activities = append(p.Activities, review)
	p.Approved = &comms.Approval{By: "iso", Date: comms.Date{Year: 2025, Month: 12, Day: 1}}
	in := evidence.Input{Versions: []store.Version{
		{PlanID: "acme", Number: 1, Plan: p, SavedAt: at("2025-12-01 10:00")},
		{PlanID: "acme", Number: 2, Plan: p, SavedAt: at("2026-06-01 10:00")},
		{PlanID: "acme", Number: 3, Plan: p, SavedAt: at("2026-12-01 10:00")},
	}, From: at("2026-01-01 00:00"), To: at("2027-01-01 00:00"), Now: at("2026-12-20 12:00")}
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	first := rep.ManagementReview(evidence.ReviewOptions{})
	if first.SinceFrom != evidence.SinceApproval || len(first.Changes) != 2 {
		t.Fatalf("before any review: since %s (%s), %d changes; want the approval, 2", first.Since, first.SinceFrom, len(first.Changes))
	}
	var body bytes.Buffer
	if err := first.WriteMarkdown(&body); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Record(p.Activities[0], body.Bytes(), at("2026-11-23 10:00")); err == nil {
		t.Error("Record took an activity of another topic")
	}
	if _, err := first.RecordDigest(review, "sha256:xyz", at("2026-11-23 10:00")); err == nil {
		t.Error("RecordDigest took a malformed digest")
	}
	r, err := first.Record(review, body.Bytes(), at("2026-11-23 10:00"))
	if err != nil {
		t.Fatal(err)
	}
	if r.ActivityID != "mgmt-review" || r.Digest != comms.Digest(body.Bytes()) || r.Channel != "email" || r.SenderRole != "iso" ||
		!strings.HasPrefix(r.Subject, evidence.ReviewSubject+" 2026-01-01 to 2027-01-01") || !strings.Contains(r.Note, "plan versions since 2025-12-02: 2") {
		t.Errorf("the review's record: %+v", r)
	}
	r.Seq = 1
	in.Records = []comms.Record{r}
	rep, err = evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	next := rep.ManagementReview(evidence.ReviewOptions{})
	if next.SinceFrom != evidence.SinceReview || !next.Since.Equal(at("2026-11-23 10:00")) || len(next.Changes) != 1 || next.Changes[0].Number != 3 {
		t.Errorf("after the review recorded: since %s (%s), changes %+v; want 2026-11-23, version 3 only", next.Since, next.SinceFrom, next.Changes)
	}
	var md bytes.Buffer
	if err := next.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "since the last management review recorded, 2026-11-23: 1.") {
		t.Errorf("the review does not say where its changes count from:\n%s", md.String())
	}
	// The recorded input answers the activity's occurrence.
	for _, o := range rep.Occurrences {
		if o.ActivityID == "mgmt-review" && (o.Status != evidence.StatusOnTime || o.Record == nil || o.Record.Digest != r.Digest) {
			t.Errorf("the review occurrence: %+v", o)
		}
	}
	if s := rep.ManagementReview(evidence.ReviewOptions{Since: at("2026-01-01 00:00")}); s.SinceFrom != evidence.SinceOption || len(s.Changes) != 2 {
		t.Errorf("Since given: %s, %d changes", s.SinceFrom, len(s.Changes))
	}
	// Written again while its occurrence is open (20 November to 4
	// December), the recorded input is this review's own: its changes
	// still count from the approval (review 5, defect 1).
	in.Now = at("2026-11-25 12:00")
	again, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	if s := again.ManagementReview(evidence.ReviewOptions{}); s.SinceFrom != evidence.SinceApproval || len(s.Changes) != 2 || !again.LastReview.IsZero() {
		t.Errorf("the same review written again in its window: since %s (%s), %d changes, last review %s; want the approval, 2", s.Since, s.SinceFrom, len(s.Changes), again.LastReview)
	}
}
