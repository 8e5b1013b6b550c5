package schedule_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/schedule"
)

// Hostile rule texts of the cost classes of issue 12, generated (most are
// large). The benchmarks use only the public API, so that they run
// unchanged against older versions of the package.

// foldedText is rule text of about size bytes whose RRULE line is folded
// into one-character continuation lines.
func foldedText(size int) string {
	var b strings.Builder
	b.WriteString("DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY")
	for b.Len() < size {
		b.WriteString("\n ;")
	}
	return b.String()
}

// exdateText is a rule that occurs 24 times a day with days EXDATEs of a
// whole day each, the first days days of 2026 on.
func exdateText(days int) string {
	var b strings.Builder
	b.WriteString("DTSTART;TZID=Europe/Berlin:20260101T000000\nRRULE:FREQ=DAILY;BYHOUR=")
	for h := 0; h < 24; h++ {
		if h > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, h)
	}
	b.WriteString("\nEXDATE;VALUE=DATE:")
	d := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	for i := 0; i < days; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(d.AddDate(0, 0, i).Format("20060102"))
	}
	return b.String()
}

// worstRules are single rules whose parsing or first occurrences cost the
// most: unsatisfiable ones (a whole calendar cycle to prove), huge COUNTs,
// sparse ones.
var worstRules = []string{
	"DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;COUNT=60000000",
	"DTSTART:20260105T090000Z\nRRULE:FREQ=DAILY;BYHOUR=9;BYSETPOS=2",
	"DTSTART:20260105T090000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2",
	"DTSTART:20260105T090000Z\nRRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
	"DTSTART:20260105T090000Z\nRRULE:FREQ=YEARLY;BYDAY=MO;BYSETPOS=54",
	"DTSTART:20260106T090000Z\nRRULE:FREQ=DAILY;INTERVAL=7;BYDAY=MO",
	"DTSTART:20260105T090000Z\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
	"DTSTART:20260105T090000Z\nRRULE:FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=-1",
	"DTSTART:20260105T090000Z\nRRULE:FREQ=WEEKLY;INTERVAL=5;BYMONTH=2;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=7",
}

// BenchmarkHostileRules parses each rule and takes its first 1,000
// occurrences (the contract: within 100 ms each). Every iteration moves
// DTSTART by some seconds, so that each parses a rule not yet compiled (the
// process shares compiled rules): the figures are the cost of a rule seen
// for the first time.
func BenchmarkHostileRules(b *testing.B) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	for i, text := range worstRules {
		name := strings.SplitN(strings.SplitN(text, "RRULE:", 2)[1], ";BYHOUR=0,1", 2)[0]
		b.Run(fmt.Sprintf("%d-%s", i, name), func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				r, err := schedule.Parse(freshStart(text, n))
				if err != nil {
					continue
				}
				k := 0
				for range r.Between(from, to) {
					if k++; k == 1000 {
						break
					}
				}
			}
		})
	}
}

// freshStart returns text with the time of day of its DTSTART
// (DTSTART:YYYYMMDDTHHMMSSZ) changed for n, so that 86,400 values of n give
// distinct rules of the same shape (the date, which decides whether some
// rules match at all, stays).
func freshStart(text string, n int) string {
	n %= 86400
	return text[:17] + fmt.Sprintf("%02d%02d%02d", n/3600, n/60%60, n%60) + text[23:]
}

func BenchmarkHostileParse(b *testing.B) {
	cases := []struct {
		name string
		text string
	}{
		{"folded/1MiB", foldedText(1<<20 - 64)},
		{"folded/128KiB", foldedText(128 << 10)},
		{"exdates/50000-days", exdateText(50000)},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.text)))
			for n := 0; n < b.N; n++ {
				schedule.Parse(tc.text)
			}
		})
	}
}

// BenchmarkHostileExdates: four Next calls on a rule of 24 times a day
// with 50,000 whole-day EXDATEs.
func BenchmarkHostileExdates(b *testing.B) {
	r, err := schedule.Parse(exdateText(50000))
	if err != nil {
		b.Fatal(err)
	}
	afters := []time.Time{
		time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2050, 6, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2160, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for _, a := range afters {
			r.Next(a)
		}
	}
}

// slowRule is the review's rule of issue 12: about 0.6 ms to compile (it
// matches a Monday 29 February every 215 days, rarely).
const slowRule = "FREQ=DAILY;INTERVAL=215;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO"

// slowPlan is a plan of n activities sharing 40 slow rules (40 starts),
// some of which end (on a date, at a time).
func slowPlan(n int) comms.Plan {
	p := comms.Plan{ID: "slow", TimeZone: "Europe/Berlin"}
	for i := range n {
		start := comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 1}, Hour: 6 + i%40/10, Minute: i % 10}
		var until comms.DateTime
		switch i % 3 {
		case 1:
			until = comms.DateTime{Date: comms.Date{Year: 2090, Month: 3, Day: 1}, DateOnly: true}
		case 2:
			until = comms.DateTime{Date: comms.Date{Year: 2100, Month: 1, Day: 1}, Hour: 12}
		}
		p.Activities = append(p.Activities, comms.Activity{ID: fmt.Sprintf("a%d", i), When: comms.Timing{RRule: slowRule, Start: start, Until: until}})
	}
	return p
}

// BenchmarkPlanRules: what check, agenda, the calendar and the report each
// do after a plan is validated: build the rule of every activity (2,000
// activities sharing 120 slow rules). Per plan.
func BenchmarkPlanRules(b *testing.B) {
	p := slowPlan(2000)
	if err := p.Validate(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for _, a := range p.Activities {
			if _, err := schedule.ActivityRule(p, a); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkNextChain: a rule's first 1,000 occurrences taken by calling
// Next with each occurrence it returned, against Between on the same rule
// (the honest alternative), for the rules whose periods are largest.
func BenchmarkNextChain(b *testing.B) {
	for _, name := range []string{"next-yearly-setpos366.txt", "next-yearly-24h.txt", "next-yearly-weekno-setpos.txt"} {
		text, err := os.ReadFile("testdata/hostile/" + name)
		if err != nil {
			b.Fatal(err)
		}
		r, err := schedule.Parse(string(text))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.TrimSuffix(name, ".txt")+"/Next", func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				at := r.Start()
				for k := 1; k < 1000; k++ {
					next, ok := r.Next(at)
					if !ok {
						break
					}
					at = next
				}
			}
		})
		b.Run(strings.TrimSuffix(name, ".txt")+"/Between", func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				k := 0
				for range r.Between(r.Start(), r.Start().AddDate(100, 0, 0)) {
					if k++; k == 1000 {
						break
					}
				}
			}
		})
	}
}

// BenchmarkBusinessDays: one deadline in business days: the review's 2610bd
// on a six-day weekend, and 3bd, each on a calendar with 11 holidays and
// on one with 250,000.
func BenchmarkBusinessDays(b *testing.B) {
	var few, many []comms.Date
	for _, s := range []string{"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
		"2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"} {
		d, _ := comms.ParseDate(s)
		few = append(few, d)
	}
	for i := range 250_000 {
		many = append(many, comms.DateOf(time.Date(1900, 1, 1+3*i, 0, 0, 0, 0, time.UTC)))
	}
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		d       schedule.Deadline
		weekend []time.Weekday
		hol     []comms.Date
	}{
		{"2610bd/six-day-weekend/11-holidays", schedule.Deadline{N: 2610, Unit: schedule.BusinessDays}, []time.Weekday{1, 2, 3, 4, 5, 6}, few},
		{"2610bd/six-day-weekend/250000-holidays", schedule.Deadline{N: 2610, Unit: schedule.BusinessDays}, []time.Weekday{1, 2, 3, 4, 5, 6}, many},
		{"3bd/weekend/11-holidays", schedule.Deadline{N: 3, Unit: schedule.BusinessDays}, nil, few},
		{"3bd/weekend/250000-holidays", schedule.Deadline{N: 3, Unit: schedule.BusinessDays}, nil, many},
	} {
		cal := schedule.NewCalendar(time.UTC, schedule.CalendarOptions{Weekend: tc.weekend, Holidays: tc.hol})
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				tc.d.From(start, cal)
			}
		})
	}
}

// holidayPlan is the review's plan of D5: one calendar of 250,000 holidays
// and activities that count their deadlines in it.
func holidayPlan() comms.Plan {
	p := comms.Plan{ID: "hol", TimeZone: "UTC", Calendars: []comms.Calendar{{ID: "c"}}}
	for i := range 250_000 {
		p.Calendars[0].Holidays = append(p.Calendars[0].Holidays, comms.DateOf(time.Date(1900, 1, 1+3*i, 0, 0, 0, 0, time.UTC)))
	}
	p.Activities = []comms.Activity{{ID: "a", Calendar: "c", When: comms.Timing{RRule: "FREQ=DAILY", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 1}, Hour: 9}, Within: "1d"}}}
	return p
}

// BenchmarkPlanCalendar: the calendar of an activity with 250,000
// holidays, as plain agenda looked it up for every occurrence.
func BenchmarkPlanCalendar(b *testing.B) {
	p := holidayPlan()
	b.ReportAllocs()
	for n := 0; n < b.N; n++ {
		if _, err := schedule.PlanCalendar(p, "c"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanCalendars: every calendar of the plan built once, then the
// activity's looked up (what a caller does per occurrence).
func BenchmarkPlanCalendars(b *testing.B) {
	p := holidayPlan()
	cals, err := schedule.PlanCalendars(p)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for n := 0; n < b.N; n++ {
			if _, err := schedule.PlanCalendars(p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lookup", func(b *testing.B) {
		b.ReportAllocs()
		for n := 0; n < b.N; n++ {
			if cals[p.Activities[0].Calendar] == nil {
				b.Fatal("no calendar")
			}
		}
	})
}
