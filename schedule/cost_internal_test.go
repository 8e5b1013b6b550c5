package schedule

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/internal/recur"
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

// TestFirstThousandSteps: each of the worst rules yields its first 1,000
// occurrences (or all it has) looking at about one candidate each: the
// engine below skips what cannot match (its own tests count that work).
func TestFirstThousandSteps(t *testing.T) {
	for _, text := range []string{
		"DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;COUNT=60000000",
		"DTSTART;TZID=America/Sao_Paulo:20180101T000000\nRRULE:FREQ=DAILY;BYHOUR=0,1,23;BYMINUTE=0,30",
		"DTSTART:20260105T090000Z\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
		"DTSTART:20260105T090000Z\nRRULE:FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=-1",
		"DTSTART:20260105T090000Z\nRRULE:FREQ=WEEKLY;INTERVAL=5;BYMONTH=2;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=7",
		"DTSTART;TZID=Europe/Berlin:20260105T090000\nRRULE:FREQ=MONTHLY;BYDAY=-1FR\nEXDATE;TZID=Europe/Berlin:20260130T090000,20260227T090000",
	} {
		r, err := Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		var it ruleIter
		it.init(r, r.Start())
		n := 0
		for ; n < 1000; n++ {
			if _, ok := it.next(); !ok {
				break
			}
		}
		if it.steps > n+10 {
			t.Errorf("%s: %d candidates for %d occurrences", text, it.steps, n)
		}
	}
}

// TestNextChainCheap: taking a rule's first 1,000 occurrences by calling
// Next with each occurrence it returned costs about one period of the
// rule per call, never the occurrences before the one asked for, for the
// rules whose periods are largest (a year of 24 times a day, with and
// without BYSETPOS, BYWEEKNO): the contract "any single rule is parsed and
// yields its first 1,000 occurrences within 100 ms" holds through Next as
// through Between. Counted in engine units and bytes allocated (Next used
// to write out a whole year, 8,784 occurrences, for every call).
func TestNextChainCheap(t *testing.T) {
	files, err := filepath.Glob("testdata/hostile/next-*.txt")
	if err != nil || len(files) < 4 {
		t.Fatalf("next-* rules: %d, %v", len(files), err)
	}
	timer := time.AfterFunc(60*time.Second, func() { panic("TestNextChainCheap hangs") })
	defer timer.Stop()
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Parse(string(text))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		want := slices.Collect(r.Between(r.Start(), r.Start().AddDate(100, 0, 0)))
		want = want[:min(len(want), 1000)]
		b := recur.NewBudget(1 << 40)
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		at, got := r.Start(), []time.Time{r.Start()}
		for len(got) < len(want) {
			next, ok := r.next(at, b)
			if !ok {
				break
			}
			got, at = append(got, next), next
		}
		runtime.ReadMemStats(&ms1)
		if !slices.EqualFunc(got, want, time.Time.Equal) {
			t.Fatalf("%s: Next after Next gives %d occurrences, Between %d; first %v, want %v", f, len(got), len(want), got[:min(len(got), 5)], want[:min(len(want), 5)])
		}
		// A period costs at most 1+120+(366+732)/8 = 258 units; a Next
		// that starts near a period's end looks at two.
		perNext := (1<<40 - b.Left()) / int64(len(got))
		bytes := int64(ms1.TotalAlloc-ms0.TotalAlloc) / int64(len(got))
		t.Logf("%s: %d units and %d bytes per Next", filepath.Base(f), perNext, bytes)
		if perNext > 2*258 || bytes > 16<<10 {
			t.Errorf("%s: each Next costs %d units and allocates %d bytes", f, perNext, bytes)
		}
	}
}
