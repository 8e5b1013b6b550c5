package regulation_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/regulation"
)

func line(o regulation.Owed) string {
	name := o.ActivityID
	if name == "" {
		name = "(no activity) " + strings.Join(o.Obligations, ",")
	}
	due := "-"
	if !o.Due.IsZero() {
		due = o.Due.Format("Mon 01-02 15:04")
	}
	return fmt.Sprintf("%s %s %s", name, due, o)
}

func clock(t *testing.T, p comms.Plan, e comms.Event, records []comms.Record, now time.Time) []string {
	t.Helper()
	owed, err := regulation.IncidentClock(p, e, records, now)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range owed {
		out = append(out, line(o))
	}
	return out
}

func equalLines(t *testing.T, when string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got:\n  %s\nwant:\n  %s", when, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestIncidentClock(t *testing.T) {
	berlin := load(t, "Europe/Berlin")
	at := func(s string) time.Time {
		tt, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return tt
	}
	p := matrix.StarterGDPRNIS2()
	inc := comms.Event{ID: "inc-7", Kind: "incident", Milestones: []comms.Milestone{
		{Name: "detected", At: at("2026-03-06 16:00")},
		{Name: "aware", At: at("2026-03-07 10:00")},
	}}

	equalLines(t, "Saturday noon", clock(t, p, inc, nil, at("2026-03-07 12:00")), []string{
		"incident-response Fri 03-06 17:00 overdue by 19h",
		"nis2-early-warning Sun 03-08 10:00 22h left",
		"nis2-service-recipients Sun 03-08 10:00 22h left",
		"regulator-incident-reports Tue 03-10 10:00 2d22h left",
		"gdpr-breach-notification Tue 03-10 10:00 2d22h left",
		"nis2-notification Tue 03-10 10:00 2d22h left",
		"lessons-learned - waiting for incident.closed",
		"gdpr-data-subjects - waiting for incident.high-risk",
		"nis2-final-report - waiting for activity:nis2-notification",
	})

	// Reports go out; the final report's clock starts when the
	// notification is actually sent.
	records := []comms.Record{
		{ActivityID: "incident-response", EventID: "inc-7", SentAt: at("2026-03-06 16:40")},
		{ActivityID: "nis2-early-warning", EventID: "inc-7", SentAt: at("2026-03-08 09:00")},
		{ActivityID: "nis2-notification", EventID: "inc-7", SentAt: at("2026-03-09 11:00")},
		{ActivityID: "nis2-notification", EventID: "another-incident", SentAt: at("2026-03-01 11:00")},
	}
	equalLines(t, "Monday noon", clock(t, p, inc, records, at("2026-03-09 12:00")), []string{
		"incident-response Fri 03-06 17:00 done 2026-03-06 16:40 CET",
		"nis2-early-warning Sun 03-08 10:00 done 2026-03-08 09:00 CET",
		"nis2-service-recipients Sun 03-08 10:00 overdue by 1d2h",
		"regulator-incident-reports Tue 03-10 10:00 22h left",
		"gdpr-breach-notification Tue 03-10 10:00 22h left",
		"nis2-notification Tue 03-10 10:00 done 2026-03-09 11:00 CET",
		"nis2-final-report Thu 04-09 23:59 31d11h left", // one hour less for the change to summer time
		"lessons-learned - waiting for incident.closed",
		"gdpr-data-subjects - waiting for incident.high-risk",
	})

	// Awareness recorded later than first thought: the deadlines move.
	inc.Milestones = append(inc.Milestones, comms.Milestone{Name: "aware", At: at("2026-03-07 18:00")})
	got := clock(t, p, inc, records, at("2026-03-09 12:00"))
	if !strings.HasPrefix(got[3], "regulator-incident-reports Tue 03-10 18:00") {
		t.Errorf("a corrected milestone does not move the deadline: %v", got)
	}
	// A late record is done, late.
	records = append(records, comms.Record{ActivityID: "nis2-service-recipients", EventID: "inc-7", SentAt: at("2026-03-09 13:00")})
	got = clock(t, p, inc, records, at("2026-03-09 14:00"))
	if got[2] != "nis2-service-recipients Sun 03-08 18:00 done 2026-03-09 13:00 CET (late)" {
		t.Errorf("late record: %v", got)
	}
}

// TestIncidentClockInPlanZone: a store returns milestones and records in
// UTC; the clock of a Berlin plan shows Berlin times, the record's too
// ("done 08:49 CET", not "done 07:49 UTC").
func TestIncidentClockInPlanZone(t *testing.T) {
	utc := func(s string) time.Time {
		tt, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return tt
	}
	p := matrix.StarterGDPRNIS2()
	inc := comms.Event{ID: "inc-7", Kind: "incident", Milestones: []comms.Milestone{
		{Name: "detected", At: utc("2026-03-06 15:00")},
		{Name: "aware", At: utc("2026-03-07 09:00")},
	}}
	records := []comms.Record{{ActivityID: "nis2-early-warning", EventID: "inc-7", SentAt: utc("2026-03-08 07:49")}}
	owed, err := regulation.IncidentClock(p, inc, records, utc("2026-03-08 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	for _, o := range owed {
		for _, tt := range []time.Time{o.Start, o.PlanDue, o.LegalDue, o.Due} {
			if !tt.IsZero() && tt.Location().String() != "Europe/Berlin" {
				t.Errorf("%s: %v is not in the plan's zone", o.ActivityID, tt)
			}
		}
		if o.Record != nil {
			done++
			if got := o.String(); got != "done 2026-03-08 08:49 CET" {
				t.Errorf("%s: %q", o.ActivityID, got)
			}
		}
	}
	if done != 1 {
		t.Errorf("%d records on the clock", done)
	}
	if records[0].SentAt.Location() != time.UTC {
		t.Error("IncidentClock changed the caller's record")
	}
}

// An obligation the plan declares but no triggered activity carries still
// shows on the clock, with the law's deadline.
func TestIncidentClockUncarriedObligation(t *testing.T) {
	berlin := load(t, "Europe/Berlin")
	p := comms.Plan{ID: "p", TimeZone: "Europe/Berlin", Activities: []comms.Activity{
		{ID: "annual-report", When: comms.Timing{RRule: "FREQ=YEARLY", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 1}, Hour: 9}}, Obligations: []string{"gdpr-art33"}},
	}}
	inc := comms.Event{ID: "i", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware", At: time.Date(2026, 3, 7, 10, 0, 0, 0, berlin)}}}
	got := clock(t, p, inc, nil, time.Date(2026, 3, 7, 11, 0, 0, 0, berlin))
	if len(got) != 1 || got[0] != "(no activity) gdpr-art33 Tue 03-10 10:00 2d23h left" {
		t.Errorf("%v", got)
	}
}

// DORA, end to end: classified 30 hours after awareness, the initial
// notification is due 4 hours after classification; the intermediate
// report 72 hours after the initial one was sent.
func TestIncidentClockDORA(t *testing.T) {
	berlin := load(t, "Europe/Berlin")
	at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, berlin) }
	p := comms.Plan{ID: "bank", TimeZone: "Europe/Berlin", Activities: []comms.Activity{
		{ID: "initial", When: comms.Timing{Trigger: "incident.classified", Within: "4h"}, Obligations: []string{"dora-initial"}},
		{ID: "intermediate", When: comms.Timing{Trigger: "activity:initial", Within: "72h"}, Obligations: []string{"dora-intermediate"}},
	}}
	inc := comms.Event{ID: "i", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware", At: at(7, 10)}, {Name: "classified", At: at(8, 16)}}}
	got := clock(t, p, inc, nil, at(8, 17))
	if got[0] != "initial Sun 03-08 20:00 3h left" {
		t.Errorf("classified 30h after awareness: %v", got)
	}
	// Classified 20h after awareness: the 24h cap from awareness wins.
	inc.Milestones[1].At = at(8, 6)
	got = clock(t, p, inc, nil, at(8, 7))
	if got[0] != "initial Sun 03-08 10:00 3h left" {
		t.Errorf("classified 20h after awareness: %v", got)
	}
	got = clock(t, p, inc, []comms.Record{{ActivityID: "initial", EventID: "i", SentAt: at(8, 9)}}, at(8, 12))
	if got[1] != "intermediate Wed 03-11 09:00 2d21h left" {
		t.Errorf("intermediate: %v", got)
	}
}

func TestOwedJSON(t *testing.T) {
	due := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	o := regulation.Owed{ActivityID: "a", Recipients: []string{"Regulators"}, Trigger: "incident.aware",
		Due: due, Status: regulation.OwedStatusOpen, Left: 50*time.Hour + 30*time.Second}
	data, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"left_seconds":180030`) {
		t.Errorf("Owed JSON = %s, want left_seconds 180030", data)
	}
	var back regulation.Owed
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Left != o.Left || !back.Due.Equal(due) || back.Status != regulation.OwedStatusOpen || back.ActivityID != "a" {
		t.Errorf("Owed JSON round trip = %+v, want %+v", back, o)
	}
}
