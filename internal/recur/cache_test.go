package recur

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// freshCache gives a test an empty shared cache, and puts the old one back.
func freshCache(t *testing.T) {
	old := shared
	shared = &specCache{cur: map[specKey]*compiled{}}
	t.Cleanup(func() { shared = old })
}

// TestSharedCacheReuses: compiling a rule again, however it is spelled,
// returns the same Spec without compiling (the cache counts a hit), for a
// rule that compiles and for one that never matches.
func TestSharedCacheReuses(t *testing.T) {
	freshCache(t)
	start := MakeWall(2026, 1, 5, 9, 0, 0)
	compileText := func(text string, o Options) (*Spec, error) {
		r, err := ParseRRule(text)
		if err != nil {
			t.Fatal(err)
		}
		return Compile(r, o)
	}
	a, err := compileText("FREQ=DAILY;INTERVAL=215;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", Options{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	before := SharedCacheStats()
	b, err := compileText("freq=daily;byday=MO;bymonthday=29;BYMONTH=2;interval=215;", Options{Start: start})
	if err != nil || a != b {
		t.Fatalf("the same rule spelled otherwise: %p, %p, %v", a, b, err)
	}
	// UNTIL in the rule is not part of what is compiled: Options.Until is.
	if c, _ := compileText("FREQ=DAILY;INTERVAL=215;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;UNTIL=20990101", Options{Start: start}); c != a {
		t.Errorf("UNTIL in the rule made another Spec")
	}
	after := SharedCacheStats()
	if after.Hits-before.Hits != 2 || after.Misses != before.Misses {
		t.Errorf("stats before %+v, after %+v: want two hits and no miss", before, after)
	}
	// Anything else that changes the Spec is a different rule.
	for _, o := range []Options{{Start: start + 1}, {Start: start, Until: start + 86400*365*50}, {Start: MakeWall(2026, 1, 5, 0, 0, 0), DateOnly: true}} {
		if c, _ := compileText("FREQ=DAILY;INTERVAL=215;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", o); c == a {
			t.Errorf("options %+v gave the Spec of other options", o)
		}
	}
	_, err1 := compileText("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", Options{Start: start})
	misses := SharedCacheStats().Misses
	_, err2 := compileText("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", Options{Start: start})
	if !errors.Is(err1, ErrNoOccurrence) || err1 != err2 || SharedCacheStats().Misses != misses {
		t.Errorf("a rule that never matches, twice: %v, %v", err1, err2)
	}
}

// TestSharedCacheBudgetDeterministic: a Budget is charged the same for a
// plan's rules whether the cache has them or not, and runs out at the
// same rule; a Budget pays once for each distinct rule.
func TestSharedCacheBudgetDeterministic(t *testing.T) {
	freshCache(t)
	rng := rand.New(rand.NewPCG(1, 2))
	var rules []RRule
	var starts []Wall
	for len(rules) < 300 {
		r, err := ParseRRule(sparseRule(rng))
		if err != nil {
			continue
		}
		rules = append(rules, r)
		starts = append(starts, MakeWall(2000+rng.IntN(50), 1+rng.IntN(12), 1+rng.IntN(28), 9, 0, 0))
	}
	run := func(budget int64) (used int64, outcomes string) {
		b := NewBudget(budget)
		for i, r := range rules {
			for range 3 { // each rule three times: paid once
				_, err := Compile(r, Options{Start: starts[i], Budget: b})
				if errors.Is(err, ErrBudget) {
					return budget - b.Left(), outcomes + fmt.Sprintf("budget spent at %d", i)
				}
				outcomes += fmt.Sprintf("%v;", err != nil)
			}
		}
		return budget - b.Left(), outcomes
	}
	coldUsed, cold := run(1 << 40)
	hits := SharedCacheStats().Hits
	warmUsed, warm := run(1 << 40)
	if SharedCacheStats().Hits-hits < int64(len(rules)) {
		t.Fatalf("the second run found %d rules compiled, want all %d", SharedCacheStats().Hits-hits, len(rules))
	}
	if coldUsed != warmUsed || cold != warm {
		t.Fatalf("cold cache: %d units, warm: %d units", coldUsed, warmUsed)
	}
	// Once paid, the same rule costs nothing: three times costs what one does.
	once := NewBudget(1 << 40)
	for i, r := range rules {
		Compile(r, Options{Start: starts[i], Budget: once})
	}
	if used := 1<<40 - once.Left(); used != coldUsed {
		t.Errorf("each rule once: %d units; three times: %d", used, coldUsed)
	}
	// A budget that runs out does so at the same rule, cold or warm.
	small := coldUsed / 2
	freshCache(t)
	_, coldSmall := run(small)
	_, warmSmall := run(small)
	if coldSmall != warmSmall {
		t.Errorf("a small budget: cold %q, warm %q", coldSmall[max(0, len(coldSmall)-30):], warmSmall[max(0, len(warmSmall)-30):])
	}
}

// TestSharedCacheBounded: however many distinct rules are compiled, the
// cache holds at most its limits, and a rule in use stays while others
// come and go.
func TestSharedCacheBounded(t *testing.T) {
	freshCache(t)
	r, err := ParseRRule("FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9,10,11;BYSETPOS=1,2,3,-1,-2")
	if err != nil {
		t.Fatal(err)
	}
	mine := Options{Start: MakeWall(1990, 1, 1, 9, 0, 0)}
	kept, err := Compile(r, mine)
	if err != nil {
		t.Fatal(err)
	}
	daily, err := ParseRRule("FREQ=DAILY")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3*cacheEntries; i++ {
		if _, err := Compile(daily, Options{Start: MakeWall(2000, 1, 1, 0, 0, 0) + Wall(i)*86400}); err != nil {
			t.Fatal(err)
		}
		if i%(cacheEntries/4) == 0 {
			if again, _ := Compile(r, mine); again != kept {
				t.Fatalf("after %d other rules, a rule in use was compiled again", i)
			}
		}
		if st := SharedCacheStats(); st.Entries > cacheEntries || st.Bytes > cacheBytes {
			t.Fatalf("after %d rules the cache holds %+v", i, st)
		}
	}
	st := SharedCacheStats()
	if st.Entries < cacheEntries/2 || st.Bytes <= 0 {
		t.Errorf("the cache holds %+v", st)
	}
	// Large rules are bounded by bytes.
	freshCache(t)
	big := "FREQ=YEARLY;BYSETPOS="
	for i := 2; i <= 366; i++ {
		big += fmt.Sprintf("%d,", i)
	}
	big += "1;BYYEARDAY=" + fmt.Sprint(1)
	for i := 2; i <= 366; i++ {
		big += fmt.Sprintf(",%d", i)
	}
	rb, err := ParseRRule(big)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < cacheEntries; i++ {
		if _, err := Compile(rb, Options{Start: MakeWall(2000, 1, 1, 0, 0, 0) + Wall(i)}); err != nil {
			t.Fatal(err)
		}
		if st := SharedCacheStats(); st.Bytes > cacheBytes {
			t.Fatalf("after %d large rules the cache holds %+v", i, st)
		}
	}
	if st := SharedCacheStats(); st.Entries >= cacheEntries/2 {
		t.Errorf("large rules: the cache holds %+v, not bounded by bytes", st)
	}
}

// TestSharedCacheConcurrent: goroutines compiling the same and different
// rules at once get correct, shared results (run with -race).
func TestSharedCacheConcurrent(t *testing.T) {
	freshCache(t)
	r, err := ParseRRule("FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=9,17")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([][]string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := NewBudget(1 << 30)
			for i := range 200 {
				s, err := Compile(r, Options{Start: MakeWall(2026, 1, 1+i%28, 9, 0, 0), Budget: b})
				if err != nil {
					t.Error(err)
					return
				}
				results[g] = append(results[g], walls(take(s, s.Start(), 3)))
			}
		}()
	}
	wg.Wait()
	for g := 1; g < 8; g++ {
		if fmt.Sprint(results[g]) != fmt.Sprint(results[0]) {
			t.Fatalf("goroutine %d saw other occurrences", g)
		}
	}
}
