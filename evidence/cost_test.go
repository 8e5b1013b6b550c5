package evidence_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
)

// holidayPlan has n monthly activities counted in business days of one
// calendar of 20,000 holidays.
func holidayPlan(n int) comms.Plan {
	p := comms.Plan{ID: "hol", TimeZone: "Europe/Berlin", Calendars: []comms.Calendar{{ID: "cal"}}}
	for d := range 20_000 {
		t := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d)
		p.Calendars[0].Holidays = append(p.Calendars[0].Holidays, comms.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()})
	}
	for i := range n {
		p.Activities = append(p.Activities, comms.Activity{ID: fmt.Sprintf("a%d", i), Calendar: "cal",
			When: comms.Timing{RRule: "FREQ=MONTHLY", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 5}, Hour: 9}, Within: "3bd"}})
	}
	return p
}

// bytesOf is what f allocates, in bytes.
func bytesOf(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestEvaluateCalendarsOnce: each calendar of a plan version is built once
// per evaluation, not once per activity (the review's D5: a calendar of
// 250,000 holidays sorted anew for every activity or occurrence). Counted
// in bytes allocated per activity, which building the calendar again
// would raise by its 20,000 holidays.
func TestEvaluateCalendarsOnce(t *testing.T) {
	perActivity := func(n int) uint64 {
		in := evidence.Input{Plan: holidayPlan(n), From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC),
			Now: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
		return bytesOf(func() {
			if _, err := evidence.Evaluate(in); err != nil {
				t.Fatal(err)
			}
		}) / uint64(n)
	}
	small, big := perActivity(20), perActivity(200)
	t.Logf("bytes per activity: %d for 20 activities, %d for 200", small, big)
	if big > 64<<10 {
		t.Errorf("%d bytes per activity: the calendar of 20,000 holidays is built for each", big)
	}
}
