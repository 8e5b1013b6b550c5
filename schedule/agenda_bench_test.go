package schedule_test

import (
	"runtime"
	"testing"

	"github.com/ismscomms/ismscomms/schedule"
)

// The production question: what is due in a 30-day window across every
// activity of every tenant. 200,000 pre-parsed rules (yearly, half-yearly,
// quarterly, monthly nth weekday, monthly last day, weekly on three days,
// bi-weekly; DTSTARTs over the last ten years; 09:00 local in three zones).
//
//	go test ./schedule/ -run XXX -bench Agenda200k -benchmem
//
// "rrule-go" is the honest alternative: rrule-go's Between on each
// pre-parsed rule, then one sort by time and key.
func BenchmarkAgenda200k(b *testing.B) {
	const n = 200_000
	rules := mixRules(b, n, window[0], 42)
	b.Run("ismscomms", func(b *testing.B) {
		a := buildAgenda(b, rules)
		b.ReportAllocs()
		b.ResetTimer()
		occ := 0
		for i := 0; i < b.N; i++ {
			occ = 0
			for range a.Between(window[0], window[1]) {
				occ++
			}
		}
		reportPerOccurrence(b, occ)
	})
	b.Run("rrule-go", func(b *testing.B) {
		rr := rrulego(b, rules)
		b.ReportAllocs()
		b.ResetTimer()
		occ := 0
		for i := 0; i < b.N; i++ {
			occ = len(baseline(rules, rr, window[0], window[1]))
		}
		reportPerOccurrence(b, occ)
	})
}

func reportPerOccurrence(b *testing.B, occ int) {
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(occ), "occurrences")
	if occ > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(occ), "ns/occurrence")
	}
}

// Build cost: parsing and adding 200,000 rules, per rule.
func BenchmarkAgendaBuild(b *testing.B) {
	rules := mixRules(b, 200_000, window[0], 42)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := schedule.NewAgenda()
		for _, r := range rules {
			rule, err := schedule.Parse(r.text)
			if err != nil {
				b.Fatal(err)
			}
			a.Add(r.key, rule)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(rules)), "ns/rule")
}

// Memory held per rule once parsed.
func BenchmarkRuleMemory(b *testing.B) {
	rules := mixRules(b, 20_000, window[0], 42)
	var before, after runtime.MemStats
	for i := 0; i < b.N; i++ {
		runtime.GC()
		runtime.ReadMemStats(&before)
		held := make([]*schedule.Rule, len(rules))
		for j, r := range rules {
			held[j] = mustParse(b, r.text)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(len(rules)), "bytes/rule")
		runtime.KeepAlive(held)
	}
}

// Next on one rule whose DTSTART is ten years back: constant time, where
// rrule-go walks from DTSTART.
func BenchmarkRuleNext(b *testing.B) {
	rules := mixRules(b, 7, window[0], 9)
	for _, r := range rules {
		rule := mustParse(b, r.text)
		b.Run(r.rule, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				rule.Next(window[0])
			}
		})
	}
	rr := rrulego(b, rules)
	for i, r := range rr {
		b.Run("rrule-go/"+rules[i].rule, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				r.After(window[0], false)
			}
		})
	}
}
