package recur

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// naive walks every active period from DTSTART's, evaluating each in full:
// the way the engine worked before it learned to skip kinds of periods and
// to search daily rules a month at a time. It is the reference the cursor
// is checked against.
func naive(s *Spec, from Wall, n int, horizon Wall) []Wall {
	var out []Wall
	until := s.Until()
	for p := s.sp; ; p += s.interval {
		first, _ := s.periodDays(p)
		if first > maxDay || Wall(first)*86400 > horizon {
			return out
		}
		for _, w := range s.appendPeriod(nil, p) {
			if w >= from && w >= s.start && w <= until && w <= horizon {
				if out = append(out, w); len(out) == n {
					return out
				}
			}
		}
	}
}

// sparseRule builds rules whose occurrences are rare or absent: the shapes
// that made the old engine walk whole calendar cycles.
func sparseRule(rng *rand.Rand) string {
	days := []string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}
	dayList := func(max int) string {
		var ds []string
		seen := map[int]bool{}
		for j := 0; j <= rng.IntN(max); j++ {
			if d := rng.IntN(7); !seen[d] {
				seen[d] = true
				ds = append(ds, days[d])
			}
		}
		return strings.Join(ds, ",")
	}
	mday := func() int {
		d := 1 + rng.IntN(31)
		if rng.IntN(3) == 0 {
			d = 25 + rng.IntN(7)
		}
		if rng.IntN(3) == 0 {
			d = -d
		}
		return d
	}
	interval := []int{1, 1, 2, 3, 5, 7, 12, 14, 21, 28, 35, 40, 52, 53, 100, 365, 1461}[rng.IntN(17)]
	var parts []string
	switch rng.IntN(4) {
	case 0:
		parts = append(parts, "FREQ=DAILY", fmt.Sprintf("INTERVAL=%d", interval))
		if rng.IntN(2) == 0 {
			parts = append(parts, fmt.Sprintf("BYMONTH=%d", 1+rng.IntN(12)))
		}
		if rng.IntN(3) != 0 {
			parts = append(parts, fmt.Sprintf("BYMONTHDAY=%d", mday()))
		}
		if rng.IntN(2) == 0 {
			parts = append(parts, "BYDAY="+dayList(2))
		}
		if rng.IntN(3) == 0 {
			parts = append(parts, "BYHOUR=8,12,16", fmt.Sprintf("BYSETPOS=%d", []int{1, -1, 2, 3, 4, -4}[rng.IntN(6)]))
		}
	case 1:
		parts = append(parts, "FREQ=WEEKLY", fmt.Sprintf("INTERVAL=%d", interval), "BYDAY="+dayList(7), "WKST="+days[rng.IntN(7)])
		if rng.IntN(3) != 0 {
			parts = append(parts, fmt.Sprintf("BYMONTH=%d", 1+rng.IntN(12)))
		}
		if rng.IntN(2) == 0 {
			parts = append(parts, fmt.Sprintf("BYSETPOS=%d", []int{1, -1, 2, 5, 7, -7}[rng.IntN(6)]))
		}
	case 2:
		parts = append(parts, "FREQ=MONTHLY", fmt.Sprintf("INTERVAL=%d", []int{1, 2, 3, 5, 12, 24, 25, 48}[rng.IntN(8)]))
		if rng.IntN(2) == 0 {
			parts = append(parts, fmt.Sprintf("BYMONTH=%d", 1+rng.IntN(12)))
		}
		switch rng.IntN(3) {
		case 0:
			parts = append(parts, fmt.Sprintf("BYMONTHDAY=%d", mday()))
		case 1:
			parts = append(parts, fmt.Sprintf("BYDAY=%d%s", []int{1, 4, 5, -1, -5}[rng.IntN(5)], days[rng.IntN(7)]))
		default:
			parts = append(parts, "BYDAY="+dayList(3), fmt.Sprintf("BYMONTHDAY=%d", mday()))
		}
		if rng.IntN(3) == 0 {
			parts = append(parts, fmt.Sprintf("BYSETPOS=%d", []int{1, -1, 2, 5, 6}[rng.IntN(5)]))
		}
	default:
		parts = append(parts, "FREQ=YEARLY", fmt.Sprintf("INTERVAL=%d", []int{1, 2, 4, 5, 28, 100, 400}[rng.IntN(7)]))
		switch rng.IntN(4) {
		case 0:
			parts = append(parts, fmt.Sprintf("BYWEEKNO=%d", []int{1, 52, 53, -1, -53}[rng.IntN(5)]), "BYDAY="+dayList(3))
		case 1:
			parts = append(parts, fmt.Sprintf("BYYEARDAY=%d", []int{1, 60, 366, -1, -366}[rng.IntN(5)]))
		case 2:
			parts = append(parts, "BYMONTH=2", "BYMONTHDAY=29", "BYDAY="+dayList(1))
		default:
			parts = append(parts, "BYDAY="+dayList(2), "BYMONTH="+fmt.Sprint(1+rng.IntN(12)))
		}
		if rng.IntN(3) == 0 {
			parts = append(parts, fmt.Sprintf("BYSETPOS=%d", []int{1, -1, 5, 53, 54}[rng.IntN(5)]))
		}
	}
	if rng.IntN(4) == 0 {
		parts = append(parts, fmt.Sprintf("COUNT=%d", []int{1, 2, 5, 40, 1000}[rng.IntN(5)]))
	}
	return strings.Join(parts, ";")
}

// TestCursorMatchesNaive compares the cursor, which skips kinds of periods
// known to be empty and searches daily rules a month at a time, with the
// plain walk, on random and sparse rules, from DTSTART and from later.
func TestCursorMatchesNaive(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	rng := rand.New(rand.NewPCG(7, 11))
	compared, unsat := 0, 0
	for i := 0; i < n; i++ {
		text := sparseRule(rng)
		if i%3 == 0 {
			text = randomRule(rng)
		}
		r, err := ParseRRule(text)
		if err != nil {
			continue
		}
		start := MakeWall(1990+rng.IntN(60), 1+rng.IntN(12), 1+rng.IntN(28), 9, 0, 0)
		s, err := Compile(r, Options{Start: start})
		horizon := start + 500*366*86400 // past one 400-year cycle
		if r.Freq == Daily {
			horizon = start + 120*366*86400 // a day at a time is slow
		}
		if errors.Is(err, ErrNoOccurrence) {
			s, err := compile(r, Options{Start: start}, false)
			if err != nil {
				t.Fatalf("compile(%q) without the check: %v", text, err)
			}
			if got := naive(s, start, 1, horizon); len(got) > 0 {
				t.Fatalf("%q from %s: Compile says it never matches, but it does on %s", text, FormatDateTime(start), FormatDateTime(got[0]))
			}
			unsat++
			continue
		}
		if err != nil {
			t.Fatalf("Compile(%q): %v", text, err)
		}
		for _, from := range []Wall{start, start + Wall(rng.IntN(40*366))*86400} {
			want := naive(s, from, 30, horizon)
			got := take(s, from, 30)
			for len(got) > 0 && got[len(got)-1] > horizon {
				got = got[:len(got)-1]
			}
			if walls(got) != walls(want) {
				t.Fatalf("%q from %s (start %s):\n got %s\nwant %s", text, FormatDateTime(from), FormatDateTime(start), walls(got), walls(want))
			}
		}
		compared++
	}
	t.Logf("compared %d rules; %d never match", compared, unsat)
	if compared < n/3 || unsat < 10 {
		t.Fatalf("only %d rules compared and %d unsatisfiable ones checked", compared, unsat)
	}
}

// TestCountBoundMatchesWalk: the bound computed from counts per period
// (and whole cycles skipped) is the COUNT-th occurrence a plain walk finds.
func TestCountBoundMatchesWalk(t *testing.T) {
	n := 1200
	if testing.Short() {
		n = 150
	}
	rng := rand.New(rand.NewPCG(3, 5))
	// Rules with few occurrences per 400-year cycle and a COUNT that takes
	// several cycles: the bound skips whole cycles.
	skipping := []struct {
		rule  string
		count int
	}{
		{"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", 100},
		{"FREQ=DAILY;INTERVAL=3;BYMONTH=2;BYMONTHDAY=29", 300},
		{"FREQ=DAILY;INTERVAL=2;BYMONTHDAY=31;BYDAY=FR;BYHOUR=9,17", 5000},
		{"FREQ=WEEKLY;BYMONTH=2;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=7", 2000},
		{"FREQ=WEEKLY;INTERVAL=3;BYMONTH=2,3;BYDAY=SU,MO;BYSETPOS=-1", 3000},
		{"FREQ=MONTHLY;BYMONTHDAY=29;BYMONTH=2;BYDAY=SU", 40},
		{"FREQ=MONTHLY;INTERVAL=5;BYDAY=5FR", 900},
		{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", 40},
		{"FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH", 500},
	}
	checked := 0
	for i := 0; i < n+len(skipping); i++ {
		var text string
		var count int
		if i < len(skipping) {
			text, count = skipping[i].rule, skipping[i].count
		} else if i%2 == 0 {
			text = randomRule(rng)
		} else {
			text = sparseRule(rng)
		}
		r, err := ParseRRule(text)
		if err != nil {
			continue
		}
		r.Count = []int{2, 3, 7, 50, 400, 3000}[rng.IntN(6)]
		start := MakeWall(1990+rng.IntN(60), 1+rng.IntN(12), 1+rng.IntN(28), 9, 0, 0)
		if rng.IntN(8) == 0 {
			start = MakeWall(9990+rng.IntN(10), 1+rng.IntN(12), 1+rng.IntN(28), 9, 0, 0)
		}
		if count > 0 {
			r.Count, start = count, MakeWall(2026, 1, 5, 9, 0, 0)
		}
		s, err := Compile(r, Options{Start: start})
		if err != nil {
			continue
		}
		// The walk: COUNT-1 occurrences after DTSTART, without a bound.
		var c Cursor
		c.seek(s, start+1, MaxWall)
		want := MaxWall
		for k := 1; k < r.Count; k++ {
			w, ok := c.Next()
			if !ok {
				want = MaxWall
				break
			}
			want = w
		}
		if got := s.Until(); got != want {
			t.Fatalf("%s from %s: bound %s, the walk says %s", r, FormatDateTime(start), FormatDateTime(got), FormatDateTime(want))
		}
		checked++
	}
	if checked < n/2 {
		t.Fatalf("only %d rules checked", checked)
	}
}

// TestCountCostIndependentOfCount: the bound COUNT sets is computed by
// Compile and charged to its Budget, and costs at most two calendar cycles
// of periods, not COUNT occurrences, whatever COUNT is; a COUNT that cannot
// be reached before year 9999 bounds nothing and costs nothing. Counted in
// Budget units, not in time.
func TestCountCostIndependentOfCount(t *testing.T) {
	hours := "BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23"
	for _, rule := range []string{
		"FREQ=DAILY;" + hours,
		"FREQ=DAILY;INTERVAL=3;BYMONTHDAY=1,15,-1;" + hours,
		"FREQ=WEEKLY;BYDAY=MO,WE,FR;BYMONTH=1,3,5;" + hours,
		"FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1,2,3,-1;BYHOUR=9,10",
		"FREQ=YEARLY;BYWEEKNO=1,20,53;BYDAY=MO,TU,WE;BYHOUR=9,10",
	} {
		used := func(count int) int64 {
			r, err := ParseRRule(fmt.Sprintf("%s;COUNT=%d", rule, count))
			if err != nil {
				t.Fatal(err)
			}
			b := NewBudget(1 << 40)
			s, err := compile(r, Options{Start: MakeWall(2026, 1, 5, 0, 0, 0), Budget: b}, true)
			if err != nil {
				t.Fatalf("%s: %v", rule, err)
			}
			if s.Until() == MaxWall && count < 1000 {
				t.Fatalf("%s;COUNT=%d: no bound", rule, count)
			}
			return 1<<40 - b.Left()
		}
		small, huge, unreachable := used(10), used(60_000_000), used(1<<31-1)
		if huge > 150_000 || small > 2000 || unreachable > 2000 {
			t.Errorf("%s: Compile costs %d units with COUNT=10, %d with COUNT=60000000, %d with COUNT=2147483647", rule, small, huge, unreachable)
		}
	}
}

// TestCountBoundCost: the bound COUNT puts on a rule costs at most a couple
// of calendar cycles of periods (or months, for a daily rule) to compute,
// however large COUNT is.
func TestCountBoundCost(t *testing.T) {
	const bound = 150_000
	rng := rand.New(rand.NewPCG(5, 8))
	maxUsed, maxRule := int64(0), ""
	for i := 0; i < 1500; i++ {
		text := sparseRule(rng)
		if i%2 == 0 {
			text = randomRule(rng)
		}
		r, err := ParseRRule(text)
		if err != nil {
			continue
		}
		r.Count = []int{1000, 100_000, 3_000_000, 60_000_000, 1<<31 - 1}[rng.IntN(5)]
		s, err := Compile(r, Options{Start: MakeWall(1+rng.IntN(9999), 1+rng.IntN(12), 1+rng.IntN(28), 9, 0, 0)})
		if err != nil {
			continue
		}
		b := NewBudget(1 << 40)
		s.countBound(r.Count, b)
		if used := 1<<40 - b.Left(); used > maxUsed {
			maxUsed, maxRule = used, r.String()
		}
	}
	t.Logf("the costliest bound, of %s, took %d units", maxRule, maxUsed)
	if maxUsed > bound {
		t.Errorf("the bound of %s costs %d units", maxRule, maxUsed)
	}
}

// TestCompileCostBounded: whatever the rule, the check that it can match
// costs a bounded number of steps, counted by a Budget; the worst shapes
// (rules that never match, sparse rules) stay within it. With COUNT,
// Compile also computes its bound, which TestCountBoundCost bounds.
func TestCompileCostBounded(t *testing.T) {
	const bound, countBound = 20_000, 150_000
	start := MakeWall(2026, 1, 5, 9, 0, 0)
	worst := []string{
		"FREQ=DAILY;BYHOUR=9;BYSETPOS=2",
		"FREQ=DAILY;INTERVAL=7;BYDAY=MO",
		"FREQ=DAILY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=30",
		"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
		"FREQ=DAILY;INTERVAL=33;BYMONTH=2;BYMONTHDAY=29;BYDAY=SU",
		"FREQ=DAILY;INTERVAL=40;BYMONTHDAY=31;BYDAY=MO",
		"FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2",
		"FREQ=WEEKLY;BYMONTH=2;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=-8",
		"FREQ=WEEKLY;INTERVAL=52;BYMONTH=2;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=7",
		"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
		"FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31;BYMONTH=2",
		"FREQ=MONTHLY;INTERVAL=7;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
		"FREQ=YEARLY;BYDAY=MO;BYSETPOS=54",
		"FREQ=YEARLY;BYWEEKNO=53;BYMONTH=6",
		"FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",
		"FREQ=YEARLY;BYYEARDAY=366;BYDAY=MO;BYSETPOS=2",
		"FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=-1",
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 3000; i++ {
		worst = append(worst, sparseRule(rng))
	}
	maxUsed, maxRule := int64(0), ""
	for _, rule := range worst {
		r, err := ParseRRule(rule)
		if err != nil {
			continue
		}
		b := NewBudget(1 << 40)
		Compile(r, Options{Start: start, Budget: b})
		used := 1<<40 - b.Left()
		if r.Count > 0 {
			if used > bound+countBound {
				t.Errorf("%s costs %d units to compile, more than %d", rule, used, bound+countBound)
			}
			r.Count = 0
			b = NewBudget(1 << 40)
			Compile(r, Options{Start: start, Budget: b})
			used = 1<<40 - b.Left()
		}
		if used > maxUsed {
			maxUsed, maxRule = used, r.String()
		}
	}
	t.Logf("the costliest rule, %s, took %d units", maxRule, maxUsed)
	if maxUsed > bound {
		t.Errorf("%s costs %d units to compile, more than %d", maxRule, maxUsed, bound)
	}
}

// TestBudget: a budget shared by many Compile calls runs out, and Compile
// then fails with ErrBudget rather than finishing the work. It pays once for
// each distinct rule: the same rule again costs nothing, and gives what it
// gave, even once the budget is spent.
func TestBudget(t *testing.T) {
	r, err := ParseRRule("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6")
	if err != nil {
		t.Fatal(err)
	}
	b := NewBudget(200_000)
	calls := 0
	for ; calls < 10_000; calls++ {
		// A distinct start each time: a distinct rule to pay for.
		_, err := Compile(r, Options{Start: MakeWall(2026, 1, 5, 9, 0, calls%60) + Wall(calls/60*60), Budget: b})
		if errors.Is(err, ErrBudget) {
			break
		}
		if !errors.Is(err, ErrNoOccurrence) {
			t.Fatalf("Compile: %v", err)
		}
		left := b.Left()
		_, again := Compile(r, Options{Start: MakeWall(2026, 1, 5, 9, 0, calls%60) + Wall(calls/60*60), Budget: b})
		if !errors.Is(again, ErrNoOccurrence) || b.Left() != left {
			t.Fatalf("the same rule again: %v, and it cost %d units", again, left-b.Left())
		}
	}
	if calls == 0 || calls == 10_000 || b.Left() >= 0 {
		t.Errorf("the budget lasted %d calls and has %d left", calls, b.Left())
	}
	if _, err := Compile(r, Options{Start: MakeWall(2027, 1, 5, 9, 0, 0), Budget: b}); !errors.Is(err, ErrBudget) {
		t.Errorf("a spent budget, a new rule: %v", err)
	}
	if _, err := Compile(r, Options{Start: MakeWall(2026, 1, 5, 9, 0, 0), Budget: b}); !errors.Is(err, ErrNoOccurrence) {
		t.Errorf("a spent budget, a rule it paid for: %v", err)
	}
}

// TestFirstThousandCheap: a single rule yields its first 1,000 occurrences
// (or all it has) in a bounded number of steps, counted by a Budget on the
// cursor, whatever its shape.
func TestFirstThousandCheap(t *testing.T) {
	const bound = 600_000
	rng := rand.New(rand.NewPCG(21, 4))
	start := MakeWall(2026, 1, 5, 9, 0, 0)
	maxUsed, maxRule := int64(0), ""
	for i := 0; i < 2000; i++ {
		text := sparseRule(rng)
		r, err := ParseRRule(text)
		if err != nil {
			continue
		}
		s, err := Compile(r, Options{Start: start})
		if err != nil {
			continue
		}
		c := Cursor{budget: NewBudget(1 << 40)}
		c.Seek(s, start)
		for k := 0; k < 1000; k++ {
			if _, ok := c.Next(); !ok {
				break
			}
		}
		if used := 1<<40 - c.budget.Left(); used > maxUsed {
			maxUsed, maxRule = used, text
		}
	}
	t.Logf("the costliest rule, %s, took %d units", maxRule, maxUsed)
	if maxUsed > bound {
		t.Errorf("%s costs %d units for 1,000 occurrences", maxRule, maxUsed)
	}
}

func TestCompileTimeBackstop(t *testing.T) {
	// The generous timeout behind the unit counts: the cases.
	begin := time.Now()
	for _, rule := range []string{
		"FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;COUNT=60000000",
		"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
	} {
		r, _ := ParseRRule(rule)
		for i := 0; i < 200; i++ {
			s, err := Compile(r, Options{Start: MakeWall(2026, 1, 5, 0, 0, 0)})
			if err == nil {
				s.Until()
			}
		}
	}
	if d := time.Since(begin); d > 20*time.Second {
		t.Errorf("400 compilations took %v", d)
	}
}

// FuzzCompile: for any rule text and start, Compile stays within the cost
// bound; a rule it accepts gives what the plain walk gives (from DTSTART
// and from later), and its COUNT bound is the walk's; a rule it rejects
// as never matching has no occurrence in a 400-year cycle of the walk.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"FREQ=DAILY;BYHOUR=9;BYSETPOS=2", "FREQ=DAILY;INTERVAL=7;BYDAY=MO", "FREQ=DAILY;INTERVAL=40;BYMONTHDAY=31;BYDAY=MO",
		"FREQ=WEEKLY;INTERVAL=5;BYMONTH=2;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=7", "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
		"FREQ=MONTHLY;INTERVAL=5;BYDAY=5FR;COUNT=900", "FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH;COUNT=50", "FREQ=YEARLY;BYYEARDAY=-366,60;BYSETPOS=-1",
		"FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;COUNT=30",
	} {
		f.Add(s, uint16(126), uint16(4), uint32(32400))
	}
	f.Fuzz(func(t *testing.T, text string, year, yday uint16, secs uint32) {
		r, err := ParseRRule(text)
		if err != nil {
			return
		}
		y := 1 + int(year)%9999
		start := Wall(DaysFromCivil(y, 1, 1)+int(yday)%365)*86400 + Wall(secs%86400)
		b := NewBudget(1 << 40)
		s, err := Compile(r, Options{Start: start, Budget: b})
		if used := 1<<40 - b.Left(); used > 30_000 {
			t.Fatalf("%s from %s: Compile took %d units", text, FormatDateTime(start), used)
		}
		horizon := min(start+450*366*86400, MaxWall)
		if r.Freq == Daily {
			horizon = min(start+60*366*86400, MaxWall)
		}
		if errors.Is(err, ErrNoOccurrence) {
			s, err := compile(r, Options{Start: start}, false)
			if err != nil {
				t.Fatalf("compile without the check: %v", err)
			}
			if got := naive(s, start, 1, horizon); len(got) > 0 && r.Freq != Daily {
				t.Fatalf("%s from %s: said never, but %s", text, FormatDateTime(start), FormatDateTime(got[0]))
			}
			return
		}
		if err != nil {
			return
		}
		for _, from := range []Wall{start, start + Wall(secs)*600} {
			want := naive(s, from, 12, horizon)
			got := take(s, from, 12)
			for len(got) > 0 && got[len(got)-1] > horizon {
				got = got[:len(got)-1]
			}
			if walls(got) != walls(want) {
				t.Fatalf("%s from %s (start %s):\n got %s\nwant %s", text, FormatDateTime(from), FormatDateTime(start), walls(got), walls(want))
			}
		}
		if r.Count > 0 {
			cb := NewBudget(1 << 40)
			bound := s.countBound(r.Count, cb)
			if used := 1<<40 - cb.Left(); used > 200_000 {
				t.Fatalf("%s: the COUNT bound took %d units", text, used)
			}
			if r.Count <= 500 {
				var c Cursor
				c.seek(s, start+1, MaxWall)
				want := MaxWall
				for k := 1; k < r.Count; k++ {
					w, ok := c.Next()
					if !ok {
						want = MaxWall
						break
					}
					want = w
				}
				if r.Count == 1 {
					want = start
				}
				if bound != want {
					t.Fatalf("%s from %s: bound %s, walk %s", text, FormatDateTime(start), FormatDateTime(bound), FormatDateTime(want))
				}
			}
		}
	})
}

// TestCountBoundConcurrent: many cursors sharing a Spec with a COUNT bound
// agree (run with -race).
func TestCountBoundConcurrent(t *testing.T) {
	s := mustSpec(t, "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;COUNT=40", MakeWall(2026, 1, 5, 9, 0, 0), Options{})
	results := make(chan string, 8)
	for g := 0; g < 8; g++ {
		go func() {
			var c Cursor
			c.Seek(s, MakeWall(2026, 1, 5, 9, 0, 0))
			var got []Wall
			for {
				w, ok := c.Next()
				if !ok {
					break
				}
				got = append(got, w)
			}
			results <- walls(got)
		}()
	}
	first := <-results
	for g := 1; g < 8; g++ {
		if r := <-results; r != first {
			t.Fatalf("cursors disagree:\n%s\n%s", first, r)
		}
	}
	if n := len(strings.Fields(first)); n != 39 {
		t.Errorf("%d occurrences after DTSTART, want 39", n)
	}
}
