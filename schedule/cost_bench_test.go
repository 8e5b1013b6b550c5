package schedule_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

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
// occurrences (the contract: within 100 ms each).
func BenchmarkHostileRules(b *testing.B) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	for i, text := range worstRules {
		name := strings.SplitN(strings.SplitN(text, "RRULE:", 2)[1], ";BYHOUR=0,1", 2)[0]
		b.Run(fmt.Sprintf("%d-%s", i, name), func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				r, err := schedule.Parse(text)
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
