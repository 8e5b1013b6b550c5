package schedule_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/schedule"
)

// A drill falls due as the incident it exercises, plus its own kind's
// triggers; only drill records start a chained stage of a drill, and only
// real records a real incident's.
func TestDeadlinesDrill(t *testing.T) {
	berlin := loadLoc(t, "Europe/Berlin")
	plan := comms.Plan{
		ID: "p", TimeZone: "Europe/Berlin",
		Activities: []comms.Activity{
			{ID: "notification", When: comms.Timing{Trigger: "incident.aware", Within: "72h"}},
			{ID: "final", When: comms.Timing{Trigger: "activity:notification", Within: "1mo"}},
			{ID: "drill-report", When: comms.Timing{Trigger: "drill.closed", Within: "5bd"}},
			{ID: "press", When: comms.Timing{Trigger: "crisis.declared", Within: "2h"}},
		},
	}
	aware := time.Date(2026, 3, 7, 10, 0, 0, 0, berlin)
	closed := aware.Add(48 * time.Hour)
	ms := []comms.Milestone{{Name: "aware", At: aware}, {Name: "closed", At: closed}}
	inc := comms.Event{ID: "inc-1", Kind: comms.EventKindIncident, Milestones: ms}
	drill := comms.Event{ID: "drill-1", Kind: comms.EventKindDrill, Exercises: comms.EventKindIncident, Scenario: "s", Milestones: ms}
	sent := aware.Add(24 * time.Hour)
	show := func(e comms.Event, records []comms.Record) string {
		t.Helper()
		got, err := schedule.Deadlines(plan, e, records)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, d := range got {
			s += fmt.Sprintf("%s %s; ", d.ActivityID, d.At.Format(time.DateTime))
		}
		return s
	}
	real := []comms.Record{{ActivityID: "notification", EventID: "inc-1", SentAt: sent}}
	drills := []comms.Record{{ActivityID: "notification", EventID: "drill-1", SentAt: sent, Drill: true}}

	if got, want := show(inc, real), "notification 2026-03-10 10:00:00; final 2026-04-08 23:59:59; "; got != want {
		t.Errorf("incident:\n got %s\nwant %s", got, want)
	}
	if got, want := show(drill, drills), "notification 2026-03-10 10:00:00; drill-report 2026-03-16 23:59:59; final 2026-04-08 23:59:59; "; got != want {
		t.Errorf("drill:\n got %s\nwant %s", got, want)
	}
	// A record of the other kind naming the event starts nothing.
	misfiled := []comms.Record{{ActivityID: "notification", EventID: "inc-1", SentAt: sent, Drill: true}}
	if got, want := show(inc, misfiled), "notification 2026-03-10 10:00:00; "; got != want {
		t.Errorf("incident with a drill record:\n got %s\nwant %s", got, want)
	}
	if got, want := show(drill, real[:0:0]), "notification 2026-03-10 10:00:00; drill-report 2026-03-16 23:59:59; "; got != want {
		t.Errorf("drill without records:\n got %s\nwant %s", got, want)
	}
	realForDrill := []comms.Record{{ActivityID: "notification", EventID: "drill-1", SentAt: sent}}
	if got, want := show(drill, realForDrill), "notification 2026-03-10 10:00:00; drill-report 2026-03-16 23:59:59; "; got != want {
		t.Errorf("drill with a real record:\n got %s\nwant %s", got, want)
	}
}
