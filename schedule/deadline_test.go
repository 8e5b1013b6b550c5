package schedule_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/schedule"
)

func TestParseDeadline(t *testing.T) {
	for _, s := range []string{"4h", "72h", "14d", "3bd", "1mo"} {
		d, err := schedule.ParseDeadline(s)
		if err != nil {
			t.Fatalf("ParseDeadline(%q): %v", s, err)
		}
		if d.String() != s {
			t.Errorf("ParseDeadline(%q).String() = %q", s, d.String())
		}
		var back schedule.Deadline
		if err := back.UnmarshalText([]byte(s)); err != nil || back != d {
			t.Errorf("UnmarshalText(%q) = %v, %v", s, back, err)
		}
	}
	for _, s := range []string{"", "72", "0h", "72 hours", "1w", "-3d", "3BD"} {
		if _, err := schedule.ParseDeadline(s); err == nil || !strings.HasPrefix(err.Error(), "schedule: deadline: ") {
			t.Errorf("ParseDeadline(%q) = %v, want a schedule error", s, err)
		}
	}
}

func usFederal2026(t *testing.T) *schedule.Calendar {
	var holidays []comms.Date
	for _, s := range []string{"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
		"2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"} {
		d, err := comms.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		holidays = append(holidays, d)
	}
	return schedule.NewCalendar(loadLoc(t, "America/New_York"), schedule.CalendarOptions{Holidays: holidays})
}

func TestDeadlineFrom(t *testing.T) {
	berlin := loadLoc(t, "Europe/Berlin")
	ny := loadLoc(t, "America/New_York")
	cal := schedule.NewCalendar(berlin, schedule.CalendarOptions{})
	roll := schedule.NewCalendar(berlin, schedule.CalendarOptions{RollForward: true})
	fri := time.Date(2026, 3, 27, 16, 0, 0, 0, berlin) // a Friday, two days before DST begins
	tests := []struct {
		name  string
		d     string
		start time.Time
		cal   *schedule.Calendar
		want  string
	}{
		{"hours are elapsed time across DST", "72h", fri, cal, "2026-03-30 17:00:00 +0200"},
		{"4h", "4h", fri, cal, "2026-03-27 20:00:00 +0100"},
		{"days end with the last second of the last day", "14d", time.Date(2026, 1, 15, 9, 0, 0, 0, berlin), cal, "2026-01-29 23:59:59 +0100"},
		{"days across DST", "2d", fri, cal, "2026-03-29 23:59:59 +0200"},
		{"business days skip the weekend", "3bd", fri, cal, "2026-04-01 23:59:59 +0200"},
		{"business days from a Saturday", "1bd", fri.AddDate(0, 0, 1), cal, "2026-03-30 23:59:59 +0200"},
		{"months clamp to the month's end", "1mo", time.Date(2026, 1, 31, 9, 0, 0, 0, berlin), cal, "2026-02-28 23:59:59 +0100"},
		{"months in a leap year", "1mo", time.Date(2028, 1, 31, 9, 0, 0, 0, berlin), cal, "2028-02-29 23:59:59 +0100"},
		{"twelve months", "12mo", time.Date(2026, 2, 28, 9, 0, 0, 0, berlin), cal, "2027-02-28 23:59:59 +0100"},
		{"counted in the calendar's zone", "1d", time.Date(2026, 1, 15, 23, 30, 0, 0, time.UTC), cal, "2026-01-17 23:59:59 +0100"},
		{"roll forward from a Saturday", "1d", time.Date(2026, 1, 16, 9, 0, 0, 0, berlin), roll, "2026-01-19 23:59:59 +0100"},
		{"no roll on a weekday", "1d", time.Date(2026, 1, 14, 9, 0, 0, 0, berlin), roll, "2026-01-15 23:59:59 +0100"},
		{"nil calendar: start's zone", "1d", time.Date(2026, 1, 14, 9, 0, 0, 0, ny), nil, "2026-01-15 23:59:59 -0500"},
		// SEC Form 8-K Item 1.05: materiality determined on the Wednesday
		// before Thanksgiving; four US federal business days later is the
		// following Wednesday.
		{"SEC 8-K over Thanksgiving", "4bd", time.Date(2026, 11, 25, 15, 0, 0, 0, ny), usFederal2026(t), "2026-12-02 23:59:59 -0500"},
	}
	for _, tc := range tests {
		d, err := schedule.ParseDeadline(tc.d)
		if err != nil {
			t.Fatal(err)
		}
		got := d.From(tc.start, tc.cal)
		if s := got.Format("2006-01-02 15:04:05 -0700"); s != tc.want {
			t.Errorf("%s: %s from %v = %s, want %s", tc.name, tc.d, tc.start, s, tc.want)
		}
	}
	if !usFederal2026(t).IsBusinessDay(time.Date(2026, 11, 27, 12, 0, 0, 0, ny)) {
		t.Error("the day after Thanksgiving is a federal business day")
	}
	// A calendar with no business days must not hang.
	none := schedule.NewCalendar(berlin, schedule.CalendarOptions{Weekend: []time.Weekday{0, 1, 2, 3, 4, 5, 6}})
	schedule.Deadline{N: 3, Unit: schedule.BusinessDays}.From(fri, none)
}

func TestPlanCalendar(t *testing.T) {
	p, err := comms.LoadPlan("../comms/testdata/valid/features.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := schedule.PlanCalendar(p, "us-federal")
	if err != nil {
		t.Fatal(err)
	}
	ny := loadLoc(t, "America/New_York")
	if cal.Location().String() != "America/New_York" || cal.IsBusinessDay(time.Date(2026, 11, 26, 12, 0, 0, 0, ny)) {
		t.Error("Thanksgiving 2026 is a holiday in the plan's calendar")
	}
	if _, err := schedule.PlanCalendar(p, "nonesuch"); err == nil {
		t.Error("unknown calendar")
	}
}

// TestPlanCalendars: the calendars built at once are the ones PlanCalendar
// builds one at a time, the plan's default under "".
func TestPlanCalendars(t *testing.T) {
	p, err := comms.LoadPlan("../comms/testdata/valid/features.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cals, err := schedule.PlanCalendars(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(cals) != len(p.Calendars)+1 || len(p.Calendars) == 0 {
		t.Fatalf("%d calendars for a plan with %d", len(cals), len(p.Calendars))
	}
	for _, id := range append([]string{""}, func() (ids []string) {
		for _, c := range p.Calendars {
			ids = append(ids, c.ID)
		}
		return ids
	}()...) {
		one, err := schedule.PlanCalendar(p, id)
		if err != nil {
			t.Fatal(err)
		}
		all := cals[id]
		if all == nil || all.Location().String() != one.Location().String() {
			t.Fatalf("calendar %q: %v, one at a time %v", id, all, one)
		}
		d := schedule.Deadline{N: 3, Unit: schedule.BusinessDays}
		for at := time.Date(2026, 1, 1, 12, 0, 0, 0, one.Location()); at.Year() < 2028; at = at.AddDate(0, 0, 1) {
			if all.IsBusinessDay(at) != one.IsBusinessDay(at) || !d.From(at, all).Equal(d.From(at, one)) {
				t.Fatalf("calendar %q differs on %v", id, at)
			}
		}
	}
	p.Calendars = append(p.Calendars, comms.Calendar{ID: "bad", TimeZone: "Nowhere/Atlantis"})
	if _, err := schedule.PlanCalendars(p); err == nil || !strings.Contains(err.Error(), "bad") {
		t.Errorf("a calendar in an unknown zone: %v", err)
	}
}

func TestDeadlines(t *testing.T) {
	berlin := loadLoc(t, "Europe/Berlin")
	plan := comms.Plan{
		ID:       "p",
		TimeZone: "Europe/Berlin",
		Activities: []comms.Activity{
			{ID: "early-warning", When: comms.Timing{Trigger: "incident.aware", Within: "24h"}},
			{ID: "notification", When: comms.Timing{Trigger: "incident.aware", Within: "72h"}},
			{ID: "final", When: comms.Timing{Trigger: "activity:notification", Within: "1mo"}},
			{ID: "staff", When: comms.Timing{Trigger: "incident.detected", Within: "1h"}},
			{ID: "press", When: comms.Timing{Trigger: "crisis.declared", Within: "2h"}},
			{ID: "no-deadline", When: comms.Timing{Trigger: "incident.detected"}},
			{ID: "policy", When: comms.Timing{RRule: "FREQ=YEARLY", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 1}, Hour: 9}}},
		},
	}
	detected := time.Date(2026, 3, 6, 16, 0, 0, 0, berlin) // Friday
	aware := time.Date(2026, 3, 7, 10, 0, 0, 0, berlin)
	inc := comms.Event{ID: "inc-1", Kind: "incident", Milestones: []comms.Milestone{{Name: "detected", At: detected}}}

	got, err := schedule.Deadlines(plan, inc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ids(got) != "staff no-deadline" {
		t.Fatalf("before awareness: %s", ids(got))
	}
	if !got[0].At.Equal(detected.Add(time.Hour)) || !got[1].At.IsZero() {
		t.Errorf("deadlines: %+v", got)
	}

	inc.Milestones = append(inc.Milestones, comms.Milestone{Name: "aware", At: aware})
	got, _ = schedule.Deadlines(plan, inc, nil)
	if ids(got) != "staff early-warning notification no-deadline" {
		t.Fatalf("after awareness: %s", ids(got))
	}
	// A later, corrected milestone moves the deadlines.
	inc.Milestones = append(inc.Milestones, comms.Milestone{Name: "aware", At: aware.Add(2 * time.Hour)})
	got, _ = schedule.Deadlines(plan, inc, nil)
	if !got[1].At.Equal(aware.Add(26 * time.Hour)) {
		t.Errorf("corrected awareness: early warning due %v", got[1].At)
	}

	// The final report counts from when the notification was actually sent.
	sent := time.Date(2026, 3, 9, 11, 0, 0, 0, berlin)
	records := []comms.Record{
		{ActivityID: "notification", EventID: "other-incident", SentAt: sent.Add(-48 * time.Hour)},
		{ActivityID: "notification", EventID: "inc-1", SentAt: sent.Add(time.Hour)},
		{ActivityID: "notification", EventID: "inc-1", SentAt: sent},
		{ActivityID: "notification", EventID: "inc-1", SentAt: sent.Add(-time.Hour), Type: comms.RecordTypeWaived},
	}
	got, _ = schedule.Deadlines(plan, inc, records)
	var final schedule.EventDeadline
	for _, d := range got {
		if d.ActivityID == "final" {
			final = d
		}
	}
	if !final.Start.Equal(sent) || final.At.Format(time.DateTime) != "2026-04-09 23:59:59" {
		t.Errorf("final report: %+v", final)
	}
}

// TestDeadlinesInPlanZone: milestones and records arrive in UTC, as stores
// return them; the deadlines of a Berlin plan come back in Berlin.
func TestDeadlinesInPlanZone(t *testing.T) {
	plan := comms.Plan{ID: "p", TimeZone: "Europe/Berlin", Activities: []comms.Activity{
		{ID: "notification", When: comms.Timing{Trigger: "incident.aware", Within: "72h"}},
		{ID: "final", When: comms.Timing{Trigger: "activity:notification", Within: "1mo"}},
		{ID: "no-deadline", When: comms.Timing{Trigger: "incident.aware"}},
	}}
	aware := time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC)
	inc := comms.Event{ID: "inc-1", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware", At: aware}}}
	sent := comms.Record{ActivityID: "notification", EventID: "inc-1", SentAt: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)}
	got, err := schedule.Deadlines(plan, inc, []comms.Record{sent})
	if err != nil || len(got) != 3 {
		t.Fatalf("%+v %v", got, err)
	}
	for _, d := range got {
		if d.Start.Location().String() != "Europe/Berlin" || !d.At.IsZero() && d.At.Location().String() != "Europe/Berlin" {
			t.Errorf("%s: start %v, due %v: not in the plan's zone", d.ActivityID, d.Start, d.At)
		}
	}
	if s := got[0].Start.Format("15:04 MST"); s != "10:00 CET" {
		t.Errorf("the notification's start shows as %s", s)
	}
	if _, err := schedule.Deadlines(comms.Plan{ID: "p", TimeZone: "Mars/Olympus"}, inc, nil); err == nil {
		t.Error("a plan whose zone is unknown has deadlines")
	}
}

func ids(ds []schedule.EventDeadline) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ActivityID)
	}
	return strings.Join(out, " ")
}

// The units are the grammar's: a Unit's value is its suffix.
func TestUnitsAreTheGrammars(t *testing.T) {
	for text, want := range map[string]schedule.Unit{"72h": schedule.Hours, "14d": schedule.Days, "3bd": schedule.BusinessDays, "1mo": schedule.Months} {
		d, err := schedule.ParseDeadline(text)
		if err != nil || d.Unit != want || d.String() != text {
			t.Errorf("ParseDeadline(%q) = %+v, %v; want unit %q", text, d, err, want)
		}
	}
}
