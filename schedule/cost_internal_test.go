package schedule

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestExdateRunsSkipped: a rule of 24 times a day whose next 50,000 days
// are all left out by DATE EXDATEs finds its next occurrence after looking
// at a handful of candidates, not at 1.2 million (counted, not timed).
func TestExdateRunsSkipped(t *testing.T) {
	var b strings.Builder
	b.WriteString("DTSTART;TZID=Europe/Berlin:20260101T000000\nRRULE:FREQ=DAILY;BYHOUR=")
	for h := 0; h < 24; h++ {
		if h > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, h)
	}
	b.WriteString("\nEXDATE;VALUE=DATE:")
	first := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 50000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		d := first.AddDate(0, 0, i)
		if i%1000 == 999 {
			d = first.AddDate(0, 0, i-1) // a few gaps: runs of 999 days
		}
		b.WriteString(d.Format("20060102"))
	}
	r, err := Parse(b.String())
	if err != nil {
		t.Fatal(err)
	}
	berlin := r.Location()
	for _, after := range []time.Time{
		time.Date(2026, 1, 1, 23, 30, 0, 0, berlin),
		time.Date(2050, 6, 1, 0, 0, 0, 0, berlin),
		time.Date(2100, 1, 1, 0, 0, 0, 0, berlin),
	} {
		var it ruleIter
		it.init(r, after.Add(time.Second))
		u, ok := it.next()
		if !ok {
			t.Fatalf("no occurrence after %v", after)
		}
		got := time.Unix(u, 0).In(berlin)
		want, _ := r.Next(after)
		if !got.Equal(want) {
			t.Fatalf("after %v: iterator %v, Next %v", after, got, want)
		}
		// At most the rest of one day and the last day of each run.
		if it.steps > 200 {
			t.Errorf("after %v: looked at %d candidates to find %v", after, it.steps, got)
		}
		y, m, d := got.Date()
		if i := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(first).Hours() / 24); i >= 0 && i < 50000 && i%1000 != 999 {
			t.Errorf("after %v: %v is on a day left out", after, got)
		}
	}
}
