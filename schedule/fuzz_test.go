package schedule_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/schedule"
)

// FuzzParse: any text either fails to parse or gives a rule whose
// canonical text parses back to the same rule, and whose iteration ends
// quickly. A call that hangs panics with its input, so the fuzzer keeps it.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"DTSTART;TZID=Europe/Berlin:20260115T090000\nRRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15",
		"DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4",
		"DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY;COUNT=2147483647",
		"DTSTART:20260101T090000Z\nRRULE:FREQ=YEARLY;INTERVAL=999999",
		"DTSTART:20260101T090000Z\nRRULE:FREQ=WEEKLY;UNTIL=99991231T235959Z",
		"DTSTART:20260101T090000Z\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=366,-366,1",
		"DTSTART;TZID=America/New_York:20260307T020000\nRRULE:FREQ=DAILY;BYHOUR=2,3;BYMINUTE=0,30\nEXDATE;VALUE=DATE:20260308",
		"DTSTART:20260101T090000Z\nRRULE:FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH;WKST=SU\nRDATE:20260202T090000Z,20260203T090000Z",
		"RRULE:FREQ=HOURLY;INTERVAL=24;BYHOUR=5",
		"DTSTART:20260101T090000Z\nRRULE:FREQ=YEARLY;BYEASTER=3000",
	} {
		f.Add(s)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		timer := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("schedule hangs on %q", text)) })
		defer timer.Stop()
		r, err := schedule.Parse(text)
		if err != nil {
			return
		}
		r2, err := schedule.Parse(r.String())
		if err != nil {
			t.Fatalf("canonical text does not parse: %v\n%s", err, r.String())
		}
		if r2.String() != r.String() {
			t.Fatalf("canonical text is not stable:\n%s\n---\n%s", r.String(), r2.String())
		}
		a := take(r, from, 20)
		if b := take(r2, from, 20); !slices.EqualFunc(a, b, time.Time.Equal) {
			t.Fatalf("round trip changed the occurrences:\n%v\n%v", a, b)
		}
		for i := 1; i < len(a); i++ {
			if !a[i].After(a[i-1]) {
				t.Fatalf("occurrences out of order or repeated: %v", a)
			}
		}
		if n, ok := r.Next(from); ok && len(a) > 0 && !n.Equal(a[0]) && !(a[0].Equal(from) && n.After(from)) {
			t.Fatalf("Next(%v) = %v, Between starts at %v", from, n, a[0])
		}
		r.Next(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	})
}

func take(r *schedule.Rule, from time.Time, n int) []time.Time {
	var out []time.Time
	for at := range r.Between(from, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)) {
		out = append(out, at)
		if len(out) == n {
			break
		}
	}
	return out
}

func FuzzParseDeadline(f *testing.F) {
	for _, s := range []string{"4h", "72h", "14d", "3bd", "1mo", "0h", "99999999999999999999h", "3BD", "1.5h"} {
		f.Add(s)
	}
	start := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := schedule.ParseDeadline(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDeadline(%q).String() = %q", s, d.String())
		}
		if due := d.From(start, nil); !due.After(start) {
			t.Fatalf("%s from %v = %v, not after the start", s, start, due)
		}
	})
}
