package schedule_test

import (
	"fmt"
	"time"

	"github.com/ismscomms/ismscomms/schedule"
)

func ExampleParse() {
	r, err := schedule.Parse("DTSTART;TZID=Europe/Berlin:20260302T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3")
	if err != nil {
		fmt.Println(err)
		return
	}
	// 09:00 stays 09:00 across the change to summer time on 29 March.
	for t := range r.Between(r.Start(), r.Start().AddDate(1, 0, 0)) {
		fmt.Println(t.Format("Mon 2006-01-02 15:04 MST"))
	}
	// Output:
	// Mon 2026-03-02 09:00 CET
	// Mon 2026-03-09 09:00 CET
	// Mon 2026-03-16 09:00 CET
}

func ExampleResolve() {
	ny, _ := time.LoadLocation("America/New_York")
	// 02:30 does not exist on the spring-forward day; 01:30 happens twice
	// on the fall-back day. RFC 5545 §3.3.5 says which instant each is.
	fmt.Println(schedule.Resolve(ny, 2026, time.March, 8, 2, 30, 0))
	fmt.Println(schedule.Resolve(ny, 2026, time.November, 1, 1, 30, 0))
	// A rule's DTSTART resolves the same way.
	r, _ := schedule.Parse("DTSTART;TZID=America/New_York:20260308T023000")
	fmt.Println(r.Start())
	// Output:
	// 2026-03-08 03:30:00 -0400 EDT
	// 2026-11-01 01:30:00 -0400 EDT
	// 2026-03-08 03:30:00 -0400 EDT
}

func ExampleRule_Next() {
	r, _ := schedule.Parse("DTSTART;TZID=Europe/Berlin:20160104T090000\nRRULE:FREQ=MONTHLY;BYDAY=1MO")
	next, _ := r.Next(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	fmt.Println(next)
	// Output: 2026-12-07 09:00:00 +0100 CET
}

func ExampleAgenda() {
	a := schedule.NewAgenda()
	berlin, _ := schedule.Parse("DTSTART;TZID=Europe/Berlin:20260105T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO")
	tokyo, _ := schedule.Parse("DTSTART;TZID=Asia/Tokyo:20260105T170000\nRRULE:FREQ=WEEKLY;BYDAY=MO")
	a.Add("acme/policy", berlin)
	a.Add("initech/newsletter", tokyo)
	from := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for o := range a.Between(from, from.AddDate(0, 0, 7)) {
		fmt.Println(o.At.UTC().Format("Mon 15:04Z"), o.Key)
	}
	// Output:
	// Mon 08:00Z acme/policy
	// Mon 08:00Z initech/newsletter
}

func ExampleDeadline_From() {
	d, _ := schedule.ParseDeadline("3bd")
	ny, _ := time.LoadLocation("America/New_York")
	cal := schedule.NewCalendar(ny, schedule.CalendarOptions{})
	fri := time.Date(2026, 12, 4, 16, 0, 0, 0, ny)
	fmt.Println(d.From(fri, cal))
	// Output: 2026-12-09 23:59:59 -0500 EST
}
