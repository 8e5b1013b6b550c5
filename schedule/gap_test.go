package schedule_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/schedule"
)

// Rules whose DTSTART, or some of whose local times, fall in a
// spring-forward gap: later local times that resolve earlier, local times
// that resolve onto others.
var gapRules = []string{
	"DTSTART;TZID=America/New_York:20260308T023000\nRRULE:FREQ=DAILY;COUNT=3;BYHOUR=2,3;BYMINUTE=0,30",
	"DTSTART;TZID=America/New_York:20260307T020000\nRRULE:FREQ=DAILY;BYHOUR=2,3;BYMINUTE=0,30;COUNT=12",
	"DTSTART;TZID=America/New_York:20260308T023000\nRRULE:FREQ=DAILY;BYHOUR=2,3;BYMINUTE=0,30;UNTIL=20260310T070000Z",
	"DTSTART;TZID=Australia/Lord_Howe:20261004T021500\nRRULE:FREQ=DAILY;COUNT=3;BYHOUR=2;BYMINUTE=15,30",
	"DTSTART;TZID=Australia/Lord_Howe:20261004T021500\nRRULE:FREQ=DAILY;COUNT=3;BYHOUR=2;BYMINUTE=15,45",
	"DTSTART;TZID=Pacific/Apia:20111229T090000\nRRULE:FREQ=DAILY;COUNT=3",
	"DTSTART;TZID=Pacific/Apia:20111229T090000\nRRULE:FREQ=DAILY;UNTIL=20120105T000000Z",
	"DTSTART;TZID=Pacific/Apia:20111230T090000\nRRULE:FREQ=DAILY;COUNT=3",
	"DTSTART;TZID=America/Sao_Paulo:20181104T003000\nRRULE:FREQ=DAILY;COUNT=4;BYHOUR=0,1;BYMINUTE=30",
	"DTSTART;TZID=Europe/Berlin:20260329T023000\nRRULE:FREQ=YEARLY;COUNT=4;BYMONTH=3;BYDAY=-1SU;BYHOUR=2,3;BYMINUTE=30",
}

// allOf returns every occurrence of r up to the end of 2100.
func allOf(r *schedule.Rule) []time.Time {
	return slices.Collect(r.Between(time.Time{}, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)))
}

// Every way of reading a rule gives the same instants: Between from the
// beginning of time, Between from any occurrence on, Next called with each
// occurrence, an Agenda, and the same local times given as RDATEs.
func TestGapPathsAgree(t *testing.T) {
	for _, text := range gapRules {
		t.Run(text, func(t *testing.T) {
			r := mustParse(t, text)
			all := allOf(r)
			if len(all) == 0 || !slices.ContainsFunc(all, r.Start().Equal) {
				t.Fatalf("occurrences %v do not include DTSTART %v", all, r.Start())
			}
			if !slices.IsSortedFunc(all, time.Time.Compare) || len(slices.CompactFunc(slices.Clone(all), time.Time.Equal)) != len(all) {
				t.Fatalf("occurrences not strictly increasing: %v", all)
			}
			// Next, from before the first.
			var chain []time.Time
			for at, ok := r.Next(all[0].Add(-time.Hour)); ok; at, ok = r.Next(at) {
				chain = append(chain, at)
				if len(chain) > len(all) {
					break
				}
			}
			if !slices.EqualFunc(chain, all, time.Time.Equal) {
				t.Errorf("Next chain %v\n     want %v", chain, all)
			}
			// Between from each occurrence.
			for i, at := range all {
				got := slices.Collect(r.Between(at, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)))
				if !slices.EqualFunc(got, all[i:], time.Time.Equal) {
					t.Errorf("Between(%v) = %v, want %v", at, got, all[i:])
				}
			}
			// An Agenda.
			a := schedule.NewAgenda()
			a.Add("k", r)
			var agenda []time.Time
			for o := range a.Between(all[0].Add(-72*time.Hour), all[len(all)-1].Add(time.Second)) {
				agenda = append(agenda, o.At)
			}
			if !slices.EqualFunc(agenda, all, time.Time.Equal) {
				t.Errorf("Agenda %v\n  want %v", agenda, all)
			}
			// RDATEs at the local times the rule gives: RFC 5545 maps an
			// RDATE's local time exactly as the rule's (§3.3.5, §3.3.10).
			rdates := "DTSTART;TZID=" + r.Location().String() + ":" + localOf(r.Start()) + "\nRDATE;TZID=" + r.Location().String() + ":"
			for i, at := range all {
				if i > 0 {
					rdates += ","
				}
				rdates += localOf(at)
			}
			if got := allOf(mustParse(t, rdates)); !slices.EqualFunc(got, all, time.Time.Equal) {
				t.Errorf("as RDATEs %v\n     want %v", got, all)
			}
		})
	}
}

// localOf is the local time of t as an RFC 5545 DATE-TIME.
func localOf(t time.Time) string { return t.Format("20060102T150405") }

// An RDATE at the instant of an occurrence the rule gives before DTSTART's
// instant is the same instance: before issue 14 the rule's was dropped and
// the RDATE's kept, so adding the RDATE changed the set.
func TestGapRDateAtRuleInstant(t *testing.T) {
	const rule = "DTSTART;TZID=America/New_York:20260308T023000\nRRULE:FREQ=DAILY;COUNT=3;BYHOUR=2,3;BYMINUTE=0,30"
	want := allOf(mustParse(t, rule))
	for _, rdate := range []string{
		"RDATE;TZID=America/New_York:20260308T030000",
		"RDATE:20260308T070000Z",
		"RDATE;TZID=America/New_York:20260308T023000", // DTSTART's own local time
	} {
		got := allOf(mustParse(t, rule+"\n"+rdate))
		if !slices.EqualFunc(got, want, time.Time.Equal) {
			t.Errorf("with %s: %v, want %v", rdate, got, want)
		}
	}
	wantUTC := []string{"2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z", "2026-03-09T06:00:00Z"}
	if got := fmt.Sprint(utcStrings(want)); got != fmt.Sprint(wantUTC) {
		t.Errorf("got %v, want %v", got, wantUTC)
	}
}

func utcStrings(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.UTC().Format(time.RFC3339)
	}
	return out
}
