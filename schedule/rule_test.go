package schedule_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/schedule"
)

func mustParse(t testing.TB, text string) *schedule.Rule {
	t.Helper()
	r, err := schedule.Parse(text)
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	return r
}

func loadLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// first returns the first n occurrences, formatted with their UTC offset.
// It starts at the beginning of time, not at DTSTART: when DTSTART is in a
// gap, later local times of the rule can come before it.
func first(r *schedule.Rule, n int) []string {
	var out []string
	for at := range r.Between(time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)) {
		out = append(out, at.Format("2006-01-02 15:04 -0700"))
		if len(out) == n {
			break
		}
	}
	return out
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"RRULE:FREQ=DAILY", "missing DTSTART"},
		{"FREQ=DAILY", "bare FREQ"},
		{"", "missing DTSTART"},
		{"DTSTART:20260101T090000\nRRULE:FREQ=HOURLY;INTERVAL=24;BYHOUR=5", "at most daily"},
		{"DTSTART:20260101T090000\nRRULE:FREQ=YEARLY;BYEASTER=-2", "BYEASTER"},
		{"DTSTART:20260101T090000\nRRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY", "more than one RRULE"},
		{"DTSTART:20260101T090000\nDTSTART:20260102T090000", "more than once"},
		{"DTSTART;TZID=Mars/Olympus:20260101T090000", "unknown time zone"},
		{"DTSTART;TZID=Europe/Berlin:20260101T090000Z", "has a TZID"},
		{"DTSTART:20260101", "add VALUE=DATE"},
		{"DTSTART;VALUE=DATE:20260101T090000", "not a DATE"},
		{"DTSTART;VALUE=DATE;TZID=Europe/Berlin:20260101", "takes no TZID"},
		{"DTSTART:20260230T090000", "not a valid date"},
		{"DTSTART:20260101T090000\nRDATE;VALUE=PERIOD:20260101T090000/PT1H", "PERIOD"},
		{"DTSTART:20260101T090000\nSUMMARY:hello", "not a recurrence property"},
		{"DTSTART;FOO=bar:20260101T090000", "parameter FOO"},
		{"EXDATE:20260101T090000\nDTSTART:20260101T090000", "before DTSTART"},
		{"DTSTART:20260101T090000\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "matches no date"},
		{"DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=DAILY;UNTIL=20260201T000000Z", "UNTIL must be a DATE"},
		{"DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20260201T000000", "UNTIL must be in UTC"},
		{"DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=DAILY;BYHOUR=9", "DATE start"},
		{"DTSTART:20260101T090000\nRRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5;BYMINUTE=0,10,20,30,40", "at most 24"},
		{"no colon here", "not a content line"},
	}
	for _, tc := range tests {
		_, err := schedule.Parse(tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tc.text, err, tc.want)
		}
		var pe *schedule.ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Errorf("Parse(%q): error is %T, want *ParseError", tc.text, err)
		}
	}
	_, err := schedule.Parse("DTSTART:20260101T090000\nRRULE:FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31")
	if !errors.Is(err, schedule.ErrNoOccurrence) {
		t.Errorf("impossible rule: %v does not wrap ErrNoOccurrence", err)
	}
}

func TestParseAcceptsWhatRFCAllows(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=MONTHLY;COUNT=3", []string{"2026-01-01 00:00 +0000", "2026-02-01 00:00 +0000", "2026-03-01 00:00 +0000"}},
		{"dtstart;tzid=Europe/Berlin:20260105t090000\nrrule:freq=weekly;count=2;byday=mo", []string{"2026-01-05 09:00 +0100", "2026-01-12 09:00 +0100"}},
		{"DTSTART;TZID=\"America/New_York\":20260105T090000\r\nRRULE:FREQ=DAILY;\r\n COUNT=2\r\n", []string{"2026-01-05 09:00 -0500", "2026-01-06 09:00 -0500"}},
		{"DTSTART;X-MY-PARAM=1:20260105T090000Z\nRRULE:FREQ=DAILY;COUNT=2", []string{"2026-01-05 09:00 +0000", "2026-01-06 09:00 +0000"}},
		{"DTSTART:20260105T090000", []string{"2026-01-05 09:00 +0000"}},
	}
	for _, tc := range tests {
		r := mustParse(t, tc.text)
		if got := first(r, 10); !slices.Equal(got, tc.want) {
			t.Errorf("Parse(%q):\n got %v\nwant %v", tc.text, got, tc.want)
		}
	}
}

func TestStringRoundTrip(t *testing.T) {
	texts := []string{
		"DTSTART;TZID=Europe/Berlin:20260115T090000\nRRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15\nEXDATE;TZID=Europe/Berlin:20270115T090000\nRDATE:20270120T080000Z",
		"DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1\nEXDATE;VALUE=DATE:20260331",
		"DTSTART:20260101T090000Z\nRRULE:FREQ=WEEKLY;UNTIL=20261231T090000Z;BYDAY=MO,FR",
		"DTSTART:20260101T090000\nRRULE:FREQ=DAILY;COUNT=5",
		"DTSTART;TZID=America/New_York:20260101T013000\nRDATE:20261101T063000Z",
		"DTSTART;TZID=America/New_York:20260105T090000\nRRULE:FREQ=DAILY;BYHOUR=9,17\nEXDATE;VALUE=DATE:20260107",
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, text := range texts {
		r := mustParse(t, text)
		r2, err := schedule.Parse(r.String())
		if err != nil {
			t.Fatalf("Parse(String()) of %q: %v\n%s", text, err, r.String())
		}
		if r2.String() != r.String() {
			t.Errorf("String is not canonical:\n%s\n---\n%s", r.String(), r2.String())
		}
		a, b := slices.Collect(r.Between(from, to)), slices.Collect(r2.Between(from, to))
		if !slices.EqualFunc(a, b, time.Time.Equal) {
			t.Errorf("round trip of %q changed occurrences", text)
		}
	}
	// The overlap's second 01:30 cannot be named in local time: it stays UTC.
	r := mustParse(t, texts[4])
	if !strings.Contains(r.String(), "RDATE:20261101T063000Z") {
		t.Errorf("String = %q", r.String())
	}
}

// Hand-computed cases across daylight-saving changes, east and west of
// UTC. RFC 5545 §3.3.5: a local time in a gap is read with the offset from
// before the gap; a local time that happens twice is the first one.
func TestDSTGapsAndOverlaps(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{
			"New York spring-forward gap",
			"DTSTART;TZID=America/New_York:20260307T023000\nRRULE:FREQ=DAILY;COUNT=3",
			[]string{"2026-03-07 02:30 -0500", "2026-03-08 03:30 -0400", "2026-03-09 02:30 -0400"},
		},
		{
			"New York fall-back overlap",
			"DTSTART;TZID=America/New_York:20261031T013000\nRRULE:FREQ=DAILY;COUNT=3",
			[]string{"2026-10-31 01:30 -0400", "2026-11-01 01:30 -0400", "2026-11-02 01:30 -0500"},
		},
		{
			"Berlin spring-forward gap",
			"DTSTART;TZID=Europe/Berlin:20260328T023000\nRRULE:FREQ=DAILY;COUNT=3",
			[]string{"2026-03-28 02:30 +0100", "2026-03-29 03:30 +0200", "2026-03-30 02:30 +0200"},
		},
		{
			"Berlin fall-back overlap",
			"DTSTART;TZID=Europe/Berlin:20261024T023000\nRRULE:FREQ=DAILY;COUNT=3",
			[]string{"2026-10-24 02:30 +0200", "2026-10-25 02:30 +0200", "2026-10-26 02:30 +0100"},
		},
		{
			"Sao Paulo midnight gap (2018)",
			"DTSTART;TZID=America/Sao_Paulo:20181103T003000\nRRULE:FREQ=DAILY;COUNT=3",
			[]string{"2018-11-03 00:30 -0300", "2018-11-04 01:30 -0200", "2018-11-05 00:30 -0200"},
		},
		{
			"Sao Paulo overlap before midnight (2019)",
			"DTSTART;TZID=America/Sao_Paulo:20190215T233000\nRRULE:FREQ=DAILY;COUNT=3",
			[]string{"2019-02-15 23:30 -0200", "2019-02-16 23:30 -0200", "2019-02-17 23:30 -0300"},
		},
		{
			"Lord Howe 30-minute gap",
			"DTSTART;TZID=Australia/Lord_Howe:20261003T021500\nRRULE:FREQ=DAILY;COUNT=3",
			[]string{"2026-10-03 02:15 +1030", "2026-10-04 02:45 +1100", "2026-10-05 02:15 +1100"},
		},
		{
			"Lord Howe 30-minute overlap",
			"DTSTART;TZID=Australia/Lord_Howe:20260404T014500\nRRULE:FREQ=DAILY;COUNT=3",
			[]string{"2026-04-04 01:45 +1100", "2026-04-05 01:45 +1100", "2026-04-06 01:45 +1030"},
		},
		{
			"09:00 Berlin stays 09:00 across both changes",
			"DTSTART;TZID=Europe/Berlin:20260323T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261102T235959Z",
			nil, // checked below
		},
		{
			"several times a day: the gap's 02:30 comes after 03:00's slot is taken",
			"DTSTART;TZID=America/New_York:20260307T020000\nRRULE:FREQ=DAILY;BYHOUR=2,3;BYMINUTE=0,30;COUNT=12",
			[]string{
				"2026-03-07 02:00 -0500", "2026-03-07 02:30 -0500", "2026-03-07 03:00 -0500", "2026-03-07 03:30 -0500",
				// 02:00 and 02:30 do not exist on the 8th: they read as 03:00 and
				// 03:30 EDT, the same instants as the real 03:00 and 03:30.
				"2026-03-08 03:00 -0400", "2026-03-08 03:30 -0400",
				// COUNT counts instances, not local times: the two local
				// times that collapse onto others are not instances of
				// their own, so two more come on the 10th.
				"2026-03-09 02:00 -0400", "2026-03-09 02:30 -0400", "2026-03-09 03:00 -0400", "2026-03-09 03:30 -0400",
				"2026-03-10 02:00 -0400", "2026-03-10 02:30 -0400",
			},
		},
		{
			// Issue 14: DTSTART 02:30 is 03:30 EDT (07:30Z). The rule's 03:00
			// is a later local time, so it is an occurrence, although 03:00
			// EDT (07:00Z) comes before DTSTART's instant; 03:30 EDT is
			// DTSTART's instant again, one instance. COUNT=3 counts the
			// instances: the third is 02:00 EDT on the 9th.
			"DTSTART in the New York gap: later local times come first",
			"DTSTART;TZID=America/New_York:20260308T023000\nRRULE:FREQ=DAILY;COUNT=3;BYHOUR=2,3;BYMINUTE=0,30",
			[]string{"2026-03-08 03:00 -0400", "2026-03-08 03:30 -0400", "2026-03-09 02:00 -0400"},
		},
		{
			// Lord Howe moves 30 minutes at 02:00 on 4 October 2026: DTSTART
			// 02:15 is 02:45 +1100 (15:45Z); the rule's 02:30 exists and is
			// 15:30Z, earlier in time, later in wall time: kept.
			"DTSTART in the Lord Howe gap, BYMINUTE=15,30",
			"DTSTART;TZID=Australia/Lord_Howe:20261004T021500\nRRULE:FREQ=DAILY;COUNT=3;BYHOUR=2;BYMINUTE=15,30",
			[]string{"2026-10-04 02:30 +1100", "2026-10-04 02:45 +1100", "2026-10-05 02:15 +1100"},
		},
		{
			"the night before the Lord Howe gap, BYMINUTE=15,30",
			"DTSTART;TZID=Australia/Lord_Howe:20261003T021500\nRRULE:FREQ=DAILY;COUNT=5;BYHOUR=2;BYMINUTE=15,30",
			[]string{"2026-10-03 02:15 +1030", "2026-10-03 02:30 +1030", "2026-10-04 02:30 +1100", "2026-10-04 02:45 +1100", "2026-10-05 02:15 +1100"},
		},
		{
			// 02:15 resolves onto the rule's own 02:45: one instance, and
			// COUNT=3 reaches into the 5th.
			"DTSTART in the Lord Howe gap, BYMINUTE=15,45",
			"DTSTART;TZID=Australia/Lord_Howe:20261004T021500\nRRULE:FREQ=DAILY;COUNT=3;BYHOUR=2;BYMINUTE=15,45",
			[]string{"2026-10-04 02:45 +1100", "2026-10-05 02:15 +1100", "2026-10-05 02:45 +1100"},
		},
		{
			// Samoa skipped 30 December 2011: its 09:00 is 31 December's.
			"a whole day skipped (Apia 2011): one instance, COUNT goes on",
			"DTSTART;TZID=Pacific/Apia:20111229T090000\nRRULE:FREQ=DAILY;COUNT=3",
			[]string{"2011-12-29 09:00 -1000", "2011-12-31 09:00 +1400", "2012-01-01 09:00 +1400"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustParse(t, tc.text)
			if tc.want == nil {
				for at := range r.Between(r.Start(), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
					if at.Hour() != 9 || at.Minute() != 0 {
						t.Errorf("occurrence %v is not at 09:00 local", at)
					}
				}
				return
			}
			if got := first(r, len(tc.want)+2); !slices.Equal(got, tc.want) {
				t.Errorf("\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	// The instants behind the cases above, against Unix times.
	tests := []struct {
		zone string
		wall string
		unix int64
	}{
		{"America/New_York", "2026-03-08 02:30", time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC).Unix()},
		{"America/New_York", "2026-11-01 01:30", time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC).Unix()},
		{"Europe/Berlin", "2026-03-29 02:30", time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC).Unix()},
		{"Europe/Berlin", "2026-10-25 02:30", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC).Unix()},
		{"Australia/Lord_Howe", "2026-10-04 02:15", time.Date(2026, 10, 3, 15, 45, 0, 0, time.UTC).Unix()},
		{"Australia/Lord_Howe", "2026-04-05 01:45", time.Date(2026, 4, 4, 14, 45, 0, 0, time.UTC).Unix()},
		{"Pacific/Apia", "2011-12-30 12:00", time.Date(2011, 12, 30, 22, 0, 0, 0, time.UTC).Unix()}, // a whole day skipped
		{"Europe/Berlin", "2040-12-31 01:00", time.Date(2040, 12, 31, 0, 0, 0, 0, time.UTC).Unix()},
		{"Europe/Berlin", "2041-03-31 02:30", time.Date(2041, 3, 31, 1, 30, 0, 0, time.UTC).Unix()},
	}
	for _, tc := range tests {
		loc := loadLoc(t, tc.zone)
		w, err := time.Parse("2006-01-02 15:04", tc.wall)
		if err != nil {
			t.Fatal(err)
		}
		text := fmt.Sprintf("DTSTART;TZID=%s:%s", tc.zone, w.Format("20060102T150405"))
		r := mustParse(t, text)
		if got := r.Start(); got.Unix() != tc.unix || got.Location().String() != loc.String() {
			t.Errorf("%s %s: got %v (%d), want Unix %d", tc.zone, tc.wall, got, got.Unix(), tc.unix)
		}
		got := schedule.Resolve(loc, w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second())
		if got.Unix() != tc.unix || got.Location() != loc {
			t.Errorf("Resolve(%s, %s) = %v (%d), want Unix %d", tc.zone, tc.wall, got, got.Unix(), tc.unix)
		}
	}
}

func TestHandComputed(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"BYMONTHDAY=31 skips short months", "DTSTART;TZID=Europe/Berlin:20260131T090000\nRRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=7",
			[]string{"2026-01-31 09:00 +0100", "2026-03-31 09:00 +0200", "2026-05-31 09:00 +0200", "2026-07-31 09:00 +0200", "2026-08-31 09:00 +0200", "2026-10-31 09:00 +0100", "2026-12-31 09:00 +0100"}},
		{"BYMONTHDAY=-1 is the last day", "DTSTART;TZID=Europe/Berlin:20260131T090000\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4",
			[]string{"2026-01-31 09:00 +0100", "2026-02-28 09:00 +0100", "2026-03-31 09:00 +0200", "2026-04-30 09:00 +0200"}},
		{"29 February yearly", "DTSTART;TZID=Asia/Tokyo:20240229T090000\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3",
			[]string{"2024-02-29 09:00 +0900", "2028-02-29 09:00 +0900", "2032-02-29 09:00 +0900"}},
		{"BYSETPOS=-1: last weekday of the month", "DTSTART;TZID=America/New_York:20260130T090000\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=6",
			[]string{"2026-01-30 09:00 -0500", "2026-02-27 09:00 -0500", "2026-03-31 09:00 -0400", "2026-04-30 09:00 -0400", "2026-05-29 09:00 -0400", "2026-06-30 09:00 -0400"}},
		{"UNTIL in UTC with a TZID start is inclusive", "DTSTART;TZID=Europe/Berlin:20260327T090000\nRRULE:FREQ=DAILY;UNTIL=20260330T070000Z",
			[]string{"2026-03-27 09:00 +0100", "2026-03-28 09:00 +0100", "2026-03-29 09:00 +0200", "2026-03-30 09:00 +0200"}},
		{"UNTIL one second earlier excludes it", "DTSTART;TZID=Europe/Berlin:20260327T090000\nRRULE:FREQ=DAILY;UNTIL=20260330T065959Z",
			[]string{"2026-03-27 09:00 +0100", "2026-03-28 09:00 +0100", "2026-03-29 09:00 +0200"}},
		{"COUNT counts DTSTART even when it does not match", "DTSTART;TZID=Europe/Berlin:20260101T090000\nRRULE:FREQ=MONTHLY;BYDAY=1MO;COUNT=3",
			[]string{"2026-01-01 09:00 +0100", "2026-01-05 09:00 +0100", "2026-02-02 09:00 +0100"}},
		{"EXDATE removes, RDATE adds", "DTSTART;TZID=Europe/Berlin:20260105T090000\nRRULE:FREQ=WEEKLY;COUNT=4\nEXDATE;TZID=Europe/Berlin:20260112T090000\nRDATE;TZID=Europe/Berlin:20260114T140000",
			[]string{"2026-01-05 09:00 +0100", "2026-01-14 14:00 +0100", "2026-01-19 09:00 +0100", "2026-01-26 09:00 +0100"}},
		{"a DATE EXDATE removes the whole day", "DTSTART;TZID=Europe/Berlin:20260105T090000\nRRULE:FREQ=DAILY;BYHOUR=9,15;COUNT=4\nEXDATE;VALUE=DATE:20260105",
			[]string{"2026-01-06 09:00 +0100", "2026-01-06 15:00 +0100"}},
		{"EXDATE may remove DTSTART", "DTSTART;TZID=Europe/Berlin:20260105T090000\nRRULE:FREQ=WEEKLY;COUNT=2\nEXDATE;TZID=Europe/Berlin:20260105T090000",
			[]string{"2026-01-12 09:00 +0100"}},
		{"RDATE equal to an occurrence counts once", "DTSTART;TZID=Europe/Berlin:20260105T090000\nRRULE:FREQ=WEEKLY;COUNT=2\nRDATE:20260112T080000Z",
			[]string{"2026-01-05 09:00 +0100", "2026-01-12 09:00 +0100"}},
		{"every other week with WKST=SU", "DTSTART;TZID=America/New_York:20260106T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;COUNT=4",
			[]string{"2026-01-06 09:00 -0500", "2026-01-18 09:00 -0500", "2026-01-20 09:00 -0500", "2026-02-01 09:00 -0500"}},
		{"every other week with WKST=MO", "DTSTART;TZID=America/New_York:20260106T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO;COUNT=4",
			[]string{"2026-01-06 09:00 -0500", "2026-01-11 09:00 -0500", "2026-01-20 09:00 -0500", "2026-01-25 09:00 -0500"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustParse(t, tc.text)
			if got := first(r, len(tc.want)+3); !slices.Equal(got, tc.want) {
				t.Errorf("\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestNextAndBetween(t *testing.T) {
	r := mustParse(t, "DTSTART;TZID=Europe/Berlin:20260105T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO")
	berlin := loadLoc(t, "Europe/Berlin")
	at := time.Date(2026, 1, 12, 9, 0, 0, 0, berlin)
	if got, ok := r.Next(at); !ok || !got.Equal(at.AddDate(0, 0, 7)) {
		t.Errorf("Next is not strictly after: %v", got)
	}
	if got, ok := r.Next(at.Add(-time.Nanosecond)); !ok || !got.Equal(at) {
		t.Errorf("Next(just before) = %v", got)
	}
	if got, ok := r.Next(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)); !ok || !got.Equal(r.Start()) {
		t.Errorf("Next before DTSTART = %v", got)
	}
	if got := slices.Collect(r.Between(at, at.AddDate(0, 0, 14))); len(got) != 2 || !got[0].Equal(at) {
		t.Errorf("Between is not half-open [from, to): %v", got)
	}
	if got := slices.Collect(r.Between(at, at)); len(got) != 0 {
		t.Errorf("empty window gave %v", got)
	}
	// Lazy: a never-ending rule over 1,000 years, stopped after three.
	n := 0
	for range r.Between(at, at.AddDate(1000, 0, 0)) {
		if n++; n == 3 {
			break
		}
	}
	if n != 3 {
		t.Error("early stop")
	}
	done := mustParse(t, "DTSTART:20260105T090000Z\nRRULE:FREQ=DAILY;COUNT=2")
	if _, ok := done.Next(time.Date(2026, 1, 6, 9, 0, 0, 0, time.UTC)); ok {
		t.Error("Next after the last occurrence")
	}
}

// A shared Rule is iterated by many goroutines at once (run with -race).
func TestRuleConcurrentUse(t *testing.T) {
	r := mustParse(t, "DTSTART;TZID=America/New_York:20200107T090000\nRRULE:FREQ=MONTHLY;BYDAY=1TU,3TH;BYSETPOS=1,2\nEXDATE;TZID=America/New_York:20260106T090000")
	want := slices.Collect(r.Between(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				got := slices.Collect(r.Between(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
				if !slices.EqualFunc(got, want, time.Time.Equal) {
					t.Error("concurrent iteration differs")
					return
				}
				r.Next(time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC))
			}
		}()
	}
	wg.Wait()
}

func TestFromTiming(t *testing.T) {
	berlin := loadLoc(t, "Europe/Berlin")
	dt := func(s string) comms.DateTime {
		v, err := comms.ParseDateTime(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	r, err := schedule.FromTiming(comms.Timing{
		RRule:   "FREQ=MONTHLY;BYDAY=1MO",
		Start:   dt("2026-01-05T09:00"),
		Until:   dt("2026-06-01"),
		Exdates: []comms.DateTime{dt("2026-03-02")},
		Rdates:  []comms.DateTime{dt("2026-03-04T10:00")},
	}, berlin)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-01-05 09:00 +0100", "2026-02-02 09:00 +0100", "2026-03-04 10:00 +0100", "2026-04-06 09:00 +0200", "2026-05-04 09:00 +0200", "2026-06-01 09:00 +0200"}
	if got := first(r, 10); !slices.Equal(got, want) {
		t.Errorf("\n got %v\nwant %v", got, want)
	}
	if _, err := schedule.FromTiming(comms.Timing{Trigger: "incident.aware"}, berlin); err == nil {
		t.Error("a timing without a rule must fail")
	}
	// Every recurring activity of the starter plan has a rule.
	p, err := comms.LoadPlan("../examples/plans/starter.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := schedule.NewAgenda()
	if err := a.AddPlan("starter/", p); err != nil {
		t.Fatal(err)
	}
	if a.Len() != 11 { // the reference's 9 recurring rows, the yearly drill and the management review
		t.Errorf("starter plan has %d recurring activities, want 11", a.Len())
	}
}

// Hostile rules stay cheap: none of these may iterate towards year 9999.
func TestHostileRules(t *testing.T) {
	var many strings.Builder
	many.WriteString("DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY\nEXDATE:")
	for i := 0; i < 10000; i++ {
		if i > 0 {
			many.WriteByte(',')
		}
		many.WriteString(time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC).AddDate(0, 0, 2*i).Format("20060102T150405Z"))
	}
	texts := []string{
		"DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY;COUNT=2147483647",
		"DTSTART:20260101T090000Z\nRRULE:FREQ=YEARLY;INTERVAL=999999",
		"DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY;INTERVAL=1000000;BYMONTH=2",
		"DTSTART:20260101T090000Z\nRRULE:FREQ=WEEKLY;UNTIL=99991231T235959Z",
		"DTSTART:20260101T090000Z\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=366,-366,1",
		"DTSTART:20260101T090000Z\nRRULE:FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH;BYMONTH=1;BYMONTHDAY=1",
		"DTSTART:99991231T090000Z\nRRULE:FREQ=DAILY",
		"DTSTART:00010101T000000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
		many.String(),
	}
	for _, text := range texts {
		r, err := schedule.Parse(text)
		if err != nil {
			continue // rejecting is fine
		}
		r.Next(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
		r.Next(time.Date(9000, 6, 1, 0, 0, 0, 0, time.UTC))
		n := 0
		for range r.Between(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)) {
			if n++; n > 100 {
				break
			}
		}
	}
}
