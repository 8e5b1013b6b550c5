package regulation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/regulation"
)

// A drill's clock is the incident's, owed item for owed item, each marked
// as a drill; drill records count only for the drill and real records only
// for the incident.
func TestIncidentClockDrill(t *testing.T) {
	berlin := load(t, "Europe/Berlin")
	at := func(s string) time.Time {
		tt, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return tt
	}
	p := matrix.StarterGDPRNIS2()
	milestones := []comms.Milestone{{Name: "detected", At: at("2026-03-06 16:00")}, {Name: "aware", At: at("2026-03-07 10:00")}}
	inc := comms.Event{ID: "inc-7", Kind: comms.EventKindIncident, Milestones: milestones}
	drill := comms.Event{ID: "drill-1", Kind: comms.EventKindDrill, Exercises: comms.EventKindIncident, Scenario: "ransomware", Milestones: milestones}
	now := at("2026-03-09 12:00")

	real := []comms.Record{
		{ActivityID: "incident-response", EventID: "inc-7", SentAt: at("2026-03-06 16:40")},
		{ActivityID: "nis2-notification", EventID: "inc-7", SentAt: at("2026-03-09 11:00")},
	}
	drills := []comms.Record{
		{ActivityID: "incident-response", EventID: "drill-1", SentAt: at("2026-03-06 16:40"), Drill: true},
		{ActivityID: "nis2-notification", EventID: "drill-1", SentAt: at("2026-03-09 11:00"), Drill: true},
	}
	want := clock(t, p, inc, real, now)
	if len(want) < 5 {
		t.Fatalf("the incident's clock owes too little to compare: %v", want)
	}
	// The drill, with its own records: the same clock.
	equalLines(t, "drill", clock(t, p, drill, drills, now), want)
	owed, err := regulation.IncidentClock(p, drill, drills, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range owed {
		if !o.Drill {
			t.Errorf("%s: not marked as a drill", line(o))
		}
	}
	if owed, _ := regulation.IncidentClock(p, inc, real, now); owed[0].Drill {
		t.Errorf("a real incident's clock is marked as a drill")
	}

	// Records of the other kind never count, even when they name the event
	// (a drill record naming the real incident, a real one the drill).
	swap := func(rs []comms.Record, id string, drill bool) []comms.Record {
		var out []comms.Record
		for _, r := range rs {
			r.EventID, r.Drill = id, drill
			out = append(out, r)
		}
		return out
	}
	equalLines(t, "incident with drill records", clock(t, p, inc, swap(drills, "inc-7", true), now), clock(t, p, inc, nil, now))
	equalLines(t, "drill with real records", clock(t, p, drill, swap(real, "drill-1", false), now), clock(t, p, drill, nil, now))
	if got := strings.Join(clock(t, p, inc, swap(drills, "inc-7", true), now), "\n"); strings.Contains(got, "done") {
		t.Errorf("a drill record made a real notification done:\n%s", got)
	}

	// A real incident never answers a drill's triggers by its kind alone,
	// and an event that is not a drill never runs an incident's clock.
	other := comms.Event{ID: "x", Kind: "policy", Milestones: milestones}
	for _, l := range clock(t, p, other, nil, now) {
		if !strings.Contains(l, "waiting for") {
			t.Errorf("a policy event owes incident communication: %s", l)
		}
	}
}

// A drill saved before the kind was reserved (no exercises, no scenario)
// takes its unmarked records as its own, as the evidence report reads
// them: its clock shows them done (review 3's open point).
func TestIncidentClockLegacyDrill(t *testing.T) {
	berlin := load(t, "Europe/Berlin")
	at := func(s string) time.Time {
		tt, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return tt
	}
	p := matrix.Starter()
	p.Activities = append(p.Activities, comms.Activity{ID: "drill-notice", Name: "Drill notice", What: comms.Message{Topic: comms.TopicDrill, Message: "A drill is running"},
		Whom: []string{"employees"}, How: []string{"email"}, Owner: "irt", When: comms.Timing{Trigger: "drill.started", Within: "1h"}})
	old := comms.Event{ID: "spring-drill", Kind: comms.EventKindDrill, Milestones: []comms.Milestone{{Name: "started", At: at("2026-04-14 09:00")}}}
	if !old.LegacyDrill() {
		t.Fatal("not a legacy drill")
	}
	records := []comms.Record{{ActivityID: "drill-notice", EventID: "spring-drill", SentAt: at("2026-04-14 09:20")}}
	got := strings.Join(clock(t, p, old, records, at("2026-04-14 12:00")), "\n")
	if !strings.Contains(got, "drill-notice") || !strings.Contains(got, "done") {
		t.Errorf("the legacy drill's own record does not count:\n%s", got)
	}
	// A new drill still takes only drill records.
	drill := old
	drill.Exercises, drill.Scenario = comms.EventKindIncident, "fire"
	if got := strings.Join(clock(t, p, drill, records, at("2026-04-14 12:00")), "\n"); strings.Contains(got, "done") {
		t.Errorf("an unmarked record counts for a new drill:\n%s", got)
	}
}
