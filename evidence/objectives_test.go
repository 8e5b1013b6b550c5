package evidence_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
)

// objectivesOf renders each objective's periods: "label=value/status/basis".
func objectivesOf(rep *evidence.Assessment) map[string]string {
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
			s := p.Label + "=" + v + "/" + string(p.Status) + "/" + itoa(p.Basis)
			if p.Partial {
				s += "*"
			}
			parts = append(parts, s)
		}
		got[o.ID] = strings.Join(parts, " ") + " " + string(o.Trend) + o.Problem
	}
	return got
}

// TestObjectives judges objectives of every occurrence measure over the
// test tenant's year, each value recomputed by hand from the records
// (see input).
func TestObjectives(t *testing.T) {
	in := input()
	objectives := []comms.Objective{
		{ID: "newsletter-on-time", Measure: comms.MeasureOnTimeRate, Target: "60%", Period: comms.PeriodQuarterly, Scope: comms.ObjectiveScope{Activity: "newsletter"}},
		{ID: "management-coverage", Measure: comms.MeasureCoverage, Target: "100%", Period: comms.PeriodYearly, Scope: comms.ObjectiveScope{Stakeholder: "management"}},
		{ID: "employees-reached", Measure: comms.MeasureParticipation, Target: "85%", Period: comms.PeriodQuarterly, Scope: comms.ObjectiveScope{Stakeholder: "employees", Topic: comms.TopicAwareness}},
		{ID: "acknowledged", Measure: comms.MeasureAcknowledgementRate, Target: "60%", Period: comms.PeriodQuarterly},
		{ID: "breach-72h", Measure: comms.MeasureNotificationTimeliness, Target: "72h", Period: comms.PeriodYearly, Scope: comms.ObjectiveScope{Topic: comms.TopicRegulatoryReport}},
		{ID: "statement-only", Statement: "Everyone understands the policies"},
	}
	for i := range in.Versions {
		in.Versions[i].Plan.Objectives = objectives
	}
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		// Newsletter (due the 6th): Q1 Jan on time, Feb late, Mar
		// missed: 1/3; Q2 Apr waived, May and Jun on time: 2/2; Q3
		// nothing sent: 0/3; Q4 Oct and Nov missed, Dec due at Now: 0/2,
		// so far.
		"newsletter-on-time": "2026-Q1=0.33/missed/3 2026-Q2=1.00/met/2 2026-Q3=0.00/missed/3 2026-Q4=0.00/missed/2* worsening",
		// Audit results (management): quarterly in v1, Jan and Apr
		// (Jan sent); monthly from Jul in v2, Jul sent, Aug to Nov missed,
		// Dec's due 18 Dec after Now: 2 of 7 (Apr missed).
		"management-coverage": "2026=0.29/missed/7* ",
		// The newsletter's reach of the employees (100): Q1 90+80 of 200;
		// Q2 95 of 100 (May's record does not count its reach).
		"employees-reached": "2026-Q1=0.85/met/2 2026-Q2=0.95/met/1 2026-Q3=-/no-data/0 2026-Q4=-/no-data/0* improving",
		// Records' counts: Q1 (60+40+10)/(90+80+10); Q2 70/95; Q3 audit
		// 10/10 (the breach reached none).
		"acknowledged": "2026-Q1=0.61/met/3 2026-Q2=0.74/met/1 2026-Q3=1.00/met/1 2026-Q4=-/no-data/0* improving",
		// inc-1 56h; inc-2 (20 Oct 08:00 CEST) never sent: by Now (3 Dec
		// 12:00 CET) 44 days, 4 hours and the hour the clocks went back.
		"breach-72h":     "2026=1061h0m0s/missed/2* ",
		"statement-only": " not measurable: it needs a measure, a target and a period",
	}
	if got := objectivesOf(rep); !reflect.DeepEqual(got, want) {
		for id := range want {
			if got[id] != want[id] {
				t.Errorf("%s:\n got %s\nwant %s", id, got[id], want[id])
			}
		}
	}
}

// TestParticipationMatchesReach: the participation objective's value is
// the report's reach on the same records. A record that names no audience,
// or only an audience of unknown size, adds to neither side, and a record
// that claims more people than the audience holds counts at most its
// size: the rate never exceeds 100% (review 3, defect 2).
func TestParticipationMatchesReach(t *testing.T) {
	p := plan(false)
	p.Objectives = []comms.Objective{
		{ID: "part", Measure: comms.MeasureParticipation, Target: "90%", Period: comms.PeriodYearly},
		{ID: "part-employees", Measure: comms.MeasureParticipation, Target: "90%", Period: comms.PeriodYearly, Scope: comms.ObjectiveScope{Stakeholder: "employees"}},
	}
	p.Stakeholders = append(p.Stakeholders, comms.Stakeholder{ID: "press", Name: "Press", Scope: comms.ScopeExternal, Kind: comms.StakeholderKindMedia})
	p.Activities[0].Whom = append(p.Activities[0].Whom, "press")
	jan := sent("newsletter", "2026-01-01 10:00", 50, 0) // 50 of 100
	feb := sent("newsletter", "2026-02-01 10:00", 50, 0)
	feb.Audiences = nil // no audience named: no denominator
	mar := sent("newsletter", "2026-03-01 10:00", 40, 0)
	mar.Audiences = []string{"press"}                     // unknown size: no denominator
	apr := sent("newsletter", "2026-04-01 10:00", 250, 0) // more than the 100 employees
	for _, tc := range []struct {
		name    string
		records []comms.Record
		want    float64
		basis   int
	}{
		{"no audience", []comms.Record{jan, feb}, 0.5, 1},
		{"unsized audience", []comms.Record{jan, mar}, 0.5, 1},
		{"over the size", []comms.Record{jan, apr}, 0.75, 2},
		{"only unsized", []comms.Record{feb, mar}, -1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := evidence.Evaluate(evidence.Input{Plan: p, Records: tc.records, From: at("2026-01-01 00:00"), To: at("2026-05-01 00:00"), Now: at("2026-05-01 12:00")})
			if err != nil {
				t.Fatal(err)
			}
			reach := -1.0
			for _, a := range rep.KPIs.Audiences {
				if a.StakeholderID == "employees" {
					reach = a.ReachRate
				}
				if a.ReachRate > 1 {
					t.Errorf("audience %s: reach %.3f above 100%%", a.StakeholderID, a.ReachRate)
				}
			}
			if reach != tc.want {
				t.Errorf("report's reach of employees = %.3f, want %.3f", reach, tc.want)
			}
			for _, o := range rep.Objectives {
				if len(o.Periods) != 1 {
					t.Fatalf("%s: %d periods, want 1", o.ID, len(o.Periods))
				}
				got := o.Periods[0]
				if got.Basis != tc.basis {
					t.Errorf("%s: basis %d, want %d", o.ID, got.Basis, tc.basis)
				}
				if tc.basis == 0 {
					if got.Status != evidence.ObjectiveNoData {
						t.Errorf("%s: status %s, want no data", o.ID, got.Status)
					}
					continue
				}
				if got.Value != reach {
					t.Errorf("%s: value %.3f, the report's reach %.3f", o.ID, got.Value, reach)
				}
				if got.Status != evidence.ObjectiveMissed {
					t.Errorf("%s: status %s, want missed", o.ID, got.Status)
				}
			}
		})
	}
}
