package comms

import (
	"fmt"
	"testing"

	"github.com/ismscomms/ismscomms/internal/recur"
)

// TestRulesCompiledOnce: a plan that repeats one recurrence compiles it
// once, but the budget is charged at every use, since every command
// evaluates each activity's rule again (the review's D2: 15,000 copies of
// one costly rule made check take 26 s after a 0.5 s decode).
func TestRulesCompiledOnce(t *testing.T) {
	cost := func(n int, distinct bool) int64 {
		p := Plan{ID: "p"}
		for i := 0; i < n; i++ {
			start := DateTime{Date: Date{Year: 2026, Month: 1, Day: 5}, Hour: 9}
			if distinct {
				start.Date.Day = 1 + i%28
				start.Hour = i / 28 % 24
			}
			p.Activities = append(p.Activities, Activity{ID: fmt.Sprintf("a%d", i), When: Timing{RRule: "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", Start: start}})
		}
		v := newValidator()
		p.check(v)
		if v.probs.more+len(v.probs.list) != n {
			t.Fatalf("%d problems for %d rules that never match", v.probs.more+len(v.probs.list), n)
		}
		return v.spentUnits()
	}
	misses := recur.SharedCacheStats().Misses
	one, copies := cost(1, false), cost(2000, false)
	if compiled := recur.SharedCacheStats().Misses - misses; compiled > 1 {
		t.Errorf("2,000 copies of a rule were compiled %d times", compiled)
	}
	distinct := cost(600, true)
	if copies != 2000*one {
		t.Errorf("2,000 copies of a rule cost %d units, one costs %d", copies, one)
	}
	if distinct < 500*one {
		t.Errorf("600 distinct rules cost %d units, one costs %d: the cache shares what it must not", distinct, one)
	}
}

// TestRuleBudgetLocated: the rule at which the budget runs out is named,
// and the ones after it are not compiled (nor reported).
func TestRuleBudgetLocated(t *testing.T) {
	var b []byte
	b = append(b, "id: p\nactivities:\n"...)
	for i := 0; i < 12000; i++ {
		b = fmt.Appendf(b, "  - {id: a%d, when: {rrule: 'FREQ=DAILY;INTERVAL=40;BYMONTHDAY=31;BYDAY=MO', start: %04d-%02d-%02dT09:00}}\n", i, 2000+i/336, 1+i/28%12, 1+i%28)
	}
	_, _, err := parsePlan("p.yaml", b)
	perr, ok := err.(*PlanError)
	if !ok {
		t.Fatalf("got %v", err)
	}
	var found *Problem
	for i, p := range perr.Problems {
		if p.Message == errRuleBudget.Error() {
			if found != nil {
				t.Fatalf("the budget is reported twice")
			}
			found = &perr.Problems[i]
		}
	}
	if found == nil || !found.Pos.IsValid() || found.Path == "" {
		t.Fatalf("no located budget problem: %v", perr.Problems[:min(3, len(perr.Problems))])
	}
	t.Logf("%v", *found)
}
