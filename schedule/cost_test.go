package schedule_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

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
