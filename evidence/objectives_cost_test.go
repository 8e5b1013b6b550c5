package evidence

import (
	"fmt"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// objectivesInput is a year of n daily activities, each answered every
// day, and k monthly objectives of every kind of scope (the plan, an
// activity, a stakeholder, a topic), as a hostile tenant might upload.
func objectivesInput(tb testing.TB, n, k int) Input {
	tb.Helper()
	loc, _ := time.LoadLocation("Europe/Berlin")
	start, _ := comms.ParseDateTime("2026-01-01T09:00")
	p := comms.Plan{ID: "p", TimeZone: "Europe/Berlin", Roles: []comms.Role{{ID: "iso"}},
		Stakeholders: []comms.Stakeholder{{ID: "employees", Scope: comms.ScopeInternal, Kind: "employees", Size: 100}},
		Channels:     []comms.Channel{{ID: "email", Kind: comms.ChannelKindEmail}}}
	var records []comms.Record
	for i := range n {
		id := fmt.Sprintf("a%d", i)
		p.Activities = append(p.Activities, comms.Activity{ID: id, What: comms.Message{Topic: comms.TopicAwareness, Message: "m"},
			Whom: []string{"employees"}, How: []string{"email"}, Owner: "iso", When: comms.Timing{RRule: "FREQ=DAILY", Start: start}})
		for d := range 365 {
			records = append(records, comms.Record{PlanID: "p", ActivityID: id, SentAt: time.Date(2026, 1, 1+d, 10, 0, 0, 0, loc),
				Channel: "email", Audiences: []string{"employees"}, Reached: 90, Acknowledged: 50})
		}
	}
	measures := []comms.Measure{comms.MeasureOnTimeRate, comms.MeasureCoverage, comms.MeasureParticipation, comms.MeasureAcknowledgementRate}
	for i := range k {
		o := comms.Objective{ID: fmt.Sprintf("o%d", i), Measure: measures[i%len(measures)], Target: "90%", Period: comms.PeriodMonthly}
		switch i % 4 {
		case 1:
			o.Scope.Activity = fmt.Sprintf("a%d", i%n)
		case 2:
			o.Scope.Stakeholder = "employees"
		case 3:
			o.Scope.Topic = comms.TopicAwareness
		}
		p.Objectives = append(p.Objectives, o)
	}
	for i := range records {
		records[i].Seq = int64(i + 1)
	}
	return Input{Plan: p, Records: records, From: time.Date(2026, 1, 1, 0, 0, 0, 0, loc), To: time.Date(2027, 1, 1, 0, 0, 0, 0, loc),
		Now: time.Date(2027, 1, 2, 0, 0, 0, 0, loc)}
}

// Judging k objectives looks at each scope's occurrences a bounded number
// of times, whatever the number of periods: not k·periods passes over
// every occurrence (review 4, defect 1).
func TestObjectivesCostBounded(t *testing.T) {
	in := objectivesInput(t, 20, 40)
	rep, err := Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	occ := len(rep.Occurrences)
	if occ != 20*365 {
		t.Fatalf("%d occurrences, want %d", occ, 20*365)
	}
	held := 0 // what the objectives' scopes hold, summed over the objectives
	for _, o := range rep.Objectives {
		if len(o.Periods) != 12 || o.Periods[0].Basis == 0 {
			t.Fatalf("objective %s: %+v", o.ID, o.Periods)
		}
		if o.Scope.Activity != "" {
			held += 365
		} else {
			held += occ
		}
	}
	// Each objective's periods together visit its scope once (twice for
	// the acknowledgement rate, whose reach part reads it too), and each
	// distinct scope is built once: a pass per period would be 12 times
	// as many.
	if v, limit := rep.objectiveVisits, 2*held+4*occ; v > limit || v < held {
		t.Errorf("judging the objectives visited %d occurrences, want between %d and %d (%d periods of %d objectives)", v, held, limit, 12*len(rep.Objectives), len(rep.Objectives))
	}
}

func BenchmarkObjectives(b *testing.B) {
	for _, k := range []int{1, 50, 200} {
		in := objectivesInput(b, 50, k)
		b.Run(fmt.Sprintf("objectives=%d", k), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Evaluate(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
