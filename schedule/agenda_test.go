package schedule_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/ismscomms/ismscomms/schedule"
)

// benchRule is one rule of the SaaS-scale mix: its text for our parser and
// its parts for rrule-go.
type benchRule struct {
	key   string
	text  string
	rule  string
	start time.Time
}

// mixRules builds n rules: yearly, half-yearly, quarterly, monthly nth
// weekday, monthly last day, weekly on three days and bi-weekly, with
// DTSTARTs spread over the ten years before ref, at 09:00 local in
// Europe/Berlin, America/New_York or Asia/Tokyo. Each DTSTART is an
// occurrence of its rule (a synchronized start), as RFC 5545 asks.
func mixRules(tb testing.TB, n int, ref time.Time, seed uint64) []benchRule {
	tb.Helper()
	zones := []*time.Location{loadLoc(tb, "Europe/Berlin"), loadLoc(tb, "America/New_York"), loadLoc(tb, "Asia/Tokyo")}
	rng := rand.New(rand.NewPCG(seed, seed+1))
	days := []string{"MO", "TU", "WE", "TH", "FR"}
	out := make([]benchRule, n)
	for i := range out {
		loc := zones[rng.IntN(len(zones))]
		d := ref.AddDate(-10, 0, rng.IntN(3650))
		y, m, _ := d.Date()
		var rule string
		var start time.Time
		switch i % 7 {
		case 0:
			rule = "FREQ=YEARLY"
			start = time.Date(y, m, 1+rng.IntN(28), 9, 0, 0, 0, loc)
		case 1:
			rule = "FREQ=MONTHLY;INTERVAL=6"
			start = time.Date(y, m, 1+rng.IntN(28), 9, 0, 0, 0, loc)
		case 2:
			rule = "FREQ=MONTHLY;INTERVAL=3"
			start = time.Date(y, m, 1+rng.IntN(28), 9, 0, 0, 0, loc)
		case 3:
			wd := rng.IntN(5)
			nth := []int{1, 2, 3, 4, -1}[rng.IntN(5)]
			rule = fmt.Sprintf("FREQ=MONTHLY;BYDAY=%d%s", nth, days[wd])
			start = nthWeekdayOf(y, m, nth, time.Weekday(wd+1), loc)
		case 4:
			rule = "FREQ=MONTHLY;BYMONTHDAY=-1"
			start = time.Date(y, m+1, 0, 9, 0, 0, 0, loc)
		case 5:
			rule = "FREQ=WEEKLY;BYDAY=MO,WE,FR"
			start = time.Date(y, m, 1, 9, 0, 0, 0, loc)
			for start.Weekday() != time.Monday {
				start = start.AddDate(0, 0, 1)
			}
		default:
			rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
			start = time.Date(y, m, 1, 9, 0, 0, 0, loc)
			for start.Weekday() != time.Tuesday {
				start = start.AddDate(0, 0, 1)
			}
		}
		out[i] = benchRule{
			key:   fmt.Sprintf("tenant-%05d/activity-%d", i/40, i%40),
			text:  fmt.Sprintf("DTSTART;TZID=%s:%s\nRRULE:%s", loc, start.Format("20060102T150405"), rule),
			rule:  rule,
			start: start,
		}
	}
	return out
}

func nthWeekdayOf(y int, m time.Month, n int, wd time.Weekday, loc *time.Location) time.Time {
	if n > 0 {
		d := time.Date(y, m, 1, 9, 0, 0, 0, loc)
		for d.Weekday() != wd {
			d = d.AddDate(0, 0, 1)
		}
		return d.AddDate(0, 0, 7*(n-1))
	}
	d := time.Date(y, m+1, 0, 9, 0, 0, 0, loc)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

func buildAgenda(tb testing.TB, rules []benchRule) *schedule.Agenda {
	tb.Helper()
	a := schedule.NewAgenda()
	for _, r := range rules {
		a.Add(r.key, mustParse(tb, r.text))
	}
	return a
}

// rrulego pre-parses the rules for rrule-go, the way a naive scheduler
// would hold them.
func rrulego(tb testing.TB, rules []benchRule) []*rrule.RRule {
	tb.Helper()
	out := make([]*rrule.RRule, len(rules))
	for i, r := range rules {
		opt, err := rrule.StrToROption(r.rule)
		if err != nil {
			tb.Fatal(err)
		}
		opt.Dtstart = r.start
		if out[i], err = rrule.NewRRule(*opt); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// baseline is the honest alternative: rrule-go's Between on every rule,
// then one sort by time and key.
func baseline(rules []benchRule, rr []*rrule.RRule, from, to time.Time) []schedule.Occurrence {
	var out []schedule.Occurrence
	for i, r := range rr {
		for _, t := range r.Between(from, to, true) {
			if t.Before(to) { // rrule-go's inc=true also admits to itself
				out = append(out, schedule.Occurrence{Key: rules[i].key, At: t})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].Key < out[j].Key
	})
	return out
}

var window = [2]time.Time{
	time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
}

// The agenda gives exactly what rrule-go gives on the same rules, where
// rrule-go is right: synchronized starts at 09:00, outside every DST gap
// and overlap.
func TestAgendaMatchesRRuleGo(t *testing.T) {
	n := 3500
	if testing.Short() {
		n = 700
	}
	rules := mixRules(t, n, window[0], 42)
	a := buildAgenda(t, rules)
	for _, w := range [][2]time.Time{window, {time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC)}} {
		want := baseline(rules, rrulego(t, rules), w[0], w[1])
		got := slices.Collect(a.Between(w[0], w[1]))
		if len(got) != len(want) || len(want) == 0 {
			t.Fatalf("window %v: got %d occurrences, rrule-go %d", w, len(got), len(want))
		}
		for i := range want {
			if got[i].Key != want[i].Key || !got[i].At.Equal(want[i].At) || got[i].At.Location().String() != want[i].At.Location().String() {
				t.Fatalf("window %v, occurrence %d: got %s %v, rrule-go %s %v", w, i, got[i].Key, got[i].At, want[i].Key, want[i].At)
			}
		}
	}
}

// The agenda gives what merging each rule's own Between gives, on rules
// with gaps, overlaps, RDATEs, EXDATEs and several times a day.
func TestAgendaMatchesRules(t *testing.T) {
	texts := []string{
		"DTSTART;TZID=America/New_York:20260307T020000\nRRULE:FREQ=DAILY;BYHOUR=2,3;BYMINUTE=0,30",
		"DTSTART;TZID=Europe/Berlin:20260105T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO,TH\nEXDATE;VALUE=DATE:20260312\nRDATE:20260314T120000Z",
		"DTSTART;TZID=Australia/Lord_Howe:20260101T021500\nRRULE:FREQ=DAILY",
		"DTSTART:20260110T000000Z",
		"DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=MONTHLY;BYMONTHDAY=10,-1",
		"DTSTART;TZID=Asia/Tokyo:20200101T090000\nRRULE:FREQ=YEARLY;BYWEEKNO=10,11;BYDAY=MO",
	}
	a := schedule.NewAgenda()
	var want []schedule.Occurrence
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, text := range texts {
		r := mustParse(t, text)
		key := fmt.Sprintf("r%d", i)
		a.Add(key, r)
		for at := range r.Between(from, to) {
			want = append(want, schedule.Occurrence{Key: key, At: at})
		}
	}
	slices.SortStableFunc(want, func(x, y schedule.Occurrence) int {
		if c := x.At.Compare(y.At); c != 0 {
			return c
		}
		return cmp.Compare(x.Key, y.Key)
	})
	got := slices.Collect(a.Between(from, to))
	if len(got) != len(want) {
		t.Fatalf("got %d occurrences, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Key != want[i].Key || !got[i].At.Equal(want[i].At) {
			t.Fatalf("occurrence %d: got %s %v, want %s %v", i, got[i].Key, got[i].At, want[i].Key, want[i].At)
		}
	}
}

func TestAgendaOrderAndLaziness(t *testing.T) {
	a := schedule.NewAgenda()
	r := mustParse(t, "DTSTART:20260105T090000Z\nRRULE:FREQ=DAILY")
	for _, k := range []string{"c", "a", "b"} {
		a.Add(k, r) // same instants: ties come out in key order
	}
	a.Add("nil", nil)
	from := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var keys []string
	for o := range a.Between(from, from.AddDate(1000, 0, 0)) {
		keys = append(keys, o.Key)
		if len(keys) == 7 {
			break
		}
	}
	if fmt.Sprint(keys) != "[a b c a b c a]" {
		t.Errorf("got %v", keys)
	}
	// Adding after a Between is seen by the next one.
	a.Add("0", r)
	o := slices.Collect(a.Between(from, from.Add(time.Second)))
	if len(o) != 4 || o[0].Key != "0" {
		t.Errorf("after Add: %v", o)
	}
	// Half-open: an occurrence at to is out; one at from is in.
	if n := len(slices.Collect(a.Between(from, from.AddDate(0, 0, 1)))); n != 4 {
		t.Errorf("[from, to) gave %d", n)
	}
	if n := len(slices.Collect(a.Between(from.Add(time.Nanosecond), from.AddDate(0, 0, 1).Add(time.Nanosecond)))); n != 4 {
		t.Errorf("sub-second bounds gave %d", n)
	}
	// Sparse rules far apart: the ring jumps over empty stretches.
	s := schedule.NewAgenda()
	s.Add("y", mustParse(t, "DTSTART:20260105T090000Z\nRRULE:FREQ=YEARLY;INTERVAL=50"))
	if got := slices.Collect(s.Between(from, from.AddDate(200, 0, 0))); len(got) != 4 || got[3].At.Year() != 2176 {
		t.Errorf("sparse: %v", got)
	}
	if got := slices.Collect(schedule.NewAgenda().Between(from, from.AddDate(1, 0, 0))); len(got) != 0 {
		t.Error("empty agenda")
	}
	var zero schedule.Agenda
	zero.Add("z", r)
	if zero.Len() != 1 {
		t.Error("zero Agenda is usable")
	}
}

// One Agenda, many readers (run with -race).
func TestAgendaConcurrentUse(t *testing.T) {
	rules := mixRules(t, 500, window[0], 3)
	a := buildAgenda(t, rules)
	want := slices.Collect(a.Between(window[0], window[1]))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				got := slices.Collect(a.Between(window[0], window[1]))
				if len(got) != len(want) || got[len(got)-1] != want[len(want)-1] {
					t.Error("concurrent Between differs")
					return
				}
			}
		}()
	}
	wg.Wait()
}
