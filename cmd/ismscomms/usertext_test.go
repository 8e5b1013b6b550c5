package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// TestUserText: the package names an error passed through are dropped,
// but not a user's value that happens to look like one.
func TestUserText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`evidence: records: sqlite: store: record chain of tenant "t" broken at record 1: its content does not match its hash`,
			`records: record chain of tenant "t" broken at record 1: its content does not match its hash`},
		{`schedule: activity a0: schedule: rrule "FREQ=DAILY": too many`, `activity a0: rrule "FREQ=DAILY": too many`},
		{`store: invalid: event ID "store: x" is bad`, `invalid: event ID "store: x" is bad`},
		{`the store refused it: store: conflict`, `the store refused it: conflict`},
		{`restore: x`, `restore: x`},
		{`store: `, `store: `},
		{`"unterminated store: `, `"unterminated store: `},
		{`cannot open the store a"b.db: sqlite: not an SQLite database`, `cannot open the store a"b.db: not an SQLite database`},
	} {
		if got := userText(tc.in); got != tc.want {
			t.Errorf("userText(%q)\n = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// TestTableWideCell: one cell far wider than the rest is printed whole
// but widens nothing, so the table costs the size of its cells (the
// review's D7: one activity named with 100,000 characters made agenda
// pad every row to it, 300 MB for a 120 KB plan).
func TestTableWideCell(t *testing.T) {
	var b strings.Builder
	tb := newTable(&b, "WHEN", "ACTIVITY", "PLAN")
	wide := strings.Repeat("x", 100_000)
	tb.row("Mon", wide, "p.yaml")
	in := len(wide)
	for range 99 {
		tb.row("Tue", "Weekly", "p.yaml")
		in += len("TueWeeklyp.yaml")
	}
	if err := tb.flush(); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if len(out) > 2*in {
		t.Errorf("a table of %d bytes of cells is %d bytes long", in, len(out))
	}
	if !strings.Contains(out, wide+"  p.yaml\n") || !strings.Contains(out, "Tue   Weekly    p.yaml\n") {
		t.Errorf("the table lost its cells or its alignment:\n%.300s", out[len(out)-300:])
	}
}

// TestAgendaCalendarsOnce: agenda builds each calendar of the plan once,
// not once per occurrence (the review's D5: a calendar of 250,000
// holidays made agenda take 27 s). Counted in bytes allocated per
// occurrence, which building the calendar of 20,000 holidays again would
// raise by some 160 KB.
func TestAgendaCalendarsOnce(t *testing.T) {
	p := comms.Plan{Format: "ismscomms/v1", ID: "hol", TimeZone: "Europe/Berlin", Calendars: []comms.Calendar{{ID: "cal"}}}
	for d := range 20_000 {
		day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d)
		p.Calendars[0].Holidays = append(p.Calendars[0].Holidays, comms.Date{Year: day.Year(), Month: day.Month(), Day: day.Day()})
	}
	for i := range 20 {
		p.Activities = append(p.Activities, comms.Activity{ID: fmt.Sprintf("a%d", i), Calendar: "cal",
			When: comms.Timing{RRule: "FREQ=DAILY", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 5}, Hour: 9}, Within: "3bd"}})
	}
	var data bytes.Buffer
	if err := comms.EncodeJSON(&data, p); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "hol.json")
	if err := os.WriteFile(file, data.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	out, _ := c.must(0, "agenda", "--from", "2026-06-01", "--to", "2026-07-01", file) // 600 occurrences
	runtime.ReadMemStats(&after)
	if n := strings.Count(out, "\n") - 1; n != 600 {
		t.Fatalf("%d occurrences, want 600", n)
	}
	if per := (after.TotalAlloc - before.TotalAlloc) / 600; per > 32<<10 {
		t.Errorf("agenda allocated %d bytes per occurrence: a calendar is built for each", per)
	}
}

// TestTableWideCharacters: East Asian wide characters take two columns,
// so the columns after them line up.
func TestTableWideCharacters(t *testing.T) {
	var b strings.Builder
	tb := newTable(&b, "EVENT", "TITLE", "STARTED")
	tb.row("INC-1", "情報漏洩", "Mon")
	tb.row("INC-2", "Phishing", "Tue")
	if err := tb.flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	col := func(line string) int { return cellWidth(line[:strings.LastIndex(line, "  ")+2]) }
	if a, c := col(lines[1]), col(lines[2]); a != c {
		t.Errorf("STARTED at column %d after wide characters, %d after narrow ones:\n%s", a, c, b.String())
	}
}
