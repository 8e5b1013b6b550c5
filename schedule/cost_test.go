package schedule_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/recur"
	"github.com/ismscomms/ismscomms/schedule"
)

// TestExdateDaysMatchFilter: whole-day EXDATEs, which the iterator skips a
// run at a time, leave out exactly the occurrences whose local date they
// name, in zones whose transitions fall at midnight (São Paulo), skip a
// whole day (Apia, 30 December 2011) or shift by half an hour (Lord Howe),
// with several times a day.
func TestExdateDaysMatchFilter(t *testing.T) {
	zones := []string{"Europe/Berlin", "America/Sao_Paulo", "Pacific/Apia", "Australia/Lord_Howe", "America/New_York"}
	starts := map[string]string{
		"America/Sao_Paulo": "20181101T000000", "Pacific/Apia": "20111225T000000",
		"Australia/Lord_Howe": "20260401T000000", "America/New_York": "20261025T000000", "Europe/Berlin": "20260320T000000",
	}
	rng := rand.New(rand.NewPCG(12, 34))
	for i := 0; i < 150; i++ {
		zone := zones[i%len(zones)]
		hours := []string{"0", "0,1", "0,1,2,23", "2,3", "0,12,23", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,0"}[rng.IntN(6)]
		minutes := "0,30"
		if len(hours) > 20 {
			minutes = "0"
		}
		rule := fmt.Sprintf("DTSTART;TZID=%s:%s\nRRULE:FREQ=DAILY;INTERVAL=%d;BYHOUR=%s;BYMINUTE=%s",
			zone, starts[zone], 1+rng.IntN(2), hours, minutes)
		if rng.IntN(3) == 0 {
			rule = fmt.Sprintf("DTSTART;TZID=%s:%s\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,SA,SU;BYHOUR=%s", zone, starts[zone], hours)
		}
		base := mustParse(t, rule)
		// Runs of consecutive days, some single, some long.
		left := map[string]bool{}
		var days []string
		d := base.Start()
		for len(days) < 200 {
			d = d.AddDate(0, 0, rng.IntN(4))
			for n := []int{1, 1, 2, 3, 10}[rng.IntN(5)]; n > 0; n-- {
				s := d.Format("20060102")
				if !left[s] {
					left[s] = true
					days = append(days, s)
				}
				d = d.AddDate(0, 0, 1)
			}
		}
		withEx := mustParse(t, rule+"\nEXDATE;VALUE=DATE:"+strings.Join(days, ","))
		from, to := base.Start(), base.Start().AddDate(3, 0, 0)
		var want []time.Time
		for at := range base.Between(from, to) {
			if !left[at.Format("20060102")] {
				want = append(want, at)
			}
		}
		got := slices.Collect(withEx.Between(from, to))
		if !slices.EqualFunc(got, want, time.Time.Equal) {
			t.Fatalf("%s: %d occurrences, want %d;\n got %v\nwant %v", rule, len(got), len(want), head(got), head(want))
		}
		// Next from inside runs agrees with the filter too.
		for k := 0; k < 20; k++ {
			after := from.Add(time.Duration(rng.IntN(3*365*24)) * time.Hour)
			n, ok := withEx.Next(after)
			i, _ := slices.BinarySearchFunc(want, after, func(a, b time.Time) int { return a.Compare(b) })
			for i < len(want) && !want[i].After(after) {
				i++
			}
			if i < len(want) && (!ok || !n.Equal(want[i])) {
				t.Fatalf("%s: Next(%v) = %v %v, want %v", rule, after, n, ok, want[i])
			}
		}
	}
}

func head(ts []time.Time) []time.Time { return ts[:min(len(ts), 8)] }

// TestParseFoldedLinear: unfolding continuation lines costs memory linear
// in the text, however many folds it has (it was quadratic: 1 MiB of
// one-character folds took seconds).
func TestParseFoldedLinear(t *testing.T) {
	for _, size := range []int{64 << 10, 512 << 10} {
		text := foldedText(size)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := schedule.Parse(text)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("%d bytes of folded text parsed", size)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(12*len(text)) {
			t.Errorf("%d bytes of folded text: %d bytes allocated", len(text), alloc)
		}
		allocs := testing.AllocsPerRun(3, func() { schedule.Parse(text) })
		if allocs > 200 {
			t.Errorf("%d bytes of folded text: %.0f allocations", len(text), allocs)
		}
	}
}

// TestParseRefusesUnsafeText: control and bidirectional formatting
// characters in rule text are refused with their line and column, and the
// message shows them escaped.
func TestParseRefusesUnsafeText(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY\x1b[2J", "line 2: column 17: the character U+001B (\\x1b)"},
		{"DTSTART:20260101T090000Z\x00", "line 1: column 25: the character U+0000"},
		{"DTSTART:20260101T090000Z\nRRULE:FREQ=\u202eYLIAD", "line 2: column 12: the character U+202E (\\u202e)"},
		{"DTSTART:20260101T090000Z\r\nRRULE:FREQ=DAILY\rX", "line 2: column 17: the character U+000D"},
		{"DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY\n EXDATE\u0085", "line 3: column 8: the character U+0085"},
		{"DTSTART:2026\xff0101T090000Z", "line 1: column 13: the byte 0xff"},
	} {
		_, err := schedule.Parse(tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want %q", tc.text, err, tc.want)
			continue
		}
		if strings.ContainsAny(err.Error(), "\x00\x1b\r\u202e\x85") {
			t.Errorf("Parse(%q): the message holds the character itself: %q", tc.text, err)
		}
	}
	// CRLF line ends and folding with a tab are fine.
	mustParse(t, "DTSTART:20260101T090000Z\r\nRRULE:FREQ=DAI\r\n\tLY\r\n")
}

// TestHostileRuleFiles parses each hostile rule under testdata/hostile and
// compares the outcome (the error, or the first occurrences) with its
// golden file; go test ./schedule -update rewrites them.
func TestHostileRuleFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/hostile/*.txt")
	if err != nil || len(files) < 20 {
		t.Fatalf("hostile rules: %d, %v", len(files), err)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			text, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			timer := time.AfterFunc(20*time.Second, func() { panic("hangs on " + f) })
			defer timer.Stop()
			var got string
			r, err := schedule.Parse(string(text))
			if err != nil {
				got = err.Error()
			} else {
				var occ []string
				for at := range r.Between(from, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)) {
					if occ = append(occ, at.Format(time.RFC3339)); len(occ) == 5 {
						break
					}
				}
				got = "ok: " + strings.Join(occ, " ")
			}
			if strings.ContainsAny(got, "\x00\x07\x1b\r\u202e") {
				t.Fatalf("the outcome holds a control character: %q", got)
			}
			path := f + ".golden"
			if *update {
				if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got+"\n" != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestPlanRulesCompiledOnce: once a plan is validated, building the rules
// of all its activities again, as check, agenda, the calendar and the
// report each do, compiles nothing (issue 12 review, D2: those commands
// took 15 to 60 s on a plan whose validation took 0.5 s). Counted in
// compilations and allocations, not in time.
func TestPlanRulesCompiledOnce(t *testing.T) {
	p := slowPlan(200) // the budget charges every use: 2,000 are refused
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	before := recur.SharedCacheStats()
	for range 4 { // check, agenda, calendar, report
		for _, a := range p.Activities {
			if _, err := schedule.ActivityRule(p, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := schedule.NewAgenda().AddPlan("", p); err != nil {
		t.Fatal(err)
	}
	after := recur.SharedCacheStats()
	if compiled := after.Misses - before.Misses; compiled != 0 {
		t.Errorf("building the rules of a validated plan five times compiled %d rules", compiled)
	}
	// A rule found compiled costs the parse and the copy of its parts, a
	// few dozen allocations, whatever compiling it would cost.
	loc := time.FixedZone("x", 3600)
	a := p.Activities[7]
	if allocs := testing.AllocsPerRun(50, func() { schedule.FromTiming(a.When, loc) }); allocs > 40 {
		t.Errorf("FromTiming of a compiled rule: %.0f allocations", allocs)
	}
}

// TestDatesLimitShared: plan validation and the rule builder apply one
// limit to exdates and rdates (recur.MaxDates), so a plan that validates
// builds, and one the builder would refuse is refused at validation, at
// the list's path (issue 12 review, D9: 200,000 exdates were accepted and
// saved, then every command failed).
func TestDatesLimitShared(t *testing.T) {
	for _, list := range []string{"exdates", "rdates"} {
		for _, n := range []int{recur.MaxDates, recur.MaxDates + 1} {
			dates := make([]comms.DateTime, n)
			for i := range dates {
				y, m, d := time.Date(2026, 1, 2+i, 0, 0, 0, 0, time.UTC).Date()
				dates[i] = comms.DateTime{Date: comms.Date{Year: y, Month: m, Day: d}, Hour: 9, Minute: 30}
			}
			w := comms.Timing{RRule: "FREQ=DAILY", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 1}, Hour: 9}}
			if list == "exdates" {
				w.Exdates = dates
			} else {
				w.Rdates = dates
			}
			p := comms.Plan{ID: "p", TimeZone: "UTC", Activities: []comms.Activity{{ID: "a", When: w}}}
			verr := p.Validate()
			_, berr := schedule.ActivityRule(p, p.Activities[0])
			if n <= recur.MaxDates {
				if verr != nil || berr != nil {
					t.Errorf("%d %s: validate %v, build %v", n, list, verr, berr)
				}
				continue
			}
			var pe *comms.PlanError
			if !errors.As(verr, &pe) || len(pe.Problems) != 1 || pe.Problems[0].Path != "activities[0].when."+list {
				t.Errorf("%d %s: validation gives %v", n, list, verr)
			}
			if berr == nil {
				t.Errorf("%d %s: the rule builds", n, list)
			}
		}
	}
}

// TestReviewRuleCompiled: a plan's review cadence is compiled at
// validation like any activity's rule, so one that never matches is
// refused at "review" (issue 12 review, D27).
func TestReviewRuleCompiled(t *testing.T) {
	for _, tc := range []struct {
		review string
		ok     bool
	}{
		{"FREQ=YEARLY", true},
		{"FREQ=MONTHLY;INTERVAL=6;BYHOUR=9", true},
		{"FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", true},
		{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", false},
		{"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", false},
	} {
		err := comms.Plan{ID: "p", TimeZone: "UTC", Review: tc.review}.Validate()
		var pe *comms.PlanError
		switch {
		case tc.ok && err != nil:
			t.Errorf("review %q: %v", tc.review, err)
		case !tc.ok && (!errors.As(err, &pe) || pe.Problems[0].Path != "review" || !strings.Contains(pe.Problems[0].Message, "never matches")):
			t.Errorf("review %q: %v", tc.review, err)
		}
	}
}

// TestSharedRuleChargedPerUse: 15,000 activities sharing one costly rule
// (the review's slowrule15000.json) are refused at decode, though the rule
// is compiled once: each use is evaluated again by check, agenda, the
// calendar and the report, which took 26, 9, 1 and 44 s on it. The same
// rule 150 times stays well within the budget.
func TestSharedRuleChargedPerUse(t *testing.T) {
	same := func(n int) comms.Plan {
		p := comms.Plan{ID: "same", TimeZone: "Europe/Berlin"}
		for i := range n {
			p.Activities = append(p.Activities, comms.Activity{ID: fmt.Sprintf("a%d", i),
				When: comms.Timing{RRule: slowRule, Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 1}, Hour: 9}}})
		}
		return p
	}
	if err := same(150).Validate(); err != nil {
		t.Fatalf("150 uses of one rule: %v", err)
	}
	err := same(15000).Validate()
	if err == nil || !strings.Contains(err.Error(), "checking the plan's recurrence rules takes too long") {
		t.Fatalf("15,000 uses of one costly rule: %v", err)
	}
}
